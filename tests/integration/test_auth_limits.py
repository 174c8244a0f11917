"""Rate limiting of failed AUTH ([auth] max_failures_per_ip,
max_failures_per_account, failure_window): 454 4.7.0 once over the limit,
even for the right password, and again allowed after the window."""

import time
import unittest

from harness import CopperServer, CopperTestCase, auth_plain, wait_until

DEMO = "demo@example.test"
DEMO_PW = "demo-password-1"
OTHER = "other@example.test"
OTHER_PW = "other-password-1"


def attempt(server, user, password, listener="submissions"):
    """One AUTH PLAIN on a fresh connection; returns the reply."""
    with server.raw(listener) as c:
        c.ehlo()
        return c.cmd("AUTH PLAIN " + auth_plain(user, password))


class AuthRateLimitTest(CopperTestCase):
    def test_per_ip_limit(self):
        with CopperServer(users={DEMO: DEMO_PW, OTHER: OTHER_PW},
                          config={"auth": {"max_failures_per_ip": 3,
                                           "max_failures_per_account": 100,
                                           "failure_window": 600}},
                          listeners=["submissions"]) as server:
            self.assertReply(attempt(server, DEMO, DEMO_PW), 235)
            # Failures spread over accounts: only the per-address count trips.
            for user in (DEMO, OTHER, "nobody@example.test"):
                self.assertReply(attempt(server, user, "wrong-password"), 535, "5.7.8")
            for user, pw in ((DEMO, DEMO_PW), (OTHER, OTHER_PW)):
                self.assertReply(attempt(server, user, pw), 454, "4.7.0")
            # Also within one connection, and for LOGIN.
            with server.raw("submissions") as c:
                c.ehlo()
                self.assertReply(c.cmd("AUTH LOGIN"), 454, "4.7.0")
                self.assertReply(c.cmd("MAIL FROM:<demo@example.test>"), 530)

    def test_per_account_limit(self):
        with CopperServer(users={DEMO: DEMO_PW, OTHER: OTHER_PW},
                          config={"auth": {"max_failures_per_ip": 100,
                                           "max_failures_per_account": 2,
                                           "failure_window": 600}},
                          listeners=["submissions"]) as server:
            with server.raw("submissions") as c:
                c.ehlo()
                self.assertReply(c.cmd("AUTH PLAIN " + auth_plain(DEMO, "guess-1")), 535, "5.7.8")
                self.assertReply(c.cmd("AUTH PLAIN " + auth_plain(DEMO, "guess-2")), 535, "5.7.8")
                self.assertReply(c.cmd("AUTH PLAIN " + auth_plain(DEMO, DEMO_PW)), 454, "4.7.0")
            # The account is locked whatever the case of its name.
            self.assertReply(attempt(server, "Demo@Example.Test", DEMO_PW), 454, "4.7.0")
            # Other accounts from the same address are unaffected.
            self.assertReply(attempt(server, OTHER, OTHER_PW), 235, "2.7.0")
        self.assertEqual(server.exit_codes, [0])

    def test_window_expires(self):
        with CopperServer(users={DEMO: DEMO_PW},
                          config={"auth": {"max_failures_per_ip": 100,
                                           "max_failures_per_account": 1,
                                           "failure_window": 2}},
                          listeners=["submissions"]) as server:
            failed_at = time.monotonic()
            self.assertReply(attempt(server, DEMO, "wrong-password"), 535)
            r = attempt(server, DEMO, DEMO_PW)
            if time.monotonic() - failed_at < 1.5:  # still inside the window
                self.assertReply(r, 454, "4.7.0")
            # Polls with the right password (a 454 is not a failure) until allowed.
            wait_until(lambda: attempt(server, DEMO, DEMO_PW).code == 235, timeout=15,
                       interval=0.2, message="the failure window to pass")
            self.assertGreaterEqual(time.monotonic() - failed_at, 1.9)


if __name__ == "__main__":
    unittest.main()
