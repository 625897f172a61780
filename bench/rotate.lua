-- wrk script: every request picks a random org (ORGS, comma-separated) and a random path (PATHS,
-- separated by '|'), authenticated with TOKEN. Prints the percentiles wrk does not (p95).
local orgs, paths = {}, {}
for o in string.gmatch(os.getenv("ORGS") or "", "[^,]+") do orgs[#orgs + 1] = o end
for p in string.gmatch(os.getenv("PATHS") or "", "[^|]+") do paths[#paths + 1] = p end
local token = os.getenv("TOKEN") or ""

function setup(thread)
  thread:set("id", math.random(1, 1000000))
end

function init(args)
  math.randomseed(os.time() + id)
end

function request()
  local o = orgs[math.random(#orgs)]
  local p = paths[math.random(#paths)]
  return wrk.format("GET", p, { ["Authorization"] = "Bearer " .. token, ["X-Org-Id"] = o })
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d non2xx_or_errors=%d rps=%.1f p50=%.1fms p95=%.1fms p99=%.1fms max=%.1fms\n",
    summary.requests, e.status + e.connect + e.read + e.write + e.timeout,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000))
end
