// POST /v1/users/{id}/tier-upgrades, GET /v1/tier-upgrades, GET /v1/tier-upgrades/{id},
// POST /v1/tier-upgrades/{id}/documents|submit|approve|reject,
// GET /v1/tier-upgrades/{id}/documents/{doc_id}.
#include "payops/service/tier_upgrades.h"

#include <sodium.h>

#include "payops/http/api.h"

namespace payops::http {
namespace {

json::object UpgradeJson(const service::TierUpgradeView& v) {
  const store::TierUpgrade& u = v.upgrade;
  json::array docs;
  for (const auto& d : v.documents) {
    docs.emplace_back(json::object{{"id", d.id},
                                   {"name", d.name},
                                   {"content_type", d.content_type},
                                   {"size_bytes", d.size_bytes},
                                   {"sha256", d.sha256},
                                   {"created_at", TimeJson(d.created_at)}});
  }
  return json::object{{"id", u.id},
                      {"user_id", u.user_id},
                      {"org_id", u.org_id},
                      {"from_tier", u.from_tier},
                      {"target_tier", u.target_tier},
                      {"status", u.status},
                      {"reason", OptJson(u.reason)},
                      {"decided_by", OptJson(u.decided_by)},
                      {"documents", std::move(docs)},
                      {"created_at", TimeJson(u.created_at)},
                      {"updated_at", TimeJson(u.updated_at)}};
}

}  // namespace

void RegisterTierUpgrades(Api& api) {
  Router& r = api.router();
  r.Add("POST", "/v1/users/{id}/tier-upgrades", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    Fields f(*body);
    if (auto s = f.AllowOnly({"target_tier"}); !s.ok())
      return ErrorResponse(s.error(), req.request_id);
    auto tier = f.Int("target_tier");
    if (!tier.ok()) return ErrorResponse(tier.error(), req.request_id);
    return Respond(req, service::OpenTierUpgrade(api.env(), req.actor, req.Param("id"), *tier), 201,
                   UpgradeJson);
  });
  r.Add("GET", "/v1/tier-upgrades", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    store::TierUpgradeFilter filter;
    if (auto* org = req.Query("org_id")) filter.org_id = *org;
    if (auto* status = req.Query("status")) {
      if (*status != "OPEN" && *status != "SUBMITTED" && *status != "APPROVED" &&
          *status != "REJECTED") {
        return ErrorResponse(
            Error::Invalid("invalid_value", "status must be OPEN, SUBMITTED, APPROVED or REJECTED",
                           "status"),
            req.request_id);
      }
      filter.status = *status;
    }
    auto list = service::ListTierUpgrades(api.env(), req.actor, *page, filter);
    if (!list.ok()) return ErrorResponse(list.error(), req.request_id);
    json::array data;
    for (const auto& v : list->items) data.emplace_back(UpgradeJson(v));
    return JsonResponse(200, ListBody(std::move(data), list->has_more,
                                      list->items.empty() ? "" : list->items.back().upgrade.id));
  });
  r.Add("GET", "/v1/tier-upgrades/{id}/documents/{doc_id}", [&api](HttpRequest& req) {
    auto d =
        service::GetUpgradeDocument(api.env(), req.actor, req.Param("id"), req.Param("doc_id"));
    if (!d.ok()) return ErrorResponse(d.error(), req.request_id);
    std::string bytes(d->content_base64.size(), '\0');
    size_t len = 0;
    sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(),
                      d->content_base64.data(), d->content_base64.size(), nullptr, &len, nullptr,
                      sodium_base64_VARIANT_ORIGINAL);  // checked on upload
    bytes.resize(len);
    // A download, never rendered: the type was checked on upload and the name
    // is quoted with only safe characters.
    std::string name = d->name;
    for (char& c : name) {
      auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\' || c == ';') c = '_';
    }
    HttpResponse res;
    res.content_type = d->content_type;
    res.body = std::move(bytes);
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    res.headers.emplace_back("Content-Security-Policy", "sandbox");
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + name + "\"");
    return res;
  });
  r.Add("GET", "/v1/tier-upgrades/{id}", [&api](HttpRequest& req) {
    return Respond(req, service::GetTierUpgrade(api.env(), req.actor, req.Param("id")), 200,
                   UpgradeJson);
  });
  r.Add("POST", "/v1/tier-upgrades/{id}/documents", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    Fields f(*body);
    if (auto s = f.AllowOnly({"name", "content_type", "content_base64"}); !s.ok()) {
      return ErrorResponse(s.error(), req.request_id);
    }
    auto name = f.Str("name", 255);
    auto type = f.Str("content_type", 100);
    auto content = f.Str("content_base64", 1 << 20);
    for (const auto* r : {&name, &type, &content}) {
      if (!r->ok()) return ErrorResponse(r->error(), req.request_id);
    }
    return Respond(
        req,
        service::AddUpgradeDocument(api.env(), req.actor, req.Param("id"), *name, *type, *content),
        201, UpgradeJson);
  });
  r.Add("POST", "/v1/tier-upgrades/{id}/submit", [&api](HttpRequest& req) {
    return Respond(req, service::SubmitTierUpgrade(api.env(), req.actor, req.Param("id")), 200,
                   UpgradeJson);
  });
  r.Add("POST", "/v1/tier-upgrades/{id}/approve", [&api](HttpRequest& req) {
    return Respond(req, service::ApproveTierUpgrade(api.env(), req.actor, req.Param("id")), 200,
                   UpgradeJson);
  });
  r.Add("POST", "/v1/tier-upgrades/{id}/reject", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body.empty() ? "{}" : req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    Fields f(*body);
    if (auto s = f.AllowOnly({"reason"}); !s.ok()) return ErrorResponse(s.error(), req.request_id);
    auto reason = f.OptStr("reason", 2000);
    if (!reason.ok()) return ErrorResponse(reason.error(), req.request_id);
    return Respond(
        req,
        service::RejectTierUpgrade(api.env(), req.actor, req.Param("id"), reason->value_or("")),
        200, UpgradeJson);
  });
}

}  // namespace payops::http
