// POST/GET /v1/webhooks, DELETE /v1/webhooks/{id}, GET /v1/webhooks/{id}/deliveries
// (admin), and the JSON of the resources that webhook events carry.
#include "payops/service/webhooks.h"

#include "payops/http/api.h"

namespace payops::http {
namespace {

json::object WebhookJson(const store::Webhook& w) {
  json::array events;
  for (const auto& e : w.events) events.emplace_back(e);
  return json::object{
      {"id", w.id},
      {"url", w.url},
      {"events", std::move(events)},
      {"status", w.status},
      {"created_at", TimeJson(w.created_at)},
      {"disabled_at", w.disabled_at_us ? json::value(TimeJson(FromMicros(*w.disabled_at_us)))
                                       : json::value(nullptr)},
      {"disabled_reason", OptJson(w.disabled_reason)}};
}

json::value OptInt(const std::optional<int64_t>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

json::object DeliveryJson(const service::DeliveryView& v) {
  const store::WebhookDelivery& d = v.delivery;
  json::array attempts;
  for (const auto& a : v.attempts) {
    attempts.emplace_back(json::object{{"attempt", a.attempt},
                                       {"at", TimeJson(a.at)},
                                       {"status_code", OptInt(a.status_code)},
                                       {"error", OptJson(a.error)},
                                       {"duration_ms", a.duration_ms}});
  }
  return json::object{
      {"id", d.id},
      {"webhook_id", d.webhook_id},
      {"event_id", d.event_id},
      {"type", d.event_type},
      {"status", d.status},
      {"attempts", d.attempts},
      {"next_attempt_at", TimeJson(FromMicros(d.next_attempt_at_us))},
      {"last_status_code", OptInt(d.last_status_code)},
      {"last_error", OptJson(d.last_error)},
      {"created_at", TimeJson(d.created_at)},
      {"delivered_at", d.delivered_at_us ? json::value(TimeJson(FromMicros(*d.delivered_at_us)))
                                         : json::value(nullptr)},
      {"body", d.body},
      {"attempt_log", std::move(attempts)}};
}

class HttpResourceJson final : public service::ResourceJson {
 public:
  std::string Ticket(const store::TicketRecord& t) const override {
    return json::serialize(TicketJson(t));
  }
  std::string Transaction(const store::TransactionRecord& t) const override {
    return json::serialize(TransactionSummaryJson(t));
  }
  std::string Batch(const store::AchBatch& b) const override {
    return json::serialize(BatchJson(b));
  }
};

}  // namespace

std::unique_ptr<service::ResourceJson> MakeResourceJson() {
  return std::make_unique<HttpResourceJson>();
}

void RegisterWebhooks(Api& api) {
  Router& r = api.router();
  r.Add("POST", "/v1/webhooks", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    Fields f(*body);
    if (auto s = f.AllowOnly({"url", "events"}); !s.ok()) {
      return ErrorResponse(s.error(), req.request_id);
    }
    auto url = f.Str("url", service::kMaxWebhookUrl);
    if (!url.ok()) return ErrorResponse(url.error(), req.request_id);
    auto events = f.StrArray("events", service::kWebhookEvents.size(), 64);
    if (!events.ok()) return ErrorResponse(events.error(), req.request_id);
    return Respond(req, service::CreateWebhook(api.env(), req.actor, {*url, *events}), 201,
                   [](const service::CreatedWebhook& c) {
                     json::object o = WebhookJson(c.webhook);
                     o["secret"] = c.secret;
                     return o;
                   });
  });
  r.Add("GET", "/v1/webhooks", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    auto list = service::ListWebhooks(api.env(), req.actor, *page);
    if (!list.ok()) return ErrorResponse(list.error(), req.request_id);
    json::array data;
    for (const auto& w : list->items) data.emplace_back(WebhookJson(w));
    return JsonResponse(200, ListBody(std::move(data), list->has_more,
                                      list->items.empty() ? "" : list->items.back().id));
  });
  r.Add("DELETE", "/v1/webhooks/{id}", [&api](HttpRequest& req) {
    Status s = service::DeleteWebhook(api.env(), req.actor, req.Param("id"));
    if (!s.ok()) return ErrorResponse(s.error(), req.request_id);
    return JsonResponse(200, json::object{{"id", req.Param("id")}, {"deleted", true}});
  });
  r.Add("GET", "/v1/webhooks/{id}/deliveries", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    auto list = service::ListDeliveries(api.env(), req.actor, req.Param("id"), *page);
    if (!list.ok()) return ErrorResponse(list.error(), req.request_id);
    json::array data;
    for (const auto& d : list->items) data.emplace_back(DeliveryJson(d));
    return JsonResponse(200, ListBody(std::move(data), list->has_more,
                                      list->items.empty() ? "" : list->items.back().delivery.id));
  });
}

}  // namespace payops::http
