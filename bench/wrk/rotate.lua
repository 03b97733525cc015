-- Rotate through prepared requests: one line per request, "path<TAB>token<TAB>etag".
-- Usage: wrk -s rotate.lua URL -- requests.tsv
-- Prints one JSON line (prefixed BENCH_JSON) with percentiles and status counts.

local threads = {}
local lines = {}

local function load(path)
  local out = {}
  for line in io.lines(path) do
    local p, token, etag = line:match("^([^\t]*)\t?([^\t]*)\t?([^\t]*)$")
    if p and p ~= "" then
      out[#out + 1] = { path = p, token = token, etag = etag }
    end
  end
  return out
end

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  lines = load(args[1])
  counter = (id or 0) * 7919
  statuses = {}
end

function request()
  counter = counter + 1
  local entry = lines[(counter % #lines) + 1]
  local headers = { ["Accept-Encoding"] = "gzip", ["Accept"] = "application/json" }
  if entry.token ~= "" then
    headers["Authorization"] = "Bearer " .. entry.token
  end
  if entry.etag ~= "" then
    headers["If-None-Match"] = entry.etag
  end
  return wrk.format("GET", entry.path, headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for code, n in pairs(s) do
      counts[code] = (counts[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(counts) do
    parts[#parts + 1] = string.format('"%d": %d', code, n)
  end
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, "p50_us": %d, "p90_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean, table.concat(parts, ", ")))
end
