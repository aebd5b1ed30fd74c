// The job runner: due instants in time order, each exactly once, driven by a
// manual clock; on both backends.
#include "payops/jobs/job_runner.h"

#include "../store/backend.h"

namespace payops::testing {
namespace {

// Records each run; due every `period` from the epoch.
class TickJob final : public jobs::Job {
 public:
  TickJob(std::string name, Micros period, std::vector<std::pair<std::string, Instant>>* log,
          const Clock* clock = nullptr)
      : name_(std::move(name)), period_(period), log_(log), clock_(clock) {}
  std::string name() const override { return name_; }
  Instant NextDue(Instant after) const override {
    int64_t p = period_.count();
    int64_t next = (ToMicros(after) / p + 1) * p;
    return FromMicros(next);
  }
  bool coalesce() const override { return coalesce_; }
  bool coalesce_ = false;
  Status Run(service::Env&, Instant at) override {
    if (clock_) {
      EXPECT_EQ(clock_->Now(), at) << "the clock reads the due instant during the run";
    }
    log_->emplace_back(name_, at);
    if (fail_at_ && *fail_at_ == at) return Error::Internal("boom");
    return Status::Ok();
  }
  std::optional<Instant> fail_at_;

 private:
  std::string name_;
  Micros period_;
  std::vector<std::pair<std::string, Instant>>* log_;
  const Clock* clock_;
};

class JobRunnerTest : public BackendTest {};
PAYOPS_BACKENDS(JobRunnerTest);

constexpr int64_t kHourUs = 3'600'000'000;

TEST_P(JobRunnerTest, RunsDueInstantsInTimeOrder) {
  ManualClock clock(FromMicros(10 * kHourUs));
  service::Env env(*store_, clock, true);
  std::vector<std::pair<std::string, Instant>> log;
  jobs::JobRunner runner(env);
  runner.Register(std::make_unique<TickJob>("hourly", Micros(kHourUs), &log, &clock));
  runner.Register(std::make_unique<TickJob>("every90", Micros(kHourUs * 3 / 2), &log, &clock));
  auto ran = runner.RunDue(FromMicros(13 * kHourUs), &clock);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  // hourly: 11, 12, 13; every90: 10.5, 12, 13.5(not due)
  std::vector<std::pair<std::string, int64_t>> got;
  for (auto& [n, t] : log) got.emplace_back(n, ToMicros(t));
  std::vector<std::pair<std::string, int64_t>> want = {{"every90", 21 * kHourUs / 2},
                                                       {"hourly", 11 * kHourUs},
                                                       {"hourly", 12 * kHourUs},
                                                       {"every90", 12 * kHourUs},
                                                       {"hourly", 13 * kHourUs}};
  EXPECT_EQ(got, want);
  EXPECT_EQ(*ran, 5);
  EXPECT_EQ(clock.Now(), FromMicros(13 * kHourUs));
  // Nothing is due again for the same instant.
  auto again = runner.RunDue(FromMicros(13 * kHourUs), &clock);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST_P(JobRunnerTest, TwoRunnersOnOneStoreRunEachInstantOnce) {
  ManualClock clock(FromMicros(0));
  service::Env env(*store_, clock, true);
  std::vector<std::pair<std::string, Instant>> log;
  jobs::JobRunner a(env), b(env);
  a.Register(std::make_unique<TickJob>("shared", Micros(kHourUs), &log));
  b.Register(std::make_unique<TickJob>("shared", Micros(kHourUs), &log));
  ASSERT_TRUE(a.RunDue(FromMicros(0), nullptr).ok());  // both start the schedule at 0
  ASSERT_TRUE(b.RunDue(FromMicros(0), nullptr).ok());
  ASSERT_TRUE(a.RunDue(FromMicros(3 * kHourUs), nullptr).ok());
  ASSERT_TRUE(b.RunDue(FromMicros(3 * kHourUs), nullptr).ok());
  ASSERT_TRUE(b.RunDue(FromMicros(5 * kHourUs), nullptr).ok());
  ASSERT_TRUE(a.RunDue(FromMicros(5 * kHourUs), nullptr).ok());
  EXPECT_EQ(log.size(), 5u);
  for (size_t i = 0; i < log.size(); ++i) {
    EXPECT_EQ(ToMicros(log[i].second), static_cast<int64_t>(i + 1) * kHourUs);
  }
}

TEST_P(JobRunnerTest, AFailedRunIsRetriedAndNotRecorded) {
  ManualClock clock(FromMicros(0));
  service::Env env(*store_, clock, true);
  std::vector<std::pair<std::string, Instant>> log;
  jobs::JobRunner runner(env);
  auto job = std::make_unique<TickJob>("flaky", Micros(kHourUs), &log);
  TickJob* raw = job.get();
  raw->fail_at_ = FromMicros(2 * kHourUs);
  runner.Register(std::move(job));
  auto r = runner.RunDue(FromMicros(3 * kHourUs), &clock);
  EXPECT_FALSE(r.ok());
  ASSERT_EQ(log.size(), 2u);  // 1h ran, 2h failed
  raw->fail_at_.reset();
  auto again = runner.RunDue(FromMicros(3 * kHourUs), &clock);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 2);  // 2h retried, then 3h
  EXPECT_EQ(ToMicros(log.back().second), 3 * kHourUs);
}

TEST_P(JobRunnerTest, TooManyRunsInOnePassIsRefused) {
  ManualClock clock(FromMicros(0));
  service::Env env(*store_, clock, true);
  std::vector<std::pair<std::string, Instant>> log;
  jobs::JobRunner runner(env, jobs::RunnerLimits{.max_runs_per_pass = 3});
  runner.Register(std::make_unique<TickJob>("fast", Micros(kHourUs), &log));
  auto r = runner.RunDue(FromMicros(10 * kHourUs), &clock);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "too_many_job_runs");
  EXPECT_EQ(log.size(), 3u);
}

TEST_P(JobRunnerTest, ACoalescingSweepRunsOnceForTheLatestDueInstant) {
  ManualClock clock(FromMicros(0));
  service::Env env(*store_, clock, true);
  std::vector<std::pair<std::string, Instant>> log;
  jobs::JobRunner runner(env);
  auto job = std::make_unique<TickJob>("sweep", Micros(kHourUs), &log);
  job->coalesce_ = true;
  runner.Register(std::move(job));
  auto r = runner.RunDue(FromMicros(100 * kHourUs + 5), &clock);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(ToMicros(log[0].second), 100 * kHourUs);
}

}  // namespace
}  // namespace payops::testing

namespace payops::testing {
namespace {

// Prepare runs outside the store's transaction, before the run it prepares.
class PreparedJob final : public jobs::Job {
 public:
  explicit PreparedJob(store::Store& store) : store_(store) {}
  std::string name() const override { return "prepared"; }
  Instant NextDue(Instant after) const override { return after + std::chrono::hours(1); }
  Status Prepare(service::Env&, Instant at) override {
    // Its own write, committed apart from the run.
    PAYOPS_TRY(store_.Write([](store::Tx&) -> Status { return Status::Ok(); }));
    prepared.push_back(at);
    return Status::Ok();
  }
  Status Run(service::Env&, Instant at) override {
    EXPECT_EQ(prepared.empty() ? Instant{} : prepared.back(), at);
    ran.push_back(at);
    return Status::Ok();
  }
  std::vector<Instant> prepared, ran;

 private:
  store::Store& store_;
};

TEST_P(JobRunnerTest, PrepareRunsBeforeEachRunOutsideTheTransaction) {
  ManualClock clock(FromMicros(0));
  service::Env env(*store_, clock, true);
  jobs::JobRunner runner(env);
  auto job = std::make_unique<PreparedJob>(*store_);
  PreparedJob* seen = job.get();
  runner.Register(std::move(job));
  auto ran = runner.RunDue(FromMicros(3 * kHourUs), &clock);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_EQ(*ran, 3);
  EXPECT_EQ(seen->prepared, seen->ran);
  EXPECT_EQ(seen->ran.size(), 3u);
}

}  // namespace
}  // namespace payops::testing
