-- wrk sending the requests that bench-single-ops sends, to the same emulator: users.sync (PUT),
-- users.create (POST), each for a user of its own, or check (POST /allowed). Prints one JSON
-- object in the shape bench-single-ops prints, so that the runner reads the three systems alike.
--
--   wrk -t1 -cC -dDs -s single_ops.lua URL -- sync|create|check PREFIX
--
-- A response that is not 2xx, or a check that is not allowed, is counted in "failures"; the runner
-- refuses a run with failures and checks that the emulator holds one new user per operation.
local facts = "/v2/facts/default/production/users"
local threads = {}

function setup(thread)
  thread:set("thread_id", #threads)
  table.insert(threads, thread)
end

function init(args)
  operation = args[1] or "sync"
  prefix = (args[2] or "wrk") .. "-" .. thread_id
  counter = 0
  failures = 0
  wrk.headers["Authorization"] = "Bearer permit_key_emulator"
  wrk.headers["Content-Type"] = "application/json"
  if operation == "check" then
    wrk.method = "POST"
    wrk.path = "/allowed"
    wrk.body = '{"user":{"key":"bench-user"},"action":"read",' ..
               '"resource":{"type":"document","tenant":"default"}}'
    check_request = wrk.format()
  end
end

function request()
  if operation == "check" then
    return check_request
  end
  counter = counter + 1
  local key = prefix .. "-" .. counter
  local body = '{"key":"' .. key .. '","email":"bench' .. counter .. '@example.com"}'
  if operation == "sync" then
    return wrk.format("PUT", facts .. "/" .. key, nil, body)
  end
  return wrk.format("POST", facts, nil, body)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    failures = failures + 1
  elseif operation == "check" and not string.find(body, '"allow": *true') then
    failures = failures + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("failures")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"operation":"%s","operations":%d,"ops_per_second":%.1f,' ..
    '"p50_us":%.1f,"p99_us":%.1f,"failures":%d,"socket_errors":%d}\n',
    threads[1]:get("operation"), summary.requests, summary.requests / seconds, latency:percentile(50),
    latency:percentile(99), failed + summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
