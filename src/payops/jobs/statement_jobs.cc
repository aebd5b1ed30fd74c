#include "payops/jobs/statement_jobs.h"

#include "payops/core/statement.h"
#include "payops/service/statements.h"

namespace payops::jobs {

Instant NextMonthStartNewYork(Instant after) {
  statement::Month m = statement::MonthOf(after);
  Instant start = statement::MonthStart(m);
  while (start <= after) {
    m = statement::NextMonth(m);
    start = statement::MonthStart(m);
  }
  return start;
}

namespace {

class MonthlyStatementJob final : public Job {
 public:
  std::string name() const override { return "monthly-statements"; }
  Instant NextDue(Instant after) const override { return NextMonthStartNewYork(after); }
  // Each month's run issues that month's statements: never coalesced.
  Status Run(service::Env& env, Instant at) override {
    PAYOPS_TRY(service::IssueMonthlyStatements(env, at));
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<Job> MakeMonthlyStatementJob() {
  return std::make_unique<MonthlyStatementJob>();
}

}  // namespace payops::jobs
