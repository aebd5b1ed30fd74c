#include "payops/jobs/delivery_worker.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "payops/service/webhooks.h"

namespace payops::jobs {
namespace {

// Delivery is background work: under load the request threads come first
// (Linux: a thread's nice value is its own).
void LowerThisThreadsPriority(const char* thread) {
  if (setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), DeliveryWorker::kNice) !=
      0) {
    spdlog::debug("msg=\"delivery thread keeps its priority\" thread={}", thread);
  }
}

}  // namespace

DeliveryWorker::DeliveryWorker(service::Env& env, DeliveryChannels channels,
                               service::DeliveryPolicy policy, int poll_ms)
    : env_(env),
      channels_(std::move(channels)),
      policy_(policy),
      poll_ms_(poll_ms),
      id_("dw_" + service::RandomToken(9)) {}

DeliveryWorker::~DeliveryWorker() {
  Stop();
}

void DeliveryWorker::Start() {
  env_.delivery_wakeup = &wakeup_;
  StartGaugeRefresher();
  if (channels_.mail) {
    threads_.emplace_back([this] {
      Loop(service::Channel::kEmail,
           [this] { return service::DeliverEmails(env_, *channels_.mail, policy_, id_); });
    });
  }
  if (channels_.pager) {
    threads_.emplace_back([this] {
      Loop(service::Channel::kPage, [this] {
        return service::DeliverPages(env_, *channels_.pager, channels_.paging, policy_, id_);
      });
    });
  }
  if (channels_.webhooks) {
    threads_.emplace_back([this] {
      Loop(service::Channel::kWebhook,
           [this] { return service::DeliverWebhooks(env_, *channels_.webhooks, policy_, id_); });
    });
  }
}

void DeliveryWorker::StartGaugeRefresher() {
  threads_.emplace_back([this] {
    LowerThisThreadsPriority("queue gauge");
    do {
      if (Status s = service::RefreshQueueGauge(env_); !s.ok()) {
        spdlog::warn("msg=\"counting the outbound queues failed\" error=\"{}\"", s.error().message);
      }
    } while (!wakeup_.WaitForShutdown(service::QueueGauge::kRecount));
  });
}

void DeliveryWorker::Stop() {
  wakeup_.Shutdown();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  if (env_.delivery_wakeup == &wakeup_) env_.delivery_wakeup = nullptr;
}

void DeliveryWorker::Loop(service::Channel ch, Pass pass) {
  static constexpr const char* kNames[service::kChannels] = {"email", "page", "webhook"};
  const char* channel = kNames[static_cast<int>(ch)];
  LowerThisThreadsPriority(channel);
  int failures = 0;
  int rechecks = 0;
  bool notified = false;
  while (!wakeup_.shut_down()) {
    const uint64_t seen = wakeup_.generation(ch);
    Result<int> n = pass();
    if (!n.ok()) {
      // The store is unavailable or refused: back off up to ~30 s.
      ++failures;
      spdlog::warn("msg=\"delivery pass failed\" channel={} error=\"{}\"", channel,
                   n.error().message);
      int wait_ms = std::min(30000, poll_ms_ << std::min(failures, 6));
      wakeup_.Wait(ch, seen, std::chrono::milliseconds(wait_ms));
      continue;
    }
    failures = 0;
    if (*n >= policy_.batch) continue;  // more may be due
    // A notice is given inside the queuing transaction, before its commit:
    // when nothing was due yet, look again shortly (10, 20, 40 ms).
    if (*n == 0 && notified && rechecks < 3) {
      wakeup_.Wait(ch, seen, std::chrono::milliseconds(10 << rechecks));
      ++rechecks;
      continue;
    }
    rechecks = 0;
    notified = wakeup_.Wait(ch, seen, std::chrono::milliseconds(poll_ms_)) != seen;
  }
}

}  // namespace payops::jobs
