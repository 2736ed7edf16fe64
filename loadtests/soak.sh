#!/usr/bin/env bash
# Soak: one native edge and one redis-server under about 80% of their measured capacity for N
# minutes, with a signed snapshot pushed every 30 s and Redis restarted (SHUTDOWN, then started
# again on the same port and data) halfway through. Capacity is measured first in the same run: a
# 5 s saturating wrk burst; the soak then runs at 80% of it through loadtests/rate-limited.lua
# (wrk2 is not installed: a fixed pause per connection bounds the rate). The token's plan has a soft
# quota, never refused, so every decision is counted in the Redis ledger even across the restart.
# Prints a summary, then these lines, each alone on its line:
#
#   rss-start-mib: S           the edge's VmRSS once warm (10% into the soak, at least 20 s; in soaks under
#                              5 minutes, 5 s after the Redis restart)
#   rss-end-mib: E             its VmRSS when the load stops
#   rss-change: X%             (E - S) / S * 100
#   gc-pause-p99-ms: P         p99 over the soak's 1 s samples of the mean pause per collection
#                              (Δ dotnet_gc_pause_time_seconds_total / Δ dotnet_gc_collections_total
#                              on the edge's /metrics; seconds without a collection are left out)
#   5xx: F                     responses with a 5xx status wrk received during the soak
#   lost: L                    the edge's allowed decisions (edgefence_decisions_total, reason=allowed,
#                              burst and soak) - the ledger's Σu − Σr after the edge's final push
#
# Exits non-zero unless X <= 10 (growth; a fall after the burst is printed, not failed), F = 0 and L = 0, or if the run is not valid (a status other than
# 200, socket errors, a push refused, the edge not stopping cleanly).
#
#   loadtests/soak.sh                      publish the edge, 10 minutes
#   loadtests/soak.sh --minutes N          N minutes (scripts/test.sh runs 1)
#   loadtests/soak.sh --no-build           reuse artifacts/edge/edgefence-edge if it exists
#
# Everything it writes is in loadtests/.work-soak/, recreated on each run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

minutes=10
no_build=0
push_every=30 # seconds between snapshot pushes (issue 16)
burst=5       # seconds of the saturating capacity burst
share=80      # percent of the measured capacity the soak runs at
usage() { sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'; }
fail() {
  echo "soak.sh: $*" >&2
  exit 1
}
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) no_build=1 ;;
    --minutes)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || fail "--minutes needs a positive integer"
      minutes=$2
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) fail "unknown option '$1' (options: --minutes N, --no-build)" ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
edge_bin=artifacts/edge/edgefence-edge
origin_bin=src/EdgeFence.DemoOrigin/bin/Release/net10.0/edgefence-demo-origin
tool_bin=src/EdgeFence.SnapshotTool/bin/Release/net10.0/edgefence-snapshot
work=loadtests/.work-soak
seconds=$((minutes * 60))

# :: Prerequisites and build.
scripts/ensure-packages.sh redis-server redis-tools wrk curl
command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK (10.0, see global.json) is not on PATH"
if [ "$no_build" -eq 1 ] && [ -x "$edge_bin" ]; then
  echo "soak.sh: reusing $edge_bin (--no-build)"
else
  scripts/publish-aot.sh
fi
dotnet build src/EdgeFence.DemoOrigin -c Release -nologo -v quiet
dotnet build src/EdgeFence.SnapshotTool -c Release -nologo -v quiet
[ -x "$origin_bin" ] || fail "$origin_bin was not built"
[ -x "$tool_bin" ] || fail "$tool_bin was not built"

rm -rf "$work"
mkdir -p "$work/keys" "$work/redis"

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
trap stop_children EXIT
trap 'echo "soak.sh: interrupted" >&2; exit 130' INT TERM

# :: Redis with an append-only file, so the ledger survives the restart: SHUTDOWN writes it out.
redis_pid=
start_redis() {
  redis-server --port "$1" --bind 127.0.0.1 --dir "$PWD/$work/redis" --save '' --appendonly yes \
    --protected-mode no >>"$work/redis.log" 2>&1 &
  redis_pid=$!
  pids+=("$redis_pid")
  for _ in $(seq 50); do
    [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ] && return 0
    kill -0 "$redis_pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
redis_port=
for _ in $(seq 20); do
  port=$((20000 + RANDOM % 20000))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
  if start_redis "$port"; then
    redis_port=$port
    break
  fi
done
[ -n "$redis_port" ] || { tail -n 20 "$work/redis.log" >&2; fail "redis-server did not start"; }
rcli() { redis-cli -p "$redis_port" "$@"; }

# :: The demo origin, on a port of its choosing.
hmac_secret=$(rand_hex 32)
DEMOORIGIN__HMACSECRET="$hmac_secret" "$origin_bin" --urls=http://127.0.0.1:0 >"$work/origin.log" 2>&1 &
origin_pid=$!
pids+=("$origin_pid")
origin_url=$(wait_for_line "demo origin" "$origin_pid" "$work/origin.log" 'http://127\.0\.0\.1:[0-9]+')

# :: Signed snapshots: one site, one soft-quota plan, /api/*, one token; version V for the V-th push.
token="soak-$(rand_hex 16)"
origin_key="soak-origin-$(rand_hex 16)"
"$tool_bin" keygen --out "$work/keys" >/dev/null
build_snapshot() {
  cat >"$work/config.json" <<EOF
{
  "version": $1,
  "sites": [
    { "id": "acc", "name": "Soak", "slug": "acc", "originUrl": "$origin_url", "hosts": ["acc.localhost"],
      "hmacSecret": "$hmac_secret", "originKey": "$origin_key",
      "staticHeaders": {}, "staticQuery": {}, "denyByDefault": false, "topUpUrl": "https://pay.example/top-up?c={customer}" }
  ],
  "plans": [ { "id": "soft", "siteId": "acc", "name": "Soft quota", "quota": { "units": 1000000000000, "period": "month", "mode": "soft" }, "rateLimit": null, "priceMicros": 0, "currency": "USD", "resourceIds": [] } ],
  "resources": [
    { "id": "api", "siteId": "acc", "pattern": "/api/*", "methods": [], "cost": 1, "privatePath": null, "priceMicros": 0, "currency": "USD" }
  ],
  "tokens": [
    { "id": "tok-acc", "siteId": "acc", "planId": "soft", "customer": "soak", "token": "$token", "expiresAtUnix": 0, "revoked": false }
  ]
}
EOF
  "$tool_bin" build --in "$work/config.json" --key "$work/keys/snapshot-signing.pem" --out "$work/snapshot.msgpack" >/dev/null
}
build_snapshot 1

# :: One native edge.
"$edge_bin" \
  --EdgeFence:Urls=http://127.0.0.1:0 \
  --EdgeFence:AdminUrls=http://127.0.0.1:0 \
  --EdgeFence:NodeId=soak-0 \
  --EdgeFence:DataDir="$work/data" \
  --EdgeFence:SnapshotPath="$work/snapshot.msgpack" \
  --EdgeFence:SnapshotPublicKey="$work/keys/snapshot-signing.pub.pem" \
  --EdgeFence:Redis="127.0.0.1:$redis_port" \
  --EdgeFence:EdgeCount=1 \
  >"$work/edge.log" 2>&1 &
edge_pid=$!
pids+=("$edge_pid")
line=$(wait_for_line "edge" "$edge_pid" "$work/edge.log" 'listening on [^ ]+ \(admin [^ )]+\)')
edge_url=$(sed -E 's/listening on ([^ ]+) .*/\1/' <<<"$line")
admin_url=$(sed -E 's/.*\(admin ([^ )]+)\)/\1/' <<<"$line")
ready=0
for _ in $(seq 100); do
  if curl -fsS "$admin_url/readyz" 2>/dev/null | grep -q '"redis":"up"'; then
    ready=1
    break
  fi
  sleep 0.1
done
[ "$ready" -eq 1 ] || fail "the edge is not ready with redis up: $(curl -sS "$admin_url/readyz" 2>&1)"
grep -q '^dotnet_gc_pause_time' <(curl -fsS "$admin_url/metrics") || fail "the edge's /metrics has no dotnet_gc_pause_time (System.Runtime meter)"

push_snapshot() {
  build_snapshot "$1"
  curl -fsS -X PUT --data-binary @"$work/snapshot.msgpack" \
    -H "X-EdgeFence-Snapshot-Signature: $(cat "$work/snapshot.msgpack.sig")" \
    "$admin_url/v1/snapshot" >/dev/null
}
rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$edge_pid/status"; }
# One metrics sample: "<pause seconds> <collections>", each summed over its labels.
gc_sample() {
  curl -fsS "$admin_url/metrics" | awk '
    /^dotnet_gc_pause_time_seconds_total/ { p += $NF }
    /^dotnet_gc_collections_total/ { c += $NF }
    END { if (c > 0) printf "%.9f %d\n", p, c }'
}
total() { awk -v k="$1" '$1 == k { s += $2 } END { printf "%d", s }' "$2"; }

# :: Capacity: a saturating burst.
ACCURACY_TOKEN="$token" wrk -t2 -c32 -d"${burst}s" --timeout 10s -s loadtests/count-statuses.lua \
  "$edge_url/acc/api/items" >"$work/wrk-burst.txt" 2>&1 || { cat "$work/wrk-burst.txt" >&2; fail "the capacity burst failed"; }
burst_requests=$(total requests "$work/wrk-burst.txt")
burst_us=$(total duration-us "$work/wrk-burst.txt")
[ "$burst_requests" -gt 0 ] || fail "the capacity burst completed no request (see $work/wrk-burst.txt)"
capacity=$((burst_requests * 1000000 / burst_us))
target=$((capacity * share / 100))
# A 10 ms pause per request on each connection: C connections send at most C * 100 requests/s.
delay_ms=10
connections=$((target * delay_ms / 1000))
[ "$connections" -ge 2 ] || connections=2
[ "$connections" -le 1000 ] || connections=1000
echo "soak.sh: capacity $capacity requests/s (${burst} s burst, 32 connections); soak at most $((connections * 1000 / delay_ms)) requests/s ($connections connections, ${delay_ms} ms pause) for $minutes min"

# :: The soak: wrk in the background; each second a metrics sample, a push every 30 s, the Redis restart halfway.
ACCURACY_TOKEN="$token" SOAK_DELAY_MS="$delay_ms" wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s \
  -s loadtests/rate-limited.lua "$edge_url/acc/api/items" >"$work/wrk-soak.txt" 2>&1 &
wrk_pid=$!
pids+=("$wrk_pid")
version=1
pushes=0
restarted=0
rss_start=
# At least 20 s: in CI's 1-minute soak a sample at 10 s could fall before the heap had grown to its working size
# (one run read 48.9 MiB at 10 s and 54.7 at the end; the next 55.7 and 54.3).
warm=$((seconds / 10))
[ "$warm" -ge 20 ] || warm=20
# In a soak shorter than 5 minutes the start sample waits until 5 s after the Redis restart: it would otherwise fall
# before the one-time costs of the first snapshot push (at 30 s) and of the restart (halfway), which in one minute
# are most of what RSS does (CI read 57.6 -> 69.5 MiB, +20.8%, with the start at 20 s, and +4.5% on the same
# code the run before). Longer soaks amortise them and keep the sample at 10%.
[ "$seconds" -ge 300 ] || warm=$((seconds / 2 + 2 + 5))
start=$(date +%s)
: >"$work/gc.txt"
while kill -0 "$wrk_pid" 2>/dev/null; do
  sleep 1
  now=$(($(date +%s) - start))
  gc_sample >>"$work/gc.txt" || true
  if [ -z "$rss_start" ] && [ "$now" -ge "$warm" ]; then
    rss_start=$(rss_kib)
  fi
  if [ "$now" -ge $(((pushes + 1) * push_every)) ] && [ "$now" -lt "$seconds" ]; then
    version=$((version + 1))
    push_snapshot "$version" || fail "the edge refused snapshot version $version"
    pushes=$((pushes + 1))
  fi
  if [ "$restarted" -eq 0 ] && [ "$now" -ge $((seconds / 2)) ]; then
    echo "soak.sh: restarting redis-server at ${now} s"
    rcli shutdown >/dev/null 2>&1 || true
    wait "$redis_pid" 2>/dev/null || true
    sleep 2 # the edge decides from local counts meanwhile
    start_redis "$redis_port" || { tail -n 20 "$work/redis.log" >&2; fail "redis-server did not start again on port $redis_port"; }
    restarted=1
  fi
done
rss_end=$(rss_kib)
wait "$wrk_pid" || { cat "$work/wrk-soak.txt" >&2; fail "wrk failed during the soak"; }
[ -n "$rss_start" ] || fail "the soak ended before the RSS start sample at ${warm} s"

edge_allowed=$(curl -fsS "$admin_url/metrics" | awk '/^edgefence_decisions_total\{/ && /reason="allowed"/ { s += $NF } END { printf "%d", s }')

# Graceful stop: the edge makes its final push to the ledger before exiting.
kill -TERM "$edge_pid" 2>/dev/null || true
code=0
wait "$edge_pid" || code=$?
[ "$code" -eq 0 ] || { tail -n 30 "$work/edge.log" >&2; fail "the edge exited with code $code after SIGTERM"; }

# :: The ledger: every u:* field of the token's hashes (one per period) minus every r:* field (refunds).
ledger=0
while IFS= read -r key; do
  [ -n "$key" ] || continue
  n=$(rcli hgetall "$key" | awk 'NR % 2 == 1 { field = $0; next } field ~ /^u:/ { s += $0 } field ~ /^r:/ { s -= $0 } END { printf "%d", s }')
  ledger=$((ledger + n))
done < <(rcli --scan --pattern 'ef:{acc:tok-acc}:q:*')

# :: Results.
requests=$(total requests "$work/wrk-soak.txt")
counted=$(total counted "$work/wrk-soak.txt")
socket_errors=$(total socket-errors "$work/wrk-soak.txt")
soak_us=$(total duration-us "$work/wrk-soak.txt")
ok=$(awk '$1 == "status" && $2 == 200 { s += $3 } END { printf "%d", s }' "$work/wrk-soak.txt")
fivexx=$(awk '$1 == "status" && $2 >= 500 { s += $3 } END { printf "%d", s }' "$work/wrk-soak.txt")
others=$(awk '$1 == "status" && $2 != 200 { printf "%s%d×%d", sep, $2, $3; sep = ", " }' "$work/wrk-soak.txt")
gc_p99=$(awk 'NR > 1 && $2 > c { printf "%.6f\n", ($1 - p) / ($2 - c) * 1000 } { p = $1; c = $2 }' "$work/gc.txt" \
  | sort -n | awk '{ d[++n] = $1 } END { if (n == 0) { print "0.000"; exit } i = int(n * 0.99); if (i < n * 0.99) i++; if (i < 1) i = 1; printf "%.3f", d[i] }')
collections=$(awk 'NR == 1 { c0 = $2 } { c = $2 } END { print c - c0 }' "$work/gc.txt")
lost=$((edge_allowed - ledger))
[ "$requests" -gt 0 ] || fail "wrk completed no request during the soak (see $work/wrk-soak.txt)"

echo
echo "soak requests:   $requests in $(awk -v u="$soak_us" 'BEGIN { printf "%.0f", u / 1e6 }') s ($(awk -v n="$requests" -v u="$soak_us" 'BEGIN { printf "%.0f", n / u * 1e6 }') requests/s; capacity $capacity)"
echo "200:             $ok"
[ -z "$others" ] || echo "other statuses:  $others"
[ "$socket_errors" -eq 0 ] || echo "socket errors:   $socket_errors (connect, read, write, timeout)"
echo "snapshot pushes: $pushes (last version $version); redis restarted: $restarted"
echo "collections:     $collections during the soak"
echo "edge's allowed:  $edge_allowed (edgefence_decisions_total, reason=allowed, burst and soak)"
echo "ledger (Σu − Σr): $ledger"
echo
echo "rss-start-mib: $(awk -v k="$rss_start" 'BEGIN { printf "%.1f", k / 1024 }')"
echo "rss-end-mib: $(awk -v k="$rss_end" 'BEGIN { printf "%.1f", k / 1024 }')"
change=$(awk -v s="$rss_start" -v e="$rss_end" 'BEGIN { printf "%.1f", (e - s) / s * 100 }')
echo "rss-change: ${change}%"
echo "gc-pause-p99-ms: $gc_p99"
echo "5xx: $fivexx"
echo "lost: $lost"

verdict=0
# Growth is what a soak hunts (a leak, an unbounded cache). A fall is the GC handing back what the
# capacity burst took, seen in short runs (measured: -17.9% over 1 minute); it is printed, not failed.
if awk -v x="$change" 'BEGIN { exit !(x > 10) }'; then
  echo "soak.sh: FAILED: the edge's RSS grew by ${change}% (more than 10%)" >&2
  verdict=1
fi
if [ "$fivexx" -ne 0 ]; then
  echo "soak.sh: FAILED: $fivexx responses were 5xx" >&2
  verdict=1
fi
if [ "$lost" -ne 0 ]; then
  echo "soak.sh: FAILED: lost $lost (allowed by the edge but not in the ledger; negative: counted twice)" >&2
  verdict=1
fi
if [ -n "$others" ] || [ "$socket_errors" -ne 0 ] || [ "$counted" -ne "$requests" ] || [ "$restarted" -ne 1 ]; then
  echo "soak.sh: FAILED: not a clean run (statuses other than 200, socket errors, uncounted responses, or no Redis restart); see $work/" >&2
  verdict=1
fi
exit "$verdict"
