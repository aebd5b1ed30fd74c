// The support desk's timed work (SPEC §3.1, §3.3): the SLA sweep (warnings
// and breaches), the auto-close of solved tickets and the automatic EMI
// escalation of transactions left PENDING. Each runs every minute as a
// coalescing sweep: a run covers everything due up to its instant.
#pragma once

#include <memory>

#include "payops/jobs/job_runner.h"

namespace payops::jobs {

std::unique_ptr<Job> MakeSlaSweepJob();
std::unique_ptr<Job> MakeTicketAutoCloseJob();
std::unique_ptr<Job> MakePendingEscalationJob();

// The next whole minute strictly after `after`.
Instant NextMinute(Instant after);

}  // namespace payops::jobs
