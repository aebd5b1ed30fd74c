// GET /v1/reports/monthly?org_id=&month=YYYY-MM (JSON, or CSV with
// Accept: text/csv), GET /v1/reports/statements?org_id=, POST
// /v1/tickets/{id}/corrections.
#include "payops/service/statements.h"
#include "payops/http/api.h"

namespace payops::http {
namespace {

std::optional<std::string> OptQuery(const HttpRequest& req, const char* name) {
  const std::string* v = req.Query(name);
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

json::value DirectionOf(statement::Section s) {
  switch (s) {
    case statement::Section::kPayin:
    case statement::Section::kRefund:
    case statement::Section::kReturn:
      return "payin";
    case statement::Section::kPayout:
      return "payout";
    default:
      return nullptr;
  }
}

json::object LineJson(const statement::Line& l) {
  return json::object{
      {"id", l.id},
      {"seq", l.seq},
      {"section", statement::SectionName(l.section)},
      {"direction", DirectionOf(l.section)},
      {"currency", l.currency},
      {"corridor", l.corridor.empty() ? json::value(nullptr) : json::value(l.corridor)},
      {"count", l.count},
      {"volume", l.volume},
      {"fee", l.fee},
      {"fee_total", l.fee_total},
      {"amount", l.amount},
      {"description", l.description}};
}

json::object TotalsJson(const statement::Totals& t) {
  return json::object{{"currency", t.currency},           {"payin_count", t.payin_count},
                      {"payin_volume", t.payin_volume},   {"payout_count", t.payout_count},
                      {"payout_volume", t.payout_volume}, {"refund_count", t.refund_count},
                      {"refund_volume", t.refund_volume}, {"return_count", t.return_count},
                      {"return_volume", t.return_volume}, {"fees", t.fees},
                      {"plan_charges", t.plan_charges},   {"corrections", t.corrections},
                      {"total_due", t.total_due}};
}

json::object StatementJson(const service::StatementView& v) {
  json::array lines;
  for (const auto& l : v.lines) lines.emplace_back(LineJson(l));
  json::array totals;
  for (const auto& t : v.totals) totals.emplace_back(TotalsJson(t));
  return json::object{{"id", v.record.id},
                      {"org_id", v.record.org_id},
                      {"org_name", v.org_name},
                      {"month", v.record.month},
                      {"issued_at", TimeJson(v.record.issued_at)},
                      {"lines", std::move(lines)},
                      {"totals", std::move(totals)}};
}

json::object CorrectionJson(const store::CorrectionRecord& c) {
  return json::object{{"id", c.id},
                      {"org_id", c.org_id},
                      {"ticket_id", OptJson(c.ticket_id)},
                      {"statement_id", OptJson(c.statement_id)},
                      {"line_id", OptJson(c.line_id)},
                      {"currency", c.currency},
                      {"amount", c.amount},
                      {"reason", c.reason},
                      {"created_by", c.created_by},
                      {"created_at", TimeJson(c.created_at)},
                      {"applied_statement_id", OptJson(c.applied_statement_id)}};
}

bool WantsCsv(const HttpRequest& req) {
  return req.accept.find("text/csv") != std::string::npos;
}

}  // namespace

json::object DisputedStatementJson(const service::DisputedStatement& d) {
  json::array lines;
  for (const auto& l : d.lines) lines.emplace_back(LineJson(l));
  json::array corrections;
  for (const auto& c : d.corrections) corrections.emplace_back(CorrectionJson(c));
  return json::object{
      {"id", d.record.id.empty() ? json::value(nullptr) : json::value(d.record.id)},
      {"month", d.record.month.empty() ? json::value(nullptr) : json::value(d.record.month)},
      {"lines", std::move(lines)},
      {"corrections", std::move(corrections)}};
}

void RegisterStatements(Api& api) {
  Router& r = api.router();
  r.Add("GET", "/v1/reports/monthly", [&api](HttpRequest& req) {
    // Without month the service still decides who may ask first (403 before 400).
    const std::string* month = req.Query("month");
    auto v = service::GetMonthlyStatement(api.env(), req.actor, OptQuery(req, "org_id"),
                                          month ? *month : std::string());
    if (!v.ok()) return ErrorResponse(v.error(), req.request_id);
    if (WantsCsv(req)) {
      HttpResponse res;
      res.status = 200;
      res.content_type = "text/csv; charset=utf-8";
      res.body = v->Csv();
      res.headers.emplace_back("Content-Disposition",
                               "attachment; filename=\"statement-" + v->record.month + ".csv\"");
      return res;
    }
    return JsonResponse(200, StatementJson(*v));
  });
  r.Add("GET", "/v1/reports/statements", [&api](HttpRequest& req) {
    auto list = service::ListStatements(api.env(), req.actor, OptQuery(req, "org_id"));
    if (!list.ok()) return ErrorResponse(list.error(), req.request_id);
    json::array data;
    for (const auto& v : *list) data.emplace_back(StatementJson(v));
    return JsonResponse(200, json::object{{"data", std::move(data)}, {"next_cursor", nullptr}});
  });
  r.Add("POST", "/v1/tickets/{id}/corrections", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    auto in = [&]() -> Result<service::NewCorrection> {
      Fields f(*body);
      PAYOPS_TRY(f.AllowOnly({"amount", "currency", "reason", "line_id"}));
      service::NewCorrection c;
      PAYOPS_ASSIGN_OR_RETURN(c.amount, f.Int("amount"));
      PAYOPS_ASSIGN_OR_RETURN(c.currency, f.Str("currency", 3));
      PAYOPS_ASSIGN_OR_RETURN(c.reason, f.Str("reason", statement::kMaxCorrectionReasonBytes));
      PAYOPS_ASSIGN_OR_RETURN(c.line_id, f.OptStr("line_id", 64));
      return c;
    }();
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    return Respond(req, service::IssueCorrection(api.env(), req.actor, req.Param("id"), *in), 201,
                   CorrectionJson);
  });
}

}  // namespace payops::http
