"""MX listener: local delivery with smtplib, unknown users, relay refusal
(including %-hack, !-path, source routes and quoted @), plus-addressing,
aliases (one-to-many, catch-all), store-once, and RFC 2920 pipelining."""

import smtplib
import socket
import unittest

from harness import CopperServer, CopperTestCase, message, unique


class MxTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(
            domains=["example.test", "catch.test"],
            users={"demo@example.test": "demo-password-1",
                   "other@example.test": "other-password-1",
                   "third@example.test": "third-password-1",
                   "catchall@catch.test": "catch-password-1",
                   "known@catch.test": "known-password-1"},
            aliases={"team@example.test": ["demo@example.test", "other@example.test"],
                     "info@example.test": ["demo@example.test", "friend@remote.example"],
                     "postmaster@example.test": ["demo@example.test"],
                     "@catch.test": ["catchall@catch.test"]},
            listeners=["smtp"])
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def send(self, rcpts, body=None, sender="sender@remote.example"):
        """Sends one message over smtplib; returns (marker, refused-dict)."""
        marker = unique("body")
        rcpts = [rcpts] if isinstance(rcpts, str) else rcpts
        with self.server.smtp() as c:
            refused = c.sendmail(sender, rcpts, message("test", body or marker, sender, rcpts[0]))
            c.quit()
        return marker, refused

    def stored_with(self, address, marker):
        return [m for m in self.server.messages_for(address) if marker.encode() in m]

    def test_delivery_to_local_user(self):
        with self.server.smtp() as c:
            code, text = c.ehlo("client.example")
            self.assertEqual(code, 250)
            self.assertIn(b"mx.example.test", text)
            for ext in ("pipelining", "size", "8bitmime", "smtputf8", "enhancedstatuscodes",
                        "chunking", "starttls"):
                self.assertTrue(c.has_extn(ext), f"EHLO does not list {ext}: {text!r}")
            self.assertFalse(c.has_extn("auth"), "AUTH must not be offered on the MX port")
            marker = unique("mx")
            refused = c.sendmail("sender@remote.example", ["demo@example.test"],
                                 message("hello", marker))
            self.assertEqual(refused, {})
            self.assertReply(c.quit(), 221)
        stored = self.stored_with("demo@example.test", marker)
        self.assertEqual(len(stored), 1)
        raw = stored[0]
        self.assertTrue(raw.startswith(b"Return-Path: <sender@remote.example>\r\nReceived: "),
                        raw[:200])
        received = raw.split(b"\r\n\r\n", 1)[0]
        self.assertIn(b"by mx.example.test", received)
        self.assertIn(b"for <demo@example.test>", received)
        self.assertIn(b"with ESMTP ", received)
        self.assertIn(b"Subject: hello\r\n", raw)
        self.assertTrue(raw.endswith(marker.encode() + b"\r\n"), raw[-100:])
        self.assertEqual(self.stored_with("other@example.test", marker), [])

    def test_recipient_case_and_null_sender(self):
        marker, refused = self.send(["DEMO@Example.TEST"], sender="")
        self.assertEqual(refused, {})
        stored = self.stored_with("demo@example.test", marker)
        self.assertEqual(len(stored), 1)
        self.assertTrue(stored[0].startswith(b"Return-Path: <>\r\n"), stored[0][:80])

    def test_unknown_recipient(self):
        with self.server.raw() as c:
            c.ehlo()
            self.assertReply(c.cmd("MAIL FROM:<sender@remote.example>"), 250, "2.1.0")
            self.assertReply(c.cmd("RCPT TO:<nobody@example.test>"), 550, "5.1.1")
            self.assertReply(c.cmd("RCPT TO:<nobody+tag@example.test>"), 550, "5.1.1")
            self.assertReply(c.cmd("RCPT TO:<+demo@example.test>"), 550, "5.1.1")
            # RFC 2920 3.1: DATA after nothing but failed RCPTs is refused.
            self.assertReply(c.cmd("DATA"), 554)
            self.assertReply(c.cmd("QUIT"), 221)

    def test_smtplib_reports_unknown_recipient(self):
        with self.server.smtp() as c:
            with self.assertRaises(smtplib.SMTPRecipientsRefused) as cm:
                c.sendmail("sender@remote.example", ["nobody@example.test"], message("x", "y"))
            code, text = cm.exception.recipients["nobody@example.test"]
            self.assertEqual(code, 550)
            self.assertTrue(text.startswith(b"5.1.1"), text)
            # A partial refusal: the valid recipient still gets the message.
            marker = unique("partial")
            refused = c.sendmail("sender@remote.example",
                                 ["nobody@example.test", "other@example.test"],
                                 message("partial", marker))
            self.assertEqual(list(refused), ["nobody@example.test"])
        self.assertEqual(len(self.stored_with("other@example.test", marker)), 1)

    def test_relay_refused(self):
        tricks = [
            "friend@remote.example",
            "friend%remote.example@example.test",          # %-hack
            "remote.example!friend@example.test",          # bang path
            '"friend@remote.example"@example.test',        # quoted @
            "@example.test:friend@remote.example",         # source route to a remote mailbox
            "@example.test,@mx.example.test:friend@remote.example",
            "friend@[127.0.0.1]",                          # address literal
            "friend@remote.example.",                      # trailing root dot, still remote
            "demo%remote.example@example.test",            # %-hack on an existing user
            '"demo%remote.example"@example.test',
        ]
        with self.server.raw() as c:
            c.ehlo()
            self.assertReply(c.cmd("MAIL FROM:<spammer@remote.example>"), 250)
            for rcpt in tricks:
                with self.subTest(rcpt=rcpt):
                    self.assertReply(c.cmd(f"RCPT TO:<{rcpt}>"), 554, "5.7.1")
            # An address with two @ is refused outright, never relayed.
            r = c.cmd("RCPT TO:<friend@remote.example@example.test>")
            self.assertGreaterEqual(r.code, 500, r)
            self.assertReply(c.cmd("DATA"), 554)
            self.assertReply(c.cmd("QUIT"), 221)
        self.assertEqual([q for q in self.server.queue_list()
                          if q["sender"] == "spammer@remote.example"], [],
                         "a refused relay attempt must not reach the queue")

    def test_source_route_to_local_mailbox_is_ignored(self):
        # RFC 5321 3.6.1 / 4.1.1.3: servers MUST accept and SHOULD ignore source routes.
        marker = unique("route")
        with self.server.raw() as c:
            c.ehlo()
            self.assertReply(c.cmd("MAIL FROM:<sender@remote.example>"), 250)
            self.assertReply(c.cmd("RCPT TO:<@remote.example:other@example.test>"), 250, "2.1.5")
            self.assertReply(c.cmd("DATA"), 354)
            self.assertReply(c.cmd(f"Subject: route\r\n\r\n{marker}\r\n."), 250, "2.0.0")
        self.assertEqual(len(self.stored_with("other@example.test", marker)), 1)

    def test_plus_addressing(self):
        marker, refused = self.send(["demo+lists@example.test"])
        self.assertEqual(refused, {})
        stored = self.stored_with("demo@example.test", marker)
        self.assertEqual(len(stored), 1)
        # The trace header keeps the address the sender used.
        self.assertIn(b"for <demo+lists@example.test>", stored[0])

    def test_alias_one_to_many(self):
        marker, refused = self.send(["team@example.test"])
        self.assertEqual(refused, {})
        a = self.stored_with("demo@example.test", marker)
        b = self.stored_with("other@example.test", marker)
        self.assertEqual((len(a), len(b)), (1, 1))
        self.assertEqual(a, b)
        self.assertEqual(self.stored_with("third@example.test", marker), [])

    def test_alias_with_remote_target_is_queued(self):
        marker, refused = self.send(["info@example.test"])
        self.assertEqual(refused, {})
        self.assertEqual(len(self.stored_with("demo@example.test", marker)), 1)
        queued = [q for q in self.server.queue_list() if "friend@remote.example" in q["recipients"]]
        self.assertEqual(len(queued), 1, self.server.queue_list())
        self.assertEqual(queued[0]["sender"], "sender@remote.example")
        rows = self.server.query(
            "SELECT b.data FROM queue q JOIN blobs b ON q.blob_id = b.id "
            "JOIN queue_recipients r ON r.queue_id = q.id WHERE r.address = ?",
            "friend@remote.example")
        self.assertTrue(any(marker.encode() in bytes(r[0]) for r in rows))

    def test_catch_all(self):
        marker, refused = self.send(["anything-at-all@catch.test"])
        self.assertEqual(refused, {})
        self.assertEqual(len(self.stored_with("catchall@catch.test", marker)), 1)
        # An existing user of the domain still gets their own mail.
        marker2, refused = self.send(["known@catch.test"])
        self.assertEqual(len(self.stored_with("known@catch.test", marker2)), 1)
        self.assertEqual(self.stored_with("catchall@catch.test", marker2), [])
        # The catch-all of one domain does not cover another.
        with self.server.raw() as c:
            c.ehlo()
            c.cmd("MAIL FROM:<sender@remote.example>")
            self.assertReply(c.cmd("RCPT TO:<anything-at-all@example.test>"), 550, "5.1.1")

    def test_several_recipients_stored_once(self):
        marker, refused = self.send(["demo@example.test", "other@example.test",
                                     "third@example.test"])
        self.assertEqual(refused, {})
        blob_ids = set()
        for rcpt in ("demo@example.test", "other@example.test", "third@example.test"):
            rows = self.server.message_rows_for(rcpt)
            msgs = self.server.messages_for(rcpt)
            mine = [row for row, raw in zip(rows, msgs) if marker.encode() in raw]
            self.assertEqual(len(mine), 1, rcpt)
            blob_ids.add(mine[0][1])
        self.assertEqual(len(blob_ids), 1, "one blob shared by all recipients")
        (blob_id,) = blob_ids
        refs, = self.server.query("SELECT refs FROM blobs WHERE id = ?", blob_id)[0]
        self.assertEqual(refs, 3)
        holding = [b for b in self.server.all_blobs() if marker.encode() in b]
        self.assertEqual(len(holding), 1)
        # More than one recipient: no "for <...>" that would disclose Bcc recipients.
        self.assertNotIn(b"\tfor <", holding[0].split(b"\r\n\r\n", 1)[0])

    def test_duplicate_recipient_delivered_once(self):
        marker, refused = self.send(["demo@example.test", "DEMO@example.test",
                                     "demo+x@example.test"])
        self.assertEqual(refused, {})
        self.assertEqual(len(self.stored_with("demo@example.test", marker)), 1)

    def test_postmaster_without_domain(self):
        # RFC 5321 4.1.1.3: "RCPT TO:<Postmaster>" (no domain) must be accepted.
        # The host name mx.example.test is not a mail domain; its parent is,
        # and there postmaster is an alias of demo.
        marker = unique("postmaster")
        with self.server.raw() as c:
            c.ehlo()
            self.assertReply(c.cmd("MAIL FROM:<sender@remote.example>"), 250)
            self.assertReply(c.cmd("RCPT TO:<Postmaster>"), 250, "2.1.5")
            self.assertReply(c.cmd("DATA"), 354)
            self.assertReply(c.cmd(f"Subject: pm\r\n\r\n{marker}\r\n."), 250)
        self.assertEqual(len(self.stored_with("demo@example.test", marker)), 1)

    def test_pipelining(self):
        marker = unique("pipe")
        with self.server.raw() as c:
            c.ehlo()
            c.send("MAIL FROM:<sender@remote.example>\r\n"
                   "RCPT TO:<demo@example.test>\r\n"
                   "RCPT TO:<nobody@example.test>\r\n"
                   "RCPT TO:<other@example.test>\r\n"
                   "DATA\r\n")
            self.assertReply(c.reply(), 250, "2.1.0")
            self.assertReply(c.reply(), 250, "2.1.5")
            self.assertReply(c.reply(), 550, "5.1.1")
            self.assertReply(c.reply(), 250, "2.1.5")
            self.assertReply(c.reply(), 354)
            # The body, the next transaction and QUIT in one more write.
            c.send(f"Subject: pipelined\r\n\r\n{marker}\r\n.\r\n"
                   "RSET\r\nMAIL FROM:<>\r\nRCPT TO:<third@example.test>\r\nNOOP\r\nQUIT\r\n")
            self.assertReply(c.reply(), 250, "2.0.0")
            self.assertReply(c.reply(), 250, "2.0.0")  # RSET
            self.assertReply(c.reply(), 250, "2.1.0")
            self.assertReply(c.reply(), 250, "2.1.5")
            self.assertReply(c.reply(), 250, "2.0.0")  # NOOP
            self.assertReply(c.reply(), 221)
            self.assertEqual(c.read_until_closed(), b"")
        self.assertEqual(len(self.stored_with("demo@example.test", marker)), 1)
        self.assertEqual(len(self.stored_with("other@example.test", marker)), 1)
        self.assertEqual(self.stored_with("third@example.test", marker), [])

    def test_one_byte_writes(self):
        # Chaos: every byte in its own TCP segment.
        marker = unique("bytes")
        script = (f"EHLO slow.example\r\nMAIL FROM:<sender@remote.example>\r\n"
                  f"RCPT TO:<third@example.test>\r\nDATA\r\n").encode()
        body = f"Subject: slow\r\n\r\n..{marker}\r\n.\r\nQUIT\r\n".encode()
        with self.server.raw() as c:
            for i in range(len(script)):
                c.send(script[i:i + 1])
            self.assertReply(c.reply(), 250)
            self.assertReply(c.reply(), 250, "2.1.0")
            self.assertReply(c.reply(), 250, "2.1.5")
            self.assertReply(c.reply(), 354)
            for i in range(len(body)):
                c.send(body[i:i + 1])
            self.assertReply(c.reply(), 250, "2.0.0")
            self.assertReply(c.reply(), 221)
        stored = self.stored_with("third@example.test", marker)
        self.assertEqual(len(stored), 1)
        # RFC 5321 4.5.2: the leading dot of a stuffed line is removed.
        self.assertTrue(stored[0].endswith(f"\r\n.{marker}\r\n".encode()), stored[0][-80:])

    def test_sequencing_errors(self):
        with self.server.raw() as c:
            self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 503, "5.5.1")
            c.ehlo()
            self.assertReply(c.cmd("RCPT TO:<demo@example.test>"), 503, "5.5.1")
            self.assertReply(c.cmd("DATA"), 503, "5.5.1")
            self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 250)
            self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 503, "5.5.1")
            self.assertReply(c.cmd("AUTH PLAIN AGRlbW8AeA=="), 503)
            self.assertReply(c.cmd("RSET"), 250)
            self.assertReply(c.cmd("AUTH PLAIN AGRlbW8AeA=="), 502, "5.5.1")
            self.assertReply(c.cmd("BOGUS"), 500, "5.5.2")
            self.assertReply(c.cmd("VRFY demo@example.test"), 252)
            self.assertReply(c.cmd("QUIT"), 221)

    def test_greeting(self):
        with socket.create_connection(("127.0.0.1", self.server.port("smtp")), timeout=10) as s:
            data = s.recv(1000)
        self.assertTrue(data.startswith(b"220 mx.example.test "), data)
        self.assertTrue(data.endswith(b"\r\n"), data)


if __name__ == "__main__":
    unittest.main()
