"""Management commands (domain, user, alias, queue, dns-records) against a
running server: changes take effect without a restart, and bad requests
exit non-zero with a message."""

import unittest

from harness import CopperServer, CopperTestCase, auth_plain, unique

DEMO = "demo@example.test"
DEMO_PW = "demo-password-1"


class CliTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(users={DEMO: DEMO_PW}, listeners=["smtp", "submissions"],
                                  config={"auth": {"max_failures_per_ip": 1000,
                                                   "max_failures_per_account": 1000}})
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def rcpt(self, address):
        with self.server.raw() as c:
            c.ehlo()
            c.cmd("MAIL FROM:<sender@remote.example>")
            return c.cmd(f"RCPT TO:<{address}>")

    def auth(self, user, password):
        with self.server.raw("submissions") as c:
            c.ehlo()
            return c.cmd("AUTH PLAIN " + auth_plain(user, password))

    def fails(self, *args, input=None, message=None):
        r = self.server.cli(*args, input=input, check=False)
        self.assertNotEqual(r.returncode, 0, f"copper {' '.join(args)} succeeded: {r.stdout}")
        if message:
            self.assertIn(message, r.stderr)
        return r

    def test_domains(self):
        self.assertReply(self.rcpt("someone@later.test"), 554, "5.7.1")
        self.server.cli("domain", "add", "Later.Test")
        self.assertIn("later.test", self.server.cli("domain", "list").stdout.split())
        self.assertReply(self.rcpt("someone@later.test"), 550, "5.1.1")  # now local
        self.fails("domain", "add", "later.test", message="already exists")
        self.fails("domain", "add", "not a domain")
        self.server.cli("domain", "remove", "later.test")
        self.assertReply(self.rcpt("someone@later.test"), 554, "5.7.1")
        self.fails("domain", "remove", "example.test", message="user")  # still has users

    def test_users_take_effect_live(self):
        address, pw = "newbie@example.test", "newbie-password-1"
        self.assertReply(self.rcpt(address), 550, "5.1.1")
        self.server.add_user(address, pw, quota="10M")
        listing = self.server.cli("user", "list").stdout
        self.assertRegex(listing, r"newbie@example\.test\tused=0\tquota=10\.0M")
        self.assertReply(self.rcpt(address), 250, "2.1.5")
        self.assertReply(self.auth(address, pw), 235)
        # A new password replaces the old one at once.
        self.server.cli("user", "passwd", address, "--password-stdin",
                        input="changed-password-2\n")
        self.assertReply(self.auth(address, pw), 535, "5.7.8")
        self.assertReply(self.auth(address, "changed-password-2"), 235)
        self.server.cli("user", "remove", address)
        self.assertReply(self.rcpt(address), 550, "5.1.1")
        self.assertReply(self.auth(address, "changed-password-2"), 535)

    def test_user_errors(self):
        self.fails("user", "add", DEMO, "--password-stdin", input="another-password\n",
                   message="already exists")
        self.fails("user", "add", "short@example.test", "--password-stdin", input="short\n",
                   message="too short")
        self.fails("user", "add", "x@unknown-domain.test", "--password-stdin",
                   input="long-enough-1\n", message="unknown domain")
        self.fails("user", "add", "x@example.test", "--password-stdin", input="",
                   message="password")
        self.fails("user", "add", "x@example.test", "--password-stdin", "--quota", "lots",
                   input="long-enough-1\n")

    def test_usage_is_counted(self):
        marker = unique("usage")
        with self.server.smtp() as c:
            c.sendmail("a@remote.example", [DEMO], f"Subject: u\r\n\r\n{marker}\r\n")
        size = sum(len(m) for m in self.server.messages_for(DEMO))
        listing = self.server.cli("user", "list").stdout
        line = [l for l in listing.splitlines() if l.startswith(DEMO + "\t")]
        self.assertEqual(len(line), 1, listing)
        self.assertNotIn("used=0\t", line[0], f"{size} bytes stored: {line[0]}")

    def test_aliases(self):
        self.assertReply(self.rcpt("help@example.test"), 550)
        self.server.cli("alias", "add", "help@example.test", DEMO, "helper@remote.example")
        listing = self.server.cli("alias", "list").stdout
        self.assertIn(f"help@example.test\t{DEMO}", listing)
        self.assertIn("help@example.test\thelper@remote.example", listing)
        self.assertReply(self.rcpt("help@example.test"), 250)
        self.fails("alias", "add", DEMO, "x@remote.example", message="is a user")
        self.fails("alias", "add", "loop@example.test", "loop@example.test")
        self.server.cli("alias", "remove", "help@example.test")
        self.assertNotIn("help@example.test", self.server.cli("alias", "list").stdout)
        self.assertReply(self.rcpt("help@example.test"), 550)

    def test_dns_records(self):
        out = self.server.cli("dns-records", "example.test").stdout
        self.assertRegex(out, r"(?m)^example\.test\.\s+\d+\s+IN\s+MX\s+10 mx\.example\.test\.$")
        self.assertRegex(out, r'(?m)^example\.test\.\s+\d+\s+IN\s+TXT\s+"v=spf1 ')
        self.assertRegex(out, r'(?m)^_dmarc\.example\.test\.\s+\d+\s+IN\s+TXT\s+"v=DMARC1;')

    def test_queue_commands(self):
        r = self.server.cli("queue", "list")
        self.assertIn("message(s) queued", r.stderr)
        self.fails("queue", "remove", "not-a-number")
        self.server.cli("queue", "flush")


if __name__ == "__main__":
    unittest.main()
