#!/usr/bin/env python3
"""Helpers for bench/smtp/run.sh (Python 3 standard library only).

    util.py free-ports N                 N free TCP ports on 127.0.0.1
    util.py wait-port PORT [SECONDS]     wait until 127.0.0.1:PORT greets with 220
    util.py db-count DB                  rows in messages and blobs of a Copper store
    util.py maildir-count BASE           files in BASE/*/new
    util.py measure --label L --port P --server-pid PID [--tree] [--copper-db DB | --maildir BASE]
                    [--run N] [--results FILE] -- LOAD.PY ARGS
                                         one load.py run against one server, checked
                                         (Copper: rows added == 250s; Postfix: waits until
                                         every accepted message is in a Maildir new/),
                                         with server and machine CPU; appends a JSON line
    util.py report RESULTS.jsonl         the table, medians and ratios
"""

import json
import os
import socket
import sqlite3
import statistics
import sys
import time


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    print(" ".join(map(str, ports)))


def wait_port(port, seconds=30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if s.recv(512).startswith(b"220"):
                    s.sendall(b"QUIT\r\n")
                    return
        except OSError:
            pass
        time.sleep(0.1)
    sys.exit(f"nothing answers 220 on 127.0.0.1:{port} after {seconds}s")


def db_counts(path):
    # The server holds the database open in WAL mode; a reader does not block it.
    db = sqlite3.connect(path, timeout=30)
    try:
        m = db.execute("SELECT count(*) FROM messages").fetchone()[0]
        b = db.execute("SELECT count(*) FROM blobs").fetchone()[0]
    finally:
        db.close()
    return m, b


def count_maildirs(base):
    n = 0
    with os.scandir(base) as users:
        for u in users:
            try:
                with os.scandir(os.path.join(u.path, "new")) as it:
                    n += sum(1 for _ in it)
            except FileNotFoundError:
                pass
    return n


def proc_stat(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def server_jiffies(pid, tree):
    """CPU jiffies of PID; with tree, also of its live children and of its
    exited, reaped children (cutime + cstime): Postfix runs one process per
    service and per session, forked by master."""
    f = proc_stat(pid)
    total = int(f[11]) + int(f[12])
    if tree:
        total += int(f[13]) + int(f[14])
        for d in os.listdir("/proc"):
            if not d.isdigit() or d == str(pid):
                continue
            try:
                c = proc_stat(d)
            except OSError:
                continue
            if c[1] == str(pid):
                total += int(c[11]) + int(c[12])
    return total


def machine_jiffies():
    with open("/proc/stat") as f:
        vals = [int(v) for v in f.readline().split()[1:9]]
    return sum(vals), sum(vals) - vals[3] - vals[4]  # total, busy (not idle, not iowait)


def measure(argv):
    """Runs load.py against one target, checks the result, appends a JSON line."""
    import argparse
    import subprocess
    ap = argparse.ArgumentParser(prog="util.py measure")
    ap.add_argument("--label", required=True)
    ap.add_argument("--run", type=int, default=0)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--tree", action="store_true", help="count the server's child processes too")
    ap.add_argument("--copper-db")
    ap.add_argument("--maildir")
    ap.add_argument("--deliver-deadline", type=float, default=300)
    ap.add_argument("--results")
    ap.add_argument("load_args", nargs=argparse.REMAINDER)
    a = ap.parse_args(argv)
    here = os.path.dirname(os.path.abspath(__file__))
    hz = os.sysconf("SC_CLK_TCK")

    before_db = before_md = None
    if a.copper_db:
        before_db = db_counts(a.copper_db)
    if a.maildir:
        before_md = count_maildirs(a.maildir)
    with open("/proc/loadavg") as f:
        load1 = float(f.read().split()[0])
    m0, s0 = machine_jiffies(), server_jiffies(a.server_pid, a.tree)
    out = subprocess.run([sys.executable, os.path.join(here, "load.py"), "--port", str(a.port),
                          "--label", a.label] + [x for x in a.load_args if x != "--"],
                         check=False, capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stdout + out.stderr)
        sys.exit(f"load.py failed against {a.label}")
    r = json.loads(out.stdout)
    r["run"] = a.run
    r["load1_before"] = load1
    r["verified"] = r["errors"] == 0 and r["accepted"] == r["sent"]
    if a.copper_db:
        after = db_counts(a.copper_db)
        r["db_messages_added"] = after[0] - before_db[0]
        r["db_blobs_added"] = after[1] - before_db[1]
        r["verified"] &= r["db_messages_added"] == r["accepted"]
        r["stored_per_s"] = r["msgs_per_s"]  # 250 only after the commit is synced
    if a.maildir:
        want = before_md + r["accepted"]
        deadline = time.monotonic() + a.deliver_deadline
        n = count_maildirs(a.maildir)
        while n < want and time.monotonic() < deadline:
            time.sleep(0.05)
            n = count_maildirs(a.maildir)
        done = time.monotonic()
        r["delivered"] = n - before_md
        r["verified"] &= n >= want
        r["delivered_seconds"] = round(done - r["start_monotonic"], 3)
        r["stored_per_s"] = round(r["delivered"] / (done - r["start_monotonic"]), 1)
    m1, s1 = machine_jiffies(), server_jiffies(a.server_pid, a.tree)
    # Seconds of CPU over the whole measured window (for Postfix including
    # the time spent delivering after the last 250).
    r["server_cpu_s"] = round((s1 - s0) / hz, 2)
    r["machine_busy_pct"] = round(100.0 * (m1[1] - m0[1]) / max(1, m1[0] - m0[0]), 1)
    line = json.dumps(r)
    if a.results:
        with open(a.results, "a") as f:
            f.write(line + "\n")
    print(f"  {a.label:<9} run {a.run}: {r['accepted']} accepted, {r['msgs_per_s']} 250s/s, "
          f"stored {r.get('stored_per_s', '-')} /s, p50 {r['p50_ms']} ms, p99 {r['p99_ms']} ms, "
          f"server CPU {r['server_cpu_s']} s, client CPU {r['client_cpu_s']} s"
          + ("" if r["verified"] else "  VERIFICATION FAILED: " + json.dumps(
              {k: r.get(k) for k in ("errors", "error_samples", "db_messages_added", "delivered")})))


def fmt(v, nd=0):
    if v is None:
        return "-"
    return f"{v:,.{nd}f}"


def report(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    targets = ["copper", "postfix", "smtp-sink"]
    by = {t: [r for r in rows if r["label"] == t] for t in targets}
    print()
    print("run  target      load1  accepted  250s/s  stored/s  p50 ms  p99 ms  server CPU s  client CPU s  machine busy %")
    for r in rows:
        print(f"{r['run']:>3}  {r['label']:<9} {r['load1_before']:>6.2f} {r['accepted']:>9} {fmt(r['msgs_per_s']):>7} "
              f"{fmt(r.get('stored_per_s')):>9} {fmt(r['p50_ms'], 1):>7} {fmt(r['p99_ms'], 1):>7} "
              f"{r['server_cpu_s']:>13} {r['client_cpu_s']:>13} {r['machine_busy_pct']:>15}"
              + ("" if r["verified"] else "  NOT VERIFIED"))

    def med(t, key):
        vals = [r[key] for r in by[t] if r.get(key) is not None]
        return statistics.median(vals) if vals else None

    print()
    print(f"median over {max(len(v) for v in by.values())} run(s):")
    print("target     250s/s   stored/s  p50 ms  p99 ms")
    for t in targets:
        if by[t]:
            print(f"{t:<9} {fmt(med(t, 'msgs_per_s')):>7} {fmt(med(t, 'stored_per_s')):>9} "
                  f"{fmt(med(t, 'p50_ms'), 1):>7} {fmt(med(t, 'p99_ms'), 1):>7}")
    c, p_acc, p_del, s = (med("copper", "stored_per_s"), med("postfix", "msgs_per_s"),
                          med("postfix", "stored_per_s"), med("smtp-sink", "msgs_per_s"))
    print()
    if c and p_del:
        print(f"Copper / Postfix, durably stored in the mailbox (Maildir delivered): {c / p_del:.2f}x  (goal >= 2x)")
    if c and p_acc:
        print(f"Copper / Postfix, 250 rate (Postfix: queue file fsynced, not yet delivered): {c / p_acc:.2f}x")
    if c and s:
        print(f"Copper / smtp-sink (protocol ceiling of this client and machine): {c / s:.2f}")
    bad = [r for r in rows if not r.get("verified", True)]
    if bad:
        print("\nVERIFICATION FAILED for: " + ", ".join(f"run {r['run']} {r['label']}" for r in bad))
        sys.exit(1)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "free-ports":
        free_ports(int(args[0]))
    elif cmd == "wait-port":
        wait_port(int(args[0]), float(args[1]) if len(args) > 1 else 30.0)
    elif cmd == "db-count":
        m, b = db_counts(args[0])
        print(json.dumps({"messages": m, "blobs": b}))
    elif cmd == "maildir-count":
        print(count_maildirs(args[0]))
    elif cmd == "measure":
        measure(args)
    elif cmd == "report":
        report(args[0])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
