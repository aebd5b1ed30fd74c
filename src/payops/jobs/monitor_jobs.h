// Monitoring's timed work (SPEC §3.6): the checks of every due monitor, run
// from the JobRunner on the Clock (so the sandbox clock drives them), and the
// announcement of maintenance windows.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "payops/adapters/probe.h"
#include "payops/jobs/job_runner.h"

namespace payops::jobs {

struct MonitorJobSettings {
  // This server's own address for the built-in /readyz monitor
  // ("http://127.0.0.1:8080"); empty: that monitor fails with a reason.
  std::string self_url;
  // "host:port" of the SMTP relay for the built-in smtp monitor.
  std::optional<std::string> smtp_relay;
  adapters::ProbeOptions probe;  // allow_private from env.monitors at each run
};

// Every second (coalescing): the due checks of every monitor, each due
// instant once up to the bounded catch-up. The network checks run in Prepare
// (asynchronous, one event loop, outside the store's writer); their results
// are recorded in Run.
std::unique_ptr<Job> MakeMonitorCheckJob(MonitorJobSettings settings);
// Every minute (coalescing): windows coming within the announcement time.
std::unique_ptr<Job> MakeWindowAnnouncementJob();

}  // namespace payops::jobs
