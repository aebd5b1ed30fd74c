// POST /v1/users/{id}/tier-upgrades, GET /v1/tier-upgrades/{id},
// POST /v1/tier-upgrades/{id}/documents|submit|approve|reject.
#include "payops/service/tier_upgrades.h"
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
