// End users: POST/GET /v1/users, GET/PATCH /v1/users/{id},
// POST /v1/users/{id}/suspend, GET /v1/users/{id}/history, GET /v1/users/{id}/limits.
#include "payops/core/org.h"
#include "payops/http/api.h"
#include "payops/service/end_users.h"

namespace payops::http {
namespace {

json::object UserJson(const EndUser& u) {
  return json::object{{"id", u.id},
                      {"org_id", u.org_id},
                      {"name", u.name},
                      {"email", u.email},
                      {"country", u.country},
                      {"state", OptJson(u.state)},
                      {"kyc_status", KycStatusName(u.kyc_status)},
                      {"kyc_status_since", TimeJson(u.kyc_status_since)},
                      {"tier", u.tier},
                      {"created_at", TimeJson(u.created_at)},
                      {"updated_at", TimeJson(u.updated_at)}};
}

Result<KycStatus> KycField(const std::string& s) {
  auto k = ParseKycStatus(s);
  if (!k) {
    return Error::Invalid("invalid_value",
                          "kyc_status must be UNVERIFIED, PENDING, VERIFIED, REJECTED or SUSPENDED",
                          "kyc_status");
  }
  return *k;
}

Result<EndUser> UserFromJson(const json::object& body) {
  Fields f(body);
  PAYOPS_TRY(f.AllowOnly({"org_id", "name", "email", "country", "state", "kyc_status", "tier"}));
  EndUser u;
  PAYOPS_ASSIGN_OR_RETURN(auto org, f.OptStr("org_id", 64));
  u.org_id = org.value_or("");
  PAYOPS_ASSIGN_OR_RETURN(u.name, f.Str("name", kMaxNameBytes));
  PAYOPS_ASSIGN_OR_RETURN(u.email, f.Str("email", 254));
  PAYOPS_ASSIGN_OR_RETURN(u.country, f.Str("country", 2));
  PAYOPS_ASSIGN_OR_RETURN(u.state, f.OptStr("state", 64));
  PAYOPS_ASSIGN_OR_RETURN(auto kyc, f.OptStr("kyc_status", 16));
  if (kyc) {
    PAYOPS_ASSIGN_OR_RETURN(u.kyc_status, KycField(*kyc));
  }
  PAYOPS_ASSIGN_OR_RETURN(auto tier, f.OptInt("tier"));
  u.tier = tier.value_or(1);
  return u;
}

Result<service::EndUserPatch> PatchFromJson(const json::object& body, std::string& reason) {
  Fields f(body);
  PAYOPS_TRY(f.AllowOnly({"kyc_status", "tier", "state", "reason"}));
  service::EndUserPatch p;
  PAYOPS_ASSIGN_OR_RETURN(auto kyc, f.OptStr("kyc_status", 16));
  if (kyc) {
    PAYOPS_ASSIGN_OR_RETURN(p.kyc_status, KycField(*kyc));
  }
  PAYOPS_ASSIGN_OR_RETURN(p.tier, f.OptInt("tier"));
  PAYOPS_ASSIGN_OR_RETURN(p.state, f.OptStr("state", 64));
  PAYOPS_ASSIGN_OR_RETURN(auto why, f.OptStr("reason", 1000));
  reason = why.value_or("");
  return p;
}

}  // namespace

void RegisterUsers(Api& api) {
  api.router().Add(
      "POST", "/v1/users",
      [&api](HttpRequest& req) {
        auto body = ParseObject(req.body);
        if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
        auto input = UserFromJson(*body);
        if (!input.ok()) return ErrorResponse(input.error(), req.request_id);
        return Respond(req, service::CreateEndUser(api.env(), req.actor, std::move(*input)), 201,
                       UserJson);
      },
      kShortWrite);
  api.router().Add("GET", "/v1/users", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    store::EndUserFilter filter;
    if (auto* org = req.Query("org_id")) filter.org_id = *org;
    if (auto* kyc = req.Query("kyc_status")) {
      auto k = KycField(*kyc);
      if (!k.ok()) return ErrorResponse(k.error(), req.request_id);
      filter.kyc_status = *kyc;
    }
    auto users = service::ListEndUsers(api.env(), req.actor, *page, filter);
    if (!users.ok()) return ErrorResponse(users.error(), req.request_id);
    json::array data;
    for (const EndUser& u : users->items) data.emplace_back(UserJson(u));
    return JsonResponse(200, ListBody(std::move(data), users->has_more,
                                      users->items.empty() ? "" : users->items.back().id));
  });
  api.router().Add("GET", "/v1/users/{id}/limits", [&api](HttpRequest& req) {
    return Respond(
        req, service::EndUserLimits(api.env(), req.actor, req.Param("id")), 200,
        [](const service::LimitUsage& l) {
          auto window = [](std::string_view name, int64_t limit, int64_t used) {
            return json::object{{"window", name},
                                {"limit", limit},
                                {"used", used},
                                {"remaining", limit > used ? limit - used : 0}};
          };
          return json::object{
              {"user_id", l.user.id},
              {"tier", l.user.tier},
              {"kyc_status", KycStatusName(l.user.kyc_status)},
              {"currency", l.currency},
              {"per_transaction", l.limit.per_transaction_minor},
              {"windows",
               json::array{window("24h", l.limit.daily_minor, l.used_day_minor),
                           window("30d", l.limit.rolling_30_days_minor, l.used_30_days_minor)}},
              {"transactions_24h", l.transactions_day},
              {"as_of", TimeJson(l.as_of)}};
        });
  });
  api.router().Add("GET", "/v1/users/{id}", [&api](HttpRequest& req) {
    return Respond(req, service::GetEndUser(api.env(), req.actor, req.Param("id")), 200, UserJson);
  });
  api.router().Add("PATCH", "/v1/users/{id}", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    std::string reason;
    auto patch = PatchFromJson(*body, reason);
    if (!patch.ok()) return ErrorResponse(patch.error(), req.request_id);
    return Respond(req,
                   service::PatchEndUser(api.env(), req.actor, req.Param("id"), *patch, reason),
                   200, UserJson);
  });
  api.router().Add("POST", "/v1/users/{id}/suspend", [&api](HttpRequest& req) {
    std::string reason = "suspended";
    if (!req.body.empty()) {
      auto body = ParseObject(req.body);
      if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
      Fields f(*body);
      if (auto s = f.AllowOnly({"reason"}); !s.ok())
        return ErrorResponse(s.error(), req.request_id);
      auto why = f.OptStr("reason", 1000);
      if (!why.ok()) return ErrorResponse(why.error(), req.request_id);
      if (why.value()) reason = *why.value();
    }
    service::EndUserPatch patch;
    patch.kyc_status = KycStatus::kSuspended;
    return Respond(req, service::PatchEndUser(api.env(), req.actor, req.Param("id"), patch, reason),
                   200, UserJson);
  });
  api.router().Add("GET", "/v1/users/{id}/history", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    auto history = service::EndUserHistory(api.env(), req.actor, req.Param("id"), *page);
    if (!history.ok()) return ErrorResponse(history.error(), req.request_id);
    json::array data;
    for (const auto& e : history->items) {
      boost::system::error_code ec;
      json::value detail = json::parse(e.detail, ec);
      data.emplace_back(json::object{{"at", TimeJson(e.at)},
                                     {"actor", e.actor},
                                     {"action", e.action},
                                     {"detail", ec ? json::value(e.detail) : detail}});
    }
    return JsonResponse(
        200, ListBody(std::move(data), history->has_more,
                      history->items.empty() ? "" : store::AuditPageKey(history->items.back())));
  });
}

}  // namespace payops::http
