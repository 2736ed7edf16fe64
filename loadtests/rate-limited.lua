-- wrk script for loadtests/soak.sh: count-statuses.lua (token from $ACCURACY_TOKEN, responses counted
-- by status) plus a fixed pause of $SOAK_DELAY_MS milliseconds before each request on a connection.
-- wrk2 is not installed; with C connections, a pause of D ms and a latency of L ms the rate is
-- C * 1000 / (D + L) requests/s, so it never exceeds C * 1000 / D (soak.sh picks C and D for that bound).

dofile("loadtests/count-statuses.lua")

local pause = assert(tonumber(os.getenv("SOAK_DELAY_MS")), "SOAK_DELAY_MS is not set")

function delay()
  return pause
end
