// The bounded queues of outbound messages: the outbox (emails and pages) and
// the webhook deliveries. Every message is queued through here. A message
// that finds its queue full is still recorded, but `dead` with the error
// "queue full", so an unreachable mail server or endpoint never grows the
// waiting rows past their bound and nothing is dropped unseen: admins find
// it in the outbox or the endpoint's deliveries, and the built-in outbox
// monitor has failed long before.
//
// Counting the waiting rows on every insert would cost a statement per
// message; QueueGauge keeps an estimate per queue and counts again only when
// the estimate passes half the bound or is older than a second, so the bound
// is exact near it and cheap far from it. Servers sharing a store may pass a
// bound by the inserts running at the same instant, never by more.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "payops/core/clock.h"
#include "payops/core/result.h"
#include "payops/store/outbox.h"
#include "payops/store/store.h"
#include "payops/store/webhooks.h"

namespace payops::service {

struct Env;

// The [delivery] max_queued settings.
struct QueueBounds {
  int64_t outbox = 100000;      // emails and pages waiting, all kinds
  int64_t deliveries = 100000;  // webhook deliveries waiting, all endpoints
  int64_t per_webhook = 10000;  // webhook deliveries waiting, one endpoint
};

// The error of a message recorded dead at a full queue.
inline constexpr const char* kQueueFullError = "queue full";

// Estimates of the waiting rows per queue (thread-safe).
class QueueGauge {
 public:
  // Keys past this many (endpoints come and go) start the table over.
  static constexpr size_t kMaxKeys = 1024;
  // The estimate of `key` when it can stand in for a count: taken within a
  // second of `now` and at most half of `bound`.
  std::optional<int64_t> Estimate(const std::string& key, int64_t bound, Instant now);
  void Counted(const std::string& key, int64_t n, Instant now);
  void Added(const std::string& key);
  // True when `key` was not full before (to log the change once).
  bool MarkFull(const std::string& key, bool full);
  size_t size();

 private:
  struct Entry {
    int64_t waiting = 0;
    Instant counted_at;
    bool full = false;
  };
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

// Queues `m` (status queued) in the outbox, or records it dead when
// `env.queue_bounds.outbox` rows already wait.
Status EnqueueOutbox(Env& env, store::Tx& tx, store::OutboxMessage m);

// Queues `d` for its endpoint, or records it dead when the endpoint's or all
// endpoints' waiting deliveries are at their bound.
Status EnqueueWebhookDelivery(Env& env, store::Tx& tx, store::WebhookDelivery d);

}  // namespace payops::service
