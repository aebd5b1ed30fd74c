// The outbox's delivery in real time: one thread per configured channel
// (SMTP, paging, webhooks), each woken when rows are queued for its channel
// (Env's delivery_wakeup) and polling every poll_ms besides (rows queued by another
// server, retries coming due, the sandbox clock). Each pass takes at most
// one bounded batch per channel; a thread that found a full batch goes on at
// once, otherwise it sleeps. Separate from the JobRunner: it runs on the
// real clock in sandbox mode too, while due times are read on env.clock.
// The threads run at nice 10, so a loaded server serves requests first. One
// more thread counts the outbound queues for their bounds once a second.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "payops/service/delivery.h"

namespace payops::jobs {

struct DeliveryChannels {
  std::unique_ptr<adapters::MailSender> mail;   // null: emails stay queued
  std::unique_ptr<adapters::HttpPoster> pager;  // null: pages stay queued
  service::PagingSettings paging;
  std::unique_ptr<adapters::HttpPoster> webhooks;  // null: no webhook delivery
};

class DeliveryWorker {
 public:
  static constexpr int kNice = 10;  // the delivery threads' nice value

  DeliveryWorker(service::Env& env, DeliveryChannels channels, service::DeliveryPolicy policy,
                 int poll_ms = 500);
  ~DeliveryWorker();
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  // Points env.delivery_wakeup at this worker and starts the threads.
  void Start();
  // Stops the threads after their current batch (a send in flight finishes
  // or times out) and clears env.delivery_wakeup.
  void Stop();
  service::Wakeup& wakeup() { return wakeup_; }
  const std::string& id() const { return id_; }

 private:
  using Pass = std::function<Result<int>()>;
  // Counts the outbound queues every QueueGauge::kRecount (outbound_queue.h).
  void StartGaugeRefresher();
  void Loop(service::Channel channel, Pass pass);

  service::Env& env_;
  DeliveryChannels channels_;
  service::DeliveryPolicy policy_;
  int poll_ms_;
  std::string id_;
  service::Wakeup wakeup_;
  std::vector<std::thread> threads_;
};

}  // namespace payops::jobs
