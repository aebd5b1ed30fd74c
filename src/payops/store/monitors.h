// Monitors, their checks, hourly uptime counts and maintenance windows
// (SPEC §3.6). A deleted monitor keeps its row (deleted_at) so that its
// tickets still name it; every read here skips deleted ones.
#pragma once

#include "payops/core/clock.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

struct MonitorRecord {
  std::string id;
  std::string name;
  std::string kind;  // http | tcp | builtin
  std::string target;
  int64_t interval_seconds = 60;
  int64_t failure_threshold = 3;
  std::optional<int64_t> expect_status;
  std::optional<std::string> expect_body;
  int64_t timeout_ms = 5000;
  std::optional<std::string> created_by;
  Instant created_at;
  Instant updated_at;
  Instant next_check_at;
  // The running state (core/monitor.h State).
  int64_t consecutive_failures = 0;
  std::optional<int64_t> down_since_us;
  bool incident_open = false;
  std::optional<std::string> ticket_id;  // the last incident's ticket
  std::optional<int64_t> last_check_at_us;
  int64_t check_seq = 0;  // checks recorded so far
};

Status InsertMonitor(Tx& tx, const MonitorRecord& m);
// Not deleted.
Result<std::optional<MonitorRecord>> FindMonitor(Tx& tx, const std::string& id);
// Not deleted, in id order.
Result<Page<MonitorRecord>> ListMonitors(Tx& tx, const PageRequest& page);
Result<int64_t> CountMonitors(Tx& tx);
// Every column but id and created_*; false when the monitor is gone.
Result<bool> UpdateMonitor(Tx& tx, const MonitorRecord& m);
Result<bool> DeleteMonitor(Tx& tx, const std::string& id, Instant at);
// Monitors with next_check_at <= at, soonest first, at most `limit`.
Result<std::vector<MonitorRecord>> DueMonitors(Tx& tx, Instant at, int limit);

struct MonitorCheck {
  std::string monitor_id;
  int64_t seq = 0;
  Instant at;
  bool ok = false;
  bool in_maintenance = false;
  int64_t duration_ms = 0;
  std::optional<int64_t> status_code;
  std::optional<std::string> error;
};
// Inserts the check, counts it in its hour (checks outside maintenance only)
// and deletes the monitor's checks older than the last `keep`.
Status InsertMonitorCheck(Tx& tx, const MonitorCheck& c, int64_t keep);
// The latest `limit` checks, newest first.
Result<std::vector<MonitorCheck>> RecentMonitorChecks(Tx& tx, const std::string& monitor_id,
                                                      int limit);
struct UptimeCounts {
  int64_t checks = 0;
  int64_t failures = 0;
};
// Checks counted in the hours starting at or after `since`.
Result<UptimeCounts> MonitorUptime(Tx& tx, const std::string& monitor_id, Instant since);
// Deletes hourly counts before `before` (retention).
Status DeleteUptimeBefore(Tx& tx, Instant before);

struct MaintenanceWindow {
  std::string id;
  std::string title;
  std::string message;
  Instant starts_at;
  Instant ends_at;
  std::vector<std::string> monitor_ids;
  std::optional<std::string> created_by;
  Instant created_at;
  Instant updated_at;
  std::optional<int64_t> announced_at_us;
};

Status InsertWindow(Tx& tx, const MaintenanceWindow& w);
Result<std::optional<MaintenanceWindow>> FindWindow(Tx& tx, const std::string& id);
// In id order; with `state`, only windows upcoming (starts after now),
// active (started, not ended) or past (ended) at `now`.
Result<Page<MaintenanceWindow>> ListWindows(Tx& tx, std::optional<std::string_view> state,
                                            Instant now, const PageRequest& page);
Status UpdateWindow(Tx& tx, const MaintenanceWindow& w);
Result<bool> DeleteWindow(Tx& tx, const std::string& id);
// Windows overlapping [from, to), at most `limit`.
Result<std::vector<MaintenanceWindow>> WindowsOverlapping(Tx& tx, Instant from, Instant to,
                                                          int limit);
// Not yet announced, starting at or before `starts_by` and not ended at `now`.
Result<std::vector<MaintenanceWindow>> WindowsToAnnounce(Tx& tx, Instant starts_by, Instant now,
                                                         int limit);

}  // namespace payops::store
