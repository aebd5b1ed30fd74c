// Webhook endpoints, their deliveries (one per endpoint and event, queued in
// the commit of the change) and every delivery attempt. Deliveries are
// claimed with a lease like the outbox (outbox.h).
#pragma once

#include <utility>
#include <vector>

#include "payops/core/clock.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

struct Webhook {
  std::string id;
  std::string url;
  std::vector<std::string> events;
  std::string secret;             // as stored (sealed when the server has an encryption key)
  std::string status = "active";  // active | disabled | deleted
  std::optional<std::string> created_by;
  Instant created_at;
  std::optional<int64_t> disabled_at_us;
  std::optional<std::string> disabled_reason;
};

Status InsertWebhook(Tx& tx, const Webhook& w);
// Any status, deleted included.
Result<std::optional<Webhook>> FindWebhook(Tx& tx, const std::string& id);
// Not deleted, in id order.
Result<Page<Webhook>> ListWebhooks(Tx& tx, const PageRequest& page);
// Active endpoints, at most `limit`.
Result<std::vector<Webhook>> ActiveWebhooks(Tx& tx, int limit);
Result<int64_t> CountLiveWebhooks(Tx& tx);
// Sets the status (disabled / deleted) and cancels the endpoint's deliveries
// still to send.
Status RetireWebhook(Tx& tx, const std::string& id, std::string_view status, Instant at,
                     std::string_view reason);

struct WebhookDelivery {
  std::string id;
  std::string webhook_id;
  std::string event_id;
  std::string event_type;
  std::string body;
  std::string status = "queued";  // queued | delivered | failed | dead | canceled
  int64_t attempts = 0;
  int64_t next_attempt_at_us = 0;
  std::optional<std::string> last_error;
  std::optional<int64_t> last_status_code;
  Instant created_at;
  std::optional<int64_t> delivered_at_us;
};

struct WebhookAttempt {
  std::string delivery_id;
  int64_t attempt = 0;  // 1, 2, ...
  Instant at;
  std::optional<int64_t> status_code;
  std::optional<std::string> error;
  int64_t duration_ms = 0;
};

Status InsertWebhookDelivery(Tx& tx, const WebhookDelivery& d);
// Deliveries waiting (queued or failed), of one endpoint or of all, counted
// up to `cap`.
Result<int64_t> CountWaitingDeliveries(Tx& tx, const std::optional<std::string>& webhook_id,
                                       int64_t cap);
// Waiting deliveries per endpoint that has any (bounded in all by the queue
// bound: EnqueueWebhookDelivery).
Result<std::vector<std::pair<std::string, int64_t>>> CountWaitingDeliveriesByEndpoint(Tx& tx);
// The endpoint's deliveries in id order.
Result<Page<WebhookDelivery>> ListWebhookDeliveries(Tx& tx, const std::string& webhook_id,
                                                    const PageRequest& page);
// The attempts of these deliveries, by delivery then attempt.
Result<std::vector<WebhookAttempt>> ListWebhookAttempts(Tx& tx,
                                                        const std::vector<std::string>& ids);

// As OutboxHasDue and ClaimOutbox (due on `now`, leases on `lease_now`).
Result<bool> WebhookDeliveryDue(Tx& tx, Instant now, Instant lease_now);
// Up to `limit` due deliveries leased to `worker`.
Result<std::vector<WebhookDelivery>> ClaimWebhookDeliveries(Tx& tx, Instant now, Instant lease_now,
                                                            Instant lease_until,
                                                            std::string_view worker, int limit);

struct WebhookOutcome {
  std::string delivery_id;
  // delivered | failed | dead | queued (released unsent) | canceled (never
  // to be sent: its endpoint was retired)
  std::string status;
  Instant next_attempt_at;
  std::optional<WebhookAttempt> attempt;  // none when released unsent
};
// Records an outcome and its attempt while `worker` holds the lease; false
// (nothing written) when the lease was lost.
Result<bool> FinishWebhookDelivery(Tx& tx, std::string_view worker, const WebhookOutcome& o);

}  // namespace payops::store
