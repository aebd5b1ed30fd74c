// GET/POST /v1/sandbox/clock: admin only, and 404 outside sandbox mode.
#include "payops/http/api.h"
#include "payops/service/idempotency.h"

namespace payops::http {
namespace {

HttpResponse ClockJson(const Instant& now, int jobs_run) {
  json::object o{{"now", TimeJson(now)}};
  if (jobs_run >= 0) o["jobs_run"] = jobs_run;
  return JsonResponse(200, o);
}

}  // namespace

void RegisterSandbox(Api& api) {
  if (!api.options().sandbox || api.manual_clock() == nullptr) return;
  api.router().Add("GET", "/v1/sandbox/clock", [&api](HttpRequest& req) {
    if (auto s = service::RequireRole(req.actor, {Role::kAdmin}); !s.ok()) {
      return ErrorResponse(s.error(), req.request_id);
    }
    return ClockJson(api.manual_clock()->Now(), -1);
  });
  api.router().Add("POST", "/v1/sandbox/clock", [&api](HttpRequest& req) {
    if (auto s = service::RequireRole(req.actor, {Role::kAdmin}); !s.ok()) {
      return ErrorResponse(s.error(), req.request_id);
    }
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    Fields f(*body);
    if (auto s = f.AllowOnly({"now"}); !s.ok()) return ErrorResponse(s.error(), req.request_id);
    auto text = f.Str("now", 64);
    if (!text.ok()) return ErrorResponse(text.error(), req.request_id);
    auto target = ParseRfc3339(*text);
    if (!target) {
      return ErrorResponse(
          Error::Invalid("invalid_time", "now must be RFC 3339 with an offset", "now"),
          req.request_id);
    }
    ManualClock& clock = *api.manual_clock();
    if (Status s = service::RefreshSandboxClock(api.env(), clock); !s.ok()) {
      return ErrorResponse(s.error(), req.request_id);
    }
    if (*target < clock.Now()) {
      return ErrorResponse(
          Error::Conflict("clock_backwards", "the sandbox clock only moves forward; it is " +
                                                 FormatRfc3339(clock.Now())),
          req.request_id);
    }
    auto runs = api.runner().RunDue(*target, &clock);
    // Retries that came due on the new time go out now.
    if (api.env().delivery_wakeup) api.env().delivery_wakeup->NotifyAll();
    // Persist the clock reached, even after a failed job, so a restart resumes it.
    Status saved = service::SaveSandboxClock(api.env(), clock.Now());
    if (!runs.ok()) return ErrorResponse(runs.error(), req.request_id);
    if (!saved.ok()) return ErrorResponse(saved.error(), req.request_id);
    return ClockJson(clock.Now(), *runs);
  });
}

}  // namespace payops::http
