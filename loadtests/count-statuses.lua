-- wrk script for loadtests/accuracy.sh: sends the token from $ACCURACY_TOKEN (kept off the command
-- line) as "Authorization: Bearer", counts responses by status in each thread, and prints the totals
-- over all threads when the run is done, one "key value" per line for the shell to read.

wrk.headers["Authorization"] = "Bearer " .. assert(os.getenv("ACCURACY_TOKEN"), "ACCURACY_TOKEN is not set")

dofile("loadtests/statuses.lua")

function init(args)
  statuses = {}
end

function done(summary, latency, requests)
  local totals, counted = status_totals()

  for status, n in pairs(totals) do
    io.write(string.format("status %d %d\n", status, n))
  end

  local errors = summary.errors
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("counted %d\n", counted))
  io.write(string.format("socket-errors %d\n", errors.connect + errors.read + errors.write + errors.timeout))
  io.write(string.format("duration-us %d\n", summary.duration))
end
