"""TLS material: the generated self-signed certificate, a configured
certificate, SIGHUP reload (and a failed reload keeping the old one), and
a missing certificate stopping the server at startup."""

import os
import shutil
import signal
import socket
import ssl
import tempfile
import unittest

from harness import HOST, CopperServer, CopperTestCase, ServerError, unverified_context


def served_cert(port):
    """The DER certificate the server presents on an implicit-TLS port."""
    with socket.create_connection((HOST, port), timeout=10) as raw:
        with unverified_context().wrap_socket(raw) as s:
            return s.getpeercert(binary_form=True)


def file_cert(path):
    with open(path, encoding="ascii") as f:
        return ssl.PEM_cert_to_DER_cert(f.read())


class TlsTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.spare = tempfile.mkdtemp(prefix="copper-it-spare-")
        cls.addClassCleanup(shutil.rmtree, cls.spare, True)

    def spare_server(self):
        """A second certificate: the one a throwaway server generates, copied out."""
        with CopperServer(hostname="other-host.example.test", listeners=["submissions"]) as d:
            for name in ("cert.pem", "key.pem"):
                shutil.copy(os.path.join(d.data_dir, "tls", name), self.spare)
        return os.path.join(self.spare, "cert.pem"), os.path.join(self.spare, "key.pem")

    def test_self_signed_certificate_is_generated_and_kept(self):
        with CopperServer(listeners=["submissions"]) as server:
            cert_file = os.path.join(server.data_dir, "tls", "cert.pem")
            self.assertTrue(os.path.exists(cert_file))
            first = served_cert(server.port("submissions"))
            self.assertEqual(first, file_cert(cert_file))
            key_mode = os.stat(os.path.join(server.data_dir, "tls", "key.pem")).st_mode & 0o777
            self.assertEqual(key_mode & 0o077, 0, f"private key mode {key_mode:o}")
            server.restart()
            self.assertEqual(served_cert(server.port("submissions")), first,
                             "a restart must reuse the generated certificate")

    def test_configured_certificate(self):
        cert, key = self.spare_server()
        with CopperServer(listeners=["submissions", "submission"],
                          config={"tls": {"cert": cert, "key": key}}) as server:
            self.assertEqual(served_cert(server.port("submissions")), file_cert(cert))
            self.assertFalse(os.path.exists(os.path.join(server.data_dir, "tls", "cert.pem")),
                             "no self-signed certificate when one is configured")
            with server.raw("submission") as c:
                c.ehlo()
                c.starttls()
                self.assertEqual(c.sock.getpeercert(binary_form=True), file_cert(cert))

    def test_sighup_reloads_certificate(self):
        cert, key = self.spare_server()
        with CopperServer(listeners=["submissions"]) as server:
            tls_dir = os.path.join(server.data_dir, "tls")
            old = served_cert(server.port("submissions"))
            existing = server.raw("submissions")
            existing.ehlo()
            shutil.copy(key, os.path.join(tls_dir, "key.pem"))
            shutil.copy(cert, os.path.join(tls_dir, "cert.pem"))
            server.signal(signal.SIGHUP)
            server.wait_for_log(r"event=reload what=tls")
            new = served_cert(server.port("submissions"))
            self.assertNotEqual(new, old)
            self.assertEqual(new, file_cert(cert))
            with existing:  # sessions from before the reload go on
                self.assertReply(existing.cmd("NOOP"), 250)

    def test_failed_reload_keeps_old_certificate(self):
        with CopperServer(listeners=["submissions"]) as server:
            old = served_cert(server.port("submissions"))
            with open(os.path.join(server.data_dir, "tls", "cert.pem"), "w") as f:
                f.write("-----BEGIN CERTIFICATE-----\nnot a certificate\n")
            server.signal(signal.SIGHUP)
            server.wait_for_log(r"event=reload_failed what=tls")
            self.assertTrue(server.running)
            self.assertEqual(served_cert(server.port("submissions")), old)

    def test_missing_certificate_stops_startup(self):
        missing = "/nonexistent/copper-test/cert.pem"
        server = CopperServer(listeners=["submissions"],
                              config={"tls": {"cert": missing, "key": missing + ".key"}})
        with self.assertRaises(ServerError):
            with server:
                pass
        self.assertNotEqual(server.exit_codes[-1], 0)
        self.assertIn(missing, server.log())
        self.assertNotIn("event=started", server.log())


if __name__ == "__main__":
    unittest.main()
