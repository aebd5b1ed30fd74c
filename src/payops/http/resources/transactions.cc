// POST/GET /v1/transactions, GET /v1/transactions/{id}, and the actions
// cancel, release, retry-balance-check, refund, return, chargeback.
#include "payops/service/transactions.h"
#include "payops/core/transaction.h"
#include "payops/http/api.h"

namespace payops::http {
namespace {

json::array RiskReasons(const std::optional<std::string>& text) {
  json::array out;
  if (!text) return out;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find(',', start);
    if (end == std::string::npos) end = text->size();
    std::string item = text->substr(start, end - start);
    size_t colon = item.rfind(':');
    if (colon != std::string::npos) {
      out.emplace_back(json::object{{"code", item.substr(0, colon)},
                                    {"points", std::stoll(item.substr(colon + 1))}});
    }
    start = end + 1;
  }
  return out;
}

json::array ReleasePathsJson(ReleaseMask mask) {
  json::array out;
  for (uint8_t bit = 1; bit != 0 && bit <= 32; bit = static_cast<uint8_t>(bit << 1)) {
    if ((mask & bit) != 0) out.emplace_back(ReleasePathName(static_cast<ReleasePath>(bit)));
  }
  return out;
}

}  // namespace

json::object TransactionSummaryJson(const store::TransactionRecord& t) {
  json::object o{
      {"id", t.id},
      {"org_id", t.org_id},
      {"user_id", t.user_id},
      {"recipient_id", t.recipient_id},
      {"funding", json::object{{"type", t.funding_type}, {"id", t.funding_id}}},
      {"amount", t.amount},
      {"currency", t.currency},
      {"fee", t.fee},
      {"payout_currency", t.payout_currency},
      {"corridor", t.corridor},
      {"ip_country", OptJson(t.ip_country)},
      {"device_id", t.device_id},
      {"status", t.status},
      {"cancel_reason", OptJson(t.cancel_reason)},
      {"return_code", OptJson(t.return_code)},
      {"batch_id", t.batch_date && t.funding_type == "ach" ? json::value("ach_" + *t.batch_date)
                                                           : json::value(nullptr)},
      {"settlement_date", OptJson(t.settlement_date)},
      {"trace_number", OptJson(t.trace_number)},
      {"created_at", TimeJson(t.created_at)},
      {"updated_at", TimeJson(t.updated_at)}};
  json::value hold = nullptr;
  if (t.status == "HOLD" && t.hold_reason) {
    if (auto r = ParseHoldReason(*t.hold_reason)) {
      const HoldReasonInfo& info = HoldInfo(*r);
      hold = json::object{{"reason", info.code},
                          {"explanation", info.explanation},
                          {"next_action", info.next_action},
                          {"release_paths", ReleasePathsJson(info.release_paths)}};
    }
  }
  o["hold"] = std::move(hold);
  if (t.risk_score) {
    o["risk"] = json::object{{"score", *t.risk_score},
                             {"band", OptJson(t.risk_band)},
                             {"reasons", RiskReasons(t.risk_reasons)}};
  } else {
    o["risk"] = nullptr;
  }
  return o;
}

namespace {

json::object Full(const service::TransactionView& v) {
  json::object o = TransactionSummaryJson(v.txn);
  json::array history;
  for (const auto& h : v.history) {
    history.emplace_back(json::object{{"at", TimeJson(h.at)},
                                      {"from", OptJson(h.from_status)},
                                      {"to", h.to_status},
                                      {"actor", h.actor},
                                      {"actor_name", NameOf(v.actor_names, h.actor)},
                                      {"reason", h.reason},
                                      {"note", OptJson(h.note)}});
  }
  o["history"] = std::move(history);
  return o;
}

Result<service::NewTransaction> Parse(const json::object& body) {
  Fields f(body);
  PAYOPS_TRY(f.AllowOnly({"user_id", "recipient_id", "funding", "amount", "currency",
                          "payout_currency", "corridor", "ip_address", "device_id"}));
  service::NewTransaction in;
  PAYOPS_ASSIGN_OR_RETURN(in.user_id, f.Str("user_id", 64));
  PAYOPS_ASSIGN_OR_RETURN(in.recipient_id, f.Str("recipient_id", 64));
  PAYOPS_ASSIGN_OR_RETURN(const json::object* funding, f.OptObject("funding"));
  if (!funding) return Error::Invalid("missing_field", "funding is required", "funding");
  Fields ff(*funding, "funding");
  PAYOPS_TRY(ff.AllowOnly({"type", "id"}));
  PAYOPS_ASSIGN_OR_RETURN(in.funding_type, ff.Str("type", 16));
  PAYOPS_ASSIGN_OR_RETURN(in.funding_id, ff.Str("id", 64));
  PAYOPS_ASSIGN_OR_RETURN(in.amount, f.Int("amount"));
  PAYOPS_ASSIGN_OR_RETURN(in.currency, f.Str("currency", 3));
  PAYOPS_ASSIGN_OR_RETURN(in.payout_currency, f.Str("payout_currency", 3));
  PAYOPS_ASSIGN_OR_RETURN(in.corridor, f.Str("corridor", 5));
  PAYOPS_ASSIGN_OR_RETURN(in.ip_address, f.Str("ip_address", 64));
  PAYOPS_ASSIGN_OR_RETURN(in.device_id, f.Str("device_id", 200));
  return in;
}

// Reads {"<field>": string} (and nothing else but `also`) from an action body.
Result<std::string> ActionText(const HttpRequest& req, const char* field, bool required,
                               std::initializer_list<std::string_view> allowed) {
  if (req.body.empty()) {
    if (required)
      return Error::Invalid("missing_field", std::string(field) + " is required", field);
    return std::string();
  }
  PAYOPS_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
  Fields f(body);
  PAYOPS_TRY(f.AllowOnly(allowed));
  if (required) return f.Str(field, 2000);
  PAYOPS_ASSIGN_OR_RETURN(auto v, f.OptStr(field, 2000));
  return v.value_or("");
}

}  // namespace

void RegisterTransactions(Api& api) {
  Router& r = api.router();
  r.Add(
      "POST", "/v1/transactions",
      [&api](HttpRequest& req) {
        auto body = ParseObject(req.body);
        if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
        auto in = Parse(*body);
        if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
        return Respond(req, service::CreateTransaction(api.env(), req.actor, *in), 201, Full);
      },
      RouteOptions{.fiber = true, .write_after_lock = true});
  r.Add("GET", "/v1/transactions", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    store::TransactionFilter filter;
    if (auto* s = req.Query("status")) {
      if (!ParseTxnStatus(*s)) {
        return ErrorResponse(Error::Invalid("invalid_value", "unknown status " + *s, "status"),
                             req.request_id);
      }
      filter.status = *s;
    }
    if (auto* u = req.Query("user_id")) filter.user_id = *u;
    if (auto* o = req.Query("org_id")) filter.org_id = *o;
    if (auto* h = req.Query("hold_reason")) {
      if (!ParseHoldReason(*h)) {
        return ErrorResponse(
            Error::Invalid("invalid_value", "unknown hold reason " + *h, "hold_reason"),
            req.request_id);
      }
      filter.hold_reason = *h;
    }
    for (auto [name, target] : {std::pair{"created_from", &filter.created_from},
                                std::pair{"created_to", &filter.created_to}}) {
      if (auto* v = req.Query(name)) {
        auto t = ParseRfc3339(*v);
        if (!t) {
          return ErrorResponse(
              Error::Invalid("invalid_time", std::string(name) + " must be RFC 3339", name),
              req.request_id);
        }
        *target = *t;
      }
    }
    auto list = service::ListTransactions(api.env(), req.actor, *page, filter);
    if (!list.ok()) return ErrorResponse(list.error(), req.request_id);
    json::array data;
    for (const auto& t : list->items) data.emplace_back(TransactionSummaryJson(t));
    return JsonResponse(200, ListBody(std::move(data), list->has_more,
                                      list->items.empty() ? "" : list->items.back().id));
  });
  // Before /v1/transactions/{id}: the first matching route answers.
  r.Add("GET", "/v1/transactions/hold-counts", [&api](HttpRequest& req) {
    std::optional<std::string> org_id;
    if (auto* o = req.Query("org_id")) org_id = *o;
    auto counts = service::CountHolds(api.env(), req.actor, org_id);
    if (!counts.ok()) return ErrorResponse(counts.error(), req.request_id);
    json::array data;
    int64_t total = 0;
    for (const HoldReasonInfo& info : AllHoldReasons()) {
      int64_t n = 0;
      for (const auto& c : *counts) {
        if (c.reason == info.code) n = c.count;
      }
      total += n;
      data.emplace_back(json::object{{"reason", info.code},
                                     {"count", n},
                                     {"explanation", info.explanation},
                                     {"next_action", info.next_action},
                                     {"release_paths", ReleasePathsJson(info.release_paths)}});
    }
    return JsonResponse(200, json::object{{"data", std::move(data)}, {"total", total}});
  });
  r.Add("GET", "/v1/transactions/{id}", [&api](HttpRequest& req) {
    return Respond(req, service::GetTransaction(api.env(), req.actor, req.Param("id")), 200, Full);
  });
  r.Add(
      "POST", "/v1/transactions/{id}/cancel",
      [&api](HttpRequest& req) {
        auto note = ActionText(req, "note", false, {"note"});
        if (!note.ok()) return ErrorResponse(note.error(), req.request_id);
        return Respond(req,
                       service::CancelTransaction(api.env(), req.actor, req.Param("id"), *note),
                       200, Full);
      },
      kShortWrite);
  r.Add(
      "POST", "/v1/transactions/{id}/release",
      [&api](HttpRequest& req) {
        auto body = ParseObject(req.body.empty() ? "{}" : req.body);
        if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
        Fields f(*body);
        if (auto s = f.AllowOnly({"note", "skip_balance_check"}); !s.ok()) {
          return ErrorResponse(s.error(), req.request_id);
        }
        auto note = f.OptStr("note", 2000);
        auto skip = f.OptBool("skip_balance_check");
        if (!note.ok()) return ErrorResponse(note.error(), req.request_id);
        if (!skip.ok()) return ErrorResponse(skip.error(), req.request_id);
        return Respond(req,
                       service::ReleaseTransaction(api.env(), req.actor, req.Param("id"),
                                                   note->value_or(""), skip->value_or(false)),
                       200, Full);
      },
      kShortWrite);
  r.Add(
      "POST", "/v1/transactions/{id}/retry-balance-check",
      [&api](HttpRequest& req) {
        auto note = ActionText(req, "note", false, {"note"});
        if (!note.ok()) return ErrorResponse(note.error(), req.request_id);
        return Respond(req,
                       service::RetryBalanceCheck(api.env(), req.actor, req.Param("id"), *note),
                       200, Full);
      },
      kShortWrite);
  r.Add(
      "POST", "/v1/transactions/{id}/refund",
      [&api](HttpRequest& req) {
        auto note = ActionText(req, "note", false, {"note"});
        if (!note.ok()) return ErrorResponse(note.error(), req.request_id);
        return Respond(req,
                       service::RefundTransaction(api.env(), req.actor, req.Param("id"), *note),
                       200, Full);
      },
      kShortWrite);
  r.Add(
      "POST", "/v1/transactions/{id}/return",
      [&api](HttpRequest& req) {
        auto code = ActionText(req, "code", true, {"code"});
        if (!code.ok()) return ErrorResponse(code.error(), req.request_id);
        return Respond(req,
                       service::ReturnTransaction(api.env(), req.actor, req.Param("id"), *code),
                       200, Full);
      },
      kShortWrite);
  r.Add(
      "POST", "/v1/transactions/{id}/chargeback",
      [&api](HttpRequest& req) {
        auto reason = ActionText(req, "reason", true, {"reason"});
        if (!reason.ok()) return ErrorResponse(reason.error(), req.request_id);
        return Respond(
            req, service::ChargebackTransaction(api.env(), req.actor, req.Param("id"), *reason),
            200, Full);
      },
      kShortWrite);
}

}  // namespace payops::http
