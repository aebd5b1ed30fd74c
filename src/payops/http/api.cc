#include "payops/http/api.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "payops/service/idempotency.h"

namespace payops::http {

Api::Api(service::Env& env, jobs::JobRunner& runner, ManualClock* manual_clock, ApiOptions options)
    : env_(env), runner_(runner), manual_clock_(manual_clock), options_(options), auth_(env) {
  RegisterHealth(*this);
  RegisterOrgs(*this);
  RegisterApiKeys(*this);
  RegisterUsers(*this);
  RegisterSandbox(*this);
  RegisterWeb(*this);
  RegisterCalendar(*this);
  RegisterFunding(*this);
  RegisterTransactions(*this);
  RegisterAch(*this);
  RegisterLedger(*this);
  RegisterTierUpgrades(*this);
  RegisterTickets(*this);
  RegisterKb(*this);
  RegisterWebhooks(*this);
  resource_json_ = MakeResourceJson();
  env_.resource_json = resource_json_.get();
  metrics_ = std::make_unique<Metrics>(router_.routes().size());
}

Api::~Api() {
  if (env_.resource_json == resource_json_.get()) env_.resource_json = nullptr;
}

const Route* Api::Resolve(HttpRequest& req) const {
  return router_.Find(req.method, req.path, req.params).route;
}

HttpResponse Api::Handle(HttpRequest& req, const Route* route) {
  auto started = std::chrono::steady_clock::now();
  HttpResponse res;
  try {
    res = Dispatch(req, route);
  } catch (const std::exception& e) {
    res = ErrorResponse(Error::Internal("unexpected error"), req.request_id);
    spdlog::error("msg=\"handler threw\" request_id={} error=\"{}\"", req.request_id, e.what());
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  metrics_->Observe(route ? route->index : router_.routes().size(), req.method, res.status, us);
  if (res.status >= 500) {
    spdlog::error("msg=\"request failed\" request_id={} method={} path={} status={} body={}",
                  req.request_id, req.method, req.path, res.status, res.body);
  } else if (options_.access_log) {
    spdlog::info("msg=\"request\" request_id={} method={} path={} status={} duration_us={}",
                 req.request_id, req.method, req.path, res.status, us);
  }
  res.headers.emplace_back("X-Request-Id", req.request_id);
  return res;
}

HttpResponse Api::Dispatch(HttpRequest& req, const Route* route) {
  if (!route) {
    RouteMatch m = router_.Find(req.method, req.path, req.params);
    if (m.wrong_method) {
      HttpResponse r = ErrorResponse(Error{ErrorKind::kInvalid,
                                           "method_not_allowed",
                                           req.method + " is not allowed here; allowed: " + m.allow,
                                           {}},
                                     req.request_id);
      r.status = 405;
      r.headers.emplace_back("Allow", m.allow);
      return r;
    }
    return ErrorResponse(
        Error{
            ErrorKind::kNotFound, "route_not_found", "no route " + req.method + " " + req.path, {}},
        req.request_id);
  }
  if (route->options.auth) {
    std::string_view h = req.authorization;
    constexpr std::string_view kBearer = "Bearer ";
    if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer) {
      return ErrorResponse(Error{ErrorKind::kUnauthenticated,
                                 "unauthenticated",
                                 "send Authorization: Bearer <api key>",
                                 {}},
                           req.request_id);
    }
    auto actor = auth_.Authenticate(h.substr(kBearer.size()));
    if (!actor.ok()) return ErrorResponse(actor.error(), req.request_id);
    req.actor = std::move(actor.value());
  }
  if (req.method == "POST" && !req.idempotency_key.empty()) return WithIdempotency(req, *route);
  return route->handler(req);
}

// The stored response and the new one are written in the same transaction as
// the handler's own changes, so a retried request can never apply twice.
HttpResponse Api::WithIdempotency(HttpRequest& req, const Route& route) {
  if (req.idempotency_key.size() > kMaxIdempotencyKeyBytes) {
    return ErrorResponse(
        Error::Invalid("invalid_idempotency_key", "Idempotency-Key is longer than 255 bytes",
                       "Idempotency-Key"),
        req.request_id);
  }
  const std::string hash = service::Sha256Hex(req.method + " " + req.path + "\n" + req.body);
  HttpResponse fresh;
  auto answer = service::RunIdempotent(
      env_, req.actor.member_id, req.idempotency_key, hash, [&]() -> service::StoredAnswer {
        fresh = route.handler(req);
        return service::StoredAnswer{fresh.status, fresh.body, false};
      });
  if (!answer.ok()) return ErrorResponse(answer.error(), req.request_id);
  if (!answer->replayed) return fresh;
  HttpResponse r;
  r.status = answer->status;
  r.body = std::move(answer->body);
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

}  // namespace payops::http
