// Webhooks (admin): endpoints subscribe to event types; each event is
// queued, in the commit of the change that causes it, as one delivery per
// subscribed endpoint holding `{id, type, created_at, data}` where data is
// the resource as the API shows it. The delivery worker POSTs it signed
// (X-Payops-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">), retries
// on 5xx, 429 and no answer with the delivery backoff, records every
// attempt, and disables an endpoint that answers 410.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "payops/adapters/http_poster.h"
#include "payops/service/delivery.h"
#include "payops/service/env.h"
#include "payops/store/ach_batches.h"
#include "payops/store/tickets.h"
#include "payops/store/transactions.h"
#include "payops/store/webhooks.h"

namespace payops::service {

inline constexpr std::array<std::string_view, 8> kWebhookEvents = {"ticket.created",
                                                                   "ticket.updated",
                                                                   "ticket.sla_warning",
                                                                   "ticket.sla_breached",
                                                                   "transaction.status_changed",
                                                                   "transaction.held",
                                                                   "batch.closed",
                                                                   "batch.settled"};
inline constexpr int kMaxWebhooks = 100;        // endpoints not deleted
inline constexpr size_t kMaxWebhookUrl = 2000;  // bytes

// The JSON of the resources events carry, as the API shows them (the HTTP
// layer provides it; without one, data holds the id alone).
class ResourceJson {
 public:
  virtual ~ResourceJson() = default;
  virtual std::string Ticket(const store::TicketRecord& t) const = 0;
  virtual std::string Transaction(const store::TransactionRecord& t) const = 0;
  virtual std::string Batch(const store::AchBatch& b) const = 0;
};

struct NewWebhook {
  std::string url;
  std::vector<std::string> events;
};
struct CreatedWebhook {
  store::Webhook webhook;  // secret cleared
  std::string secret;      // shown once
};
// Admin. 400 invalid_url (not http(s), no host, past 2000 bytes) or
// invalid_value (events empty or unknown, field "events"); 422
// too_many_webhooks past kMaxWebhooks.
Result<CreatedWebhook> CreateWebhook(Env& env, const Actor& actor, const NewWebhook& in);
// Admin; secrets cleared.
Result<store::Page<store::Webhook>> ListWebhooks(Env& env, const Actor& actor,
                                                 const store::PageRequest& page);
// Admin. Deletes the endpoint and cancels its deliveries still to send; 404
// when unknown or already deleted.
Status DeleteWebhook(Env& env, const Actor& actor, const std::string& id);

struct DeliveryView {
  store::WebhookDelivery delivery;
  std::vector<store::WebhookAttempt> attempts;
};
// Admin; 404 for an unknown endpoint.
Result<store::Page<DeliveryView>> ListDeliveries(Env& env, const Actor& actor,
                                                 const std::string& webhook_id,
                                                 const store::PageRequest& page);

// Inside the change's transaction: queue the event for every subscribed
// endpoint (nothing when none is).
Status QueueTicketEvent(Env& env, store::Tx& tx, std::string_view type,
                        const store::TicketRecord& t);
// transaction.status_changed, and transaction.held when `to` is HOLD.
Status QueueTransactionEvents(Env& env, store::Tx& tx, const store::TransactionRecord& t,
                              std::string_view from, std::string_view to);
Status QueueBatchEvent(Env& env, store::Tx& tx, std::string_view type, const store::AchBatch& b);

// "t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>".
std::string WebhookSignature(std::string_view secret, int64_t unix_s, std::string_view body);

// One batch of due deliveries; returns how many were attempted.
Result<int> DeliverWebhooks(Env& env, adapters::HttpPoster& poster, const DeliveryPolicy& policy,
                            std::string_view worker);

}  // namespace payops::service
