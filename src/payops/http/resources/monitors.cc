// /v1/monitors and /v1/maintenance-windows (SPEC §3.6).
#include "payops/service/monitors.h"

#include "payops/http/api.h"

namespace payops::http {
namespace {

json::value OptInt(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}
json::value OptTime(const std::optional<int64_t>& us) {
  return us ? json::value(TimeJson(FromMicros(*us))) : json::value(nullptr);
}
json::value OptPercent(const std::optional<double>& p) {
  if (!p) return nullptr;
  // Two decimals, as a number.
  return static_cast<double>(static_cast<int64_t>(*p * 100.0 + 0.5)) / 100.0;
}

json::object CheckJson(const store::MonitorCheck& c) {
  return json::object{{"at", TimeJson(c.at)},
                      {"ok", c.ok},
                      {"in_maintenance", c.in_maintenance},
                      {"duration_ms", c.duration_ms},
                      {"status_code", OptInt(c.status_code)},
                      {"error", OptJson(c.error)}};
}

json::object MonitorJson(const service::MonitorView& v) {
  const store::MonitorRecord& m = v.monitor;
  json::array checks;
  for (const auto& c : v.recent_checks) checks.emplace_back(CheckJson(c));
  json::value ticket = nullptr;
  if (v.open_ticket) {
    ticket = json::object{{"id", v.open_ticket->id},
                          {"number", v.open_ticket->number},
                          {"status", v.open_ticket->status}};
  }
  return json::object{{"id", m.id},
                      {"name", m.name},
                      {"kind", m.kind},
                      {"target", m.target},
                      {"builtin", m.kind == "builtin"},
                      {"interval_seconds", m.interval_seconds},
                      {"failure_threshold", m.failure_threshold},
                      {"expect_status", OptInt(m.expect_status)},
                      {"expect_body", OptJson(m.expect_body)},
                      {"timeout_ms", m.timeout_ms},
                      {"status", v.status},
                      {"consecutive_failures", m.consecutive_failures},
                      {"down_since", OptTime(m.down_since_us)},
                      {"last_check_at", OptTime(m.last_check_at_us)},
                      {"next_check_at", TimeJson(m.next_check_at)},
                      {"uptime_24h", OptPercent(v.uptime_24h)},
                      {"uptime_30d", OptPercent(v.uptime_30d)},
                      {"open_ticket", std::move(ticket)},
                      {"recent_checks", std::move(checks)},
                      {"created_at", TimeJson(m.created_at)},
                      {"updated_at", TimeJson(m.updated_at)}};
}

json::object WindowJson(const service::WindowView& v) {
  const store::MaintenanceWindow& w = v.window;
  json::array ids;
  for (const auto& id : w.monitor_ids) ids.emplace_back(id);
  return json::object{{"id", w.id},
                      {"title", w.title},
                      {"message", w.message},
                      {"starts_at", TimeJson(w.starts_at)},
                      {"ends_at", TimeJson(w.ends_at)},
                      {"state", v.state},
                      {"monitor_ids", std::move(ids)},
                      {"announced_at", OptTime(w.announced_at_us)},
                      {"created_at", TimeJson(w.created_at)},
                      {"updated_at", TimeJson(w.updated_at)}};
}

Result<service::MonitorInput> MonitorInputOf(const std::string& body) {
  PAYOPS_ASSIGN_OR_RETURN(json::object o, ParseObject(body));
  Fields f(o);
  PAYOPS_TRY(f.AllowOnly({"name", "kind", "target", "interval_seconds", "failure_threshold",
                          "expect_status", "expect_body", "timeout_ms"}));
  service::MonitorInput in;
  PAYOPS_ASSIGN_OR_RETURN(in.name, f.OptStr("name", monitor::kMaxNameBytes));
  PAYOPS_ASSIGN_OR_RETURN(in.kind, f.OptStr("kind", 16));
  PAYOPS_ASSIGN_OR_RETURN(in.target, f.OptStr("target", monitor::kMaxTargetBytes));
  PAYOPS_ASSIGN_OR_RETURN(in.interval_seconds, f.OptInt("interval_seconds"));
  PAYOPS_ASSIGN_OR_RETURN(in.failure_threshold, f.OptInt("failure_threshold"));
  PAYOPS_ASSIGN_OR_RETURN(in.timeout_ms, f.OptInt("timeout_ms"));
  in.set_expect_status = f.Has("expect_status");
  PAYOPS_ASSIGN_OR_RETURN(in.expect_status, f.OptInt("expect_status"));
  in.set_expect_body = f.Has("expect_body");
  PAYOPS_ASSIGN_OR_RETURN(in.expect_body, f.OptStr("expect_body", monitor::kMaxExpectBodyBytes));
  return in;
}

Result<service::WindowInput> WindowInputOf(const std::string& body) {
  PAYOPS_ASSIGN_OR_RETURN(json::object o, ParseObject(body));
  Fields f(o);
  PAYOPS_TRY(f.AllowOnly({"starts_at", "ends_at", "monitor_ids", "title", "message"}));
  service::WindowInput in;
  PAYOPS_ASSIGN_OR_RETURN(in.starts_at, f.OptStr("starts_at", 64));
  PAYOPS_ASSIGN_OR_RETURN(in.ends_at, f.OptStr("ends_at", 64));
  PAYOPS_ASSIGN_OR_RETURN(in.title, f.OptStr("title", monitor::kMaxWindowTitleBytes));
  PAYOPS_ASSIGN_OR_RETURN(in.message, f.OptStr("message", monitor::kMaxWindowMessageBytes));
  if (f.Has("monitor_ids")) {
    PAYOPS_ASSIGN_OR_RETURN(in.monitor_ids,
                            f.StrArray("monitor_ids", monitor::kMaxWindowMonitors, 64));
  }
  return in;
}

template <class View, class F>
HttpResponse ListResponse(const HttpRequest& req, Result<store::Page<View>> list, F&& to_json,
                          std::string (*id_of)(const View&)) {
  if (!list.ok()) return ErrorResponse(list.error(), req.request_id);
  json::array data;
  for (const auto& v : list->items) data.emplace_back(to_json(v));
  return JsonResponse(200, ListBody(std::move(data), list->has_more,
                                    list->items.empty() ? "" : id_of(list->items.back())));
}

std::string MonitorId(const service::MonitorView& v) {
  return v.monitor.id;
}
std::string WindowId(const service::WindowView& v) {
  return v.window.id;
}

}  // namespace

void RegisterMonitors(Api& api) {
  Router& r = api.router();
  r.Add("POST", "/v1/monitors", [&api](HttpRequest& req) {
    auto in = MonitorInputOf(req.body);
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req, service::CreateMonitor(api.env(), req.actor, *in), 201, MonitorJson);
  });
  r.Add("GET", "/v1/monitors", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    return ListResponse<service::MonitorView>(
        req, service::ListMonitors(api.env(), req.actor, *page), MonitorJson, MonitorId);
  });
  r.Add("GET", "/v1/monitors/{id}", [&api](HttpRequest& req) {
    return Respond(req, service::GetMonitor(api.env(), req.actor, req.Param("id")), 200,
                   MonitorJson);
  });
  r.Add("PATCH", "/v1/monitors/{id}", [&api](HttpRequest& req) {
    auto in = MonitorInputOf(req.body);
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req, service::PatchMonitor(api.env(), req.actor, req.Param("id"), *in), 200,
                   MonitorJson);
  });
  r.Add("DELETE", "/v1/monitors/{id}", [&api](HttpRequest& req) {
    Status s = service::DeleteMonitor(api.env(), req.actor, req.Param("id"));
    if (!s.ok()) return ErrorResponse(s.error(), req.request_id);
    return JsonResponse(200, json::object{{"id", req.Param("id")}, {"deleted", true}});
  });

  r.Add("POST", "/v1/maintenance-windows", [&api](HttpRequest& req) {
    auto in = WindowInputOf(req.body);
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req, service::CreateWindow(api.env(), req.actor, *in), 201, WindowJson);
  });
  r.Add("GET", "/v1/maintenance-windows", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    std::optional<std::string> state;
    if (const std::string* s = req.Query("state")) state = *s;
    return ListResponse<service::WindowView>(
        req, service::ListWindows(api.env(), req.actor, state, *page), WindowJson, WindowId);
  });
  r.Add("GET", "/v1/maintenance-windows/{id}", [&api](HttpRequest& req) {
    return Respond(req, service::GetWindow(api.env(), req.actor, req.Param("id")), 200, WindowJson);
  });
  r.Add("PATCH", "/v1/maintenance-windows/{id}", [&api](HttpRequest& req) {
    auto in = WindowInputOf(req.body);
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req, service::PatchWindow(api.env(), req.actor, req.Param("id"), *in), 200,
                   WindowJson);
  });
  r.Add("DELETE", "/v1/maintenance-windows/{id}", [&api](HttpRequest& req) {
    Status s = service::DeleteWindow(api.env(), req.actor, req.Param("id"));
    if (!s.ok()) return ErrorResponse(s.error(), req.request_id);
    return JsonResponse(200, json::object{{"id", req.Param("id")}, {"deleted", true}});
  });
}

}  // namespace payops::http
