// GET /v1/accounts?org_id=, GET /v1/accounts/{id}/payins, POST/GET /v1/payouts,
// POST /v1/sandbox/deposits.
#include "payops/service/ledger.h"
#include "payops/http/api.h"

namespace payops::http {
namespace {

json::object LineJson(const store::PostingLine& l) {
  return json::object{{"id", l.entry_id.empty() ? l.reference : l.entry_id},
                      {"kind", l.kind},
                      {"reference", l.reference},
                      {"account_id", l.account_id},
                      {"currency", l.currency},
                      {"amount", l.amount_minor},
                      {"at", TimeJson(l.at)}};
}

std::optional<std::string> OptQuery(const HttpRequest& req, const char* name) {
  const std::string* v = req.Query(name);
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

HttpResponse Lines(const HttpRequest& req, Result<store::Page<store::PostingLine>> page) {
  if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
  json::array data;
  for (const auto& l : page->items) data.emplace_back(LineJson(l));
  return JsonResponse(200, ListBody(std::move(data), page->has_more,
                                    page->items.empty() ? "" : page->items.back().entry_id));
}

}  // namespace

void RegisterLedger(Api& api) {
  Router& r = api.router();
  r.Add("GET", "/v1/accounts", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    auto accounts = service::ListAccounts(api.env(), req.actor, OptQuery(req, "org_id"), *page);
    if (!accounts.ok()) return ErrorResponse(accounts.error(), req.request_id);
    json::array data;
    for (const auto& a : accounts->items) {
      data.emplace_back(json::object{
          {"id", a.account_id}, {"currency", a.currency}, {"balance", a.balance_minor}});
    }
    return JsonResponse(200,
                        ListBody(std::move(data), accounts->has_more,
                                 accounts->items.empty() ? "" : accounts->items.back().account_id));
  });
  r.Add("GET", "/v1/accounts/{id}/payins", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    return Lines(req, service::ListPayins(api.env(), req.actor, req.Param("id"), *page));
  });
  r.Add("POST", "/v1/payouts", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    auto in = [&]() -> Result<service::NewPayout> {
      Fields f(*body);
      PAYOPS_TRY(f.AllowOnly({"org_id", "currency", "corridor", "amount"}));
      service::NewPayout p;
      PAYOPS_ASSIGN_OR_RETURN(p.org_id, f.OptStr("org_id", 64));
      PAYOPS_ASSIGN_OR_RETURN(p.currency, f.Str("currency", 3));
      PAYOPS_ASSIGN_OR_RETURN(p.corridor, f.Str("corridor", 5));
      PAYOPS_ASSIGN_OR_RETURN(p.amount, f.Int("amount"));
      return p;
    }();
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req, service::CreatePayout(api.env(), req.actor, *in), 201,
                   [](const service::PayoutView& v) {
                     return json::object{{"id", v.id},
                                         {"org_id", v.org_id},
                                         {"currency", v.currency},
                                         {"corridor", v.corridor},
                                         {"amount", v.amount},
                                         {"fee", v.fee},
                                         {"created_at", TimeJson(v.created_at)}};
                   });
  });
  r.Add("GET", "/v1/payouts", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    return Lines(req, service::ListPayouts(api.env(), req.actor, OptQuery(req, "org_id"),
                                           OptQuery(req, "currency").value_or("USD"), *page));
  });
  if (api.options().sandbox) {
    r.Add("POST", "/v1/sandbox/deposits", [&api](HttpRequest& req) {
      auto body = ParseObject(req.body);
      if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
      Fields f(*body);
      if (auto s = f.AllowOnly({"account_id", "amount"}); !s.ok()) {
        return ErrorResponse(s.error(), req.request_id);
      }
      auto account = f.Str("account_id", 128);
      auto amount = f.Int("amount");
      if (!account.ok()) return ErrorResponse(account.error(), req.request_id);
      if (!amount.ok()) return ErrorResponse(amount.error(), req.request_id);
      return Respond(req, service::SandboxDeposit(api.env(), req.actor, *account, *amount), 201,
                     LineJson);
    });
  }
}

}  // namespace payops::http
