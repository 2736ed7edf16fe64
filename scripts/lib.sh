# shellcheck shell=bash
# Shared by scripts/demo.sh, loadtests/accuracy.sh and loadtests/run.sh: child processes that are
# always stopped, and waiting for one to start. Source it, then:
#   pids+=($!)                          after starting each child in the background
#   trap stop_children EXIT             every child is stopped however the script ends
#   stop_children [SECONDS]             SIGTERM to each child, SIGKILL after SECONDS (default 10)
#   wait_for_line NAME PID LOG REGEX    prints the first match of REGEX in LOG; exits the script
#                                       with LOG's tail if PID exits or 30 s pass
#   rand_hex N                          N random bytes as hex (keys, tokens, secrets)
#   publish_baseline                    publishes loadtests/baselines' AOT binary to artifacts/baseline,
#                                       failing on any warning (loadtests/run.sh and h2.sh)

lib_script=$(basename "$0")
pids=()

# shellcheck disable=SC2317 # invoked by the EXIT trap
stop_children() {
  local pid tenths=$((${1:-10} * 10))
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq "$tenths"); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}

wait_for_line() {
  local name=$1 pid=$2 log=$3 regex=$4 line
  for _ in $(seq 300); do
    if line=$(grep -m1 -oE "$regex" "$log" 2>/dev/null); then
      echo "$line"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { echo "$lib_script: the $name exited during start; end of $log:" >&2; tail -n 30 "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$lib_script: the $name did not start within 30 s; end of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
}

rand_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# Same checks as scripts/publish-aot.sh: the baseline is built with the same aot.props and must be
# warning-free too (YARP and Kestrel are trim- and AOT-clean; nothing is allowed here).
publish_baseline() {
  local log=artifacts/publish-baseline.log warnings
  mkdir -p artifacts
  echo "$lib_script: dotnet publish loadtests/baselines/EdgeFence.LoadBaseline -c Release -r linux-x64 -o artifacts/baseline (log: $log)"
  rm -rf artifacts/baseline
  dotnet publish loadtests/baselines/EdgeFence.LoadBaseline -c Release -r linux-x64 -o artifacts/baseline -nologo -tl:off >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; echo "$lib_script: publishing the baseline failed (log: $log)" >&2; exit 1; }
  warnings=$(grep -i 'warning' "$log" | grep -Ev '^[[:space:]]*[0-9]+ Warning\(s\)[[:space:]]*$' | sort -u || true)
  [ -z "$warnings" ] || { echo "$warnings" >&2; echo "$lib_script: publishing the baseline printed warnings (log: $log)" >&2; exit 1; }
  [ -x artifacts/baseline/edgefence-load-baseline ] || { echo "$lib_script: artifacts/baseline/edgefence-load-baseline was not produced (log: $log)" >&2; exit 1; }
}
