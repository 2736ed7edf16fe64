#!/usr/bin/env bash
# Global hard-quota accuracy under saturating load: three native edges share one token's hard quota
# through a real redis-server while wrk drives all three at once for a fixed time. Prints a human
# summary, then these six lines, each alone on its line:
#
#   admitted: N                  200 responses wrk received, over all edges
#   quota: Q                     the token's hard quota
#   over-admission: X%           max(0, N - Q) / Q * 100
#   redis-ops-per-request: R     Redis commands during the run (INFO commandstats) but the decision
#                                log's XADDs / requests sent: the cost of sharing the quota
#   decision-log-xadds-per-request: X   the decision log's XADDs / requests sent (one per decision)
#   lost: L                      N - the ledger's Σu − Σr (admitted but never counted)
#
# With --balance the three edges drain one prepaid balance instead: the plan is prepaid, each call
# costs 1,000 micro-USD, the balance is credited with --quota calls' worth (a wallet book pushed to
# every edge), refusals are 402, and the money gets its own lines:
#
#   overspend-micros: X          max(0, N * price - credited): spent beyond the balance
#   redis-down-events: D         times an edge judged Redis not answering (a lease slower than
#                                LeaseTimeoutMs counts) and spent from its outage allowance
#   lost: L                      N * price - the balance ledger's Σu − Σr (in micro-units)
#
# Exits non-zero if N > Q + MaxOverAdmission, if L != 0, with --balance if X > 0 while D = 0 (Redis
# answered and the balance still went below zero) or X > MaxBalanceOverspendMicros, or if the run is not a valid measurement
# (a status other than 200 and 429, or 402 with --balance; socket errors; an edge not stopping cleanly).
#
#   loadtests/accuracy.sh                         publish the edge, quota 20000, 10 s of load
#   loadtests/accuracy.sh --no-build              reuse artifacts/edge/edgefence-edge if it exists
#   loadtests/accuracy.sh --quota N --duration S
#   loadtests/accuracy.sh --balance               one prepaid balance instead of one hard quota
#
# Everything it writes (keys, snapshot, logs, counters, wrk output) is in loadtests/.work/,
# recreated on each run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quota=20000
duration=10
no_build=0
max_over=10 # EdgeFence:MaxOverAdmission, passed to the edges explicitly (it is also their default)
max_overspend=1000000 # EdgeFence:MaxBalanceOverspendMicros, passed explicitly (also the default)
edges=3
balance=0
price=1000 # micro-USD per call in --balance mode

usage() { sed -n '2,31p' "$0" | sed 's/^# \{0,1\}//'; }
fail() {
  echo "accuracy.sh: $*" >&2
  exit 1
}
positive() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "accuracy.sh: $1 needs a positive integer, got '$2'" >&2; exit 2; }; }

while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) no_build=1 ;;
    --balance) balance=1 ;;
    --quota)
      positive --quota "${2:-}"
      quota=$2
      shift
      ;;
    --duration)
      positive --duration "${2:-}"
      duration=$2
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "accuracy.sh: unknown option '$1' (options: --no-build, --balance, --quota N, --duration S)" >&2
      exit 2
      ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

edge_bin=artifacts/edge/edgefence-edge
origin_bin=src/EdgeFence.DemoOrigin/bin/Release/net10.0/edgefence-demo-origin
tool_bin=src/EdgeFence.SnapshotTool/bin/Release/net10.0/edgefence-snapshot
work=loadtests/.work

# :: Prerequisites and build.
scripts/ensure-packages.sh redis-server redis-tools wrk curl
command -v dotnet >/dev/null 2>&1 || fail "the .NET SDK (10.0, see global.json) is not on PATH"

if [ "$no_build" -eq 1 ] && [ -x "$edge_bin" ]; then
  echo "accuracy.sh: reusing $edge_bin (--no-build)"
else
  scripts/publish-aot.sh
fi

dotnet build src/EdgeFence.DemoOrigin -c Release -nologo -v quiet
dotnet build src/EdgeFence.SnapshotTool -c Release -nologo -v quiet
[ -x "$origin_bin" ] || fail "$origin_bin was not built"
[ -x "$tool_bin" ] || fail "$tool_bin was not built"

rm -rf "$work"
mkdir -p "$work/keys"

# :: Processes: every child is stopped on exit, whatever the reason (scripts/lib.sh).
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
trap stop_children EXIT
trap 'echo "accuracy.sh: interrupted" >&2; exit 130' INT TERM


# :: Redis on a free port, no persistence.
redis_port=
for _ in $(seq 20); do
  port=$((20000 + RANDOM % 20000))
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --protected-mode no >"$work/redis.log" 2>&1 &
  redis_pid=$!
  pids+=("$redis_pid")
  for _ in $(seq 50); do
    if [ "$(redis-cli -p "$port" ping 2>/dev/null)" = PONG ]; then
      redis_port=$port
      break
    fi
    kill -0 "$redis_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$redis_port" ] && break
done
[ -n "$redis_port" ] || { tail -n 20 "$work/redis.log" >&2; fail "redis-server did not start"; }
rcli() { redis-cli -p "$redis_port" "$@"; }

# :: The demo origin on a port of its choosing (it verifies the edge's signature on every request).
hmac_secret=$(rand_hex 32)
DEMOORIGIN__HMACSECRET="$hmac_secret" "$origin_bin" --urls=http://127.0.0.1:0 >"$work/origin.log" 2>&1 &
origin_pid=$!
pids+=("$origin_pid")
origin_url=$(wait_for_line "demo origin" "$origin_pid" "$work/origin.log" 'http://127\.0\.0\.1:[0-9]+')

# :: A signed snapshot: one site, one hard-quota plan (or, with --balance, one prepaid plan and a wallet
# book crediting its balance), /api/*, one token.
token="acc-$(rand_hex 16)"
if [ "$balance" -eq 1 ]; then
  plan_json='{ "id": "hard", "siteId": "acc", "name": "Prepaid", "billing": "prepaid", "currency": "USD", "resourceIds": [] }'
  resource_price=$price
  refusal=402
else
  plan_json="{ \"id\": \"hard\", \"siteId\": \"acc\", \"name\": \"Hard quota\", \"quota\": { \"units\": $quota, \"period\": \"month\", \"mode\": \"hard\" }, \"rateLimit\": null, \"priceMicros\": 0, \"currency\": \"USD\", \"resourceIds\": [] }"
  resource_price=0
  refusal=429
fi
cat >"$work/config.json" <<EOF
{
  "version": 1,
  "sites": [
    { "id": "acc", "name": "Accuracy", "slug": "acc", "originUrl": "$origin_url", "hosts": ["acc.localhost"],
      "hmacSecret": "$hmac_secret", "originKey": "acc-origin-$(rand_hex 16)",
      "staticHeaders": {}, "staticQuery": {}, "denyByDefault": false, "topUpUrl": "https://pay.example/top-up?c={customer}" }
  ],
  "plans": [ $plan_json ],
  "resources": [
    { "id": "api", "siteId": "acc", "pattern": "/api/*", "methods": [], "cost": 1, "privatePath": null, "priceMicros": $resource_price, "currency": "USD" }
  ],
  "tokens": [
    { "id": "tok-acc", "siteId": "acc", "planId": "hard", "customer": "accuracy", "token": "$token", "expiresAtUnix": 0, "revoked": false }
  ]
}
EOF
credited=$((quota * price))
cat >"$work/wallets.json" <<EOF
{ "version": 1, "wallets": [ { "siteId": "acc", "customer": "accuracy", "currency": "USD", "creditedMicros": $credited } ] }
EOF
"$tool_bin" keygen --out "$work/keys" >/dev/null
"$tool_bin" build --in "$work/config.json" --key "$work/keys/snapshot-signing.pem" --out "$work/snapshot.msgpack" >/dev/null
[ -f "$work/snapshot.msgpack.sig" ] || fail "the snapshot tool did not write $work/snapshot.msgpack.sig"
"$tool_bin" wallets --in "$work/wallets.json" --key "$work/keys/snapshot-signing.pem" --out "$work/wallets.msgpack" >/dev/null

# :: Three native edges sharing the ledger, each on ports of its choosing with its own data directory.
edge_pids=()
edge_urls=()
admin_urls=()
for i in $(seq 0 $((edges - 1))); do
  log="$work/edge-$i.log"
  "$edge_bin" \
    --EdgeFence:Urls=http://127.0.0.1:0 \
    --EdgeFence:AdminUrls=http://127.0.0.1:0 \
    --EdgeFence:NodeId="edge-$i" \
    --EdgeFence:DataDir="$work/data-$i" \
    --EdgeFence:SnapshotPath="$work/snapshot.msgpack" \
    --EdgeFence:SnapshotPublicKey="$work/keys/snapshot-signing.pub.pem" \
    --EdgeFence:Redis="127.0.0.1:$redis_port" \
    --EdgeFence:EdgeCount="$edges" \
    --EdgeFence:MaxOverAdmission="$max_over" \
    --EdgeFence:MaxBalanceOverspendMicros="$max_overspend" \
    >"$log" 2>&1 &
  edge_pids+=($!)
  pids+=($!)
done
for i in $(seq 0 $((edges - 1))); do
  line=$(wait_for_line "edge $i" "${edge_pids[$i]}" "$work/edge-$i.log" 'listening on [^ ]+ \(admin [^ )]+\)')
  edge_urls+=("$(sed -E 's/listening on ([^ ]+) .*/\1/' <<<"$line")")
  admin_urls+=("$(sed -E 's/.*\(admin ([^ )]+)\)/\1/' <<<"$line")")
  ready=0
  for _ in $(seq 100); do
    if curl -fsS "${admin_urls[$i]}/readyz" 2>/dev/null | grep -q '"redis":"up"'; then
      ready=1
      break
    fi
    sleep 0.1
  done
  [ "$ready" -eq 1 ] || fail "edge $i is not ready with redis up: $(curl -sS "${admin_urls[$i]}/readyz" 2>&1)"
  if [ "$balance" -eq 1 ]; then
    curl -fsS -X PUT --data-binary @"$work/wallets.msgpack" -H "X-EdgeFence-Snapshot-Signature: $(cat "$work/wallets.msgpack.sig")" \
      "${admin_urls[$i]}/v1/wallets" >/dev/null || fail "edge $i refused the wallet book"
  fi
done

# :: Load: wrk against every edge at once.
commands() { rcli info commandstats | sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),.*/\1 \2/p'; }
sum_calls() { awk '{ s += $2 } END { print s + 0 }'; }
commands >"$work/commands-before.txt"

if [ "$balance" -eq 1 ]; then
  echo "accuracy.sh: $edges edges, one balance of $credited micro-USD ($quota calls at $price), ${duration} s of load (wrk: 2 threads, 16 connections per edge)"
else
  echo "accuracy.sh: $edges edges, quota $quota, ${duration} s of load (wrk: 2 threads, 16 connections per edge)"
fi
wrk_pids=()
for i in $(seq 0 $((edges - 1))); do
  ACCURACY_TOKEN="$token" wrk -t2 -c16 -d"${duration}s" --timeout 10s -s loadtests/count-statuses.lua \
    "${edge_urls[$i]}/acc/api/items" >"$work/wrk-$i.txt" 2>&1 &
  wrk_pids+=($!)
  pids+=($!)
done
for i in "${!wrk_pids[@]}"; do
  wait "${wrk_pids[$i]}" || { cat "$work/wrk-$i.txt" >&2; fail "wrk against edge $i failed"; }
done

# What the edges themselves counted as allowed (a cross-check of what wrk received).
edge_allowed=0
for admin in "${admin_urls[@]}"; do
  n=$(curl -fsS "$admin/metrics" | awk '/^edgefence_decisions_total\{/ && /reason="allowed"/ { s += $NF } END { printf "%d", s }')
  edge_allowed=$((edge_allowed + n))
done

# Graceful stop: each edge makes its final push to the ledger before exiting.
for pid in "${edge_pids[@]}"; do
  kill -TERM "$pid" 2>/dev/null || true
done
for i in "${!edge_pids[@]}"; do
  code=0
  wait "${edge_pids[$i]}" || code=$?
  [ "$code" -eq 0 ] || { tail -n 30 "$work/edge-$i.log" >&2; fail "edge $i exited with code $code after SIGTERM"; }
done

commands >"$work/commands-after.txt"

# :: The ledger: every u:* field of the token's hashes (one per period) minus every r:* field (refunds).
ledger=0
while IFS= read -r key; do
  [ -n "$key" ] || continue
  n=$(rcli hgetall "$key" | awk 'NR % 2 == 1 { field = $0; next } field ~ /^u:/ { s += $0 } field ~ /^r:/ { s -= $0 } END { printf "%d", s }')
  ledger=$((ledger + n))
done < <(if [ "$balance" -eq 1 ]; then
  # WalletKey: the first 16 bytes of SHA-256("edgefence-wallet\n" site "\n" customer "\n" currency), in hex.
  echo "ef:{acc:w:$(printf 'edgefence-wallet\nacc\naccuracy\nUSD' | sha256sum | cut -c1-32)}:b"
else
  rcli --scan --pattern 'ef:{acc:tok-acc}:q:*'
fi)

# :: Results.
total() { awk -v k="$1" '$1 == k { s += $2 } END { printf "%d", s }' "$work"/wrk-*.txt; }
requests=$(total requests)
counted=$(total counted)
socket_errors=$(total socket-errors)
admitted=$(awk '$1 == "status" && $2 == 200 { s += $3 } END { printf "%d", s }' "$work"/wrk-*.txt)
refused=$(awk -v r="$refusal" '$1 == "status" && $2 == r { s += $3 } END { printf "%d", s }' "$work"/wrk-*.txt)
others=$(awk -v r="$refusal" '$1 == "status" && $2 != 200 && $2 != r { printf "%s%d×%d", sep, $2, $3; sep = ", " }' "$work"/wrk-*.txt)
seconds=$(awk '$1 == "duration-us" && $2 > s { s = $2 } END { printf "%.2f", s / 1e6 }' "$work"/wrk-*.txt)
before=$(sum_calls <"$work/commands-before.txt")
after=$(sum_calls <"$work/commands-after.txt")
scripts_before=$(awk '$1 ~ /^eval/ { s += $2 } END { print s + 0 }' "$work/commands-before.txt")
scripts_after=$(awk '$1 ~ /^eval/ { s += $2 } END { print s + 0 }' "$work/commands-after.txt")
scripts=$((scripts_after - scripts_before))
# The decision log's stream (one XADD per decision, batched off the request path) is telemetry, not
# quota reconciliation: counted on its own line.
xadds_before=$(awk '$1 == "xadd" { s += $2 } END { print s + 0 }' "$work/commands-before.txt")
xadds_after=$(awk '$1 == "xadd" { s += $2 } END { print s + 0 }' "$work/commands-after.txt")
xadds=$((xadds_after - xadds_before))
if [ "$balance" -eq 1 ]; then
  lost=$((admitted * price - ledger))
else
  lost=$((admitted - ledger))
fi

[ "$requests" -gt 0 ] || fail "wrk completed no request (see $work/wrk-*.txt)"

echo
echo "requests:        $requests in ${seconds} s ($(awk -v n="$requests" -v s="$seconds" 'BEGIN { printf "%.0f", n / s }') requests/s over $edges edges)"
echo "200 (admitted):  $admitted"
echo "$refusal (refused):   $refused"
[ -z "$others" ] || echo "other statuses:  $others"
[ "$socket_errors" -eq 0 ] || echo "socket errors:   $socket_errors (connect, read, write, timeout)"
[ "$counted" -eq "$requests" ] || echo "responses counted by the script: $counted of $requests"
echo "edges' allowed:  $edge_allowed (edgefence_decisions_total, reason=allowed)"
echo "ledger (Σu − Σr): $ledger"
[ "$admitted" -ge "$quota" ] || echo "under-admission: $((quota - admitted)) (leases other edges still held unused)"
echo "redis commands:  $((after - before)) during the run, of which $scripts EVAL/EVALSHA (a script's inner commands count too) and $xadds XADD (decision log)"
echo
echo "admitted: $admitted"
echo "quota: $quota"
awk -v a="$admitted" -v q="$quota" 'BEGIN { x = a - q; if (x < 0) x = 0; printf "over-admission: %.3f%%\n", x / q * 100 }'
awk -v c="$((after - before - xadds))" -v n="$requests" 'BEGIN { printf "redis-ops-per-request: %.4f\n", c / n }'
awk -v c="$xadds" -v n="$requests" 'BEGIN { printf "decision-log-xadds-per-request: %.4f\n", c / n }'
# How many times an edge judged Redis not answering (a timed-out lease under load counts) and fell back
# to its outage allowance: the only case in which a balance may go below zero, within the bound.
redis_down=$(cat "$work"/edge-*.log | grep -c "Redis is not answering" || true)
overspend=0
if [ "$balance" -eq 1 ]; then
  overspend=$((admitted * price > credited ? admitted * price - credited : 0))
  echo "overspend-micros: $overspend"
  echo "redis-down-events: $redis_down"
fi
echo "lost: $lost"

verdict=0
if [ "$admitted" -gt $((quota + max_over)) ]; then
  echo "accuracy.sh: FAILED: admitted $admitted > quota $quota + MaxOverAdmission $max_over" >&2
  verdict=1
fi
if [ "$overspend" -gt 0 ] && [ "$redis_down" -eq 0 ]; then
  echo "accuracy.sh: FAILED: the balance was overspent by $overspend micro-units while Redis answered every edge" >&2
  verdict=1
elif [ "$overspend" -gt "$max_overspend" ]; then
  echo "accuracy.sh: FAILED: overspend $overspend > MaxBalanceOverspendMicros $max_overspend" >&2
  verdict=1
fi
if [ "$refused" -eq 0 ]; then
  # Admissions went on until wrk stopped, so responses still in flight then were counted by the
  # edges but never received by wrk: lost is not meaningful (it reads negative).
  echo "accuracy.sh: FAILED: no request was refused, so the load never used up the quota and lost ($lost) is not meaningful (raise --duration or lower --quota)" >&2
  verdict=1
elif [ "$lost" -ne 0 ]; then
  if [ "$lost" -gt 0 ]; then
    echo "accuracy.sh: FAILED: $lost admitted (requests, or micro-units with --balance) are missing from the ledger" >&2
  else
    echo "accuracy.sh: FAILED: the ledger holds $((-lost)) more than was admitted (double-counted)" >&2
  fi
  verdict=1
fi
if [ -n "$others" ] || [ "$socket_errors" -ne 0 ] || [ "$counted" -ne "$requests" ]; then
  echo "accuracy.sh: FAILED: not a clean run (statuses other than 200/$refusal, socket errors, or uncounted responses); see $work/" >&2
  verdict=1
fi
exit "$verdict"
