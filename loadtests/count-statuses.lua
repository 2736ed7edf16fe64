-- wrk script for loadtests/accuracy.sh: sends the token from $ACCURACY_TOKEN (kept off the command
-- line) as "Authorization: Bearer", counts responses by status in each thread, and prints the totals
-- over all threads when the run is done, one "key value" per line for the shell to read.

wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("ACCURACY_TOKEN"), "ACCURACY_TOKEN is not set")

-- setup() and done() run in the same (main) Lua state; each thread has its own state, so the
-- per-thread counts are collected through the thread objects kept here.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals, counted = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + n
      counted = counted + n
    end
  end

  for status, n in pairs(totals) do
    io.write(string.format("status %d %d\n", status, n))
  end

  local errors = summary.errors
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("counted %d\n", counted))
  io.write(string.format("socket-errors %d\n", errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("duration-us %d\n", summary.duration))
end
