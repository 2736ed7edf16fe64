#!/usr/bin/env bash
# Proves the harness against the reference resource server (@x402/express): anvil, the token,
# the reference facilitator, the reference server and @x402/fetch paying 3 calls. Not part of
# scripts/test.sh (the edge run, e2e.sh, is); run it when the harness changes.
set -euo pipefail
cd "$(dirname "$0")"
./install.sh
source ./harness.sh
harness_start
node reference-server.mjs --state "$work/state.json" --port "$ref_port" --facilitator "http://127.0.0.1:$fac_port" --amount 10000 2>"$work/reference.log" &
pids+=($!)
wait_http "http://127.0.0.1:$ref_port/handled"
timeout 120 node client.mjs --state "$work/state.json" --url "http://127.0.0.1:$ref_port/paid" --calls 3 | tee "$work/client.json"
