-- wrk script: POST /v1/users with a unique email per request.
-- Environment: PAYOPS_KEY, PAYOPS_ORG, PAYOPS_RUN.
local next_tid = 0
function setup(thread)
  next_tid = next_tid + 1
  thread:set("tid", next_tid)
end

function init(args)
  key = os.getenv("PAYOPS_KEY")
  org = os.getenv("PAYOPS_ORG")
  run = os.getenv("PAYOPS_RUN") or "0"
  counter = 0
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"org_id":"%s","name":"Bench User","email":"u%s_%d_%d@bench.example","country":"US","kyc_status":"VERIFIED"}',
    org, run, tid, counter)
  return wrk.format("POST", "/v1/users",
    {["Authorization"] = "Bearer " .. key, ["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status ~= 201 and not reported then
    reported = true
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
