#!/usr/bin/env bash
# EdgeFence demo on one machine: builds the native edge, starts the control plane (127.0.0.1:8090)
# and creates the demo configuration through its API, starts the demo origin (proxy mode
# 127.0.0.1:5080, middleware mode 127.0.0.1:5081) and the edge (public 127.0.0.1:8080, admin
# 127.0.0.1:8081), which takes its snapshots from the control plane, then prints curl lines for each
# outcome and runs them once (a local Stripe API, a local chain and the x402 facilitator too). Ctrl-C stops them all.
#
#   scripts/demo.sh              build, start, show, keep running until Ctrl-C
#   scripts/demo.sh --no-build   reuse artifacts/edge/edgefence-edge if it exists
#   scripts/demo.sh --smoke      check the expected statuses, stop, exit non-zero on any difference (CI)
#   scripts/demo.sh --no-x402    skip the x402 part (a local chain, the reference facilitator and
#                                client from npm, installed into tests/x402/node_modules on first use)
#
# Everything it writes (keys, database, snapshot, counters, logs) is in .demo/, recreated on each run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

no_build=0
smoke=0
x402=1
for arg in "$@"; do
  case "$arg" in
    --no-build) no_build=1 ;;
    --smoke) smoke=1 ;;
    --no-x402) x402=0 ;;
    -h | --help)
      sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "demo.sh: unknown option '$arg' (options: --no-build, --smoke, --no-x402)" >&2
      exit 2
      ;;
  esac
done

edge_bin=artifacts/edge/edgefence-edge
origin_bin=src/EdgeFence.DemoOrigin/bin/Release/net10.0/edgefence-demo-origin
controlplane_dll=src/EdgeFence.ControlPlane/bin/Release/net10.0/edgefence-controlplane.dll
work=.demo
public=http://127.0.0.1:8080
admin=http://127.0.0.1:8081
origin=http://127.0.0.1:5080
origin_mm=http://127.0.0.1:5081
cp=http://127.0.0.1:8090
stripe=http://127.0.0.1:12111
stripe_bin=src/EdgeFence.DemoStripe/bin/Release/net10.0/edgefence-demo-stripe
anvil_port=8545
facilitator=http://127.0.0.1:4021

if [ -t 1 ]; then
  say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
else
  say() { printf '\n== %s\n' "$*"; }
fi
fail() {
  echo "demo.sh: $*" >&2
  exit 1
}

# :: Step 1: prerequisites.
build_edge=1
if [ "$no_build" -eq 1 ] && [ -x "$edge_bin" ]; then
  build_edge=0
fi

packages=(curl)
if [ "$build_edge" -eq 1 ]; then
  packages+=(clang zlib1g-dev)
fi
scripts/ensure-packages.sh "${packages[@]}"
command -v dotnet >/dev/null 2>&1 ||
  fail "the .NET SDK (10.0, see global.json) is not on PATH: https://learn.microsoft.com/dotnet/core/install/linux-debian"

# A port taken by an earlier demo would make the edge or the origin exit at start; say so up front.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ports=(5080 5081 8080 8081 8090 12111)
[ "$x402" -eq 0 ] || ports+=("$anvil_port" 4021)
for port in "${ports[@]}"; do
  if port_in_use "$port"; then
    fail "127.0.0.1:$port is already in use (is another demo still running?)"
  fi
done

# :: Step 2: build.
if [ "$build_edge" -eq 1 ]; then
  say "Publishing the native edge (scripts/publish-aot.sh)"
  scripts/publish-aot.sh
else
  say "Reusing $edge_bin (--no-build)"
fi

say "Building the demo origin, the control plane and the local Stripe API"
dotnet build src/EdgeFence.DemoOrigin -c Release -nologo -v quiet
dotnet build src/EdgeFence.ControlPlane -c Release -nologo -v quiet
dotnet build src/EdgeFence.DemoStripe -c Release -nologo -v quiet
[ -x "$origin_bin" ] || fail "$origin_bin was not built"
[ -x "$stripe_bin" ] || fail "$stripe_bin was not built"
[ -f "$controlplane_dll" ] || fail "$controlplane_dll was not built"

# :: Step 3: start the control plane and the edge; stop every process on exit, whatever the reason.
rm -rf "$work"
mkdir -p "$work/keys" "$work/data"

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
# Keys go through the environment, not the command line, where ps would show them.
admin_key=$(rand_hex 32)
edge_key=$(rand_hex 32)
(umask 077 && printf '%s\n' "$admin_key" >"$work/admin-key")

# Every child is stopped on exit; they shut down gracefully on SIGTERM (the edge takes a final
# checkpoint), forced after 15 s (scripts/lib.sh).
trap 'stop_children 15' EXIT
trap 'echo; echo "demo.sh: stopping"; exit 0' INT TERM

# Wait until $url answers 2xx; fail with the log's tail if the process exits or 30 s pass.
wait_ready() {
  local name=$1 url=$2 pid=$3 log=$4
  for _ in $(seq 300); do
    if curl -fsS -o /dev/null "$url" 2>/dev/null; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "demo.sh: the $name exited during start; end of $log:" >&2
      tail -n 40 "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "demo.sh: the $name is not ready at $url after 30 s; end of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
}

# A local Stripe API (src/EdgeFence.DemoStripe): the control plane's Stripe.net calls go there, nothing leaves the machine.
stripe_key="rk_test_demo$(rand_hex 16)"
say "Starting a local Stripe API ($stripe; no money moves)"
DEMOSTRIPE__APIKEY="$stripe_key" "$stripe_bin" --DemoStripe:Url="$stripe" >"$work/stripe.log" 2>&1 &
stripe_pid=$!
pids+=("$stripe_pid")
for _ in $(seq 300); do
  grep -q 'listening on' "$work/stripe.log" 2>/dev/null && break
  kill -0 "$stripe_pid" 2>/dev/null || { tail -n 20 "$work/stripe.log" >&2; fail "the local Stripe API exited during start"; }
  sleep 0.1
done

say "Starting the control plane ($cp, database and signing key in $work/)"
CONTROLPLANE__ADMINKEY="$admin_key" CONTROLPLANE__EDGEKEY="$edge_key" dotnet "$controlplane_dll" \
  --ControlPlane:Urls="$cp" \
  --ControlPlane:Stripe:ApiBase="$stripe" \
  --ControlPlane:Database="$work/controlplane.db" \
  --ControlPlane:SigningKey="$work/keys/snapshot-signing.pem" \
  --ControlPlane:Edges="$admin" \
  >"$work/controlplane.log" 2>&1 &
cp_pid=$!
pids+=("$cp_pid")
wait_ready "control plane" "$cp/healthz" "$cp_pid" "$work/controlplane.log"

say "Starting the edge ($public, admin $admin)"
# The edge pulls the latest snapshot from the control plane on start (an empty configuration, for now);
# every change made through the API below is pushed to it before the API answers.
EDGEFENCE__CONTROLPLANEKEY="$edge_key" "$edge_bin" \
  --EdgeFence:Urls="$public" \
  --EdgeFence:AdminUrls="$admin" \
  --EdgeFence:NodeId=demo \
  --EdgeFence:DataDir="$work/data" \
  --EdgeFence:SnapshotPublicKey="$work/keys/snapshot-signing.pub.pem" \
  --EdgeFence:ControlPlaneUrl="$cp" \
  >"$work/edge.log" 2>&1 &
edge_pid=$!
pids+=("$edge_pid")
wait_ready "edge" "$admin/readyz" "$edge_pid" "$work/edge.log"
grep -m1 'listening on' "$work/edge.log" || true

# :: Step 4: the demo configuration, through the control plane's API.
say "Creating the demo configuration through the API (POST $cp/v1/...)"
# api METHOD PATH [JSON]: prints the body; fails the demo on any status but 2xx.
api() {
  local method=$1 path=$2 data=${3:-} out="$work/api-response" status
  status=$(curl -sS -o "$out" -w '%{http_code}' -X "$method" "$cp$path" \
    -H "Authorization: Bearer $admin_key" -H "Content-Type: application/json" ${data:+-d "$data"}) || status=000
  if [ "${status:0:1}" != 2 ]; then
    echo "demo.sh: $method $path answered $status:" >&2
    cat "$out" >&2
    echo >&2
    exit 1
  fi
  cat "$out"
}
# field NAME: the first top-level string member NAME of the JSON on stdin (ids, tokens and secrets are
# plain base62/base64url, so no unescaping is needed).
field() { grep -o "\"$1\":\"[^\"]*\"" | head -n1 | sed 's/^"[^"]*":"\(.*\)"$/\1/'; }

site=$(api POST /v1/sites '{"name":"Demo API","slug":"demo","originUrl":"'"$origin"'","hosts":["demo.localhost"],"topUpUrl":"https://pay.example/top-up?customer={customer}"}')
site_id=$(field id <<<"$site")
hmac_secret=$(field hmacSecret <<<"$site")
origin_key=$(field originKey <<<"$site")
starter_plan=$(api POST "/v1/sites/$site_id/plans" \
  '{"name":"Starter","quota":{"units":100,"period":"month","mode":"hard"},"rateLimit":{"requests":5,"windowSeconds":10},"price":9}' | field id)
free_plan=$(api POST "/v1/sites/$site_id/plans" '{"name":"Free","quota":{"units":3,"period":"month","mode":"hard"}}' | field id)
api POST "/v1/sites/$site_id/resources" '{"pattern":"/api/*"}' >/dev/null
api POST "/v1/sites/$site_id/resources" '{"pattern":"/v1/chat/completions","methods":["POST"],"cost":2}' >/dev/null
# A priced resource ($0.0025 a call) and a prepaid plan: each call is debited from the customer's balance.
api POST "/v1/sites/$site_id/resources" '{"pattern":"/paid/*","price":0.0025,"currency":"USD"}' >/dev/null
prepaid_plan=$(api POST "/v1/sites/$site_id/plans" '{"name":"Pay as you go","billing":"prepaid","currency":"USD"}' | field id)
prepaid_token=$(api POST "/v1/sites/$site_id/tokens" '{"planId":"'"$prepaid_plan"'","customer":"dave"}' | field token)
# dave's balance: $0.005, two calls' worth (the deposit reaches the edge before the POST answers).
api POST /v1/customers/dave/deposits '{"siteId":"'"$site_id"'","amountMicros":5000,"currency":"USD","idempotencyKey":"demo-1"}' >/dev/null
# An OpenAI-compatible endpoint, charged by the tokens its answer's usage reports: $0.001 per 1K input tokens and
# $0.002 per 1K output tokens of model demo-mini. One app token (customer chat-app) serves many end users, each
# with their own balance: the balance of end user alice is customer chat-app:alice's.
api POST "/v1/sites/$site_id/resources" '{"pattern":"/ai/v1/chat/completions","methods":["POST"],"kind":"openai","currency":"USD","openAiPrices":[{"model":"demo-mini","inputPer1K":0.001,"outputPer1K":0.002}],"openAiDefaultMaxTokens":64}' >/dev/null
app_token=$(api POST "/v1/sites/$site_id/tokens" '{"planId":"'"$prepaid_plan"'","customer":"chat-app"}' | field token)
api POST /v1/customers/chat-app:alice/deposits '{"siteId":"'"$site_id"'","amountMicros":10000,"currency":"USD","idempotencyKey":"demo-ai-1"}' >/dev/null
# An MCP tool server at /mcp: tools/list is free, a call of its echo tool costs $0.001; agent-co has one call's worth.
api POST "/v1/sites/$site_id/resources" '{"pattern":"/mcp","kind":"mcp","cost":1}' >/dev/null
api POST "/v1/sites/$site_id/resources" '{"pattern":"/mcp","kind":"mcp","mcpTool":"echo","cost":1,"price":0.001,"currency":"USD"}' >/dev/null
agent_token=$(api POST "/v1/sites/$site_id/tokens" '{"planId":"'"$prepaid_plan"'","customer":"agent-co"}' | field token)
api POST /v1/customers/agent-co/deposits '{"siteId":"'"$site_id"'","amountMicros":1000,"currency":"USD","idempotencyKey":"demo-mcp-1"}' >/dev/null
starter_token=$(api POST "/v1/sites/$site_id/tokens" '{"planId":"'"$starter_plan"'","customer":"alice"}' | field token)
free_token=$(api POST "/v1/sites/$site_id/tokens" '{"planId":"'"$free_plan"'","customer":"bob"}' | field token)
revoked=$(api POST "/v1/sites/$site_id/tokens" '{"planId":"'"$starter_plan"'","customer":"carol"}')
revoked_token=$(field token <<<"$revoked")
api DELETE "/v1/tokens/$(field id <<<"$revoked")" >/dev/null
# The script's own 429 check uses up a free quota (3 a month); it gets its own token so the
# free token printed for you still has its 3 calls.
check_token=$(api POST "/v1/sites/$site_id/tokens" '{"planId":"'"$free_plan"'","customer":"demo-script"}' | field token)
# The script's middleware-mode check gets its own starter token, so the starter token's 5 requests
# per 10 s are left to the checks above it.
mm_check_token=$(api POST "/v1/sites/$site_id/tokens" '{"planId":"'"$starter_plan"'","customer":"demo-script"}' | field token)
for value in "$site_id" "$hmac_secret" "$origin_key" "$starter_token" "$free_token" "$revoked_token" "$check_token" "$mm_check_token" "$prepaid_token" "$app_token" "$agent_token"; do
  [ -n "$value" ] || fail "could not read the configuration back from the API (see $work/api-response)"
done
echo "site $site_id: plans Starter, Free and Pay as you go (prepaid), resources /api/*, POST /v1/chat/completions and /paid/* (\$0.0025 a call), 6 tokens (one revoked), dave's balance \$0.005"
echo "OpenAI-compatible POST /ai/v1/chat/completions (model demo-mini, \$0.001/\$0.002 per 1K tokens): app token of chat-app, end user alice's balance \$0.01"
echo "MCP tool server /mcp (tool echo \$0.001 a call): agent-co's token, balance \$0.001"

# Selling the Starter plan through (local) Stripe: a webhook endpoint created in Stripe for the site, the site
# connected with the key and the endpoint's signing secret (Starter's price becomes a Stripe Price), then a
# checkout for a new customer, erin. Paying on the checkout page (below) sends the webhook that provisions her.
stripe_secret=$(curl -sS -X POST -H "Authorization: Bearer $stripe_key" -d "url=$cp/v1/stripe/webhooks/$site_id" "$stripe/v1/webhook_endpoints" | field secret)
[ -n "$stripe_secret" ] || fail "the local Stripe API did not create the webhook endpoint (see $work/stripe.log)"
api PUT "/v1/sites/$site_id/stripe" '{"secretKey":"'"$stripe_key"'","webhookSecret":"'"$stripe_secret"'"}' >/dev/null
checkout=$(api POST "/v1/sites/$site_id/checkout" '{"planId":"'"$starter_plan"'","customer":{"email":"erin@example.com","id":"erin"},"successUrl":"'"$cp"'/healthz?session={CHECKOUT_SESSION_ID}","cancelUrl":"'"$cp"'/healthz"}')
checkout_url=$(field url <<<"$checkout")
claim_url=$(field claimUrl <<<"$checkout")
[ -n "$checkout_url" ] && [ -n "$claim_url" ] || fail "could not read the checkout back from the API (see $work/api-response)"
echo "Stripe (local): site connected, Starter sold through checkout $(field checkoutId <<<"$checkout")"

# :: Step 5: start the origin, which needs the site's HMAC secret to verify the edge's signatures.
say "Starting the demo origin ($origin, middleware mode $origin_mm)"
# Secrets go through the environment, not the command line, where ps would show them.
DEMOORIGIN__HMACSECRET="$hmac_secret" DEMOORIGIN__ORIGINKEY="$origin_key" "$origin_bin" \
  --urls="$origin" --DemoOrigin:EdgeUrl="$public" --DemoOrigin:MiddlewareUrls="$origin_mm" \
  >"$work/origin.log" 2>&1 &
origin_pid=$!
pids+=("$origin_pid")
wait_ready "demo origin" "$origin/healthz" "$origin_pid" "$work/origin.log"
wait_ready "demo origin (middleware mode)" "$origin_mm/healthz" "$origin_pid" "$work/origin.log"

# :: Step 5b: x402 pay-per-call. A local chain (anvil) with an EIP-3009 test token, the reference
# facilitator (@x402/core + @x402/evm) on it, the site's x402 terms and a resource paid per call with
# x402 through the API. The payer is a fresh account the chain script funds; it pays with @x402/fetch.
x402_url=$public/demo/x402/report
if [ "$x402" -eq 1 ]; then
  say "Starting a local chain (127.0.0.1:$anvil_port) and the reference x402 facilitator ($facilitator)"
  tests/x402/install.sh
  tests/x402/node_modules/.bin/anvil --host 127.0.0.1 --port "$anvil_port" --chain-id 31337 --silent >"$work/anvil.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    curl -s --max-time 1 -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' \
      "http://127.0.0.1:$anvil_port" >/dev/null && break
    sleep 0.1
  done
  timeout 60 node tests/x402/chain.mjs --rpc "http://127.0.0.1:$anvil_port" --out "$work/x402-state.json" >"$work/chain.log" 2>&1 ||
    { tail -n 20 "$work/chain.log" >&2; fail "could not prepare the local chain (see $work/chain.log)"; }
  node tests/x402/facilitator.mjs --state "$work/x402-state.json" --port 4021 >"$work/facilitator.log" 2>&1 &
  facilitator_pid=$!
  pids+=("$facilitator_pid")
  wait_ready "x402 facilitator" "$facilitator/supported" "$facilitator_pid" "$work/facilitator.log"
  terms=$(node -e '
    const s = require(process.argv[1]);
    console.log(JSON.stringify({ x402: { facilitatorUrl: process.argv[2], network: s.network, asset: s.token, payTo: s.payTo,
      assetName: s.tokenName, assetVersion: s.tokenVersion, assetDecimals: s.decimals, currency: "USD", maxTimeoutSeconds: 60 } }));' \
    "$PWD/$work/x402-state.json" "$facilitator")
  api PATCH "/v1/sites/$site_id" "$terms" >/dev/null
  # $0.01 a call, paid with x402 only: no token is needed, or looked at.
  api POST "/v1/sites/$site_id/resources" '{"pattern":"/x402/*","price":0.01,"currency":"USD","payment":"x402"}' >/dev/null
  echo "x402: /x402/* costs \$0.01 a call (10000 units of the 6-decimal test token on eip155:31337), paid to $(node -p "require(process.argv[1]).payTo" "$PWD/$work/x402-state.json")"
fi

# :: Step 6: show the calls.
say "Try it (tokens are fresh on every run)"
cat <<EOF
# Allowed (starter plan: 100 units a month, 5 requests per 10 s; watch the RateLimit headers):
curl -i -H "Authorization: Bearer $starter_token" $public/demo/api/hello

# The same site by Host instead of the /demo slug, with the token in X-Api-Key:
curl -i -H "Host: demo.localhost" -H "X-Api-Key: $starter_token" $public/api/hello

# A resource that costs 2 units and only accepts POST:
curl -i -X POST -H "Authorization: Bearer $starter_token" -H "Content-Type: application/json" -d '{"model":"demo"}' $public/demo/v1/chat/completions

# A metered chat completion for end user alice of the chat-app token: charged the usage the answer reports.
curl -s -H "Authorization: Bearer $app_token" -H "X-EdgeFence-User: alice" -H "Content-Type: application/json" \
  -d '{"model":"demo-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":32}' $public/demo/ai/v1/chat/completions

# A paid MCP tool call (\$0.001, from agent-co's balance); tools/list is free:
curl -s -H "Authorization: Bearer $agent_token" -H "Content-Type: application/json" -H "Accept: application/json, text/event-stream" \
  -d '{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}},"id":1}' $public/demo/mcp

# Unprotected (/public/* is not a resource, so no token is needed):
curl -i $public/demo/public/hello

# 401, no token:
curl -i $public/demo/api/hello

# 403, revoked token:
curl -i -H "Authorization: Bearer $revoked_token" $public/demo/api/hello

# 429, the free plan has 3 units a month: the 4th call is refused:
for i in 1 2 3 4; do curl -s -o /dev/null -w '%{http_code}\\n' -H "X-Api-Key: $free_token" $public/demo/api/hello; done

# Prepaid: dave's balance (\$0.005) pays two calls of /paid/* at \$0.0025 (X-EdgeFence-Charged reaches the origin);
# the third is 402 insufficient-balance with the top-up link (Link: <...>; rel="payment"):
for i in 1 2 3; do curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $prepaid_token" $public/demo/paid/report; done
# A deposit (once per idempotency key), then the balance, then the next call goes through:
curl -s -X POST -H "Authorization: Bearer \$(cat $work/admin-key)" -H "Content-Type: application/json" -d '{"siteId":"$site_id","amountMicros":2500,"currency":"USD","idempotencyKey":"top-up-1"}' $cp/v1/customers/dave/deposits
curl -s -H "Authorization: Bearer \$(cat $work/admin-key)" "$cp/v1/customers/dave/balance?siteId=$site_id"
curl -i -H "Authorization: Bearer $prepaid_token" $public/demo/paid/report

EOF
if [ "$x402" -eq 1 ]; then
  cat <<EOF
# x402: a call without payment is 402, the offer (price, asset, network, pay-to) base64 in PAYMENT-REQUIRED:
curl -i $x402_url
# The reference client (@x402/fetch) pays the offer from the payer's account and retries; the receipt
# (the settlement transaction) comes back in PAYMENT-RESPONSE, and the chain balances move by \$0.01:
node tests/x402/client.mjs --state $work/x402-state.json --url $x402_url --calls 1

EOF
fi
cat <<EOF
# Stripe (local): the customer pays on the checkout page (Stripe then sends checkout.session.completed to the
# control plane, which provisions the token), then claims the token once, and uses it:
curl -i -X POST $checkout_url
curl -s -X POST "$claim_url"
curl -i -H "Authorization: Bearer <the claimed token>" $public/demo/api/hello

# Middleware mode: the origin asks the edge (with the site's origin key) and gets the decision as JSON:
curl -s -X POST -H "Authorization: Bearer $origin_key" -H "Content-Type: application/json" -d '{"token":"$starter_token","method":"GET","path":"/api/hello","host":"demo.localhost"}' $public/v1/authorize

# The origin refuses what did not come through the edge (401, invalid-signature):
curl -i $origin/api/hello

# Middleware mode: the same origin on $origin_mm asks the edge about each request itself (SDK's UseEdgeFenceAuthorize):
curl -i -H "Authorization: Bearer $starter_token" $origin_mm/api/hello
curl -i $origin_mm/api/hello

# Admin listener: readiness and the snapshot being served:
curl -s $admin/readyz
curl -s $admin/v1/snapshot

# Control plane (its admin key is in $work/admin-key): each edge's applied snapshot version, and the site's tokens
# (README "Control plane" has the whole API; a DELETE /v1/tokens/<id> returns once the edge refuses that token):
curl -s -H "Authorization: Bearer \$(cat $work/admin-key)" $cp/v1/edges
curl -s -H "Authorization: Bearer \$(cat $work/admin-key)" $cp/v1/sites/$site_id/tokens

# Dashboard: open $cp/dashboard in a browser and log in with the admin key ($work/admin-key).
# A customer's portal link (signed, 24 h): POST /v1/customers/<customer>/portal?siteId=$site_id
EOF
say "Dashboard: $cp/dashboard (login: the admin key, in $work/admin-key)"

# :: Step 7: run them once and compare with what they should give.
say "Running them once"
failed=0
checks=0
body="$work/last-response"

# check <label> <expected status> <extended regex the body must match, or ''> <curl arguments...>
check() {
  local label=$1 want=$2 want_text=$3 status verdict=ok
  shift 3
  status=$(curl -sS -o "$body" -w '%{http_code}' "$@" 2>/dev/null) || status=000
  checks=$((checks + 1))
  if [ "$status" != "$want" ]; then
    verdict="FAILED: expected $want"
  elif [ -n "$want_text" ] && ! grep -qE -- "$want_text" "$body"; then
    verdict="FAILED: body lacks $want_text"
  fi
  if [ "$verdict" != ok ]; then
    failed=$((failed + 1))
  fi
  printf '  %-44s %s  %s\n' "$label" "$status" "$verdict"
  if [ "$verdict" != ok ]; then
    sed 's/^/      /' "$body" | head -c 2000
    echo
  fi
}

# The demo origin verifies the edge's signature itself and reports it: "signatureValid":true.
signed='"signatureValid":[[:space:]]*true'
check "allowed (starter token)" 200 "$signed" \
  -H "Authorization: Bearer $starter_token" "$public/demo/api/hello"
check "allowed (Host + X-Api-Key)" 200 "$signed" \
  -H "Host: demo.localhost" -H "X-Api-Key: $starter_token" "$public/api/hello"
check "allowed (POST chat, 2 units)" 200 "$signed" \
  -X POST -H "Authorization: Bearer $starter_token" -H "Content-Type: application/json" -d '{"model":"demo"}' "$public/demo/v1/chat/completions"
check "unprotected (no token)" 200 "$signed" \
  "$public/demo/public/hello"
check "no token" 401 '' \
  "$public/demo/api/hello"
check "revoked token" 403 '' \
  -H "Authorization: Bearer $revoked_token" "$public/demo/api/hello"

statuses=()
for _ in 1 2 3 4; do
  statuses+=("$(curl -s -o /dev/null -w '%{http_code}' -H "X-Api-Key: $check_token" "$public/demo/api/hello" 2>/dev/null || echo 000)")
done
checks=$((checks + 1))
if [ "${statuses[*]}" = "200 200 200 429" ]; then
  printf '  %-44s %s  ok\n' "free token, 4 calls" "${statuses[*]}"
else
  failed=$((failed + 1))
  printf '  %-44s %s  FAILED: expected 200 200 200 429\n' "free token, 4 calls" "${statuses[*]}"
fi

check "prepaid: 1st call (\$0.0025)" 200 "$signed" \
  -H "Authorization: Bearer $prepaid_token" "$public/demo/paid/report"
check "prepaid: 2nd call" 200 "$signed" \
  -H "Authorization: Bearer $prepaid_token" "$public/demo/paid/report"
check "prepaid: 3rd call, balance empty" 402 'insufficient-balance.*top-up\?customer=dave' \
  -H "Authorization: Bearer $prepaid_token" "$public/demo/paid/report"
check "prepaid: a deposit of \$0.0025" 201 '"creditedMicros":[[:space:]]*7500' \
  -X POST -H "Authorization: Bearer $admin_key" -H "Content-Type: application/json" \
  -d "{\"siteId\":\"$site_id\",\"amountMicros\":2500,\"currency\":\"USD\",\"idempotencyKey\":\"demo-script-top-up\"}" "$cp/v1/customers/dave/deposits"
check "prepaid: the next call" 200 "$signed" \
  -H "Authorization: Bearer $prepaid_token" "$public/demo/paid/report"

chat='{"model":"demo-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":32}'
check "openai: chat completion, end user alice" 200 '"usage":[[:space:]]*\{"prompt_tokens":12' \
  -X POST -H "Authorization: Bearer $app_token" -H "X-EdgeFence-User: alice" -H "Content-Type: application/json" -d "$chat" \
  "$public/demo/ai/v1/chat/completions"
check "openai: the same, streamed" 200 'data: \[DONE\]' \
  -X POST -H "Authorization: Bearer $app_token" -H "X-EdgeFence-User: alice" -H "Content-Type: application/json" \
  -d '{"model":"demo-mini","messages":[{"role":"user","content":"Say hello"}],"max_tokens":32,"stream":true,"stream_options":{"include_usage":true}}' \
  "$public/demo/ai/v1/chat/completions"
# Each call is settled when its answer ends: 12 prompt tokens (12 micros) + 8 completion tokens (16 micros) = 28.
# A call reserving more than any balance shows alice's balance in its 402: $0.01 - 2 x 28 micros = 9944.
probe='{"model":"demo-mini","messages":[],"max_tokens":100000000}'
for _ in $(seq 50); do
  curl -s -H "Authorization: Bearer $app_token" -H "X-EdgeFence-User: alice" -H "Content-Type: application/json" -d "$probe" \
    "$public/demo/ai/v1/chat/completions" | grep -q '"balance_micros":9944' && break
  sleep 0.1
done
check "openai: alice charged her usage (2 x 28)" 402 '"balance_micros":9944' \
  -X POST -H "Authorization: Bearer $app_token" -H "X-EdgeFence-User: alice" -H "Content-Type: application/json" -d "$probe" \
  "$public/demo/ai/v1/chat/completions"
check "openai: end user bob, no balance" 402 '"type":"insufficient_balance".*customer=chat-app%3Abob' \
  -X POST -H "Authorization: Bearer $app_token" -H "X-EdgeFence-User: bob" -H "Content-Type: application/json" -d "$chat" \
  "$public/demo/ai/v1/chat/completions"
mcp_call='{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}},"id":2}'
check "mcp: tools/list (free)" 200 '"name":"echo"' \
  -X POST -H "Authorization: Bearer $agent_token" -H "Content-Type: application/json" -H "Accept: application/json, text/event-stream" \
  -d '{"jsonrpc":"2.0","method":"tools/list","id":1}' "$public/demo/mcp"
check "mcp: paid tool call (\$0.001)" 200 '"text":"hi"' \
  -X POST -H "Authorization: Bearer $agent_token" -H "Content-Type: application/json" -H "Accept: application/json, text/event-stream" \
  -d "$mcp_call" "$public/demo/mcp"
check "mcp: the next call, balance empty" 200 '"code":-32002.*customer=agent-co' \
  -X POST -H "Authorization: Bearer $agent_token" -H "Content-Type: application/json" -H "Accept: application/json, text/event-stream" \
  -d "$mcp_call" "$public/demo/mcp"

if [ "$x402" -eq 1 ]; then
  check "x402: a call without payment" 402 'payment-required' "$x402_url"
  # The reference client pays once: 402, a signed payment, then 200 with the settlement receipt.
  checks=$((checks + 1))
  paid=$(timeout 120 node tests/x402/client.mjs --state "$work/x402-state.json" --url "$x402_url" --calls 1 2>"$work/x402-client.log") || paid=''
  verdict=$(node -e '
    const r = JSON.parse(process.argv[1] || "{}");
    const call = (r.results || [])[0] || {};
    const moved = r.before && r.after ? BigInt(r.before.payer) - BigInt(r.after.payer) : -1n;
    const ok = call.status === 200 && call.paymentResponse && call.paymentResponse.success && moved === 10000n && /"signatureValid":\s*true/.test(call.body || "");
    console.log(ok ? `200  ok (paid 10000 units, transaction ${call.paymentResponse.transaction.slice(0, 18)}...)`
                   : `${call.status ?? "000"}  FAILED: ${JSON.stringify(call).slice(0, 600)}`);' "$paid" 2>&1) || verdict="000  FAILED: $verdict"
  printf '  %-44s %s\n' "x402: one call paid by @x402/fetch" "$verdict"
  case "$verdict" in "200  ok"*) ;; *) failed=$((failed + 1)) ;; esac
fi

check "stripe: pay on the checkout page" 303 '' -X POST "$checkout_url"
check "stripe: claim the token, once" 200 '"token":"ef_' -X POST "$claim_url"
claimed_token=$(field token <"$body")
check "stripe: the claimed token at the edge" 200 "$signed" \
  -H "Authorization: Bearer $claimed_token" "$public/demo/api/hello"
check "stripe: the claim a second time" 410 'claim-used' -X POST "$claim_url"

check "authorize (middleware mode)" 200 '"allow":[[:space:]]*true' \
  -X POST -H "Authorization: Bearer $origin_key" -H "Content-Type: application/json" \
  -d "{\"token\":\"$starter_token\",\"method\":\"GET\",\"path\":\"/api/hello\",\"host\":\"demo.localhost\"}" "$public/v1/authorize"

check "control plane: the edge has the latest" 200 '"consecutiveFailures":0' \
  -H "Authorization: Bearer $admin_key" "$cp/v1/edges"

check "straight to the origin (unsigned)" 401 'invalid-signature' \
  "$origin/api/hello"
check "middleware mode, allowed" 200 '"mode":[[:space:]]*"middleware".*"customer":[[:space:]]*"demo-script"' \
  -H "Authorization: Bearer $mm_check_token" "$origin_mm/api/hello"
check "middleware mode, no token" 401 'missing-token' \
  "$origin_mm/api/hello"

if [ "$failed" -gt 0 ]; then
  echo
  echo "demo.sh: $failed of $checks checks failed. End of $work/controlplane.log:" >&2
  tail -n 20 "$work/controlplane.log" >&2
  echo "End of $work/edge.log:" >&2
  tail -n 30 "$work/edge.log" >&2
  echo "End of $work/origin.log:" >&2
  tail -n 10 "$work/origin.log" >&2
else
  echo
  echo "All $checks checks gave the expected status."
fi

if [ "$smoke" -eq 1 ]; then
  [ "$failed" -eq 0 ] || exit 1
  echo "demo.sh --smoke: passed"
  exit 0
fi

# :: Step 8: keep serving until Ctrl-C (or until a process dies).
say "Running. Logs: $work/controlplane.log, $work/edge.log, $work/origin.log. Ctrl-C stops them all."
# Trapped signals interrupt wait at once; wait -n returns on its own only when a process exits.
wait -n "${pids[@]}" || true
fail "a process exited on its own; see $work/controlplane.log, $work/edge.log and $work/origin.log"
