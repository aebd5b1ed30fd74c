// GET /v1/ach/batches?date=, GET /v1/ach/batches/{id}, GET /v1/ach/batches/{id}/nacha,
// POST /v1/ach/returns (a NACHA returns file as text/plain).
#include "payops/service/ach.h"
#include "payops/core/validate.h"
#include "payops/http/api.h"

namespace payops::http {

json::object BatchJson(const store::AchBatch& b) {
  return json::object{
      {"id", b.id},
      {"batch_date", b.batch_date},
      {"status", b.status},
      {"cutoff_at", TimeJson(b.cutoff_at)},
      {"settles_at", TimeJson(b.settles_at)},
      {"closed_at", TimeJson(b.closed_at)},
      {"settled_at", b.settled_at ? json::value(TimeJson(*b.settled_at)) : json::value(nullptr)},
      {"entry_count", b.entry_count},
      {"total_debit", b.total_debit},
      {"currency", "USD"}};
}

void RegisterAch(Api& api) {
  Router& r = api.router();
  r.Add("GET", "/v1/ach/batches", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    std::optional<std::string> date;
    if (auto* d = req.Query("date")) {
      if (!IsDate(*d)) {
        return ErrorResponse(Error::Invalid("invalid_date", "date must be YYYY-MM-DD", "date"),
                             req.request_id);
      }
      date = *d;
    }
    auto list = service::ListAchBatches(api.env(), req.actor, *page, date);
    if (!list.ok()) return ErrorResponse(list.error(), req.request_id);
    json::array data;
    for (const auto& b : list->items) data.emplace_back(BatchJson(b));
    return JsonResponse(200, ListBody(std::move(data), list->has_more,
                                      list->items.empty() ? "" : list->items.back().id));
  });
  r.Add("GET", "/v1/ach/batches/{id}", [&api](HttpRequest& req) {
    return Respond(req, service::GetAchBatch(api.env(), req.actor, req.Param("id")), 200,
                   BatchJson);
  });
  r.Add("GET", "/v1/ach/batches/{id}/nacha", [&api](HttpRequest& req) {
    auto text = service::ExportNacha(api.env(), req.actor, req.Param("id"));
    if (!text.ok()) return ErrorResponse(text.error(), req.request_id);
    HttpResponse res;
    res.content_type = "text/plain; charset=us-ascii";
    res.body = std::move(*text);
    res.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"" + req.Param("id") + ".ach\"");
    return res;
  });
  r.Add("POST", "/v1/ach/returns", [&api](HttpRequest& req) {
    auto report = service::ImportReturns(api.env(), req.actor, req.body);
    if (!report.ok()) return ErrorResponse(report.error(), req.request_id);
    json::array returned, unknown;
    for (const auto& [id, code] : report->returned) {
      returned.emplace_back(json::object{{"transaction_id", id}, {"code", code}});
    }
    for (const auto& t : report->unknown_traces) unknown.emplace_back(t);
    return JsonResponse(200, json::object{{"returned", std::move(returned)},
                                          {"unknown_traces", std::move(unknown)}});
  });
}

}  // namespace payops::http
