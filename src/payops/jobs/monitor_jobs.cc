#include "payops/jobs/monitor_jobs.h"

#include "payops/jobs/desk_jobs.h"
#include "payops/service/monitors.h"
#include "payops/store/outbox.h"

namespace payops::jobs {
namespace {

class MonitorCheckJob final : public Job {
 public:
  explicit MonitorCheckJob(MonitorJobSettings settings) : settings_(std::move(settings)) {}
  std::string name() const override { return "monitor-checks"; }
  Instant NextDue(Instant after) const override {
    return std::chrono::floor<std::chrono::seconds>(after) + std::chrono::seconds(1);
  }
  bool coalesce() const override { return true; }

  Status Prepare(service::Env& env, Instant at) override {
    plans_.clear();
    results_.clear();
    prepared_at_.reset();
    PAYOPS_ASSIGN_OR_RETURN(plans_, service::PlanMonitorChecks(env, at));
    std::vector<adapters::ProbeRequest> probes;
    std::vector<std::pair<size_t, size_t>> probe_of;  // (plan, instant) of each probe
    results_.resize(plans_.size());
    for (size_t i = 0; i < plans_.size(); ++i) {
      const store::MonitorRecord& m = plans_[i].monitor;
      results_[i].resize(plans_[i].at.size());
      for (size_t j = 0; j < plans_[i].at.size(); ++j) {
        adapters::ProbeRequest p;
        p.timeout_ms = m.timeout_ms;
        if (m.kind == "builtin") {
          if (m.target == "store" || m.target == "outbox") {
            results_[i][j] = CheckInside(env, m.target, at);
            continue;
          }
          p.allow_private = true;
          if (m.target == "readyz") {
            if (settings_.self_url.empty()) {
              results_[i][j].error = "this server's address is not known";
              continue;
            }
            p.kind = "http";
            p.target = settings_.self_url + "/readyz";
            p.expect_status = 200;
          } else if (m.target == "smtp" && settings_.smtp_relay) {
            p.kind = "tcp";
            p.target = *settings_.smtp_relay;
          } else {
            results_[i][j].error = "no such built-in check";
            continue;
          }
        } else {
          p.kind = m.kind;
          p.target = m.target;
          p.expect_status = m.expect_status;
          p.expect_body = m.expect_body;
        }
        probes.push_back(std::move(p));
        probe_of.emplace_back(i, j);
      }
    }
    adapters::ProbeOptions options = settings_.probe;
    options.allow_private = env.monitors.allow_private;
    auto done = adapters::RunProbes(probes, options);
    for (size_t k = 0; k < done.size(); ++k) {
      auto [i, j] = probe_of[k];
      results_[i][j] = service::CheckResult{done[k].ok, done[k].status_code,
                                            std::move(done[k].error), done[k].duration_ms};
    }
    prepared_at_ = at;
    return Status::Ok();
  }

  Status Run(service::Env& env, Instant at) override {
    if (prepared_at_ != at) return Status::Ok();
    auto recorded = service::RecordMonitorChecks(env, plans_, results_);
    plans_.clear();
    results_.clear();
    prepared_at_.reset();
    if (!recorded.ok()) return recorded.take_error();
    return Status::Ok();
  }

 private:
  // The built-in checks that ask the store itself.
  static service::CheckResult CheckInside(service::Env& env, const std::string& what, Instant at) {
    service::CheckResult r;
    const auto started = std::chrono::steady_clock::now();
    if (what == "store") {
      Status s = env.store.Ping();
      r.ok = s.ok();
      if (!s.ok()) r.error = s.error().message;
    } else {
      int64_t backlog = 0;
      Status s = env.store.Read([&](store::Tx& tx) -> Status {
        PAYOPS_ASSIGN_OR_RETURN(
            backlog, store::CountOutboxBacklog(tx, at, env.monitors.outbox_backlog_max + 1));
        return Status::Ok();
      });
      r.ok = s.ok() && backlog <= env.monitors.outbox_backlog_max;
      if (!s.ok()) {
        r.error = s.error().message;
      } else if (!r.ok) {
        r.error = "more than " + std::to_string(env.monitors.outbox_backlog_max) +
                  " emails and pages due and unsent";
      }
    }
    r.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    return r;
  }

  MonitorJobSettings settings_;
  std::vector<service::PlannedChecks> plans_;
  std::vector<std::vector<service::CheckResult>> results_;
  std::optional<Instant> prepared_at_;
};

class WindowAnnouncementJob final : public Job {
 public:
  std::string name() const override { return "maintenance-announcements"; }
  Instant NextDue(Instant after) const override { return NextMinute(after); }
  bool coalesce() const override { return true; }
  Status Run(service::Env& env, Instant at) override {
    auto sent = service::AnnounceWindows(env, at);
    if (!sent.ok()) return sent.take_error();
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Job> MakeMonitorCheckJob(MonitorJobSettings settings) {
  return std::make_unique<MonitorCheckJob>(std::move(settings));
}

std::unique_ptr<Job> MakeWindowAnnouncementJob() {
  return std::make_unique<WindowAnnouncementJob>();
}

}  // namespace payops::jobs
