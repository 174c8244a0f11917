"""POP3 against the real server with Python's poplib (a client we did not
write), a raw socket where poplib would hide the bytes, and fetchmail: CAPA
before and after STLS, USER/PASS and AUTH PLAIN over POP3S and after STLS,
plaintext logins refused, STAT/LIST/UIDL/RETR/TOP matching what SMTP
delivered, byte-stuffing, DELE applied only at QUIT (and seen by the store),
RSET, dropped connections and SIGTERM deleting nothing, stable UIDLs,
pipelining and commands written one byte at a time. Every test uses its own
account, so that deletions do not cross tests."""

import base64
import itertools
import os
import poplib
import shutil
import socket
import ssl
import subprocess
import tempfile
import unittest

from harness import (DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer, CopperTestCase, unique,
                     unverified_context)

LISTENERS = ("smtp", "pop3", "pop3s")
_accounts = itertools.count(1)


def send_mail(server, to, subject="hello", body="Hello there.\r\n", marker=None):
    marker = marker or unique()
    msg = (f"From: Sender <sender@remote.example>\r\nTo: {to}\r\nSubject: {subject} {marker}\r\n"
           f"Message-ID: <{marker}@remote.example>\r\n\r\n{body}")
    with server.smtp() as s:
        s.sendmail("sender@remote.example", [to], msg.encode())
    return marker


class RawPOP3:
    """Byte-exact POP3: writes exactly what it is given, reads lines."""

    def __init__(self, port, tls=False):
        self.sock = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        if tls:
            self.sock = unverified_context().wrap_socket(self.sock)
        self.buf = b""
        self.greeting = self.line()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def send(self, data):
        self.sock.sendall(data.encode() if isinstance(data, str) else data)

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed by server; unparsed: {self.buf!r}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.line()

    def multiline(self):
        """The raw octets of a multi-line body, up to and with the terminator."""
        while b"\r\n.\r\n" not in b"\r\n" + self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError(f"closed by server; unparsed: {self.buf!r}")
            self.buf += chunk
        joined = b"\r\n" + self.buf
        end = joined.index(b"\r\n.\r\n") + 5
        body, self.buf = joined[2:end], joined[end:]
        return body

    def starttls(self):
        reply = self.cmd("STLS")
        assert reply.startswith(b"+OK"), reply
        assert not self.buf, self.buf
        self.sock = unverified_context().wrap_socket(self.sock)

    def read_until_closed(self):
        data, self.buf = self.buf, b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                break
            if not chunk:
                break
            data += chunk
        return data


class Pop3Test(CopperTestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = CopperServer(listeners=LISTENERS)
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    # ---- helpers ---------------------------------------------------------

    def new_account(self):
        address = f"pop{next(_accounts)}-{os.getpid()}@example.test"
        self.server.add_user(address, DEFAULT_PASSWORD)
        return address

    def pop3s(self):
        return poplib.POP3_SSL(HOST, self.server.port("pop3s"), context=unverified_context(),
                               timeout=IO_TIMEOUT)

    def login(self, address):
        conn = self.pop3s()
        conn.user(address)
        reply = conn.pass_(DEFAULT_PASSWORD)
        self.assertTrue(reply.startswith(b"+OK"), reply)
        return conn

    def deliver(self, address, count, **kw):
        return [send_mail(self.server, address, **kw) for _ in range(count)]

    def flags_of(self, address):
        rows = self.server.query(
            "SELECT m.flags FROM messages m JOIN mailboxes mb ON m.mailbox_id = mb.id "
            "JOIN accounts a ON mb.account_id = a.id WHERE a.address = ? AND mb.name = 'INBOX' "
            "ORDER BY m.uid", address)
        return [r[0] for r in rows]

    # ---- capabilities and login ------------------------------------------

    def test_capa_before_and_after_stls(self):
        address = self.new_account()
        conn = poplib.POP3(HOST, self.server.port("pop3"), timeout=IO_TIMEOUT)
        self.assertEqual(conn.getwelcome(), b"+OK Copper POP3 ready")
        caps = conn.capa()
        for cap in ("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS"):
            self.assertIn(cap, caps)
        self.assertEqual(caps["IMPLEMENTATION"], ["Copper"])
        self.assertNotIn("USER", caps)
        self.assertNotIn("SASL", caps)
        conn.stls(context=unverified_context())
        caps = conn.capa()
        self.assertIn("USER", caps)
        self.assertEqual(caps["SASL"], ["PLAIN"])
        self.assertNotIn("STLS", caps)
        conn.user(address)
        conn.pass_(DEFAULT_PASSWORD)
        self.assertEqual(conn.stat(), (0, 0))
        # RFC 2449 5: the same list after login.
        self.assertEqual(conn.capa(), caps)
        conn.quit()

    def test_pop3s_capa_and_no_apop(self):
        conn = self.pop3s()
        # No <timestamp> in the greeting: APOP is not offered.
        self.assertIsNone(conn.timestamp.search(conn.getwelcome()))
        with self.assertRaises(poplib.error_proto):
            conn.apop("demo@example.test", DEFAULT_PASSWORD)
        caps = conn.capa()
        self.assertIn("USER", caps)
        self.assertEqual(caps["SASL"], ["PLAIN"])
        self.assertNotIn("STLS", caps)
        conn.quit()

    def test_plaintext_login_refused_without_tls(self):
        address = self.new_account()
        with RawPOP3(self.server.port("pop3")) as c:
            self.assertTrue(c.cmd(f"USER {address}").startswith(b"-ERR [AUTH] "))
            self.assertTrue(c.cmd(f"PASS {DEFAULT_PASSWORD}").startswith(b"-ERR [AUTH] "))
            ir = base64.b64encode(f"\0{address}\0{DEFAULT_PASSWORD}".encode()).decode()
            self.assertTrue(c.cmd(f"AUTH PLAIN {ir}").startswith(b"-ERR [AUTH] "))
            self.assertTrue(c.cmd("STAT").startswith(b"-ERR"))
            self.assertTrue(c.cmd("QUIT").startswith(b"+OK"))

    def test_login_after_stls_with_poplib(self):
        address = self.new_account()
        marker = self.deliver(address, 1)[0]
        conn = poplib.POP3(HOST, self.server.port("pop3"), timeout=IO_TIMEOUT)
        conn.stls(context=unverified_context())
        conn.user(address)
        conn.pass_(DEFAULT_PASSWORD)
        _, lines, _ = conn.retr(1)
        self.assertIn(f"Subject: hello {marker}".encode(), lines)
        conn.quit()

    def test_wrong_password_then_right_one(self):
        address = self.new_account()
        conn = self.pop3s()
        conn.user(address)
        with self.assertRaises(poplib.error_proto) as ctx:
            conn.pass_("wrong-password")
        self.assertTrue(str(ctx.exception).startswith("b'-ERR [AUTH]"), ctx.exception)
        with self.assertRaises(poplib.error_proto):
            conn.stat()  # still in the AUTHORIZATION state
        with self.assertRaises(poplib.error_proto):
            conn.pass_(DEFAULT_PASSWORD)  # PASS needs a USER again
        conn.user(address)
        conn.pass_(DEFAULT_PASSWORD)
        self.assertEqual(conn.stat(), (0, 0))
        conn.quit()

    def test_auth_plain_initial_response_and_continuation(self):
        address = self.new_account()
        self.deliver(address, 2)
        creds = base64.b64encode(f"\0{address}\0{DEFAULT_PASSWORD}".encode()).decode()
        with RawPOP3(self.server.port("pop3s"), tls=True) as c:
            self.assertTrue(c.cmd(f"AUTH PLAIN {creds}").startswith(b"+OK"))
            self.assertTrue(c.cmd("STAT").startswith(b"+OK 2 "))
        with RawPOP3(self.server.port("pop3s"), tls=True) as c:
            self.assertEqual(c.cmd("auth plain"), b"+ ")
            self.assertTrue(c.cmd(creds).startswith(b"+OK"))
        with RawPOP3(self.server.port("pop3s"), tls=True) as c:
            self.assertEqual(c.cmd("AUTH PLAIN"), b"+ ")
            self.assertTrue(c.cmd("*").startswith(b"-ERR"))
            bad = base64.b64encode(f"\0{address}\0nope".encode()).decode()
            self.assertTrue(c.cmd(f"AUTH PLAIN {bad}").startswith(b"-ERR [AUTH] "))
            self.assertTrue(c.cmd("AUTH CRAM-MD5").startswith(b"-ERR"))
            # RFC 5034 4: an AUTH line may pass the 255 octets of other commands.
            long_bad = base64.b64encode(f"\0{address}\0{'x' * 300}".encode()).decode()
            self.assertTrue(c.cmd(f"AUTH PLAIN {long_bad}").startswith(b"-ERR [AUTH] "))
            self.assertTrue(c.cmd("STAT").startswith(b"-ERR"))

    # ---- TRANSACTION state -----------------------------------------------

    def test_stat_list_uidl_retr_top_match_delivery(self):
        address = self.new_account()
        markers = self.deliver(address, 3, body="First body line.\r\nSecond body line.\r\n")
        stored = self.server.messages_for(address)
        self.assertEqual(len(stored), 3)
        conn = self.login(address)
        self.assertEqual(conn.stat(), (3, sum(len(m) for m in stored)))
        _, listing, _ = conn.list()
        self.assertEqual(listing, [f"{i + 1} {len(m)}".encode() for i, m in enumerate(stored)])
        self.assertEqual(conn.list(2), f"+OK 2 {len(stored[1])}".encode())
        _, uidls, _ = conn.uidl()
        self.assertEqual(len(set(u.split()[1] for u in uidls)), 3)
        for n, (raw, marker) in enumerate(zip(stored, markers), start=1):
            reply, lines, _ = conn.retr(n)
            self.assertEqual(reply, f"+OK {len(raw)} octets".encode())
            self.assertEqual(b"\r\n".join(lines) + b"\r\n", raw)
            self.assertTrue(raw.startswith(b"Return-Path: <sender@remote.example>\r\nReceived: "))
            self.assertIn(f"Subject: hello {marker}".encode(), raw)
        header = stored[0].split(b"\r\n\r\n", 1)[0]
        _, lines, _ = conn.top(1, 0)
        self.assertEqual(b"\r\n".join(lines), header + b"\r\n")
        _, lines, _ = conn.top(1, 1)
        self.assertEqual(b"\r\n".join(lines), header + b"\r\n\r\nFirst body line.")
        with self.assertRaises(poplib.error_proto):
            conn.retr(4)
        with self.assertRaises(poplib.error_proto):
            conn.list(0)
        conn.quit()

    def test_dot_stuffing_round_trip(self):
        address = self.new_account()
        body = ".hidden line\r\n..two dots\r\n.\r\nlast\r\n"
        self.deliver(address, 1, body=body)
        stored = self.server.messages_for(address)[0]
        self.assertTrue(stored.endswith(b"\r\n\r\n" + body.encode()))
        with RawPOP3(self.server.port("pop3s"), tls=True) as c:
            self.assertTrue(c.cmd(f"USER {address}").startswith(b"+OK"))
            self.assertTrue(c.cmd(f"PASS {DEFAULT_PASSWORD}").startswith(b"+OK"))
            self.assertEqual(c.cmd("RETR 1"), f"+OK {len(stored)} octets".encode())
            wire = c.multiline()
            self.assertTrue(wire.endswith(b"\r\n\r\n..hidden line\r\n...two dots\r\n..\r\n"
                                          b"last\r\n.\r\n"), wire)
            unstuffed = b"\r\n".join(l[1:] if l.startswith(b".") else l
                                     for l in wire[:-5].split(b"\r\n")) + b"\r\n"
            self.assertEqual(unstuffed, stored)
            self.assertEqual(c.cmd("TOP 1 1"), b"+OK Top of message follows")
            self.assertTrue(c.multiline().endswith(b"\r\n\r\n..hidden line\r\n.\r\n"))
        conn = self.login(address)
        _, lines, _ = conn.retr(1)
        self.assertEqual(b"\r\n".join(lines) + b"\r\n", stored)
        conn.quit()

    def test_large_message_in_pieces(self):
        address = self.new_account()
        body = "".join(("." if i % 5 == 0 else "") + f"line {i} " + "y" * (i % 997) + "\r\n"
                       for i in range(1500))
        self.deliver(address, 1, body=body)
        stored = self.server.messages_for(address)[0]
        self.assertGreater(len(stored), 5 * 65536)
        conn = self.login(address)
        _, lines, _ = conn.retr(1)
        self.assertEqual(b"\r\n".join(lines) + b"\r\n", stored)
        conn.quit()

    def test_dele_then_quit_deletes(self):
        address = self.new_account()
        markers = self.deliver(address, 3)
        conn = self.login(address)
        _, before, _ = conn.uidl()
        conn.dele(2)
        with self.assertRaises(poplib.error_proto):
            conn.retr(2)  # marked deleted
        with self.assertRaises(poplib.error_proto):
            conn.dele(2)
        self.assertEqual(conn.stat()[0], 2)
        _, listing, _ = conn.list()
        self.assertEqual([l.split()[0] for l in listing], [b"1", b"3"])
        # Not yet applied: another session still sees all three.
        other = self.login(address)
        self.assertEqual(other.stat()[0], 3)
        other.quit()
        self.assertEqual(len(self.server.messages_for(address)), 3)
        reply = conn.quit()
        self.assertTrue(reply.startswith(b"+OK"), reply)
        # QUIT answered after the expunge committed: the store has it now.
        stored = self.server.messages_for(address)
        self.assertEqual(len(stored), 2)
        self.assertFalse(any(markers[1].encode() in m for m in stored))
        conn = self.login(address)
        self.assertEqual(conn.stat()[0], 2)
        _, after, _ = conn.uidl()
        # Numbers shift, unique ids stay.
        self.assertEqual([u.split()[1] for u in after],
                         [before[0].split()[1], before[2].split()[1]])
        conn.quit()

    def test_dele_then_rset_deletes_nothing(self):
        address = self.new_account()
        self.deliver(address, 2)
        conn = self.login(address)
        conn.dele(1)
        conn.dele(2)
        self.assertEqual(conn.stat(), (0, 0))
        self.assertTrue(conn.rset().startswith(b"+OK Maildrop has 2 messages"))
        self.assertEqual(conn.stat()[0], 2)
        conn.quit()
        self.assertEqual(len(self.server.messages_for(address)), 2)

    def test_dropped_connection_deletes_nothing(self):
        address = self.new_account()
        self.deliver(address, 2)
        with RawPOP3(self.server.port("pop3s"), tls=True) as c:
            c.cmd(f"USER {address}")
            self.assertTrue(c.cmd(f"PASS {DEFAULT_PASSWORD}").startswith(b"+OK"))
            self.assertTrue(c.cmd("DELE 1").startswith(b"+OK"))
            self.assertTrue(c.cmd("DELE 2").startswith(b"+OK"))
        self.server.wait_for_log(rf"event=disconnect user={address}")
        self.assertEqual(len(self.server.messages_for(address)), 2)
        conn = self.login(address)
        self.assertEqual(conn.stat()[0], 2)
        conn.quit()

    def test_uidl_stable_across_sessions(self):
        address = self.new_account()
        self.deliver(address, 2)
        conn = self.login(address)
        _, first, _ = conn.uidl()
        one = conn.uidl(1)
        conn.quit()
        self.deliver(address, 1)
        conn = self.login(address)
        _, second, _ = conn.uidl()
        self.assertEqual(second[:2], first)
        self.assertEqual(conn.uidl(1), one)
        self.assertEqual(len(second), 3)
        for u in second:
            uid = u.split()[1]
            self.assertTrue(1 <= len(uid) <= 70 and all(0x21 <= b <= 0x7E for b in uid), uid)
        conn.quit()

    def test_retr_sets_seen_at_quit(self):
        address = self.new_account()
        self.deliver(address, 2)
        conn = self.login(address)
        conn.retr(2)
        conn.top(1, 0)  # TOP does not mark a message read
        conn.quit()
        flags = self.flags_of(address)
        self.assertNotIn("\\seen", flags[0].lower())
        self.assertIn("\\seen", flags[1].lower())

    def test_snapshot_fixed_for_the_session(self):
        address = self.new_account()
        self.deliver(address, 1)
        conn = self.login(address)
        self.deliver(address, 1)
        self.assertEqual(conn.stat()[0], 1)  # RFC 1939: numbers fixed at login
        conn.quit()
        conn = self.login(address)
        self.assertEqual(conn.stat()[0], 2)
        conn.quit()

    def test_pipelined_case_insensitive_commands(self):
        address = self.new_account()
        self.deliver(address, 1)
        with RawPOP3(self.server.port("pop3s"), tls=True) as c:
            c.send(f"capa\r\nuser {address}\r\npass {DEFAULT_PASSWORD}\r\nStat\r\nlist 1\r\n"
                   "uidl\r\nNoOp\r\nquit\r\n")
            data = c.read_until_closed()
        lines = data.split(b"\r\n")
        self.assertEqual(lines[0], b"+OK Capability list follows")
        rest = lines[lines.index(b".") + 1:]
        self.assertTrue(rest[0].startswith(b"+OK"))  # USER
        self.assertTrue(rest[1].startswith(b"+OK Logged in, 1 messages"), rest)
        self.assertRegex(rest[2], rb"^\+OK 1 \d+$")
        self.assertRegex(rest[3], rb"^\+OK 1 \d+$")
        self.assertTrue(rest[4].startswith(b"+OK"))
        self.assertRegex(rest[5], rb"^1 \S+$")
        self.assertEqual(rest[6], b".")
        self.assertEqual(rest[7], b"+OK")
        self.assertTrue(rest[8].startswith(b"+OK Copper POP3 signing off"))

    def test_errors_and_line_length(self):
        address = self.new_account()
        self.deliver(address, 1)
        with RawPOP3(self.server.port("pop3s"), tls=True) as c:
            self.assertTrue(c.cmd("APOP x y").startswith(b"-ERR"))
            self.assertTrue(c.cmd("XYZZY").startswith(b"-ERR Unknown command"))
            self.assertTrue(c.cmd("RETR 1").startswith(b"-ERR"))  # not logged in
            self.assertTrue(c.cmd("NOOP " + "x" * 300).startswith(b"-ERR Command line too long"))
            c.cmd(f"USER {address}")
            self.assertTrue(c.cmd(f"PASS {DEFAULT_PASSWORD}").startswith(b"+OK"))
            self.assertTrue(c.cmd("USER again").startswith(b"-ERR"))
            self.assertTrue(c.cmd("STLS").startswith(b"-ERR"))
            self.assertTrue(c.cmd("RETR 0").startswith(b"-ERR"))
            self.assertTrue(c.cmd("RETR 2").startswith(b"-ERR"))
            self.assertTrue(c.cmd("RETR x").startswith(b"-ERR"))
            self.assertTrue(c.cmd("TOP 1").startswith(b"-ERR"))
            self.assertTrue(c.cmd("TOP 1 -1").startswith(b"-ERR"))
            self.assertTrue(c.cmd("LIST 1 2").startswith(b"-ERR"))
            self.assertTrue(c.cmd("STAT").startswith(b"+OK 1 "))

    def test_too_many_errors_disconnects(self):
        with RawPOP3(self.server.port("pop3")) as c:
            c.send("BOGUS\r\n" * 30)
            data = c.read_until_closed()
        lines = data.split(b"\r\n")
        self.assertIn(b"-ERR Too many invalid commands", lines)
        self.assertLess(lines.index(b"-ERR Too many invalid commands"), 25)

    def test_commands_one_byte_at_a_time(self):
        address = self.new_account()
        self.deliver(address, 1)
        with RawPOP3(self.server.port("pop3s"), tls=True) as c:
            for line in (f"USER {address}\r\n", f"PASS {DEFAULT_PASSWORD}\r\n", "STAT\r\n"):
                for b in line.encode():
                    c.send(bytes([b]))
                reply = c.line()
                self.assertTrue(reply.startswith(b"+OK"), reply)
            self.assertTrue(reply.startswith(b"+OK 1 "), reply)

    def test_stls_discards_pipelined_input(self):
        with RawPOP3(self.server.port("pop3")) as c:
            c.send("STLS\r\nCAPA\r\n")
            self.assertTrue(c.line().startswith(b"+OK"))
            c.sock = unverified_context().wrap_socket(c.sock)
            c.send("QUIT\r\n")
            data = c.read_until_closed()
        # Only QUIT's reply: the CAPA sent in the clear was dropped.
        self.assertTrue(data.startswith(b"+OK Copper POP3 signing off"), data)
        self.assertEqual(data.count(b"\r\n"), 1, data)


class Pop3ShutdownTest(CopperTestCase):
    def test_sigterm_ends_session_without_update(self):
        with CopperServer(listeners=LISTENERS) as server:
            address = "demo@example.test"
            send_mail(server, address)
            c = RawPOP3(server.port("pop3s"), tls=True)
            c.cmd(f"USER {address}")
            self.assertTrue(c.cmd(f"PASS {DEFAULT_PASSWORD}").startswith(b"+OK"))
            self.assertTrue(c.cmd("DELE 1").startswith(b"+OK"))
            server.terminate()
            self.assertEqual(c.read_until_closed(), b"-ERR [SYS/TEMP] Server shutting down\r\n")
            c.close()
            # RFC 1939 6: only QUIT enters the UPDATE state.
            self.assertEqual(len(server.messages_for(address)), 1)


class FetchmailTest(CopperTestCase):
    """fetchmail over POP3S and over POP3 with STLS, into an MDA."""

    @classmethod
    def setUpClass(cls):
        # Not a skip: a missing test dependency must not pass silently.
        if not shutil.which("fetchmail"):
            raise AssertionError("fetchmail is not installed; run scripts/install-deps.sh --test")
        cls.server = CopperServer(listeners=LISTENERS)
        cls.server.__enter__()

    @classmethod
    def tearDownClass(cls):
        cls.server.__exit__(None, None, None)

    def fetchmail(self, address, listener, keep=False, expect=0):
        with tempfile.TemporaryDirectory(prefix="copper-fetchmail-") as home:
            out = os.path.join(home, "mbox")
            rc = os.path.join(home, "fetchmailrc")
            tls = "ssl" if listener == "pop3s" else "sslproto 'TLS1.2+'"
            with open(rc, "w", encoding="utf-8") as f:
                f.write(f'set no syslog\nset no bouncemail\n'
                        f'poll {HOST} service {self.server.port(listener)} proto POP3 '
                        f'auth password timeout 30\n'
                        f'  user "{address}" there with password "{DEFAULT_PASSWORD}"\n'
                        f'  {tls} no sslcertck {"keep" if keep else "nokeep"} fetchall\n'
                        f'  mda "cat >> {out}"\n')
            os.chmod(rc, 0o600)
            env = dict(os.environ, HOME=home, FETCHMAILHOME=home)
            # Its own lock and id files: run as root, fetchmail would share
            # /var/run/fetchmail.pid with every other test run.
            cmd = ["fetchmail", "-f", rc, "-v", "--nodetach",
                   "--pidfile", os.path.join(home, "fetchmail.pid"),
                   "--idfile", os.path.join(home, "fetchids")]
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=90, cwd=home, env=env)
            self.assertEqual(r.returncode, expect,
                             f"fetchmail exited {r.returncode}\n{r.stdout}\n{r.stderr}")
            mbox = b""
            if os.path.exists(out):
                with open(out, "rb") as f:
                    mbox = f.read()
            return mbox, r.stdout + r.stderr

    def check_fetch(self, listener):
        address = f"fetch-{listener}-{os.getpid()}@example.test"
        self.server.add_user(address, DEFAULT_PASSWORD)
        markers = [send_mail(self.server, address, body=".dotted\r\nplain\r\n") for _ in range(3)]
        # --keep: everything arrives, nothing leaves the server.
        mbox, log = self.fetchmail(address, listener, keep=True)
        if listener == "pop3":
            self.assertIn("upgrade to TLS succeeded", log)
        for m in markers:
            self.assertIn(m.encode(), mbox, log)
        self.assertIn(b"\n.dotted\n", mbox.replace(b"\r\n", b"\n"))
        self.assertEqual(len(self.server.messages_for(address)), 3)
        # Without it, fetchmail deletes what it retrieved.
        mbox, log = self.fetchmail(address, listener)
        for m in markers:
            self.assertIn(m.encode(), mbox, log)
        self.assertEqual(self.server.messages_for(address), [], log)
        # Nothing left: fetchmail exits 1 ("no mail").
        self.fetchmail(address, listener, expect=1)

    def test_fetchmail_pop3s(self):
        self.check_fetch("pop3s")

    def test_fetchmail_stls(self):
        self.check_fetch("pop3")


if __name__ == "__main__":
    unittest.main()
