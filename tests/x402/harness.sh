# Sourced by reference.sh and e2e.sh: picks free loopback ports, starts anvil, prepares the chain
# and starts the reference facilitator. Every child is killed on exit.
work=$(mktemp -d "${TMPDIR:-/tmp}/edgefence-x402.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "${KEEP_WORK:-0}" = 1 ]; then echo "work dir kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits up to 30 s for a URL to answer (any status).
wait_http() {
  local i
  for i in $(seq 1 300); do
    if curl -s -o /dev/null --max-time 1 "$1"; then return 0; fi
    sleep 0.1
  done
  echo "!! $1 did not answer within 30 s" >&2; return 1
}

harness_start() {
  anvil_port=$(free_port); fac_port=$(free_port); ref_port=$(free_port)
  node_modules/.bin/anvil --host 127.0.0.1 --port "$anvil_port" --chain-id 31337 --silent >"$work/anvil.log" 2>&1 &
  pids+=($!)
  local i
  for i in $(seq 1 100); do
    curl -s --max-time 1 -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' "http://127.0.0.1:$anvil_port" >/dev/null && break
    sleep 0.1
  done
  timeout 60 node chain.mjs --rpc "http://127.0.0.1:$anvil_port" --out "$work/state.json" >&2
  node facilitator.mjs --state "$work/state.json" --port "$fac_port" 2>"$work/facilitator.log" &
  pids+=($!)
  wait_http "http://127.0.0.1:$fac_port/supported"
}
