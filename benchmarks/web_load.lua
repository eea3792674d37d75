-- wrk script for benchmarks/bench_web_load.py.
-- Arguments (after `--`): CAP [COOKIES]
--   CAP      responses per wrk thread; the thread stops when it has them and prints WRKCAP
--            (a request cap, since wrk itself only knows a duration)
--   COOKIES  comma-separated `name=value` Cookie headers, rotated request by request
-- Every response other than 200 counts as an error (a redirect to the sign-in page too).
-- done() prints one line `WRKJSON {...}` with the counts and latency percentiles (µs).

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  cap = tonumber(args[1]) or 1000
  cookies = {}
  for value in string.gmatch(args[2] or "", "[^,]+") do
    table.insert(cookies, value)
  end
  sent, responses, non200 = 0, 0, 0
end

function request()
  sent = sent + 1
  if #cookies == 0 then
    return wrk.format("GET", wrk.path)
  end
  return wrk.format("GET", wrk.path, { ["Cookie"] = cookies[(sent % #cookies) + 1] })
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then
    non200 = non200 + 1
  end
  if responses == cap then
    -- wrk's main thread sleeps for the whole -d duration: the caller sends SIGINT once every
    -- thread has said this
    io.write("WRKCAP\n")
    io.flush()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local got, bad = 0, 0
  for _, thread in ipairs(threads) do
    got = got + thread:get("responses")
    bad = bad + thread:get("non200")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"responses": %d, "non200": %d, "requests": %d, "duration_us": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "mean_us": %.1f}\n',
    got, bad, summary.requests, summary.duration,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, latency.mean))
end
