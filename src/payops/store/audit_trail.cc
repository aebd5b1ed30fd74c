#include "payops/store/audit_trail.h"

#include <charconv>

namespace payops::store {
namespace {

constexpr const char* kColumns =
    "seq, at, actor, actor_role, request_id, action, object_type, object_id, before_json, "
    "after_json, prev_hash, hash";

AuditRecord FromRow(const Row& r) {
  AuditRecord a;
  a.seq = r.Int(0);
  a.at = FromMicros(r.Int(1));
  a.actor = r.Text(2);
  a.actor_role = r.Text(3);
  a.request_id = r.Text(4);
  a.action = r.Text(5);
  a.object_type = r.Text(6);
  a.object_id = r.Text(7);
  a.before_json = r.Text(8);
  a.after_json = r.Text(9);
  a.prev_hash = r.Text(10);
  a.hash = r.Text(11);
  return a;
}

}  // namespace

Result<AuditHead> LockAuditHead(Tx& tx) {
  // FOR UPDATE makes a concurrent PostgreSQL appender wait here rather than
  // fail later; SQLite has no such clause (and needs none).
  const char* sql = tx.dialect() == Dialect::kPostgres
                        ? "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE"
                        : "SELECT seq, hash FROM audit_head WHERE id = 1";
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(sql, {}));
  if (!row) return Error::Internal("audit_head row missing");
  return AuditHead{row->Int(0), row->Text(1)};
}

Status InsertAuditRecord(Tx& tx, const AuditRecord& r) {
  PAYOPS_TRY(
      tx.Exec(std::string("INSERT INTO audit_trail (") + kColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {r.seq, ToMicros(r.at), r.actor, r.actor_role, r.request_id, r.action, r.object_type,
               r.object_id, r.before_json, r.after_json, r.prev_hash, r.hash}));
  PAYOPS_ASSIGN_OR_RETURN(
      int64_t n, tx.Exec("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1 AND seq = ?",
                         {r.seq, r.hash, r.seq - 1}));
  if (n != 1) return Error::Internal("audit chain head moved during append");
  return Status::Ok();
}

Result<Page<AuditRecord>> ListAuditRecords(Tx& tx, const AuditFilter& f, const PageRequest& page) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM audit_trail WHERE 1 = 1";
  std::vector<Value> params;
  auto eq = [&](const char* column, const std::optional<std::string>& v) {
    if (!v) return;
    sql += std::string(" AND ") + column + " = ?";
    params.emplace_back(*v);
  };
  eq("actor", f.actor);
  eq("action", f.action);
  eq("object_type", f.object_type);
  eq("object_id", f.object_id);
  if (f.from) {
    sql += " AND at >= ?";
    params.emplace_back(ToMicros(*f.from));
  }
  if (f.until) {
    sql += " AND at < ?";
    params.emplace_back(ToMicros(*f.until));
  }
  if (page.after_id) {
    int64_t after = 0;
    const std::string& s = *page.after_id;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), after);
    if (ec != std::errc() || p != s.data() + s.size() || after < 0) {
      return Error::Invalid("invalid_cursor", "cursor is not one this list returned", "cursor");
    }
    sql += " AND seq > ?";
    params.emplace_back(after);
  }
  sql += " ORDER BY seq LIMIT ?";
  params.emplace_back(int64_t{page.limit} + 1);
  PAYOPS_ASSIGN_OR_RETURN(auto rows, tx.Query(sql, params));
  return ToPage<AuditRecord>(rows, page.limit, FromRow);
}

Result<std::vector<AuditRecord>> AuditRecordsAfter(Tx& tx, int64_t after_seq, int limit) {
  PAYOPS_ASSIGN_OR_RETURN(auto rows,
                          tx.Query(std::string("SELECT ") + kColumns +
                                       " FROM audit_trail WHERE seq > ? ORDER BY seq LIMIT ?",
                                   {after_seq, int64_t{limit}}));
  std::vector<AuditRecord> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(FromRow(r));
  return out;
}

}  // namespace payops::store
