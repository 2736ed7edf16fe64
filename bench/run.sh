#!/usr/bin/env bash
# Runs the BenchmarkDotNet suites (JIT) and writes their tables to bench/results/.
#   bench/run.sh                 every suite
#   bench/run.sh '*Decision*'    the suites whose names match
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
filter="${1:-*}"
dotnet run -c Release --project bench/EdgeFence.Benchmarks -- --filter "$filter" --exporters github --artifacts bench/results
echo "results: bench/results/results/*.md"
