#!/usr/bin/env bash
# bench/imap: Copper against a private Dovecot (Debian's dovecot-imapd) in the
# same run, same machine, same client: (a) a mixed IMAP workload over N
# clients, ops/s and p99; (b) memory per idle IDLE connection with 1,000
# connections; (c) body-text SEARCH over a large mailbox. See bench/README.md.
#
#   bench/imap/run.sh            # as root (or with sudo)
#
# Environment (defaults in brackets):
#   CLIENTS [20] mixed-workload clients   USERS [20] accounts, one mailbox each
#   WORK_MESSAGES [1000] messages per account for the mixed workload
#   SECONDS_PER_RUN [20] length of one mixed run   RUNS [3]   PROCS [2] client processes
#   IDLE_CONNECTIONS [1000]
#   SEARCH_MESSAGES [100000] messages in the search mailbox   SEARCH_RUNS [7]
#   WAIT_LOAD [1.0] wait (every 30 s, at most WAIT_MAX [600] s) for the 1-minute
#                   load average to drop below this before measuring; 0 = don't
#   BUILD_DIR [build-bench]   COPPER_BIN [build it] use this binary instead
#   KEEP [0] keep the temp dir   RESULTS [temp dir] JSON lines, one per measurement
#   SKIP [none] any of "mixed idle search" to leave out
# Only 127.0.0.1 is used. Nothing here fails on a timing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CLIENTS=${CLIENTS:-20}
USERS=${USERS:-20}
WORK_MESSAGES=${WORK_MESSAGES:-1000}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
RUNS=${RUNS:-3}
PROCS=${PROCS:-2}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-1000}
SEARCH_MESSAGES=${SEARCH_MESSAGES:-100000}
SEARCH_RUNS=${SEARCH_RUNS:-7}
WAIT_LOAD=${WAIT_LOAD:-1.0}
WAIT_MAX=${WAIT_MAX:-600}
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
KEEP=${KEEP:-0}
SKIP=${SKIP:-}
BENCH=(python3 "$HERE/imapbench.py")

log() { printf '== %s\n' "$*" >&2; }
skipped() { [[ " $SKIP " == *" $1 "* ]]; }

if [[ $(id -u) != 0 ]]; then
  # Dovecot's master starts as root (it drops to its users); so must apt-get.
  if command -v sudo >/dev/null; then
    exec sudo --preserve-env=COPPER_BIN,CLIENTS,USERS,WORK_MESSAGES,SECONDS_PER_RUN,RUNS,PROCS,IDLE_CONNECTIONS,SEARCH_MESSAGES,SEARCH_RUNS,WAIT_LOAD,WAIT_MAX,BUILD_DIR,KEEP,RESULTS,SKIP "$0" "$@"
  fi
  echo "bench/imap/run.sh: needs root (Dovecot's master and apt-get)" >&2
  exit 1
fi

# --- packages -----------------------------------------------------------------
need=()
for pkg in dovecot-imapd python3 procps; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  log "installing ${need[*]}"
  # Debian's package would start the system's dovecot: forbid service starts
  # during the install (policy-rc.d), and stop it should it run anyway.
  had_policy=0
  [[ -e /usr/sbin/policy-rc.d ]] && had_policy=1
  ((had_policy)) || printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
  ((had_policy)) || rm -f /usr/sbin/policy-rc.d
  if command -v systemctl >/dev/null && systemctl is-active --quiet dovecot 2>/dev/null; then
    systemctl stop dovecot
  fi
fi

# --- Copper -------------------------------------------------------------------
COPPER_TOML=$ROOT/etc/copper.toml
if [[ -n ${COPPER_BIN:-} ]]; then
  COPPER=$COPPER_BIN
  COPPER_DESC="$COPPER_BIN (prebuilt)"
else
  log "building Copper (Release) from the working tree in $BUILD_DIR"
  "$ROOT/scripts/install-deps.sh"
  mkdir -p "$BUILD_DIR"
  if ! cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCOPPER_TESTS=OFF >"$BUILD_DIR/bench-build.log" 2>&1 ||
    ! cmake --build "$BUILD_DIR" -j "$(nproc)" >>"$BUILD_DIR/bench-build.log" 2>&1; then
    tail -30 "$BUILD_DIR/bench-build.log" >&2
    log "the build failed (full log: $BUILD_DIR/bench-build.log)"
    exit 1
  fi
  COPPER=$BUILD_DIR/copper
  COPPER_DESC="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
  git -C "$ROOT" diff --quiet HEAD -- src CMakeLists.txt 2>/dev/null || COPPER_DESC+=" + uncommitted changes"
fi

# --- wait for a quiet machine ---------------------------------------------------
wait_quiet() {
  [[ $WAIT_LOAD == 0 ]] && return
  local waited=0 load1
  while :; do
    load1=$(cut -d' ' -f1 /proc/loadavg)
    python3 -c "import sys; sys.exit(0 if $load1 < $WAIT_LOAD else 1)" && return
    if ((waited >= WAIT_MAX)); then
      log "load $load1 still >= $WAIT_LOAD after ${WAIT_MAX}s; measuring anyway"
      return
    fi
    log "1-minute load $load1 >= $WAIT_LOAD; waiting 30 s"
    sleep 30
    waited=$((waited + 30))
  done
}

# --- temp dir, cleanup --------------------------------------------------------
T=$(mktemp -d /tmp/copper-imap-bench.XXXXXX)
chmod 755 "$T"  # Dovecot's imap processes run as nobody and must reach the mail
RESULTS=${RESULTS:-$T/results.jsonl}
: >"$RESULTS"
COPPER_PID="" DC_UP=0 D=$T/dovecot
cleanup() {
  set +e
  if [[ -n $COPPER_PID ]]; then
    kill -TERM "$COPPER_PID" 2>/dev/null && wait "$COPPER_PID" 2>/dev/null
  fi
  if ((DC_UP)); then
    doveadm -c "$D/dovecot.conf" stop >/dev/null 2>&1
  fi
  if [[ $KEEP == 1 ]]; then
    log "kept $T"
  else
    rm -rf "$T"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
ulimit -n "$(ulimit -Hn)"  # 1,000 client sockets plus the servers' ends

read -r P_COPPER P_DOVECOT P_SMTP < <(python3 "$ROOT/bench/smtp/util.py" free-ports 3)
users=$(seq 1 "$USERS")

log "starting Copper on 127.0.0.1:$P_COPPER"
mkdir -p "$T/copper"
# The IMAP listener, without TLS for loopback clients (as Dovecot here), and
# the MX listener for loading the search mailbox.
awk -v data="$T/copper/data" -v port="$P_COPPER" -v smtp="$P_SMTP" '
  /^\[/ { section = $0 }
  /^hostname *=/ { print "hostname = \"copper.bench.test\""; next }
  /^data_dir *=/ { print "data_dir = \"" data "\""; next }
  /^log_level *=/ { print "log_level = \"warn\""; next }
  /^max_connections *=/ { print "max_connections = 5000"; next }
  /^max_connections_per_ip *=/ { print "max_connections_per_ip = 5000"; next }
  /^plaintext_on_loopback *=/ { print "plaintext_on_loopback = true"; next }
  section == "[listen]" && /^[a-z0-9_]+ *= *\[/ {
    key = $1
    print key " = " (key == "imap" ? "[\"127.0.0.1:" port "\"]" : key == "smtp" ? "[\"127.0.0.1:" smtp "\"]" : "[]")
    next
  }
  { print }
' "$COPPER_TOML" >"$T/copper/copper.toml"
CCONF=$T/copper/copper.toml
"$COPPER" --config "$CCONF" domain add bench.test >/dev/null
for u in $users big; do
  echo 'bench-password' | "$COPPER" --config "$CCONF" user add "u$u@bench.test" --password-stdin >/dev/null
done
"$COPPER" --config "$CCONF" serve 2>"$T/copper/copper.log" &
COPPER_PID=$!

log "starting a private Dovecot $(dovecot --version | cut -d' ' -f1) on 127.0.0.1:$P_DOVECOT"
mkdir -p "$D/run" "$D/state" "$D/mail"
for u in $users big; do echo "u$u@bench.test:{PLAIN}bench-password::::::"; done >"$D/passwd"
chown -R nobody:nogroup "$D/mail"
# Everything not set here is Dovecot's default (mail_fsync = optimized, index
# files beside the Maildirs, imap-login in high-security mode: one process
# per connection until login, then one imap process per session). The
# limits are raised so that 1,000 sessions fit; ssl = no because Copper runs
# without TLS here too.
cat >"$D/dovecot.conf" <<EOF
instance_name = copper-bench-dovecot
base_dir = $D/run
state_dir = $D/state
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
log_path = $D/dovecot.log
mail_location = maildir:$D/mail/%n/Maildir
first_valid_uid = $(id -u nobody)
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $D/passwd
}
userdb {
  driver = static
  args = uid=$(id -u nobody) gid=$(id -g nobody) home=$D/mail/%n
}
default_process_limit = 3000
default_client_limit = 6000
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $P_DOVECOT
  }
  inet_listener imaps {
    port = 0
  }
}
service imap {
  process_limit = 3000
}
service anvil {
  client_limit = 6100
}
service auth {
  client_limit = 6100
}
protocol imap {
  mail_max_userip_connections = 3000
}
EOF

log "loading messages: $USERS accounts x $WORK_MESSAGES, and $SEARCH_MESSAGES for the search"
# Dovecot: the same bytes as Maildir files, written directly (its fastest
# path; it indexes them at the first SELECT, done below before measuring).
for u in $users; do
  "${BENCH[@]}" maildir --dir "$D/mail/u$u/Maildir" --count "$WORK_MESSAGES" --start $((u * 1000000)) >/dev/null
done
"${BENCH[@]}" maildir --dir "$D/mail/ubig/Maildir" --count "$SEARCH_MESSAGES" >/dev/null
chown -R nobody:nogroup "$D/mail"
dovecot -c "$D/dovecot.conf"
DC_UP=1
for _ in $(seq 100); do [[ -s $D/run/master.pid ]] && break; sleep 0.1; done
DC_MASTER=$(cat "$D/run/master.pid")

python3 - "$P_COPPER" "$P_DOVECOT" <<'EOF'
import socket, sys, time
for port in map(int, sys.argv[1:]):
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                if s.recv(512).startswith(b"* OK"):
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"no IMAP greeting on 127.0.0.1:{port}")
        time.sleep(0.1)
EOF

# Copper: the same bytes over IMAP APPEND (every message goes through the
# store's durable commit; 10 connections per account).
t0=$(date +%s)
for u in $users; do
  "${BENCH[@]}" append --port "$P_COPPER" --user "u$u@bench.test" --count "$WORK_MESSAGES" \
    --start $((u * 1000000)) --connections 10 >/dev/null
done
log "Copper: $USERS x $WORK_MESSAGES messages over IMAP APPEND in $(($(date +%s) - t0)) s"
# The search mailbox over SMTP, 20 connections (APPEND was once quadratic
# here, when each one counted the mailbox; the counts now live on the mailbox
# row). Delivery adds a Received line to each message; the words in the
# bodies are the same.
"${BENCH[@]}" smtp --port "$P_SMTP" --user "ubig@bench.test" --count "$SEARCH_MESSAGES" \
  --connections 20 >"$T/copper-smtp.json"
log "Copper: $SEARCH_MESSAGES messages over SMTP ($(cat "$T/copper-smtp.json"))"

# Warm-up (not recorded): Dovecot builds its indexes of the Maildirs here.
log "warm-up: 5 s of the mixed workload against each"
for p in "$P_COPPER" "$P_DOVECOT"; do
  "${BENCH[@]}" mixed --port "$p" --users "$USERS" --clients "$CLIENTS" --seconds 5 \
    --procs "$PROCS" --run 0 >/dev/null
done

wait_quiet
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average before measuring: $LOAD_START"

record() {  # appends a JSON line with the load average
  python3 -c "import json,sys; r=json.loads(sys.argv[1]); r['load1']=float(open('/proc/loadavg').read().split()[0]); print(json.dumps(r))" "$1" >>"$RESULTS"
}

if ! skipped mixed; then
  for run in $(seq 1 "$RUNS"); do
    for target in copper dovecot; do
      port=$P_COPPER
      [[ $target == dovecot ]] && port=$P_DOVECOT
      log "mixed run $run/$RUNS: $target, $CLIENTS clients, $SECONDS_PER_RUN s (load $(cut -d' ' -f1 /proc/loadavg))"
      record "$("${BENCH[@]}" mixed --label "$target" --run "$run" --port "$port" --users "$USERS" \
        --clients "$CLIENTS" --seconds "$SECONDS_PER_RUN" --procs "$PROCS")"
    done
  done
fi

if ! skipped idle; then
  # Copper is one process. Dovecot: the master and every process it forked
  # (imap-login, imap, auth, config, log, anvil, stats): all are needed to
  # serve the sessions, so their memory is summed.
  log "idle: $IDLE_CONNECTIONS connections in IDLE against copper (load $(cut -d' ' -f1 /proc/loadavg))"
  record "$("${BENCH[@]}" idle --label copper --port "$P_COPPER" --users "$USERS" \
    --connections "$IDLE_CONNECTIONS" --pids-cmd "echo $COPPER_PID")"
  log "idle: $IDLE_CONNECTIONS connections in IDLE against dovecot (load $(cut -d' ' -f1 /proc/loadavg))"
  record "$("${BENCH[@]}" idle --label dovecot --port "$P_DOVECOT" --users "$USERS" \
    --connections "$IDLE_CONNECTIONS" --pids-cmd "echo $DC_MASTER; pgrep -P $DC_MASTER")"
fi

if ! skipped search; then
  for target in copper dovecot; do
    port=$P_COPPER
    [[ $target == dovecot ]] && port=$P_DOVECOT
    log "search: SEARCH BODY over $SEARCH_MESSAGES messages, $target (load $(cut -d' ' -f1 /proc/loadavg))"
    record "$("${BENCH[@]}" search --label "$target" --port "$port" --user ubig@bench.test \
      --runs "$SEARCH_RUNS")"
  done
fi

echo
echo "bench/imap: $CLIENTS clients over $USERS accounts of $WORK_MESSAGES messages, $RUNS x $SECONDS_PER_RUN s;" \
  "$IDLE_CONNECTIONS idle connections; search over $SEARCH_MESSAGES messages"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), /tmp on $(df -T /tmp | awk 'NR==2{print $2" ("$1")"}')"
echo "load average before measuring: $LOAD_START; after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Copper $COPPER_DESC, Dovecot $(dovecot --version)"
"${BENCH[@]}" report "$RESULTS"
