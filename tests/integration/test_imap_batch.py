"""Commands over more messages than one store batch (imap/batch.h reads 256
at a time), with Python's imaplib: FETCH of ENVELOPE and whole bodies,
SEARCH HEADER, SORT and THREAD REFERENCES answer for every message, in
order; and the mailbox counts of STATUS (kept per mailbox by the store)
follow APPEND, STORE, EXPUNGE and COPY."""

import imaplib
import re
import unittest

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase,
                     unique, unverified_context)

USER = "demo@example.test"
LISTENERS = ("smtp", "imaps")
COUNT = 300  # more than one batch of 256


def login(server):
    conn = imaplib.IMAP4_SSL(HOST, server.port("imaps"), ssl_context=unverified_context(),
                             timeout=IO_TIMEOUT)
    conn.login(USER, DEFAULT_PASSWORD)
    return conn


def sender(i):
    return f"user{(i * 7) % 13:02d}@example.org"


def message(i):
    """Message i (1-based): chains of ten, each replying to the one before."""
    thread = (i - 1) // 10
    root = (i - 1) % 10 == 0
    head = [f"From: {sender(i)}", f"To: {USER}",
            f"Subject: {'' if root else 'Re: '}Thread {thread:02d}",
            f"Date: Mon, 1 Jan 2024 00:{(i - 1) // 60:02d}:{(i - 1) % 60:02d} +0000",
            f"Message-ID: <m{i}@example.org>", f"X-Tag: {'odd' if i % 2 else 'even'}"]
    if not root:
        head.append(f"References: <m{i - 1}@example.org>")
    body = f"Body of message {i}.\r\n" * (1 + i % 5)
    return ("\r\n".join(head) + "\r\n\r\n" + body).encode()


def numbers(line):
    return [int(n) for n in re.findall(rb"\d+", line)]


class ImapBatchTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(listeners=LISTENERS)
        cls.server.__enter__()
        cls.mailbox = "b" + unique()
        cls.raw = [message(i) for i in range(1, COUNT + 1)]
        conn = login(cls.server)
        typ, _ = conn.create(cls.mailbox)
        assert typ == "OK"
        for raw in cls.raw:
            typ, data = conn.append(cls.mailbox, None, None, raw)
            assert typ == "OK", data
        conn.logout()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def setUp(self):
        self.conn = login(self.server)
        typ, _ = self.conn.select(self.mailbox, readonly=True)
        self.assertEqual(typ, "OK")

    def tearDown(self):
        self.conn.logout()

    def test_fetch_envelope_of_every_message_in_order(self):
        typ, data = self.conn.fetch("1:*", "(UID RFC822.SIZE ENVELOPE)")
        self.assertEqual(typ, "OK")
        lines = [d for d in data if isinstance(d, bytes)]
        self.assertEqual(len(lines), COUNT, lines[:3])
        for seq, line in enumerate(lines, 1):
            self.assertTrue(line.startswith(b"%d (" % seq), line)
            self.assertIn(b"RFC822.SIZE %d" % len(self.raw[seq - 1]), line)
            self.assertIn(b"<m%d@example.org>" % seq, line)
            self.assertIn(b"Thread %02d\"" % ((seq - 1) // 10), line)

    def test_fetch_body_of_every_message_in_order(self):
        typ, data = self.conn.fetch("1:*", "(BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        bodies = [d for d in data if isinstance(d, tuple)]
        self.assertEqual(len(bodies), COUNT)
        for seq, (head, raw) in enumerate(bodies, 1):
            self.assertTrue(head.startswith(b"%d (" % seq), head)
            self.assertEqual(raw, self.raw[seq - 1])

    def test_search_header_over_every_message(self):
        typ, data = self.conn.search(None, "HEADER", "X-Tag", "odd")
        self.assertEqual(typ, "OK")
        self.assertEqual(numbers(data[0]), list(range(1, COUNT + 1, 2)))
        typ, data = self.conn.uid("SEARCH", "HEADER", "Message-ID", "<m299@")
        self.assertEqual(typ, "OK")
        self.assertEqual(numbers(data[0]), [299])

    def test_sort_and_thread_over_every_message(self):
        typ, data = self.conn.sort("(FROM)", "UTF-8", "ALL")
        self.assertEqual(typ, "OK")
        want = sorted(range(1, COUNT + 1), key=lambda i: (sender(i), i))
        self.assertEqual(numbers(data[0]), want)
        typ, data = self.conn.thread("REFERENCES", "UTF-8", "ALL")
        self.assertEqual(typ, "OK")
        # RFC 5256 3: each chain of ten is one thread, shown flat; threads in
        # the order of their roots' dates.
        want = b"".join(b"(" + b" ".join(b"%d" % n for n in range(t * 10 + 1, t * 10 + 11)) + b")"
                        for t in range(COUNT // 10))
        self.assertEqual(data[0], want)


class StatusCountsTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(listeners=LISTENERS)
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def status(self, conn, mailbox):
        typ, data = conn.status(mailbox, "(MESSAGES UNSEEN DELETED SIZE)")
        self.assertEqual(typ, "OK", data)
        items = dict(re.findall(rb"(MESSAGES|UNSEEN|DELETED|SIZE) (\d+)", data[0]))
        return {k.decode(): int(v) for k, v in items.items()}

    def test_status_follows_append_store_expunge_copy(self):
        conn = login(self.server)
        box, other = "c" + unique(), "d" + unique()
        self.assertEqual(conn.create(box)[0], "OK")
        self.assertEqual(conn.create(other)[0], "OK")
        raws = [message(i) for i in range(1, 31)]
        for raw in raws:
            self.assertEqual(conn.append(box, None, None, raw)[0], "OK")
        size = sum(len(r) for r in raws)
        self.assertEqual(self.status(conn, box),
                         {"MESSAGES": 30, "UNSEEN": 30, "DELETED": 0, "SIZE": size})
        self.assertEqual(conn.select(box)[0], "OK")
        self.assertEqual(conn.store("1:10", "+FLAGS", r"(\Seen)")[0], "OK")
        self.assertEqual(conn.store("5:12", "+FLAGS", r"(\Deleted)")[0], "OK")
        self.assertEqual(self.status(conn, box),
                         {"MESSAGES": 30, "UNSEEN": 20, "DELETED": 8, "SIZE": size})
        self.assertEqual(conn.copy("1:6", other)[0], "OK")
        self.assertEqual(self.status(conn, other),
                         {"MESSAGES": 6, "UNSEEN": 0, "DELETED": 2,
                          "SIZE": sum(len(r) for r in raws[:6])})
        self.assertEqual(conn.expunge()[0], "OK")
        gone = sum(len(r) for r in raws[4:12])
        self.assertEqual(self.status(conn, box),
                         {"MESSAGES": 22, "UNSEEN": 18, "DELETED": 0, "SIZE": size - gone})
        # SELECT reports the same count as EXISTS.
        typ, data = conn.select(box)
        self.assertEqual((typ, data), ("OK", [b"22"]))
        conn.logout()


if __name__ == "__main__":
    unittest.main()
