"""Test harness for the integration suite: runs the real `copper` binary.

CopperServer writes a config into a temporary directory, prepares domains,
users and aliases with the management commands, starts `copper serve` and
waits (bounded, by polling) until every listener accepts connections.
RawSMTP is a byte-exact client for what smtplib will not send. Python 3
standard library only.
"""

import base64
import contextlib
import json
import os
import re
import shutil
import signal
import smtplib
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
HOST = "127.0.0.1"
DEFAULT_PASSWORD = "correct-horse-1"

# Upper bounds for waiting on the server; generous for loaded 2-core CI.
START_DEADLINE = 30.0
IO_TIMEOUT = 15.0


def binary_path():
    path = os.environ.get("COPPER_BINARY") or os.path.join(REPO, "build", "copper")
    if not os.access(path, os.X_OK):
        raise AssertionError(f"copper binary not found at {path} (build it, or set COPPER_BINARY)")
    return path


def free_port():
    """A port the kernel just handed out (bound to port 0, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=IO_TIMEOUT, interval=0.02, message="condition"):
    """Polls `predicate` until it returns a truthy value, or fails at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


def unverified_context():
    """The server's certificate is self-signed; these tests check SMTP, not PKI."""
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string of ASCII text is a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


class ServerError(AssertionError):
    pass


class CopperServer:
    """One `copper serve` process in its own temporary directory.

    config: {"smtp": {"max_recipients": 3}, "log_level": "debug", ...}; a dict
    value is a [section], anything else a top-level key. Overrides win over
    the defaults written here. users: {address: password or (password, quota)}.
    aliases: {alias: [targets]}.
    """

    LISTENERS = ("smtp", "submission", "submissions")
    _all = []  # every server ever started in this process, for log dumps

    def __init__(self, *, hostname="mx.example.test", domains=("example.test",), users=None,
                 aliases=None, config=None, listeners=LISTENERS):
        self.binary = binary_path()
        self.hostname = hostname
        self.domains = list(domains)
        self.users = {"demo@example.test": DEFAULT_PASSWORD} if users is None else dict(users)
        self.aliases = dict(aliases or {})
        self.overrides = dict(config or {})
        self.listeners = tuple(listeners)
        self.dir = tempfile.mkdtemp(prefix="copper-it-")
        self.config_path = os.path.join(self.dir, "copper.toml")
        self.data_dir = os.path.join(self.dir, "var")
        self.log_path = os.path.join(self.dir, "server.log")
        self.ports = {}
        self.proc = None
        self.exit_codes = []
        self._log_cache = ""
        self._prepared = False
        self.dumps = 0  # how often the log was printed (CopperTestCase avoids repeats)
        CopperServer._all.append(self)

    # ---- lifecycle -------------------------------------------------------

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.cleanup()
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is not None and not issubclass(exc_type, unittest.SkipTest):
                self.dump_log(f"test failed: {exc_type.__name__}: {exc}")
            if self.running:
                code = self.stop()
                if code != 0 and exc_type is None:
                    self.dump_log(f"copper exited with {code} on SIGTERM")
                    raise ServerError(f"copper exited with status {code} on SIGTERM, expected 0")
        finally:
            self.cleanup()
        return False

    def write_config(self):
        self.ports = {name: free_port() for name in self.listeners}
        top = {"hostname": self.hostname, "data_dir": self.data_dir, "log_level": "debug"}
        sections = {"listen": {name: [f"{HOST}:{port}"] for name, port in self.ports.items()}}
        for key, value in self.overrides.items():
            if isinstance(value, dict):
                sections.setdefault(key, {}).update(value)
            else:
                top[key] = value
        lines = [f"{k} = {toml_value(v)}" for k, v in top.items() if v is not None]
        for section, values in sections.items():
            lines.append(f"\n[{section}]")
            lines.extend(f"{k} = {toml_value(v)}" for k, v in values.items() if v is not None)
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")

    def prepare(self):
        """Creates domains, users and aliases with the management commands."""
        for domain in self.domains:
            self.cli("domain", "add", domain)
        for address, spec in self.users.items():
            password, quota = (spec, None) if isinstance(spec, str) else spec
            self.add_user(address, password, quota)
        for alias, targets in self.aliases.items():
            self.cli("alias", "add", alias, *targets)
        self._prepared = True

    def add_user(self, address, password=DEFAULT_PASSWORD, quota=None):
        args = ["user", "add", address, "--password-stdin"]
        if quota is not None:
            args += ["--quota", str(quota)]
        return self.cli(*args, input=password + "\n")

    def start(self):
        if not self.ports:
            self.write_config()
        if not self._prepared:
            self.prepare()
        # A port picked by free_port() may be taken by someone else before the
        # server binds it (tests run in parallel): pick new ones and retry.
        for attempt in range(3):
            try:
                self._spawn_and_wait()
                return self
            except ServerError:
                if "cannot listen" not in self.log_tail(20) or attempt == 2:
                    raise
                self.write_config()
        return self

    def _spawn_and_wait(self):
        log = open(self.log_path, "ab")
        mark = log.tell()
        try:
            self.proc = subprocess.Popen([self.binary, "--config", self.config_path, "serve"],
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                         cwd=self.dir)
        finally:
            log.close()
        deadline = time.monotonic() + START_DEADLINE
        pending = dict(self.ports)
        while True:
            code = self.proc.poll()
            if code is not None:
                self.exit_codes.append(code)
                self.proc = None
                raise ServerError(f"copper serve exited with {code} during startup:\n"
                                  + self.log_tail(40))
            # event=started is logged once every listener is bound; before it
            # a connection could reach a stranger that holds the port.
            if "event=started" in self._log_since(mark):
                for name, port in list(pending.items()):
                    try:
                        socket.create_connection((HOST, port), timeout=1.0).close()
                        del pending[name]
                    except OSError:
                        pass
                if not pending:
                    return
            if time.monotonic() >= deadline:
                self.kill9()
                raise ServerError(f"copper did not accept connections on {pending} within "
                                  f"{START_DEADLINE}s:\n" + self.log_tail(40))
            time.sleep(0.02)

    @property
    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def pid(self):
        return self.proc.pid

    def signal(self, sig):
        self.proc.send_signal(sig)

    def wait_exit(self, timeout=40.0):
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            self.proc = None
            raise ServerError(f"copper did not exit within {timeout}s:\n" + self.log_tail(40))
        self.exit_codes.append(code)
        self.proc = None
        return code

    def stop(self):
        """SIGTERM and wait; returns the exit status."""
        if self.proc is None:
            return self.exit_codes[-1] if self.exit_codes else None
        self.signal(signal.SIGTERM)
        return self.wait_exit()

    def terminate(self):
        """SIGTERM; the server must drain and exit 0."""
        code = self.stop()
        if code != 0:
            raise ServerError(f"copper exited with {code} after SIGTERM, expected 0:\n"
                              + self.log_tail(40))
        return code

    def kill9(self):
        if self.proc is not None:
            self.proc.kill()
            self.exit_codes.append(self.proc.wait())
            self.proc = None

    def restart(self):
        """Stops (SIGTERM) if running, then starts again on the same ports."""
        if self.running:
            self.terminate()
        self.start()
        return self

    def cleanup(self):
        if self.proc is not None:
            self.kill9()
        if os.path.exists(self.log_path):
            self._log_cache = self.log()
        if os.environ.get("COPPER_KEEP_TEST_DIRS"):
            sys.stderr.write(f"kept {self.dir}\n")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    # ---- log -------------------------------------------------------------

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return self._log_cache

    def _log_since(self, offset):
        try:
            with open(self.log_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, n=200):
        return "\n".join(self.log().splitlines()[-n:])

    def wait_for_log(self, pattern, timeout=IO_TIMEOUT, count=1):
        """Waits until `pattern` (a regex) matches at least `count` log lines."""
        rx = re.compile(pattern)
        return wait_until(lambda: len(rx.findall(self.log())) >= count, timeout,
                          message=f"log line /{pattern}/ x{count}")

    def dump_log(self, why=""):
        self.dumps += 1
        sys.stderr.write(f"\n===== copper log ({self.dir}) {why} =====\n")
        sys.stderr.write(self.log_tail(200))
        sys.stderr.write("\n===== end of copper log =====\n")
        sys.stderr.flush()

    # ---- management CLI --------------------------------------------------

    def cli(self, *args, input=None, check=True, timeout=30):
        """Runs `copper --config FILE ARGS...`; asserts success unless check=False."""
        r = subprocess.run([self.binary, "--config", self.config_path, *args], input=input,
                           capture_output=True, text=True, timeout=timeout, cwd=self.dir)
        if check and r.returncode != 0:
            raise ServerError(f"copper {' '.join(args)} exited with {r.returncode}:\n"
                              f"stdout: {r.stdout}\nstderr: {r.stderr}")
        return r

    def queue_list(self):
        """`copper queue list` as dicts (id, size, sender, recipients, attempts)."""
        out = []
        for line in self.cli("queue", "list").stdout.splitlines():
            fields = line.split("\t")
            if len(fields) < 5:
                raise AssertionError(f"malformed queue list line: {line!r}")
            m = re.fullmatch(r"attempts=(\d+)", fields[4])
            if not (fields[2].startswith("<") and fields[2].endswith(">") and m):
                raise AssertionError(f"malformed queue list line: {line!r}")
            out.append({"id": fields[0], "size": fields[1], "sender": fields[2][1:-1],
                        "recipients": fields[3].split(","), "attempts": int(m.group(1))})
        return out

    # ---- store -----------------------------------------------------------

    @property
    def db_path(self):
        return os.path.join(self.data_dir, "copper.db")

    def db(self):
        """A read-only connection to the store; close it (or use `with closing`)."""
        return sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True, timeout=10)

    def query(self, sql, *params):
        with contextlib.closing(self.db()) as conn:
            return conn.execute(sql, params).fetchall()

    def messages_for(self, address, mailbox="INBOX"):
        """The stored raw messages (bytes) of an account's mailbox, oldest first."""
        rows = self.query(
            "SELECT b.data FROM messages m JOIN mailboxes mb ON m.mailbox_id = mb.id "
            "JOIN accounts a ON mb.account_id = a.id JOIN blobs b ON m.blob_id = b.id "
            "WHERE a.address = ? AND mb.name = ? ORDER BY m.uid", address.lower(), mailbox)
        return [bytes(r[0]) for r in rows]

    def message_rows_for(self, address):
        """(uid, blob_id, size) of each message in the account's INBOX."""
        return self.query(
            "SELECT m.uid, m.blob_id, m.size FROM messages m "
            "JOIN mailboxes mb ON m.mailbox_id = mb.id JOIN accounts a ON mb.account_id = a.id "
            "WHERE a.address = ? AND mb.name = 'INBOX' ORDER BY m.uid", address.lower())

    def all_blobs(self):
        return [bytes(r[0]) for r in self.query("SELECT data FROM blobs ORDER BY id")]

    # ---- clients ---------------------------------------------------------

    def port(self, name="smtp"):
        return self.ports[name]

    def smtp(self, listener="smtp", timeout=IO_TIMEOUT):
        """smtplib on a listener; SMTP_SSL for "submissions" (implicit TLS)."""
        if listener == "submissions":
            return smtplib.SMTP_SSL(HOST, self.ports[listener], timeout=timeout,
                                    context=unverified_context())
        return smtplib.SMTP(HOST, self.ports[listener], timeout=timeout)

    def raw(self, listener="smtp", timeout=IO_TIMEOUT, greeting=True):
        return RawSMTP(HOST, self.ports[listener], timeout=timeout, greeting=greeting,
                       implicit_tls=(listener == "submissions"))


class Reply:
    def __init__(self, code, lines):
        self.code = code
        self.lines = lines  # text after "NNN-" / "NNN "

    @property
    def text(self):
        return "\n".join(self.lines)

    @property
    def first(self):
        return self.lines[0] if self.lines else ""

    def __repr__(self):
        return f"Reply({self.code}, {self.lines!r})"


class RawSMTP:
    """A byte-level SMTP client: exact writes, replies parsed one at a time."""

    def __init__(self, host, port, timeout=IO_TIMEOUT, greeting=True, implicit_tls=False):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if implicit_tls:
            self.sock = unverified_context().wrap_socket(self.sock)
        self.buf = b""
        self.greeting = self.reply() if greeting else None

    def close(self):
        with contextlib.suppress(OSError):
            self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed by server; unparsed: {self.buf!r}")
        self.buf += chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode("utf-8", "replace")

    def reply(self):
        """The next (possibly multi-line) reply."""
        lines = []
        while True:
            lines.append(self.line())
            if len(lines[-1]) <= 3 or lines[-1][3] != "-":
                return parse_reply_lines(lines)[0]

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def ehlo(self, name="client.example"):
        r = self.cmd(f"EHLO {name}")
        if r.code != 250:
            raise AssertionError(f"EHLO refused: {r}")
        return r

    def starttls(self):
        r = self.cmd("STARTTLS")
        if r.code != 220:
            raise AssertionError(f"STARTTLS refused: {r}")
        self.sock = unverified_context().wrap_socket(self.sock)
        return r

    def read_until_closed(self, timeout=IO_TIMEOUT):
        """Everything the server sends until it closes the connection."""
        self.sock.settimeout(timeout)
        data = self.buf
        self.buf = b""
        while True:
            try:
                chunk = self.sock.recv(65536)
            except (ConnectionResetError, ssl.SSLError):
                break
            if not chunk:
                break
            data += chunk
        return data

    def replies_until_closed(self, timeout=IO_TIMEOUT):
        """Every complete reply the server sends until it closes the connection."""
        return parse_replies(self.read_until_closed(timeout))


def parse_reply_lines(lines):
    """Reply objects from decoded reply lines ("250-..." / "250 ...")."""
    out, pending = [], []
    for line in lines:
        if len(line) < 3 or not line[:3].isdigit() or (len(line) > 3 and line[3] not in " -"):
            raise AssertionError(f"malformed reply line {line!r}")
        pending.append(line[4:])
        if len(line) == 3 or line[3] == " ":
            out.append(Reply(int(line[:3]), pending))
            pending = []
    if pending:
        raise AssertionError(f"incomplete multi-line reply: {pending!r}")
    return out


def parse_replies(data):
    lines = data.split(b"\r\n")
    if lines[-1]:
        raise AssertionError(f"reply data does not end with CRLF: {data!r}")
    return parse_reply_lines(l.decode("utf-8", "replace") for l in lines[:-1])


def auth_plain(user, password):
    """The base64 initial response of AUTH PLAIN (RFC 4616), empty authzid."""
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


def b64(text):
    return base64.b64encode(text.encode()).decode()


class CopperTestCase(unittest.TestCase):
    """Prints the log of every server a test used when that test fails."""

    def run(self, result=None):
        result = result if result is not None else self.defaultTestResult()
        before = len(result.failures) + len(result.errors)
        first = len(CopperServer._all)
        live = [s for s in CopperServer._all if s.running]
        dumps = {id(s): s.dumps for s in CopperServer._all}
        out = super().run(result)
        if len(result.failures) + len(result.errors) > before:
            for server in live + CopperServer._all[first:]:
                if server.dumps == dumps.get(id(server), 0):  # not printed yet
                    server.dump_log(f"after failure of {self.id()}")
        return out

    def assertReply(self, reply, code, enhanced=None, msg=None):
        """Asserts an SMTP reply code (and enhanced status code if given)."""
        if isinstance(reply, tuple):  # smtplib's (code, bytes)
            code_got, text = reply[0], reply[1]
            text = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
        else:
            code_got, text = reply.code, reply.text
        self.assertEqual(code_got, code, msg or f"reply was {code_got} {text!r}")
        if enhanced is not None:
            self.assertTrue(text.startswith(enhanced + " ") or text == enhanced,
                            msg or f"expected enhanced code {enhanced} in {code_got} {text!r}")


def unique(tag="msg"):
    """A marker unlikely to occur anywhere by accident."""
    return f"{tag}-{os.getpid()}-{time.monotonic_ns()}"


def message(subject, body, sender="sender@remote.example", to="demo@example.test"):
    return (f"From: <{sender}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n"
            f"Message-ID: <{unique('id')}@remote.example>\r\n\r\n{body}\r\n")
