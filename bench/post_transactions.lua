-- wrk script: POST /v1/transactions spread over prepared users.
-- Environment: PAYOPS_KEY and PAYOPS_FIXTURE, a file of lines "user recipient bank".
local next_tid = 0
function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
end

function init(args)
  key = os.getenv("PAYOPS_KEY")
  users = {}
  for line in io.lines(os.getenv("PAYOPS_FIXTURE")) do
    local u, r, b = line:match("(%S+) (%S+) (%S+)")
    users[#users + 1] = {u, r, b}
  end
  counter = tid
end

function request()
  counter = counter + 2
  local u = users[(counter % #users) + 1]
  local body = string.format(
    '{"user_id":"%s","recipient_id":"%s","funding":{"type":"ach","id":"%s"},"amount":100,' ..
    '"currency":"USD","payout_currency":"MXN","corridor":"US-MX","ip_address":"8.8.8.8",' ..
    '"device_id":"bench-device"}', u[1], u[2], u[3])
  return wrk.format("POST", "/v1/transactions",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 201 and not reported then
    reported = true
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
