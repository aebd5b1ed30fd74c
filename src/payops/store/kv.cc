#include "payops/store/kv.h"

#include <charconv>
#include <limits>

namespace payops::store {

Result<std::optional<StoredResponse>> FindIdempotentResponse(Tx& tx, const std::string& scope,
                                                             const std::string& key) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT request_hash, status, body FROM "
                                                "idempotency_keys WHERE scope = ? AND idem_key = ?",
                                                {scope, key}));
  if (!row) return std::optional<StoredResponse>();
  return std::optional<StoredResponse>(
      StoredResponse{row->Text(0), static_cast<int>(row->Int(1)), row->Text(2)});
}

Status InsertIdempotentResponse(Tx& tx, const std::string& scope, const std::string& key,
                                const StoredResponse& r, Instant now) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO idempotency_keys (scope, idem_key, request_hash, status, body, "
              "created_at) VALUES (?, ?, ?, ?, ?, ?)",
              {scope, key, r.request_hash, int64_t{r.status}, r.body, ToMicros(now)}));
  return Status::Ok();
}

Result<int64_t> DeleteIdempotencyKeysBefore(Tx& tx, Instant cutoff) {
  return tx.Exec("DELETE FROM idempotency_keys WHERE created_at < ?", {ToMicros(cutoff)});
}

Result<std::optional<Instant>> FindJobWatermark(Tx& tx, const std::string& job) {
  PAYOPS_ASSIGN_OR_RETURN(auto row,
                          tx.QueryOne("SELECT last_run_at FROM job_runs WHERE name = ?", {job}));
  if (!row) return std::optional<Instant>();
  return std::optional<Instant>(FromMicros(row->Int(0)));
}

Result<bool> ClaimJobRun(Tx& tx, const std::string& job, std::optional<Instant> expected,
                         Instant next) {
  if (!expected) {
    PAYOPS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("INSERT INTO job_runs (name, last_run_at) VALUES "
                                               "(?, ?) ON CONFLICT (name) DO NOTHING",
                                               {job, ToMicros(next)}));
    return n == 1;
  }
  PAYOPS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE job_runs SET last_run_at = ? WHERE name = ? "
                                             "AND last_run_at = ?",
                                             {ToMicros(next), job, ToMicros(*expected)}));
  return n == 1;
}

Result<bool> TakeJobLease(Tx& tx, const std::string& job, const std::string& holder, Instant now,
                          Instant until) {
  // taken_at stays when the holder renews: it tells when this holder took over.
  PAYOPS_ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec("INSERT INTO job_leases (name, holder, expires_at, taken_at) VALUES (?, ?, ?, ?) "
              "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = "
              "excluded.expires_at, taken_at = CASE WHEN job_leases.holder = excluded.holder "
              "THEN job_leases.taken_at ELSE excluded.taken_at END WHERE job_leases.holder = "
              "excluded.holder OR job_leases.expires_at <= ?",
              {job, holder, ToMicros(until), ToMicros(now), ToMicros(now)}));
  return n == 1;
}

Result<bool> HoldsJobLease(Tx& tx, const std::string& job, const std::string& holder, Instant now) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT 1 FROM job_leases WHERE name = ? AND "
                                                "holder = ? AND expires_at > ?",
                                                {job, holder, ToMicros(now)}));
  return row.has_value();
}

Status ReleaseJobLease(Tx& tx, const std::string& job, const std::string& holder) {
  PAYOPS_TRY(
      tx.Exec("UPDATE job_leases SET expires_at = 0 WHERE name = ? AND holder = ?", {job, holder}));
  return Status::Ok();
}

Result<std::optional<JobLease>> FindJobLease(Tx& tx, const std::string& job) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryOne("SELECT name, holder, expires_at, taken_at FROM job_leases WHERE name = ?",
                  {job}));
  if (!row) return std::optional<JobLease>();
  return std::optional<JobLease>(
      JobLease{row->Text(0), row->Text(1), FromMicros(row->Int(2)), FromMicros(row->Int(3))});
}

Result<std::optional<std::string>> GetSetting(Tx& tx, const std::string& name) {
  PAYOPS_ASSIGN_OR_RETURN(auto row,
                          tx.QueryOne("SELECT value FROM settings WHERE name = ?", {name}));
  if (!row) return std::optional<std::string>();
  return std::optional<std::string>(row->Text(0));
}

Status PutSetting(Tx& tx, const std::string& name, const std::string& value) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO settings (name, value) VALUES (?, ?) "
              "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
              {name, value}));
  return Status::Ok();
}

Status DeleteSetting(Tx& tx, const std::string& name) {
  const bool sqlite = tx.dialect() == Dialect::kSqlite;
  if (sqlite) PAYOPS_TRY(tx.Exec("PRAGMA secure_delete = ON", {}));
  auto deleted = tx.Exec("DELETE FROM settings WHERE name = ?", {name});
  if (sqlite) PAYOPS_TRY(tx.Exec("PRAGMA secure_delete = OFF", {}));
  if (!deleted.ok()) return deleted.take_error();
  return Status::Ok();
}

Status AppendAudit(Tx& tx, const AuditEntry& e) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO audit_log (id, entity_type, entity_id, at, actor, action, "
              "detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
              {e.id, e.entity_type, e.entity_id, ToMicros(e.at), e.actor, e.action, e.detail}));
  return Status::Ok();
}

std::string AuditPageKey(const AuditEntry& e) {
  return std::to_string(ToMicros(e.at)) + "_" + e.id;
}

Result<Page<AuditEntry>> ListAudit(Tx& tx, const std::string& entity_type,
                                   const std::string& entity_id, const PageRequest& page) {
  // After "<at micros>_<id>": a later instant, or the same one and a greater id.
  int64_t after_at = std::numeric_limits<int64_t>::min();
  std::string after_id;
  if (page.after_id) {
    const std::string& key = *page.after_id;
    size_t sep = key.find('_');
    int64_t at = 0;
    auto [end, ec] = std::from_chars(key.data(), key.data() + std::min(sep, key.size()), at);
    if (sep == std::string::npos || ec != std::errc() || end != key.data() + sep) {
      return Error::Invalid("invalid_cursor", "cursor is not one this server issued", "cursor");
    }
    after_at = at;
    after_id = key.substr(sep + 1);
  }
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows,
      tx.Query("SELECT id, entity_type, entity_id, at, actor, action, detail "
               "FROM audit_log WHERE entity_type = ? AND entity_id = ? "
               "AND (at > ? OR (at = ? AND id > ?)) ORDER BY at, id LIMIT ?",
               {entity_type, entity_id, after_at, after_at, after_id, int64_t{page.limit} + 1}));
  return ToPage<AuditEntry>(rows, page.limit, [](const Row& r) {
    return AuditEntry{r.Text(0), r.Text(1), r.Text(2), FromMicros(r.Int(3)),
                      r.Text(4), r.Text(5), r.Text(6)};
  });
}

}  // namespace payops::store
