-- wrk posting unique sign-ups to signup-server: each thread sends its share of SIGNUPS sign-ups
-- (emails <prefix>-<thread>-<n>@example.com, spread over 50 companies), stops once all of them
-- are answered, and counts the answers by status. The responses to requests sent past the quota
-- (GET /metrics, to keep the connections busy until the thread stops) are not counted. PREFIX
-- ("load" by default) keeps the users of several load generators apart.
--
--   wrk -tT -cC -d5m -s signups.lua URL -- SIGNUPS T [PREFIX]
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local total = tonumber(args[1])
  local thread_count = tonumber(args[2])
  prefix = args[3] or "load"
  quota = math.floor(total / thread_count)
  if id == thread_count - 1 then
    quota = total - quota * (thread_count - 1)
  end
  sent, created, failed = 0, 0, 0
  -- wrk 4 calls request() once on its first thread to check the script, and never sends what it
  -- gets: that call gets a GET rather than a sign-up, which would then be lost.
  checked = id ~= 0
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  if sent >= quota or not checked then
    checked = true
    return wrk.format("GET", "/metrics")
  end
  sent = sent + 1
  local body = string.format(
    '{"email":"%s-%d-%d@example.com","first_name":"Load","last_name":"Test %d",' ..
    '"company":"Company %d"}', prefix, id, sent, sent, sent % 50)
  return wrk.format("POST", "/signup", nil, body)
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status ~= 200 then
    failed = failed + 1
  end
  if created + failed >= quota then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local created_total, failed_total = 0, 0
  for _, thread in ipairs(threads) do
    created_total = created_total + thread:get("created")
    failed_total = failed_total + thread:get("failed")
  end
  io.write(string.format(
    '{"created":%d,"failed":%d,"seconds":%.3f,"p50_ms":%.1f,"p99_ms":%.1f,"socket_errors":%d}\n',
    created_total, failed_total, summary.duration / 1e6, latency:percentile(50) / 1e3,
    latency:percentile(99) / 1e3,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
