#include "payops/jobs/desk_jobs.h"

#include "payops/service/tickets.h"

namespace payops::jobs {

Instant NextMinute(Instant after) {
  return std::chrono::floor<std::chrono::minutes>(after) + std::chrono::minutes(1);
}

namespace {

using SweepFn = Result<int> (*)(service::Env&, Instant);

class MinuteSweep final : public Job {
 public:
  MinuteSweep(std::string name, SweepFn fn) : name_(std::move(name)), fn_(fn) {}
  std::string name() const override { return name_; }
  Instant NextDue(Instant after) const override { return NextMinute(after); }
  bool coalesce() const override { return true; }
  Status Run(service::Env& env, Instant at) override {
    PAYOPS_TRY(fn_(env, at));
    return Status::Ok();
  }

 private:
  std::string name_;
  SweepFn fn_;
};

}  // namespace

std::unique_ptr<Job> MakeSlaSweepJob() {
  return std::make_unique<MinuteSweep>("sla-sweep", &service::SweepSla);
}
std::unique_ptr<Job> MakeTicketAutoCloseJob() {
  return std::make_unique<MinuteSweep>("ticket-auto-close", &service::AutoCloseSolvedTickets);
}
std::unique_ptr<Job> MakePendingEscalationJob() {
  return std::make_unique<MinuteSweep>("pending-escalation", &service::EscalatePendingTransactions);
}

}  // namespace payops::jobs
