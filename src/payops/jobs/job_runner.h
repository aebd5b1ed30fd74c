// Timed work driven by the Clock. Each job has a schedule (NextDue) and a
// watermark in the store: the last instant it ran for. A run claims the
// watermark inside the same transaction as its work, so among several servers
// sharing a store each due instant runs exactly once, and a failed run is
// retried at the next pass.
#pragma once

#include <atomic>
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
};

class JobRunner {
 public:
  explicit JobRunner(service::Env& env, RunnerLimits limits = {}) : env_(env), limits_(limits) {}
  ~JobRunner() { Stop(); }

  void Register(std::unique_ptr<Job> job);

  // Runs every due instant of every job up to and including `until`, in time
  // order (ties in registration order). With a manual clock, the clock is set
  // to each due instant before its run and to `until` at the end. Returns the
  // number of runs. A job seen for the first time starts its schedule at the
  // clock's current time. kRefused "too_many_job_runs" past the limit.
  Result<int> RunDue(Instant until, ManualClock* manual);

  // Real-time mode: a thread that runs due jobs about once a second.
  void Start();
  void Stop();

 private:
  service::Env& env_;
  RunnerLimits limits_;
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
