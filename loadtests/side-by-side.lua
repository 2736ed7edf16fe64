-- wrk script for loadtests/run.sh: one scenario of the side-by-side comparison, chosen by environment
-- variables (kept off the command line, so tokens and keys never show in ps):
--
--   BENCH_SCENARIO   the scenario's name, echoed in the result line
--   BENCH_KIND       get        GET $BENCH_PATH
--                    token      GET $BENCH_PATH with "Authorization: Bearer <token>", the next token of
--                               $BENCH_TOKENS (one per line) on every request
--                    authorize  POST $BENCH_PATH, "Authorization: Bearer <contents of $BENCH_KEY_FILE>",
--                               body {"token":<next token>,"method":"GET","path":"/paid/x","host":$BENCH_HOST}
--                    mcp        POST $BENCH_PATH, an MCP tools/call of the tool "echo" with the 2026-07-28
--                               headers (MCP-Protocol-Version, Mcp-Method, Mcp-Name), the next token per request
--   BENCH_PATH       the request path
--   BENCH_HOST       the Host header (optional; default: the URL's)
--   BENCH_TOKENS     file of tokens, one per line (token and authorize)
--   BENCH_KEY_FILE   file holding the origin key (authorize)
--
-- Every request is built once in init() and request() only returns the next one, so the client does the
-- same (small) work per request in every scenario, rotating or not. Responses are counted by status in
-- each thread; done() prints one line "bench-result {json}" with the totals over all threads, the
-- socket errors and the latency percentiles (microseconds), for run.sh to check and aggregate.

dofile("loadtests/statuses.lua")

local function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then
      table.insert(lines, line)
    end
  end
  assert(#lines > 0, path .. " is empty")
  return lines
end

local function read_first_line(path)
  local file = assert(io.open(path, "r"))
  local line = assert(file:read("*l"), path .. " is empty")
  file:close()
  return line
end

function init(args)
  statuses = {}
  requests = {}
  next_request = 1

  local kind = assert(os.getenv("BENCH_KIND"), "BENCH_KIND is not set")
  local path = assert(os.getenv("BENCH_PATH"), "BENCH_PATH is not set")
  local host = os.getenv("BENCH_HOST")
  local headers = {}
  if host and host ~= "" then
    headers["Host"] = host
  end

  if kind == "get" then
    requests[1] = wrk.format("GET", path, headers)
  elseif kind == "token" or kind == "authorize" or kind == "mcp" then
    local tokens = read_lines(assert(os.getenv("BENCH_TOKENS"), "BENCH_TOKENS is not set"))
    local key
    if kind == "authorize" then
      key = read_first_line(assert(os.getenv("BENCH_KEY_FILE"), "BENCH_KEY_FILE is not set"))
    end
    for i, token in ipairs(tokens) do
      local h = {}
      for k, v in pairs(headers) do
        h[k] = v
      end
      if kind == "token" then
        h["Authorization"] = "Bearer " .. token
        requests[i] = wrk.format("GET", path, h)
      elseif kind == "mcp" then
        h["Authorization"] = "Bearer " .. token
        h["Content-Type"] = "application/json"
        h["Accept"] = "application/json, text/event-stream"
        h["MCP-Protocol-Version"] = "2026-07-28"
        h["Mcp-Method"] = "tools/call"
        h["Mcp-Name"] = "echo"
        local body = string.format('{"jsonrpc":"2.0","method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}},"id":%d}', i)
        requests[i] = wrk.format("POST", path, h, body)
      else
        h["Authorization"] = "Bearer " .. key
        h["Content-Type"] = "application/json"
        local body = string.format('{"token":"%s","method":"GET","path":"/paid/x","host":"%s"}', token, host or "")
        requests[i] = wrk.format("POST", path, h, body)
      end
    end
    -- Threads start at different tokens, so they do not walk the same ones in step.
    next_request = (thread_index * 7919) % #requests + 1
  else
    error("BENCH_KIND must be get, token, authorize or mcp, got " .. kind)
  end
end

function request()
  local r = requests[next_request]
  next_request = next_request + 1
  if next_request > #requests then
    next_request = 1
  end
  return r
end

function done(summary, latency, _)
  local totals, counted = status_totals()

  local parts = {}
  for status, n in pairs(totals) do
    table.insert(parts, string.format('"%d":%d', status, n))
  end

  local e = summary.errors
  io.write(string.format(
    'bench-result {"scenario":"%s","requests":%d,"counted":%d,"duration_us":%d,"rps":%.2f,' ..
    '"p50_us":%d,"p90_us":%d,"p99_us":%d,"p999_us":%d,"max_us":%d,"mean_us":%.2f,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"statuses":{%s}}\n',
    os.getenv("BENCH_SCENARIO") or "?", summary.requests, counted, summary.duration,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, table.concat(parts, ",")))
end
