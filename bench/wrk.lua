-- One page under load: the method and body come from the environment (BENCH_METHOD,
-- BENCH_BODY, for the check-in POST); at the end one JSON line with the results
-- (bench/summary.lua).
local method = os.getenv("BENCH_METHOD") or "GET"
if method == "POST" then
  wrk.method = "POST"
  wrk.body = os.getenv("BENCH_BODY")
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

dofile("bench/summary.lua")
