#!/usr/bin/env bash
# Runs the BenchmarkDotNet suites and writes their tables to bench/results/.
#   bench/run.sh                        every suite, JIT (the default job)
#   bench/run.sh '*Decision*'           the suites whose names match
#   bench/run.sh --aot '*Decision*'     the same on the NativeAOT toolchain (BenchmarkDotNet publishes
#                                       each suite natively first: a few minutes per suite)
#   bench/run.sh --short '*Decision*'   BenchmarkDotNet's short job (3 iterations): quicker, wider error
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
args=()
filter='*'
while [ $# -gt 0 ]; do
  case "$1" in
    --aot) args+=(--native-aot) ;;
    --short) args+=(--short) ;;
    -h | --help)
      sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "bench/run.sh: unknown option '$1' (options: --aot, --short, a filter)" >&2
      exit 2
      ;;
    *) filter=$1 ;;
  esac
  shift
done
dotnet run -c Release --project bench/EdgeFence.Benchmarks -- "${args[@]}" --filter "$filter" --exporters github --artifacts bench/results
echo "results: bench/results/results/*.md"
