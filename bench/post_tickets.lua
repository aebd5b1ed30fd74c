-- wrk script: POST /v1/tickets as a partner, a new ticket per request (one CC,
-- the acknowledgement queued to both in the same commit).
-- Environment: PAYOPS_KEY (a partner key).
local next_tid = 0
function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
end

function init(args)
  key = os.getenv("PAYOPS_KEY")
  counter = 0
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"requester":{"name":"Bench Requester","email":"r%d_%d@bench.example"},' ..
    '"cc":["ops@bench.example"],"category":"balance",' ..
    '"subject":"Balance does not match our records (%d)",' ..
    '"description":"The account balance is lower than the sum of our records by 12.50."}',
    tid, counter % 5000, counter)
  return wrk.format("POST", "/v1/tickets",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 201 and not reported then
    reported = true
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
