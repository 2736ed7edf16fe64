#!/usr/bin/env bash
# Every test suite, then the AOT publish and the end-to-end smoke tests against the native binary,
# then the demo in smoke mode, a short quota-accuracy load test (loadtests/accuracy.sh) and a smoke
# run of the side-by-side load harness (loadtests/run.sh --smoke).
# Installs what it needs. Ends with one line: "tests: N passed, M failed".
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

scripts/ensure-packages.sh clang zlib1g-dev curl redis-server redis-tools chromium chromium-driver

results="artifacts/test-results"
rm -rf "$results"; mkdir -p "$results"
passed=0; failed=0
failures=()   # the name of every failed test, repeated above the last line so CI's tail shows it

# A step that is not a test runner (build, publish, demo) counts as one test.
step() {
  local name="$1"; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); else echo "!! $name failed"; failed=$((failed + 1)); failures+=("$name"); return 1; fi
}

# Sums the counters of one xunit run from its trx file.
run_tests() {
  local project="$1"; shift
  local name; name=$(basename "$project")
  echo "== $name"
  env "$@" dotnet test "$project" -c Release --no-build --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" --results-directory "$results" 2>&1 | tail -n 30
  local trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then echo "!! $name produced no results"; failed=$((failed + 1)); return; fi
  local counters p f
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  local total executed
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
  executed=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0} + ${total:-0} - ${executed:-0}))
  local test
  while IFS= read -r test; do failures+=("$name: $test"); done < <(grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | sed -n 's/.* testName="\([^"]*\)".*/\1/p')
  [ "${total:-0}" -gt 0 ] || { echo "!! $name ran no test"; failed=$((failed + 1)); }
}

if step "build (warnings are errors)" dotnet build EdgeFence.sln -c Release -v q -nologo; then
  run_tests tests/EdgeFence.Core.Tests
  run_tests tests/EdgeFence.Edge.Tests
  run_tests tests/EdgeFence.AspNetCore.Tests
  run_tests tests/EdgeFence.ControlPlane.Tests
  step "pack the origin SDK (artifacts/packages)" dotnet pack src/EdgeFence.AspNetCore -c Release --no-build -nologo -v q -o artifacts/packages
fi

if step "native AOT publish" scripts/publish-aot.sh; then
  run_tests tests/EdgeFence.AotSmoke.Tests "EDGEFENCE_BINARY=$PWD/artifacts/edge/edgefence-edge"
  # The same smoke suite with the YARP engine (EdgeFence:Upstream=yarp; the default is pipelines).
  run_tests tests/EdgeFence.AotSmoke.Tests "EDGEFENCE_BINARY=$PWD/artifacts/edge/edgefence-edge" "EDGEFENCE__UPSTREAM=yarp"
  step "demo smoke (scripts/demo.sh --smoke)" scripts/demo.sh --smoke --no-build
  # x402 pay-per-call against the reference implementation (issue #11): a local chain, the reference
  # facilitator and @x402/fetch paying through the native edge; installs its pinned npm packages.
  step "x402 end to end (tests/x402/e2e.sh)" tests/x402/e2e.sh --no-build
  # A short accuracy run: 3 native edges, one hard quota, saturating load. The quota is lowered
  # from 20000 so it runs out early in the 5 s (admissions go through the origin, ~5000/s here).
  step "quota accuracy under load (loadtests/accuracy.sh)" loadtests/accuracy.sh --duration 5 --quota 5000 --no-build
  # The same with one prepaid balance instead of one hard quota: no over-spend while Redis answers, nothing lost.
  step "balance accuracy under load (loadtests/accuracy.sh --balance)" loadtests/accuracy.sh --balance --duration 5 --quota 5000 --no-build
  # Analytics on (decision rollups to a real control plane): at most 0.01 Redis commands per request, rollups = decisions.
  step "analytics under load (loadtests/analytics.sh --aot)" loadtests/analytics.sh --aot --no-build --duration 5
  # One minute of soak at 80% of the measured capacity, a snapshot push every 30 s and a Redis restart
  # halfway: flat RSS (within 10%), no 5xx, nothing lost (the ledger equals the edge's allowed count).
  step "soak, 1 minute (loadtests/soak.sh --minutes 1)" loadtests/soak.sh --minutes 1 --no-build
  # The side-by-side harness of issue #5, 1 round of 1 s per scenario: proves it runs and that every
  # scenario answers as expected (it publishes the YARP baseline first). No timing is asserted.
  step "side-by-side load harness (loadtests/run.sh --smoke)" loadtests/run.sh --smoke --no-build
  step "HTTP/2 side by side (loadtests/h2.sh, 1 round of 1 s)" loadtests/h2.sh --no-build --rounds 1 --duration 1
fi

echo
for failure in "${failures[@]}"; do echo "failed: $failure"; done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
