#!/usr/bin/env bash
# bench/smtp: messages/s accepted and durably stored, 10 KB messages over 20
# concurrent SMTP connections, for Copper and for a private Postfix instance
# (Debian's, virtual delivery to Maildirs) measured in the same run, plus
# Postfix's smtp-sink as the protocol ceiling. See bench/README.md.
#
#   bench/smtp/run.sh            # as root (or with sudo); a few minutes
#
# Environment (defaults in brackets):
#   MESSAGES [5000] per run and target    CONNECTIONS [20]   SIZE [10240] bytes
#   RUNS [3]        PROCS [2] client processes                USERS [20]
#   USER_QUOTA [none] give each Copper user this quota (e.g. 10G) to include
#                   the quota check at RCPT and DATA
#   POSTFIX_EXTRA [none] main.cf lines appended (\n-separated), for experiments
#   WAIT_LOAD [1.0] wait (every 30 s, at most WAIT_MAX [600] s) for the 1-minute
#                   load average to drop below this before measuring; 0 = don't
#   FSYNC_CHECK [1] count fsync calls per message under strace first
#   BUILD_DIR [build-bench]   COPPER_REV [working tree] build this commit instead
#   COPPER_BIN [build it] use this binary instead
#   KEEP [0] keep the temp dir   RESULTS [temp dir] JSON lines, one per measurement
# Only 127.0.0.1 is used. Nothing here fails on a timing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
MESSAGES=${MESSAGES:-5000}
CONNECTIONS=${CONNECTIONS:-20}
SIZE=${SIZE:-10240}
RUNS=${RUNS:-3}
PROCS=${PROCS:-2}
USERS=${USERS:-20}
USER_QUOTA=${USER_QUOTA:-}
POSTFIX_EXTRA=${POSTFIX_EXTRA:-}
WAIT_LOAD=${WAIT_LOAD:-1.0}
WAIT_MAX=${WAIT_MAX:-600}
FSYNC_CHECK=${FSYNC_CHECK:-1}
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
KEEP=${KEEP:-0}

log() { printf '== %s\n' "$*" >&2; }

if [[ $(id -u) != 0 ]]; then
  # Postfix's master must start as root; so must apt-get.
  if command -v sudo >/dev/null; then
    exec sudo --preserve-env=COPPER_BIN,COPPER_REV,MESSAGES,CONNECTIONS,SIZE,RUNS,PROCS,USERS,USER_QUOTA,POSTFIX_EXTRA,WAIT_LOAD,WAIT_MAX,FSYNC_CHECK,BUILD_DIR,KEEP,RESULTS "$0" "$@"
  fi
  echo "bench/smtp/run.sh: needs root (Postfix's master and apt-get)" >&2
  exit 1
fi

# --- packages -----------------------------------------------------------------
"$ROOT/scripts/install-deps.sh"
need=()
for pkg in postfix python3 strace procps; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  log "installing ${need[*]}"
  # "No configuration": Debian's own instance stays unconfigured and stopped;
  # this script runs a private instance with its own directories.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi

# --- Copper -------------------------------------------------------------------
COPPER_TOML=$ROOT/etc/copper.toml
if [[ -n ${COPPER_BIN:-} ]]; then
  COPPER=$COPPER_BIN
  COPPER_DESC="$COPPER_BIN (prebuilt)"
else
  # COPPER_REV: build that commit (git archive) instead of the working tree.
  src=$ROOT out=$BUILD_DIR
  if [[ -n ${COPPER_REV:-} ]]; then
    rev=$(git -C "$ROOT" rev-parse --short "$COPPER_REV^{commit}")
    src=$BUILD_DIR/rev-$rev/src out=$BUILD_DIR/rev-$rev/build
    if [[ ! -e $src/CMakeLists.txt ]]; then
      mkdir -p "$src"
      git -C "$ROOT" archive "$rev" | tar -x -C "$src"
    fi
  fi
  log "building Copper (Release) from $src in $out"
  mkdir -p "$out"
  if ! cmake -S "$src" -B "$out" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCOPPER_TESTS=OFF >"$out/bench-build.log" 2>&1 ||
    ! cmake --build "$out" -j "$(nproc)" >>"$out/bench-build.log" 2>&1; then
    tail -30 "$out/bench-build.log" >&2
    log "the build failed (full log: $out/bench-build.log)"
    exit 1
  fi
  COPPER=$out/copper
  COPPER_TOML=$src/etc/copper.toml
  if [[ -n ${COPPER_REV:-} ]]; then
    COPPER_DESC=$rev
  else
    COPPER_DESC="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
    git -C "$ROOT" diff --quiet HEAD -- src CMakeLists.txt 2>/dev/null || COPPER_DESC+=" + uncommitted changes"
  fi
fi

# --- wait for a quiet machine ---------------------------------------------------
# Other work (builds, tests) skews the figures; the benchmark's own load is
# reported with each run.
if [[ $WAIT_LOAD != 0 ]]; then
  waited=0
  while :; do
    load1=$(cut -d' ' -f1 /proc/loadavg)
    if python3 -c "import sys; sys.exit(0 if $load1 < $WAIT_LOAD else 1)"; then break; fi
    if ((waited >= WAIT_MAX)); then
      log "load $load1 still >= $WAIT_LOAD after ${WAIT_MAX}s; measuring anyway"
      break
    fi
    log "1-minute load $load1 >= $WAIT_LOAD; waiting 30 s"
    sleep 30
    waited=$((waited + 30))
  done
fi
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "load average before starting the servers: $LOAD_START"

# --- temp dir, cleanup --------------------------------------------------------
T=$(mktemp -d /tmp/copper-bench.XXXXXX)
chmod 755 "$T"  # Postfix daemons run as user postfix and must reach their queue
RESULTS=${RESULTS:-$T/results.jsonl}
COPPER_PID="" SINK_PID="" PF_UP=0 PF_MASTER="" STRACE_PID=""
cleanup() {
  set +e
  [[ -n $STRACE_PID ]] && kill "$STRACE_PID" 2>/dev/null && wait "$STRACE_PID" 2>/dev/null
  [[ -n $SINK_PID ]] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
  if [[ -n $COPPER_PID ]]; then
    kill -TERM "$COPPER_PID" 2>/dev/null && wait "$COPPER_PID" 2>/dev/null
  fi
  if ((PF_UP)); then
    postfix -c "$T/postfix/etc" stop >/dev/null 2>&1
    for _ in $(seq 100); do kill -0 "$PF_MASTER" 2>/dev/null || break; sleep 0.1; done
  fi
  if [[ $KEEP == 1 ]]; then
    log "kept $T"
  else
    rm -rf "$T"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r P_COPPER P_POSTFIX P_SINK < <(python3 "$HERE/util.py" free-ports 3)
users=$(seq 1 "$USERS")

log "starting Copper on 127.0.0.1:$P_COPPER"
mkdir -p "$T/copper"
# Only the MX listener, on the benchmark port: every other listener of the
# template ([listen] submission, imap, pop3, ...) is turned off.
awk -v data="$T/copper/data" -v port="$P_COPPER" '
  /^\[/ { section = $0 }
  /^hostname *=/ { print "hostname = \"copper.bench.test\""; next }
  /^data_dir *=/ { print "data_dir = \"" data "\""; next }
  /^log_level *=/ { print "log_level = \"warn\""; next }
  /^max_connections_per_ip *=/ { print "max_connections_per_ip = 1000"; next }
  section == "[listen]" && /^[a-z0-9_]+ *= *\[/ {
    key = $1
    print key " = " (key == "smtp" ? "[\"127.0.0.1:" port "\"]" : "[]")
    next
  }
  { print }
' "$COPPER_TOML" >"$T/copper/copper.toml"
CCONF=$T/copper/copper.toml
"$COPPER" --config "$CCONF" domain add bench.test >/dev/null
quota=()
[[ -n $USER_QUOTA ]] && quota=(--quota "$USER_QUOTA")
for i in $users; do
  echo 'bench-password' | "$COPPER" --config "$CCONF" user add "u$i@bench.test" --password-stdin "${quota[@]}" >/dev/null
done
"$COPPER" --config "$CCONF" serve 2>"$T/copper/copper.log" &
COPPER_PID=$!
python3 "$HERE/util.py" wait-port "$P_COPPER"
COPPER_DB=$T/copper/data/copper.db

log "starting a private Postfix $(postconf -d -h mail_version 2>/dev/null) on 127.0.0.1:$P_POSTFIX"
PF=$T/postfix
mkdir -p "$PF/etc" "$PF/spool" "$PF/lib" "$PF/mail"
chown postfix: "$PF/lib"
chown nobody:nogroup "$PF/mail"
for i in $users; do echo "u$i@bench.test u$i/"; done >"$PF/etc/vmailbox"
# Everything not set here is Postfix's default; in particular nothing turns off
# the fsync of the queue file before 250 (cleanup, mail_stream.c) or of the
# Maildir file before it is renamed into new/ (virtual, mail_copy.c).
cat >"$PF/etc/main.cf" <<EOF
compatibility_level = 3.6
queue_directory = $PF/spool
data_directory = $PF/lib
mail_owner = postfix
setgid_group = postdrop
myhostname = postfix.bench.test
mydomain = postfix.bench.test
myorigin = \$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
alias_maps =
alias_database =
biff = no
smtpd_banner = \$myhostname ESMTP
smtp_dns_support_level = disabled
virtual_mailbox_domains = bench.test
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = texthash:$PF/etc/vmailbox
virtual_uid_maps = static:$(id -u nobody)
virtual_gid_maps = static:$(id -g nobody)
maillog_file = $PF/postfix.log
maillog_file_prefixes = $PF
EOF
# For experiments only; the figures in bench/README.md use none.
[[ -n $POSTFIX_EXTRA ]] && printf '%b\n' "$POSTFIX_EXTRA" >>"$PF/etc/main.cf"
# Upstream's master.cf services, without chroot (a chroot would need copies of
# /etc files in the queue directory) and with smtpd on the benchmark port.
cat >"$PF/etc/master.cf" <<EOF
127.0.0.1:$P_POSTFIX inet n - n - - smtpd
pickup     unix  n - n 60 1 pickup
cleanup    unix  n - n -  0 cleanup
qmgr       unix  n - n 300 1 qmgr
rewrite    unix  - - n -  - trivial-rewrite
bounce     unix  - - n -  0 bounce
defer      unix  - - n -  0 bounce
trace      unix  - - n -  0 bounce
verify     unix  - - n -  1 verify
flush      unix  n - n 1000? 0 flush
proxymap   unix  - - n -  - proxymap
proxywrite unix  - - n -  1 proxymap
smtp       unix  - - n -  - smtp
relay      unix  - - n -  - smtp
showq      unix  n - n -  - showq
error      unix  - - n -  - error
retry      unix  - - n -  - error
discard    unix  - - n -  - discard
local      unix  - n n -  - local
virtual    unix  - n n -  - virtual
anvil      unix  - - n -  1 anvil
scache     unix  - - n -  1 scache
postlog    unix-dgram n - n - 1 postlogd
EOF
# Postfix logs its own fatal errors only to syslog (or $PF/postfix.log once
# postlogd runs); under script(1) it also writes them to the terminal.
if ! postfix -c "$PF/etc" check >&2 || ! postfix -c "$PF/etc" start >&2; then
  log "Postfix did not start; its reason:"
  script -qc "postfix -c $PF/etc start" /dev/null >&2 || true
  cat "$PF/postfix.log" >&2 2>/dev/null || true
  exit 1
fi
PF_UP=1
python3 "$HERE/util.py" wait-port "$P_POSTFIX"
PF_MASTER=$(head -1 "$PF/spool/pid/master.pid" | tr -d ' ')

log "starting smtp-sink on 127.0.0.1:$P_SINK"
smtp-sink -u nobody "127.0.0.1:$P_SINK" 256 >/dev/null 2>&1 &
SINK_PID=$!
python3 "$HERE/util.py" wait-port "$P_SINK"

load_args=(--connections "$CONNECTIONS" --size "$SIZE" --users "$USERS" --procs "$PROCS")

# --- durability check: fsync calls per message, by file, under strace --------
fsync_check() {  # label pid... ; sends 200 messages to the port in $port
  local label=$1 n=200
  shift
  local args=() p
  for p in "$@"; do args+=(-p "$p"); done
  strace -f -qq -y -e trace=fsync,fdatasync -o "$T/strace.$label" "${args[@]}" 2>/dev/null &
  STRACE_PID=$!
  sleep 1
  python3 "$HERE/load.py" --port "$port" --messages $n "${load_args[@]}" >/dev/null
  if [[ $label == postfix ]]; then
    for _ in $(seq 300); do  # until the queue is empty: the last deliveries' fsyncs
      [[ -z $(find "$PF/spool/active" "$PF/spool/incoming" -type f 2>/dev/null | head -1) ]] && break
      sleep 0.1
    done
  fi
  sleep 0.5
  kill "$STRACE_PID" 2>/dev/null
  wait "$STRACE_PID" 2>/dev/null || true
  STRACE_PID=""
  python3 - "$T/strace.$label" "$label" $n "$PF" "$T/copper" <<'EOF'
import collections, os, re, sys
path, label, n, pf, cp = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
kinds = collections.Counter()
for line in open(path):
    m = re.search(r"\b(fsync|fdatasync)\(\d+<([^>]*)>", line)
    if not m:
        continue
    f = m.group(2)
    if f.startswith(pf + "/spool/"):
        k = "Postfix queue file (" + f[len(pf) + 7:].split("/")[0] + "/)"
    elif f.startswith(pf + "/mail/"):
        k = "Maildir file (tmp/ before rename to new/)"
    elif f.startswith(cp):
        k = ("Copper directory " if os.path.isdir(f) else "Copper ") + f.rsplit("/", 1)[1]
    else:
        k = f
    kinds[f"{m.group(1)} {k}"] += 1
print(f"  {label}: {n} messages; " + "; ".join(f"{k}: {v} ({v / n:.2f}/message)" for k, v in sorted(kinds.items())))
EOF
}
if [[ $FSYNC_CHECK == 1 ]]; then
  log "durability check: fsync/fdatasync calls while delivering 200 messages (strace, not timed)"
  port=$P_COPPER fsync_check copper "$COPPER_PID"
  # master, and the daemons it already runs (qmgr, pickup, postlogd); -f follows new ones
  mapfile -t pf_children < <(pgrep -P "$PF_MASTER")
  port=$P_POSTFIX fsync_check postfix "$PF_MASTER" "${pf_children[@]}"
fi

log "warm-up (500 messages each, not recorded)"
for port in "$P_SINK" "$P_COPPER" "$P_POSTFIX"; do
  python3 "$HERE/load.py" --port "$port" --messages 500 "${load_args[@]}" >/dev/null
done
for _ in $(seq 600); do
  [[ -z $(find "$PF/spool/active" "$PF/spool/incoming" -type f 2>/dev/null | head -1) ]] && break
  sleep 0.1
done

log "measuring under load average: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- measurements ---------------------------------------------------------------
: >"$RESULTS"
for run in $(seq 1 "$RUNS"); do
  log "run $run/$RUNS: $MESSAGES messages of $SIZE bytes over $CONNECTIONS connections per target"
  python3 "$HERE/util.py" measure --label smtp-sink --run "$run" --port "$P_SINK" \
    --server-pid "$SINK_PID" --results "$RESULTS" -- --messages "$MESSAGES" "${load_args[@]}"
  python3 "$HERE/util.py" measure --label copper --run "$run" --port "$P_COPPER" \
    --server-pid "$COPPER_PID" --copper-db "$COPPER_DB" --results "$RESULTS" \
    -- --messages "$MESSAGES" "${load_args[@]}"
  python3 "$HERE/util.py" measure --label postfix --run "$run" --port "$P_POSTFIX" \
    --server-pid "$PF_MASTER" --tree --maildir "$PF/mail" --results "$RESULTS" \
    -- --messages "$MESSAGES" "${load_args[@]}"
done

echo
echo "bench/smtp: $MESSAGES messages x $RUNS runs per target, $(python3 -c "
import json; print(json.loads(open('$RESULTS').readline())['message_bytes'])") bytes each, $CONNECTIONS connections, $PROCS client processes"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), /tmp on $(df -T /tmp | awk 'NR==2{print $2" ("$1")"}')"
echo "load average before starting: $LOAD_START; after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Copper $COPPER_DESC, Postfix $(postconf -d -h mail_version 2>/dev/null)"
python3 "$HERE/util.py" report "$RESULTS"
