// GET /v1/audit: the audit trail, for admins, with filters.
#include "payops/service/audit.h"

#include "payops/http/api.h"

namespace payops::http {
namespace {

constexpr size_t kMaxFilterBytes = 200;

json::value ParsedOrText(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return json::value(text);
  return v;
}

json::object AuditJson(const store::AuditRecord& r) {
  json::object j;
  j["seq"] = r.seq;
  j["at"] = TimeJson(r.at);
  j["actor"] = r.actor;
  j["actor_role"] = r.actor_role;
  j["request_id"] = r.request_id;
  j["action"] = r.action;
  j["object_type"] = r.object_type;
  j["object_id"] = r.object_id;
  j["before"] = ParsedOrText(r.before_json);
  j["after"] = ParsedOrText(r.after_json);
  j["prev_hash"] = r.prev_hash;
  j["hash"] = r.hash;
  return j;
}

Result<std::optional<std::string>> TextFilter(const HttpRequest& req, const char* name) {
  const std::string* v = req.Query(name);
  if (!v) return std::optional<std::string>();
  if (v->empty() || v->size() > kMaxFilterBytes) {
    return Error::Invalid(
        "invalid_value",
        std::string(name) + " must be 1 to " + std::to_string(kMaxFilterBytes) + " bytes", name);
  }
  return std::optional<std::string>(*v);
}

Result<std::optional<Instant>> TimeFilter(const HttpRequest& req, const char* name) {
  const std::string* v = req.Query(name);
  if (!v) return std::optional<Instant>();
  auto t = ParseRfc3339(*v);
  if (!t) {
    return Error::Invalid("invalid_value", std::string(name) + " must be an RFC 3339 instant",
                          name);
  }
  return std::optional<Instant>(*t);
}

Result<store::AuditFilter> ParseFilter(const HttpRequest& req) {
  store::AuditFilter f;
  PAYOPS_ASSIGN_OR_RETURN(f.actor, TextFilter(req, "actor"));
  PAYOPS_ASSIGN_OR_RETURN(f.action, TextFilter(req, "action"));
  PAYOPS_ASSIGN_OR_RETURN(f.object_type, TextFilter(req, "object_type"));
  PAYOPS_ASSIGN_OR_RETURN(f.object_id, TextFilter(req, "object_id"));
  PAYOPS_ASSIGN_OR_RETURN(f.from, TimeFilter(req, "from"));
  PAYOPS_ASSIGN_OR_RETURN(f.until, TimeFilter(req, "until"));
  return f;
}

}  // namespace

void RegisterAudit(Api& api) {
  api.router().Add("GET", "/v1/audit", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    auto filter = ParseFilter(req);
    if (!filter.ok()) return ErrorResponse(filter.error(), req.request_id);
    auto records = service::ListAudit(api.env(), req.actor, *filter, *page);
    if (!records.ok()) return ErrorResponse(records.error(), req.request_id);
    json::array data;
    for (const auto& r : records->items) data.emplace_back(AuditJson(r));
    return JsonResponse(
        200, ListBody(std::move(data), records->has_more,
                      records->items.empty() ? "" : std::to_string(records->items.back().seq)));
  });
}

}  // namespace payops::http
