-- wrk script: POST /api/v1/callbacks with a distinct destination per request
-- (thread number and a counter), a team callback in Support due tomorrow.
local threads = {}
local counter = 0
local thread_no = 0

function setup(thread)
  thread:set("no", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  thread_no = no
  token = os.getenv("CBD_TOKEN")
  due = os.date("!%Y-%m-%dT%H:%M:%SZ", os.time() + 86400)
  run = os.getenv("CBD_RUN") or "1"
end

function request()
  counter = counter + 1
  local dest = string.format("+1%01d%02d%08d", tonumber(run) % 10, thread_no, counter)
  local body = string.format(
    '{"destination":"%s","bp":"Support","routing":"team","team":"Support Team",' ..
    '"tz":"UTC","due_at":"%s","remark":"bench"}', dest, due)
  return wrk.format("POST", "/api/v1/callbacks",
    {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end

local statuses = {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format("non2xx %d\n", summary.errors.status))
end
