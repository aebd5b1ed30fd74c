// /healthz (process up), /readyz (store reachable), /metrics (Prometheus,
// admins and operations managers).
#include "payops/http/api.h"

namespace payops::http {

void RegisterHealth(Api& api) {
  RouteOptions open_inline{.auth = false, .run_inline = true};
  api.router().Add(
      "GET", "/healthz",
      [](HttpRequest&) {
        HttpResponse r;
        r.body = R"({"status":"ok"})";
        return r;
      },
      open_inline);
  api.router().Add(
      "GET", "/readyz",
      [&api](HttpRequest& req) {
        Status s = service::StoreReady(api.env());
        if (!s.ok()) {
          return ErrorResponse(Error::Unavailable("store unreachable: " + s.error().message),
                               req.request_id);
        }
        HttpResponse r;
        r.body = R"({"status":"ready"})";
        return r;
      },
      RouteOptions{.auth = false});
  // Per-route counts and latencies tell the shape of the traffic: for the
  // operators (an admin's or operations manager's key as Prometheus's bearer
  // token), not for anyone who can reach the port.
  api.router().Add(
      "GET", "/metrics",
      [&api](HttpRequest& req) {
        if (req.actor.role != Role::kAdmin && req.actor.role != Role::kOpsManager) {
          return ErrorResponse(Error::Forbidden("metrics are for admins and operations managers"),
                               req.request_id);
        }
        HttpResponse r;
        r.content_type = "text/plain; version=0.0.4";
        r.body = api.metrics().Render(api.router().routes());
        return r;
      },
      RouteOptions{.auth = true});
  if (api.options().bench_hello) {
    api.router().Add(
        "GET", "/_bench/hello",
        [](HttpRequest&) {
          HttpResponse r;
          r.body = R"({"hello":"world"})";
          return r;
        },
        open_inline);
  }
}

}  // namespace payops::http
