-- wrk script: GET with a bearer token from CBD_TOKEN (if set).
function init(args)
  token = os.getenv("CBD_TOKEN")
end

function request()
  local h = {}
  if token then h["Authorization"] = "Bearer " .. token end
  return wrk.format("GET", nil, h)
end

function done(summary, latency, requests)
  io.write(string.format("non2xx %d\n", summary.errors.status))
end
