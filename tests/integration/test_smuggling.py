"""SMTP smuggling (bare CR / bare LF end-of-data variants), bare line ends in
commands, dot-stuffing, and plaintext injected after STARTTLS
(CVE-2011-0411), all with raw sockets."""

import unittest

from harness import CopperServer, CopperTestCase, auth_plain, unique, unverified_context

# Fake end-of-data sequences; none of them is <CRLF>.<CRLF>.
VECTORS = {
    "lf-dot-lf": b"\n.\n",
    "lf-dot-crlf": b"\n.\r\n",
    "cr-dot-cr": b"\r.\r",
    "cr-dot-crlf": b"\r.\r\n",
    "crlf-dot-lf": b"\r\n.\n",
    "crlf-dot-cr": b"\r\n.\r",
    "lf-dot-cr": b"\n.\r",
    "cr-dot-lf": b"\r.\n",
    "crlf-dot-cr-cr-lf": b"\r\n.\r\r\n",
    "crlf-dot-cr-lf-lf": b"\r\n.\r\n\n",  # not fake itself: see test_real_end_then_bare_lf
}


class SmugglingTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(users={"demo@example.test": "demo-password-1",
                                         "victim@example.test": "victim-password-1"},
                                  config={"smtp": {"max_errors": 100}},
                                  listeners=["smtp", "submission"])
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def everything_stored(self):
        return b"\0".join(self.server.all_blobs())

    def smuggle(self, vector):
        """One transaction whose body hides a second one behind `vector`.

        Returns (replies after DATA up to QUIT's, first marker, smuggled marker)."""
        first, hidden = unique("first"), unique("smuggled")
        payload = (f"From: <sender@remote.example>\r\nSubject: first\r\n\r\n{first}".encode()
                   + vector
                   + b"MAIL FROM:<admin@example.test>\r\n"
                   + b"RCPT TO:<victim@example.test>\r\n"
                   + b"DATA\r\n"
                   + f"From: <admin@example.test>\r\nSubject: smuggled\r\n\r\n{hidden}".encode()
                   + b"\r\n.\r\n")
        with self.server.raw() as c:
            c.ehlo()
            self.assertReply(c.cmd("MAIL FROM:<sender@remote.example>"), 250)
            self.assertReply(c.cmd("RCPT TO:<demo@example.test>"), 250)
            self.assertReply(c.cmd("DATA"), 354)
            c.send(payload + b"QUIT\r\n")
            replies = c.replies_until_closed()
        return replies, first, hidden

    def test_fake_terminators_are_content(self):
        for name, vector in VECTORS.items():
            if name == "crlf-dot-cr-lf-lf":
                continue
            with self.subTest(vector=name):
                before = len(self.server.messages_for("victim@example.test"))
                replies, first, hidden = self.smuggle(vector)
                codes = [r.code for r in replies]
                # One reply for the whole message, then QUIT's. A server that
                # ended the data early would answer 250 (x3) and 354 in between.
                self.assertEqual(codes, [554, 221], replies)
                self.assertReply(replies[0], 554, "5.5.2")
                stored = self.everything_stored()
                self.assertNotIn(hidden.encode(), stored)
                self.assertNotIn(first.encode(), stored)
                self.assertEqual(len(self.server.messages_for("victim@example.test")), before)

    def test_real_end_then_bare_lf(self):
        # "\r\n.\r\n" really ends the data; the bare "\n" that follows is then
        # part of the next command line, and MAIL with a bare LF is refused.
        replies, first, hidden = self.smuggle(VECTORS["crlf-dot-cr-lf-lf"])
        self.assertEqual([r.code for r in replies][:2], [250, 500], replies)
        self.assertReply(replies[1], 500, "5.5.2")
        self.assertEqual(len([m for m in self.server.messages_for("demo@example.test")
                              if first.encode() in m]), 1)
        self.assertNotIn(hidden.encode(), self.everything_stored())
        self.assertTrue(all(r.code != 354 for r in replies), replies)

    def test_bare_line_ends_in_commands(self):
        with self.server.raw() as c:
            c.ehlo()
            # A bare LF or CR never ends a command line: one line, refused once.
            c.send(b"NOOP\nRSET\r\n")
            self.assertReply(c.reply(), 500, "5.5.2")
            c.send(b"NOOP\rMAIL FROM:<a@remote.example>\r\n")
            self.assertReply(c.reply(), 500, "5.5.2")
            self.assertReply(c.cmd("RCPT TO:<demo@example.test>"), 503,
                             msg="the MAIL hidden behind a bare CR must not have run")
            self.assertReply(c.cmd("NOOP"), 250, "2.0.0")

    def test_bare_lf_inside_data_refused(self):
        marker = unique("barelf")
        with self.server.raw() as c:
            c.ehlo()
            c.cmd("MAIL FROM:<sender@remote.example>")
            c.cmd("RCPT TO:<demo@example.test>")
            self.assertReply(c.cmd("DATA"), 354)
            c.send(f"Subject: x\r\n\r\n{marker}\nsecond line\r\n.\r\n")
            self.assertReply(c.reply(), 554, "5.5.2")
            self.assertReply(c.cmd("NOOP"), 250)
        self.assertNotIn(marker.encode(), self.everything_stored())

    def test_dot_stuffing(self):
        marker = unique("dots")
        body = f"Subject: dots\r\n\r\n{marker}\r\n..\r\n...leading\r\n.x\r\nend\r\n"
        with self.server.raw() as c:
            c.ehlo()
            c.cmd("MAIL FROM:<sender@remote.example>")
            c.cmd("RCPT TO:<demo@example.test>")
            self.assertReply(c.cmd("DATA"), 354)
            c.send(body + ".\r\n")
            self.assertReply(c.reply(), 250, "2.0.0")
        stored = [m for m in self.server.messages_for("demo@example.test")
                  if marker.encode() in m]
        self.assertEqual(len(stored), 1)
        self.assertTrue(stored[0].endswith(f"{marker}\r\n.\r\n..leading\r\nx\r\nend\r\n".encode()),
                        stored[0][-80:])

    def starttls_injection(self, listener, injected):
        with self.server.raw(listener) as c:
            c.ehlo()
            c.send(b"STARTTLS\r\n" + injected)  # one write, one segment
            self.assertReply(c.reply(), 220)
            self.assertEqual(c.buf, b"", "nothing may follow 220 in plaintext")
            c.sock = unverified_context().wrap_socket(c.sock)
            r = c.cmd("NOOP")
            self.assertEqual(r.code, 250, r)
            self.assertEqual(r.text, "2.0.0 Ok", f"an injected command was answered: {r}")
            self.assertReply(c.cmd("RCPT TO:<demo@example.test>"), 503)
            self.assertReply(c.cmd("QUIT"), 221)
            self.assertEqual(c.replies_until_closed(), [], "replies after QUIT")

    def test_starttls_injection_mx(self):
        self.starttls_injection("smtp", b"RSET\r\n")
        self.starttls_injection(
            "smtp", b"EHLO evil.example\r\nMAIL FROM:<a@remote.example>\r\nHELP\r\n")
        self.assertIn("event=starttls_injection", self.server.log())

    def test_starttls_injection_submission(self):
        self.starttls_injection(
            "submission",
            b"EHLO evil.example\r\nAUTH PLAIN " + auth_plain("demo@example.test",
                                                             "demo-password-1").encode() + b"\r\n")


if __name__ == "__main__":
    unittest.main()
