#!/usr/bin/env python3
"""Golden transcript tests: plays tests/transcripts/<proto>/*.txt against the
real `copper` binary (started by tests/integration/harness.py) and compares
every server line. Python 3 standard library only.

    run.py [--chaos] [--seed N] [--print] TRANSCRIPT...

Transcript syntax, one directive per line:

    # text              a comment; blank lines are ignored too
    C: text             client line: `text` + CRLF is sent
    L: text             one line of a literal's data. A literal is its L: lines
                        joined with CRLF, without a CRLF after the last one
                        (end with an empty `L:` line for a trailing CRLF).
                        In the `C: ` line before the L: lines, `{?}` / `{?+}`
                        is replaced by `{N}` / `{N+}`, N = the literal's byte
                        count; the command goes on in the next `C: ` line
                        (often empty). A synchronizing literal is sent after
                        the `S: +` line that follows its command.
    S: pattern          the next line the server sends must match `pattern`
    S* pattern          any number (zero or more) of lines matching `pattern`;
                        must be followed by an `S: ` line that does not match
                        it (for responses that extensions may add to, such as
                        the untagged lines of SELECT or EHLO's keywords)
    @closed             the server must close the connection, sending nothing more
    @conn NAME          switch to connection NAME (opened on first use; the
                        first connection, "main", is opened before line 1)
    @deliver FILE       SMTP-delivers FILE (relative to the transcript) to
                        demo@example.test with smtplib (adds a Received line)
    @append BOX FILE    APPENDs FILE to BOX of demo@example.test over a separate
                        IMAP connection, internal date 01-Jan-2024 00:00:00 +0000,
                        so that sizes and dates in the transcript are fixed
    @user ADDRESS       creates another user (password as demo's) before start
    @config S.K=VALUE   a server config override before start (VALUE is TOML:
                        a number, true/false or a quoted string)

@user and @config must come before the first C:/S: line; @append/@deliver may
come anywhere (an @append or @deliver before the first C: line runs before
the main connection is opened).

Wildcards in an `S: ` pattern (everything else matches exactly, byte for byte):

    {*}    any text, possibly empty (timestamps, capability list tails)
    {#}    one or more digits (UIDVALIDITY, sizes that depend on a date)

so `S: * OK [CAPABILITY IMAP4rev1 {*}] {*} Copper IMAP ready` pins the
greeting's shape and the first capability, and leaves room for capabilities
that other work adds. `{?}`, `{*}` and `{#}` do not collide with IMAP literal
syntax (`{123}`), which is matched exactly.

Transcripts in imap/ talk to the plain `imap` listener, those in smtp/ to the
MX listener (`smtp`, also used by @deliver); `plaintext_on_loopback = true`,
so that the client's bytes reach the protocol parsers without TLS (in chaos
mode, in the pieces written). The user demo@example.test exists with
harness.DEFAULT_PASSWORD.

--chaos writes the client input in small pieces: each send is written either
one byte per write or cut at random points (chosen per send from --seed,
printed so a failure can be replayed), with TCP_NODELAY so that each write
leaves as its own segment. The expected server lines are the same.
"""

import argparse
import imaplib
import os
import random
import re
import socket
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))

from harness import DEFAULT_PASSWORD, HOST, IO_TIMEOUT, CopperServer  # noqa: E402

USER = "demo@example.test"
APPEND_DATE = '"01-Jan-2024 00:00:00 +0000"'
LITERAL_RX = re.compile(r"\{\?(\+?)\}")


class TranscriptError(AssertionError):
    pass


def compile_pattern(pattern):
    out = []
    for part in re.split(r"(\{\*\}|\{#\})", pattern):
        if part == "{*}":
            out.append(".*")
        elif part == "{#}":
            out.append("[0-9]+")
        else:
            out.append(re.escape(part))
    return re.compile("".join(out), re.DOTALL)


class Step:
    def __init__(self, lineno, kind, arg):
        self.lineno, self.kind, self.arg = lineno, kind, arg


def parse(path):
    """The transcript as steps; L: lines are folded into the C: line before."""
    steps = []
    with open(path, encoding="utf-8") as f:
        raw = f.read().split("\n")
    for n, line in enumerate(raw, 1):
        if line.endswith("\r"):
            raise TranscriptError(f"{path}:{n}: CR in transcript line")
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("C: ") or line == "C:":
            steps.append(Step(n, "send", [line[3:], []]))
        elif line.startswith("L: ") or line == "L:":
            owner = next((s for s in reversed(steps) if s.kind == "send"), None)
            if owner is None:
                raise TranscriptError(f"{path}:{n}: L: line before any C: line")
            # The literal belongs to the C: line carrying {?}; the L: lines
            # may follow an S: line (the continuation request).
            owner.arg[1].append(line[3:])
        elif line.startswith("S: ") or line == "S:":
            steps.append(Step(n, "expect", line[3:]))
        elif line.startswith("S* "):
            steps.append(Step(n, "expect_many", line[3:]))
        elif line.startswith("@"):
            word, _, rest = line[1:].partition(" ")
            if word not in ("closed", "conn", "deliver", "append", "user", "config"):
                raise TranscriptError(f"{path}:{n}: unknown directive @{word}")
            steps.append(Step(n, word, rest.strip()))
        else:
            raise TranscriptError(f"{path}:{n}: a line must start with C:, L:, S:, S*, @ or #")
    return resolve_literals(path, steps)


def resolve_literals(path, steps):
    """Sends become bytes: {?} gets the literal's size, and the literal data
    goes out as its own send (after the continuation request, if any)."""
    out = []
    for s in steps:
        if s.kind != "send":
            out.append(s)
            continue
        text, literal = s.arg
        if literal:
            data = "\r\n".join(literal).encode()
            if not LITERAL_RX.search(text):
                raise TranscriptError(f"{path}:{s.lineno}: L: lines without {{?}} in the C: line")
            text = LITERAL_RX.sub(lambda m: "{%d%s}" % (len(data), m.group(1)), text, count=1)
            out.append(Step(s.lineno, "send", (text + "\r\n").encode()))
            out.append(Step(s.lineno, "literal", data))
        else:
            out.append(Step(s.lineno, "send", (text + "\r\n").encode()))
    # A literal's data is sent where its first L: line stood relative to S:
    # lines, that is after the continuation request: move each literal step
    # behind the S: lines that directly follow its command.
    fixed = []
    pending = None
    for s in out:
        if s.kind == "literal":
            pending = s
            continue
        if pending is not None and s.kind != "expect":
            fixed.append(pending)
            pending = None
        fixed.append(s)
        if pending is not None and s.kind == "expect" and s.arg.startswith("+"):
            fixed.append(pending)
            pending = None
    if pending is not None:
        fixed.append(pending)
    return fixed


class Connection:
    def __init__(self, port, writer, trace):
        self.sock = socket.create_connection((HOST, port), timeout=IO_TIMEOUT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""
        self.writer = writer
        self.trace = trace

    def send(self, data):
        self.writer(self.sock, data)

    def unread(self, line):
        self.buf = line + b"\r\n" + self.buf

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise TranscriptError(f"server closed the connection; unparsed: {self.buf!r}")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def expect_closed(self):
        data, self.buf = self.buf, b""
        deadline = time.monotonic() + IO_TIMEOUT
        while time.monotonic() < deadline:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            data += chunk
        else:
            raise TranscriptError("server did not close the connection")
        if data:
            raise TranscriptError(f"unexpected data before close: {data!r}")

    def close(self):
        self.sock.close()


def plain_writer(sock, data):
    sock.sendall(data)


def chaos_writer(rng):
    def write(sock, data):
        if rng.random() < 0.5:
            cuts = range(1, len(data))  # one byte per write
        else:
            k = rng.randint(1, max(1, min(8, len(data) - 1)))
            cuts = sorted(rng.sample(range(1, len(data)), k)) if len(data) > 1 else []
        start = 0
        for cut in list(cuts) + [len(data)]:
            sock.sendall(data[start:cut])
            start = cut
    return write


def append_message(server, box, path):
    with open(path, "rb") as f:
        data = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    conn = imaplib.IMAP4(HOST, server.port("imap"), timeout=IO_TIMEOUT)
    try:
        conn.login(USER, DEFAULT_PASSWORD)
        typ, resp = conn.append(box, None, APPEND_DATE, data)
        if typ != "OK":
            raise TranscriptError(f"setup APPEND of {path} to {box} failed: {resp}")
    finally:
        conn.logout()


def deliver_message(server, path):
    with open(path, "rb") as f:
        data = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    with server.smtp() as s:
        s.sendmail("sender@remote.example", [USER], data)


def play(path, chaos, seed, show):
    steps = parse(path)
    base = os.path.dirname(os.path.abspath(path))
    config = {"auth": {"plaintext_on_loopback": True}, "log_level": "debug"}
    users = {USER: DEFAULT_PASSWORD}
    body = 0
    while body < len(steps) and steps[body].kind in ("user", "config"):
        s = steps[body]
        if s.kind == "user":
            users[s.arg] = DEFAULT_PASSWORD
        else:
            key, _, value = s.arg.partition("=")
            section, _, name = key.partition(".")
            v = value.strip()
            parsed = True if v == "true" else False if v == "false" else (
                int(v) if v.isdigit() else v.strip('"'))
            config.setdefault(section, {})[name] = parsed
        body += 1
    rng = random.Random(seed)
    writer = chaos_writer(rng) if chaos else plain_writer
    trace = (lambda text: sys.stdout.write(text + "\n")) if show else (lambda text: None)
    # The folder names the protocol: imap/ plays against the IMAP listener,
    # smtp/ against the MX listener.
    protocol = os.path.basename(base)
    if protocol not in ("imap", "smtp"):
        raise TranscriptError(f"{path}: transcripts live in imap/ or smtp/")
    with CopperServer(listeners=("smtp", "imap"), users=users, config=config) as server:
        conns = {}
        current = None

        def use(name):
            nonlocal current
            if name not in conns:
                conns[name] = Connection(server.port(protocol), writer, trace)
            current = conns[name]
            trace(f"@conn {name}")

        started = False
        try:
            for s in steps[body:]:
                where = f"{path}:{s.lineno}"
                if s.kind in ("user", "config"):
                    raise TranscriptError(f"{where}: @{s.kind} after the first step")
                if s.kind in ("send", "literal", "expect", "expect_many", "closed") and not started:
                    use("main")
                    started = True
                if s.kind in ("send", "literal"):
                    trace("C: " + s.arg.decode("utf-8", "replace").rstrip("\r\n"))
                    current.send(s.arg)
                elif s.kind == "expect":
                    got = current.line().decode("utf-8", "replace")
                    trace("S: " + got)
                    if not compile_pattern(s.arg).fullmatch(got):
                        if show:  # authoring: show every difference, not just the first
                            trace(f"!! line {s.lineno} expected: {s.arg}")
                            continue
                        raise TranscriptError(f"{where}: server line differs\n"
                                              f"  expected: {s.arg}\n  got:      {got}")
                elif s.kind == "expect_many":
                    rx = compile_pattern(s.arg)
                    while True:
                        got = current.line()
                        if not rx.fullmatch(got.decode("utf-8", "replace")):
                            current.unread(got)
                            break
                        trace("S* " + got.decode("utf-8", "replace"))
                elif s.kind == "closed":
                    current.expect_closed()
                elif s.kind == "conn":
                    use(s.arg)
                    started = True
                elif s.kind == "append":
                    box, _, file = s.arg.partition(" ")
                    append_message(server, box, os.path.join(base, file))
                elif s.kind == "deliver":
                    deliver_message(server, os.path.join(base, s.arg))
        except (TranscriptError, OSError) as e:
            server.dump_log(f"transcript {path} failed")
            if isinstance(e, socket.timeout):
                raise TranscriptError(f"{where}: timed out waiting for the server") from e
            raise
        finally:
            for c in conns.values():
                c.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--chaos", action="store_true", help="write client input in tiny pieces")
    ap.add_argument("--seed", type=int, default=None, help="chaos seed (default: random)")
    ap.add_argument("--print", action="store_true",
                    help="print the conversation and go on after a difference (for authoring)")
    ap.add_argument("transcripts", nargs="+")
    a = ap.parse_args()
    seed = a.seed if a.seed is not None else random.SystemRandom().randrange(1 << 30)
    failed = 0
    for path in a.transcripts:
        mode = f"chaos, seed {seed}" if a.chaos else "plain"
        try:
            play(path, a.chaos, seed, a.print)
            print(f"ok    {path} ({mode})")
        except TranscriptError as e:
            failed += 1
            print(f"FAIL  {path} ({mode}): {e}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
