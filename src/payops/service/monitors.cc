#include "payops/service/monitors.h"

#include <algorithm>

#include "payops/core/mail_ids.h"
#include "payops/service/audit.h"
#include "payops/service/mail_templates.h"
#include "payops/service/tickets.h"
#include "payops/store/members.h"
#include "payops/store/outbox.h"
#include "payops/store/tickets.h"

namespace payops::service {
namespace {

using monitor::Kind;

// What the audit trail keeps of a monitor and of a maintenance window.
boost::json::value MonitorAuditJson(const store::MonitorRecord& m) {
  return boost::json::object{{"name", m.name},
                             {"kind", m.kind},
                             {"target", m.target},
                             {"interval_seconds", m.interval_seconds},
                             {"failure_threshold", m.failure_threshold}};
}
boost::json::value WindowAuditJson(const store::MaintenanceWindow& w) {
  boost::json::array ids;
  for (const auto& id : w.monitor_ids) ids.emplace_back(id);
  return boost::json::object{{"title", w.title},
                             {"starts_at", FormatRfc3339(w.starts_at)},
                             {"ends_at", FormatRfc3339(w.ends_at)},
                             {"monitor_ids", std::move(ids)}};
}

Status CanRead(const Actor& actor) {
  return RequireRole(actor, {Role::kAdmin, Role::kAgent, Role::kOpsManager});
}
Status CanChange(const Actor& actor) {
  return RequireRole(actor, {Role::kAdmin, Role::kOpsManager});
}

// The spec of a stored monitor, `in` applied over it.
Result<monitor::MonitorSpec> SpecOf(const store::MonitorRecord& m, const MonitorInput& in) {
  monitor::MonitorSpec s;
  s.name = in.name.value_or(m.name);
  PAYOPS_ASSIGN_OR_RETURN(s.kind, monitor::ParseKind(in.kind.value_or(m.kind)));
  s.target = in.target.value_or(m.target);
  s.interval_seconds = in.interval_seconds.value_or(m.interval_seconds);
  s.failure_threshold = in.failure_threshold.value_or(m.failure_threshold);
  s.timeout_ms = in.timeout_ms.value_or(m.timeout_ms);
  s.expect_status = in.set_expect_status ? in.expect_status : m.expect_status;
  s.expect_body = in.set_expect_body ? in.expect_body : m.expect_body;
  return s;
}

void Apply(store::MonitorRecord& m, const monitor::MonitorSpec& s) {
  m.name = s.name;
  m.kind = std::string(monitor::KindName(s.kind));
  m.target = s.target;
  m.interval_seconds = s.interval_seconds;
  m.failure_threshold = s.failure_threshold;
  m.timeout_ms = s.timeout_ms;
  m.expect_status = s.expect_status;
  m.expect_body = s.expect_body;
}

monitor::State StateOf(const store::MonitorRecord& m) {
  monitor::State s;
  s.consecutive_failures = m.consecutive_failures;
  s.incident_open = m.incident_open;
  if (m.down_since_us) s.down_since = FromMicros(*m.down_since_us);
  return s;
}

std::vector<monitor::WindowCover> Covers(const std::vector<store::MaintenanceWindow>& ws) {
  std::vector<monitor::WindowCover> out;
  out.reserve(ws.size());
  for (const auto& w : ws) out.push_back({w.starts_at, w.ends_at, w.monitor_ids});
  return out;
}

std::optional<double> Percent(const store::UptimeCounts& c) {
  if (c.checks == 0) return std::nullopt;
  return 100.0 * static_cast<double>(c.checks - c.failures) / static_cast<double>(c.checks);
}

Result<MonitorView> ViewOf(store::Tx& tx, store::MonitorRecord m, Instant now, int checks,
                           const std::vector<monitor::WindowCover>& active) {
  MonitorView v;
  PAYOPS_ASSIGN_OR_RETURN(v.recent_checks, store::RecentMonitorChecks(tx, m.id, checks));
  PAYOPS_ASSIGN_OR_RETURN(auto day, store::MonitorUptime(tx, m.id, now - std::chrono::hours(24)));
  PAYOPS_ASSIGN_OR_RETURN(auto month,
                          store::MonitorUptime(tx, m.id, now - std::chrono::hours(24 * 30)));
  v.uptime_24h = Percent(day);
  v.uptime_30d = Percent(month);
  const bool covered = monitor::Covered(active, m.id, now);
  v.status = std::string(
      monitor::DisplayStatus(StateOf(m), m.check_seq > 0, covered, m.failure_threshold));
  if (m.ticket_id) {
    PAYOPS_ASSIGN_OR_RETURN(auto t, store::FindTicketById(tx, *m.ticket_id));
    if (t && t->status != "solved" && t->status != "closed") {
      v.open_ticket = MonitorView::Ticket{t->id, t->number, t->status};
    }
  }
  v.monitor = std::move(m);
  return v;
}

Result<std::vector<monitor::WindowCover>> ActiveCovers(store::Tx& tx, Instant now) {
  PAYOPS_ASSIGN_OR_RETURN(auto ws,
                          store::WindowsOverlapping(tx, now, now + Micros(1), kMaxWindowsPerPass));
  return Covers(ws);
}

// The builtin monitors: fixed ids, so that several servers create them once.
struct Builtin {
  const char* id;
  const char* name;
  const char* target;
};
constexpr Builtin kBuiltins[] = {
    {"mon_builtin_readyz", "payops /readyz", "readyz"},
    {"mon_builtin_store", "payops store", "store"},
    {"mon_builtin_outbox", "payops outbox backlog", "outbox"},
    {"mon_builtin_smtp", "SMTP relay", "smtp"},
};

}  // namespace

Result<MonitorView> CreateMonitor(Env& env, const Actor& actor, const MonitorInput& in) {
  PAYOPS_TRY(CanChange(actor));
  if (!in.name) return Error::Invalid("missing_field", "name is required", "name");
  if (!in.kind) return Error::Invalid("missing_field", "kind is required", "kind");
  if (!in.target) return Error::Invalid("missing_field", "target is required", "target");
  if (!in.interval_seconds) {
    return Error::Invalid("missing_field", "interval_seconds is required", "interval_seconds");
  }
  store::MonitorRecord m;
  PAYOPS_ASSIGN_OR_RETURN(auto spec, SpecOf(m, in));
  PAYOPS_TRY(monitor::ValidateMonitor(spec, env.monitors.allow_private));
  Apply(m, spec);
  std::optional<MonitorView> view;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(int64_t count, store::CountMonitors(tx));
    if (count >= monitor::kMaxMonitors) {
      return Error::Refused("too_many_monitors",
                            "at most " + std::to_string(monitor::kMaxMonitors) + " monitors");
    }
    Instant now = env.clock.Now();
    m.id = env.ids.New("mon");
    m.created_by = actor.member_id;
    m.created_at = m.updated_at = now;
    m.next_check_at = now;  // checked on the next pass
    PAYOPS_TRY(store::InsertMonitor(tx, m));
    PAYOPS_TRY(RecordAudit(env, tx, actor, "monitor.create", "monitor", m.id, nullptr,
                           MonitorAuditJson(m)));
    PAYOPS_ASSIGN_OR_RETURN(auto active, ActiveCovers(tx, now));
    PAYOPS_ASSIGN_OR_RETURN(view, ViewOf(tx, m, now, kRecentChecksShown, active));
    return Status::Ok();
  }));
  return std::move(*view);
}

Result<MonitorView> PatchMonitor(Env& env, const Actor& actor, const std::string& id,
                                 const MonitorInput& in) {
  PAYOPS_TRY(CanChange(actor));
  std::optional<MonitorView> view;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindMonitor(tx, id));
    if (!found) return Error::NotFound("monitor");
    store::MonitorRecord& m = *found;
    const boost::json::value before = MonitorAuditJson(m);
    if (m.kind == "builtin") {
      // Only the schedule of a built-in monitor changes.
      if (in.name || in.kind || in.target || in.set_expect_body || in.set_expect_status ||
          in.timeout_ms) {
        return Error::Refused("builtin_monitor",
                              "a built-in monitor changes only interval_seconds and "
                              "failure_threshold");
      }
      monitor::MonitorSpec s;
      s.name = m.name;
      s.kind = Kind::kTcp;
      s.target = "builtin:1";
      s.interval_seconds = in.interval_seconds.value_or(m.interval_seconds);
      s.failure_threshold = in.failure_threshold.value_or(m.failure_threshold);
      s.timeout_ms = m.timeout_ms;
      PAYOPS_TRY(monitor::ValidateMonitor(s, true));
      m.interval_seconds = s.interval_seconds;
      m.failure_threshold = s.failure_threshold;
    } else {
      PAYOPS_ASSIGN_OR_RETURN(auto spec, SpecOf(m, in));
      PAYOPS_TRY(monitor::ValidateMonitor(spec, env.monitors.allow_private));
      Apply(m, spec);
    }
    Instant now = env.clock.Now();
    m.updated_at = now;
    PAYOPS_TRY(store::UpdateMonitor(tx, m));
    PAYOPS_TRY(RecordAudit(env, tx, actor, "monitor.update", "monitor", m.id, before,
                           MonitorAuditJson(m)));
    PAYOPS_ASSIGN_OR_RETURN(auto active, ActiveCovers(tx, now));
    PAYOPS_ASSIGN_OR_RETURN(view, ViewOf(tx, m, now, kRecentChecksShown, active));
    return Status::Ok();
  }));
  return std::move(*view);
}

Status DeleteMonitor(Env& env, const Actor& actor, const std::string& id) {
  PAYOPS_TRY(CanChange(actor));
  return env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindMonitor(tx, id));
    PAYOPS_ASSIGN_OR_RETURN(bool deleted, store::DeleteMonitor(tx, id, env.clock.Now()));
    if (!deleted || !found) return Error::NotFound("monitor");
    return RecordAudit(env, tx, actor, "monitor.delete", "monitor", id, MonitorAuditJson(*found),
                       nullptr);
  });
}

Result<MonitorView> GetMonitor(Env& env, const Actor& actor, const std::string& id) {
  PAYOPS_TRY(CanRead(actor));
  std::optional<MonitorView> view;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindMonitor(tx, id));
    if (!found) return Error::NotFound("monitor");
    Instant now = env.clock.Now();
    PAYOPS_ASSIGN_OR_RETURN(auto active, ActiveCovers(tx, now));
    PAYOPS_ASSIGN_OR_RETURN(view, ViewOf(tx, std::move(*found), now, kRecentChecksShown, active));
    return Status::Ok();
  }));
  return std::move(*view);
}

Result<store::Page<MonitorView>> ListMonitors(Env& env, const Actor& actor,
                                              const store::PageRequest& page) {
  PAYOPS_TRY(CanRead(actor));
  store::Page<MonitorView> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto list, store::ListMonitors(tx, page));
    Instant now = env.clock.Now();
    PAYOPS_ASSIGN_OR_RETURN(auto active, ActiveCovers(tx, now));
    out.has_more = list.has_more;
    for (auto& m : list.items) {
      PAYOPS_ASSIGN_OR_RETURN(auto v, ViewOf(tx, std::move(m), now, kRecentChecksListed, active));
      out.items.push_back(std::move(v));
    }
    return Status::Ok();
  }));
  return out;
}

Status EnsureBuiltinMonitors(Env& env, const std::optional<std::string>& smtp_relay) {
  auto ensure = [&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    for (const Builtin& b : kBuiltins) {
      const bool smtp = std::string_view(b.target) == "smtp";
      PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindMonitor(tx, b.id));
      if (smtp && !smtp_relay) {
        // No relay configured (any more): nothing to watch.
        if (found) PAYOPS_TRY(store::DeleteMonitor(tx, b.id, now));
        continue;
      }
      if (found) continue;
      PAYOPS_ASSIGN_OR_RETURN(auto any,
                              tx.QueryOne("SELECT id FROM monitors WHERE id = ?", {b.id}));
      if (any) continue;  // deleted by an operator: stays deleted
      store::MonitorRecord m;
      m.id = b.id;
      m.name = smtp ? "SMTP relay " + *smtp_relay : b.name;
      m.kind = "builtin";
      m.target = b.target;
      m.interval_seconds = 60;
      m.failure_threshold = monitor::kDefaultThreshold;
      m.timeout_ms = monitor::kDefaultTimeoutMs;
      m.created_by = "system";
      m.created_at = m.updated_at = m.next_check_at = now;
      PAYOPS_TRY(store::InsertMonitor(tx, m));
    }
    return Status::Ok();
  };
  Status s = env.store.Write(ensure);
  // Servers starting at once on one database: another one inserted a
  // built-in monitor first; a second pass finds it.
  if (!s.ok() && s.error().code == "duplicate") s = env.store.Write(ensure);
  return s;
}

Result<std::vector<PlannedChecks>> PlanMonitorChecks(Env& env, Instant at) {
  std::vector<PlannedChecks> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto due, store::DueMonitors(tx, at, kMaxDueMonitorsPerPass));
    for (auto& m : due) {
      auto d = monitor::DueChecks(m.next_check_at, std::chrono::seconds(m.interval_seconds), at,
                                  monitor::kMaxCatchUpChecks);
      if (d.at.empty()) continue;
      out.push_back(PlannedChecks{std::move(m), std::move(d.at), d.next});
    }
    return Status::Ok();
  }));
  return out;
}

namespace {

std::string CheckLine(Instant at, const CheckResult& r) {
  std::string line = "- " + FormatRfc3339(at) + ": ";
  line += r.ok ? "ok" : "failed";
  if (r.status_code) line += ", HTTP " + std::to_string(*r.status_code);
  if (!r.error.empty()) line += ", " + r.error;
  line += " (" + std::to_string(r.duration_ms) + " ms)";
  return line;
}

std::string Describe(const store::MonitorRecord& m) {
  return m.name + " (" + m.kind + " " + m.target + ")";
}

// The failing checks of the current streak that the history still holds,
// oldest first, for the ticket's description.
Result<std::string> FailingChecksText(store::Tx& tx, const store::MonitorRecord& m) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto checks, store::RecentMonitorChecks(
                       tx, m.id, static_cast<int>(std::min<int64_t>(m.consecutive_failures, 50))));
  std::string text;
  for (auto it = checks.rbegin(); it != checks.rend(); ++it) {
    if (it->ok) continue;
    CheckResult r{false, it->status_code, it->error.value_or(""), it->duration_ms};
    text += CheckLine(it->at, r) + (it->in_maintenance ? " [maintenance]" : "") + "\n";
  }
  return text;
}

Status Incident(Env& env, store::Tx& tx, store::MonitorRecord& m, Instant at) {
  PAYOPS_ASSIGN_OR_RETURN(std::string failing, FailingChecksText(tx, m));
  const std::string since =
      m.down_since_us ? FormatRfc3339(FromMicros(*m.down_since_us)) : FormatRfc3339(at);
  const std::string head = "Monitor " + Describe(m) + " failed " +
                           std::to_string(m.consecutive_failures) +
                           " consecutive checks (threshold " + std::to_string(m.failure_threshold) +
                           "), down since " + since + ".\n\n" + "Failing checks:\n" + failing;
  if (m.ticket_id) {
    // The previous incident's ticket is still being worked: it gets the news.
    PAYOPS_ASSIGN_OR_RETURN(bool noted,
                            NoteMonitorTicket(env, tx, *m.ticket_id, "Down again.\n" + head,
                                              MonitorPage::kPageAgain, at));
    if (noted) return Status::Ok();
  }
  PAYOPS_ASSIGN_OR_RETURN(auto t, OpenMonitorTicket(env, tx, "Monitor down: " + m.name, head, at));
  m.ticket_id = t.id;
  return Status::Ok();
}

Status Recovery(Env& env, store::Tx& tx, const store::MonitorRecord& m,
                std::optional<Instant> start, Instant end) {
  if (!m.ticket_id) return Status::Ok();
  Instant from = start.value_or(end);
  std::string body =
      "Monitor " + Describe(m) + " is up again.\nOutage start: " + FormatRfc3339(from) +
      "\nOutage end: " + FormatRfc3339(end) + "\nDuration: " + monitor::FormatDuration(end - from);
  PAYOPS_ASSIGN_OR_RETURN(
      bool noted, NoteMonitorTicket(env, tx, *m.ticket_id, body, MonitorPage::kResolve, end));
  (void)noted;  // a ticket solved meanwhile needs no note
  return Status::Ok();
}

}  // namespace

Result<int> RecordMonitorChecks(Env& env, const std::vector<PlannedChecks>& plans,
                                const std::vector<std::vector<CheckResult>>& results) {
  if (plans.empty()) return 0;
  int recorded = 0;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    Instant first = plans.front().at.front();
    Instant last = first;
    for (const auto& p : plans) {
      first = std::min(first, p.at.front());
      last = std::max(last, p.at.back());
    }
    PAYOPS_ASSIGN_OR_RETURN(
        auto ws, store::WindowsOverlapping(tx, first, last + Micros(1), kMaxWindowsPerPass));
    const auto covers = Covers(ws);
    for (size_t i = 0; i < plans.size() && i < results.size(); ++i) {
      const PlannedChecks& plan = plans[i];
      PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindMonitor(tx, plan.monitor.id));
      // Changed since the plan (another server recorded it, or deleted).
      if (!found || found->next_check_at != plan.monitor.next_check_at) continue;
      store::MonitorRecord& m = *found;
      for (size_t j = 0; j < plan.at.size() && j < results[i].size(); ++j) {
        const Instant at = plan.at[j];
        const CheckResult& r = results[i][j];
        const bool covered = monitor::Covered(covers, m.id, at);
        ++m.check_seq;
        PAYOPS_TRY(store::InsertMonitorCheck(
            tx,
            store::MonitorCheck{m.id, m.check_seq, at, r.ok, covered, r.duration_ms, r.status_code,
                                r.error.empty()
                                    ? std::nullopt
                                    : std::optional<std::string>(r.error.substr(0, 500))},
            monitor::kChecksKept));
        monitor::Step step =
            monitor::ApplyCheck(StateOf(m), r.ok, covered, m.failure_threshold, at);
        m.consecutive_failures = step.next.consecutive_failures;
        m.incident_open = step.next.incident_open;
        m.down_since_us = step.next.down_since
                              ? std::optional<int64_t>(ToMicros(*step.next.down_since))
                              : std::nullopt;
        m.last_check_at_us = ToMicros(at);
        if (step.effect == monitor::Effect::kOpenIncident) PAYOPS_TRY(Incident(env, tx, m, at));
        if (step.effect == monitor::Effect::kRecovered) {
          PAYOPS_TRY(Recovery(env, tx, m, step.outage_start, at));
        }
        ++recorded;
      }
      m.next_check_at = plan.next;
      PAYOPS_TRY(store::UpdateMonitor(tx, m));
    }
    PAYOPS_TRY(store::DeleteUptimeBefore(tx, last - kUptimeRetention));
    return Status::Ok();
  }));
  return recorded;
}

// ---------------------------------------------------------------------------
// Maintenance windows.

namespace {

Result<Instant> TimeField(const std::optional<std::string>& text, const char* field) {
  if (!text) {
    return Error::Invalid("missing_field", std::string(field) + " is required", field);
  }
  auto t = ParseRfc3339(*text);
  if (!t) {
    return Error::Invalid("invalid_time", std::string(field) + " must be RFC 3339 with an offset",
                          field);
  }
  return *t;
}

WindowView WindowViewOf(store::MaintenanceWindow w, const Actor& actor, Instant now) {
  WindowView v;
  v.state =
      std::string(monitor::WindowStateName(monitor::WindowStateAt(w.starts_at, w.ends_at, now)));
  if (actor.role == Role::kPartner) w.monitor_ids.clear();
  v.window = std::move(w);
  return v;
}

// Validates `w` (as it would be stored) and that its monitors exist.
Status CheckWindow(store::Tx& tx, const store::MaintenanceWindow& w, Instant now) {
  PAYOPS_TRY(monitor::ValidateWindow(
      {w.starts_at, w.ends_at, w.title, w.message, w.monitor_ids.size()}, now));
  for (const auto& id : w.monitor_ids) {
    if (id.empty() || id.size() > 64) {
      return Error::Invalid("invalid_value", "monitor ids are 1 to 64 bytes", "monitor_ids");
    }
    PAYOPS_ASSIGN_OR_RETURN(auto m, store::FindMonitor(tx, id));
    if (!m) return Error::Refused("unknown_monitor", "no monitor " + id, "monitor_ids");
  }
  return Status::Ok();
}

std::vector<std::string> Unique(std::vector<std::string> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace

Result<WindowView> CreateWindow(Env& env, const Actor& actor, const WindowInput& in) {
  PAYOPS_TRY(CanChange(actor));
  store::MaintenanceWindow w;
  PAYOPS_ASSIGN_OR_RETURN(w.starts_at, TimeField(in.starts_at, "starts_at"));
  PAYOPS_ASSIGN_OR_RETURN(w.ends_at, TimeField(in.ends_at, "ends_at"));
  if (!in.title) return Error::Invalid("missing_field", "title is required", "title");
  if (!in.monitor_ids) {
    return Error::Invalid("missing_field", "monitor_ids is required", "monitor_ids");
  }
  w.title = *in.title;
  w.message = in.message.value_or("");
  w.monitor_ids = Unique(*in.monitor_ids);
  std::optional<WindowView> view;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    PAYOPS_TRY(CheckWindow(tx, w, now));
    w.id = env.ids.New("mw");
    w.created_by = actor.member_id;
    w.created_at = w.updated_at = now;
    PAYOPS_TRY(store::InsertWindow(tx, w));
    PAYOPS_TRY(RecordAudit(env, tx, actor, "maintenance_window.create", "maintenance_window", w.id,
                           nullptr, WindowAuditJson(w)));
    view = WindowViewOf(w, actor, now);
    return Status::Ok();
  }));
  return std::move(*view);
}

Result<WindowView> PatchWindow(Env& env, const Actor& actor, const std::string& id,
                               const WindowInput& in) {
  PAYOPS_TRY(CanChange(actor));
  std::optional<Instant> starts, ends;
  if (in.starts_at) {
    PAYOPS_ASSIGN_OR_RETURN(starts, TimeField(in.starts_at, "starts_at"));
  }
  if (in.ends_at) {
    PAYOPS_ASSIGN_OR_RETURN(ends, TimeField(in.ends_at, "ends_at"));
  }
  std::optional<WindowView> view;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindWindow(tx, id));
    if (!found) return Error::NotFound("maintenance window");
    store::MaintenanceWindow& w = *found;
    const boost::json::value before = WindowAuditJson(w);
    Instant now = env.clock.Now();
    const auto state = monitor::WindowStateAt(w.starts_at, w.ends_at, now);
    if (state == monitor::WindowState::kPast) {
      return Error::Conflict("window_ended", "the maintenance window is over");
    }
    if (state == monitor::WindowState::kActive && (starts || in.monitor_ids)) {
      return Error::Conflict("window_started",
                             "a started window changes only its end, title and message");
    }
    if (starts && *starts != w.starts_at) {
      w.starts_at = *starts;
      w.announced_at_us.reset();  // announced again with the new time
    }
    if (ends) w.ends_at = *ends;
    if (in.title) w.title = *in.title;
    if (in.message) w.message = *in.message;
    if (in.monitor_ids) w.monitor_ids = Unique(*in.monitor_ids);
    PAYOPS_TRY(CheckWindow(tx, w, now));
    w.updated_at = now;
    PAYOPS_TRY(store::UpdateWindow(tx, w));
    PAYOPS_TRY(RecordAudit(env, tx, actor, "maintenance_window.update", "maintenance_window", w.id,
                           before, WindowAuditJson(w)));
    view = WindowViewOf(w, actor, now);
    return Status::Ok();
  }));
  return std::move(*view);
}

Status DeleteWindow(Env& env, const Actor& actor, const std::string& id) {
  PAYOPS_TRY(CanChange(actor));
  return env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindWindow(tx, id));
    if (!found) return Error::NotFound("maintenance window");
    if (found->starts_at <= env.clock.Now()) {
      return Error::Conflict("window_started",
                             "a maintenance window can be deleted only before it starts");
    }
    PAYOPS_ASSIGN_OR_RETURN(bool deleted, store::DeleteWindow(tx, id));
    if (!deleted) return Error::NotFound("maintenance window");
    return RecordAudit(env, tx, actor, "maintenance_window.delete", "maintenance_window", id,
                       WindowAuditJson(*found), nullptr);
  });
}

Result<WindowView> GetWindow(Env& env, const Actor& actor, const std::string& id) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent, Role::kOpsManager, Role::kPartner}));
  std::optional<WindowView> view;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindWindow(tx, id));
    if (!found) return Error::NotFound("maintenance window");
    view = WindowViewOf(std::move(*found), actor, env.clock.Now());
    return Status::Ok();
  }));
  return std::move(*view);
}

Result<store::Page<WindowView>> ListWindows(Env& env, const Actor& actor,
                                            std::optional<std::string> state,
                                            const store::PageRequest& page) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent, Role::kOpsManager, Role::kPartner}));
  if (state) PAYOPS_TRY(monitor::ParseWindowState(*state));
  store::Page<WindowView> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    std::optional<std::string_view> s;
    if (state) s = *state;
    PAYOPS_ASSIGN_OR_RETURN(auto list, store::ListWindows(tx, s, now, page));
    out.has_more = list.has_more;
    for (auto& w : list.items) out.items.push_back(WindowViewOf(std::move(w), actor, now));
    return Status::Ok();
  }));
  return out;
}

Result<int> AnnounceWindows(Env& env, Instant at) {
  int sent = 0;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto due, store::WindowsToAnnounce(tx, at + env.monitors.announce_ahead,
                                                               at, kMaxWindowsPerPass));
    if (due.empty()) return Status::Ok();
    PAYOPS_ASSIGN_OR_RETURN(auto contacts,
                            store::MembersWithRole(tx, Role::kPartner, kMaxAnnouncedContacts));
    for (auto& w : due) {
      for (const auto& c : contacts) {
        mail::TemplateValues values{{"name", c.name},
                                    {"title", w.title},
                                    {"message", w.message},
                                    {"starts_at", FormatRfc3339(w.starts_at)},
                                    {"ends_at", FormatRfc3339(w.ends_at)},
                                    {"link", env.desk.base_url + "/#/requests"},
                                    {"support_name", env.mail.support_name}};
        PAYOPS_ASSIGN_OR_RETURN(RenderedMail rendered, RenderMail("maintenance_window", values));
        store::OutboxMessage m;
        m.id = env.ids.New("msg");
        m.kind = "email";
        m.event = "maintenance_window";
        m.to_address = c.email;
        m.to_member_id = c.id;
        m.subject = "Scheduled maintenance: " + w.title;
        m.body = std::move(rendered.text);
        m.html_body = std::move(rendered.html);
        m.message_id = mail::OutboundMessageId("", m.id, env.mail.domain);
        m.created_at = at;
        m.next_attempt_at_us = ToMicros(at);
        PAYOPS_TRY(EnqueueOutbox(env, tx, std::move(m)));
        ++sent;
      }
      w.announced_at_us = ToMicros(at);
      PAYOPS_TRY(store::UpdateWindow(tx, w));
    }
    return Status::Ok();
  }));
  return sent;
}

}  // namespace payops::service
