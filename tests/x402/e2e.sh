#!/usr/bin/env bash
# x402 end to end on this machine, no internet: a local chain (anvil) with the EIP-3009 test token,
# the reference facilitator (@x402/core + @x402/evm), the demo origin, the native AOT edge, and the
# reference client (@x402/fetch) paying K calls through the edge. Checks, and exits non-zero on any
# difference: the origin got exactly K paid calls, the payer's and pay-to's token balances moved by
# exactly K x price, a replayed payment header is refused (402) and never reaches the origin, a call
# without payment gets 402 with the PAYMENT-REQUIRED the reference client paid. Prints the figures.
#
#   tests/x402/e2e.sh [--calls K] [--no-build]     (scripts/test.sh runs it after the AOT publish)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
calls=3
no_build=0
while [ $# -gt 0 ]; do
  case "$1" in
    --calls) calls=$2; shift ;;
    --no-build) no_build=1 ;;
    *) echo "usage: tests/x402/e2e.sh [--calls K] [--no-build]" >&2; exit 2 ;;
  esac
  shift
done
price_micros=10000   # $0.01 per call: 10000 atomic units of the 6-decimal test token
started=$(date +%s)

edge_bin=$root/artifacts/edge/edgefence-edge
origin_bin=$root/src/EdgeFence.DemoOrigin/bin/Release/net10.0/edgefence-demo-origin
tool_bin=$root/src/EdgeFence.SnapshotTool/bin/Release/net10.0/edgefence-snapshot
if [ "$no_build" -eq 0 ] || [ ! -x "$edge_bin" ]; then scripts/publish-aot.sh >/dev/null; fi
if [ "$no_build" -eq 0 ] || [ ! -x "$origin_bin" ] || [ ! -x "$tool_bin" ]; then
  dotnet build src/EdgeFence.DemoOrigin -c Release -nologo -v quiet >/dev/null
  dotnet build src/EdgeFence.SnapshotTool -c Release -nologo -v quiet >/dev/null
fi

tests/x402/install.sh
cd tests/x402
# shellcheck source=../../scripts/lib.sh
source "$root/scripts/lib.sh"
# shellcheck source=harness.sh
source ./harness.sh
# The whole run is bounded: a watchdog ends it (and, through the EXIT trap, every child) after 5 minutes.
# Its sleep is ended with it, so no stray timer outlives the run and signals a reused pid.
( trap 'kill "$nap" 2>/dev/null; exit 0' TERM; sleep 300 & nap=$!; wait "$nap" && { echo "e2e.sh: timed out after 300 s" >&2; kill -TERM $$; } ) 2>/dev/null &
watchdog=$!
trap 'echo "e2e.sh: interrupted" >&2; exit 130' INT TERM
pids+=("$watchdog")

# :: Chain, token, facilitator.
harness_start
state=$work/state.json
node -e 'const s=require(process.argv[1]); console.log(`e2e.sh: token ${s.token} on ${s.network}, payer ${s.payer}, payTo ${s.payTo}`)' "$state"

# :: The demo origin (it checks the edge's signature on every call and echoes what it saw).
hmac_secret=$(rand_hex 32)
DEMOORIGIN__HMACSECRET="$hmac_secret" "$origin_bin" --urls=http://127.0.0.1:0 >"$work/origin.log" 2>&1 &
origin_pid=$!
pids+=("$origin_pid")
origin_url=$(wait_for_line "demo origin" "$origin_pid" "$work/origin.log" 'http://127\.0\.0\.1:[0-9]+')

# :: A signed snapshot: one site with x402 terms, /paid/* paid per call with x402.
node -e '
const s = require(process.argv[1]);
const [originUrl, secret, facilitator, price] = process.argv.slice(2);
console.log(JSON.stringify({
  version: 1,
  sites: [{ id: "pay", name: "Pay per call", slug: "pay", originUrl, hosts: [], hmacSecret: secret, originKey: "pay-origin-key-" + secret.slice(0, 16),
    staticHeaders: {}, staticQuery: {}, denyByDefault: false,
    x402: { facilitatorUrl: facilitator, network: s.network, asset: s.token, payTo: s.payTo, assetName: s.tokenName, assetVersion: s.tokenVersion,
      assetDecimals: s.decimals, currency: "USD", maxTimeoutSeconds: 60 } }],
  plans: [],
  resources: [{ id: "paid", siteId: "pay", pattern: "/paid/*", methods: [], cost: 1, privatePath: null, priceMicros: Number(price), currency: "USD", payment: "x402" }],
  tokens: [],
}, null, 2));' "$state" "$origin_url" "$hmac_secret" "http://127.0.0.1:$fac_port" "$price_micros" >"$work/config.json"
mkdir -p "$work/keys"
"$tool_bin" keygen --out "$work/keys" >/dev/null
"$tool_bin" build --in "$work/config.json" --key "$work/keys/snapshot-signing.pem" --out "$work/snapshot.msgpack" >/dev/null

# :: The native edge (start_edge NAME: sets edge_pid and url).
start_edge() {
  "$edge_bin" \
    --EdgeFence:Urls=http://127.0.0.1:0 \
    --EdgeFence:AdminUrls=http://127.0.0.1:0 \
    --EdgeFence:NodeId="$1" \
    --EdgeFence:DataDir="$work/$1-data" \
    --EdgeFence:SnapshotPath="$work/snapshot.msgpack" \
    --EdgeFence:SnapshotPublicKey="$work/keys/snapshot-signing.pub.pem" \
    >"$work/$1.log" 2>&1 &
  edge_pid=$!
  pids+=("$edge_pid")
  local line
  line=$(wait_for_line "edge" "$edge_pid" "$work/$1.log" 'listening on [^ ]+ \(admin [^ )]+\)')
  url="$(sed -E 's/listening on ([^ ]+) .*/\1/' <<<"$line")/pay/paid/report"
}
start_edge edge

# :: The reference client pays K calls through the edge.
paying_started=$(date +%s%N)
timeout 180 node client.mjs --state "$state" --url "$url" --calls "$calls" >"$work/client.json"
paying_ms=$(( ($(date +%s%N) - paying_started) / 1000000 ))

# :: A replay of the first call's payment header, and a call without payment.
replay_header=$(node -e 'console.log(require(process.argv[1]).results[0].paymentHeader ?? "")' "$work/client.json")
[ -n "$replay_header" ] || { echo "e2e.sh: the client sent no payment header" >&2; exit 1; }
replay_status=$(curl -s -o "$work/replay.json" -w '%{http_code}' --max-time 30 -H "PAYMENT-SIGNATURE: $replay_header" "$url")
unpaid_status=$(curl -s -o "$work/unpaid.json" -D "$work/unpaid.headers" -w '%{http_code}' --max-time 30 "$url")

# :: Stop the edge gracefully: its decision log is flushed on stop.
kill -TERM "$edge_pid"
wait "$edge_pid" 2>/dev/null || true

# :: A fresh edge has no memory of the payment: the replay is refused by the chain, through the
# facilitator's verify (the nonce is used), and still never forwarded.
start_edge edge2
restart_status=$(curl -s -o "$work/replay-restarted.json" -w '%{http_code}' --max-time 30 -H "PAYMENT-SIGNATURE: $replay_header" "$url")
kill -TERM "$edge_pid"
wait "$edge_pid" 2>/dev/null || true

node e2e-check.mjs --client "$work/client.json" --decisions "$work/edge-data/decisions" --decisions-restarted "$work/edge2-data/decisions" \
  --restart-status "$restart_status" --restart-body "$work/replay-restarted.json" --calls "$calls" --amount "$price_micros" \
  --replay-status "$replay_status" --replay-body "$work/replay.json" --unpaid-status "$unpaid_status" --unpaid-headers "$work/unpaid.headers" \
  --paying-ms "$paying_ms" --total-seconds "$(( $(date +%s) - started ))"
