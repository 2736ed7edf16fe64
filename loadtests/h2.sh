#!/usr/bin/env bash
# HTTP/2 side by side: the edge against the bare YARP baseline, both listening for cleartext HTTP/2
# with prior knowledge (h2c: Kestrel's --Kestrel:EndpointDefaults:Protocols=Http2), driven by
# Debian's h2load. The origin behind both is the baseline's fast origin on HTTP/1.1 with keep-alive,
# as in loadtests/run.sh. R rounds, each running yarp, edge-passthrough and edge-paid once in that
# order (A B A B: drift hits all three); medians over rounds. Ends with, each alone on its line:
#
#   ratio-h2-passthrough-vs-yarp: X   edge GET /free/x req/s / yarp req/s
#   ratio-h2-paid-vs-yarp: X          edge GET /paid/x (one token) req/s / yarp req/s
#
#   loadtests/h2.sh [--rounds R] [--duration S] [--no-build]     (defaults: 3 rounds of 5 s)
#
# h2load sends one header set for a whole run, so the paid scenario uses one token (after the first
# request it is found by the edge's verified-token cache); loadtests/run.sh rotates 10,000 tokens
# over HTTP/1.1. Every response must be a 2xx and h2load must report no failed or errored request,
# or the run fails: an invalid measurement is not a result. Work files go to loadtests/.work-h2/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

rounds=3
duration=5
no_build=0
fail() {
  echo "h2.sh: $*" >&2
  exit 1
}
positive() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "h2.sh: $1 needs a positive integer, got '$2'" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) no_build=1 ;;
    --rounds) positive --rounds "${2:-}"; rounds=$2; shift ;;
    --duration) positive --duration "${2:-}"; duration=$2; shift ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "h2.sh: unknown option '$1' (options: --rounds R, --duration S, --no-build)" >&2; exit 2 ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
edge_bin=artifacts/edge/edgefence-edge
baseline_bin=artifacts/baseline/edgefence-load-baseline
tool_bin=src/EdgeFence.SnapshotTool/bin/Release/net10.0/edgefence-snapshot
work=loadtests/.work-h2

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
scripts/ensure-packages.sh nghttp2-client curl
if [ "$no_build" -eq 0 ] || [ ! -x "$edge_bin" ]; then
  scripts/publish-aot.sh
fi
if [ "$no_build" -eq 0 ] || [ ! -x "$baseline_bin" ]; then
  publish_baseline
fi
dotnet build src/EdgeFence.SnapshotTool -c Release -nologo -v quiet >/dev/null || fail "building the snapshot tool failed"

rm -rf "$work"
mkdir -p "$work/keys"
trap stop_children EXIT
trap 'echo "h2.sh: interrupted" >&2; exit 130' INT TERM

# :: The origin (HTTP/1.1) and the YARP baseline (h2c), on ports of their choosing.
"$baseline_bin" origin --urls=http://127.0.0.1:0 >"$work/origin.log" 2>&1 &
origin_pid=$!
pids+=("$origin_pid")
origin_url=$(wait_for_line origin "$origin_pid" "$work/origin.log" 'http://127\.0\.0\.1:[0-9]+')
"$baseline_bin" yarp "$origin_url" --urls=http://127.0.0.1:0 --Kestrel:EndpointDefaults:Protocols=Http2 >"$work/yarp.log" 2>&1 &
yarp_pid=$!
pids+=("$yarp_pid")
yarp_url=$(wait_for_line yarp "$yarp_pid" "$work/yarp.log" 'http://127\.0\.0\.1:[0-9]+')

# :: A signed snapshot: one site, /paid/* on a plan without limits that matter, one token.
token="h2-$(rand_hex 16)"
(umask 077 && printf 'authorization: Bearer %s\n' "$token" >"$work/auth-header")
(umask 077 && cat >"$work/config.json" <<EOF
{
  "version": 1,
  "sites": [
    { "id": "bench", "name": "Bench", "slug": "bench", "originUrl": "$origin_url", "hosts": ["bench.localhost"],
      "hmacSecret": "$(rand_hex 32)", "originKey": "bench-origin-$(rand_hex 16)",
      "staticHeaders": {}, "staticQuery": {}, "denyByDefault": false }
  ],
  "plans": [
    { "id": "big", "siteId": "bench", "name": "Big", "quota": { "units": 1000000000000, "period": "month", "mode": "hard" },
      "rateLimit": null, "priceMicros": 0, "currency": "USD", "resourceIds": [] }
  ],
  "resources": [
    { "id": "paid", "siteId": "bench", "pattern": "/paid/*", "methods": [], "cost": 1, "privatePath": null }
  ],
  "tokens": [
    { "id": "tok-h2", "siteId": "bench", "planId": "big", "customer": "h2", "token": "$token", "expiresAtUnix": 0, "revoked": false }
  ]
}
EOF
)
"$tool_bin" keygen --out "$work/keys" >/dev/null
"$tool_bin" build --in "$work/config.json" --key "$work/keys/snapshot-signing.pem" --out "$work/snapshot.msgpack" >/dev/null

# :: The edge, both listeners h2c (the Kestrel setting applies to every endpoint of the process).
"$edge_bin" \
  --EdgeFence:Urls=http://127.0.0.1:0 \
  --EdgeFence:AdminUrls=http://127.0.0.1:0 \
  --EdgeFence:DataDir="$work/edge-data" \
  --EdgeFence:SnapshotPath="$work/snapshot.msgpack" \
  --EdgeFence:SnapshotPublicKey="$work/keys/snapshot-signing.pub.pem" \
  --Kestrel:EndpointDefaults:Protocols=Http2 \
  >"$work/edge.log" 2>&1 &
edge_pid=$!
pids+=("$edge_pid")
line=$(wait_for_line edge "$edge_pid" "$work/edge.log" 'listening on [^ ]+ \(admin [^ )]+\)')
edge_url=$(sed -E 's/listening on ([^ ]+) .*/\1/' <<<"$line")

# One h2load run; prints "<req/s> <mean latency ms>" or fails on any non-2xx or failed request.
# The token is read from a file into the header, so it never appears on a command line.
measure() {
  local name=$1 url=$2 seconds=$3 auth=${4:-} out="$work/h2load-$1.txt"
  local args=(-c32 -m4 -t1 -D "$seconds" -H ':authority: bench.localhost')
  [ -z "$auth" ] || args+=(-H "$(cat "$auth")")
  h2load "${args[@]}" "$url" >"$out" 2>&1 || { cat "$out" >&2; fail "h2load failed for $name"; }
  python3 - "$out" "$name" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
name = sys.argv[2]
m = re.search(r"finished in [\d.]+(?:us|ms|s), ([\d.]+) req/s", text)
r = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout", text)
s = re.search(r"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx", text)
t = re.search(r"time for request:\s+\S+\s+\S+\s+([\d.]+)(us|ms|s)", text)
if not (m and r and s and t):
    sys.exit(f"h2.sh: could not read h2load's output for {name}:\n{text}")
done, ok, failed, errored, timeout = map(int, r.groups()[1:])
# With -D, a response whose status came in just before the cut-off counts as 2xx but not as done, so 2xx may
# exceed done by the streams in flight; what must hold is that nothing failed and no status was other than 2xx.
if done == 0 or failed or errored or timeout or int(s.group(1)) < done or any(int(n) for n in s.groups()[1:]):
    sys.exit(f"h2.sh: {name}: not a valid measurement (done {done}, 2xx {s.group(1)}, failed {failed}, errored {errored}, timeout {timeout})")
mean_ms = float(t.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[t.group(2)]
print(f"{float(m.group(1)):.0f} {mean_ms:.3f}")
PY
}

# :: Warm-up (not recorded), then the rounds.
measure warmup-yarp "$yarp_url/free/x" 1 >/dev/null
measure warmup-edge "$edge_url/free/x" 1 >/dev/null
measure warmup-paid "$edge_url/paid/x" 1 "$work/auth-header" >/dev/null
: >"$work/results.txt"
for r in $(seq "$rounds"); do
  echo "h2.sh: round $r of $rounds (h2load -c32 -m4 -t1, ${duration} s per scenario)"
  for scenario in yarp edge-passthrough edge-paid; do
    case "$scenario" in
      yarp) result=$(measure yarp "$yarp_url/free/x" "$duration") ;;
      edge-passthrough) result=$(measure edge-passthrough "$edge_url/free/x" "$duration") ;;
      edge-paid) result=$(measure edge-paid "$edge_url/paid/x" "$duration" "$work/auth-header") ;;
    esac
    echo "$scenario $result" >>"$work/results.txt"
    read -r rps mean <<<"$result"
    printf '  %-18s %8s req/s   mean %s ms\n' "$scenario" "$rps" "$mean"
  done
done

python3 - "$work/results.txt" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    name, rps, mean = line.split()
    rows.setdefault(name, []).append((float(rps), float(mean)))
med = {k: (statistics.median(v[0] for v in rows[k]), statistics.median(v[1] for v in rows[k])) for k in rows}
print()
for k in ("yarp", "edge-passthrough", "edge-paid"):
    print(f"{k:18} {med[k][0]:>9,.0f} req/s (median)   mean latency {med[k][1]:.3f} ms")
print(f"ratio-h2-passthrough-vs-yarp: {med['edge-passthrough'][0] / med['yarp'][0]:.2f}")
print(f"ratio-h2-paid-vs-yarp: {med['edge-paid'][0] / med['yarp'][0]:.2f}")
PY
