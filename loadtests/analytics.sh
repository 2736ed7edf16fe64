#!/usr/bin/env bash
# What analytics costs Redis: two edges connected to one redis-server ship their decision rollups
# to a real control plane while wrk drives both for a fixed time. The token's plan has no quota, so
# no quota reconciliation runs and every Redis command counted is one the decision log or analytics
# caused (quota sharing costs Redis per sync interval, not per request: loadtests/accuracy.sh
# measures it). Prints a summary, then these lines, each alone on its line:
#
#   redis-ops-per-request: R     every Redis command during the run (INFO commandstats) / requests
#                                sent (target <= 0.01; it was 1.0 when every decision was an XADD to
#                                the decision stream)
#   decision-log-xadds: X        XADDs to the decision stream (0: the stream is off by default)
#   edge-decisions: D            decisions the edges made (edgefence_decisions_total, all reasons)
#   rollup-requests: N           requests in the control plane's rollups (GET /v1/analytics/totals)
#   lost: L                      D - N (decided but never counted; negative: counted twice)
#
# D is at least wrk's own count (wrk does not count responses still in flight when it stops).
# Exits non-zero if L != 0, if R > 0.01, or if the run is not valid (a status other than 200, socket
# errors, a process not stopping cleanly).
#
#   loadtests/analytics.sh                   JIT builds of the edge and control plane, 10 s of load
#   loadtests/analytics.sh --aot             the native edge (scripts/publish-aot.sh; slow)
#   loadtests/analytics.sh --no-build --duration S
#
# Everything it writes is in loadtests/.work-analytics/, recreated on each run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

duration=10
no_build=0
aot=0
edges=2
usage() { sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; }
fail() {
  echo "analytics.sh: $*" >&2
  exit 1
}
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) no_build=1 ;;
    --aot) aot=1 ;;
    --duration)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || fail "--duration needs a positive integer"
      duration=$2
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) fail "unknown option '$1' (options: --aot, --no-build, --duration S)" ;;
  esac
  shift
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
origin_bin=src/EdgeFence.DemoOrigin/bin/Release/net10.0/edgefence-demo-origin
controlplane_dll=src/EdgeFence.ControlPlane/bin/Release/net10.0/edgefence-controlplane.dll
edge_dll=src/EdgeFence.Edge/bin/Release/net10.0/edgefence-edge.dll
work=loadtests/.work-analytics

# :: Prerequisites and build.
scripts/ensure-packages.sh redis-server redis-tools wrk curl
if [ "$no_build" -eq 0 ]; then
  [ "$aot" -eq 0 ] || scripts/publish-aot.sh
  dotnet build src/EdgeFence.Edge -c Release -nologo -v quiet
  dotnet build src/EdgeFence.ControlPlane -c Release -nologo -v quiet
  dotnet build src/EdgeFence.DemoOrigin -c Release -nologo -v quiet
fi
if [ "$aot" -eq 1 ]; then edge=(artifacts/edge/edgefence-edge); else edge=(dotnet "$edge_dll"); fi
for f in "$origin_bin" "$controlplane_dll" "${edge[-1]}"; do [ -e "$f" ] || fail "$f was not built"; done

rm -rf "$work"
mkdir -p "$work/keys"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
trap 'stop_children 20' EXIT
trap 'echo "analytics.sh: interrupted" >&2; exit 130' INT TERM

free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 20000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  fail "no free port"
}
wait_ready() {
  local name=$1 url=$2 pid=$3 log=$4
  for _ in $(seq 300); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { tail -n 30 "$log" >&2; fail "the $name exited during start"; }
    sleep 0.1
  done
  tail -n 30 "$log" >&2
  fail "the $name is not ready at $url after 30 s"
}

# :: Redis, no persistence.
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --protected-mode no >"$work/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && break; sleep 0.1; done
rcli() { redis-cli -p "$redis_port" "$@"; }

# :: The control plane; keys through the environment, not the command line.
admin_key=$(rand_hex 32)
edge_key=$(rand_hex 32)
cp="http://127.0.0.1:$(free_port)"
CONTROLPLANE__ADMINKEY="$admin_key" CONTROLPLANE__EDGEKEY="$edge_key" dotnet "$controlplane_dll" \
  --ControlPlane:Urls="$cp" --ControlPlane:Database="$work/controlplane.db" \
  --ControlPlane:SigningKey="$work/keys/snapshot-signing.pem" --ControlPlane:Redis="127.0.0.1:$redis_port" \
  >"$work/controlplane.log" 2>&1 &
cp_pid=$!
pids+=("$cp_pid")
wait_ready "control plane" "$cp/healthz" "$cp_pid" "$work/controlplane.log"
api() {
  curl -fsS -X "$1" "$cp$2" -H "Authorization: Bearer $admin_key" -H "Content-Type: application/json" ${3:+-d "$3"} \
    || fail "$1 $2 failed"
}
field() { grep -o "\"$1\":\"[^\"]*\"" | head -n1 | sed 's/^"[^"]*":"\(.*\)"$/\1/'; }

# :: One site in front of the demo origin, a plan without quota or rate limit (every request is
# allowed and counted in the rollups), /api/*, one token.
origin="http://127.0.0.1:$(free_port)"
site=$(api POST /v1/sites '{"name":"Analytics","slug":"ana","originUrl":"'"$origin"'"}')
site_id=$(field id <<<"$site")
plan_id=$(api POST "/v1/sites/$site_id/plans" '{"name":"Unmetered"}' | field id)
api POST "/v1/sites/$site_id/resources" '{"pattern":"/api/*"}' >/dev/null
token=$(api POST "/v1/sites/$site_id/tokens" '{"planId":"'"$plan_id"'","customer":"load"}' | field token)
DEMOORIGIN__HMACSECRET="$(field hmacSecret <<<"$site")" "$origin_bin" --urls="$origin" >"$work/origin.log" 2>&1 &
pids+=($!)
wait_for_line "demo origin" "$!" "$work/origin.log" 'http://127\.0\.0\.1:[0-9]+' >/dev/null

# :: The edges pull the configuration on start and ship rollups every 2 s.
edge_pids=()
edge_urls=()
admin_urls=()
for i in $(seq 0 $((edges - 1))); do
  EDGEFENCE__CONTROLPLANEKEY="$edge_key" "${edge[@]}" \
    --EdgeFence:Urls=http://127.0.0.1:0 --EdgeFence:AdminUrls=http://127.0.0.1:0 \
    --EdgeFence:NodeId="edge-$i" --EdgeFence:DataDir="$work/data-$i" \
    --EdgeFence:SnapshotPublicKey="$work/keys/snapshot-signing.pub.pem" \
    --EdgeFence:ControlPlaneUrl="$cp" --EdgeFence:Redis="127.0.0.1:$redis_port" \
    --EdgeFence:EdgeCount="$edges" --EdgeFence:AnalyticsFlushSeconds=2 \
    >"$work/edge-$i.log" 2>&1 &
  edge_pids+=($!)
  pids+=($!)
done
for i in $(seq 0 $((edges - 1))); do
  line=$(wait_for_line "edge $i" "${edge_pids[$i]}" "$work/edge-$i.log" 'listening on [^ ]+ \(admin [^ )]+\)')
  edge_urls+=("$(sed -E 's/listening on ([^ ]+) .*/\1/' <<<"$line")")
  admin_urls+=("$(sed -E 's/.*\(admin ([^ )]+)\)/\1/' <<<"$line")")
  wait_ready "edge $i" "${admin_urls[$i]}/readyz" "${edge_pids[$i]}" "$work/edge-$i.log"
done

# :: Load.
commands() { rcli info commandstats | sed -n 's/^cmdstat_\([^:]*\):calls=\([0-9]*\),.*/\1 \2/p'; }
sum_calls() { awk '{ s += $2 } END { print s + 0 }'; }
commands >"$work/commands-before.txt"
echo "analytics.sh: $edges edges, ${duration} s of load (wrk: 1 thread, 8 connections per edge)"
wrk_pids=()
for i in $(seq 0 $((edges - 1))); do
  ACCURACY_TOKEN="$token" wrk -t1 -c8 -d"${duration}s" --timeout 10s -s loadtests/count-statuses.lua \
    "${edge_urls[$i]}/ana/api/items" >"$work/wrk-$i.txt" 2>&1 &
  wrk_pids+=($!)
  pids+=($!)
done
for i in "${!wrk_pids[@]}"; do
  wait "${wrk_pids[$i]}" || { cat "$work/wrk-$i.txt" >&2; fail "wrk against edge $i failed"; }
done

decisions=0
for admin in "${admin_urls[@]}"; do
  n=$(curl -fsS "$admin/metrics" | awk '/^edgefence_decisions_total\{/ { s += $NF } END { printf "%d", s }')
  decisions=$((decisions + n))
done

# Graceful stop: each edge ships its last partial interval before exiting.
for pid in "${edge_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
for i in "${!edge_pids[@]}"; do
  code=0
  wait "${edge_pids[$i]}" || code=$?
  [ "$code" -eq 0 ] || { tail -n 30 "$work/edge-$i.log" >&2; fail "edge $i exited with code $code after SIGTERM"; }
done
commands >"$work/commands-after.txt"

totals=$(api GET "/v1/analytics/totals?site=$site_id")
rollup=$(grep -o '"requests":[0-9]*' <<<"$totals" | head -n1 | cut -d: -f2)

total() { awk -v k="$1" '$1 == k { s += $2 } END { printf "%d", s }' "$work"/wrk-*.txt; }
requests=$(total requests)
socket_errors=$(total socket-errors)
others=$(awk '$1 == "status" && $2 != 200 { printf "%s%d×%d", sep, $2, $3; sep = ", " }' "$work"/wrk-*.txt)
ops=$(($(sum_calls <"$work/commands-after.txt") - $(sum_calls <"$work/commands-before.txt")))
xadds=$(($(awk '$1 == "xadd" { s += $2 } END { print s + 0 }' "$work/commands-after.txt") - $(awk '$1 == "xadd" { s += $2 } END { print s + 0 }' "$work/commands-before.txt")))
[ "$requests" -gt 0 ] || fail "wrk completed no request (see $work/wrk-*.txt)"
lost=$((decisions - rollup))

echo
echo "requests:        $requests sent by wrk in ${duration} s over $edges edges"
[ -z "$others" ] || echo "other statuses:  $others"
[ "$socket_errors" -eq 0 ] || echo "socket errors:   $socket_errors"
echo "redis commands:  $ops during the run ($xadds XADD)"
echo
awk -v c="$ops" -v n="$requests" 'BEGIN { printf "redis-ops-per-request: %.4f\n", c / n }'
echo "decision-log-xadds: $xadds"
echo "edge-decisions: $decisions"
echo "rollup-requests: $rollup"
echo "lost: $lost"

verdict=0
[ "$lost" -eq 0 ] || { echo "analytics.sh: FAILED: the rollups hold $rollup requests, the edges decided $decisions" >&2; verdict=1; }
[ "$decisions" -ge "$requests" ] || { echo "analytics.sh: FAILED: the edges decided fewer requests ($decisions) than wrk received ($requests)" >&2; verdict=1; }
awk -v c="$ops" -v n="$requests" 'BEGIN { exit !(c / n <= 0.01) }' || { echo "analytics.sh: FAILED: more than 0.01 Redis operations per request" >&2; verdict=1; }
[ -z "$others" ] && [ "$socket_errors" -eq 0 ] || { echo "analytics.sh: FAILED: not every request was a 200 without socket errors" >&2; verdict=1; }
exit "$verdict"
