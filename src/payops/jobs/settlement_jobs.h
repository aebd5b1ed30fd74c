// The settlement calendar's jobs (SPEC §2.2 step 7, §2.3), on business days in
// America/Los_Angeles: ACH cutoff 07:00 (the day's batch closes), ACH
// settlement 12:00 (the batch's transactions become PROCESSED) and debit-card
// end of day 17:00.
#pragma once

#include <memory>

#include "payops/jobs/job_runner.h"

namespace payops::jobs {

// `holidays`: the business calendar of the schedules (the Env's).
std::unique_ptr<Job> MakeAchCutoffJob(const calendar::HolidayCalendar& holidays);
std::unique_ptr<Job> MakeAchSettlementJob(const calendar::HolidayCalendar& holidays);
std::unique_ptr<Job> MakeDebitCardEndOfDayJob(const calendar::HolidayCalendar& holidays);

// The first instant strictly after `after` that is `time_of_day` Los Angeles
// time on a business day of `holidays`.
Instant NextBusinessTimeLosAngeles(Instant after, Micros time_of_day,
                                   const calendar::HolidayCalendar& holidays);

}  // namespace payops::jobs
