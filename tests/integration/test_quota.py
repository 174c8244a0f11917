"""Quotas at delivery (RFC 3463 4.2.2/5.2.2) and at IMAP APPEND ([OVERQUOTA],
RFC 5530): a user with a small quota, filled over SMTP."""

import imaplib
import unittest

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase, unique,
                     unverified_context)

SMALL = "small@example.test"
ROOMY = "roomy@example.test"


def message(size, marker):
    head = f"From: a@remote.example\r\nTo: {SMALL}\r\nSubject: {marker}\r\n\r\n"
    return (head + "x" * (size - len(head) - 2) + "\r\n").encode()


class QuotaTest(CopperTestCase):
    def test_mailbox_full(self):
        users = {SMALL: (DEFAULT_PASSWORD, "4K"), ROOMY: DEFAULT_PASSWORD}
        with CopperServer(users=users, listeners=("smtp", "imaps")) as server:
            with server.raw() as c:
                c.ehlo()
                # A declared size beyond the quota: refused at RCPT, permanently.
                self.assertReply(c.cmd("MAIL FROM:<a@remote.example> SIZE=10000"), 250)
                self.assertReply(c.cmd(f"RCPT TO:<{SMALL}>"), 552, "5.2.2")
                self.assertReply(c.cmd("RSET"), 250)
            # 3 KiB fits; the next 3 KiB does not, refused at the end of DATA.
            with server.smtp() as s:
                s.sendmail("a@remote.example", [SMALL], message(3000, unique()))
                with self.assertRaises(Exception) as ctx:
                    s.sendmail("a@remote.example", [SMALL], message(3000, unique()))
                self.assertIn("5.2.2", str(ctx.exception))
            self.assertEqual(len(server.messages_for(SMALL)), 1)
            # Several recipients, one of them full: a transient refusal for all.
            with server.raw() as c:
                c.ehlo()
                self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 250)
                self.assertReply(c.cmd(f"RCPT TO:<{SMALL}>"), 250)
                self.assertReply(c.cmd(f"RCPT TO:<{ROOMY}>"), 250)
                self.assertReply(c.cmd("DATA"), 354)
                c.send(message(2000, unique()) + b".\r\n")
                self.assertReply(c.reply(), 452, "4.2.2")
            self.assertEqual(len(server.messages_for(ROOMY)), 0)
            # IMAP APPEND past the quota.
            conn = imaplib.IMAP4_SSL(HOST, server.port("imaps"), ssl_context=unverified_context(),
                                     timeout=IO_TIMEOUT)
            conn.login(SMALL, DEFAULT_PASSWORD)
            typ, data = conn.append("INBOX", None, None, message(2000, unique()))
            self.assertEqual(typ, "NO")
            self.assertIn(b"OVERQUOTA", data[0])
            conn.logout()
            # An admin lowers the quota below the usage: the mailbox is full,
            # and even a message of unknown size is refused at RCPT, transiently.
            server.cli("user", "quota", SMALL, "--quota", "1K")
            with server.raw() as c:
                c.ehlo()
                self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 250)
                self.assertReply(c.cmd(f"RCPT TO:<{SMALL}>"), 452, "4.2.2")
                self.assertReply(c.cmd(f"RCPT TO:<{ROOMY}>"), 250)


if __name__ == "__main__":
    unittest.main()
