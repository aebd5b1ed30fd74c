// The bounded queues of outbound messages: the outbox (emails and pages) and
// the webhook deliveries. Every message is queued through here. A message
// that finds its queue full is still recorded, but `dead` with the error
// "queue full", so an unreachable mail server or endpoint never grows the
// waiting rows past their bound and nothing is dropped unseen: admins find
// it in the outbox or the endpoint's deliveries, and the built-in outbox
// monitor has failed long before.
//
// Counting the waiting rows on every insert would cost a statement per
// message, one that reads up to the bound's number of index entries while a
// queue is full (a mail server down), and on PostgreSQL a read of the whole
// queue inside every serializable write, which then conflicts with every
// concurrent insert. So QueueGauge keeps an estimate per queue: the serve
// process's refresher (RefreshQueueGauge, once a second, in a read
// transaction of its own) counts every queue, and this process's inserts keep
// the estimate up between counts. Without a live refresher a queue is counted
// in the inserting transaction, at most once a second. One server alone
// holds a bound exactly but for messages queued while a count runs; servers
// sharing a store may pass it by what the others queued within a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

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
  // How long a count stands in for the next ones without a refresher.
  static constexpr std::chrono::seconds kRecount{1};
  // A refresher that has not refreshed for this long is taken for stopped.
  static constexpr std::chrono::seconds kRefresherStale{5};

  // The estimate of `key`, or nullopt when it must be counted now. With a
  // live refresher: its last count plus this process's inserts since (0 for
  // a queue it found empty). Without: a count made within kRecount.
  std::optional<int64_t> Estimate(const std::string& key, Instant now);
  // A count made by an inserting transaction.
  void Counted(const std::string& key, int64_t n, Instant now);
  // A refresher's pass: the count of every queue that has waiting rows.
  void Refreshed(const std::vector<std::pair<std::string, int64_t>>& counts, Instant now);
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
  bool RefresherLive(Instant now) const;
  Entry& At(const std::string& key);  // mu_ held

  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::optional<Instant> refreshed_at_;
};

// Queues `m` (status queued) in the outbox, or records it dead when
// `env.queue_bounds.outbox` rows already wait.
Status EnqueueOutbox(Env& env, store::Tx& tx, store::OutboxMessage m);

// Queues `d` for its endpoint, or records it dead when the endpoint's or all
// endpoints' waiting deliveries are at their bound.
Status EnqueueWebhookDelivery(Env& env, store::Tx& tx, store::WebhookDelivery d);

// Counts every outbound queue in a read transaction and hands the counts to
// env.queue_gauge (the refresher's pass).
Status RefreshQueueGauge(Env& env);

}  // namespace payops::service
