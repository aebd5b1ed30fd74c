// Bank accounts, cards and recipients of end users:
// POST/GET /v1/users/{id}/bank-accounts, PATCH /v1/bank-accounts/{id},
// POST/GET /v1/users/{id}/cards, POST/GET /v1/users/{id}/recipients.
#include "payops/service/funding.h"
#include "payops/http/api.h"

namespace payops::http {
namespace {

json::object BankJson(const store::BankAccount& a) {
  return json::object{{"id", a.id},
                      {"user_id", a.user_id},
                      {"org_id", a.org_id},
                      {"routing_number", a.routing_number},
                      {"account_number", service::MaskedAccount(a)},
                      {"account_type", a.account_type},
                      {"bank_status", a.bank_status},
                      {"sandbox_balance", a.sandbox_balance},
                      {"sandbox_error", OptJson(a.sandbox_error)},
                      {"created_at", TimeJson(a.created_at)},
                      {"updated_at", TimeJson(a.updated_at)}};
}

json::object CardJson(const store::Card& c) {
  return json::object{{"id", c.id},
                      {"user_id", c.user_id},
                      {"token", c.token},
                      {"last4", c.last4},
                      {"created_at", TimeJson(c.created_at)}};
}

json::object RecipientJson(const store::Recipient& r) {
  return json::object{{"id", r.id},
                      {"user_id", r.user_id},
                      {"name", r.name},
                      {"country", r.country},
                      {"payout_method", r.payout_method},
                      {"created_at", TimeJson(r.created_at)}};
}

template <class T>
HttpResponse ListOf(const HttpRequest& req, Result<store::Page<T>> items,
                    json::object (*to_json)(const T&)) {
  if (!items.ok()) return ErrorResponse(items.error(), req.request_id);
  json::array data;
  for (const T& i : items->items) data.emplace_back(to_json(i));
  return JsonResponse(200, ListBody(std::move(data), items->has_more,
                                    items->items.empty() ? "" : items->items.back().id));
}

// Parses the body with `parse`, which fills its output from strict Fields.
template <class T, class P>
Result<T> ParseBody(const HttpRequest& req, P&& parse) {
  PAYOPS_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
  Fields f(body);
  T out;
  PAYOPS_TRY(parse(f, out));
  return out;
}

}  // namespace

void RegisterFunding(Api& api) {
  Router& r = api.router();
  r.Add("POST", "/v1/users/{id}/bank-accounts", [&api](HttpRequest& req) {
    auto in = ParseBody<service::NewBankAccount>(
        req, [](Fields& f, service::NewBankAccount& o) -> Status {
          PAYOPS_TRY(f.AllowOnly({"routing_number", "account_number", "account_type", "bank_status",
                                  "sandbox_balance"}));
          PAYOPS_ASSIGN_OR_RETURN(o.routing_number, f.Str("routing_number", 32));
          PAYOPS_ASSIGN_OR_RETURN(o.account_number, f.Str("account_number", 32));
          PAYOPS_ASSIGN_OR_RETURN(auto type, f.OptStr("account_type", 16));
          PAYOPS_ASSIGN_OR_RETURN(auto status, f.OptStr("bank_status", 32));
          PAYOPS_ASSIGN_OR_RETURN(auto balance, f.OptInt("sandbox_balance"));
          o.account_type = type.value_or("checking");
          o.bank_status = status.value_or("VERIFIED");
          o.sandbox_balance = balance.value_or(0);
          return Status::Ok();
        });
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req, service::CreateBankAccount(api.env(), req.actor, req.Param("id"), *in), 201,
                   BankJson);
  });
  r.Add("GET", "/v1/users/{id}/bank-accounts", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    return ListOf<store::BankAccount>(
        req, service::ListBankAccounts(api.env(), req.actor, req.Param("id"), *page), BankJson);
  });
  r.Add("PATCH", "/v1/bank-accounts/{id}", [&api](HttpRequest& req) {
    auto in = ParseBody<service::BankAccountPatch>(
        req, [](Fields& f, service::BankAccountPatch& o) -> Status {
          PAYOPS_TRY(f.AllowOnly({"bank_status", "sandbox_balance", "sandbox_error"}));
          PAYOPS_ASSIGN_OR_RETURN(o.bank_status, f.OptStr("bank_status", 32));
          PAYOPS_ASSIGN_OR_RETURN(o.sandbox_balance, f.OptInt("sandbox_balance"));
          o.set_sandbox_error = f.Has("sandbox_error");
          PAYOPS_ASSIGN_OR_RETURN(o.sandbox_error, f.OptStr("sandbox_error", 64));
          return Status::Ok();
        });
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req, service::PatchBankAccount(api.env(), req.actor, req.Param("id"), *in), 200,
                   BankJson);
  });
  r.Add("POST", "/v1/users/{id}/cards", [&api](HttpRequest& req) {
    struct In {
      std::string token, last4;
    };
    auto in = ParseBody<In>(req, [](Fields& f, In& o) -> Status {
      PAYOPS_TRY(f.AllowOnly({"token", "last4"}));
      PAYOPS_ASSIGN_OR_RETURN(o.token, f.Str("token", 1000));
      PAYOPS_ASSIGN_OR_RETURN(o.last4, f.Str("last4", 64));
      return Status::Ok();
    });
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req,
                   service::CreateCard(api.env(), req.actor, req.Param("id"), in->token, in->last4),
                   201, CardJson);
  });
  r.Add("GET", "/v1/users/{id}/cards", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    return ListOf<store::Card>(
        req, service::ListCards(api.env(), req.actor, req.Param("id"), *page), CardJson);
  });
  r.Add("POST", "/v1/users/{id}/recipients", [&api](HttpRequest& req) {
    struct In {
      std::string name, country, payout_method;
    };
    auto in = ParseBody<In>(req, [](Fields& f, In& o) -> Status {
      PAYOPS_TRY(f.AllowOnly({"name", "country", "payout_method"}));
      PAYOPS_ASSIGN_OR_RETURN(o.name, f.Str("name", 200));
      PAYOPS_ASSIGN_OR_RETURN(o.country, f.Str("country", 2));
      PAYOPS_ASSIGN_OR_RETURN(o.payout_method, f.Str("payout_method", 32));
      return Status::Ok();
    });
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req,
                   service::CreateRecipient(api.env(), req.actor, req.Param("id"), in->name,
                                            in->country, in->payout_method),
                   201, RecipientJson);
  });
  r.Add("GET", "/v1/users/{id}/recipients", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    return ListOf<store::Recipient>(
        req, service::ListRecipients(api.env(), req.actor, req.Param("id"), *page), RecipientJson);
  });
}

}  // namespace payops::http
