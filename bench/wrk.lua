-- One request of `make bench`, driven by wrk (see bench/run.py, docs/bench.md).
-- wrk -s bench/wrk.lua URL -- METHOD PATH BODY_FILE POOL_FILE THREADS [HEADER ...]
--   PATH may hold {code}: each request then takes the next code of POOL_FILE (one line each),
--   the codes dealt out among the threads, so no case is acted on twice; a thread whose codes
--   run out stops.
-- done() prints one JSON line with the counts and the latency percentiles (microseconds).

local serial = 0

function setup(thread)
  thread:set("thread_no", serial)
  serial = serial + 1
end

function init(args)
  method, path = args[1], args[2]
  body = nil
  if args[3] ~= "" then
    local f = assert(io.open(args[3], "rb"))
    body = f:read("*a")
    f:close()
  end
  local threads = tonumber(args[5])
  codes, taken = {}, 0
  if args[4] ~= "" then
    local n = 0
    for line in io.lines(args[4]) do
      if n % threads == thread_no then
        codes[#codes + 1] = line
      end
      n = n + 1
    end
  end
  headers = {}
  for i = 6, #args do
    local name, value = args[i]:match("^([^:]+):%s*(.*)$")
    headers[name] = value
  end
  fixed = wrk.format(method, path, headers, body)
end

function request()
  if #codes == 0 then
    return fixed
  end
  taken = taken + 1
  if taken > #codes then
    wrk.thread:stop()
    taken = #codes
  end
  return wrk.format(method, path:gsub("{code}", codes[taken]), headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "bytes": %d, "status_errors": %d, "socket_errors": %d, '
      .. '"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99), latency.max
  ))
end
