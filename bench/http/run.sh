#!/usr/bin/env bash
# bench/http: requests/s and p99 latency of Copper's HTTP server under 200
# concurrent keep-alive connections (wrk), for /healthz, a static asset and an
# authenticated API call (GET /admin/api/me with a session cookie), and of a
# private nginx serving the same static asset (the same bytes) in the same
# run. Prints a table and the Copper/nginx ratio. See bench/README.md, "HTTP".
#
#   bench/http/run.sh          # as root (or with sudo) the first time: apt-get
#
# Environment (defaults in brackets):
#   DURATION [30] seconds per measurement   CONNECTIONS [200]   THREADS [2] wrk threads
#   RUNS [3]      measurements per target (the median is reported)
#   STATIC_PATH [found in /admin/'s HTML, else /admin/] the asset to fetch
#   WAIT_LOAD [1.0] wait (every 30 s, at most WAIT_MAX [600] s) for the 1-minute
#                   load average to drop below this; 0 = don't
#   BUILD_DIR [build-bench]   COPPER_BIN [build it] use this binary instead
#   KEEP [0] keep the temp dir
# Only 127.0.0.1 is used, over plain http (TLS would measure OpenSSL on both
# sides alike). Nothing here fails on a timing.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-200}
THREADS=${THREADS:-2}
RUNS=${RUNS:-3}
STATIC_PATH=${STATIC_PATH:-}
WAIT_LOAD=${WAIT_LOAD:-1.0}
WAIT_MAX=${WAIT_MAX:-600}
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
KEEP=${KEEP:-0}

log() { printf '== %s\n' "$*" >&2; }

# --- packages -----------------------------------------------------------------
need=()
for pkg in wrk nginx-light curl python3; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if ((${#need[@]})); then
  if [[ $(id -u) != 0 ]]; then
    if command -v sudo >/dev/null; then
      exec sudo --preserve-env=DURATION,CONNECTIONS,THREADS,RUNS,STATIC_PATH,WAIT_LOAD,WAIT_MAX,BUILD_DIR,COPPER_BIN,KEEP "$0" "$@"
    fi
    echo "bench/http/run.sh: needs root once to install ${need[*]}" >&2
    exit 1
  fi
  "$ROOT/scripts/install-deps.sh"
  log "installing ${need[*]}"
  # Debian's own nginx service is not used: a private instance runs below.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
fi

# --- Copper -------------------------------------------------------------------
if [[ -n ${COPPER_BIN:-} ]]; then
  COPPER=$COPPER_BIN
  COPPER_DESC="$COPPER_BIN (prebuilt)"
else
  log "building Copper (Release) in $BUILD_DIR"
  mkdir -p "$BUILD_DIR"
  if ! cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCOPPER_TESTS=OFF >"$BUILD_DIR/bench-build.log" 2>&1 ||
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

# --- temp dir, cleanup --------------------------------------------------------
T=$(mktemp -d /tmp/copper-bench-http.XXXXXX)
chmod 755 "$T"  # nginx workers (user nobody when started as root) read the asset
COPPER_PID="" NGINX_UP=0
cleanup() {
  set +e
  if [[ -n $COPPER_PID ]]; then
    kill -TERM "$COPPER_PID" 2>/dev/null && wait "$COPPER_PID" 2>/dev/null
  fi
  if ((NGINX_UP)); then
    /usr/sbin/nginx -p "$T/nginx/" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log" -s stop \
      2>/dev/null
    for _ in $(seq 100); do [[ -e $T/nginx/nginx.pid ]] || break; sleep 0.1; done
  fi
  if [[ $KEEP == 1 ]]; then log "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

read -r P_COPPER P_NGINX < <(python3 "$ROOT/bench/smtp/util.py" free-ports 2)
wait_http() {  # URL: until it answers (any status), at most 30 s
  for _ in $(seq 300); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  log "$1 did not answer"
  exit 1
}

log "starting Copper on 127.0.0.1:$P_COPPER (http only)"
mkdir -p "$T/copper"
CCONF=$T/copper/copper.toml
cat >"$CCONF" <<EOF
hostname = "copper.bench.test"
data_dir = "$T/copper/data"
log_level = "warn"
[listen]
http = ["127.0.0.1:$P_COPPER"]
[limits]
max_connections = 10000
max_connections_per_ip = 10000
[http]
max_requests_per_connection = 100000  # the most the config allows
EOF
"$COPPER" --config "$CCONF" domain add bench.test >/dev/null
echo 'bench-password' | "$COPPER" --config "$CCONF" user add u1@bench.test --password-stdin >/dev/null
"$COPPER" --config "$CCONF" serve 2>"$T/copper/copper.log" &
COPPER_PID=$!
BASE=http://127.0.0.1:$P_COPPER
wait_http "$BASE/healthz"

# The static asset: one the admin portal's page loads, else the page itself.
if [[ -z $STATIC_PATH ]]; then
  STATIC_PATH=$(curl -s "$BASE/admin/" | grep -oE '(src|href)="/admin/[^"]+\.(js|css)"' |
    head -1 | sed -E 's/^(src|href)="//; s/"$//' || true)
  STATIC_PATH=${STATIC_PATH:-/admin/}
fi
# The asset's directory ("/admin/" is one itself; a file's is its dirname).
if [[ $STATIC_PATH == */ ]]; then
  mkdir -p "$T/nginx/html$STATIC_PATH" "$T/nginx/logs"
else
  mkdir -p "$T/nginx/html$(dirname "$STATIC_PATH")" "$T/nginx/logs"
fi
ASSET_FILE=$T/nginx/html$STATIC_PATH
[[ $STATIC_PATH == */ ]] && ASSET_FILE+=index.html
curl -sf -o "$ASSET_FILE" "$BASE$STATIC_PATH" || {
  log "Copper does not serve $STATIC_PATH"
  exit 1
}
chmod -R a+rX "$T/nginx"
ASSET_BYTES=$(stat -c %s "$ASSET_FILE")

# The session cookie for the API call; without the admin API (not merged
# yet) that row is skipped.
COOKIE=""
login=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' \
  --data '{"username":"u1@bench.test","password":"bench-password"}' "$BASE/admin/api/login" || true)
if grep -qi '^set-cookie: copper_session=' <<<"$login"; then
  COOKIE=$(grep -i '^set-cookie: copper_session=' <<<"$login" | head -1 | sed -E 's/^[^:]*: *//; s/;.*//' | tr -d '\r')
else
  log "POST /admin/api/login did not return a session: skipping the API measurement"
fi

log "starting a private nginx $(/usr/sbin/nginx -v 2>&1 | cut -d/ -f2) on 127.0.0.1:$P_NGINX"
cat >"$T/nginx/nginx.conf" <<EOF
worker_processes $(nproc);
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  types { application/javascript js; text/css css; text/html html; }
  server {
    listen 127.0.0.1:$P_NGINX;
    root $T/nginx/html;
    client_body_temp_path $T/nginx/tmp;
    proxy_temp_path $T/nginx/tmp;
    fastcgi_temp_path $T/nginx/tmp;
    uwsgi_temp_path $T/nginx/tmp;
    scgi_temp_path $T/nginx/tmp;
  }
}
EOF
mkdir -p "$T/nginx/tmp"
/usr/sbin/nginx -p "$T/nginx/" -c "$T/nginx/nginx.conf" -e "$T/nginx/error.log"
NGINX_UP=1
wait_http "http://127.0.0.1:$P_NGINX$STATIC_PATH"

# --- measurements ---------------------------------------------------------------
RESULTS=$T/results.txt
: >"$RESULTS"
measure() {  # label url [header]
  local label=$1 url=$2 header=${3:-} run out rps p99
  local args=(-t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --latency)
  [[ -n $header ]] && args+=(-H "$header")
  for run in $(seq 1 "$RUNS"); do
    out=$(wrk "${args[@]}" "$url")
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    errors=$(awk '/Non-2xx or 3xx responses:/ {print $NF} /Socket errors:/ {print "socket:" $0}' <<<"$out" | tr '\n' ' ')
    log "$label run $run/$RUNS: $rps req/s, p99 $p99 ${errors:+(errors: $errors)}"
    echo "$label $rps $p99" >>"$RESULTS"
  done
}
log "warm-up (5 s each, not recorded)"
for url in "$BASE/healthz" "$BASE$STATIC_PATH" "http://127.0.0.1:$P_NGINX$STATIC_PATH"; do
  wrk -t "$THREADS" -c "$CONNECTIONS" -d 5s "$url" >/dev/null
done
log "measuring under load average: $(cut -d' ' -f1-3 /proc/loadavg)"
measure copper_healthz "$BASE/healthz"
measure copper_static "$BASE$STATIC_PATH"
measure nginx_static "http://127.0.0.1:$P_NGINX$STATIC_PATH"
if [[ -n $COOKIE ]]; then
  measure copper_api_me "$BASE/admin/api/me" "Cookie: $COOKIE"
fi

echo
echo "bench/http: wrk, $CONNECTIONS keep-alive connections, $THREADS threads, ${DURATION}s x $RUNS runs (median)"
echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "load average before starting: $LOAD_START; after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Copper $COPPER_DESC, nginx $(/usr/sbin/nginx -v 2>&1 | cut -d/ -f2), static asset $STATIC_PATH ($ASSET_BYTES bytes)"
python3 - "$RESULTS" <<'EOF'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    label, rps, p99 = line.split()
    rows.setdefault(label, []).append((float(rps), p99))
def ms(text):  # wrk prints 1.23ms, 456.00us, 1.02s
    for unit, f in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * f
    return float("nan")
med = {k: (statistics.median(r for r, _ in v), statistics.median(ms(p) for _, p in v))
       for k, v in rows.items()}
print(f"{'target':<16} {'req/s':>10} {'p99 ms':>8}")
for k, (rps, p99) in med.items():
    print(f"{k:<16} {rps:>10.0f} {p99:>8.2f}")
if "copper_static" in med and "nginx_static" in med:
    c, n = med["copper_static"], med["nginx_static"]
    print(f"static asset, Copper/nginx: {c[0] / n[0]:.2f}x req/s, {c[1] / n[1]:.2f}x p99")
EOF
