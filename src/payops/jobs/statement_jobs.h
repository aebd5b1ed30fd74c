// The monthly statement job (SPEC §3.7): at 00:00 America/New_York on the
// first day of each month it issues last month's statement of every org.
#pragma once

#include <memory>

#include "payops/jobs/job_runner.h"

namespace payops::jobs {

// The first instant strictly after `after` that is the first day of a month,
// 00:00 New York time.
Instant NextMonthStartNewYork(Instant after);

std::unique_ptr<Job> MakeMonthlyStatementJob();

}  // namespace payops::jobs
