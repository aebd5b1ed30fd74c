// Timed work driven by the Clock. Each job has a schedule (NextDue) and a
// watermark in the store: the last instant it ran for. Among several servers
// sharing a store a job runs only on the server holding its lease (a row of
// job_leases, on real time, renewed while held and expiring `lease` after its
// holder stops renewing it: a killed server's jobs are taken over). The run
// itself checks the lease and claims the watermark inside the same
// transaction as its work, so each due instant runs exactly once even when a
// lease changes hands in the middle, and a failed run is retried at the next
// pass. Every registered job gets this; a job needs nothing of its own.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "payops/service/env.h"

namespace payops::jobs {

class Job {
 public:
  virtual ~Job() = default;
  virtual std::string name() const = 0;
  // The first instant strictly after `after` at which the job is due.
  virtual Instant NextDue(Instant after) const = 0;
  // The job's work as of `at`; runs inside a write transaction of env.store
  // (service calls made from here join it).
  virtual Status Run(service::Env& env, Instant at) = 0;
  // Work of the run at `at` that must not hold the store's writer (network
  // probes), called outside any transaction just before the run is claimed;
  // the job keeps its results for Run. When another server claims the
  // instant, Run is not called and the results are dropped.
  virtual Status Prepare(service::Env& /*env*/, Instant /*at*/) { return Status::Ok(); }
  // A sweep whose missed runs are all covered by its latest one: when the
  // clock jumps over several due instants, only the last runs.
  virtual bool coalesce() const { return false; }
};

struct RunnerLimits {
  int max_runs_per_pass = 100000;          // past this RunDue stops with an error
  int64_t max_coalesced_steps = 10000000;  // schedule steps skipped by one coalesced run
  std::chrono::milliseconds lease{15000};  // a job lease's life; renewed every third of it
  // A pass told to wait (the sandbox clock) waits this long at most for a
  // lease held by another server, then answers kUnavailable "job_busy".
  std::chrono::milliseconds max_lease_wait{60000};
  // Sandbox fault injection for the failover tests: each run sleeps this long
  // inside its transaction. 0 in production.
  std::chrono::milliseconds pause_in_run{0};
};

class JobRunner {
 public:
  explicit JobRunner(service::Env& env, RunnerLimits limits = {});
  ~JobRunner() { Stop(); }

  void Register(std::unique_ptr<Job> job);

  // Runs every due instant of every job up to and including `until`, in time
  // order (ties in registration order). With a manual clock, the clock is set
  // to each due instant before its run and to `until` at the end. Returns the
  // number of runs. A job seen for the first time starts its schedule at the
  // clock's current time. kRefused "too_many_job_runs" past the limit.
  // A job whose lease another server holds is skipped, or with `manual`
  // (the sandbox clock, whose caller expects every due run done) waited for
  // up to max_lease_wait. Leases taken are given back at the end.
  Result<int> RunDue(Instant until, ManualClock* manual);

  // This process's name in job_leases: "host:pid:random".
  const std::string& holder() const { return holder_; }

  // Real-time mode: a thread that runs due jobs about once a second.
  void Start();
  void Stop();

 private:
  class LeaseKeeper;
  // Takes the lease of `job`; false when another server holds it, or with
  // `wait`, waits for it up to max_lease_wait.
  Result<bool> TakeLease(const std::string& job, bool wait);
  // Leases are on real time: env.lease_clock, else the machine's clock (never
  // the sandbox clock, which a pass moves).
  Instant LeaseNow() const {
    return env_.lease_clock ? env_.lease_clock->Now() : real_clock_.Now();
  }
  RealClock real_clock_;
  service::Env& env_;
  RunnerLimits limits_;
  std::string holder_;
  std::vector<std::unique_ptr<Job>> jobs_;
  std::mutex run_mu_;  // one pass at a time in this process

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

// Deletes stored idempotent responses older than 24 hours, every hour.
std::unique_ptr<Job> MakeIdempotencyExpiryJob();
// Forgets the keys of inbound mail received more than
// mail::kReceivedMailRetention ago (the duplicates a mail server could still
// deliver), every day at 00:00 UTC.
std::unique_ptr<Job> MakeReceivedMailExpiryJob();

}  // namespace payops::jobs
