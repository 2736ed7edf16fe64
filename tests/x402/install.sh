#!/usr/bin/env bash
# Installs the pinned harness packages (npm ci from package-lock.json) into tests/x402/node_modules,
# once per lock file, then compiles the test contracts offline with solc-js.
set -euo pipefail
cd "$(dirname "$0")"
# Node from Debian (or NodeSource, whose nodejs package ships npm); Debian ships npm apart.
../../scripts/ensure-packages.sh nodejs curl python3
command -v npm >/dev/null 2>&1 || ../../scripts/ensure-packages.sh npm
stamp=node_modules/.lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
if [ ! -f .build/contracts.json ] || [ -n "$(find contracts compile.mjs -newer .build/contracts.json)" ]; then
  node compile.mjs
fi
