#include "payops/http/api.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include <sodium.h>

#include "payops/core/logfmt.h"
#include "payops/service/idempotency.h"
#include "payops/service/identity.h"

namespace payops::http {

Api::Api(service::Env& env, jobs::JobRunner& runner, ManualClock* manual_clock, ApiOptions options)
    : env_(env),
      runner_(runner),
      manual_clock_(manual_clock),
      options_(options),
      auth_(env),
      per_key_(options.per_key),
      per_address_(options.per_address),
      auth_failures_(options.auth_failures) {
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
  RegisterPortal(*this);
  RegisterWebhooks(*this);
  RegisterMonitors(*this);
  RegisterStatements(*this);
  RegisterAudit(*this);
  resource_json_ = MakeResourceJson();
  env_.resource_json = resource_json_.get();
  metrics_ = std::make_unique<Metrics>(router_.routes().size());
}

Api::~Api() {
  if (env_.resource_json == resource_json_.get()) env_.resource_json = nullptr;
}

namespace {

// A 5xx answer as the caller sees it: its error code kept, the message
// replaced by one that names no internals, and for 503 a Retry-After.
void PlainServerError(HttpResponse& res, const std::string& request_id) {
  std::string code = res.status == 503 ? "unavailable" : "internal";
  boost::system::error_code ec;
  json::value v = json::parse(res.body, ec);
  if (!ec && v.is_object()) {
    if (const json::value* err = v.as_object().if_contains("error");
        err && err->is_object() && err->as_object().contains("code") &&
        err->as_object().at("code").is_string()) {
      code = std::string(err->as_object().at("code").as_string());
    }
  }
  const std::string message =
      res.status == 503 ? "payops cannot serve this request right now; retry in a moment"
                        : "payops failed on this request; the operator can find it in the log "
                          "by its request id";
  const int status = res.status;
  auto headers = std::move(res.headers);
  res = ErrorResponse(
      Error{status == 503 ? ErrorKind::kUnavailable : ErrorKind::kInternal, code, message, {}},
      request_id);
  res.status = status;
  res.headers = std::move(headers);
  if (status == 503) {
    bool has_retry_after = false;
    for (const auto& header : res.headers) has_retry_after |= header.first == "Retry-After";
    if (!has_retry_after) res.headers.emplace_back("Retry-After", "1");
  }
}

}  // namespace

const Route* Api::Resolve(HttpRequest& req) const {
  return router_.Find(req.method, req.path, req.params).route;
}

HttpResponse Api::Handle(HttpRequest& req, const Route* route) {
  auto started = std::chrono::steady_clock::now();
  HttpResponse res;
  auto threw = [&](const char* what) {
    res = ErrorResponse(Error::Internal("unexpected error"), req.request_id);
    spdlog::error("msg=\"handler threw\" request_id={} error={}", LogValue(req.request_id),
                  LogValue(what));
  };
  try {
    res = Dispatch(req, route);
  } catch (const std::exception& e) {
    threw(e.what());
  } catch (...) {
    threw("unknown exception");
  }
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  metrics_->Observe(route ? route->index : router_.routes().size(), req.method, res.status, us);
  if (res.status >= 500) {
    // The details (a store's or library's message) go to the log only; the
    // caller gets the code, a plain message and the request id to quote.
    spdlog::error("msg=\"request failed\" request_id={} method={} path={} status={} body={}",
                  LogValue(req.request_id), LogValue(req.method), LogValue(req.path), res.status,
                  LogValue(res.body));
    PlainServerError(res, req.request_id);
  } else if (options_.access_log) {
    spdlog::info("msg=\"request\" request_id={} method={} path={} status={} duration_us={}",
                 LogValue(req.request_id), LogValue(req.method), LogValue(req.path), res.status,
                 us);
  }
  res.headers.emplace_back("X-Request-Id", req.request_id);
  return res;
}

namespace {

HttpResponse TooManyRequests(const HttpRequest& req, int64_t retry_after_s, std::string code,
                             std::string message) {
  HttpResponse r = ErrorResponse(
      Error{ErrorKind::kRateLimited, std::move(code), std::move(message), {}}, req.request_id);
  r.headers.emplace_back("Retry-After", std::to_string(retry_after_s));
  return r;
}

// Health probes are never limited: an orchestrator must see a busy server.
bool Exempt(const HttpRequest& req) {
  return req.path == "/healthz" || req.path == "/readyz";
}

bool HasCredentials(const HttpRequest& req) {
  return !req.authorization.empty() || req.cookie.find("payops_session=") != std::string::npos;
}

}  // namespace

HttpResponse Api::Dispatch(HttpRequest& req, const Route* route) {
  const auto now = std::chrono::steady_clock::now();
  if (Exempt(req)) return DispatchRoute(req, route, now);
  if (int64_t wait = per_address_.Take(req.remote_address, now)) {
    return TooManyRequests(req, wait, "rate_limited", "too many requests from this address");
  }
  HttpResponse res = DispatchRoute(req, route, now);
  // A failed sign-in, or credentials refused: counted against the address.
  if (res.status == 401 && (HasCredentials(req) || (route && !route->options.auth))) {
    auth_failures_.Take(req.remote_address, now);
  }
  return res;
}

HttpResponse Api::DispatchRoute(HttpRequest& req, const Route* route,
                                std::chrono::steady_clock::time_point now) {
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
  const bool guarded = HasCredentials(req) || (!route->options.auth && req.method == "POST");
  if (guarded && auth_failures_.Exhausted(req.remote_address, now)) {
    return TooManyRequests(req, 60, "auth_throttled",
                           "too many failed authentications from this address; retry later");
  }
  if (route->options.auth) {
    // Another server on this store may have moved the shared sandbox clock.
    if (manual_clock_) {
      if (Status s = service::RefreshSandboxClock(env_, *manual_clock_); !s.ok()) {
        return ErrorResponse(s.error(), req.request_id);
      }
    }
    if (auto denied = Authenticate(req); denied) return std::move(*denied);
    req.actor.request_id = req.request_id;  // the audit trail names the request
    if (int64_t wait = per_key_.Take(req.actor.member_id, now)) {
      return TooManyRequests(req, wait, "rate_limited", "too many requests for this API key");
    }
  }
  // Idempotency keys are scoped to the caller: anonymous routes (sign-in) have none.
  if (req.method == "POST" && !req.idempotency_key.empty() && route->options.auth) {
    return WithIdempotency(req, *route);
  }
  return route->handler(req);
}

namespace {

// The value of cookie `name` in a Cookie header, or "".
std::string_view CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return {};
}

bool SameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

// An API key (Authorization: Bearer) or a web session (the payops_session
// cookie, with X-CSRF-Token on every request that is not a read).
std::optional<HttpResponse> Api::Authenticate(HttpRequest& req) {
  std::string_view h = req.authorization;
  constexpr std::string_view kBearer = "Bearer ";
  if (h.empty()) {
    std::string_view session = CookieValue(req.cookie, "payops_session");
    if (!session.empty()) {
      auto s = service::ResolveSession(env_, std::string(session));
      if (!s.ok()) return ErrorResponse(s.error(), req.request_id);
      if (req.method != "GET" && req.method != "HEAD" &&
          !SameSecret(req.csrf_token, s->csrf_token)) {
        return ErrorResponse(Error{ErrorKind::kForbidden,
                                   "csrf_failed",
                                   "send the session's X-CSRF-Token header with every change",
                                   {}},
                             req.request_id);
      }
      req.actor = std::move(s->actor);
      req.session_token = std::string(session);
      req.session_csrf = std::move(s->csrf_token);
      return std::nullopt;
    }
  }
  if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer) {
    return ErrorResponse(Error{ErrorKind::kUnauthenticated,
                               "unauthenticated",
                               "send Authorization: Bearer <api key>, or sign in",
                               {}},
                         req.request_id);
  }
  auto actor = auth_.Authenticate(h.substr(kBearer.size()));
  if (!actor.ok()) return ErrorResponse(actor.error(), req.request_id);
  req.actor = std::move(actor.value());
  return std::nullopt;
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
      env_, req.actor.member_id, req.idempotency_key, hash,
      [&]() -> service::StoredAnswer {
        fresh = route.handler(req);
        return service::StoredAnswer{fresh.status, fresh.body, false};
      },
      route.options.write_after_lock);
  if (!answer.ok()) return ErrorResponse(answer.error(), req.request_id);
  if (!answer->replayed) return fresh;
  HttpResponse r;
  r.status = answer->status;
  r.body = std::move(answer->body);
  r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

}  // namespace payops::http
