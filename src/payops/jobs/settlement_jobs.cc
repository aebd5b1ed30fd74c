#include "payops/jobs/settlement_jobs.h"

#include <cassert>

#include "payops/service/ach.h"

namespace payops::jobs {

Instant NextBusinessTimeLosAngeles(Instant after, Micros time_of_day,
                                   const calendar::HolidayCalendar& holidays) {
  calendar::Zone la = calendar::Zone::LosAngeles();
  calendar::Date d = calendar::InstantToLocal(la, after).date;
  constexpr int kMaxDays = 30;  // no run of non-business days is this long
  for (int i = 0; i < kMaxDays; ++i, d += std::chrono::days(1)) {
    if (!calendar::IsBusinessDay(d, holidays)) continue;
    Instant t = calendar::LocalToInstant(la, d, time_of_day);
    if (t > after) return t;
  }
  assert(false && "no business day within 30 days");
  return after + std::chrono::hours(24 * kMaxDays);
}

namespace {

std::string LaDate(Instant at) {
  return calendar::FormatDate(calendar::InstantToLocal(calendar::Zone::LosAngeles(), at).date);
}

// A job due at a fixed Los Angeles time on business days.
class BusinessTimeJob : public Job {
 public:
  BusinessTimeJob(std::string name, Micros time_of_day, calendar::HolidayCalendar holidays)
      : holidays_(std::move(holidays)), name_(std::move(name)), time_of_day_(time_of_day) {}
  std::string name() const override { return name_; }
  Instant NextDue(Instant after) const override {
    return NextBusinessTimeLosAngeles(after, time_of_day_, holidays_);
  }

 private:
  calendar::HolidayCalendar holidays_;
  std::string name_;
  Micros time_of_day_;
};

class AchCutoffJob final : public BusinessTimeJob {
 public:
  explicit AchCutoffJob(const calendar::HolidayCalendar& h)
      : BusinessTimeJob("ach-cutoff", calendar::kAchCutoffTimeOfDay, h) {}
  Status Run(service::Env& env, Instant at) override {
    PAYOPS_TRY(service::CloseAchBatch(env, LaDate(at)));
    return Status::Ok();
  }
};

class AchSettlementJob final : public BusinessTimeJob {
 public:
  explicit AchSettlementJob(const calendar::HolidayCalendar& h)
      : BusinessTimeJob("ach-settlement", calendar::kAchSettlementTimeOfDay, h) {}
  Status Run(service::Env& env, Instant at) override {
    return service::SettleAchBatch(env, LaDate(at));
  }
};

class DebitCardEndOfDayJob final : public BusinessTimeJob {
 public:
  explicit DebitCardEndOfDayJob(const calendar::HolidayCalendar& h)
      : BusinessTimeJob("debit-card-eod", calendar::kDebitCardProcessingTimeOfDay, h) {}
  Status Run(service::Env& env, Instant at) override {
    return service::ProcessDebitCards(env, LaDate(at));
  }
};

}  // namespace

std::unique_ptr<Job> MakeAchCutoffJob(const calendar::HolidayCalendar& h) {
  return std::make_unique<AchCutoffJob>(h);
}
std::unique_ptr<Job> MakeAchSettlementJob(const calendar::HolidayCalendar& h) {
  return std::make_unique<AchSettlementJob>(h);
}
std::unique_ptr<Job> MakeDebitCardEndOfDayJob(const calendar::HolidayCalendar& h) {
  return std::make_unique<DebitCardEndOfDayJob>(h);
}

}  // namespace payops::jobs
