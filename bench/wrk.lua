-- One page under load: the method and body come from the environment (BENCH_METHOD,
-- BENCH_BODY, for the check-in POST); at the end one JSON line with the results.
local method = os.getenv("BENCH_METHOD") or "GET"
if method == "POST" then
  wrk.method = "POST"
  wrk.body = os.getenv("BENCH_BODY")
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "errors": %d, "timeouts": %d, "status_errors": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout, e.timeout, e.status))
end
