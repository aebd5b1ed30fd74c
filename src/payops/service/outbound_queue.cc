#include "payops/service/outbound_queue.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <functional>

#include "payops/service/env.h"

namespace payops::service {

bool QueueGauge::RefresherLive(Instant now) const {
  return refreshed_at_ && now >= *refreshed_at_ && now - *refreshed_at_ < kRefresherStale;
}

QueueGauge::Entry& QueueGauge::At(const std::string& key) {
  if (entries_.size() >= kMaxKeys && !entries_.contains(key)) entries_.clear();
  return entries_[key];
}

std::optional<int64_t> QueueGauge::Estimate(const std::string& key, Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (RefresherLive(now)) return it == entries_.end() ? 0 : it->second.waiting;
  if (it == entries_.end()) return std::nullopt;
  const Entry& e = it->second;
  const bool fresh = now >= e.counted_at && now - e.counted_at < kRecount;
  if (!fresh) return std::nullopt;
  return e.waiting;
}

void QueueGauge::Counted(const std::string& key, int64_t n, Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = At(key);
  e.waiting = n;
  e.counted_at = now;
}

void QueueGauge::Refreshed(const std::vector<std::pair<std::string, int64_t>>& counts,
                           Instant now) {
  std::lock_guard<std::mutex> lock(mu_);
  // Queues not counted are empty now; their full flags stay until an insert.
  for (auto& [key, e] : entries_) {
    e.waiting = 0;
    e.counted_at = now;
  }
  for (const auto& [key, n] : counts) {
    Entry& e = At(key);
    e.waiting = n;
    e.counted_at = now;
  }
  refreshed_at_ = now;
}

void QueueGauge::Added(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  ++At(key).waiting;
}

bool QueueGauge::MarkFull(const std::string& key, bool full) {
  std::lock_guard<std::mutex> lock(mu_);
  Entry& e = At(key);
  const bool changed = e.full != full;
  e.full = full;
  return changed && full;
}

size_t QueueGauge::size() {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

namespace {

// The gauge's keys: the outbox, all webhook deliveries, one endpoint's.
constexpr const char* kOutboxKey = "outbox";
constexpr const char* kDeliveriesKey = "deliveries";
std::string EndpointKey(const std::string& webhook_id) {
  return "webhook:" + webhook_id;
}

// Whether one more row fits under `bound` in the queue `key`, whose exact
// count `count(cap)` gives when the estimate cannot stand in for it.
Result<bool> Fits(Env& env, const std::string& key, int64_t bound,
                  const std::function<Result<int64_t>(int64_t)>& count) {
  const Instant now = env.LeaseClock().Now();
  std::optional<int64_t> waiting = env.queue_gauge.Estimate(key, now);
  if (!waiting) {
    PAYOPS_ASSIGN_OR_RETURN(int64_t n, count(bound));
    env.queue_gauge.Counted(key, n, now);
    waiting = n;
  }
  const bool fits = *waiting < bound;
  if (env.queue_gauge.MarkFull(key, !fits)) {
    spdlog::warn("msg=\"outbound queue full: new messages are recorded dead\" queue={} bound={}",
                 key, bound);
  }
  return fits;
}

}  // namespace

Status EnqueueOutbox(Env& env, store::Tx& tx, store::OutboxMessage m) {
  const int64_t bound = env.queue_bounds.outbox;
  PAYOPS_ASSIGN_OR_RETURN(bool fits, Fits(env, kOutboxKey, bound, [&](int64_t cap) {
                            return store::CountWaitingOutbox(tx, cap);
                          }));
  if (!fits) {
    m.status = "dead";
    m.last_error = std::string(kQueueFullError) + ": " + std::to_string(bound) + " waiting";
  }
  PAYOPS_TRY(store::InsertOutbox(tx, m));
  if (fits) {
    env.queue_gauge.Added(kOutboxKey);
    if (env.delivery_wakeup) {
      env.delivery_wakeup->Notify(m.kind == "page" ? Channel::kPage : Channel::kEmail);
    }
  }
  return Status::Ok();
}

Status EnqueueWebhookDelivery(Env& env, store::Tx& tx, store::WebhookDelivery d) {
  const std::string endpoint_key = EndpointKey(d.webhook_id);
  PAYOPS_ASSIGN_OR_RETURN(bool all_fit,
                          Fits(env, kDeliveriesKey, env.queue_bounds.deliveries, [&](int64_t cap) {
                            return store::CountWaitingDeliveries(tx, std::nullopt, cap);
                          }));
  bool fits = all_fit;
  if (fits) {
    PAYOPS_ASSIGN_OR_RETURN(fits,
                            Fits(env, endpoint_key, env.queue_bounds.per_webhook, [&](int64_t cap) {
                              return store::CountWaitingDeliveries(tx, d.webhook_id, cap);
                            }));
  }
  if (!fits) {
    d.status = "dead";
    d.last_error =
        std::string(kQueueFullError) + ": " +
        std::to_string(all_fit ? env.queue_bounds.per_webhook : env.queue_bounds.deliveries) +
        (all_fit ? " waiting for this endpoint" : " waiting for all endpoints");
  }
  PAYOPS_TRY(store::InsertWebhookDelivery(tx, d));
  if (fits) {
    env.queue_gauge.Added(kDeliveriesKey);
    env.queue_gauge.Added(endpoint_key);
    if (env.delivery_wakeup) env.delivery_wakeup->Notify(Channel::kWebhook);
  }
  return Status::Ok();
}

Status RefreshQueueGauge(Env& env) {
  std::vector<std::pair<std::string, int64_t>> counts;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    counts.clear();
    PAYOPS_ASSIGN_OR_RETURN(int64_t outbox,
                            store::CountWaitingOutbox(tx, env.queue_bounds.outbox + 1));
    counts.emplace_back(kOutboxKey, outbox);
    PAYOPS_ASSIGN_OR_RETURN(auto per_endpoint, store::CountWaitingDeliveriesByEndpoint(tx));
    int64_t all = 0;
    for (const auto& [webhook_id, n] : per_endpoint) {
      counts.emplace_back(EndpointKey(webhook_id), n);
      all += n;
    }
    counts.emplace_back(kDeliveriesKey, all);
    return Status::Ok();
  }));
  env.queue_gauge.Refreshed(counts, env.LeaseClock().Now());
  return Status::Ok();
}

}  // namespace payops::service
