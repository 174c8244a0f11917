"""Quotas and mailbox-list extensions over IMAP, with imaplib (a client we did
not write) and a raw TLS socket where imaplib has no command for an
extension: QUOTA (RFC 9208) figures against what SMTP delivered, SETQUOTA
refused, the message-count quota at SMTP RCPT/DATA and IMAP APPEND,
MULTIAPPEND (RFC 3502) all-or-nothing, APPENDLIMIT (RFC 7889), LIST-EXTENDED
(RFC 5258) selection and return options, LIST-STATUS (RFC 5819),
CREATE-SPECIAL-USE (RFC 6154) and RENAME/DELETE in the hierarchy (RFC 9051)."""

import imaplib
import re
import socket
import ssl
import unittest

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase, unique,
                     unverified_context)

LIMIT = 200000  # smtp.max_message_size, hence APPENDLIMIT
QUOTA_USER = "quota@example.test"      # 100K and 10 messages
COUNT_USER = "count@example.test"      # 2 messages
MULTI_USER = "multi@example.test"      # 8K
LIST_USER = "lists@example.test"
RENAME_USER = "rename@example.test"
SPECIAL_USER = "special@example.test"
GHOST_USER = "ghost@example.test"


def message(to, size=600, marker=None):
    marker = marker or unique()
    head = f"From: a@remote.example\r\nTo: {to}\r\nSubject: {marker}\r\n\r\n"
    return (head + "x" * max(size - len(head) - 2, 1) + "\r\n").encode()


class Imap:
    """A raw IMAP client over TLS: the exact lines of each response."""

    def __init__(self, port, user):
        raw = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        self.sock = unverified_context().wrap_socket(raw, server_hostname="localhost")
        self.buf = b""
        self.n = 0
        self.line()  # greeting
        untagged, tagged = self.cmd(f'LOGIN {user} "{DEFAULT_PASSWORD}"')
        assert tagged.startswith("OK"), tagged

    def close(self):
        self.sock.close()

    def line(self):
        while b"\r\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("connection closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode()

    def cmd(self, text, literals=()):
        """Sends `text`, then each literal as a LITERAL+ "{n+}" followed by
        the text after it: literals is a list of (bytes, following text)."""
        self.n += 1
        tag = f"T{self.n}"
        out = f"{tag} {text}".encode()
        for data, after in literals:
            out += b" {%d+}\r\n" % len(data) + data + after.encode()
        self.sock.sendall(out + b"\r\n")
        untagged = []
        while True:
            line = self.line()
            if line.startswith(tag + " "):
                return untagged, line[len(tag) + 1:]
            untagged.append(line)


class ImapQuotaListTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        users = {QUOTA_USER: (DEFAULT_PASSWORD, "100K"), COUNT_USER: DEFAULT_PASSWORD,
                 MULTI_USER: (DEFAULT_PASSWORD, "8K"), LIST_USER: DEFAULT_PASSWORD,
                 RENAME_USER: DEFAULT_PASSWORD, SPECIAL_USER: DEFAULT_PASSWORD,
                 GHOST_USER: DEFAULT_PASSWORD}
        cls.server = CopperServer(users=users, listeners=("smtp", "imaps"),
                                  config={"smtp": {"max_message_size": LIMIT}})
        cls.server.__enter__()
        cls.server.cli("user", "quota", QUOTA_USER, "--quota-messages", "10")
        cls.server.cli("user", "quota", COUNT_USER, "--quota-messages", "2")

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def imaplib_login(self, user):
        conn = imaplib.IMAP4_SSL(HOST, self.server.port("imaps"), ssl_context=unverified_context(),
                                 timeout=IO_TIMEOUT)
        conn.login(user, DEFAULT_PASSWORD)
        self.addCleanup(conn.logout)
        return conn

    def raw(self, user):
        c = Imap(self.server.port("imaps"), user)
        self.addCleanup(c.close)
        return c

    def test_capabilities(self):
        conn = self.imaplib_login(LIST_USER)
        caps = conn.capability()[1][0].decode().split()
        for cap in ("QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "STATUS=SIZE",
                    f"APPENDLIMIT={LIMIT}", "MULTIAPPEND", "LIST-EXTENDED", "LIST-STATUS",
                    "CREATE-SPECIAL-USE"):
            self.assertIn(cap, caps)

    def test_getquota_matches_deliveries_and_setquota_is_refused(self):
        with self.server.smtp() as s:
            s.sendmail("a@remote.example", [QUOTA_USER], message(QUOTA_USER, 3000))
            s.sendmail("a@remote.example", [QUOTA_USER], message(QUOTA_USER, 5000))
        conn = self.imaplib_login(QUOTA_USER)
        typ, data = conn.status("INBOX", "(MESSAGES SIZE)")
        self.assertEqual(typ, "OK")
        m = re.search(rb"MESSAGES (\d+) SIZE (\d+)", data[0])
        self.assertEqual(int(m.group(1)), 2)
        size = int(m.group(2))
        self.assertGreater(size, 8000)  # with the trace headers delivery adds
        stored = self.server.query(
            "SELECT sum(m.size) FROM messages m JOIN mailboxes b ON m.mailbox_id = b.id "
            "JOIN accounts a ON b.account_id = a.id WHERE a.address = ?", QUOTA_USER)[0][0]
        self.assertEqual(size, stored)

        typ, data = conn.getquotaroot("INBOX")
        self.assertEqual(typ, "OK")
        roots, quotas = data
        self.assertEqual(roots[0], b'INBOX ""')
        expected = f'"" (STORAGE {(size + 1023) // 1024} 100 MESSAGE 2 10)'.encode()
        self.assertEqual(quotas[0], expected)
        typ, data = conn.getquota('""')
        self.assertEqual((typ, data[0]), ("OK", expected))
        typ, data = conn.getquota("other")
        self.assertEqual(typ, "NO")

        typ, data = conn.setquota('""', "(STORAGE 1000000)")
        self.assertEqual(typ, "NO")
        self.assertIn(b"NOPERM", data[0])
        typ, data = conn.getquota('""')
        self.assertEqual(data[0], expected)  # unchanged

        # STATUS DELETED and DELETED-STORAGE (RFC 9208 4.1.4) follow \Deleted.
        conn.select("INBOX")
        conn.store("1", "+FLAGS", "(\\Deleted)")
        first = int(re.search(rb"RFC822.SIZE (\d+)", conn.fetch("1", "(RFC822.SIZE)")[1][0])
                    .group(1))
        c = self.raw(QUOTA_USER)
        untagged, tagged = c.cmd("STATUS INBOX (DELETED DELETED-STORAGE MESSAGES)")
        self.assertTrue(tagged.startswith("OK"), tagged)
        self.assertEqual(untagged, [f"* STATUS INBOX (DELETED 1 DELETED-STORAGE {first} MESSAGES 2)"])
        conn.expunge()
        typ, data = conn.getquota('""')
        self.assertEqual(data[0], f'"" (STORAGE {(size - first + 1023) // 1024} 100 MESSAGE 1 10)'
                         .encode())

    def test_cli_sets_message_quota(self):
        self.server.cli("user", "add", "newbie@example.test", "--password-stdin",
                        "--quota-messages", "3", input=DEFAULT_PASSWORD + "\n")
        conn = self.imaplib_login("newbie@example.test")
        self.assertEqual(conn.getquota('""')[1][0], b'"" (MESSAGE 0 3)')
        self.server.cli("user", "quota", "newbie@example.test", "--quota", "1M")
        self.assertEqual(conn.getquota('""')[1][0], b'"" (STORAGE 0 1024 MESSAGE 0 3)')
        self.server.cli("user", "quota", "newbie@example.test", "--quota-messages", "0")
        self.assertEqual(conn.getquota('""')[1][0], b'"" (STORAGE 0 1024)')
        bad = self.server.cli("user", "quota", "newbie@example.test", "--quota-messages", "many",
                              check=False)
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("--quota-messages", bad.stderr)

    def test_message_count_quota_at_rcpt_data_and_append(self):
        with self.server.raw() as pending:
            pending.ehlo()
            self.assertReply(pending.cmd("MAIL FROM:<a@remote.example>"), 250)
            self.assertReply(pending.cmd(f"RCPT TO:<{COUNT_USER}>"), 250)  # 0 of 2 so far
            with self.server.smtp() as s:
                s.sendmail("a@remote.example", [COUNT_USER], message(COUNT_USER))
            conn = self.imaplib_login(COUNT_USER)
            typ, data = conn.append("INBOX", None, None, message(COUNT_USER))
            self.assertEqual(typ, "OK")  # 2 of 2
            # The message count is full by the end of DATA: refused, permanently.
            self.assertReply(pending.cmd("DATA"), 354)
            pending.send(message(COUNT_USER) + b".\r\n")
            self.assertReply(pending.reply(), 552, "5.2.2")
            # At RCPT the mailbox is already full: transient, even with a size.
            self.assertReply(pending.cmd("MAIL FROM:<a@remote.example> SIZE=100"), 250)
            self.assertReply(pending.cmd(f"RCPT TO:<{COUNT_USER}>"), 452, "4.2.2")
        typ, data = conn.append("INBOX", None, None, message(COUNT_USER))
        self.assertEqual(typ, "NO")
        self.assertIn(b"[OVERQUOTA]", data[0])
        typ, data = conn.getquotaroot("INBOX")
        self.assertEqual(data[1][0], b'"" (MESSAGE 2 2)')
        self.assertEqual(len(self.server.messages_for(COUNT_USER)), 2)

    def test_multiappend_is_all_or_nothing(self):
        c = self.raw(MULTI_USER)
        small, big = message(MULTI_USER, 3000), message(MULTI_USER, 6000)
        # The second message takes the account past its 8K: none is stored.
        untagged, tagged = c.cmd("APPEND INBOX (\\Seen)", [(small, " (\\Flagged)"), (big, "")])
        self.assertTrue(tagged.startswith("NO [OVERQUOTA]"), tagged)
        untagged, tagged = c.cmd("STATUS INBOX (MESSAGES UIDNEXT)")
        self.assertIn("* STATUS INBOX (MESSAGES 0 UIDNEXT 1)", untagged)

        a, b = message(MULTI_USER, 1000, "first"), message(MULTI_USER, 2000, "second")
        untagged, tagged = c.cmd('APPEND INBOX (\\Seen) "01-Feb-2024 10:00:00 +0000"',
                                 [(a, ' "02-Feb-2024 10:00:00 +0000"'), (b, "")])
        m = re.match(r"OK \[APPENDUID (\d+) 1:2\]", tagged)
        self.assertIsNotNone(m, tagged)
        conn = self.imaplib_login(MULTI_USER)
        typ, data = conn.select("INBOX")
        self.assertEqual(data[0], b"2")
        typ, heads = conn.uid("FETCH", "1:2", "(FLAGS INTERNALDATE)")
        first = next(h for h in heads if re.search(rb"\bUID 1\b", h))
        second = next(h for h in heads if re.search(rb"\bUID 2\b", h))
        self.assertIn(b"\\Seen", first)
        self.assertIn(b'"01-Feb-2024 10:00:00', first)
        self.assertNotIn(b"\\Seen", second)
        self.assertIn(b'"02-Feb-2024 10:00:00', second)
        typ, data = conn.uid("FETCH", "1:2", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        bodies = b"".join(part[1] for part in data if isinstance(part, tuple))
        self.assertIn(b"Subject: first", bodies)
        self.assertIn(b"Subject: second", bodies)
        # A syntax error in the second message stores nothing either.
        untagged, tagged = c.cmd("APPEND INBOX", [(a, " (\\Bogus"), (b, ")")])
        self.assertTrue(tagged.startswith("BAD") or tagged.startswith("NO"), tagged)
        untagged, tagged = c.cmd("STATUS INBOX (MESSAGES)")
        self.assertIn("* STATUS INBOX (MESSAGES 2)", untagged)

    def test_appendlimit(self):
        c = self.raw(LIST_USER)
        untagged, tagged = c.cmd("STATUS INBOX (APPENDLIMIT)")
        self.assertEqual(untagged, [f"* STATUS INBOX (APPENDLIMIT {LIMIT})"])
        # A synchronizing literal above the limit is refused before it is sent.
        c.n += 1
        c.sock.sendall(b"T%d APPEND INBOX {%d}\r\n" % (c.n, LIMIT + 1))
        self.assertRegex(c.line(), rf"^T{c.n} NO \[TOOBIG\]")
        untagged, tagged = c.cmd("APPEND INBOX", [(message(LIST_USER, 1000), "")])
        self.assertTrue(tagged.startswith("OK [APPENDUID"), tagged)

    def test_list_extended_and_list_status(self):
        c = self.raw(LIST_USER)
        for cmd in ("CREATE Work/Projects", "CREATE Work/Old", "UNSUBSCRIBE Work",
                    "UNSUBSCRIBE Work/Old"):
            self.assertTrue(c.cmd(cmd)[1].startswith("OK"), cmd)

        untagged, tagged = c.cmd('LIST (SUBSCRIBED) "" "Work*"')
        self.assertEqual(untagged, ['* LIST (\\HasNoChildren \\Subscribed) "/" Work/Projects'])
        # RECURSIVEMATCH: Work is not subscribed, but a child below "%" is.
        untagged, tagged = c.cmd('LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"')
        self.assertIn('* LIST (\\HasChildren) "/" Work ("CHILDINFO" ("SUBSCRIBED"))', untagged)
        self.assertIn('* LIST (\\HasNoChildren \\Subscribed) "/" INBOX', untagged)
        self.assertFalse(any("Work/" in line for line in untagged), untagged)
        # Several patterns, return options.
        untagged, tagged = c.cmd('LIST "" ("INBOX" "Work/*") RETURN (SUBSCRIBED CHILDREN)')
        self.assertEqual(untagged, ['* LIST (\\HasNoChildren \\Subscribed) "/" INBOX',
                                    '* LIST (\\HasNoChildren) "/" Work/Old',
                                    '* LIST (\\HasNoChildren \\Subscribed) "/" Work/Projects'])
        untagged, tagged = c.cmd('LIST (SPECIAL-USE) "" "*" RETURN (SPECIAL-USE)')
        names = sorted(line.rsplit(" ", 1)[1] for line in untagged)
        self.assertEqual(names, ["Archive", "Drafts", "Junk", "Sent", "Trash"])
        self.assertIn('* LIST (\\HasNoChildren \\Sent) "/" Sent', untagged)
        untagged, tagged = c.cmd('LIST (REMOTE) "" Work')
        self.assertEqual(untagged, ['* LIST (\\HasChildren) "/" Work'])
        # RFC 5258 3: RECURSIVEMATCH alone, and unknown options, are BAD.
        self.assertTrue(c.cmd('LIST (RECURSIVEMATCH) "" "*"')[1].startswith("BAD"))
        self.assertTrue(c.cmd('LIST (BOGUS) "" "*"')[1].startswith("BAD"))
        self.assertTrue(c.cmd('LIST "" "*" RETURN (BOGUS)')[1].startswith("BAD"))
        # LIST-STATUS: a STATUS after each listed mailbox.
        c.cmd("APPEND Work/Projects", [(message(LIST_USER, 700), "")])
        untagged, tagged = c.cmd('LIST "" "Work/%" RETURN (STATUS (MESSAGES UIDNEXT SIZE))')
        self.assertTrue(tagged.startswith("OK"), tagged)
        self.assertEqual(untagged[0], '* LIST (\\HasNoChildren) "/" Work/Old')
        self.assertEqual(untagged[1], "* STATUS Work/Old (MESSAGES 0 UIDNEXT 1 SIZE 0)")
        self.assertEqual(untagged[2], '* LIST (\\HasNoChildren) "/" Work/Projects')
        self.assertEqual(untagged[3], "* STATUS Work/Projects (MESSAGES 1 UIDNEXT 2 SIZE 700)")
        self.assertTrue(c.cmd('LIST "" "*" RETURN (STATUS (BOGUS))')[1].startswith("BAD"))
        # LSUB is unchanged: subscribed names, no extended data.
        untagged, tagged = c.cmd('LSUB "" "Work*"')
        self.assertEqual(untagged, ['* LSUB () "/" Work/Projects'])

    def test_subscriptions_outlive_mailboxes(self):
        # RFC 9051 6.3.7: DELETE leaves the name subscribed; LIST (SUBSCRIBED)
        # shows it \NonExistent (RFC 5258 3), LSUB still lists it.
        c = self.raw(GHOST_USER)
        for cmd in ("CREATE Ghost/Kid", "UNSUBSCRIBE Ghost", "DELETE Ghost/Kid", "DELETE Ghost",
                    "CREATE Tmp", "DELETE Tmp"):
            self.assertTrue(c.cmd(cmd)[1].startswith("OK"), cmd)
        untagged, tagged = c.cmd('LIST (SUBSCRIBED) "" "*" RETURN (STATUS (MESSAGES))')
        self.assertIn('* LIST (\\NonExistent \\Subscribed) "/" Ghost/Kid', untagged)
        self.assertIn('* LIST (\\NonExistent \\Subscribed) "/" Tmp', untagged)
        self.assertNotIn("* STATUS Tmp", " ".join(untagged))  # no STATUS for what is not there
        self.assertFalse(any(line.endswith(" Ghost") for line in untagged), untagged)
        # RECURSIVEMATCH: "Ghost" is neither there nor subscribed, but has a
        # subscribed descendant below "%".
        untagged, tagged = c.cmd('LIST (SUBSCRIBED RECURSIVEMATCH) "" "%"')
        self.assertIn('* LIST (\\NonExistent) "/" Ghost ("CHILDINFO" ("SUBSCRIBED"))', untagged)
        self.assertIn('* LIST (\\NonExistent \\Subscribed) "/" Tmp', untagged)
        # Plain LIST lists existing mailboxes only.
        untagged, tagged = c.cmd('LIST "" "*"')
        self.assertFalse(any("Tmp" in line or "Ghost" in line for line in untagged), untagged)
        untagged, tagged = c.cmd('LSUB "" "*"')
        self.assertIn('* LSUB () "/" Tmp', untagged)
        self.assertIn('* LSUB () "/" Ghost/Kid', untagged)
        # Only UNSUBSCRIBE takes the name away; SUBSCRIBE needs a mailbox.
        self.assertTrue(c.cmd("UNSUBSCRIBE Tmp")[1].startswith("OK"))
        self.assertTrue(c.cmd("SUBSCRIBE Tmp")[1].startswith("NO [NONEXISTENT]"))
        untagged, tagged = c.cmd('LSUB "" "Tmp"')
        self.assertEqual(untagged, [])

    def test_create_special_use(self):
        c = self.raw(SPECIAL_USER)
        untagged, tagged = c.cmd("CREATE Outbox (USE (\\Sent))")
        self.assertTrue(tagged.startswith("OK"), tagged)
        untagged, tagged = c.cmd('LIST "" Outbox')
        self.assertEqual(untagged, ['* LIST (\\HasNoChildren \\Sent) "/" Outbox'])
        for use in ("\\All", "\\Bogus", "\\Sent \\Trash"):
            untagged, tagged = c.cmd(f"CREATE Virtual (USE ({use}))")
            self.assertTrue(tagged.startswith("NO [USEATTR]"), (use, tagged))
        untagged, tagged = c.cmd('LIST "" Virtual')
        self.assertEqual(untagged, [])  # refused means not created (RFC 6154 3)
        self.assertTrue(c.cmd("CREATE Plain (USE ())")[1].startswith("OK"))
        self.assertTrue(c.cmd("CREATE Other (FOO (\\Sent))")[1].startswith("BAD"))

    def test_rename_inbox_and_hierarchy(self):
        with self.server.smtp() as s:
            s.sendmail("a@remote.example", [RENAME_USER], message(RENAME_USER))
            s.sendmail("a@remote.example", [RENAME_USER], message(RENAME_USER))
        conn = self.imaplib_login(RENAME_USER)
        self.assertEqual(conn.create("INBOX/Sub")[0], "OK")
        # RFC 9051 6.3.6: INBOX's messages move, INBOX stays (empty), and its
        # inferior names are unaffected.
        self.assertEqual(conn.rename("INBOX", "Saved")[0], "OK")
        typ, data = conn.status("Saved", "(MESSAGES)")
        self.assertIn(b"MESSAGES 2", data[0])
        typ, data = conn.select("INBOX")
        self.assertEqual((typ, data[0]), ("OK", b"0"))
        typ, data = conn.list('""', "INBOX*")
        self.assertEqual(len(data), 2, data)
        self.assertEqual(conn.status("INBOX/Sub", "(MESSAGES)")[0], "OK")
        with self.server.smtp() as s:
            s.sendmail("a@remote.example", [RENAME_USER], message(RENAME_USER))
        self.assertIn(b"MESSAGES 1", conn.status("INBOX", "(MESSAGES)")[1][0])
        # Renaming a parent takes its children along; DELETE of a parent
        # with children is refused with HASCHILDREN (RFC 9051 6.3.5).
        self.assertEqual(conn.create("Work/Projects")[0], "OK")
        self.assertEqual(conn.rename("Work", "Play")[0], "OK")
        self.assertEqual(conn.status("Play/Projects", "(MESSAGES)")[0], "OK")
        self.assertEqual(conn.status("Work/Projects", "(MESSAGES)")[0], "NO")
        typ, data = conn.delete("Play")
        self.assertEqual(typ, "NO")
        self.assertIn(b"HASCHILDREN", data[0])
        self.assertEqual(conn.delete("Play/Projects")[0], "OK")
        self.assertEqual(conn.delete("Play")[0], "OK")
        # Quota usage follows the messages through all of it.
        typ, data = conn.getquotaroot("INBOX")
        self.assertEqual(data[0][0], b"INBOX")  # no limits: no quota root


if __name__ == "__main__":
    unittest.main()
