"""Message size limits (RFC 1870 SIZE at MAIL FROM, during DATA and across
BDAT chunks) and CHUNKING (RFC 3030 BDAT), with raw sockets."""

import os
import smtplib
import unittest

from harness import CopperServer, CopperTestCase, message, unique

LIMIT = 4096


class SizeAndBdatTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(config={"smtp": {"max_message_size": LIMIT, "max_errors": 100}},
                                  listeners=["smtp"])
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def stored_with(self, marker):
        return [m for m in self.server.messages_for("demo@example.test") if marker.encode() in m]

    def transaction(self, c):
        c.ehlo()
        self.assertReply(c.cmd("MAIL FROM:<sender@remote.example>"), 250)
        self.assertReply(c.cmd("RCPT TO:<demo@example.test>"), 250)

    def body_of_size(self, marker, size):
        """A CRLF-terminated message of exactly `size` octets, no line starting with '.'."""
        head = f"Subject: size\r\n\r\n{marker}\r\n"
        filler = size - len(head)
        full, rem = divmod(filler, 80)
        lengths = [80] * full
        if rem:
            if rem < 3:  # too short for "x\r\n": share it with a full line
                lengths[-1] += rem - 40
                lengths.append(40)
            else:
                lengths.append(rem)
        body = head + "".join("x" * (n - 2) + "\r\n" for n in lengths)
        self.assertEqual(len(body), size)
        return body

    def test_size_advertised(self):
        with self.server.smtp() as c:
            c.ehlo("client.example")
            self.assertEqual(c.esmtp_features.get("size"), str(LIMIT))
            self.assertTrue(c.has_extn("chunking"))

    def test_size_parameter(self):
        with self.server.raw() as c:
            c.ehlo()
            self.assertReply(c.cmd(f"MAIL FROM:<a@remote.example> SIZE={LIMIT + 1}"), 552, "5.3.4")
            self.assertReply(c.cmd("MAIL FROM:<a@remote.example> SIZE=18446744073709551615"),
                             552, "5.3.4")
            # RFC 1870: size-value ::= 1*20DIGIT; beyond 64 bits is still just too big.
            self.assertReply(c.cmd("MAIL FROM:<a@remote.example> SIZE=99999999999999999999"),
                             552, "5.3.4")
            self.assertReply(c.cmd("MAIL FROM:<a@remote.example> SIZE=huge"), 501, "5.5.4")
            self.assertReply(c.cmd("MAIL FROM:<a@remote.example> SIZE"), 501, "5.5.4")
            self.assertReply(c.cmd("RCPT TO:<demo@example.test>"), 503, "5.5.1",
                             "a refused MAIL must not open a transaction")
            self.assertReply(c.cmd(f"MAIL FROM:<a@remote.example> SIZE={LIMIT}"), 250, "2.1.0")
            self.assertReply(c.cmd("RCPT TO:<demo@example.test>"), 250)

    def test_smtplib_size_refused_at_mail(self):
        marker = unique("smtplib-big")
        with self.server.smtp() as c:
            with self.assertRaises(smtplib.SMTPSenderRefused) as cm:
                c.sendmail("a@remote.example", ["demo@example.test"],
                           message("big", marker + "x" * LIMIT))
            self.assertEqual(cm.exception.smtp_code, 552)
        self.assertEqual(self.stored_with(marker), [])

    def test_data_at_limit_and_over(self):
        ok_marker, big_marker = unique("at-limit"), unique("over-limit")
        with self.server.raw() as c:
            self.transaction(c)
            self.assertReply(c.cmd("DATA"), 354)
            c.send(self.body_of_size(ok_marker, LIMIT) + ".\r\n")
            self.assertReply(c.reply(), 250, "2.0.0")
            self.transaction(c)
            self.assertReply(c.cmd("DATA"), 354)
            c.send(self.body_of_size(big_marker, LIMIT + 1) + ".\r\n")
            self.assertReply(c.reply(), 552, "5.3.4")
            # Far over the limit, in several writes: refused, and the session goes on.
            self.transaction(c)
            self.assertReply(c.cmd("DATA"), 354)
            for _ in range(50):
                c.send(("y" * 998 + "\r\n") * 10)
            c.send(f"{big_marker}\r\n.\r\n")
            self.assertReply(c.reply(), 552, "5.3.4")
            self.assertReply(c.cmd("RCPT TO:<demo@example.test>"), 503, "5.5.1")
            self.assertReply(c.cmd("NOOP"), 250)
        self.assertEqual(len(self.stored_with(ok_marker)), 1)
        self.assertEqual(self.stored_with(big_marker), [])
        self.assertIn("reason=size", self.server.log())

    def test_bdat_chunks(self):
        marker = unique("bdat")
        parts = [f"Subject: chunked\r\n\r\n{marker}\r\n".encode(),
                 b"a line with a bare LF\nand CR\r\n.\r\nMAIL FROM:<x@remote.example>\r\n",
                 b"the end\r\n"]
        with self.server.raw() as c:
            self.transaction(c)
            for part in parts[:2]:
                c.send(f"BDAT {len(part)}\r\n".encode() + part)
                r = c.reply()
                self.assertReply(r, 250)
                self.assertIn(f"{len(part)} octets", r.text)
            c.send(f"BDAT {len(parts[2])} LAST\r\n".encode() + parts[2])
            self.assertReply(c.reply(), 250, "2.0.0")
            self.assertReply(c.cmd("NOOP"), 250)
        stored = self.stored_with(marker)
        self.assertEqual(len(stored), 1)
        # BDAT data is opaque: no dot-unstuffing, no line-ending changes.
        self.assertTrue(stored[0].endswith(b"".join(parts)), stored[0][-200:])

    def test_bdat_pipelined_and_zero_last(self):
        marker = unique("bdat0")
        part = f"Subject: zero last\r\n\r\n{marker}\r\n".encode()
        with self.server.raw() as c:
            c.ehlo()
            c.send(b"MAIL FROM:<sender@remote.example>\r\nRCPT TO:<demo@example.test>\r\n"
                   + f"BDAT {len(part)}\r\n".encode() + part + b"BDAT 0 LAST\r\nQUIT\r\n")
            self.assertReply(c.reply(), 250, "2.1.0")
            self.assertReply(c.reply(), 250, "2.1.5")
            self.assertReply(c.reply(), 250)
            self.assertReply(c.reply(), 250, "2.0.0")
            self.assertReply(c.reply(), 221)
        stored = self.stored_with(marker)
        self.assertEqual(len(stored), 1)
        self.assertTrue(stored[0].endswith(part))

    def test_bdat_over_limit(self):
        marker = unique("bdat-big")
        first = b"Subject: big\r\n\r\n" + marker.encode() + b"\r\n" + b"z" * (LIMIT // 2)
        # The oversized chunk is full of command lines: they must be consumed as data.
        second = (b"RSET\r\nQUIT\r\n" * (LIMIT // 6))[:LIMIT // 2 + 100]
        with self.server.raw() as c:
            self.transaction(c)
            c.send(f"BDAT {len(first)}\r\n".encode() + first)
            self.assertReply(c.reply(), 250)
            c.send(f"BDAT {len(second)}\r\n".encode() + second)
            self.assertReply(c.reply(), 552, "5.3.4")
            # RFC 3030 2: the transaction is over; more chunks are refused until RSET.
            c.send(b"BDAT 5 LAST\r\nhello")
            self.assertReply(c.reply(), 503, "5.5.1")
            self.assertReply(c.cmd("NOOP"), 250, "2.0.0")
            self.assertReply(c.cmd("RSET"), 250)
            # A single chunk over the limit is refused without being stored.
            self.transaction(c)
            big = marker.encode() + b"w" * LIMIT
            c.send(f"BDAT {len(big)} LAST\r\n".encode() + big)
            self.assertReply(c.reply(), 552, "5.3.4")
            self.assertReply(c.cmd("QUIT"), 221)
        self.assertEqual(self.stored_with(marker), [])

    @unittest.skipUnless(os.path.exists("/proc/self/status"), "needs Linux /proc")
    def test_bdat_huge_chunk_size_is_not_buffered(self):
        # A chunk size near 2^64 must not wrap the limit check: the server has
        # to discard the chunk, not keep it in memory. Measured by the
        # server's resident memory while 48 MiB of the chunk arrive.
        def rss_kib():
            with open(f"/proc/{self.server.pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
            raise AssertionError("no VmRSS")
        with self.server.raw() as c:
            self.transaction(c)
            c.send(b"BDAT 10\r\n0123456789")
            self.assertReply(c.reply(), 250)
            before = rss_kib()
            c.send(f"BDAT {2**64 - 5}\r\n".encode())
            block = b"x" * (1 << 20)
            for _ in range(48):
                c.send(block)
            grown = rss_kib() - before
            self.assertLess(grown, 16 * 1024,
                            f"server memory grew by {grown} KiB while discarding a chunk")

    def test_bdat_out_of_sequence_consumes_chunk(self):
        with self.server.raw() as c:
            c.ehlo()
            c.send(b"BDAT 12\r\nQUIT\r\nQUIT\r\n")
            self.assertReply(c.reply(), 503, "5.5.1")
            self.assertReply(c.cmd("NOOP"), 250, "2.0.0")
            self.transaction(c)
            c.send(b"BDAT 3\r\nabc")
            self.assertReply(c.reply(), 250)
            self.assertReply(c.cmd("DATA"), 503, "5.5.1")  # no DATA after BDAT
            self.assertReply(c.cmd("BDAT nonsense"), 501)
            self.assertReply(c.cmd("RSET"), 250)


if __name__ == "__main__":
    unittest.main()
