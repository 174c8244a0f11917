#!/usr/bin/env python3
"""IMAP load, memory and search measurements for bench/imap/run.sh (Python 3
standard library only). Every subcommand talks plain IMAP on 127.0.0.1 and is
given the same arguments for Copper and for Dovecot.

    imapbench.py message N                 print the generated message N (for a look)
    imapbench.py append --port P --user U --count N [--start S] [--connections C]
                    APPENDs messages S..S+N-1 to U's INBOX (Copper's loader)
    imapbench.py smtp --port P --user U --count N [--start S] [--connections C]
                    the same over SMTP (Copper's loader for the search mailbox)
    imapbench.py maildir --dir D --count N [--start S] [--uid U --gid G]
                    writes the same messages as Maildir files into D/cur
                    (Dovecot's loader)
    imapbench.py mixed --port P --users N --clients C --seconds T [--procs K]
                    the mixed workload; one JSON line with ops/s and latencies
    imapbench.py idle --port P --users N --connections C --pids-cmd CMD
                    C connections in IDLE; the RSS/PSS of the server before and
                    after (CMD prints the server's PIDs); one JSON line
    imapbench.py search --port P --user U --word W --runs R
                    SEARCH BODY W in U's INBOX R times; one JSON line

Messages: message N is a text/plain mail of 2-6 KB with words from a fixed
vocabulary; every 100th (N % 100 == 7) contains the word "zebracorn" in its
body, so a body search for it finds 1% of the mailbox. N fixes the content,
so both servers get byte-identical messages.
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import time

HOST = "127.0.0.1"
PASSWORD = "bench-password"
RARE_WORD = "zebracorn"
WORDS = (
    "the quarterly report shows steady growth in all regions and the team would like "
    "to thank everyone for their contributions during the migration please review the "
    "attached figures before thursday so that we can finalise the budget proposal for "
    "the board meeting next week we also need volunteers for the offsite planning "
    "committee and a decision on the new ticketing system the vendor has agreed to extend "
    "the trial until the end of the month let me know if you have any questions"
).split()
SENDERS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"]


def message(n):
    """Message n as CRLF bytes; deterministic."""
    rng = random.Random(n)
    size = rng.randint(2000, 6000)
    sender = SENDERS[n % len(SENDERS)]
    head = (f"From: {sender.capitalize()} <{sender}@remote.example>\r\n"
            f"To: Bench <bench@bench.test>\r\n"
            f"Subject: Note {n} about the {rng.choice(WORDS)} {rng.choice(WORDS)}\r\n"
            f"Date: Mon, 01 Jan 2024 {n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d} +0000\r\n"
            f"Message-ID: <bench-{n}@remote.example>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n")
    lines, line, total = [], "", len(head)
    rare_at = size // 2 if n % 100 == 7 else -1
    while total < size:
        w = rng.choice(WORDS)
        if rare_at >= 0 and total >= rare_at:
            w, rare_at = RARE_WORD, -1
        if len(line) + len(w) + 1 > 72:
            lines.append(line)
            total += len(line) + 2
            line = ""
        line = f"{line} {w}" if line else w
    lines.append(line)
    return (head + "\r\n".join(lines) + "\r\n").encode()


# ---- a small IMAP client ------------------------------------------------------


class Imap:
    """Sends tagged commands and reads until the tagged reply; literals in
    responses are read whole. Untagged responses are returned as bytes."""

    def __init__(self, reader, writer):
        self.r, self.w, self.n = reader, writer, 0

    @classmethod
    async def connect(cls, port):
        reader, writer = await asyncio.open_connection(HOST, port, limit=1 << 20)
        c = cls(reader, writer)
        greeting = await reader.readline()
        if not greeting.startswith(b"* OK"):
            raise RuntimeError(f"bad greeting {greeting!r}")
        return c

    async def response_line(self):
        """One response line with its literals inlined."""
        line = await self.r.readline()
        if not line:
            raise ConnectionError("server closed the connection")
        out = line
        while True:
            m = re.search(rb"\{(\d+)\}\r\n$", line)
            if not m:
                return out
            out += await self.r.readexactly(int(m.group(1)))
            line = await self.r.readline()
            out += line

    async def command(self, text, literal=None):
        """Returns (status line, untagged lines); raises on NO/BAD."""
        self.n += 1
        tag = f"b{self.n}".encode()
        if literal is None:
            self.w.write(tag + b" " + text.encode() + b"\r\n")
        else:
            # A synchronizing literal: both servers also offer LITERAL+, but
            # this is what most clients send for APPEND.
            self.w.write(tag + b" " + text.encode() + b" {%d}\r\n" % len(literal))
            await self.w.drain()
            cont = await self.r.readline()
            if not cont.startswith(b"+"):
                raise RuntimeError(f"{text}: no continuation: {cont!r}")
            self.w.write(literal + b"\r\n")
        await self.w.drain()
        untagged = []
        while True:
            line = await self.response_line()
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise RuntimeError(f"{text[:60]}: {line!r}")
                return line, untagged
            untagged.append(line)

    async def login(self, user):
        await self.command(f'LOGIN "{user}" "{PASSWORD}"')

    async def close(self):
        try:
            self.w.close()
            await self.w.wait_closed()
        except OSError:
            pass


def user_name(domain, i):
    return f"u{i}@{domain}" if domain else f"u{i}"


# ---- loaders -------------------------------------------------------------------


async def append_all(port, user, start, count, connections):
    todo = iter(range(start, start + count))

    async def worker():
        c = await Imap.connect(port)
        await c.login(user)
        for n in todo:
            await c.command('APPEND INBOX "01-Jan-2024 00:00:00 +0000"', message(n))
        await c.command("LOGOUT")
        await c.close()

    await asyncio.gather(*(worker() for _ in range(connections)))


async def smtp_all(port, user, start, count, connections):
    """MAIL, RCPT and DATA pipelined (Copper offers PIPELINING); the next
    message follows the 250 of the previous one."""
    todo = iter(range(start, start + count))

    async def reply(r):
        while True:
            line = await r.readline()
            if not line[:3].isdigit():
                raise RuntimeError(f"SMTP: {line!r}")
            if line[3:4] != b"-":
                return line

    async def worker():
        r, w = await asyncio.open_connection(HOST, port)
        await reply(r)
        w.write(b"EHLO bench.example\r\n")
        await reply(r)
        for n in todo:
            data = message(n).replace(b"\r\n.", b"\r\n..")  # RFC 5321 4.5.2
            w.write(b"MAIL FROM:<loader@remote.example>\r\nRCPT TO:<%s>\r\nDATA\r\n"
                    % user.encode())
            for want in (b"250", b"250", b"354"):
                got = await reply(r)
                if not got.startswith(want):
                    raise RuntimeError(f"SMTP: {got!r}")
            w.write(data + b".\r\n")
            got = await reply(r)
            if not got.startswith(b"250"):
                raise RuntimeError(f"SMTP: {got!r}")
        w.write(b"QUIT\r\n")
        await w.drain()
        w.close()

    await asyncio.gather(*(worker() for _ in range(connections)))


def cmd_smtp(a):
    t0 = time.monotonic()
    asyncio.run(smtp_all(a.port, a.user, a.start, a.count, a.connections))
    dt = time.monotonic() - t0
    print(json.dumps({"delivered": a.count, "seconds": round(dt, 2),
                      "per_s": round(a.count / dt, 1)}))


def cmd_append(a):
    t0 = time.monotonic()
    asyncio.run(append_all(a.port, a.user, a.start, a.count, a.connections))
    dt = time.monotonic() - t0
    print(json.dumps({"appended": a.count, "seconds": round(dt, 2),
                      "per_s": round(a.count / dt, 1)}))


def cmd_maildir(a):
    """Writes the messages as files in cur/, as a Maildir that Dovecot
    indexes on first access. Names follow the Maildir convention with the
    size fields (S=, W=) Dovecot uses to skip a stat."""
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(a.dir, sub), exist_ok=True)
    base = 1704067200  # 2024-01-01, so that the internal dates match Copper's APPEND
    for n in range(a.start, a.start + a.count):
        data = message(n)
        name = f"{base + n}.M{n}P1.bench,S={len(data)},W={len(data)}:2,"
        path = os.path.join(a.dir, "cur", name)
        with open(path, "wb") as f:
            f.write(data)
        os.utime(path, (base, base))
    if a.uid is not None:
        for root, dirs, files in os.walk(os.path.dirname(a.dir.rstrip("/"))):
            for x in dirs + files:
                os.chown(os.path.join(root, x), a.uid, a.gid)
            os.chown(root, a.uid, a.gid)
    print(json.dumps({"written": a.count}))


# ---- (a) mixed workload --------------------------------------------------------

# op name -> weight; every op is one or two commands timed together.
MIX = {"select": 5, "fetch_envelope": 25, "fetch_body": 25, "store": 20, "append": 10,
       "search": 5, "expunge": 10}


async def client_setup(port, user):
    c = await Imap.connect(port)
    await c.login(user)
    await c.command("SELECT INBOX")
    _, lines = await c.command("UID SEARCH ALL")
    uids = [int(x) for l in lines if l.startswith(b"* SEARCH") for x in l.split()[2:]]
    if not uids:
        raise RuntimeError(f"{user}: empty INBOX")
    return c, uids


async def client_loop(c, uids, seed, t_end, lat, errors):
    rng = random.Random(seed)
    ops, weights = list(MIX), list(MIX.values())
    mine = []  # UIDs this client appended and may expunge
    seq = seed * 1_000_000
    while time.monotonic() < t_end:
        op = rng.choices(ops, weights)[0]
        t0 = time.perf_counter()
        try:
            if op == "select":
                await c.command("SELECT INBOX")
            elif op == "fetch_envelope":
                i = rng.randrange(max(1, len(uids) - 20))
                await c.command(f"UID FETCH {uids[i]}:{uids[min(len(uids) - 1, i + 19)]} "
                                "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")
            elif op == "fetch_body":
                await c.command(f"UID FETCH {rng.choice(uids)} BODY.PEEK[]")
            elif op == "store":
                sign = rng.choice("+-")
                await c.command(f"UID STORE {rng.choice(uids)} {sign}FLAGS (\\Flagged)")
            elif op == "append":
                seq += 1
                status, _ = await c.command('APPEND INBOX "01-Jan-2024 00:00:00 +0000"',
                                            message(seq))
                m = re.search(rb"APPENDUID \d+ (\d+)", status)
                if m:
                    mine.append(int(m.group(1)))
            elif op == "search":
                await c.command(f'UID SEARCH SUBJECT "{rng.choice(WORDS)}" FLAGGED')
            elif op == "expunge":
                if not mine:
                    continue
                uid = mine.pop(0)
                await c.command(f"UID STORE {uid} +FLAGS.SILENT (\\Deleted)")
                await c.command(f"UID EXPUNGE {uid}")
        except RuntimeError as e:
            errors.append(str(e))
            continue
        lat.setdefault(op, []).append(time.perf_counter() - t0)
    await c.command("LOGOUT")
    await c.close()


def mixed_worker(port, users, domain, clients, seconds, barrier, queue, seed_base):
    async def run():
        lat, errors = {}, []
        setups = await asyncio.gather(*(client_setup(port, user_name(domain, 1 + (k % users)))
                                        for k in clients))
        # Every client of every process is logged in with INBOX selected:
        # start together. Blocking the loop here is fine, nothing else runs.
        barrier.wait()
        ru0 = resource.getrusage(resource.RUSAGE_SELF)
        t_end = time.monotonic() + seconds
        await asyncio.gather(*(client_loop(c, uids, seed_base + k, t_end, lat, errors)
                               for (c, uids), k in zip(setups, clients)))
        ru1 = resource.getrusage(resource.RUSAGE_SELF)
        return lat, errors, ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime
    lat, errors, cpu = asyncio.run(run())
    queue.put({"lat": lat, "errors": errors[:5], "n_errors": len(errors), "cpu": cpu})


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100.0 * len(values)))] if values else None


def cmd_mixed(a):
    barrier = mp.Barrier(a.procs)
    queue = mp.Queue()
    procs = []
    for p in range(a.procs):
        mine = list(range(p, a.clients, a.procs))
        procs.append(mp.Process(target=mixed_worker, args=(a.port, a.users, a.domain, mine,
                                                           a.seconds, barrier, queue,
                                                           1000 * a.run + 1)))
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    lat, errors, n_errors, cpu = {}, [], 0, 0.0
    for r in results:
        for op, v in r["lat"].items():
            lat.setdefault(op, []).extend(v)
        errors += r["errors"]
        n_errors += r["n_errors"]
        cpu += r["cpu"]
    all_lat = [x for v in lat.values() for x in v]
    out = {"label": a.label, "run": a.run, "clients": a.clients, "seconds": a.seconds,
           "ops": len(all_lat), "ops_per_s": round(len(all_lat) / a.seconds, 1),
           "p50_ms": round(1000 * pct(all_lat, 50), 2), "p99_ms": round(1000 * pct(all_lat, 99), 2),
           "by_op": {op: {"n": len(v), "per_s": round(len(v) / a.seconds, 1),
                          "p50_ms": round(1000 * pct(v, 50), 2),
                          "p99_ms": round(1000 * pct(v, 99), 2)} for op, v in sorted(lat.items())},
           "errors": n_errors, "error_samples": errors, "client_cpu_s": round(cpu, 2)}
    print(json.dumps(out))


# ---- (b) idle connections ------------------------------------------------------


def memory_of(pids):
    """(RSS, PSS) in KiB summed over pids: RSS counts pages shared between
    forked processes once per process, PSS splits them among the sharers."""
    rss = pss = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1])
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1])
        except OSError:
            pass  # exited meanwhile
    return rss, pss


def server_pids(cmd):
    out = subprocess.run(cmd, shell=True, capture_output=True, text=True, check=True).stdout
    return [int(x) for x in out.split()]


async def idle_conn(port, user, ready):
    c = await Imap.connect(port)
    await c.login(user)
    await c.command("SELECT INBOX")
    c.n += 1
    c.w.write(b"i%d IDLE\r\n" % c.n)
    await c.w.drain()
    line = await c.r.readline()
    while not line.startswith(b"+"):
        if not line.startswith(b"*"):
            raise RuntimeError(f"IDLE refused: {line!r}")
        line = await c.r.readline()
    ready.append(c)


async def idle_run(a):
    ready = []
    sem = asyncio.Semaphore(50)  # connect a few at a time: login processes, accept queues

    async def one(k):
        async with sem:
            await idle_conn(a.port, user_name(a.domain, 1 + k % a.users), ready)

    await asyncio.gather(*(one(k) for k in range(a.connections)))
    await asyncio.sleep(a.settle)  # let the servers finish whatever follows IDLE
    pids = server_pids(a.pids_cmd)
    rss1, pss1 = memory_of(pids)
    for c in ready:
        c.w.write(b"DONE\r\n")
        await c.w.drain()
    for c in ready:
        await c.close()
    return len(ready), len(pids), rss1, pss1


def cmd_idle(a):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.connections + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want if hard < 0 else min(want, hard), hard))
    pids0 = server_pids(a.pids_cmd)
    rss0, pss0 = memory_of(pids0)
    n, nproc, rss1, pss1 = asyncio.run(idle_run(a))
    print(json.dumps({"label": a.label, "connections": n, "procs_before": len(pids0),
                      "procs_after": nproc, "rss_before_kib": rss0, "rss_after_kib": rss1,
                      "pss_before_kib": pss0, "pss_after_kib": pss1,
                      "rss_per_conn_kib": round((rss1 - rss0) / n, 1),
                      "pss_per_conn_kib": round((pss1 - pss0) / n, 1)}))


# ---- (c) body search -----------------------------------------------------------


async def search_run(a):
    c = await Imap.connect(a.port)
    await c.login(a.user)
    t0 = time.perf_counter()
    _, lines = await c.command("SELECT INBOX")
    select_s = time.perf_counter() - t0
    exists = next(int(l.split()[1]) for l in lines if l.endswith(b" EXISTS\r\n"))
    times, hits = [], None
    for _ in range(a.runs):
        t0 = time.perf_counter()
        _, lines = await c.command(f"SEARCH BODY {a.word}")
        times.append(time.perf_counter() - t0)
        hits = sum(len(l.split()) - 2 for l in lines if l.startswith(b"* SEARCH"))
    await c.command("LOGOUT")
    await c.close()
    return exists, hits, select_s, times


def cmd_search(a):
    exists, hits, select_s, times = asyncio.run(search_run(a))
    print(json.dumps({"label": a.label, "messages": exists, "hits": hits,
                      "first_select_ms": round(1000 * select_s, 1),
                      "runs_ms": [round(1000 * t, 1) for t in times],
                      "first_ms": round(1000 * times[0], 1),
                      "median_ms": round(1000 * statistics.median(times[1:] or times), 1)}))


# ---- report --------------------------------------------------------------------


def ratio(a, b):
    return f"{a / b:.2f}" if a and b else "-"


def cmd_report(a):
    rows = [json.loads(line) for line in open(a.results) if line.strip()]
    mixed = [r for r in rows if "ops_per_s" in r]
    idle = {r["label"]: r for r in rows if "rss_per_conn_kib" in r}
    search = {r["label"]: r for r in rows if "median_ms" in r and "hits" in r}
    if mixed:
        print("\n(a) mixed workload")
        print("run  target   load1    ops/s  p50 ms  p99 ms  errors  client CPU s")
        for r in mixed:
            print(f"{r['run']:>3}  {r['label']:<8} {r['load1']:>5.2f} {r['ops_per_s']:>8,.0f} "
                  f"{r['p50_ms']:>7.1f} {r['p99_ms']:>7.1f} {r['errors']:>7} {r['client_cpu_s']:>13}")
        med = {}
        for t in ("copper", "dovecot"):
            rs = [r for r in mixed if r["label"] == t]
            if not rs:
                continue
            best = sorted(rs, key=lambda r: r["ops_per_s"])[len(rs) // 2]  # the median run
            med[t] = best
        print("\nper op, median run of each (ops/s, p99 ms):")
        ops = sorted({op for r in med.values() for op in r["by_op"]})
        print("op               " + "".join(f"{t + ' ops/s':>15}{t + ' p99':>13}" for t in med))
        for op in ops:
            print(f"{op:<16} " + "".join(
                f"{r['by_op'].get(op, {}).get('per_s', 0):>15,.1f}"
                f"{r['by_op'].get(op, {}).get('p99_ms', 0):>13.1f}" for r in med.values()))
        if len(med) == 2:
            c, d = med["copper"], med["dovecot"]
            print(f"\nCopper / Dovecot ops/s (median runs): {ratio(c['ops_per_s'], d['ops_per_s'])}x"
                  "  (goal >= 1.5x)")
            print(f"Copper / Dovecot p99: {ratio(c['p99_ms'], d['p99_ms'])}")
    if idle:
        print("\n(b) idle IDLE connections")
        for t, r in idle.items():
            print(f"{t:<8} {r['connections']} connections, {r['procs_before']} -> {r['procs_after']} "
                  f"processes, RSS {r['rss_before_kib']:,} -> {r['rss_after_kib']:,} KiB = "
                  f"{r['rss_per_conn_kib']} KiB/connection; PSS {r['pss_before_kib']:,} -> "
                  f"{r['pss_after_kib']:,} KiB = {r['pss_per_conn_kib']} KiB/connection "
                  f"(load {r['load1']})")
        if len(idle) == 2:
            c, d = idle["copper"], idle["dovecot"]
            print(f"Copper / Dovecot per connection: RSS {ratio(c['rss_per_conn_kib'], d['rss_per_conn_kib'])}, "
                  f"PSS {ratio(c['pss_per_conn_kib'], d['pss_per_conn_kib'])}  (goal: Copper <= 32 KiB)")
    if search:
        print("\n(c) SEARCH BODY")
        for t, r in search.items():
            print(f"{t:<8} {r['messages']:,} messages, {r['hits']} hits, first SELECT "
                  f"{r['first_select_ms']} ms, first search {r['first_ms']} ms, median of the "
                  f"rest {r['median_ms']} ms, runs {r['runs_ms']} (load {r['load1']})")
        if len(search) == 2:
            c, d = search["copper"], search["dovecot"]
            print(f"Copper / Dovecot median: {ratio(c['median_ms'], d['median_ms'])}  "
                  "(goal: Copper < 100 ms)")
            if c["hits"] != d["hits"]:
                print(f"HITS DIFFER: copper {c['hits']}, dovecot {d['hits']}")
    bad = [r for r in mixed if r["errors"]]
    if bad:
        print("\nERRORS in: " + ", ".join(f"run {r['run']} {r['label']}: {r['error_samples'][:2]}"
                                        for r in bad))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("message")
    p.add_argument("n", type=int)
    p = sub.add_parser("append")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--connections", type=int, default=10)
    p = sub.add_parser("smtp")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--user", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--connections", type=int, default=10)
    p = sub.add_parser("report")
    p.add_argument("results")
    p = sub.add_parser("maildir")
    p.add_argument("--dir", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--start", type=int, default=0)
    p.add_argument("--uid", type=int)
    p.add_argument("--gid", type=int)
    for name in ("mixed", "idle", "search"):
        p = sub.add_parser(name)
        p.add_argument("--port", type=int, required=True)
        p.add_argument("--label", default="")
        p.add_argument("--domain", default="bench.test")
    p = sub.choices["mixed"]
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--procs", type=int, default=2)
    p.add_argument("--run", type=int, default=1)
    p = sub.choices["idle"]
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--connections", type=int, default=1000)
    p.add_argument("--pids-cmd", required=True)
    p.add_argument("--settle", type=float, default=2.0)
    p = sub.choices["search"]
    p.add_argument("--user", required=True)
    p.add_argument("--word", default=RARE_WORD)
    p.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    if a.cmd == "message":
        sys.stdout.buffer.write(message(a.n))
    else:
        {"append": cmd_append, "smtp": cmd_smtp, "maildir": cmd_maildir, "mixed": cmd_mixed, "idle": cmd_idle,
         "search": cmd_search, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    main()
