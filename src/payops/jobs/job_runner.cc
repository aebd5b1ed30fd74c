#include "payops/jobs/job_runner.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>

#include "payops/core/inbound_mail.h"
#include "payops/core/logfmt.h"
#include "payops/store/kv.h"
#include "payops/store/received_mail.h"

namespace payops::jobs {

namespace {

std::string NewHolderName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(getpid()) + ":" +
         service::RandomToken(6).substr(0, 8);
}

}  // namespace

// Renews the one lease a run holds, every third of its life, from a thread of
// its own (a run is one transaction and cannot renew it), and gives it back.
class JobRunner::LeaseKeeper {
 public:
  LeaseKeeper(JobRunner& r, std::string job) : r_(r), job_(std::move(job)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~LeaseKeeper() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
    Status s = r_.env_.store.Write(
        [&](store::Tx& tx) { return store::ReleaseJobLease(tx, job_, r_.holder_); });
    if (!s.ok()) {
      spdlog::warn("msg=\"job lease not released\" job={} error={}", LogValue(job_),
                   LogValue(s.error().message));
    }
  }
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

 private:
  void Loop() {
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, r_.limits_.lease / 3, [&] { return stop_; })) {
      lock.unlock();
      bool held = false;
      const Instant now = r_.LeaseNow();
      Status s = r_.env_.store.Write([&](store::Tx& tx) -> Status {
        PAYOPS_ASSIGN_OR_RETURN(
            held, store::TakeJobLease(tx, job_, r_.holder_, now, now + r_.limits_.lease));
        return Status::Ok();
      });
      if (!s.ok() || !held) {
        // The run's own transaction checks the lease: it will not commit.
        spdlog::warn("msg=\"job lease not renewed\" job={} error={}", LogValue(job_),
                     LogValue(s.ok() ? "taken by another server" : s.error().message));
      }
      lock.lock();
    }
  }

  JobRunner& r_;
  std::string job_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

JobRunner::JobRunner(service::Env& env, RunnerLimits limits)
    : env_(env), limits_(limits), holder_(NewHolderName()) {}

void JobRunner::Register(std::unique_ptr<Job> job) {
  jobs_.push_back(std::move(job));
}

Result<bool> JobRunner::TakeLease(const std::string& job, bool wait) {
  const auto deadline = std::chrono::steady_clock::now() + limits_.max_lease_wait;
  const auto poll =
      std::clamp(limits_.lease / 20, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
  for (;;) {
    const Instant now = LeaseNow();
    bool got = false;
    PAYOPS_TRY(env_.store.Write([&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(got, store::TakeJobLease(tx, job, holder_, now, now + limits_.lease));
      return Status::Ok();
    }));
    if (got || !wait) return got;
    if (std::chrono::steady_clock::now() > deadline) {
      return Error{ErrorKind::kUnavailable,
                   "job_busy",
                   "job " + job + " is held by another server; retry",
                   {}};
    }
    std::this_thread::sleep_for(poll);
  }
}

Result<int> JobRunner::RunDue(Instant until, ManualClock* manual) {
  std::lock_guard run_lock(run_mu_);
  std::vector<std::optional<Instant>> marks(jobs_.size());
  PAYOPS_TRY(env_.store.Read([&](store::Tx& tx) -> Status {
    for (size_t i = 0; i < jobs_.size(); ++i) {
      PAYOPS_ASSIGN_OR_RETURN(marks[i], store::FindJobWatermark(tx, jobs_[i]->name()));
    }
    return Status::Ok();
  }));
  for (size_t i = 0; i < jobs_.size(); ++i) {
    if (marks[i]) continue;
    Instant start = env_.clock.Now();
    PAYOPS_TRY(env_.store.Write([&](store::Tx& tx) -> Status {
      return store::ClaimJobRun(tx, jobs_[i]->name(), std::nullopt, start).ok()
                 ? Status::Ok()
                 : Status(Error::Internal("cannot start job " + jobs_[i]->name()));
    }));
    PAYOPS_TRY(env_.store.Read([&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(marks[i], store::FindJobWatermark(tx, jobs_[i]->name()));
      return Status::Ok();
    }));
  }
  int runs = 0;
  std::vector<bool> skipped(jobs_.size(), false);  // leased to another server
  for (;;) {
    size_t best = jobs_.size();
    Instant best_due{};
    for (size_t i = 0; i < jobs_.size(); ++i) {
      if (skipped[i]) continue;
      Instant due = jobs_[i]->NextDue(*marks[i]);
      if (due <= until && (best == jobs_.size() || due < best_due)) {
        best = i;
        best_due = due;
      }
    }
    if (best == jobs_.size()) break;
    if (runs >= limits_.max_runs_per_pass) {
      return Error::Refused("too_many_job_runs",
                            "more than " + std::to_string(limits_.max_runs_per_pass) +
                                " job runs in one pass; advance the clock in smaller steps");
    }
    Job& job = *jobs_[best];
    if (job.coalesce()) {
      for (int64_t step = 0; step < limits_.max_coalesced_steps; ++step) {
        Instant next = job.NextDue(best_due);
        if (next > until) break;
        best_due = next;
      }
    }
    PAYOPS_ASSIGN_OR_RETURN(bool leased, TakeLease(job.name(), manual != nullptr));
    if (!leased) {
      skipped[best] = true;
      continue;
    }
    if (manual && manual->Now() < best_due) manual->Set(best_due);
    bool claimed = false;
    Status s;
    {
      // The lease covers Prepare too: one server probes for a due instant.
      LeaseKeeper keeper(*this, job.name());
      s = job.Prepare(env_, best_due);
      if (s.ok()) {
        s = env_.store.Write([&](store::Tx& tx) -> Status {
          PAYOPS_ASSIGN_OR_RETURN(bool holds,
                                  store::HoldsJobLease(tx, job.name(), holder_, LeaseNow()));
          if (!holds) {
            return Error{ErrorKind::kUnavailable,
                         "job_lease_lost",
                         "the lease of job " + job.name() + " expired during its run",
                         {}};
          }
          PAYOPS_ASSIGN_OR_RETURN(claimed,
                                  store::ClaimJobRun(tx, job.name(), marks[best], best_due));
          if (!claimed) return Status::Ok();
          if (limits_.pause_in_run.count() > 0) std::this_thread::sleep_for(limits_.pause_in_run);
          return job.Run(env_, best_due);
        });
      }
    }
    if (!s.ok()) {
      spdlog::error("msg=\"job failed\" job={} due={} code={} error={}", LogValue(job.name()),
                    LogValue(FormatRfc3339(best_due)), LogValue(s.error().code),
                    LogValue(s.error().message));
      return s.take_error();
    }
    if (claimed) {
      ++runs;
    } else {
      // Another process ran it: reload its watermark.
      PAYOPS_TRY(env_.store.Read([&](store::Tx& tx) -> Status {
        PAYOPS_ASSIGN_OR_RETURN(marks[best], store::FindJobWatermark(tx, job.name()));
        return Status::Ok();
      }));
      continue;
    }
    marks[best] = best_due;
  }
  if (manual && manual->Now() < until) manual->Set(until);
  return runs;
}

void JobRunner::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      lock.unlock();
      // An exception out of a pass is logged and the next pass runs: it
      // must not end the thread, and with it the process.
      try {
        auto ran = RunDue(env_.clock.Now(), nullptr);
        if (!ran.ok()) {
          spdlog::warn("msg=\"job pass failed\" error={}", LogValue(ran.error().message));
        }
      } catch (const std::exception& e) {
        spdlog::error("msg=\"job pass threw\" error={}", LogValue(e.what()));
      } catch (...) {
        spdlog::error("msg=\"job pass threw\" error=\"unknown exception\"");
      }
      lock.lock();
      cv_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  });
}

void JobRunner::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

namespace {

class IdempotencyExpiryJob final : public Job {
 public:
  std::string name() const override { return "idempotency-expiry"; }
  Instant NextDue(Instant after) const override {
    auto hour = std::chrono::floor<std::chrono::hours>(after);
    return hour + std::chrono::hours(1);
  }
  bool coalesce() const override { return true; }
  Status Run(service::Env& env, Instant at) override {
    return env.store.Write([&](store::Tx& tx) -> Status {
      PAYOPS_TRY(store::DeleteIdempotencyKeysBefore(tx, at - std::chrono::hours(24)));
      return Status::Ok();
    });
  }
};

class ReceivedMailExpiryJob final : public Job {
 public:
  std::string name() const override { return "received-mail-expiry"; }
  Instant NextDue(Instant after) const override {
    auto day = std::chrono::floor<std::chrono::days>(after);
    return day + std::chrono::days(1);
  }
  bool coalesce() const override { return true; }
  Status Run(service::Env& env, Instant at) override {
    return env.store.Write([&](store::Tx& tx) -> Status {
      PAYOPS_TRY(store::DeleteReceivedMailBefore(tx, at - mail::kReceivedMailRetention));
      return Status::Ok();
    });
  }
};

}  // namespace

std::unique_ptr<Job> MakeIdempotencyExpiryJob() {
  return std::make_unique<IdempotencyExpiryJob>();
}

std::unique_ptr<Job> MakeReceivedMailExpiryJob() {
  return std::make_unique<ReceivedMailExpiryJob>();
}

}  // namespace payops::jobs
