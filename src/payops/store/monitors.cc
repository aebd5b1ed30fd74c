#include "payops/store/monitors.h"

#include <limits>
#include <sstream>

namespace payops::store {
namespace {

constexpr const char* kMonitorColumns =
    "id, name, kind, target, interval_seconds, failure_threshold, expect_status, expect_body, "
    "timeout_ms, created_by, created_at, updated_at, next_check_at, consecutive_failures, "
    "down_since, incident_open, ticket_id, last_check_at, check_seq";
constexpr const char* kWindowColumns =
    "id, title, message, starts_at, ends_at, monitor_ids, created_by, created_at, updated_at, "
    "announced_at";
constexpr int64_t kHourUs = int64_t{3600} * 1000000;

MonitorRecord MonitorFromRow(const Row& r) {
  MonitorRecord m;
  m.id = r.Text(0);
  m.name = r.Text(1);
  m.kind = r.Text(2);
  m.target = r.Text(3);
  m.interval_seconds = r.Int(4);
  m.failure_threshold = r.Int(5);
  m.expect_status = r.OptInt(6);
  m.expect_body = r.OptText(7);
  m.timeout_ms = r.Int(8);
  m.created_by = r.OptText(9);
  m.created_at = FromMicros(r.Int(10));
  m.updated_at = FromMicros(r.Int(11));
  m.next_check_at = FromMicros(r.Int(12));
  m.consecutive_failures = r.Int(13);
  m.down_since_us = r.OptInt(14);
  m.incident_open = r.Int(15) != 0;
  m.ticket_id = r.OptText(16);
  m.last_check_at_us = r.OptInt(17);
  m.check_seq = r.Int(18);
  return m;
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const auto& id : ids) out += (out.empty() ? "" : " ") + id;
  return out;
}

std::vector<std::string> SplitIds(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string id;
  while (in >> id) out.push_back(id);
  return out;
}

MaintenanceWindow WindowFromRow(const Row& r) {
  MaintenanceWindow w;
  w.id = r.Text(0);
  w.title = r.Text(1);
  w.message = r.Text(2);
  w.starts_at = FromMicros(r.Int(3));
  w.ends_at = FromMicros(r.Int(4));
  w.monitor_ids = SplitIds(r.Text(5));
  w.created_by = r.OptText(6);
  w.created_at = FromMicros(r.Int(7));
  w.updated_at = FromMicros(r.Int(8));
  w.announced_at_us = r.OptInt(9);
  return w;
}

Value OptBool(bool b) {
  return int64_t{b ? 1 : 0};
}

}  // namespace

Status InsertMonitor(Tx& tx, const MonitorRecord& m) {
  PAYOPS_TRY(tx.Exec(std::string("INSERT INTO monitors (") + kMonitorColumns +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {m.id, m.name, m.kind, m.target, m.interval_seconds, m.failure_threshold,
                      Opt(m.expect_status), Opt(m.expect_body), m.timeout_ms, Opt(m.created_by),
                      ToMicros(m.created_at), ToMicros(m.updated_at), ToMicros(m.next_check_at),
                      m.consecutive_failures, Opt(m.down_since_us), OptBool(m.incident_open),
                      Opt(m.ticket_id), Opt(m.last_check_at_us), m.check_seq}));
  return Status::Ok();
}

Result<std::optional<MonitorRecord>> FindMonitor(Tx& tx, const std::string& id) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT ") + kMonitorColumns +
                                                    " FROM monitors WHERE id = ? AND "
                                                    "deleted_at IS NULL",
                                                {id}));
  if (!row) return std::optional<MonitorRecord>();
  return std::optional<MonitorRecord>(MonitorFromRow(*row));
}

Result<Page<MonitorRecord>> ListMonitors(Tx& tx, const PageRequest& page) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query(std::string("SELECT ") + kMonitorColumns +
                              " FROM monitors WHERE deleted_at IS NULL AND id > ? ORDER BY id "
                              "LIMIT ?",
                          {page.after_id.value_or(""), int64_t{page.limit + 1}}));
  return ToPage<MonitorRecord>(rows, page.limit, MonitorFromRow);
}

Result<int64_t> CountMonitors(Tx& tx) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT COUNT(*) FROM monitors WHERE deleted_at IS NULL", {}));
  return row ? row->Int(0) : 0;
}

Result<bool> UpdateMonitor(Tx& tx, const MonitorRecord& m) {
  PAYOPS_ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec(
          "UPDATE monitors SET name = ?, kind = ?, target = ?, interval_seconds = ?, "
          "failure_threshold = ?, expect_status = ?, expect_body = ?, timeout_ms = ?, "
          "updated_at = ?, next_check_at = ?, consecutive_failures = ?, down_since = ?, "
          "incident_open = ?, ticket_id = ?, last_check_at = ?, check_seq = ? "
          "WHERE id = ? AND deleted_at IS NULL",
          {m.name, m.kind, m.target, m.interval_seconds, m.failure_threshold, Opt(m.expect_status),
           Opt(m.expect_body), m.timeout_ms, ToMicros(m.updated_at), ToMicros(m.next_check_at),
           m.consecutive_failures, Opt(m.down_since_us), OptBool(m.incident_open), Opt(m.ticket_id),
           Opt(m.last_check_at_us), m.check_seq, m.id}));
  return n == 1;
}

Result<bool> DeleteMonitor(Tx& tx, const std::string& id, Instant at) {
  PAYOPS_ASSIGN_OR_RETURN(
      int64_t n, tx.Exec("UPDATE monitors SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
                         {ToMicros(at), id}));
  if (n == 1) PAYOPS_TRY(tx.Exec("DELETE FROM monitor_checks WHERE monitor_id = ?", {id}));
  return n == 1;
}

Result<std::vector<MonitorRecord>> DueMonitors(Tx& tx, Instant at, int limit) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows,
      tx.Query(std::string("SELECT ") + kMonitorColumns +
                   " FROM monitors WHERE next_check_at <= ? AND deleted_at IS NULL ORDER BY "
                   "next_check_at, id LIMIT ?",
               {ToMicros(at), int64_t{limit}}));
  std::vector<MonitorRecord> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(MonitorFromRow(r));
  return out;
}

Status InsertMonitorCheck(Tx& tx, const MonitorCheck& c, int64_t keep) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO monitor_checks (monitor_id, seq, at, ok, in_maintenance, duration_ms, "
              "status_code, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              {c.monitor_id, c.seq, ToMicros(c.at), OptBool(c.ok), OptBool(c.in_maintenance),
               c.duration_ms, Opt(c.status_code), Opt(c.error)}));
  if (!c.in_maintenance) {
    const int64_t us = ToMicros(c.at);
    const int64_t hour = us - ((us % kHourUs) + kHourUs) % kHourUs;
    PAYOPS_TRY(
        tx.Exec("INSERT INTO monitor_uptime (monitor_id, hour_at, checks, failures) VALUES (?, "
                "?, 1, ?) ON CONFLICT (monitor_id, hour_at) DO UPDATE SET checks = "
                "monitor_uptime.checks + 1, failures = monitor_uptime.failures + "
                "excluded.failures",
                {c.monitor_id, hour, int64_t{c.ok ? 0 : 1}}));
  }
  if (c.seq > keep) {
    PAYOPS_TRY(tx.Exec("DELETE FROM monitor_checks WHERE monitor_id = ? AND seq <= ?",
                       {c.monitor_id, c.seq - keep}));
  }
  return Status::Ok();
}

Result<std::vector<MonitorCheck>> RecentMonitorChecks(Tx& tx, const std::string& monitor_id,
                                                      int limit) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query("SELECT monitor_id, seq, at, ok, in_maintenance, duration_ms, "
                          "status_code, error FROM monitor_checks WHERE monitor_id = ? ORDER BY "
                          "seq DESC LIMIT ?",
                          {monitor_id, int64_t{limit}}));
  std::vector<MonitorCheck> out;
  for (const Row& r : rows) {
    out.push_back(MonitorCheck{r.Text(0), r.Int(1), FromMicros(r.Int(2)), r.Int(3) != 0,
                               r.Int(4) != 0, r.Int(5), r.OptInt(6), r.OptText(7)});
  }
  return out;
}

Result<UptimeCounts> MonitorUptime(Tx& tx, const std::string& monitor_id, Instant since) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT COALESCE(SUM(checks), 0), COALESCE(SUM(failures), 0) FROM "
                            "monitor_uptime WHERE monitor_id = ? AND hour_at >= ?",
                            {monitor_id, ToMicros(since)}));
  if (!row) return UptimeCounts{};
  return UptimeCounts{row->Int(0), row->Int(1)};
}

Status DeleteUptimeBefore(Tx& tx, Instant before) {
  PAYOPS_TRY(tx.Exec("DELETE FROM monitor_uptime WHERE hour_at < ?", {ToMicros(before)}));
  return Status::Ok();
}

Status InsertWindow(Tx& tx, const MaintenanceWindow& w) {
  PAYOPS_TRY(tx.Exec(
      std::string("INSERT INTO maintenance_windows (") + kWindowColumns +
          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {w.id, w.title, w.message, ToMicros(w.starts_at), ToMicros(w.ends_at), JoinIds(w.monitor_ids),
       Opt(w.created_by), ToMicros(w.created_at), ToMicros(w.updated_at), Opt(w.announced_at_us)}));
  return Status::Ok();
}

Result<std::optional<MaintenanceWindow>> FindWindow(Tx& tx, const std::string& id) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT ") + kWindowColumns +
                                                    " FROM maintenance_windows WHERE id = ?",
                                                {id}));
  if (!row) return std::optional<MaintenanceWindow>();
  return std::optional<MaintenanceWindow>(WindowFromRow(*row));
}

Result<Page<MaintenanceWindow>> ListWindows(Tx& tx, std::optional<std::string_view> state,
                                            Instant now, const PageRequest& page) {
  // Unused placeholders compare with the bounds of time, so that the
  // statement has one shape.
  const int64_t t = ToMicros(now);
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  int64_t starts_after = lo, starts_by = hi, ends_after = lo, ends_by = hi;
  if (state == "upcoming") {
    starts_after = t;
  } else if (state == "active") {
    starts_by = t;
    ends_after = t;
  } else if (state == "past") {
    ends_by = t;
  }
  const std::string where =
      "id > ? AND starts_at > ? AND starts_at <= ? AND ends_at > ? AND ends_at <= ?";
  const std::vector<Value> params{
      page.after_id.value_or(""), starts_after, starts_by, ends_after, ends_by,
      int64_t{page.limit + 1}};
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query(std::string("SELECT ") + kWindowColumns +
                              " FROM maintenance_windows WHERE " + where + " ORDER BY id LIMIT ?",
                          std::span<const Value>(params)));
  return ToPage<MaintenanceWindow>(rows, page.limit, WindowFromRow);
}

Status UpdateWindow(Tx& tx, const MaintenanceWindow& w) {
  PAYOPS_TRY(
      tx.Exec("UPDATE maintenance_windows SET title = ?, message = ?, starts_at = ?, ends_at = ?, "
              "monitor_ids = ?, updated_at = ?, announced_at = ? WHERE id = ?",
              {w.title, w.message, ToMicros(w.starts_at), ToMicros(w.ends_at),
               JoinIds(w.monitor_ids), ToMicros(w.updated_at), Opt(w.announced_at_us), w.id}));
  return Status::Ok();
}

Result<bool> DeleteWindow(Tx& tx, const std::string& id) {
  PAYOPS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("DELETE FROM maintenance_windows WHERE id = ?", {id}));
  return n == 1;
}

Result<std::vector<MaintenanceWindow>> WindowsOverlapping(Tx& tx, Instant from, Instant to,
                                                          int limit) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query(std::string("SELECT ") + kWindowColumns +
                              " FROM maintenance_windows WHERE ends_at > ? AND starts_at < ? "
                              "ORDER BY starts_at, id LIMIT ?",
                          {ToMicros(from), ToMicros(to), int64_t{limit}}));
  std::vector<MaintenanceWindow> out;
  for (const Row& r : rows) out.push_back(WindowFromRow(r));
  return out;
}

Result<std::vector<MaintenanceWindow>> WindowsToAnnounce(Tx& tx, Instant starts_by, Instant now,
                                                         int limit) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query(std::string("SELECT ") + kWindowColumns +
                              " FROM maintenance_windows WHERE announced_at IS NULL AND "
                              "starts_at <= ? AND ends_at > ? ORDER BY starts_at, id LIMIT ?",
                          {ToMicros(starts_by), ToMicros(now), int64_t{limit}}));
  std::vector<MaintenanceWindow> out;
  for (const Row& r : rows) out.push_back(WindowFromRow(r));
  return out;
}

}  // namespace payops::store
