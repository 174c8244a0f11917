"""Per-session and server limits: [smtp] max_recipients, max_errors,
idle_timeout, max_line_length, and [limits] max_connections /
max_connections_per_ip."""

import contextlib
import socket
import time
import unittest

from harness import HOST, CopperServer, CopperTestCase, RawSMTP, unique


class SessionLimitsTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        users = {f"u{i}@example.test": "user-password-1" for i in range(5)}
        cls.server = CopperServer(users=users,
                                  config={"smtp": {"max_recipients": 3, "max_errors": 4,
                                                   "max_line_length": 1000}},
                                  listeners=["smtp"])
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def test_max_recipients(self):
        marker = unique("rcpts")
        with self.server.raw() as c:
            c.ehlo()
            self.assertReply(c.cmd("MAIL FROM:<sender@remote.example>"), 250)
            for i in range(3):
                self.assertReply(c.cmd(f"RCPT TO:<u{i}@example.test>"), 250, "2.1.5")
            # RFC 5321 4.5.3.1.10: 452, and the client retries later.
            self.assertReply(c.cmd("RCPT TO:<u3@example.test>"), 452, "4.5.3")
            self.assertReply(c.cmd("RCPT TO:<u4@example.test>"), 452, "4.5.3")
            self.assertReply(c.cmd("DATA"), 354)
            self.assertReply(c.cmd(f"Subject: r\r\n\r\n{marker}\r\n."), 250)
            # The limit is per transaction: the retry gets through.
            self.assertReply(c.cmd("MAIL FROM:<sender@remote.example>"), 250)
            self.assertReply(c.cmd("RCPT TO:<u3@example.test>"), 250)
            self.assertReply(c.cmd("RCPT TO:<u4@example.test>"), 250)
        for i in range(3):
            self.assertEqual(len([m for m in self.server.messages_for(f"u{i}@example.test")
                                  if marker.encode() in m]), 1)
        for i in (3, 4):
            self.assertEqual([m for m in self.server.messages_for(f"u{i}@example.test")
                              if marker.encode() in m], [])

    def test_max_errors(self):
        with self.server.raw() as c:
            c.ehlo()
            for i in range(3):
                self.assertReply(c.cmd(f"BOGUS{i}"), 500)
            # The 4th failed command (max_errors = 4) ends the session.
            self.assertReply(c.cmd("RCPT TO:<u0@example.test>"), 503)
            r = c.reply()
            self.assertReply(r, 421, "4.7.0")
            self.assertEqual(c.read_until_closed(), b"", "the server must close after 421")
        self.assertIn("event=too_many_errors", self.server.log())

    def test_max_errors_counts_refused_recipients(self):
        # Recipient probing (dictionary attacks) counts as errors too.
        with self.server.raw() as c:
            c.ehlo()
            c.cmd("MAIL FROM:<sender@remote.example>")
            codes = [c.cmd(f"RCPT TO:<guess{i}@example.test>").code for i in range(4)]
            self.assertEqual(codes, [550] * 4)
            self.assertReply(c.reply(), 421, "4.7.0")
            self.assertEqual(c.read_until_closed(), b"")

    def test_successful_commands_are_not_errors(self):
        with self.server.raw() as c:
            for _ in range(10):
                self.assertReply(c.cmd("NOOP"), 250)
            self.assertReply(c.cmd("QUIT"), 221)

    def test_line_too_long(self):
        with self.server.raw() as c:
            c.ehlo()
            self.assertReply(c.cmd("NOOP " + "x" * 20000), 500, "5.5.2")
            self.assertReply(c.cmd("NOOP"), 250)

    def test_message_line_length(self):
        # max_line_length = 1000 here; RFC 5321 4.5.3.1.6 allows 998 + CRLF.
        ok, long = unique("line-ok"), unique("line-long")
        with self.server.raw() as c:
            for marker, line, code in ((ok, "a" * 998, 250), (long, "b" * 3000, 500)):
                c.ehlo()
                c.cmd("MAIL FROM:<sender@remote.example>")
                c.cmd("RCPT TO:<u0@example.test>")
                self.assertReply(c.cmd("DATA"), 354)
                c.send(f"Subject: lines\r\n\r\n{marker}\r\n{line}\r\n.\r\n")
                self.assertEqual(c.reply().code, code)
        stored = b"".join(self.server.messages_for("u0@example.test"))
        self.assertIn(ok.encode(), stored)
        self.assertNotIn(long.encode(), stored)


class IdleTimeoutTest(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(config={"smtp": {"idle_timeout": 1}},
                                  listeners=["smtp", "submissions"])
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def test_idle_timeout(self):
        for listener in ("smtp", "submissions"):
            with self.subTest(listener=listener):
                with self.server.raw(listener, timeout=10) as c:
                    c.ehlo()
                    start = time.monotonic()
                    r = c.reply()  # nothing sent: wait for the server to give up
                    elapsed = time.monotonic() - start
                    self.assertReply(r, 421, "4.4.2")
                    self.assertGreaterEqual(elapsed, 0.8)
                    self.assertLess(elapsed, 8)
                    self.assertEqual(c.read_until_closed(), b"")

    def test_idle_timeout_on_partial_line(self):
        with self.server.raw(timeout=10) as c:
            c.send("EHLO half-a-command")  # no CRLF, ever
            self.assertReply(c.reply(), 421, "4.4.2")
            self.assertEqual(c.read_until_closed(), b"")

    def test_tls_handshake_stall(self):
        # Slowloris on TLS: connect to 465, or say STARTTLS, then send nothing.
        for listener in ("submissions", "starttls"):
            with self.subTest(listener=listener):
                port = self.server.port("submissions" if listener == "submissions" else "smtp")
                with socket.create_connection((HOST, port), timeout=10) as s:
                    if listener == "starttls":
                        f = s.makefile("rb")
                        self.assertTrue(f.readline().startswith(b"220 "))
                        s.sendall(b"EHLO client.example\r\n")
                        line = b"250-"
                        while line.startswith(b"250-"):
                            line = f.readline()
                        self.assertTrue(line.startswith(b"250 "), line)
                        s.sendall(b"STARTTLS\r\n")
                        self.assertTrue(f.readline().startswith(b"220 "))
                    start = time.monotonic()
                    self.assertEqual(s.recv(100), b"", "the server must close the connection")
                    self.assertLess(time.monotonic() - start, 8)

    def test_activity_keeps_session_alive(self):
        with self.server.raw(timeout=10) as c:
            start = time.monotonic()
            while time.monotonic() - start < 2.5:  # longer than idle_timeout, in small steps
                self.assertReply(c.cmd("NOOP"), 250)
                with contextlib.suppress(socket.timeout):
                    c.sock.settimeout(0.3)
                    self.fail(f"unexpected data while active: {c.sock.recv(100)!r}")
                c.sock.settimeout(10)
            self.assertReply(c.cmd("QUIT"), 221)

    def test_timeout_during_data_stores_nothing(self):
        marker = unique("stalled")
        with self.server.raw(timeout=10) as c:
            c.ehlo()
            c.cmd("MAIL FROM:<sender@remote.example>")
            c.cmd("RCPT TO:<demo@example.test>")
            self.assertReply(c.cmd("DATA"), 354)
            c.send(f"Subject: stalled\r\n\r\n{marker}\r\n")
            data = c.read_until_closed(timeout=10)
            self.assertNotIn(b"250", data)
        self.assertNotIn(marker.encode(), b"".join(self.server.all_blobs()))


def open_connections(port, n, deadline=15.0):
    """n connections that all got a 220 greeting. Earlier connections (the
    harness's readiness probes) may take a moment to be released, so a 421
    here is retried until the deadline."""
    end = time.monotonic() + deadline
    while True:
        conns = []
        try:
            for _ in range(n):
                c = RawSMTP(HOST, port, timeout=10)
                conns.append(c)
                if c.greeting.code != 220:
                    raise ConnectionError(f"greeting {c.greeting}")
            return conns
        except (ConnectionError, OSError):
            for c in conns:
                c.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


class ConnectionLimitsTest(CopperTestCase):
    def check_limit(self, server, allowed):
        port = server.port("smtp")
        conns = open_connections(port, allowed)
        try:
            with RawSMTP(HOST, port, timeout=10, greeting=False) as extra:
                data = extra.read_until_closed()
                self.assertTrue(data.startswith(b"421 4.7.0 "), data)
                self.assertEqual(data.count(b"\r\n"), 1, data)
            # The admitted sessions are unaffected.
            for c in conns:
                self.assertReply(c.cmd("NOOP"), 250)
            # Closing one frees its slot.
            self.assertReply(conns[0].cmd("QUIT"), 221)
            conns[0].read_until_closed()
            conns[0].close()
            replacement = open_connections(port, 1)
            conns[0] = replacement[0]
            self.assertReply(conns[0].cmd("NOOP"), 250)
        finally:
            for c in conns:
                c.close()
        self.assertIn("reason=limit", server.log())

    def test_max_connections(self):
        with CopperServer(config={"limits": {"max_connections": 3,
                                             "max_connections_per_ip": 100}},
                          listeners=["smtp"]) as server:
            self.check_limit(server, 3)

    def test_max_connections_per_ip(self):
        with CopperServer(config={"limits": {"max_connections": 100,
                                             "max_connections_per_ip": 2}},
                          listeners=["smtp", "submission"]) as server:
            self.check_limit(server, 2)
            # The limit spans listeners: two sessions on the MX port fill it.
            conns = open_connections(server.port("smtp"), 2)
            try:
                with RawSMTP(HOST, server.port("submission"), timeout=10,
                             greeting=False) as extra:
                    self.assertTrue(extra.read_until_closed().startswith(b"421 4.7.0"))
            finally:
                for c in conns:
                    c.close()


if __name__ == "__main__":
    unittest.main()
