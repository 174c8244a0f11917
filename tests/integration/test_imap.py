"""IMAP against the real server with Python's imaplib (a client we did not
write), plus a raw socket where imaplib would hide the bytes: login over
IMAPS and STARTTLS, mailboxes, delivery over SMTP seen in INBOX, FETCH of
bodies and sections, flags, APPEND, COPY/MOVE with UIDPLUS, EXPUNGE, two
sessions staying consistent, IDLE woken by an SMTP delivery, and commands
written one byte at a time."""

import imaplib
import re
import socket
import ssl
import time
import unittest

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase,
                     unique, unverified_context, wait_until)

USER = "demo@example.test"
LISTENERS = ("smtp", "imap", "imaps")


def imaps(server):
    conn = imaplib.IMAP4_SSL(HOST, server.port("imaps"), ssl_context=unverified_context(),
                             timeout=IO_TIMEOUT)
    return conn


def login(server):
    conn = imaps(server)
    typ, _ = conn.login(USER, DEFAULT_PASSWORD)
    assert typ == "OK"
    return conn


def send_mail(server, to=USER, subject="hello", body="Hello there.\r\n", marker=None):
    marker = marker or unique()
    msg = (f"From: Sender <sender@remote.example>\r\nTo: {to}\r\nSubject: {subject} {marker}\r\n"
           f"Message-ID: <{marker}@remote.example>\r\n\r\n{body}")
    with server.smtp() as s:
        s.sendmail("sender@remote.example", [to], msg.encode())
    return marker


class ImapTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(listeners=LISTENERS)
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def test_login_and_special_use_mailboxes(self):
        conn = imaps(self.server)
        typ, caps = conn.capability()
        self.assertEqual(typ, "OK")
        self.assertIn(b"IMAP4rev1", caps[0])
        self.assertIn(b"AUTH=PLAIN", caps[0])
        conn.login(USER, DEFAULT_PASSWORD)
        typ, boxes = conn.list()
        self.assertEqual(typ, "OK")
        listing = b"\n".join(boxes).decode()
        for name, use in [("INBOX", None), ("Drafts", "\\Drafts"), ("Sent", "\\Sent"),
                          ("Trash", "\\Trash"), ("Junk", "\\Junk"), ("Archive", "\\Archive")]:
            line = next((l for l in listing.splitlines() if l.endswith(" " + name)), None)
            self.assertIsNotNone(line, f"{name} missing in {listing}")
            if use:
                self.assertIn(use, line)
        conn.logout()

    def test_wrong_password(self):
        conn = imaps(self.server)
        with self.assertRaises(imaplib.IMAP4.error) as ctx:
            conn.login(USER, "wrong-password")
        self.assertIn("AUTHENTICATIONFAILED", str(ctx.exception))
        conn.logout()

    def test_starttls_required_for_login(self):
        conn = imaplib.IMAP4(HOST, self.server.port("imap"), timeout=IO_TIMEOUT)
        self.assertIn("LOGINDISABLED", conn.capabilities)
        self.assertIn("STARTTLS", conn.capabilities)
        with self.assertRaises(imaplib.IMAP4.error):
            conn.login(USER, DEFAULT_PASSWORD)
        conn.starttls(ssl_context=unverified_context())
        self.assertNotIn("LOGINDISABLED", conn.capabilities)
        typ, _ = conn.login(USER, DEFAULT_PASSWORD)
        self.assertEqual(typ, "OK")
        conn.logout()

    def test_authenticate_plain(self):
        conn = imaps(self.server)
        typ, _ = conn.authenticate("PLAIN", lambda _: f"\0{USER}\0{DEFAULT_PASSWORD}".encode())
        self.assertEqual(typ, "OK")
        conn.logout()

    def test_smtp_delivery_appears_and_fetch(self):
        marker = send_mail(self.server, body="Line one.\r\n.dot line\r\n")
        conn = login(self.server)
        typ, data = conn.select("INBOX")
        self.assertEqual(typ, "OK")
        typ, data = conn.uid("SEARCH", None, "SUBJECT", marker)
        uids = data[0].split()
        self.assertEqual(len(uids), 1, data)
        uid = uids[0]
        typ, data = conn.uid("FETCH", uid, "(FLAGS BODY.PEEK[HEADER.FIELDS (Subject)] RFC822.SIZE)")
        self.assertEqual(typ, "OK")
        meta, header = data[0]
        self.assertNotIn(b"\\Seen", meta)
        self.assertEqual(header, f"Subject: hello {marker}\r\n\r\n".encode())
        typ, data = conn.uid("FETCH", uid, "(BODY[])")
        body = data[0][1]
        self.assertTrue(body.startswith(b"Return-Path: <sender@remote.example>\r\nReceived: "))
        self.assertIn(b"\r\n\r\nLine one.\r\n.dot line\r\n", body)
        size = int(re.search(rb"RFC822\.SIZE (\d+)", meta).group(1))
        self.assertEqual(size, len(body))
        # BODY[] without .PEEK set \Seen (RFC 9051 6.4.5).
        typ, data = conn.uid("FETCH", uid, "(FLAGS)")
        self.assertIn(b"\\Seen", data[0])
        typ, data = conn.uid("FETCH", uid, "(BODY.PEEK[TEXT]<5.4>)")
        self.assertEqual(data[0][1], b"one.")
        conn.logout()

    def test_envelope_bodystructure_and_parts(self):
        conn = login(self.server)
        marker = unique()
        msg = ("From: Ann Example <ann@remote.example>\r\nTo: demo@example.test\r\n"
               f"Subject: =?utf-8?q?caf=C3=A9?= {marker}\r\nMessage-ID: <{marker}@x>\r\n"
               "MIME-Version: 1.0\r\n"
               "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
               "preamble\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
               "first part\r\n--b1\r\nContent-Type: application/octet-stream; name=a.bin\r\n"
               "Content-Transfer-Encoding: base64\r\n"
               "Content-Disposition: attachment; filename=a.bin\r\n\r\n"
               "AAECAw==\r\n--b1--\r\n").encode()
        typ, data = conn.append("INBOX", None, None, msg)
        uid = re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1)
        conn.select("INBOX")
        typ, data = conn.uid("FETCH", uid, "(ENVELOPE BODYSTRUCTURE)")
        self.assertEqual(typ, "OK")
        text = data[0].decode() if isinstance(data[0], bytes) else b"".join(
            x if isinstance(x, bytes) else b"".join(x) for x in data).decode()
        self.assertIn('"Ann Example" NIL "ann" "remote.example"', text)
        self.assertIn(f"<{marker}@x>", text)
        self.assertRegex(text, r'\("text" "plain" \("charset" "utf-8"\) NIL NIL "7bit" 10 0')
        self.assertIn('"application" "octet-stream"', text)
        self.assertIn('"mixed"', text)
        typ, data = conn.uid("FETCH", uid, "(BODY.PEEK[1] BODY.PEEK[2] BODY.PEEK[2.MIME])")
        items = [x for x in data if isinstance(x, tuple)]
        self.assertEqual(items[0][1], b"first part")
        self.assertEqual(items[1][1], b"AAECAw==")
        self.assertIn(b"Content-Disposition: attachment", items[2][1])
        typ, data = conn.uid("FETCH", uid, "(BODY.PEEK[3])")
        self.assertEqual([x for x in data if isinstance(x, tuple)][0][1], b"")
        conn.logout()

    def test_append_store_search_expunge(self):
        conn = login(self.server)
        marker = unique()
        msg = f"Subject: appended {marker}\r\n\r\nbody {marker}\r\n".encode()
        typ, data = conn.append("Drafts", "(\\Draft $Custom)", '"01-Feb-2024 10:00:00 +0100"', msg)
        self.assertEqual(typ, "OK")
        m = re.search(rb"APPENDUID (\d+) (\d+)", data[0])
        self.assertIsNotNone(m, data)
        uid = m.group(2)
        conn.select("Drafts")
        typ, data = conn.uid("FETCH", uid, "(FLAGS INTERNALDATE BODY.PEEK[])")
        meta, body = data[0]
        self.assertEqual(body, msg)
        self.assertIn(b"\\Draft", meta)
        self.assertIn(b"$Custom", meta)
        self.assertIn(b'"01-Feb-2024 10:00:00 +0100"', meta)  # the zone as given (RFC 9051 2.3.3)
        typ, data = conn.uid("SEARCH", None, "BODY", marker.upper())
        self.assertEqual(data[0].split(), [uid])
        typ, data = conn.uid("SEARCH", None, "KEYWORD", "$Custom", "NOT", "SEEN")
        self.assertIn(uid, data[0].split())
        typ, data = conn.uid("STORE", uid, "+FLAGS", "(\\Deleted)")
        self.assertEqual(typ, "OK")
        self.assertIn(b"\\Deleted", data[0])
        typ, data = conn.expunge()
        self.assertEqual(typ, "OK")
        self.assertTrue(data and data[0] is not None, "an EXPUNGE response was expected")
        typ, data = conn.uid("SEARCH", None, "ALL")
        self.assertNotIn(uid, data[0].split())
        conn.logout()

    def test_copy_and_move_report_copyuid(self):
        conn = login(self.server)
        conn.create("Projects/Copper")
        marker = unique()
        conn.append("Projects/Copper", None, None, f"Subject: {marker}\r\n\r\nx\r\n".encode())
        conn.select("Projects/Copper")
        typ, data = conn.uid("COPY", "1:*", "Archive")
        self.assertEqual(typ, "OK")
        typ, data = conn.response("COPYUID")  # RFC 4315 response code of the tagged OK
        self.assertRegex(data[0].decode(), r"^\d+ \d+(:\d+)? \d+")
        typ, data = conn.uid("MOVE", "1:*", "Trash")
        self.assertEqual(typ, "OK")
        typ, data = conn.select("Projects/Copper")
        self.assertEqual(data[0], b"0")
        conn.select("Trash")
        typ, data = conn.uid("SEARCH", None, "SUBJECT", marker)
        self.assertEqual(len(data[0].split()), 1)
        typ, data = conn.status("Archive", "(MESSAGES UIDNEXT UIDVALIDITY UNSEEN)")
        self.assertRegex(data[0].decode(), r"MESSAGES \d+ UIDNEXT \d+ UIDVALIDITY \d+ UNSEEN \d+")
        conn.logout()

    def test_mailbox_management(self):
        conn = login(self.server)
        name = "Folder-" + unique()
        self.assertEqual(conn.create(name)[0], "OK")
        self.assertEqual(conn.create(name)[0], "NO")  # ALREADYEXISTS
        self.assertEqual(conn.rename(name, name + "-renamed")[0], "OK")
        typ, data = conn.list('""', name + "*")
        self.assertIn((name + "-renamed").encode(), b"".join(data))
        self.assertEqual(conn.subscribe(name + "-renamed")[0], "OK")
        typ, data = conn.lsub('""', name + "*")
        self.assertIn((name + "-renamed").encode(), b"".join(x for x in data if x))
        self.assertEqual(conn.delete(name + "-renamed")[0], "OK")
        self.assertEqual(conn.delete("INBOX")[0], "NO")
        self.assertEqual(conn.select("No-Such-Box")[0], "NO")
        conn.logout()

    def test_two_sessions_stay_consistent(self):
        a = login(self.server)
        b = login(self.server)
        name = "Shared-" + unique()
        a.create(name)
        typ, data = a.select(name)
        self.assertEqual(data[0], b"0")
        b.append(name, None, None, b"Subject: one\r\n\r\n1\r\n")
        b.append(name, None, None, b"Subject: two\r\n\r\n2\r\n")
        typ, data = a.noop()
        self.assertIn(b"2", a.untagged_responses.get("EXISTS", [b""])[-1:][0] or b"")
        b.select(name)
        b.store("1", "+FLAGS", "(\\Flagged)")
        b.store("1", "+FLAGS", "(\\Deleted)")
        b.expunge()
        a.noop()
        expunges = a.untagged_responses.get("EXPUNGE", [])
        self.assertTrue(expunges, "session A should see the expunge at NOOP")
        typ, data = a.fetch("1", "(BODY.PEEK[HEADER.FIELDS (Subject)])")
        self.assertIn(b"Subject: two", data[0][1])
        a.logout()
        b.logout()

    def test_idle_woken_by_smtp_delivery(self):
        sock = socket.create_connection((HOST, self.server.port("imaps")), timeout=IO_TIMEOUT)
        conn = unverified_context().wrap_socket(sock)
        f = conn.makefile("rb")

        def expect(prefix):
            while True:
                line = f.readline()
                if not line:
                    raise AssertionError("connection closed")
                if line.startswith(prefix):
                    return line

        expect(b"* OK")
        conn.sendall(f"a LOGIN {USER} {DEFAULT_PASSWORD}\r\n".encode())
        expect(b"a OK")
        conn.sendall(b"b SELECT INBOX\r\n")
        expect(b"b OK")
        conn.sendall(b"c IDLE\r\n")
        expect(b"+ ")
        start = time.monotonic()
        send_mail(self.server, subject="idle")
        line = expect(b"* ")
        latency = time.monotonic() - start
        self.assertRegex(line, rb"^\* \d+ EXISTS")
        self.assertLess(latency, 5.0)
        print(f"\nIDLE wake latency including SMTP delivery: {latency * 1000:.0f} ms")
        conn.sendall(b"DONE\r\n")
        expect(b"c OK")
        conn.sendall(b"d LOGOUT\r\n")
        expect(b"* BYE")
        conn.close()

    def test_one_byte_writes_with_literals(self):
        sock = socket.create_connection((HOST, self.server.port("imaps")), timeout=IO_TIMEOUT)
        conn = unverified_context().wrap_socket(sock)
        f = conn.makefile("rb")
        self.assertTrue(f.readline().startswith(b"* OK"))
        message = b"Subject: chaos\r\n\r\nbyte by byte\r\n"

        def dribble(data):
            for i in range(len(data)):
                conn.sendall(data[i:i + 1])

        dribble(f'a LOGIN {{{len(USER)}+}}\r\n{USER} "{DEFAULT_PASSWORD}"\r\n'.encode())
        line = f.readline()
        self.assertTrue(line.startswith(b"a OK"), line)
        dribble(f"b APPEND INBOX {{{len(message)}}}\r\n".encode())
        self.assertTrue(f.readline().startswith(b"+ "))
        dribble(message + b"\r\n")
        line = f.readline()
        self.assertTrue(line.startswith(b"b OK [APPENDUID"), line)
        conn.sendall(b"c LOGOUT\r\n")
        conn.close()

    def test_bad_commands(self):
        sock = socket.create_connection((HOST, self.server.port("imaps")), timeout=IO_TIMEOUT)
        conn = unverified_context().wrap_socket(sock)
        f = conn.makefile("rb")
        f.readline()
        conn.sendall(b"a FROBNICATE\r\n")
        self.assertTrue(f.readline().startswith(b"a BAD"))
        conn.sendall(b"b SELECT INBOX\r\n")
        self.assertTrue(f.readline().startswith(b"b BAD"))  # not authenticated
        conn.sendall(b"c FETCH (1\r\n")
        self.assertTrue(f.readline().startswith(b"c BAD"))
        # One write: the server may hang up before a later write could land.
        conn.sendall(b"".join(f"x{i} NOPE\r\n".encode() for i in range(25)))
        lines = []
        while True:
            try:
                line = f.readline()
            except ssl.SSLEOFError:  # closed without a TLS close_notify
                break
            if not line:
                break
            lines.append(line)
        self.assertTrue(any(l.startswith(b"* BYE") for l in lines), lines[-3:])
        conn.close()


if __name__ == "__main__":
    unittest.main()
