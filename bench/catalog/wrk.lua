-- wrk script for the catalog benchmark. With BENCH_PIDS_FILE set, each thread cycles through
-- the GET paths in that file (percent-encoded dataset pids) with BENCH_TOKEN as bearer token;
-- without it, wrk requests the URL it was given (the /ping baseline). Prints one WRKJSON line.
local file = os.getenv("BENCH_PIDS_FILE")
local token = os.getenv("BENCH_TOKEN")
local paths = {}
local idx = 1
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end

local thread_count = 0
function setup(thread)
  thread:set("thread_no", thread_count)
  thread_count = thread_count + 1
end

if file and file ~= "" then
  for line in io.lines(file) do paths[#paths + 1] = line end
  function init(args)
    idx = 1 + ((thread_no or 0) * 7919) % #paths
  end
  function request()
    local p = paths[idx]
    idx = idx % #paths + 1
    return wrk.format("GET", p)
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_s":%.3f,"rps":%.1f,"p50_ms":%.3f,"p99_ms":%.3f,' ..
    '"non_2xx":%d,"errors_connect":%d,"errors_read":%d,"errors_write":%d,"errors_timeout":%d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.status, e.connect, e.read, e.write, e.timeout))
end
