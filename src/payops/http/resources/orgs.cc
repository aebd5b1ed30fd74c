// POST /v1/orgs, GET /v1/orgs, GET and PATCH /v1/orgs/{id}
#include "payops/service/orgs.h"
#include "payops/http/api.h"

namespace payops::http {
namespace {

json::object OrgJson(const Org& o) {
  json::object j;
  j["id"] = o.id;
  j["name"] = o.name;
  j["domain"] = o.domain;
  j["sla_plan"] = o.sla_plan;
  j["hypercare_plan"] = o.hypercare_plan;
  j["bau_plan"] = o.bau_plan;
  j["go_live_date"] = o.go_live_date;
  json::array countries;
  for (const auto& c : o.allowed_countries) countries.emplace_back(c);
  j["allowed_countries"] = std::move(countries);
  json::array fees;
  for (const Fee& f : o.fees) {
    fees.emplace_back(json::object{{"direction", f.direction},
                                   {"currency", f.currency},
                                   {"corridor", f.corridor},
                                   {"fee", f.fee_minor}});
  }
  j["fees"] = std::move(fees);
  if (o.emi) {
    j["emi"] = json::object{{"name", o.emi->name},
                            {"contact_email", o.emi->contact_email},
                            {"escalation_procedure", o.emi->escalation_procedure}};
  } else {
    j["emi"] = nullptr;
  }
  j["kyc_by_partner"] = o.kyc_by_partner;
  json::array billing;
  for (const auto& e : o.billing_emails) billing.emplace_back(e);
  j["billing_emails"] = std::move(billing);
  j["created_at"] = TimeJson(o.created_at);
  j["updated_at"] = TimeJson(o.updated_at);
  return j;
}

Result<Org> OrgFromJson(const json::object& body) {
  Fields f(body);
  PAYOPS_TRY(
      f.AllowOnly({"name", "domain", "sla_plan", "hypercare_plan", "bau_plan", "go_live_date",
                   "allowed_countries", "fees", "emi", "kyc_by_partner", "billing_emails"}));
  Org o;
  PAYOPS_ASSIGN_OR_RETURN(o.name, f.Str("name", kMaxNameBytes));
  PAYOPS_ASSIGN_OR_RETURN(o.domain, f.Str("domain", 253));
  PAYOPS_ASSIGN_OR_RETURN(o.sla_plan, f.Str("sla_plan", 32));
  PAYOPS_ASSIGN_OR_RETURN(o.hypercare_plan, f.Str("hypercare_plan", 32));
  PAYOPS_ASSIGN_OR_RETURN(o.bau_plan, f.Str("bau_plan", 32));
  PAYOPS_ASSIGN_OR_RETURN(o.go_live_date, f.Str("go_live_date", 10));
  if (!f.Has("allowed_countries")) {
    return Error::Invalid("missing_field", "allowed_countries is required", "allowed_countries");
  }
  PAYOPS_ASSIGN_OR_RETURN(o.allowed_countries,
                          f.StrArray("allowed_countries", kMaxAllowedCountries, 2));
  PAYOPS_ASSIGN_OR_RETURN(const json::array* fees, f.OptArray("fees", kMaxOrgFees));
  if (fees) {
    for (const json::value& v : *fees) {
      if (!v.is_object()) return Error::Invalid("invalid_type", "fees must hold objects", "fees");
      Fields ff(v.get_object(), "fees[]");
      PAYOPS_TRY(ff.AllowOnly({"direction", "currency", "corridor", "fee"}));
      Fee fee;
      PAYOPS_ASSIGN_OR_RETURN(fee.direction, ff.Str("direction", 16));
      PAYOPS_ASSIGN_OR_RETURN(fee.currency, ff.Str("currency", 3));
      PAYOPS_ASSIGN_OR_RETURN(fee.corridor, ff.Str("corridor", 5));
      PAYOPS_ASSIGN_OR_RETURN(fee.fee_minor, ff.Int("fee"));
      o.fees.push_back(std::move(fee));
    }
  }
  PAYOPS_ASSIGN_OR_RETURN(auto kyc_by_partner, f.OptBool("kyc_by_partner"));
  o.kyc_by_partner = kyc_by_partner.value_or(false);
  if (f.Has("billing_emails")) {
    PAYOPS_ASSIGN_OR_RETURN(o.billing_emails, f.StrArray("billing_emails", kMaxBillingEmails, 254));
  }
  PAYOPS_ASSIGN_OR_RETURN(const json::object* emi, f.OptObject("emi"));
  if (emi) {
    Fields ef(*emi, "emi");
    PAYOPS_TRY(ef.AllowOnly({"name", "contact_email", "escalation_procedure"}));
    EmiInfo info;
    PAYOPS_ASSIGN_OR_RETURN(info.name, ef.Str("name", kMaxNameBytes));
    PAYOPS_ASSIGN_OR_RETURN(info.contact_email, ef.Str("contact_email", 254));
    PAYOPS_ASSIGN_OR_RETURN(auto proc, ef.OptStr("escalation_procedure", 10000));
    info.escalation_procedure = proc.value_or("");
    o.emi = std::move(info);
  }
  return o;
}

}  // namespace

void RegisterOrgs(Api& api) {
  api.router().Add("POST", "/v1/orgs", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    auto input = OrgFromJson(*body);
    if (!input.ok()) return ErrorResponse(input.error(), req.request_id);
    return Respond(req, service::CreateOrg(api.env(), req.actor, std::move(*input)), 201, OrgJson);
  });
  api.router().Add("GET", "/v1/orgs", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    auto orgs = service::ListOrgs(api.env(), req.actor, *page);
    if (!orgs.ok()) return ErrorResponse(orgs.error(), req.request_id);
    json::array data;
    for (const Org& o : orgs->items) data.emplace_back(OrgJson(o));
    return JsonResponse(200, ListBody(std::move(data), orgs->has_more,
                                      orgs->items.empty() ? "" : orgs->items.back().id));
  });
  api.router().Add("GET", "/v1/orgs/{id}", [&api](HttpRequest& req) {
    return Respond(req, service::GetOrg(api.env(), req.actor, req.Param("id")), 200, OrgJson);
  });
  api.router().Add("PATCH", "/v1/orgs/{id}", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    Fields f(*body);
    if (auto s = f.AllowOnly({"kyc_by_partner", "billing_emails", "reason"}); !s.ok()) {
      return ErrorResponse(s.error(), req.request_id);
    }
    service::OrgPatch patch;
    auto kyc = f.OptBool("kyc_by_partner");
    if (!kyc.ok()) return ErrorResponse(kyc.error(), req.request_id);
    patch.kyc_by_partner = *kyc;
    if (f.Has("billing_emails")) {
      auto emails = f.StrArray("billing_emails", kMaxBillingEmails, 254);
      if (!emails.ok()) return ErrorResponse(emails.error(), req.request_id);
      patch.billing_emails = std::move(*emails);
    }
    auto reason = f.OptStr("reason", 1000);
    if (!reason.ok()) return ErrorResponse(reason.error(), req.request_id);
    return Respond(
        req, service::PatchOrg(api.env(), req.actor, req.Param("id"), patch, reason->value_or("")),
        200, OrgJson);
  });
}

}  // namespace payops::http
