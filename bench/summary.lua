-- wrk's done() for bench/wrk.lua and bench/journey.lua: one JSON line with the results, which
-- bench/run.sh keeps and bench/report.py reads. Loaded with dofile, relative to the
-- repository root (run.sh runs wrk from there).
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "p50": %.2f, "p95": %.2f, "p99": %.2f, "errors": %d, "timeouts": %d, "status_errors": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout, e.timeout, e.status))
end
