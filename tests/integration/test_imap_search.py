"""IMAP SEARCH through the full-text index, and OBJECTID (RFC 8474), with
Python's imaplib: BODY/TEXT/SUBJECT/FROM with CHARSET UTF-8 and non-ASCII
case-insensitivity (i;unicode-casemap, RFC 5051), bodies in ISO-8859-1,
Windows-1252, base64 and quoted-printable, RFC 2047 subjects, messages
delivered over SMTP and APPENDed, EMAILID/THREADID in FETCH and SEARCH,
MAILBOXID on CREATE/SELECT/STATUS, and a timed body search."""

import imaplib
import re
import socket
import time
import unittest

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase,
                     unique, unverified_context)

USER = "demo@example.test"
LISTENERS = ("smtp", "imaps")


def login(server):
    conn = imaplib.IMAP4_SSL(HOST, server.port("imaps"), ssl_context=unverified_context(),
                             timeout=IO_TIMEOUT)
    conn.login(USER, DEFAULT_PASSWORD)
    return conn


def message(subject, body, *, charset="utf-8", encoding="8bit", sender="a@example.org",
            extra=""):
    head = (f"From: {sender}\r\nTo: {USER}\r\nSubject: {subject}\r\n{extra}"
            f"Content-Type: text/plain; charset={charset}\r\n"
            f"Content-Transfer-Encoding: {encoding}\r\n\r\n")
    return head.encode() + body + b"\r\n"


class ImapSearchTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(listeners=LISTENERS)
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def setUp(self):
        self.conn = login(self.server)
        self.mailbox = "s" + unique()
        typ, data = self.conn.create(self.mailbox)
        self.assertEqual(typ, "OK")
        # RFC 8474 4.1: CREATE answers with the new mailbox's MAILBOXID.
        self.create_id = re.search(rb"\[MAILBOXID \((\w+)\)\]", data[0])
        self.assertIsNotNone(self.create_id, data)

    def tearDown(self):
        self.conn.logout()

    def append(self, raw):
        typ, data = self.conn.append(self.mailbox, None, None, raw)
        self.assertEqual(typ, "OK", data)
        return int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))

    def search(self, *criteria, literal=None):
        """UID SEARCH CHARSET UTF-8; a non-ASCII string goes as the last literal."""
        if literal is not None:
            self.conn.literal = literal.encode()
        typ, data = self.conn.uid("SEARCH", "CHARSET", "UTF-8", *criteria)
        self.assertEqual(typ, "OK", data)
        return [int(x) for x in data[0].split()]

    def select(self):
        typ, data = self.conn.select(self.mailbox)
        self.assertEqual(typ, "OK", data)

    def test_capability_advertises_objectid(self):
        typ, caps = self.conn.capability()
        self.assertIn(b"OBJECTID", caps[0].split())

    def test_non_ascii_case_insensitive(self):
        strasse = self.append(message("Weg", "Die Straße ist lang.".encode()))
        emile = self.append(message("Brief", "Bonjour émile".encode()))
        self.append(message("Other", b"nothing to see"))
        self.select()
        self.assertEqual(self.search("BODY", literal="STRASSE"), [strasse])
        self.assertEqual(self.search("BODY", literal="straße"), [strasse])
        self.assertEqual(self.search("BODY", literal="Émile"), [emile])
        self.assertEqual(self.search("TEXT", literal="ÉMILE"), [emile])
        self.assertEqual(self.search("BODY", '"bonjour"'), [emile])
        self.assertEqual(self.search("BODY", literal="zzzzz"), [])

    def test_charsets_and_transfer_encodings(self):
        latin1 = self.append(message("l1", "Le café crème".encode("iso-8859-1"),
                                     charset="iso-8859-1"))
        cp1252 = self.append(message("w", "Prix: 5 € net".encode("cp1252"),
                                     charset="windows-1252"))
        b64 = self.append(message("b", b"R3LDvMOfZSBhdXMgS8O2bG4=", encoding="base64"))
        qp = self.append(message("q", b"na=C3=AFve r=C3=A9sum=C3=A9",
                                 encoding="quoted-printable"))
        self.select()
        self.assertEqual(self.search("BODY", literal="CAFÉ"), [latin1])
        self.assertEqual(self.search("BODY", literal="5 €"), [cp1252])
        self.assertEqual(self.search("BODY", literal="grüsse aus köln"), [b64])
        self.assertEqual(self.search("BODY", literal="RÉSUMÉ"), [qp])
        # The encoded form is not what a user searches for.
        self.assertEqual(self.search("BODY", '"C3=A9"'), [])

    def test_rfc2047_subject_and_from(self):
        uid = self.append(message("=?utf-8?q?F=C3=BCr_=C3=89lise?= =?iso-8859-1?b?5nRl?=",
                                  b"x", sender="=?iso-8859-1?q?J=F6rg?= <jorg@example.org>"))
        self.append(message("plain", b"x"))
        self.select()
        self.assertEqual(self.search("SUBJECT", literal="für élise"), [uid])
        self.assertEqual(self.search("SUBJECT", literal="ÆTE"), [uid])
        self.assertEqual(self.search("FROM", literal="JÖRG"), [uid])
        self.assertEqual(self.search("FROM", '"jorg@example"'), [uid])
        # Short needles (no trigram) still work, combined with other criteria.
        self.assertEqual(self.search("SUBJECT", '"pl"'), [uid + 1])
        self.assertEqual(self.search("NOT", "SUBJECT", '"pl"'), [uid])
        self.assertEqual(self.search("OR", "SUBJECT", '"plain"', "FROM", '"jorg"'),
                         [uid, uid + 1])

    def test_text_criteria_combined_with_others_in_a_larger_mailbox(self):
        # Few hits in many messages: only the text hits are read for the
        # other criteria (session::candidates); sequence numbers must still
        # be the mailbox's, also after an expunge moved them.
        uids = [self.append(message(f"note {i}" + (" kumquat" if i in (3, 9, 14) else ""),
                                    b"apricot" if i in (9, 14, 15) else b"plain"))
                for i in range(20)]
        self.select()
        self.conn.uid("STORE", f"{uids[0]},{uids[9]}", "+FLAGS.SILENT", r"(\Flagged \Deleted)")
        self.conn.expunge()  # uids[0] goes: every later sequence number drops by one
        self.conn.uid("STORE", str(uids[14]), "+FLAGS.SILENT", r"(\Flagged)")
        self.assertEqual(self.search("SUBJECT", '"kumquat"'), [uids[3], uids[14]])
        self.assertEqual(self.search("SUBJECT", '"kumquat"', "FLAGGED"), [uids[14]])
        self.assertEqual(self.search("SUBJECT", '"kumquat"', "BODY", '"apricot"'), [uids[14]])
        self.assertEqual(self.search("SUBJECT", '"kumquat"', "UNFLAGGED"), [uids[3]])
        typ, data = self.conn.search(None, "SUBJECT", '"kumquat"')
        self.assertEqual((typ, data[0].split()), ("OK", [b"3", b"13"]))
        typ, data = self.conn.search(None, "1:5", "SUBJECT", '"kumquat"')
        self.assertEqual((typ, data[0].split()), ("OK", [b"3"]))

    def test_expunged_message_is_not_found(self):
        uid = self.append(message("gone", b"ephemeral words"))
        self.select()
        self.assertEqual(self.search("BODY", '"ephemeral"'), [uid])
        self.conn.uid("STORE", str(uid), "+FLAGS", r"(\Deleted)")
        self.conn.expunge()
        self.assertEqual(self.search("BODY", '"ephemeral"'), [])

    def test_smtp_delivery_is_indexed(self):
        marker = unique()
        body = f"Grüße {marker}\r\n".encode("iso-8859-1")
        msg = (f"From: x@remote.example\r\nTo: {USER}\r\nSubject: smtp {marker}\r\n"
               "Content-Type: text/plain; charset=iso-8859-1\r\n"
               "Content-Transfer-Encoding: 8bit\r\n\r\n").encode() + body
        with self.server.smtp() as s:
            s.sendmail("x@remote.example", [USER], msg)
        self.conn.select("INBOX")
        hits = self.search("BODY", literal=f"GRÜSSE {marker}")
        self.assertEqual(len(hits), 1)
        typ, data = self.conn.uid("FETCH", str(hits[0]), "(ENVELOPE)")
        self.assertIn(f"smtp {marker}".encode(), data[0])

    def test_fetch_structure_and_objectids(self):
        root = self.append(message("root", b"first", extra="Message-ID: <r1@example.org>\r\n"))
        reply = self.append(message("re", b"second",
                                    extra="In-Reply-To: <r1@example.org>\r\n"))
        alone = self.append(message("alone", b"third"))
        self.select()
        mailbox_id = self.conn.response("MAILBOXID")[1]
        self.assertEqual(mailbox_id, [b"(" + self.create_id.group(1) + b")"])
        typ, data = self.conn.status(self.mailbox, "(MAILBOXID)")
        self.assertIn(b"MAILBOXID (" + self.create_id.group(1) + b")", data[0])

        typ, data = self.conn.uid("FETCH", "1:*", "(EMAILID THREADID BODYSTRUCTURE ENVELOPE)")
        self.assertEqual(typ, "OK")
        ids = {}
        for item in data:
            line = item if isinstance(item, bytes) else item[0]
            m = re.search(rb"UID (\d+).*EMAILID \((\w+)\) THREADID \((\w+)\)", line)
            if m:
                ids[int(m.group(1))] = (m.group(2).decode(), m.group(3).decode())
                self.assertIn(b'BODYSTRUCTURE ("text" "plain"', line)
        self.assertEqual(set(ids), {root, reply, alone})
        self.assertEqual(ids[root][1], ids[reply][1])
        self.assertNotEqual(ids[root][1], ids[alone][1])
        self.assertEqual(len({ids[u][0] for u in ids}), 3)

        self.assertEqual(self.search("EMAILID", ids[alone][0]), [alone])
        self.assertEqual(self.search("THREADID", ids[root][1]), [root, reply])
        self.assertEqual(self.search("THREADID", "Tnonsense"), [])

        # RFC 8474 5.1: a copy keeps its EMAILID.
        other = "c" + unique()
        self.conn.create(other)
        self.conn.uid("COPY", str(reply), other)
        self.conn.select(other)
        typ, data = self.conn.fetch("1", "(EMAILID THREADID)")
        self.assertIn(f"EMAILID ({ids[reply][0]}) THREADID ({ids[reply][1]})".encode(), data[0])

    def test_body_search_timing(self):
        """5,000 messages loaded with pipelined LITERAL+ APPENDs over a raw
        socket (imaplib waits a round trip per APPEND), then one timed
        UID SEARCH BODY through imaplib. The time is printed, not asserted."""
        count = 5000
        start = time.monotonic()
        raw = RawImap(self.server)
        raw.command(f"LOGIN {USER} {DEFAULT_PASSWORD}")
        commands = []
        for i in range(count):
            word = "kilimanjaro" if i % 500 == 3 else "plain"
            msg = message(f"bulk {i}", f"text {i} {word} words".encode())
            commands.append(b"b%d APPEND %s {%d+}\r\n%s\r\n" % (i, self.mailbox.encode(),
                                                                  len(msg), msg))
        raw.sock.sendall(b"".join(commands))
        replies = raw.until_tagged(b"b%d" % (count - 1))
        self.assertEqual(replies.count(b" OK [APPENDUID "), count)
        raw.close()
        appended = time.monotonic() - start
        self.select()
        start = time.monotonic()
        hits = self.search("BODY", '"KILIMANJARO"')
        took = (time.monotonic() - start) * 1000
        self.assertEqual(len(hits), count // 500)
        print(f"\nappend {count} messages: {appended:.1f} s; "
              f"UID SEARCH BODY over {count}: {took:.1f} ms", flush=True)


class RawImap:
    """IMAPS over a plain socket, for pipelining that imaplib cannot do."""

    def __init__(self, server):
        sock = socket.create_connection((HOST, server.port("imaps")), timeout=IO_TIMEOUT)
        self.sock = unverified_context().wrap_socket(sock)
        self.buf = b""
        self.take_through(b"* OK")  # the greeting

    def take_through(self, start):
        """Everything up to and including the first line that begins with `start`."""
        while True:
            at = 0 if self.buf.startswith(start) else self.buf.find(b"\r\n" + start)
            end = self.buf.find(b"\r\n", at + 2) if at >= 0 else -1
            if end >= 0:
                data, self.buf = self.buf[:end + 2], self.buf[end + 2:]
                return data
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed; got {self.buf[-200:]!r}")
            self.buf += chunk

    def until_tagged(self, tag):
        return self.take_through(tag + b" ")

    def command(self, line):
        self.sock.sendall(b"a " + line.encode() + b"\r\n")
        data = self.until_tagged(b"a")
        assert b"\r\na OK" in b"\r\n" + data, data

    def close(self):
        self.sock.close()

if __name__ == "__main__":
    unittest.main()
