-- Status counting shared by the wrk scripts count-statuses.lua and side-by-side.lua, which load it
-- with dofile("loadtests/statuses.lua"): wrk runs from the repository root in accuracy.sh and run.sh.
-- Each thread counts responses by status in its own Lua state (init() must set statuses = {});
-- setup() and done() run in the main state, so the counts are read back through the thread objects.

threads = {}

function setup(thread)
  thread:set("thread_index", #threads)
  table.insert(threads, thread)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

-- Status -> count over all threads, and how many responses were counted.
function status_totals()
  local totals, counted = {}, 0
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + n
      counted = counted + n
    end
  end
  return totals, counted
end
