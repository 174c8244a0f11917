"""HTTP(S) against the real server with Python's http.client and curl
(clients we did not write), and raw sockets for malformed requests: keep-alive
and its per-connection bound, the header/body/syntax limits (431/413/400),
404/405, plain http redirecting to https except /healthz and /.well-known/,
security headers, /healthz, /metrics in the Prometheus text format with
counters that move after SMTP traffic and a failed login, Thunderbird
autoconfig and Autodiscover reflecting the real listeners, and drain on
SIGTERM."""

import contextlib
import http.client
import os
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
import unittest
import xml.etree.ElementTree as ET

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase, message,
                     unique, unverified_context, wait_until)

LISTENERS = ("smtp", "submission", "submissions", "imaps", "pop3", "http", "https")
CONFIG = {"http": {"max_requests_per_connection": 3, "max_header_size": 4096,
                   "max_body_size": 2048}}
CSP = ("default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
       "object-src 'none'")
METRIC_LINE = re.compile(r'^(copper_[a-zA-Z0-9_]+)(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf|NaN)$')
AUTODISCOVER_REQUEST = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/'
    'requestschema/2006"><Request><EMailAddress>{}</EMailAddress>'
    '<AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/'
    'responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>')
AD_NS = "{http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a}"


def raw_exchange(port, data, tls=False):
    """Sends bytes, returns everything the server sends until it closes."""
    sock = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
    if tls:
        sock = unverified_context().wrap_socket(sock)
    with sock:
        sock.sendall(data)
        out = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            out += chunk
    return out


def status_of(raw):
    return int(raw.split(b" ", 2)[1])


class HttpTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(listeners=LISTENERS, config=CONFIG).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        cls.server.cleanup()
        if code != 0:
            raise AssertionError(f"copper exited with {code} on SIGTERM")

    def https(self):
        return http.client.HTTPSConnection(HOST, self.server.port("https"), timeout=IO_TIMEOUT,
                                           context=unverified_context())

    def plain(self):
        return http.client.HTTPConnection(HOST, self.server.port("http"), timeout=IO_TIMEOUT)

    def get(self, conn, path, method="GET", body=None, headers=None):
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        return res, res.read()

    def metrics(self):
        conn = self.https()
        try:
            res, body = self.get(conn, "/metrics")
        finally:
            conn.close()
        self.assertEqual(res.status, 200)
        self.assertTrue(res.getheader("Content-Type").startswith("text/plain; version=0.0.4"))
        values = {}
        for line in body.decode().splitlines():
            if line.startswith("#"):
                self.assertRegex(line, r"^# (HELP|TYPE) copper_[a-z0-9_]+ ")
                continue
            m = METRIC_LINE.match(line)
            self.assertIsNotNone(m, f"not a metric line: {line!r}")
            values[m.group(1) + (m.group(2) or "")] = float(m.group(3))
        return values

    # ---- keep-alive and limits ----------------------------------------

    def test_keep_alive_serves_several_requests_then_closes_at_the_bound(self):
        conn = self.https()
        try:
            res, body = self.get(conn, "/healthz")
            sock = conn.sock
            self.assertEqual(res.status, 200)
            self.assertEqual(res.getheader("Connection"), "keep-alive")
            res, _ = self.get(conn, "/metrics")
            self.assertEqual(res.status, 200)
            self.assertIs(conn.sock, sock, "the second request reused the connection")
            conn.request("GET", "/healthz")
            self.assertIs(conn.sock, sock, "the third request reused the connection")
            res = conn.getresponse()
            res.read()
            self.assertEqual(res.status, 200)
            # max_requests_per_connection = 3: the third answer closes.
            self.assertEqual(res.getheader("Connection"), "close")
        finally:
            conn.close()

    def test_pipelined_requests_are_answered_in_order(self):
        req = (b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
               b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        out = raw_exchange(self.server.port("https"), req, tls=True)
        codes = [int(c) for c in re.findall(rb"^HTTP/1\.1 (\d{3}) ", out, re.M)]
        self.assertEqual(codes, [200, 404, 200])

    def test_header_too_large_is_431(self):
        req = (b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 8000 + b"\r\n\r\n")
        out = raw_exchange(self.server.port("https"), req, tls=True)
        self.assertEqual(status_of(out), 431, out[:200])
        self.assertIn(b"Connection: close", out)

    def test_body_too_large_is_413(self):
        conn = self.https()
        try:
            res, body = self.get(conn, "/autodiscover/autodiscover.xml", "POST",
                                 body=b"x" * 5000, headers={"Content-Type": "text/xml"})
            self.assertEqual(res.status, 413)
            self.assertIn(b"error", body)
        finally:
            conn.close()
        chunked = (b"POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: x\r\n"
                   b"Transfer-Encoding: chunked\r\n\r\n" + (b"400\r\n" + b"y" * 1024 + b"\r\n") * 3
                   + b"0\r\n\r\n")
        self.assertEqual(status_of(raw_exchange(self.server.port("https"), chunked, tls=True)), 413)

    def test_curl_post_with_expect_100_continue(self):
        body = AUTODISCOVER_REQUEST.format("carol@example.test")
        out = subprocess.run(
            ["curl", "-sS", "-v", "-k", "--max-time", "10", "-H", "Expect: 100-continue", "-H",
             "Content-Type: text/xml", "--data-binary", body, "-w", "\\n%{http_code}",
             f"https://{HOST}:{self.server.port('https')}/autodiscover/autodiscover.xml"],
            capture_output=True, text=True, timeout=IO_TIMEOUT, check=True)
        xml_text, _, code = out.stdout.rpartition("\n")
        self.assertEqual(code, "200")
        self.assertIn("<LoginName>carol@example.test</LoginName>", xml_text)
        self.assertIn("< HTTP/1.1 100 Continue", out.stderr)

    def test_responses_carry_a_date(self):
        conn = self.https()
        try:
            res, _ = self.get(conn, "/healthz")
            self.assertRegex(res.getheader("Date"),
                             r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")
        finally:
            conn.close()

    def test_malformed_requests_are_400(self):
        for req in (b"GARBAGE\r\n\r\n", b"GET /healthz HTTP/9.9\r\n\r\n",
                    b"GET http://example.org/healthz HTTP/1.1\r\nHost: x\r\n\r\n",
                    b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n"):
            out = raw_exchange(self.server.port("https"), req, tls=True)
            self.assertEqual(status_of(out), 400, f"{req!r} -> {out[:200]!r}")
        # The server is still fine.
        conn = self.https()
        try:
            self.assertEqual(self.get(conn, "/healthz")[0].status, 200)
        finally:
            conn.close()

    def test_unknown_path_is_404_and_wrong_method_405(self):
        conn = self.https()
        try:
            res, body = self.get(conn, "/no/such/path")
            self.assertEqual(res.status, 404)
            self.assertEqual(res.getheader("Content-Type"), "application/json")
            self.assertIn(b'"error"', body)
            res, _ = self.get(conn, "/healthz", "POST", body=b"")
            self.assertEqual(res.status, 405)
            self.assertEqual(res.getheader("Allow"), "GET, HEAD")
            res, _ = self.get(conn, "/autodiscover/autodiscover.xml")
            self.assertEqual(res.status, 405)
            self.assertEqual(res.getheader("Allow"), "POST")
        finally:
            conn.close()

    # ---- plain http ------------------------------------------------------

    def test_plain_http_redirects_to_https_except_health_and_well_known(self):
        https_port = self.server.port("https")
        conn = self.plain()
        try:
            for path in ("/admin/", "/mail/?a=b", "/metrics", "/nope"):
                res, _ = self.get(conn, path)
                self.assertEqual(res.status, 308, path)
                self.assertEqual(res.getheader("Location"),
                                 f"https://{HOST}:{https_port}{path}")
            res, body = self.get(conn, "/healthz")
            self.assertEqual(res.status, 200)
            self.assertIsNone(res.getheader("Strict-Transport-Security"))
            self.assertEqual(res.getheader("Content-Security-Policy"), CSP)
            res, body = self.get(conn, "/.well-known/autoconfig/mail/config-v1.1.xml")
            self.assertEqual(res.status, 200)
            ET.fromstring(body)
            res, _ = self.get(conn, "/.well-known/unknown")
            self.assertEqual(res.status, 404)
        finally:
            conn.close()

    def test_curl_follows_the_redirect(self):
        url = f"http://{HOST}:{self.server.port('http')}/admin/"
        out = subprocess.run(["curl", "-sS", "-k", "-L", "-o", "/dev/null", "-w",
                              "%{http_code} %{num_redirects} %{url_effective}", url],
                             capture_output=True, text=True, timeout=IO_TIMEOUT, check=True)
        self.assertEqual(out.stdout,
                         f"200 1 https://{HOST}:{self.server.port('https')}/admin/")

    # ---- security headers and pages ---------------------------------------

    def test_security_headers_on_https(self):
        conn = self.https()
        try:
            for path in ("/healthz", "/admin/", "/nope"):
                res, _ = self.get(conn, path)
                self.assertEqual(res.getheader("Content-Security-Policy"), CSP, path)
                self.assertEqual(res.getheader("X-Content-Type-Options"), "nosniff", path)
                self.assertEqual(res.getheader("Referrer-Policy"), "no-referrer", path)
                self.assertTrue(res.getheader("Strict-Transport-Security", "")
                                .startswith("max-age="), path)
                self.assertIsNotNone(res.getheader("Cache-Control"), path)
        finally:
            conn.close()

    def test_placeholder_pages(self):
        conn = self.https()
        try:
            for path in ("/mail", "/admin"):
                res, _ = self.get(conn, path)
                self.assertEqual(res.status, 308)
                self.assertEqual(res.getheader("Location"), path + "/")
            for path in ("/mail/", "/admin/"):
                res, body = self.get(conn, path)
                self.assertEqual(res.status, 200)
                self.assertTrue(res.getheader("Content-Type").startswith("text/html"))
                self.assertIn(b"<!doctype html>", body)
            res, body = self.get(conn, "/admin/", "HEAD")
            self.assertEqual(res.status, 200)
            self.assertEqual(body, b"")
            self.assertGreater(int(res.getheader("Content-Length")), 0)
        finally:
            conn.close()

    def test_healthz(self):
        out = subprocess.run(["curl", "-sS", "-k", "-i",
                              f"https://{HOST}:{self.server.port('https')}/healthz"],
                             capture_output=True, text=True, timeout=IO_TIMEOUT, check=True)
        self.assertTrue(out.stdout.startswith("HTTP/1.1 200"), out.stdout)
        self.assertIn("content-type: application/json", out.stdout.lower())
        self.assertTrue(out.stdout.rstrip().endswith('{"status":"ok"}'), out.stdout)

    # ---- metrics -----------------------------------------------------------

    def test_queue_age_grows_while_a_message_waits(self):
        # Outbound delivery does not exist yet: a remote recipient stays queued.
        with self.server.smtp("submissions") as s:
            s.login("demo@example.test", DEFAULT_PASSWORD)
            s.sendmail("demo@example.test", ["someone@remote.example"],
                       message(unique(), "queued").encode())
        self.assertGreaterEqual(self.metrics()["copper_queue_messages"], 1)
        wait_until(lambda: self.metrics()["copper_queue_oldest_age_seconds"] >= 1, timeout=10,
                   interval=0.2, message="the queue's age to reach 1 s")

    def test_metrics_format_and_counters_move(self):
        before = self.metrics()
        for name in ('copper_connections_open{protocol="https"}',
                     'copper_queue_messages', 'copper_store_size_bytes'):
            self.assertIn(name, before)
        self.assertGreater(before["copper_store_size_bytes"], 0)
        self.assertIn("copper_http_request_duration_seconds_count", before)

        # SMTP traffic: one message accepted, one recipient refused.
        with self.server.smtp() as s:
            s.sendmail("sender@remote.example", ["demo@example.test"],
                       message(unique(), "hi").encode())
            self.assertEqual(s.mail("a@remote.example")[0], 250)
            self.assertEqual(s.rcpt("nobody@example.test")[0], 550)
            s.rset()
        # A failed login over submissions.
        with self.server.smtp("submissions") as s:
            s.ehlo()
            # One AUTH PLAIN (login() would go on to try LOGIN as well).
            s.user, s.password = "demo@example.test", "wrong password"
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                s.auth("PLAIN", s.auth_plain)

        after = self.metrics()

        def delta(name):
            return after.get(name, 0) - before.get(name, 0)

        self.assertEqual(delta("copper_smtp_messages_received_total"), 1)
        self.assertEqual(delta('copper_messages_delivered_total{destination="mailbox"}'), 1)
        self.assertEqual(delta('copper_smtp_messages_rejected_total{reason="unknown_recipient"}'),
                         1)
        self.assertEqual(delta('copper_auth_failures_total{protocol="smtp"}'), 1)
        self.assertGreaterEqual(delta('copper_connections_accepted_total{protocol="smtp"}'), 1)
        self.assertGreaterEqual(
            delta('copper_connections_accepted_total{protocol="submissions"}'), 1)
        self.assertGreaterEqual(delta('copper_http_requests_total{route="metrics",code="2xx"}'), 1)
        self.assertGreater(after["copper_http_request_duration_seconds_count"],
                           before["copper_http_request_duration_seconds_count"])
        # The server may still be closing the SMTP sessions: wait for it.
        wait_until(lambda: self.metrics()['copper_connections_open{protocol="smtp"}'] == 0,
                   message="SMTP connections to be closed")

    def test_error_responses_are_counted_by_class(self):
        before = self.metrics()
        conn = self.https()
        try:
            self.get(conn, "/definitely-missing")
        finally:
            conn.close()
        after = self.metrics()
        key = 'copper_http_requests_total{route="none",code="4xx"}'
        self.assertEqual(after[key] - before[key], 1)

    # ---- autoconfiguration ---------------------------------------------

    def test_thunderbird_autoconfig_reflects_listeners(self):
        conn = self.https()
        try:
            for path in ("/.well-known/autoconfig/mail/config-v1.1.xml",
                         "/mail/config-v1.1.xml"):
                res, body = self.get(conn, path + "?emailaddress=alice%40corp.example")
                self.assertEqual(res.status, 200, path)
                self.assertTrue(res.getheader("Content-Type").startswith("application/xml"))
                root = ET.fromstring(body)
                provider = root.find("emailProvider")
                self.assertEqual(provider.get("id"), "corp.example")
                self.assertEqual(provider.findtext("domain"), "corp.example")
                servers = [(s.tag, s.get("type"), s.findtext("hostname"), int(s.findtext("port")),
                            s.findtext("socketType"))
                           for s in provider if s.tag in ("incomingServer", "outgoingServer")]
                host = self.server.hostname
                self.assertEqual(servers, [
                    ("incomingServer", "imap", host, self.server.port("imaps"), "SSL"),
                    ("incomingServer", "pop3", host, self.server.port("pop3"), "STARTTLS"),
                    ("outgoingServer", "smtp", host, self.server.port("submissions"), "SSL"),
                    ("outgoingServer", "smtp", host, self.server.port("submission"), "STARTTLS"),
                ])
                # The MX listener is not for clients.
                self.assertNotIn(str(self.server.port("smtp")).encode(), body)
        finally:
            conn.close()

    def test_autoconfig_escapes_the_email_address(self):
        conn = self.https()
        try:
            res, body = self.get(conn, "/mail/config-v1.1.xml?emailaddress=%3Cx%3E%40a%22b")
            self.assertEqual(res.status, 200)
            root = ET.fromstring(body)  # still well-formed
            self.assertEqual(root.find("emailProvider").get("id"), self.server.hostname)
        finally:
            conn.close()

    def test_autodiscover(self):
        conn = self.https()
        try:
            res, body = self.get(conn, "/autodiscover/autodiscover.xml", "POST",
                                 body=AUTODISCOVER_REQUEST.format("bob@example.test").encode(),
                                 headers={"Content-Type": "text/xml"})
            self.assertEqual(res.status, 200)
            root = ET.fromstring(body)
            protocols = root.findall(f"./{AD_NS}Response/{AD_NS}Account/{AD_NS}Protocol")
            got = [(p.findtext(f"{AD_NS}Type"), int(p.findtext(f"{AD_NS}Port")),
                    p.findtext(f"{AD_NS}LoginName"), p.findtext(f"{AD_NS}Server"))
                   for p in protocols]
            self.assertIn(("IMAP", self.server.port("imaps"), "bob@example.test",
                           self.server.hostname), got)
            self.assertIn(("SMTP", self.server.port("submission"), "bob@example.test",
                           self.server.hostname), got)
            self.assertEqual(len(got), 4)
            res, body = self.get(conn, "/autodiscover/autodiscover.xml", "POST",
                                 body=b"<Request>nothing</Request>")
            self.assertEqual(res.status, 400)
        finally:
            conn.close()


class HttpTimeoutTest(CopperTestCase):
    def test_stalled_request_gets_408_and_idle_connection_closes(self):
        config = {"http": {"request_timeout": 1, "idle_timeout": 2}}
        with CopperServer(listeners=("smtp", "http"), config=config) as server:
            with socket.create_connection((HOST, server.port("http")), timeout=IO_TIMEOUT) as s:
                started = time.monotonic()
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # never finished
                out = b""
                while chunk := s.recv(4096):
                    out += chunk
                self.assertEqual(status_of(out), 408, out)
                self.assertLess(time.monotonic() - started, IO_TIMEOUT)
            with socket.create_connection((HOST, server.port("http")), timeout=IO_TIMEOUT) as s:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                out = b""
                # The answer, then the server closes the idle keep-alive connection.
                while chunk := s.recv(4096):
                    out += chunk
                self.assertEqual(status_of(out), 200, out)


def served_cert(port):
    with socket.create_connection((HOST, port), timeout=IO_TIMEOUT) as raw:
        with unverified_context().wrap_socket(raw) as s:
            return s.getpeercert(binary_form=True)


class HttpReloadTest(CopperTestCase):
    def test_sighup_reloads_the_https_certificate(self):
        spare = tempfile.mkdtemp(prefix="copper-it-spare-")
        self.addCleanup(shutil.rmtree, spare, True)
        with CopperServer(hostname="other-host.example.test", listeners=["https"]) as other:
            for name in ("cert.pem", "key.pem"):
                shutil.copy(os.path.join(other.data_dir, "tls", name), spare)
        with CopperServer(listeners=("smtp", "https")) as server:
            old = served_cert(server.port("https"))
            before = http.client.HTTPSConnection(HOST, server.port("https"), timeout=IO_TIMEOUT,
                                                 context=unverified_context())
            before.request("GET", "/healthz")
            before.getresponse().read()
            sock = before.sock
            tls_dir = os.path.join(server.data_dir, "tls")
            for name in ("key.pem", "cert.pem"):
                shutil.copy(os.path.join(spare, name), os.path.join(tls_dir, name))
            server.signal(signal.SIGHUP)
            server.wait_for_log(r"event=reload what=tls")
            new = served_cert(server.port("https"))
            self.assertNotEqual(new, old)
            with open(os.path.join(spare, "cert.pem"), encoding="ascii") as f:
                self.assertEqual(new, ssl.PEM_cert_to_DER_cert(f.read()))
            # A keep-alive connection from before the reload goes on.
            before.request("GET", "/healthz")
            self.assertIs(before.sock, sock)
            res = before.getresponse()
            res.read()
            self.assertEqual(res.status, 200)
            before.close()


class HttpDrainTest(CopperTestCase):
    def test_sigterm_closes_idle_keep_alive_connections_and_exits(self):
        with CopperServer(listeners=("smtp", "https")) as server:
            conn = http.client.HTTPSConnection(HOST, server.port("https"), timeout=IO_TIMEOUT,
                                               context=unverified_context())
            conn.request("GET", "/healthz")
            res = conn.getresponse()
            res.read()
            self.assertEqual(res.getheader("Connection"), "keep-alive")
            sock = conn.sock
            started = time.monotonic()
            server.signal(signal.SIGTERM)
            self.assertEqual(server.wait_exit(), 0)
            # Idle connections are not waited for until the 30 s drain bound.
            self.assertLess(time.monotonic() - started, 20)
            sock.settimeout(IO_TIMEOUT)
            try:
                self.assertEqual(sock.recv(1), b"")
            except (ConnectionResetError, OSError):
                pass
            conn.close()



class MetricsTokenTest(CopperTestCase):
    """[http] metrics_token: /metrics wants the bearer token, even from loopback."""

    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(listeners=("https",),
                                  config={"http": {"metrics_token": "s3cret-token"}}).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.server.cleanup()

    def scrape(self, headers):
        conn = http.client.HTTPSConnection(HOST, self.server.port("https"), timeout=IO_TIMEOUT,
                                           context=unverified_context())
        with contextlib.closing(conn):
            conn.request("GET", "/metrics", headers=headers)
            res = conn.getresponse()
            return res, res.read()

    def test_metrics_need_the_token(self):
        res, _ = self.scrape({})
        self.assertEqual(res.status, 401)
        self.assertIn("Bearer", res.getheader("WWW-Authenticate", ""))
        res, _ = self.scrape({"Authorization": "Bearer s3cret-toke"})
        self.assertEqual(res.status, 401)
        res, _ = self.scrape({"Authorization": "Bearer s3cret-tokenX"})
        self.assertEqual(res.status, 401)
        res, body = self.scrape({"Authorization": "Bearer s3cret-token"})
        self.assertEqual(res.status, 200)
        self.assertIn(b"copper_", body)

if __name__ == "__main__":
    unittest.main()
