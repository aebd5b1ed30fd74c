// The API: routes every resource, then runs each request through one
// pipeline — authentication, idempotency, the handler, metrics and the log.
#pragma once

#include <memory>

#include "payops/http/json_io.h"
#include "payops/http/metrics.h"
#include "payops/http/rate_limit.h"
#include "payops/http/router.h"
#include "payops/jobs/job_runner.h"
#include "payops/service/api_keys.h"
#include "payops/service/env.h"
#include "payops/service/passwords.h"
#include "payops/service/statements.h"
#include "payops/service/webhooks.h"
#include "payops/store/ach_batches.h"
#include "payops/store/tickets.h"
#include "payops/store/transactions.h"

namespace payops::http {

constexpr size_t kMaxIdempotencyKeyBytes = 255;

struct ApiOptions {
  bool sandbox = false;
  bool bench_hello = false;     // GET /_bench/hello: the in-process ceiling for benchmarks
  bool access_log = false;      // one info line per request
  bool secure_cookies = false;  // the page is served over TLS: cookies get Secure
  // [rate_limits] of the configuration; every route but /healthz and /readyz.
  // Requests per caller (the member an API key or web session belongs to).
  RateLimitSettings per_key{60000, 2000};
  // Requests per peer address, authenticated or not.
  RateLimitSettings per_address{120000, 4000};
  // Failed authentications per address: a wrong API key or session cookie, a
  // failed sign-in. Once spent, requests bearing credentials (and anonymous
  // POSTs such as sign-in) from the address get 429 until the bucket refills.
  RateLimitSettings auth_failures{100, 100};
};

class Api {
 public:
  // `manual_clock` is the sandbox clock (null outside sandbox mode).
  Api(service::Env& env, jobs::JobRunner& runner, ManualClock* manual_clock, ApiOptions options);
  ~Api();
  Api(const Api&) = delete;
  Api& operator=(const Api&) = delete;

  // Matches the route and fills req.params. Null when nothing matches.
  const Route* Resolve(HttpRequest& req) const;
  // Runs the whole pipeline; an exception out of a handler is answered 500
  // and logged; a 5xx is logged as a bug.
  HttpResponse Handle(HttpRequest& req, const Route* route);

  service::Env& env() { return env_; }
  jobs::JobRunner& runner() { return runner_; }
  ManualClock* manual_clock() { return manual_clock_; }
  const ApiOptions& options() const { return options_; }
  Router& router() { return router_; }
  service::PasswordHasher& passwords() { return passwords_; }
  const Metrics& metrics() const { return *metrics_; }

 private:
  HttpResponse Dispatch(HttpRequest& req, const Route* route);
  // Dispatch after the address limit: the route, authentication, the key limit.
  HttpResponse DispatchRoute(HttpRequest& req, const Route* route,
                             std::chrono::steady_clock::time_point now);
  HttpResponse WithIdempotency(HttpRequest& req, const Route& route);
  // Sets req.actor from the API key or the web session; the refusal otherwise.
  std::optional<HttpResponse> Authenticate(HttpRequest& req);

  service::Env& env_;
  jobs::JobRunner& runner_;
  ManualClock* manual_clock_;
  ApiOptions options_;
  Router router_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<service::ResourceJson> resource_json_;
  service::Authenticator auth_;
  service::PasswordHasher passwords_;
  RateLimiter per_key_;
  RateLimiter per_address_;
  RateLimiter auth_failures_;
};

// Resource registration, one file each under http/resources/.
void RegisterHealth(Api& api);
void RegisterOrgs(Api& api);
void RegisterApiKeys(Api& api);
void RegisterUsers(Api& api);
void RegisterSandbox(Api& api);
void RegisterWeb(Api& api);
void RegisterCalendar(Api& api);
void RegisterFunding(Api& api);
void RegisterTransactions(Api& api);
void RegisterAch(Api& api);
void RegisterLedger(Api& api);
void RegisterTierUpgrades(Api& api);
void RegisterKb(Api& api);
void RegisterPortal(Api& api);
void RegisterTickets(Api& api);

void RegisterWebhooks(Api& api);
void RegisterMonitors(Api& api);
void RegisterStatements(Api& api);
void RegisterAudit(Api& api);

// A transaction as GET /v1/transactions lists it (hold, risk, batch, dates).
json::object TransactionSummaryJson(const store::TransactionRecord& t);
// A ticket's own fields as GET /v1/tickets/{id} shows them (no conversation).
json::object TicketJson(const store::TicketRecord& t);
// The statement a billing ticket names, with its named lines and corrections.
json::object DisputedStatementJson(const service::DisputedStatement& d);
// An ACH batch as GET /v1/ach/batches/{id} shows it.
json::object BatchJson(const store::AchBatch& b);
// The resources of webhook events, through the functions above.
std::unique_ptr<service::ResourceJson> MakeResourceJson();

// Turns a Result into a response: the value through `to_json` with `status`,
// or the error shape.
template <class T, class F>
HttpResponse Respond(const HttpRequest& req, Result<T> r, int status, F&& to_json) {
  if (!r.ok()) return ErrorResponse(r.error(), req.request_id);
  return JsonResponse(status, to_json(r.value()));
}

}  // namespace payops::http
