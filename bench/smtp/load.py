#!/usr/bin/env python3
"""SMTP load generator for bench/smtp (Python 3 standard library only).

Opens --connections persistent SMTP connections to HOST:PORT, split over
--procs worker processes (each runs an asyncio loop), and sends --messages
messages of about --size bytes in total. Each connection sends its share one
after another: MAIL, RCPT and DATA are pipelined when the server advertises
PIPELINING, then the body; the next MAIL follows the 250 of the previous one
(a transaction ends with 250, so no RSET is needed). Recipients go round-robin
over u1..uN@DOMAIN.

The body is generated once; every message gets its own Message-ID and
X-Bench-Seq header so no two messages are byte-identical.

Measured: messages/s from the moment every connection has said EHLO to the
last 250, and the latency from the end of DATA (the final "." written) to the
250. Prints one JSON object on stdout.
"""

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import resource
import socket
import sys
import time

WORDS = (
    "the quarterly report shows steady growth in all regions and the team "
    "would like to thank everyone for their contributions during the migration "
    "please review the attached figures before thursday so that we can finalise "
    "the budget proposal for the board meeting next week we also need volunteers "
    "for the offsite planning committee and a decision on the new ticketing "
    "system the vendor has agreed to extend the trial until the end of the month "
    "let me know if you have any questions or concerns about the timeline"
).split()


def make_body(size, domain):
    """Headers + text/plain body, lines under 78 characters, CRLF, about size bytes.

    Returns (prefix, suffix): the per-message headers go between them.
    """
    rng = random.Random(42)
    head = (
        "From: Alice Example <alice@example.org>\r\n"
        f"To: Team <team@{domain}>\r\n"
        "Subject: Re: Quarterly planning, budget figures and the offsite\r\n"
        "Date: Mon, 01 Jan 2024 09:00:00 +0000\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "User-Agent: bench-smtp-load/1.0\r\n"
    )
    lines = []
    total = len(head) + 2 + 60  # + blank line + per-message headers
    line = ""
    while total < size:
        w = rng.choice(WORDS)
        if len(line) + len(w) + 1 > 72:
            lines.append(line)
            total += len(line) + 2
            line = ""
            if rng.random() < 0.12:
                lines.append("")
                total += 2
        line = f"{line} {w}" if line else w.capitalize()
    if line:
        lines.append(line)
    text = "\r\n".join(lines) + "\r\n"
    # Dot-stuffing (RFC 5321 4.5.2); the generated text has no leading dots,
    # but keep it correct should WORDS change.
    text = text.replace("\r\n.", "\r\n..")
    return head.encode(), ("\r\n" + text).encode()


async def read_reply(reader):
    """Returns (code, text) of one possibly multi-line reply."""
    lines = []
    while True:
        line = await reader.readline()
        if not line:
            raise ConnectionError("connection closed by server")
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            break
    return int(lines[-1][:3]), b"".join(lines)


class Conn:
    def __init__(self, host, port, cid):
        self.host, self.port, self.cid = host, port, cid
        self.pipelining = False

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=1 << 20)
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        code, text = await read_reply(self.reader)
        if code != 220:
            raise RuntimeError(f"greeting: {text!r}")
        self.writer.write(b"EHLO bench-client.test\r\n")
        code, text = await read_reply(self.reader)
        if code != 250:
            raise RuntimeError(f"EHLO: {text!r}")
        self.pipelining = b"PIPELINING" in text.upper()

    async def send(self, mail_from, rcpt, data):
        """One transaction. Returns (ok, latency seconds or None, error text)."""
        w, r = self.writer, self.reader
        cmds = [f"MAIL FROM:<{mail_from}>\r\n".encode(), f"RCPT TO:<{rcpt}>\r\n".encode(), b"DATA\r\n"]
        replies = []
        if self.pipelining:
            w.write(b"".join(cmds))
            for _ in cmds:
                replies.append(await read_reply(r))
        else:
            for c in cmds:
                w.write(c)
                replies.append(await read_reply(r))
                if replies[-1][0] >= 400:
                    break
        if len(replies) < 3 or replies[0][0] != 250 or replies[1][0] != 250 or replies[2][0] != 354:
            bad = [t for c, t in replies if c >= 400]
            if replies and replies[-1][0] == 354:  # should not happen: end the DATA
                w.write(b".\r\n")
                await read_reply(r)
            w.write(b"RSET\r\n")
            await read_reply(r)
            return False, None, (bad[0] if bad else b"?").decode(errors="replace").strip()
        w.write(data)
        w.write(b".\r\n")
        await w.drain()
        t0 = time.monotonic()
        code, text = await read_reply(r)
        lat = time.monotonic() - t0
        if code != 250:
            return False, None, text.decode(errors="replace").strip()
        return True, lat, ""

    async def close(self):
        try:
            self.writer.write(b"QUIT\r\n")
            await asyncio.wait_for(read_reply(self.reader), 5)
            self.writer.close()
            await self.writer.wait_closed()
        except Exception:
            pass


async def worker_main(args, conn_ids, counts, barrier, out):
    prefix, suffix = make_body(args.size, args.domain)
    conns = [Conn(args.host, args.port, c) for c in conn_ids]
    await asyncio.gather(*(c.open() for c in conns))
    # Wait (in a thread, not blocking the loop) until every process is connected.
    await asyncio.get_running_loop().run_in_executor(None, barrier.wait)
    start = time.monotonic()
    latencies, errors = [], []
    ok = 0
    pid = os.getpid()

    async def run(conn, count):
        nonlocal ok
        for i in range(count):
            seq = conn.cid + i * args.connections  # globally unique
            rcpt = f"u{seq % args.users + 1}@{args.domain}"
            hdr = (f"Message-ID: <{seq}.{pid}.{start:.6f}@bench-client.test>\r\n"
                   f"X-Bench-Seq: {seq}\r\n").encode()
            good, lat, err = await conn.send("alice@example.org", rcpt, prefix + hdr + suffix)
            if good:
                ok += 1
                latencies.append(lat)
            else:
                errors.append(err)
                if len(errors) > 50:
                    raise RuntimeError(f"too many errors, last: {err}")

    await asyncio.gather(*(run(c, n) for c, n in zip(conns, counts)))
    end = time.monotonic()
    await asyncio.gather(*(c.close() for c in conns))
    out.put({"start": start, "end": end, "ok": ok, "latencies": latencies, "errors": errors[:5],
             "error_count": len(errors)})


def worker(args, conn_ids, counts, barrier, out):
    try:
        asyncio.run(worker_main(args, conn_ids, counts, barrier, out))
    except Exception as e:  # report instead of hanging the parent
        barrier.abort()
        out.put({"fatal": f"{type(e).__name__}: {e}"})


def pct(sorted_vals, p):
    if not sorted_vals:
        return None
    k = min(len(sorted_vals) - 1, max(0, int(round(p / 100.0 * len(sorted_vals) + 0.5)) - 1))
    return sorted_vals[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--connections", type=int, default=20)
    ap.add_argument("--messages", type=int, default=5000, help="total over all connections")
    ap.add_argument("--size", type=int, default=10240, help="approximate message size in bytes")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--domain", default="bench.test")
    ap.add_argument("--procs", type=int, default=2, help="client processes the connections are split over")
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("load.py: only loopback targets are allowed")

    procs = max(1, min(args.procs, args.connections))
    base, extra = divmod(args.messages, args.connections)
    per_conn = [base + (1 if c < extra else 0) for c in range(args.connections)]
    groups = [list(range(p, args.connections, procs)) for p in range(procs)]

    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(procs, timeout=60)
    out = ctx.Queue()
    ps = [ctx.Process(target=worker, args=(args, g, [per_conn[c] for c in g], barrier, out)) for g in groups]
    for p in ps:
        p.start()
    results = [out.get() for _ in ps]
    for p in ps:
        p.join()
    ru_self = resource.getrusage(resource.RUSAGE_SELF)
    ru_kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = ru_self.ru_utime + ru_self.ru_stime + ru_kids.ru_utime + ru_kids.ru_stime
    fatal = [r["fatal"] for r in results if "fatal" in r]
    if fatal:
        print(json.dumps({"label": args.label, "fatal": fatal}))
        sys.exit(1)

    start = min(r["start"] for r in results)
    end = max(r["end"] for r in results)
    ok = sum(r["ok"] for r in results)
    lats = sorted(l for r in results for l in r["latencies"])
    prefix, suffix = make_body(args.size, args.domain)
    elapsed = end - start
    report = {
        "label": args.label,
        "port": args.port,
        "connections": args.connections,
        "procs": procs,
        "message_bytes": len(prefix) + len(suffix) + len(
            f"Message-ID: <{args.messages}.{os.getpid()}.{start:.6f}@bench-client.test>\r\n"
            f"X-Bench-Seq: {args.messages}\r\n"),
        "sent": args.messages,
        "accepted": ok,
        "errors": sum(r["error_count"] for r in results),
        "error_samples": [e for r in results for e in r["errors"]][:5],
        "start_monotonic": start,
        "end_monotonic": end,
        "seconds": round(elapsed, 3),
        "msgs_per_s": round(ok / elapsed, 1) if elapsed > 0 else None,
        "p50_ms": round(pct(lats, 50) * 1000, 2) if lats else None,
        "p99_ms": round(pct(lats, 99) * 1000, 2) if lats else None,
        "client_cpu_s": round(client_cpu, 2),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
