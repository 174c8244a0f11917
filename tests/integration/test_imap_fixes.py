"""IMAP correctness rules against the real server, each checked where it
used to go wrong: BINARY of a text part with CRLF line ends and a
BINARY.SIZE that agrees (RFC 3516 6); no NUL in a BODY[] literal (RFC 9051
4.3.1); a FETCH BINARY refused with [UNKNOWN-CTE] leaving \\Seen alone; the
QRESYNC sequence match data narrowing VANISHED (EARLIER) (RFC 7162
3.2.5.2); and INTERNALDATE keeping the zone APPEND gave it, with SEARCH
BEFORE/ON/SINCE by the date in that zone (RFC 9051 2.3.3, 6.4.4). imaplib
drives what it can; literal8 goes over a raw socket."""

import base64
import imaplib
import re
import socket
import unittest

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase, unique,
                     unverified_context)

from test_imap_condstore import run as run3
from test_imap_ext import Lines, login
from test_imap_ext import fetch_item as literal_of

USER = "demo@example.test"


def run(conn, name, *args):
    """Sends one command; returns (status, untagged responses by name)."""
    typ, _, untagged = run3(conn, name, *args)
    return typ, untagged


def new_mailbox(conn, messages):
    """A fresh mailbox with `messages` ((bytes, date-time or None) pairs); returns
    (name, [uids])."""
    name = unique("fix")
    typ, _ = conn.create(name)
    assert typ == "OK"
    uids = []
    for raw, when in messages:
        typ, data = conn.append(name, None, when, raw)
        assert typ == "OK", data
        uids.append(int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)))
    return name, uids


def raw_client(server):
    """A logged-in CRLF line client over TLS, for what imaplib cannot send (literal8)."""
    sock = socket.create_connection((HOST, server.port("imaps")), timeout=IO_TIMEOUT)
    lines = Lines(unverified_context().wrap_socket(sock))
    lines.line()
    lines.send(f"a LOGIN {USER} {DEFAULT_PASSWORD}\r\n")
    assert lines.until(b"a ")[-1].startswith(b"a OK")
    return lines


class ImapFixesTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(listeners=("smtp", "imaps"))
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    # ---- BINARY of text parts (RFC 3516 6) -------------------------------

    def test_binary_text_part_has_crlf_line_ends(self):
        text = b"one\ntwo\rthree\r\nfour\n"  # bare LF, bare CR, CRLF
        octets = b"\x01\n\x02\r\x03"  # not text: left as they are
        raw = ("Subject: line ends\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
               "--B\r\nContent-Type: text/plain; charset=us-ascii\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n"
               + base64.b64encode(text).decode() + "\r\n"
               "--B\r\nContent-Type: application/octet-stream\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n"
               + base64.b64encode(octets).decode() + "\r\n--B--\r\n").encode()
        conn = login(self.server)
        name, _ = new_mailbox(conn, [(raw, None)])
        conn.select(name)
        want = b"one\r\ntwo\r\nthree\r\nfour\r\n"
        typ, data = conn.fetch("1", "(BINARY.PEEK[1] BINARY.SIZE[1])")
        self.assertEqual(typ, "OK")
        head, body = literal_of(data, "BINARY[1]")
        self.assertEqual(body, want)
        # BINARY.SIZE is the size of what BINARY returns (RFC 3516 4.3).
        typ, data = conn.fetch("1", "(BINARY.SIZE[1])")
        self.assertIn(f"BINARY.SIZE[1] {len(want)}".encode(), data[0])
        # Partial offsets count in the converted data.
        typ, data = conn.fetch("1", "(BINARY.PEEK[1]<3.2>)")
        self.assertEqual(literal_of(data, "BINARY[1]<3>")[1], b"\r\n")
        typ, data = conn.fetch("1", "(BINARY.PEEK[2] BINARY.SIZE[2])")
        self.assertEqual(literal_of(data, "BINARY[2]")[1], octets)
        typ, data = conn.fetch("1", "(BINARY.SIZE[2])")
        self.assertIn(f"BINARY.SIZE[2] {len(octets)}".encode(), data[0])
        conn.logout()

    # ---- NUL never in a literal (RFC 9051 4.3.1) -------------------------

    def test_body_of_a_message_with_nul_has_no_nul(self):
        conn = login(self.server)
        name, _ = new_mailbox(conn, [])
        conn.logout()
        payload = (b"Subject: nul\r\nContent-Transfer-Encoding: binary\r\n\r\n"
                   b"ab\x00cd\x00\r\n")
        raw = raw_client(self.server)
        raw.send(f"b APPEND {name} ~{{{len(payload)}+}}\r\n".encode() + payload + b"\r\n")
        self.assertTrue(raw.until(b"b ")[-1].startswith(b"b OK [APPENDUID"))
        raw.send(f"c SELECT {name}\r\n")
        raw.until(b"c ")
        # A literal, never a literal8, for BODY[]: each NUL as another octet,
        # so the octet count still equals RFC822.SIZE.
        raw.send("d FETCH 1 (RFC822.SIZE BODY.PEEK[])\r\n")
        head = raw.line()
        m = re.match(rb"\* 1 FETCH \(RFC822\.SIZE (\d+) BODY\[\] \{(\d+)\}$", head)
        self.assertIsNotNone(m, head)
        self.assertEqual(int(m.group(1)), len(payload))
        self.assertEqual(int(m.group(2)), len(payload))
        while len(raw.buf) < len(payload):
            raw.buf += raw.sock.recv(65536)  # no compression on this connection
        body, raw.buf = raw.buf[:len(payload)], raw.buf[len(payload):]
        self.assertNotIn(b"\x00", body)
        self.assertEqual(body, payload.replace(b"\x00", b"\x80"))
        self.assertTrue(raw.until(b"d ")[-1].startswith(b"d OK"))
        raw.send("e FETCH 1 (BODY.PEEK[TEXT])\r\n")
        self.assertIn(b"BODY[TEXT] {8}", raw.line())
        self.assertTrue(raw.until(b"e ")[-1].startswith(b"e OK"))
        # BINARY[] may carry the NUL, in a literal8 (RFC 3516 4.3).
        raw.send("f FETCH 1 (BINARY.PEEK[])\r\n")
        self.assertIn(f"BINARY[] ~{{{len(payload)}}}".encode(), raw.line())
        raw.until(b"f ")
        raw.send("z LOGOUT\r\n")
        raw.until(b"z ")
        raw.sock.close()

    # ---- [UNKNOWN-CTE] before \Seen (RFC 3516 4.3) ------------------------

    def test_unknown_cte_does_not_set_seen(self):
        raw = ("Subject: strange\r\nMIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
               "--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
               "--B\r\nContent-Type: application/octet-stream\r\n"
               "Content-Transfer-Encoding: x-strange\r\n\r\nwhatever\r\n--B--\r\n").encode()
        conn = login(self.server)
        name, _ = new_mailbox(conn, [(raw, None), (raw, None)])
        conn.select(name)
        typ, data = conn.fetch("1:2", "(BINARY[2])")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[UNKNOWN-CTE]", data[-1])
        typ, data = conn.fetch("1:2", "(FLAGS)")
        self.assertEqual(typ, "OK")
        for line in data:
            self.assertNotIn(b"\\Seen", line)
        # The decodable part still works, and does set \Seen.
        typ, data = conn.fetch("1", "(BINARY[1])")
        self.assertEqual(typ, "OK")
        typ, data = conn.fetch("1", "(FLAGS)")
        self.assertIn(b"\\Seen", data[0])
        conn.logout()

    # ---- QRESYNC seq-match-data (RFC 7162 3.2.5.2) ------------------------

    def test_seq_match_data_narrows_vanished(self):
        conn = login(self.server)
        name, u = new_mailbox(conn, [(f"Subject: {i}\r\n\r\n{i}\r\n".encode(), None)
                                     for i in range(5)])
        run(conn, "ENABLE", "QRESYNC")
        typ, untagged = run(conn, "SELECT", name)
        conn.state = "SELECTED"
        uidvalidity = int(untagged["UIDVALIDITY"][0])
        modseq = int(untagged["HIGHESTMODSEQ"][0])
        conn.uid("STORE", f"{u[1]},{u[3]}", "+FLAGS", r"(\Deleted)")
        conn.expunge()  # this client saw both expunges
        run(conn, "UNSELECT")
        conn.state = "AUTH"

        def vanished(params):
            typ, untagged = run(conn, "SELECT", name, params)
            self.assertEqual(typ, "OK")
            conn.state = "SELECTED"  # imaplib tracks state only for its own select()
            run(conn, "UNSELECT")
            conn.state = "AUTH"
            return untagged.get("VANISHED")

        base = f"{uidvalidity} {modseq} {u[0]}:{u[4]}"
        self.assertEqual(vanished(f"(QRESYNC ({base}))"), [f"(EARLIER) {u[1]},{u[3]}"])
        # Messages 1:3 are u0, u2, u4 now, as the client says: it knows
        # every expunge up to u4, so nothing is reported.
        self.assertIsNone(vanished(f"(QRESYNC ({base} (1:3 {u[0]},{u[2]},{u[4]})))"))
        # Message 2 is u2, not u1: the client knows only up to u0.
        self.assertEqual(vanished(f"(QRESYNC ({base} (1,2 {u[0]},{u[1]})))"),
                         [f"(EARLIER) {u[1]},{u[3]}"])
        # Up to message 2 (u2) matches; message 3 does not: from u3 on.
        self.assertEqual(vanished(f"(QRESYNC ({base} (1,2,3 {u[0]},{u[2]},{u[3]})))"),
                         [f"(EARLIER) {u[3]}"])
        # Sets of different sizes, or out of order, are a syntax error.
        for bad in (f"(1:2 {u[0]})", f"(2,1 {u[0]},{u[2]})"):
            with self.assertRaises(imaplib.IMAP4.error):
                run(conn, "SELECT", name, f"(QRESYNC ({base} {bad}))")
        conn.logout()

    # ---- IDLE (RFC 9051 6.3.13) -------------------------------------------

    def test_idle_line_without_an_end_closes_the_session(self):
        raw = raw_client(self.server)
        raw.send("b SELECT INBOX\r\n")
        raw.until(b"b ")
        raw.send("c IDLE\r\n")
        self.assertTrue(raw.line().startswith(b"+"))
        # Past the bound with no line end: its rest could only be misread as
        # a command, so the session ends.
        raw.send(b"x" * 2000)
        self.assertEqual(raw.until(b"c "), [b"c BAD Expected DONE"])
        self.assertTrue(raw.line().startswith(b"* BYE"))
        raw.sock.settimeout(IO_TIMEOUT)
        self.assertEqual(raw.sock.recv(100), b"")
        raw.sock.close()

    # ---- INTERNALDATE zone (RFC 9051 2.3.3, 6.3.12, 6.4.4) ----------------

    def test_internaldate_keeps_the_zone_given(self):
        conn = login(self.server)
        dates = ["01-Jan-2020 10:00:00 +0200", "15-Jun-2021 23:30:00 -0530",
                 "01-Jan-2020 00:30:00 +0200", " 2-Feb-2022 08:00:00 +0000"]
        name, uids = new_mailbox(conn, [(f"Subject: {i}\r\n\r\nx\r\n".encode(), f'"{d}"')
                                        for i, d in enumerate(dates)])
        conn.select(name)
        typ, data = conn.fetch("1:4", "(INTERNALDATE)")
        self.assertEqual(typ, "OK")
        got = [re.search(rb'INTERNALDATE "([^"]+)"', d).group(1).decode() for d in data]
        self.assertEqual(got, ["01-Jan-2020 10:00:00 +0200", "15-Jun-2021 23:30:00 -0530",
                               "01-Jan-2020 00:30:00 +0200", "02-Feb-2022 08:00:00 +0000"])
        # A copy keeps it (RFC 9051 6.4.7).
        other = unique("copy")
        conn.create(other)
        self.assertEqual(conn.copy("2", other)[0], "OK")
        conn.select(other)
        typ, data = conn.fetch("1", "(INTERNALDATE)")
        self.assertIn(b'"15-Jun-2021 23:30:00 -0530"', data[0])
        conn.select(name)
        # The date in its own zone, "disregarding time and timezone": message 3
        # is on 1-Jan-2020 although it was 31-Dec-2019 22:30 in UTC; message 2
        # on 15-Jun-2021 although 16-Jun-2021 05:00 in UTC.
        def search(*criteria):
            typ, data = conn.search(None, *criteria)
            self.assertEqual(typ, "OK")
            return [int(n) for n in data[0].split()]
        self.assertEqual(search("ON", "1-Jan-2020"), [1, 3])
        self.assertEqual(search("BEFORE", "1-Jan-2020"), [])
        self.assertEqual(search("SINCE", "16-Jun-2021"), [4])
        self.assertEqual(search("ON", "15-Jun-2021"), [2])
        self.assertEqual(search("BEFORE", "2-Feb-2022"), [1, 2, 3])
        conn.logout()


if __name__ == "__main__":
    unittest.main()
