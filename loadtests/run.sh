#!/usr/bin/env bash
# The side-by-side load test (issue #5): on loopback, in one run, the native edge against what a user
# would otherwise deploy in front of the same fast origin: a bare YARP forwarder of the same build,
# nginx and haproxy; and the edge's /v1/authorize against a Kestrel hello endpoint of the same build.
# Every scenario runs once per round, in the same order, for R rounds (A/B alternation: drift hits
# all of them); the report gives the median over rounds. Then 100 MiB uploads and downloads through
# the origin directly, the YARP baseline and the edge. Writes loadtests/results/latest.md and
# latest.json (quick.* or smoke.* with --quick or --smoke) and ends with these lines, each alone
# on its line (two decimals):
#
#   ratio-paid-vs-yarp: X          edge-paid rps / yarp rps
#   ratio-passthrough-vs-yarp: X   edge-passthrough rps / yarp rps
#   ratio-paid-vs-nginx: X         edge-paid rps / nginx rps
#   ratio-authorize-vs-hello: X    edge-authorize rps / hello rps
#   p99-paid-vs-yarp: X            edge-paid p99 latency / yarp p99 latency
#   ratio-upload-vs-yarp: X        edge (paid path) upload throughput / yarp upload throughput
#   ratio-download-vs-yarp: X      edge (paid path) download throughput / yarp download throughput
#   ratio-paid-vs-haproxy: X       edge-paid rps / haproxy rps
#   ratio-passthrough-vs-haproxy: X edge-passthrough rps / haproxy rps
#   p99-paid-vs-haproxy: X         edge-paid p99 latency / haproxy p99 latency
#   ratio-upload-vs-haproxy: X     edge (paid path) upload throughput / haproxy upload throughput
#   ratio-download-vs-haproxy: X   edge (paid path) download throughput / haproxy download throughput
#   ratio-mcp-vs-paid: X           edge-mcp rps (a priced MCP tools/call POST) / edge-paid rps
#   edge-peak-rss-mib: X           the edge's VmHWM after everything, MiB
#
# Exits non-zero, without a report, if any measurement is invalid: a socket error, a status other
# than the expected one (200; 429 for edge-429), a byte count that differs, a process that died, a
# decision record the edge dropped, a warning or an error in the edge's log. See loadtests/README.md.
#
#   loadtests/run.sh               publish the edge and the baselines, 5 rounds of 10 s (~10 min)
#   loadtests/run.sh --quick       3 rounds of 4 s (< 3 min with --no-build)
#   loadtests/run.sh --smoke       1 round of 1 s, 8 MiB streaming: proves the script works end to end
#   loadtests/run.sh --no-build    reuse artifacts/edge/edgefence-edge and artifacts/baseline/ if present
#
# Everything it writes (keys, tokens, snapshot, configs, logs, wrk output) is in loadtests/.work/,
# recreated on each run. LOADTEST_WRK_THREADS, LOADTEST_WRK_CONNECTIONS and LOADTEST_WRK_CPU override
# wrk's parameters (see "Choosing wrk's parameters" in loadtests/README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

profile=full
no_build=0
command_line="loadtests/run.sh${*:+ $*}"

usage() { sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; }
fail() {
  echo "run.sh: $*" >&2
  exit 1
}

while [ $# -gt 0 ]; do
  case "$1" in
    --quick | --smoke)
      [ "$profile" = full ] || { echo "run.sh: --quick and --smoke exclude each other" >&2; exit 2; }
      profile=${1#--}
      ;;
    --no-build) no_build=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "run.sh: unknown option '$1' (options: --quick, --smoke, --no-build)" >&2
      exit 2
      ;;
  esac
  shift
done

# :: The profile: rounds × scenarios × duration, plus a warm-up pass and the streaming runs.
case "$profile" in
  full) rounds=5 duration=10 warmup=2 stream_mib=100 stream_reps=3 ;;
  quick) rounds=3 duration=4 warmup=1 stream_mib=100 stream_reps=2 ;;
  smoke) rounds=1 duration=1 warmup=0 stream_mib=8 stream_reps=1 ;;
esac

# The same wrk parameters for every scenario: one thread, 32 connections, not pinned. Measured on the
# project's 2-core machine (loadtests/README.md, "Choosing wrk's parameters"): pinning wrk to CPU 1
# made every scenario slower and its p99 higher without making rounds steadier, and a second wrk thread
# only took CPU from the servers under test; the ratios barely moved either way. The LOADTEST_WRK_*
# variables exist to repeat those measurements (LOADTEST_WRK_CPU=<n> pins wrk to CPU n).
wrk_threads=${LOADTEST_WRK_THREADS:-1}
wrk_connections=${LOADTEST_WRK_CONNECTIONS:-32}
wrk_cpu=${LOADTEST_WRK_CPU:-none}
wrk_timeout=5s
[[ "$wrk_threads" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: LOADTEST_WRK_THREADS must be a positive integer, got '$wrk_threads'" >&2; exit 2; }
[[ "$wrk_connections" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: LOADTEST_WRK_CONNECTIONS must be a positive integer, got '$wrk_connections'" >&2; exit 2; }
if [ "$wrk_cpu" = none ]; then
  wrk_cmd=(wrk)
elif [[ "$wrk_cpu" =~ ^[0-9]+$ ]]; then
  wrk_cmd=(taskset -c "$wrk_cpu" wrk)
else
  echo "run.sh: LOADTEST_WRK_CPU must be a CPU number or 'none', got '$wrk_cpu'" >&2
  exit 2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

edge_bin=artifacts/edge/edgefence-edge
baseline_bin=artifacts/baseline/edgefence-load-baseline
tool_bin=src/EdgeFence.SnapshotTool/bin/Release/net10.0/edgefence-snapshot
work=loadtests/.work
results=loadtests/results
started=$(date +%s)

# shellcheck source=scripts/lib.sh
source scripts/lib.sh

# :: Prerequisites and build.
scripts/ensure-packages.sh wrk nginx haproxy curl
command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK (10.0, see global.json) is not on PATH"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed for the report"
[ "$wrk_cpu" = none ] || [ "$(nproc)" -gt "$wrk_cpu" ] || fail "wrk is to be pinned to CPU $wrk_cpu, but this machine has $(nproc) CPU(s)"

if [ "$no_build" -eq 1 ] && [ -x "$edge_bin" ]; then
  echo "run.sh: reusing $edge_bin (--no-build)"
else
  scripts/publish-aot.sh
fi

if [ "$no_build" -eq 1 ] && [ -x "$baseline_bin" ]; then
  echo "run.sh: reusing $baseline_bin (--no-build)"
else
  publish_baseline
fi

dotnet build src/EdgeFence.SnapshotTool -c Release -nologo -v quiet >/dev/null || fail "building the snapshot tool failed"
[ -x "$tool_bin" ] || fail "$tool_bin was not built"

rm -rf "$work"
mkdir -p "$work/keys" "$work/nginx" "$results"
abs_work=$(cd "$work" && pwd)

# :: Processes: every child is stopped on exit, whatever the reason (scripts/lib.sh).
trap stop_children EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM

# Waits until GET $url (with Host $host) answers 200; fails if $pid exits or 30 s pass.
wait_for_200() {
  local name=$1 pid=$2 log=$3 url=$4 host=${5:-}
  local args=(-s -o /dev/null -w '%{http_code}' --max-time 2)
  [ -z "$host" ] || args+=(-H "Host: $host")
  for _ in $(seq 300); do
    [ "$(curl "${args[@]}" "$url" 2>/dev/null || true)" = 200 ] && return 0
    kill -0 "$pid" 2>/dev/null || { echo "run.sh: the $name exited during start; end of $log:" >&2; tail -n 30 "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "run.sh: the $name does not answer 200 at $url within 30 s; end of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
}

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# :: The fast origin and the two other modes of the baseline binary, each on a port of its choosing.
"$baseline_bin" origin --urls=http://127.0.0.1:0 >"$work/origin.log" 2>&1 &
origin_pid=$!
pids+=("$origin_pid")
origin_url=$(wait_for_line origin "$origin_pid" "$work/origin.log" 'http://127\.0\.0\.1:[0-9]+')
origin_port=${origin_url##*:}

"$baseline_bin" yarp "$origin_url" --urls=http://127.0.0.1:0 >"$work/yarp.log" 2>&1 &
yarp_pid=$!
pids+=("$yarp_pid")
yarp_url=$(wait_for_line "YARP baseline" "$yarp_pid" "$work/yarp.log" 'http://127\.0\.0\.1:[0-9]+')

"$baseline_bin" hello --urls=http://127.0.0.1:0 >"$work/hello.log" 2>&1 &
hello_pid=$!
pids+=("$hello_pid")
hello_url=$(wait_for_line "hello endpoint" "$hello_pid" "$work/hello.log" 'http://127\.0\.0\.1:[0-9]+')

# :: nginx: a plain reverse proxy with keep-alive to the origin, in the foreground, everything in .work.
nginx_port=$(free_port)
if [ "$(id -u)" -eq 0 ]; then nginx_user="user root;"; else nginx_user=""; fi
cat >"$work/nginx/nginx.conf" <<EOF
$nginx_user
worker_processes auto;
daemon off;
pid $abs_work/nginx/nginx.pid;
error_log $abs_work/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $abs_work/nginx/client_body;
  proxy_temp_path $abs_work/nginx/proxy;
  fastcgi_temp_path $abs_work/nginx/fastcgi;
  uwsgi_temp_path $abs_work/nginx/uwsgi;
  scgi_temp_path $abs_work/nginx/scgi;
  upstream origin {
    server 127.0.0.1:$origin_port;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$nginx_port;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
EOF
nginx -p "$abs_work/nginx" -e "$abs_work/nginx/error.log" -c "$abs_work/nginx/nginx.conf" >"$work/nginx/stdout.log" 2>&1 &
nginx_pid=$!
pids+=("$nginx_pid")
nginx_url="http://127.0.0.1:$nginx_port"
wait_for_200 nginx "$nginx_pid" "$work/nginx/error.log" "$nginx_url/free/x"

# :: haproxy: the same, in the foreground (-db), no logging.
haproxy_port=$(free_port)
cat >"$work/haproxy.cfg" <<EOF
global
  nbthread 2
  maxconn 4096

defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 30s
  timeout server 30s

frontend bench
  bind 127.0.0.1:$haproxy_port
  default_backend origin

backend origin
  server origin 127.0.0.1:$origin_port
EOF
haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
haproxy_pid=$!
pids+=("$haproxy_pid")
haproxy_url="http://127.0.0.1:$haproxy_port"
wait_for_200 haproxy "$haproxy_pid" "$work/haproxy.log" "$haproxy_url/free/x"

# :: The edge's snapshot: one site in front of the origin, /paid/* at cost 1 and nothing else (so
# /free/… is unprotected passthrough), a plan with a quota nothing can use up and 10,000 tokens on it,
# and a plan with a hard quota of 1 whose one token answers 429 once warmed. Tokens and the origin key
# are random, written only to .work (tokens.txt, exhausted-token.txt, origin-key.txt), never printed.
host=bench.localhost
python3 - "$work" "$origin_url" "$host" <<'PY'
import json, secrets, sys
work, origin, host = sys.argv[1:]
tokens = ["bench_" + secrets.token_hex(16) for _ in range(10_000)]
exhausted = "bench_" + secrets.token_hex(16)
origin_key = "bench-origin-" + secrets.token_hex(16)
def token(i, plan, value):
    return {"id": f"tok-{i}", "siteId": "bench", "planId": plan, "customer": f"customer-{i % 100}",
            "token": value, "expiresAtUnix": 0, "revoked": False}
config = {
    "version": 1,
    "sites": [{"id": "bench", "name": "Bench", "slug": "bench", "originUrl": origin, "hosts": [host],
               "hmacSecret": secrets.token_hex(32), "originKey": origin_key,
               "staticHeaders": {}, "staticQuery": {}, "denyByDefault": False}],
    "plans": [
        {"id": "unlimited", "siteId": "bench", "name": "Never runs out",
         "quota": {"units": 1_000_000_000_000, "period": "month", "mode": "hard"}, "rateLimit": None,
         "priceMicros": 0, "currency": "USD", "resourceIds": []},
        {"id": "exhausted", "siteId": "bench", "name": "One unit",
         "quota": {"units": 1, "period": "month", "mode": "hard"}, "rateLimit": None,
         "priceMicros": 0, "currency": "USD", "resourceIds": []},
    ],
    "resources": [
        {"id": "paid", "siteId": "bench", "pattern": "/paid/*", "methods": [], "cost": 1, "privatePath": None},
        # An MCP endpoint and one priced tool on it: every tools/call of "echo" is counted per call.
        {"id": "mcp", "siteId": "bench", "pattern": "/mcp", "methods": [], "cost": 1, "privatePath": None, "kind": "mcp"},
        {"id": "mcp-echo", "siteId": "bench", "pattern": "/mcp", "methods": [], "cost": 1, "privatePath": None, "kind": "mcp", "mcpTool": "echo"},
    ],
    "tokens": [token(i, "unlimited", t) for i, t in enumerate(tokens)] + [token(10_000, "exhausted", exhausted)],
}
def write(name, text):
    with open(f"{work}/{name}", "w") as f:
        f.write(text)
write("config.json", json.dumps(config))
write("tokens.txt", "\n".join(tokens) + "\n")
write("exhausted-token.txt", exhausted + "\n")
write("origin-key.txt", origin_key + "\n")
PY
chmod 600 "$work/config.json" "$work/tokens.txt" "$work/exhausted-token.txt" "$work/origin-key.txt"
"$tool_bin" keygen --out "$work/keys" >/dev/null
"$tool_bin" build --in "$work/config.json" --key "$work/keys/snapshot-signing.pem" --out "$work/snapshot.msgpack" >/dev/null
[ -f "$work/snapshot.msgpack.sig" ] || fail "the snapshot tool did not write $work/snapshot.msgpack.sig"

# :: The native edge: standalone (no Redis: local FASTER counters only), decision log on (its default).
"$edge_bin" \
  --EdgeFence:Urls=http://127.0.0.1:0 \
  --EdgeFence:AdminUrls=http://127.0.0.1:0 \
  --EdgeFence:NodeId=bench \
  --EdgeFence:DataDir="$work/edge-data" \
  --EdgeFence:SnapshotPath="$work/snapshot.msgpack" \
  --EdgeFence:SnapshotPublicKey="$work/keys/snapshot-signing.pub.pem" \
  >"$work/edge.log" 2>&1 &
edge_pid=$!
pids+=("$edge_pid")
line=$(wait_for_line edge "$edge_pid" "$work/edge.log" 'listening on [^ ]+ \(admin [^ )]+\)')
edge_url=$(sed -E 's/listening on ([^ ]+) .*/\1/' <<<"$line")
admin_url=$(sed -E 's/.*\(admin ([^ )]+)\)/\1/' <<<"$line")
curl -fsS "$admin_url/readyz" >/dev/null || fail "the edge is not ready: $(curl -sS "$admin_url/readyz" 2>&1)"
wait_for_200 edge "$edge_pid" "$work/edge.log" "$edge_url/free/x" "$host"

# Sends one request with curl and checks its status; the Authorization header, when any, is read from
# a file (curl -H @file) so no token reaches a command line.
expect_status() {
  local what=$1 expected=$2 auth_file=$3
  shift 3
  local args=(-s -o "$work/probe.out" -w '%{http_code}' --max-time 10)
  if [ -n "$auth_file" ]; then
    printf 'Authorization: Bearer %s\n' "$(head -n 1 "$auth_file")" >"$work/probe-auth.txt"
    args+=(-H @"$work/probe-auth.txt")
  fi
  local status
  status=$(curl "${args[@]}" "$@" || true)
  [ "$status" = "$expected" ] || { head -c 500 "$work/probe.out" >&2; echo >&2; fail "$what answered $status, expected $expected"; }
}

expect_status "a paid request" 200 "$work/tokens.txt" -H "Host: $host" "$edge_url/paid/x"
expect_status "a paid request without a token" 401 "" -H "Host: $host" "$edge_url/paid/x"
# The exhausted token: its one unit, then the refusal every measured request must get.
expect_status "the quota-1 token's first request" 200 "$work/exhausted-token.txt" -H "Host: $host" "$edge_url/paid/x"
expect_status "the quota-1 token's second request" 429 "$work/exhausted-token.txt" -H "Host: $host" "$edge_url/paid/x"
expect_status "an MCP tools/call" 200 "$work/tokens.txt" -H "Host: $host" -H 'Content-Type: application/json' \
  -H 'Accept: application/json, text/event-stream' -H 'MCP-Protocol-Version: 2026-07-28' -H 'Mcp-Method: tools/call' -H 'Mcp-Name: echo' \
  --data-binary '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}},"id":1}' "$edge_url/mcp"
expect_status "/v1/authorize" 200 "$work/origin-key.txt" -H "Host: $host" -H 'Content-Type: application/json' \
  --data-binary '{"token":"none","method":"GET","path":"/paid/x","host":"bench.localhost"}' "$edge_url/v1/authorize"
# The edge's own answer (a decision), not the origin's: with the site's Host, /v1/authorize must still be the edge's.
grep -q '"allow":false' "$work/probe.out" || fail "/v1/authorize did not answer with the edge's decision: $(head -c 300 "$work/probe.out")"
expect_status "the hello endpoint" 200 "" -H 'Content-Type: application/json' \
  --data-binary '{"token":"none","method":"GET","path":"/paid/x","host":"bench.localhost"}' "$hello_url/hello"

# :: Scenarios, in the order every round runs them: name, expected status, URL, then the
# side-by-side.lua variables (BENCH_KIND, BENCH_PATH, BENCH_HOST, BENCH_TOKENS, BENCH_KEY_FILE).
scenarios=(
  "origin-direct|200|$origin_url|get|/free/x|||"
  "yarp|200|$yarp_url|get|/free/x|||"
  "nginx|200|$nginx_url|get|/free/x|||"
  "haproxy|200|$haproxy_url|get|/free/x|||"
  "edge-passthrough|200|$edge_url|get|/free/x|$host||"
  "edge-paid|200|$edge_url|token|/paid/x|$host|$work/tokens.txt|"
  "edge-429|429|$edge_url|token|/paid/x|$host|$work/exhausted-token.txt|"
  "edge-mcp|200|$edge_url|mcp|/mcp|$host|$work/tokens.txt|"
  "edge-authorize|200|$edge_url|authorize|/v1/authorize|$host|$work/tokens.txt|$work/origin-key.txt"
  "hello|200|$hello_url|authorize|/hello|$host|$work/tokens.txt|$work/origin-key.txt"
)

# Every child must still be running: a crash mid-run would make later numbers meaningless.
check_alive() {
  local name pid pid_var
  for name in origin yarp hello nginx haproxy edge; do
    pid_var="${name}_pid"
    pid=${!pid_var}
    kill -0 "$pid" 2>/dev/null || fail "the $name (pid $pid) exited during the run; see $work/"
  done
}

# The CPU time (user + system, clock ticks) a server and its children have used so far: nginx's work is
# in its worker processes; the others are one process. Read before and after each scenario, so the
# report gives each proxy's CPU per request (and the origin's behind it) from the same run.
cpu_ticks() {
  local pid=$1 total=0 p
  for p in "$pid" $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    [ -r "/proc/$p/stat" ] || continue
    total=$((total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

# The process that serves a scenario.
server_pid() {
  case $1 in
    origin-direct) echo "$origin_pid" ;;
    yarp) echo "$yarp_pid" ;;
    nginx) echo "$nginx_pid" ;;
    haproxy) echo "$haproxy_pid" ;;
    hello) echo "$hello_pid" ;;
    edge-*) echo "$edge_pid" ;;
    *) fail "no server process known for scenario $1" ;;
  esac
}

# Runs one scenario for $2 seconds and appends its result line, tagged with the round $3 (a number, or
# "warmup", which the report ignores), to $work/load.ndjson once it is checked to be a valid measurement.
run_scenario() {
  local spec=$1 seconds=$2 round=$3
  local name expected url kind path bench_host tokens key_file
  IFS='|' read -r name expected url kind path bench_host tokens key_file <<<"$spec"
  local out="$work/wrk/$name-$round.txt"
  mkdir -p "$work/wrk"
  local server
  server=$(server_pid "$name")
  local server_before origin_before
  server_before=$(cpu_ticks "$server")
  origin_before=$(cpu_ticks "$origin_pid")
  BENCH_SCENARIO=$name BENCH_KIND=$kind BENCH_PATH=$path BENCH_HOST=$bench_host BENCH_TOKENS=$tokens BENCH_KEY_FILE=$key_file \
    timeout $((seconds + 30)) "${wrk_cmd[@]}" -t"$wrk_threads" -c"$wrk_connections" -d"${seconds}s" --timeout "$wrk_timeout" \
    -s loadtests/side-by-side.lua "$url" >"$out" 2>&1 || { cat "$out" >&2; fail "wrk failed on $name (round $round)"; }
  local server_ticks=$(($(cpu_ticks "$server") - server_before)) origin_ticks=$(($(cpu_ticks "$origin_pid") - origin_before))
  python3 loadtests/run-report.py check "$out" "$expected" "$round" "$server_ticks" "$origin_ticks" "$(getconf CLK_TCK)" >"$work/result.json" \
    || fail "$name (round $round) is not a valid measurement (see $out)"
  cat "$work/result.json" >>"$work/load.ndjson"
  check_alive
  [ "$round" = warmup ] || python3 loadtests/run-report.py show "$work/result.json"
}

: >"$work/load.ndjson"
head -n 1 /proc/stat >"$work/cpu-before.txt"
if [ "$warmup" -gt 0 ]; then
  echo "run.sh: warm-up, ${warmup} s per scenario (not recorded)"
  for spec in "${scenarios[@]}"; do
    run_scenario "$spec" "$warmup" warmup
  done
fi
for round in $(seq "$rounds"); do
  echo "run.sh: round $round of $rounds (${duration} s per scenario; wrk -t$wrk_threads -c$wrk_connections, CPU: $wrk_cpu)"
  for spec in "${scenarios[@]}"; do
    run_scenario "$spec" "$duration" "$round"
  done
done

head -n 1 /proc/stat >"$work/cpu-after.txt"

# The edge's own view of the request scenarios: its time per request (phase="edge") and the decision
# records it dropped, which must be none (a dropped record is a decision missing from the log).
curl -fsS "$admin_url/metrics" >"$work/edge-metrics.txt" || fail "could not read the edge's /metrics"
dropped=$(awk '/^edgefence_decision_log_dropped_total/ { s += $NF } END { printf "%d", s }' "$work/edge-metrics.txt")
[ "$dropped" -eq 0 ] || fail "the edge dropped $dropped decision records during the run (see $work/edge-metrics.txt)"

# :: Streaming: $stream_mib MiB up and down through the origin directly, the YARP baseline, haproxy, and the
# edge (an unprotected path and the paid path). curl's own averages; byte counts must be exact.
rss_kib() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status"; }
edge_rss_before=$(rss_kib "$edge_pid")
yarp_rss_before=$(rss_kib "$yarp_pid")
stream_bytes=$((stream_mib * 1024 * 1024))
head -c "$stream_bytes" /dev/urandom >"$work/upload.bin"
printf 'Authorization: Bearer %s\n' "$(head -n 1 "$work/tokens.txt")" >"$work/stream-auth.txt"
: >"$work/streaming.ndjson"

stream() {
  local target=$1 direction=$2 url=$3 rep=$4
  shift 4
  local args=(-sS --max-time 300 -w '%{http_code} %{speed_upload} %{speed_download} %{size_upload} %{size_download}' "$@")
  local out="$work/stream.out" written
  if [ "$direction" = upload ]; then
    # -T streams the file (curl reads it as it sends); no Expect: 100-continue round trip.
    written=$(curl "${args[@]}" -o "$out" -X POST -T "$work/upload.bin" -H 'Expect:' -H 'Content-Type: application/octet-stream' "$url/upload") \
      || fail "upload through $target failed"
  else
    # To /dev/null: writing 100 MiB to disk would measure the disk. curl fails (exit 18) if fewer bytes
    # than the Content-Length arrive, and size_download is what it received.
    written=$(curl "${args[@]}" -o /dev/null "$url/download/$stream_bytes") || fail "download through $target failed"
  fi
  local status speed_up speed_down size_up size_down
  read -r status speed_up speed_down size_up size_down <<<"$written"
  [ "$status" = 200 ] || fail "$direction through $target answered $status"
  if [ "$direction" = upload ]; then
    [ "$size_up" = "$stream_bytes" ] || fail "upload through $target sent $size_up bytes, not $stream_bytes"
    [ "$(tr -d '\n' <"$out")" = "$stream_bytes" ] || fail "upload through $target: the origin received $(tr -d '\n' <"$out") bytes, not $stream_bytes"
    speed=$speed_up
  else
    [ "$size_down" = "$stream_bytes" ] || fail "download through $target received $size_down bytes, not $stream_bytes"
    speed=$speed_down
  fi
  printf '{"target":"%s","direction":"%s","rep":%d,"bytes":%d,"bytes_per_second":%s}\n' "$target" "$direction" "$rep" "$stream_bytes" "$speed" >>"$work/streaming.ndjson"
  awk -v t="$target" -v d="$direction" -v s="$speed" 'BEGIN { printf "  %-17s %-8s %8.1f MiB/s\n", t, d, s / 1048576 }'
}

echo "run.sh: streaming, $stream_mib MiB each way, $stream_reps repetition(s)"
for rep in $(seq "$stream_reps"); do
  for direction in upload download; do
    stream origin-direct "$direction" "$origin_url/free" "$rep"
    stream yarp "$direction" "$yarp_url/free" "$rep"
    stream haproxy "$direction" "$haproxy_url/free" "$rep"
    stream edge-free "$direction" "$edge_url/free" "$rep" -H "Host: $host"
    stream edge-paid "$direction" "$edge_url/paid" "$rep" -H "Host: $host" -H @"$work/stream-auth.txt"
  done
done
check_alive
edge_rss_after=$(rss_kib "$edge_pid")
yarp_rss_after=$(rss_kib "$yarp_pid")
rm -f "$work/upload.bin" "$work/stream.out"

# Nothing the edge logged may be a warning or an error (dropped decision records, origin errors).
if grep -Eq '^(warn|fail|crit):' "$work/edge.log"; then
  grep -E -A2 '^(warn|fail|crit):' "$work/edge.log" | head -n 30 >&2
  fail "the edge logged warnings or errors during the run (see $work/edge.log)"
fi

# :: Report.
finished=$(date +%s)
# Only a full run replaces the committed latest.*; --quick and --smoke write quick.* and smoke.*.
report_name=latest
[ "$profile" = full ] || report_name=$profile
python3 loadtests/run-report.py report \
  --load "$work/load.ndjson" --streaming "$work/streaming.ndjson" --out-md "$results/$report_name.md" --out-json "$results/$report_name.json" \
  --command "$command_line" --profile "$profile" --rounds "$rounds" --duration "$duration" --warmup "$warmup" \
  --wrk "threads=$wrk_threads connections=$wrk_connections timeout=$wrk_timeout cpu=$wrk_cpu" \
  --stream-mib "$stream_mib" --stream-reps "$stream_reps" \
  --rss "edge-before=$edge_rss_before edge-after=$edge_rss_after yarp-before=$yarp_rss_before yarp-after=$yarp_rss_after" \
  --edge-metrics "$work/edge-metrics.txt" --cpu-stat "$work/cpu-before.txt" "$work/cpu-after.txt" --wall-seconds "$((finished - started))"
