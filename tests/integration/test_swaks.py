"""swaks, a client we did not write: MX delivery, submission with STARTTLS
and AUTH PLAIN/LOGIN, implicit TLS on 465 (--tlsc), pipelining,
and the failures swaks reports with its exit status."""

import shutil
import subprocess
import unittest

from harness import HOST, CopperServer, CopperTestCase, unique

DEMO = "demo@example.test"
DEMO_PW = "demo-password-1"
OTHER = "other@example.test"
OTHER_PW = "other-password-1"


class SwaksTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        # Not a skip: a missing test dependency must not pass silently.
        if not shutil.which("swaks"):
            raise AssertionError("swaks is not installed; run scripts/install-deps.sh --test")
        cls.server = CopperServer(users={DEMO: DEMO_PW, OTHER: OTHER_PW},
                                  config={"auth": {"max_failures_per_ip": 1000,
                                                   "max_failures_per_account": 1000}})
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def swaks(self, listener, *args, expect=0):
        cmd = ["swaks", "--server", HOST, "--port", str(self.server.port(listener)),
               "--helo", "swaks.example", "--timeout", "20", *args]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, expect,
                         f"swaks exited {r.returncode}, expected {expect}\n"
                         f"{' '.join(cmd)}\n{r.stdout}\n{r.stderr}")
        return r.stdout + r.stderr

    def stored_with(self, address, marker):
        return [m for m in self.server.messages_for(address) if marker.encode() in m]

    def test_mx_delivery(self):
        marker = unique("swaks-mx")
        out = self.swaks("smtp", "--from", "sender@remote.example", "--to", DEMO,
                         "--header", f"Subject: {marker}", "--body", marker)
        self.assertRegex(out, r"<-  250 2\.0\.0 Ok: queued as \w+")
        self.assertIn("<-  221", out)
        stored = self.stored_with(DEMO, marker)
        self.assertEqual(len(stored), 1)
        self.assertIn(f"Subject: {marker}".encode(), stored[0])
        self.assertIn(b"Received: from swaks.example ", stored[0])

    def test_mx_pipelining(self):
        marker = unique("swaks-pipe")
        out = self.swaks("smtp", "--pipeline", "--from", "sender@remote.example",
                         "--to", f"{DEMO},{OTHER}", "--body", marker)
        self.assertRegex(out, r"250 2\.0\.0 Ok: queued as")
        self.assertEqual(len(self.stored_with(DEMO, marker)), 1)
        self.assertEqual(len(self.stored_with(OTHER, marker)), 1)

    def test_mx_refuses_relay(self):
        out = self.swaks("smtp", "--from", "sender@remote.example",
                         "--to", "friend@remote.example", expect=24)  # 24: no RCPT accepted
        self.assertIn("<** 554 5.7.1", out)

    def test_mx_unknown_user(self):
        out = self.swaks("smtp", "--from", "sender@remote.example", "--to", "nobody@example.test",
                         expect=24)
        self.assertIn("<** 550 5.1.1", out)

    def test_submission_starttls_auth_plain(self):
        marker = unique("swaks-587")
        out = self.swaks("submission", "-tls", "--auth", "PLAIN", "--auth-user", DEMO,
                         "--auth-password", DEMO_PW, "--from", DEMO, "--to", OTHER,
                         "--body", marker)
        self.assertIn("<-  220 2.0.0 Ready to start TLS", out)
        self.assertIn("=== TLS started", out)
        self.assertIn("<~  235 2.7.0", out)  # "~": received over TLS
        self.assertRegex(out, r"<~  250 2\.0\.0 Ok: queued as")
        stored = self.stored_with(OTHER, marker)
        self.assertEqual(len(stored), 1)
        self.assertIn(b"with ESMTPSA ", stored[0])

    def test_submission_starttls_auth_login_remote(self):
        marker = unique("swaks-login")
        out = self.swaks("submission", "-tls", "--auth", "LOGIN", "--auth-user", OTHER,
                         "--auth-password", OTHER_PW, "--from", OTHER,
                         "--to", "friend@remote.example", "--body", marker)
        self.assertIn("<~  235 2.7.0", out)
        queued = [q for q in self.server.queue_list() if q["sender"] == OTHER]
        self.assertEqual(len(queued), 1, queued)
        self.assertEqual(queued[0]["recipients"], ["friend@remote.example"])

    def test_submissions_implicit_tls(self):
        marker = unique("swaks-465")
        for mech in ("PLAIN", "LOGIN"):
            with self.subTest(mech=mech):
                out = self.swaks("submissions", "--tlsc", "--auth", mech, "--auth-user", DEMO,
                                 "--auth-password", DEMO_PW, "--from", DEMO, "--to", OTHER,
                                 "--body", f"{marker}-{mech}")
                self.assertIn("TLS started", out)
                self.assertIn("<~  235 2.7.0", out)  # "~": received over TLS
                self.assertRegex(out, r"<~  250 2\.0\.0 Ok: queued as")
                self.assertEqual(len(self.stored_with(OTHER, f"{marker}-{mech}")), 1)

    def test_wrong_password(self):
        out = self.swaks("submissions", "--tlsc", "--auth", "PLAIN", "--auth-user", DEMO,
                         "--auth-password", "wrong-password", "--from", DEMO, "--to", OTHER,
                         expect=28)  # 28: AUTH failed
        self.assertIn("535 5.7.8", out)

    def test_auth_requires_tls(self):
        # Without -tls the server offers no AUTH on 587, and swaks gives up.
        out = self.swaks("submission", "--auth", "PLAIN", "--auth-user", DEMO,
                         "--auth-password", DEMO_PW, "--from", DEMO, "--to", OTHER,
                         expect=28)
        self.assertNotIn("235", out)

    def test_spoofed_sender(self):
        out = self.swaks("submission", "-tls", "--auth", "PLAIN", "--auth-user", DEMO,
                         "--auth-password", DEMO_PW, "--from", OTHER, "--to", OTHER,
                         expect=23)  # 23: MAIL FROM failed
        self.assertIn("553 5.7.1", out)


if __name__ == "__main__":
    unittest.main()
