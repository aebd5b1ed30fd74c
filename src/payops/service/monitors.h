// Proactive monitoring and maintenance windows (SPEC §3.6): monitors and
// their views, the recording of checks (the state machine of core/monitor.h:
// an urgent ticket after the threshold, a note and the page resolved at
// recovery, nothing but history under maintenance), and the windows with
// their announcement by email to the orgs' contacts.
#pragma once

#include "payops/core/monitor.h"
#include "payops/service/env.h"
#include "payops/store/monitors.h"

namespace payops::service {

inline constexpr int kRecentChecksShown = 20;   // GET /v1/monitors/{id}
inline constexpr int kRecentChecksListed = 10;  // each item of GET /v1/monitors
inline constexpr int kMaxDueMonitorsPerPass = 2000;
inline constexpr int kMaxWindowsPerPass = 500;  // windows one pass considers
inline constexpr int kMaxAnnouncedContacts = 2000;
inline constexpr auto kUptimeRetention = std::chrono::hours(24 * 31);

struct MonitorInput {
  std::optional<std::string> name, kind, target;
  std::optional<int64_t> interval_seconds, failure_threshold, timeout_ms;
  bool set_expect_status = false;  // with nullopt: clear it
  std::optional<int64_t> expect_status;
  bool set_expect_body = false;
  std::optional<std::string> expect_body;
};

struct MonitorView {
  store::MonitorRecord monitor;
  std::string status;                              // up | down | maintenance | unknown
  std::vector<store::MonitorCheck> recent_checks;  // newest first
  std::optional<double> uptime_24h;                // percent, null without checks
  std::optional<double> uptime_30d;
  struct Ticket {
    std::string id;
    int64_t number = 0;
    std::string status;
  };
  std::optional<Ticket> open_ticket;  // the incident's ticket while not solved
};

// Admin and ops_manager create, change and delete; staff read. Errors: 400
// naming the field, 422 private_target / too_many_monitors, 404.
Result<MonitorView> CreateMonitor(Env& env, const Actor& actor, const MonitorInput& in);
Result<MonitorView> PatchMonitor(Env& env, const Actor& actor, const std::string& id,
                                 const MonitorInput& in);
Status DeleteMonitor(Env& env, const Actor& actor, const std::string& id);
Result<MonitorView> GetMonitor(Env& env, const Actor& actor, const std::string& id);
Result<store::Page<MonitorView>> ListMonitors(Env& env, const Actor& actor,
                                              const store::PageRequest& page);

// Built-in monitors (payops watching itself): created once with fixed ids,
// never through the API; targets "readyz" (this server's /readyz), "store",
// "outbox" and, when `smtp_relay` ("host:port") is given, "smtp".
Status EnsureBuiltinMonitors(Env& env, const std::optional<std::string>& smtp_relay);

// The checks of one pass: the monitors due at `at`, each with its due
// instants (core DueChecks, bounded catch-up).
struct PlannedChecks {
  store::MonitorRecord monitor;
  std::vector<Instant> at;
  Instant next;
};
Result<std::vector<PlannedChecks>> PlanMonitorChecks(Env& env, Instant at);

struct CheckResult {
  bool ok = false;
  std::optional<int64_t> status_code;
  std::string error;
  int64_t duration_ms = 0;
};
// Records the results of planned checks (results[i][j] for plans[i].at[j])
// inside the caller's write transaction: the history, the state machine, the
// incident ticket, pages. A monitor changed or deleted since its plan is
// skipped. Returns the checks recorded.
Result<int> RecordMonitorChecks(Env& env, const std::vector<PlannedChecks>& plans,
                                const std::vector<std::vector<CheckResult>>& results);

struct WindowInput {
  std::optional<std::string> starts_at, ends_at, title, message;
  std::optional<std::vector<std::string>> monitor_ids;
};
struct WindowView {
  store::MaintenanceWindow window;
  std::string state;  // upcoming | active | past (now)
};
// Admin and ops_manager create, change and delete (delete and change of the
// start only before it starts); staff and partners read (partners without
// monitor_ids). Errors: 400 invalid_time / invalid_value, 422
// window_ends_before_start / window_too_long / window_in_past /
// unknown_monitor, 409 window_started.
Result<WindowView> CreateWindow(Env& env, const Actor& actor, const WindowInput& in);
Result<WindowView> PatchWindow(Env& env, const Actor& actor, const std::string& id,
                               const WindowInput& in);
Status DeleteWindow(Env& env, const Actor& actor, const std::string& id);
Result<WindowView> GetWindow(Env& env, const Actor& actor, const std::string& id);
Result<store::Page<WindowView>> ListWindows(Env& env, const Actor& actor,
                                            std::optional<std::string> state,
                                            const store::PageRequest& page);

// The job: windows starting within env.monitors.announce_ahead of `at` and
// not announced yet are emailed to every partner member, once each.
Result<int> AnnounceWindows(Env& env, Instant at);

}  // namespace payops::service
