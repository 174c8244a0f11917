"""IMAP extensions against the real server: SORT and THREAD (RFC 5256) with
imaplib's sort() and thread(), BINARY (RFC 3516) FETCH and literal8 APPEND,
and COMPRESS=DEFLATE (RFC 4978) with a small raw-socket client that wraps
the connection in zlib's raw DEFLATE after the OK, over plain text and TLS."""

import imaplib
import re
import socket
import zlib
import base64
import unittest

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase,
                     unique, unverified_context)

USER = "demo@example.test"
LISTENERS = ("smtp", "imap", "imaps")


def login(server):
    conn = imaplib.IMAP4_SSL(HOST, server.port("imaps"), ssl_context=unverified_context(),
                             timeout=IO_TIMEOUT)
    typ, _ = conn.login(USER, DEFAULT_PASSWORD)
    assert typ == "OK"
    return conn


def fresh_mailbox(conn, messages):
    """A new mailbox holding `messages` ((bytes, internal date) pairs), selected."""
    name = unique("box")
    typ, _ = conn.create(name)
    assert typ == "OK"
    for raw, when in messages:
        typ, data = conn.append(name, None, when, raw)
        assert typ == "OK", data
    typ, _ = conn.select(name)
    assert typ == "OK"
    return name


def numbers(data):
    return [int(n) for n in (data[0] or b"").split()]


def mail(headers, body):
    return ("\r\n".join(headers) + "\r\n\r\n" + body).encode()


# Four messages whose every sort key orders them differently.
SORT_MESSAGES = [
    (mail(["From: \"Zed\" <zed@example.org>", "To: amy@example.org", "Cc: carol@example.org",
           "Subject: Re: banana", "Date: Mon, 3 Jan 2022 10:00:00 +0000"], "b" * 200),
     '"05-Jan-2022 12:00:00 +0000"'),
    (mail(["From: alice@example.org", "To: Bob <bob@example.org>", "Subject: apple",
           "Date: Sat, 1 Jan 2022 10:00:00 +0000"], "a" * 800),
     '"03-Jan-2022 12:00:00 +0000"'),
    (mail(["From: Bob@example.org", "To: ann@example.org", "Subject: [list] Cherry",
           "Date: Sun, 2 Jan 2022 02:00:00 -0800"], "c" * 10),
     '"01-Jan-2022 12:00:00 +0000"'),
    # No Date: the internal date (the earliest) is the sent date.
    (mail(["From: mike@example.org", "To: zoe@example.org", "Cc: bill@example.org",
           "Subject: =?UTF-8?B?" + base64.b64encode("Fwd: apple".encode()).decode() + "?="],
          "d" * 400),
     '"31-Dec-2021 12:00:00 +0000"'),
]

THREAD_MESSAGES = [
    (mail(["Message-ID: <t1@example.org>", "Subject: party",
           "Date: Sat, 1 Jan 2022 00:00:00 +0000"], "1"), None),
    (mail(["Message-ID: <t2@example.org>", "In-Reply-To: <t1@example.org>",
           "Subject: Re: party", "Date: Sun, 2 Jan 2022 00:00:00 +0000"], "2"), None),
    (mail(["Message-ID: <t3@example.org>", "References: <t1@example.org>\r\n <t2@example.org>",
           "Subject: Re: party", "Date: Mon, 3 Jan 2022 00:00:00 +0000"], "3"), None),
    (mail(["Message-ID: <t4@example.org>", "References: <t1@example.org>",
           "Subject: Re: party", "Date: Tue, 4 Jan 2022 00:00:00 +0000"], "4"), None),
    (mail(["Message-ID: <t5@example.org>", "Subject: lunch",
           "Date: Sat, 1 Jan 2022 05:00:00 +0000"], "5"), None),
    # The parent is not in the mailbox; the subject joins it to "lunch".
    (mail(["Message-ID: <t6@example.org>", "References: <gone@example.org>",
           "Subject: Re: lunch", "Date: Wed, 5 Jan 2022 00:00:00 +0000"], "6"), None),
    (mail(["Message-ID: <t7@example.org>", "Subject: other",
           "Date: Thu, 6 Jan 2022 00:00:00 +0000"], "7"), None),
]

ATTACHMENT = bytes(range(256)) * 4 + b"\x00tail\x00"


def binary_message():
    encoded = base64.encodebytes(ATTACHMENT).decode().replace("\n", "\r\n")
    return (
        "From: sender@example.org\r\nSubject: binary\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=XX\r\n\r\n"
        "--XX\r\nContent-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe=\r\n!\r\n"
        "--XX\r\nContent-Type: application/octet-stream\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" + encoded +
        "--XX\r\nContent-Type: application/octet-stream\r\n"
        "Content-Transfer-Encoding: x-strange\r\n\r\nwhatever\r\n"
        "--XX--\r\n").encode()


def fetch_item(data, name):
    """The bytes of one literal item from imaplib's FETCH data."""
    for part in data:
        if isinstance(part, tuple) and name.encode() in part[0]:
            return part[0], part[1]
    raise AssertionError(f"{name} not in {data!r}")


class Lines:
    """Reads CRLF lines from a socket, through a DEFLATE decompressor once
    compression is on; sends through a compressor likewise."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.inflater = None
        self.deflater = None

    def compress(self):
        assert self.buf == b"", "server sent data after the COMPRESS OK"
        self.deflater = zlib.compressobj(wbits=-15)
        self.inflater = zlib.decompressobj(wbits=-15)

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        if self.deflater:
            data = self.deflater.compress(data) + self.deflater.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed; unparsed {self.buf[:200]!r}")
            self.buf += self.inflater.decompress(chunk) if self.inflater else chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def until(self, tag):
        """Every line up to and including the one starting with `tag`."""
        lines = []
        while True:
            lines.append(self.line())
            if lines[-1].startswith(tag):
                return lines


class ImapExtTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(listeners=LISTENERS,
                                  config={"auth": {"plaintext_on_loopback": True}})
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def capabilities(self, conn):
        typ, caps = conn.capability()
        self.assertEqual(typ, "OK")
        return caps[0].decode().split()

    # ---- SORT ----------------------------------------------------------

    def test_capabilities_advertised(self):
        conn = login(self.server)
        caps = self.capabilities(conn)
        for cap in ("SORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "BINARY",
                    "COMPRESS=DEFLATE"):
            self.assertIn(cap, caps)
        conn.logout()

    def test_sort_by_every_key(self):
        conn = login(self.server)
        fresh_mailbox(conn, SORT_MESSAGES)
        expected = {
            "(ARRIVAL)": [4, 3, 2, 1],
            "(DATE)": [4, 2, 3, 1],
            "(SUBJECT)": [2, 4, 1, 3],
            "(SUBJECT DATE)": [4, 2, 1, 3],
            "(FROM)": [2, 3, 4, 1],
            "(TO)": [1, 3, 2, 4],
            "(CC)": [2, 3, 4, 1],
            "(SIZE)": [3, 1, 4, 2],
            "(REVERSE SIZE)": [2, 4, 1, 3],
            "(REVERSE DATE)": [1, 3, 2, 4],
            "(REVERSE ARRIVAL)": [1, 2, 3, 4],
            "(REVERSE SUBJECT)": [3, 1, 2, 4],
            "(REVERSE SUBJECT REVERSE DATE)": [3, 1, 2, 4],
            "(REVERSE FROM)": [1, 4, 3, 2],
            "(REVERSE TO)": [4, 2, 3, 1],
            "(REVERSE CC)": [1, 4, 2, 3],
        }
        for program, order in expected.items():
            typ, data = conn.sort(program, "UTF-8", "ALL")
            self.assertEqual(typ, "OK")
            self.assertEqual(numbers(data), order, program)
        conn.logout()

    def test_sort_with_search_criteria_and_uids(self):
        conn = login(self.server)
        fresh_mailbox(conn, SORT_MESSAGES)
        typ, data = conn.sort("(DATE)", "US-ASCII", "FROM", "bob")
        self.assertEqual((typ, numbers(data)), ("OK", [3]))
        typ, data = conn.sort("(SIZE)", "UTF-8", "NOT", "FROM", "bob")
        self.assertEqual(numbers(data), [1, 4, 2])
        typ, data = conn.sort("(SIZE)", "UTF-8", "TEXT", "no-such-text")
        self.assertEqual((typ, numbers(data)), ("OK", []))
        typ, data = conn.fetch("1:4", "(UID)")
        uids = [int(re.search(rb"UID (\d+)", d).group(1)) for d in data]
        typ, data = conn.uid("SORT", "(SIZE)", "UTF-8", "ALL")
        self.assertEqual(numbers(data), [uids[2], uids[0], uids[3], uids[1]])
        conn.logout()

    def test_sort_errors(self):
        conn = login(self.server)
        fresh_mailbox(conn, SORT_MESSAGES)
        typ, data = conn.sort("(DATE)", "KOI8-R", "ALL")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[BADCHARSET", data[0])
        for program in ("(COLOR)", "(REVERSE)", "()"):
            with self.assertRaises(imaplib.IMAP4.error):
                conn.sort(program, "UTF-8", "ALL")
        with self.assertRaises(imaplib.IMAP4.error):
            conn.sort("(DATE)", "UTF-8", "NOSUCHKEY")
        conn.logout()

    # ---- THREAD --------------------------------------------------------

    def test_thread_both_algorithms(self):
        conn = login(self.server)
        fresh_mailbox(conn, THREAD_MESSAGES)
        typ, data = conn.thread("REFERENCES", "UTF-8", "ALL")
        self.assertEqual((typ, data), ("OK", [b"(1 (2 3)(4))(5 6)(7)"]))
        typ, data = conn.thread("ORDEREDSUBJECT", "UTF-8", "ALL")
        self.assertEqual((typ, data), ("OK", [b"(1 (2)(3)(4))(5 6)(7)"]))
        # Message 1 not searched: its replies stay one thread under a dummy
        # parent, as in RFC 5256's "((3)(5))" example.
        typ, data = conn.thread("REFERENCES", "UTF-8", "2:4")
        self.assertEqual(data, [b"((2 3)(4))"])
        typ, data = conn.thread("REFERENCES", "UTF-8", "TEXT", "no-such-text")
        self.assertEqual(typ, "OK")
        self.assertIn(data, ([None], [b""]))
        typ, data = conn.fetch("1:7", "(UID)")
        uids = [re.search(rb"UID (\d+)", d).group(1).decode() for d in data]
        typ, data = conn.uid("THREAD", "REFERENCES", "UTF-8", "ALL")
        expected = "({} ({} {})({}))({} {})({})".format(*uids)
        self.assertEqual(data, [expected.encode()])
        with self.assertRaises(imaplib.IMAP4.error):
            conn.thread("NOSUCHALGORITHM", "UTF-8", "ALL")
        conn.logout()

    # ---- BINARY --------------------------------------------------------

    def test_fetch_binary_decodes_parts(self):
        conn = login(self.server)
        fresh_mailbox(conn, [(binary_message(), None)])
        typ, data = conn.fetch("1", "(BINARY.PEEK[2])")
        self.assertEqual(typ, "OK")
        head, body = fetch_item(data, "BINARY[2]")
        self.assertEqual(body, ATTACHMENT)
        self.assertIn(b"~{", head)  # NUL inside: literal8
        typ, data = conn.fetch("1", "(BINARY.PEEK[1])")
        head, body = fetch_item(data, "BINARY[1]")
        self.assertEqual(body, "Grüße!".encode())  # the CRLF before "--XX" is the boundary's
        self.assertNotIn(b"~{", head)  # no NUL: an ordinary literal
        typ, data = conn.fetch("1", "(BINARY.SIZE[1] BINARY.SIZE[2])")
        self.assertIn(f"BINARY.SIZE[2] {len(ATTACHMENT)}".encode(), data[0])
        self.assertIn(f"BINARY.SIZE[1] {len('Grüße!'.encode())}".encode(), data[0])
        typ, data = conn.fetch("1", "(BINARY.PEEK[2]<1000.30>)")
        head, body = fetch_item(data, "BINARY[2]<1000>")
        self.assertEqual(body, ATTACHMENT[1000:1030])
        typ, data = conn.fetch("1", "(FLAGS)")
        self.assertNotIn(b"\\Seen", data[0])  # .PEEK and .SIZE leave \Seen alone
        typ, data = conn.fetch("1", "(BINARY[2])")
        self.assertIn(b"\\Seen", b" ".join(p[0] if isinstance(p, tuple) else p for p in data))
        for item in ("(BINARY.PEEK[3])", "(BINARY.SIZE[3])"):
            typ, data = conn.fetch("1", item)
            self.assertEqual(typ, "NO")
            self.assertIn(b"[UNKNOWN-CTE]", data[-1])
        with self.assertRaises(imaplib.IMAP4.error):
            conn.fetch("1", "(BINARY[1.TEXT])")
        conn.logout()

    def test_append_literal8_with_nul(self):
        conn = login(self.server)
        name = fresh_mailbox(conn, [])
        conn.logout()
        payload = b"Subject: nul\r\nContent-Transfer-Encoding: binary\r\n\r\nab\x00cd\x00\r\n"
        sock = socket.create_connection((HOST, self.server.port("imaps")), timeout=IO_TIMEOUT)
        lines = Lines(unverified_context().wrap_socket(sock))
        lines.line()
        lines.send(f"a LOGIN {USER} {DEFAULT_PASSWORD}\r\n")
        self.assertTrue(lines.until(b"a ")[-1].startswith(b"a OK"))
        # A NUL in an ordinary literal is refused (RFC 9051 4.3)...
        lines.send(f"b APPEND {name} {{{len(payload)}+}}\r\n".encode() + payload + b"\r\n")
        self.assertTrue(lines.until(b"b ")[-1].startswith(b"b BAD"))
        # ...in a literal8, synchronizing or not, it is fine (RFC 3516 4.4).
        lines.send(f"c APPEND {name} ~{{{len(payload)}}}\r\n")
        self.assertTrue(lines.line().startswith(b"+"))
        lines.send(payload + b"\r\n")
        self.assertTrue(lines.until(b"c ")[-1].startswith(b"c OK [APPENDUID"))
        lines.send(f"d APPEND {name} ~{{{len(payload)}+}}\r\n".encode() + payload + b"\r\n")
        self.assertTrue(lines.until(b"d ")[-1].startswith(b"d OK [APPENDUID"))
        lines.send("e LOGOUT\r\n")
        lines.until(b"e ")
        conn = login(self.server)
        conn.select(name)
        typ, data = conn.fetch("1:2", "(BINARY.PEEK[1] RFC822.SIZE)")
        self.assertEqual(typ, "OK")
        bodies = [p[1] for p in data if isinstance(p, tuple)]
        self.assertEqual(bodies, [b"ab\x00cd\x00\r\n"] * 2)
        self.assertIn(f"RFC822.SIZE {len(payload)}".encode(), data[0][0])
        conn.logout()

    # ---- COMPRESS ------------------------------------------------------

    def compressed_session(self, lines):
        """LOGIN, COMPRESS, then a full session through DEFLATE."""
        self.assertTrue(lines.line().startswith(b"* OK"))
        lines.send(f"a LOGIN {USER} {DEFAULT_PASSWORD}\r\n")
        self.assertTrue(lines.until(b"a ")[-1].startswith(b"a OK"))
        lines.send("b COMPRESS DEFLATE\r\n")
        self.assertEqual(lines.until(b"b "), [b"b OK DEFLATE active"])
        lines.compress()

        lines.send("c COMPRESS DEFLATE\r\n")
        self.assertTrue(lines.until(b"c ")[-1].startswith(b"c NO [COMPRESSIONACTIVE]"))
        marker = unique("deflate")
        with self.server.smtp() as s:
            s.sendmail("sender@remote.example", [USER],
                       f"Subject: {marker}\r\n\r\nbody\r\n".encode())
        lines.send("d SELECT INBOX\r\n")
        reply = lines.until(b"d ")
        self.assertTrue(reply[-1].startswith(b"d OK"))
        exists = int(next(l for l in reply if l.endswith(b" EXISTS")).split()[1])
        lines.send(f'e SEARCH SUBJECT "{marker}"\r\n')
        reply = lines.until(b"e ")
        self.assertEqual(reply[0], f"* SEARCH {exists}".encode())
        lines.send(f"f FETCH {exists} (BODY.PEEK[HEADER.FIELDS (SUBJECT)])\r\n")
        reply = lines.until(b"f ")
        self.assertTrue(reply[-1].startswith(b"f OK"))
        self.assertIn(f"Subject: {marker}".encode(), b"\n".join(reply))

        # A large APPEND and FETCH cross many compressed packets both ways.
        big = ("Subject: big\r\n\r\n" + "".join(
            f"line {i} {unique()}\r\n" for i in range(20000))).encode()
        lines.send(f"g APPEND INBOX {{{len(big)}+}}\r\n".encode() + big + b"\r\n")
        self.assertTrue(lines.until(b"g ")[-1].startswith(b"g OK"))
        lines.send(f"h FETCH {exists + 1} (RFC822.SIZE BODY.PEEK[])\r\n")
        reply = lines.until(b"h ")
        self.assertTrue(reply[-1].startswith(b"h OK"), reply[-1])
        self.assertIn(f"RFC822.SIZE {len(big)}".encode(), reply[0])
        self.assertIn(b"line 19999 ", b"\n".join(reply))

        # A compressed zip bomb: 16 MiB of one byte without a line end is
        # cut off by the command line limit, and the session goes on.
        lines.send(b"i NOOP " + b"x" * (16 << 20) + b"\r\n")
        self.assertIn(b"too long", lines.line())
        lines.send("j NOOP\r\n")
        self.assertTrue(lines.until(b"j ")[-1].startswith(b"j OK"))

        lines.send("k IDLE\r\n")
        self.assertTrue(lines.line().startswith(b"+"))
        with self.server.smtp() as s:
            s.sendmail("sender@remote.example", [USER], b"Subject: wake up\r\n\r\nidle\r\n")
        line = lines.line()
        while not line.endswith(b"EXISTS"):
            line = lines.line()
        self.assertRegex(line, rb"^\* \d+ EXISTS$")
        lines.send("DONE\r\n")
        self.assertTrue(lines.until(b"k ")[-1].startswith(b"k OK"))
        lines.send("l LOGOUT\r\n")
        self.assertTrue(lines.until(b"l ")[-1].startswith(b"l OK"))

    def test_compress_plain(self):
        sock = socket.create_connection((HOST, self.server.port("imap")), timeout=IO_TIMEOUT)
        try:
            self.compressed_session(Lines(sock))
        finally:
            sock.close()

    def test_compress_over_tls(self):
        sock = socket.create_connection((HOST, self.server.port("imaps")), timeout=IO_TIMEOUT)
        tls = unverified_context().wrap_socket(sock)
        try:
            self.compressed_session(Lines(tls))
        finally:
            tls.close()

    def test_compress_needs_login_and_deflate(self):
        sock = socket.create_connection((HOST, self.server.port("imap")), timeout=IO_TIMEOUT)
        lines = Lines(sock)
        try:
            greeting = lines.line()
            self.assertNotIn(b"COMPRESS", greeting)  # not before login
            lines.send("a COMPRESS DEFLATE\r\n")
            self.assertTrue(lines.until(b"a ")[-1].startswith(b"a BAD"))
            lines.send(f"b LOGIN {USER} {DEFAULT_PASSWORD}\r\n")
            lines.until(b"b ")
            lines.send("c COMPRESS GZIP\r\n")
            self.assertTrue(lines.until(b"c ")[-1].startswith(b"c BAD"))
            lines.send("d NOOP\r\n")  # still uncompressed
            self.assertTrue(lines.until(b"d ")[-1].startswith(b"d OK"))
        finally:
            sock.close()

    def test_corrupt_compressed_input_closes(self):
        sock = socket.create_connection((HOST, self.server.port("imap")), timeout=IO_TIMEOUT)
        lines = Lines(sock)
        try:
            lines.line()
            lines.send(f"a LOGIN {USER} {DEFAULT_PASSWORD}\r\n")
            lines.until(b"a ")
            lines.send("b COMPRESS DEFLATE\r\n")
            lines.until(b"b ")
            lines.compress()
            sock.sendall(b"\xff" * 64)  # not DEFLATE
            with self.assertRaises((ConnectionError, OSError)):
                lines.line()
        finally:
            sock.close()


if __name__ == "__main__":
    unittest.main()
