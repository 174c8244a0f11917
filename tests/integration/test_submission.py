"""Submission: STARTTLS (MX and 587), AUTH PLAIN/LOGIN on 587 and on 465
(implicit TLS), wrong passwords, AUTH before TLS, MAIL before AUTH, sender
ownership (own address, +tag, aliases), remote recipients into the queue."""

import base64
import smtplib
import unittest

from harness import (CopperServer, CopperTestCase, auth_plain, b64, message, unique,
                     unverified_context)

DEMO = "demo@example.test"
DEMO_PW = "demo-password-1"
OTHER = "other@example.test"
OTHER_PW = "other-password-1"


class SubmissionTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(
            users={DEMO: DEMO_PW, OTHER: OTHER_PW},
            aliases={"info@example.test": [DEMO, "friend@remote.example"],
                     "sales@example.test": [OTHER]},
            # Failed logins here are deliberate; rate limiting has its own test.
            config={"auth": {"max_failures_per_ip": 1000, "max_failures_per_account": 1000}})
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def stored_with(self, address, marker):
        return [m for m in self.server.messages_for(address) if marker.encode() in m]

    def submission(self):
        """smtplib on 587, after STARTTLS."""
        c = self.server.smtp("submission")
        c.ehlo("client.example")
        self.assertTrue(c.has_extn("starttls"))
        self.assertFalse(c.has_extn("auth"), "AUTH offered before TLS")
        self.assertReply(c.starttls(context=unverified_context()), 220, "2.0.0")
        c.ehlo("client.example")
        self.assertFalse(c.has_extn("starttls"), "STARTTLS offered twice")
        self.assertEqual(sorted(c.esmtp_features["auth"].upper().split()), ["LOGIN", "PLAIN"])
        return c

    def test_starttls_on_mx(self):
        marker = unique("mxtls")
        with self.server.smtp("smtp") as c:
            c.ehlo("client.example")
            self.assertTrue(c.has_extn("starttls"))
            self.assertReply(c.starttls(context=unverified_context()), 220)
            self.assertIn(c.sock.version(), ("TLSv1.2", "TLSv1.3"))
            c.ehlo("client.example")
            self.assertFalse(c.has_extn("auth"), "no AUTH on the MX port, even with TLS")
            self.assertEqual(c.sendmail("a@remote.example", [OTHER], message("tls", marker)), {})
            c.quit()
        stored = self.stored_with(OTHER, marker)
        self.assertEqual(len(stored), 1)
        header = stored[0].split(b"\r\n\r\n", 1)[0]
        self.assertIn(b"with ESMTPS ", header)  # RFC 3848
        self.assertIn(b"(using TLS", header)

    def test_starttls_twice_refused(self):
        with self.server.raw("submission") as c:
            c.ehlo()
            c.starttls()
            c.ehlo()
            self.assertReply(c.cmd("STARTTLS"), 503, "5.5.1")
            self.assertReply(c.cmd("NOOP"), 250)

    def test_auth_plain_587(self):
        marker = unique("plain587")
        with self.submission() as c:
            self.assertReply(c.login(DEMO, DEMO_PW), 235, "2.7.0")
            self.assertEqual(c.sendmail(DEMO, [OTHER], message("p587", marker, DEMO, OTHER)), {})
            c.quit()
        stored = self.stored_with(OTHER, marker)
        self.assertEqual(len(stored), 1)
        self.assertIn(b"with ESMTPSA ", stored[0].split(b"\r\n\r\n", 1)[0])
        self.assertTrue(stored[0].startswith(f"Return-Path: <{DEMO}>".encode()))

    def test_auth_login_587(self):
        marker = unique("login587")
        with self.submission() as c:
            c.user, c.password = OTHER, OTHER_PW
            self.assertReply(c.auth("LOGIN", c.auth_login, initial_response_ok=False), 235, "2.7.0")
            self.assertEqual(c.sendmail(OTHER, [DEMO], message("l587", marker, OTHER, DEMO)), {})
            c.quit()
        self.assertEqual(len(self.stored_with(DEMO, marker)), 1)

    def test_auth_plain_465(self):
        marker = unique("plain465")
        with self.server.smtp("submissions") as c:
            c.ehlo("client.example")
            self.assertFalse(c.has_extn("starttls"), "STARTTLS offered inside TLS")
            self.assertIn("PLAIN", c.esmtp_features.get("auth", "").upper())
            c.user, c.password = DEMO, DEMO_PW
            self.assertReply(c.auth("PLAIN", c.auth_plain), 235, "2.7.0")
            self.assertEqual(c.sendmail(DEMO, [OTHER], message("p465", marker, DEMO, OTHER)), {})
            c.quit()
        self.assertEqual(len(self.stored_with(OTHER, marker)), 1)

    def test_auth_login_465(self):
        marker = unique("login465")
        with self.server.smtp("submissions") as c:
            c.ehlo("client.example")
            c.user, c.password = DEMO, DEMO_PW
            self.assertReply(c.auth("LOGIN", c.auth_login), 235, "2.7.0")
            self.assertEqual(c.sendmail(DEMO, [OTHER], message("l465", marker, DEMO, OTHER)), {})
            c.quit()
        self.assertEqual(len(self.stored_with(OTHER, marker)), 1)

    def test_auth_exchanges_raw(self):
        with self.server.raw("submissions") as c:
            c.ehlo()
            # PLAIN without initial response: empty 334, then the response.
            r = c.cmd("AUTH PLAIN")
            self.assertReply(r, 334)
            self.assertReply(c.cmd(auth_plain(DEMO, DEMO_PW)), 235, "2.7.0")
            self.assertReply(c.cmd("AUTH PLAIN " + auth_plain(DEMO, DEMO_PW)), 503, "5.5.1")
        with self.server.raw("submissions") as c:
            c.ehlo()
            # LOGIN with the user name as initial response (RFC 4954 4).
            self.assertReply(c.cmd("AUTH LOGIN " + b64(DEMO)), 334)
            self.assertReply(c.cmd(b64(DEMO_PW)), 235)
        with self.server.raw("submissions") as c:
            c.ehlo()
            self.assertReply(c.cmd("AUTH LOGIN"), 334)
            self.assertReply(c.cmd("*"), 501)  # cancelled by the client
            self.assertReply(c.cmd("AUTH CRAM-MD5"), 504)
            self.assertReply(c.cmd("AUTH PLAIN !!!notbase64"), 501)
            # An authzid other than the user is refused (no proxy authorisation).
            proxy = base64.b64encode(f"{OTHER}\0{DEMO}\0{DEMO_PW}".encode()).decode()
            self.assertReply(c.cmd("AUTH PLAIN " + proxy), 535, "5.7.8")
            self.assertReply(c.cmd("MAIL FROM:<" + OTHER + ">"), 530, "5.7.0")

    def test_wrong_password(self):
        for listener in ("submission", "submissions"):
            with self.subTest(listener=listener):
                c = self.submission() if listener == "submission" else self.server.smtp(listener)
                with c:
                    c.ehlo("client.example")
                    with self.assertRaises(smtplib.SMTPAuthenticationError) as cm:
                        c.login(DEMO, "not-the-password")
                    self.assertEqual(cm.exception.smtp_code, 535)
                    self.assertTrue(cm.exception.smtp_error.startswith(b"5.7.8"))
                    with self.assertRaises(smtplib.SMTPAuthenticationError):
                        c.login("nobody@example.test", DEMO_PW)
                    # Still unauthenticated: MAIL is refused.
                    self.assertReply(c.docmd("MAIL", f"FROM:<{DEMO}>"), 530, "5.7.0")
        self.assertIn("event=auth_failed", self.server.log())
        self.assertNotIn("not-the-password", self.server.log(), "a password was logged")

    def test_auth_before_tls_refused(self):
        with self.server.smtp("submission") as c:
            c.ehlo("client.example")
            self.assertFalse(c.has_extn("auth"))
            self.assertReply(c.docmd("AUTH", "PLAIN " + auth_plain(DEMO, DEMO_PW)), 538, "5.7.11")
            self.assertReply(c.docmd("AUTH", "LOGIN"), 538, "5.7.11")
            self.assertReply(c.docmd("MAIL", f"FROM:<{DEMO}>"), 530, "5.7.0")

    def test_mail_before_auth_refused(self):
        with self.submission() as c:
            self.assertReply(c.docmd("MAIL", f"FROM:<{DEMO}>"), 530, "5.7.0")
            self.assertReply(c.docmd("RCPT", f"TO:<{OTHER}>"), 503)
        with self.server.smtp("submissions") as c:
            c.ehlo("client.example")
            with self.assertRaises(smtplib.SMTPSenderRefused) as cm:
                c.sendmail(DEMO, [OTHER], message("x", "y"))
            self.assertEqual(cm.exception.smtp_code, 530)

    def test_tls_session_forgets_plaintext_state(self):
        # RFC 3207 4.2: after STARTTLS the client must EHLO again.
        with self.server.raw("submission") as c:
            c.ehlo()
            c.starttls()
            self.assertReply(c.cmd("AUTH PLAIN " + auth_plain(DEMO, DEMO_PW)), 503, "5.5.1")
            c.ehlo()
            self.assertReply(c.cmd("AUTH PLAIN " + auth_plain(DEMO, DEMO_PW)), 235)

    def test_sender_ownership(self):
        with self.submission() as c:
            c.login(DEMO, DEMO_PW)
            refused = {"other@example.test", "sales@example.test", "someone@remote.example",
                       "demox@example.test"}
            allowed = {DEMO, "Demo@Example.Test", "demo+tag@example.test", "info@example.test",
                       "info+tag@example.test"}
            for sender in sorted(refused):
                with self.subTest(sender=sender):
                    self.assertReply(c.docmd("MAIL", f"FROM:<{sender}>"), 553, "5.7.1")
            for sender in sorted(allowed):
                with self.subTest(sender=sender):
                    self.assertReply(c.docmd("MAIL", f"FROM:<{sender}>"), 250, "2.1.0")
                    self.assertReply(c.docmd("RSET"), 250)
            with self.assertRaises(smtplib.SMTPSenderRefused) as cm:
                c.sendmail(OTHER, [DEMO], message("spoof", "spoofed body", OTHER, DEMO))
            self.assertEqual(cm.exception.smtp_code, 553)
        self.assertIn("event=sender_refused", self.server.log())

    def test_alias_sender_delivers(self):
        marker = unique("alias-sender")
        with self.submission() as c:
            c.login(OTHER, OTHER_PW)
            self.assertEqual(c.sendmail("sales@example.test", [DEMO],
                                        message("from alias", marker, "sales@example.test", DEMO)),
                             {})
            c.quit()
        stored = self.stored_with(DEMO, marker)
        self.assertEqual(len(stored), 1)
        self.assertTrue(stored[0].startswith(b"Return-Path: <sales@example.test>\r\n"))

    def test_remote_recipient_queued(self):
        marker = unique("remote")
        with self.submission() as c:
            c.login(DEMO, DEMO_PW)
            refused = c.sendmail(DEMO, ["friend@remote.example", OTHER, "pal@elsewhere.example"],
                                 message("out", marker, DEMO, "friend@remote.example"))
            self.assertEqual(refused, {})
            c.quit()
        queued = [q for q in self.server.queue_list() if q["sender"] == DEMO]
        self.assertEqual(len(queued), 1, queued)
        self.assertEqual(sorted(queued[0]["recipients"]),
                         ["friend@remote.example", "pal@elsewhere.example"])
        self.assertEqual(queued[0]["attempts"], 0)
        # The local copy and the queued copy share one blob.
        local = [r for r, raw in zip(self.server.message_rows_for(OTHER),
                                     self.server.messages_for(OTHER)) if marker.encode() in raw]
        self.assertEqual(len(local), 1)
        blob_id = local[0][1]
        (qblob, refs), = self.server.query(
            "SELECT q.blob_id, b.refs FROM queue q JOIN blobs b ON b.id = q.blob_id "
            "WHERE q.id = ?", int(queued[0]["id"]))
        self.assertEqual(qblob, blob_id)
        self.assertEqual(refs, 2)

    def test_unauthenticated_cannot_relay_through_submission(self):
        with self.server.raw("submission") as c:
            c.ehlo()
            c.starttls()
            c.ehlo()
            self.assertReply(c.cmd("MAIL FROM:<a@remote.example>"), 530, "5.7.0")
            self.assertReply(c.cmd("RCPT TO:<friend@remote.example>"), 503)


class PlaintextOnLoopbackTest(CopperTestCase):
    def test_auth_without_tls_when_allowed(self):
        marker = unique("plaintext")
        with CopperServer(users={DEMO: DEMO_PW, OTHER: OTHER_PW},
                          config={"auth": {"plaintext_on_loopback": True}},
                          listeners=["submission"]) as server:
            with server.smtp("submission") as c:
                c.ehlo("client.example")
                self.assertIn("PLAIN", c.esmtp_features.get("auth", "").upper())
                self.assertReply(c.login(DEMO, DEMO_PW), 235)
                self.assertEqual(c.sendmail(DEMO, [OTHER], message("pt", marker, DEMO, OTHER)), {})
                c.quit()
            stored = [m for m in server.messages_for(OTHER) if marker.encode() in m]
            self.assertEqual(len(stored), 1)
            self.assertIn(b"with ESMTPA ", stored[0])


if __name__ == "__main__":
    unittest.main()
