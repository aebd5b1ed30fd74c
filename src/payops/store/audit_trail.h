// The audit trail: append-only, hash-chained records of administrative and
// money-moving actions (migration 23). The hashes are computed by the
// service (service/audit.h); this file only stores and reads rows.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "payops/core/clock.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

struct AuditRecord {
  int64_t seq = 0;  // 1, 2, 3, ... in chain order
  Instant at;
  std::string actor;  // member id, or "system"
  std::string actor_role;
  std::string request_id;  // "" outside a request (jobs, commands)
  std::string action;      // "api_key.create", "transaction.refund", ...
  std::string object_type;
  std::string object_id;
  std::string before_json;  // JSON text; "null" when the object is new
  std::string after_json;   // JSON text; "null" when the object is gone
  std::string prev_hash;    // hex SHA-256 of the previous record (64 zeros for the first)
  std::string hash;         // hex SHA-256 of this record (service/audit.h)
};

struct AuditHead {
  int64_t seq = 0;
  std::string hash;
};

// Reads the chain's head and locks it for this transaction: on PostgreSQL a
// concurrent appender waits for the row (and the loser of a SERIALIZABLE race
// is retried by the store); SQLite has one writer.
Result<AuditHead> LockAuditHead(Tx& tx);
// Inserts `r` (its seq must be head.seq + 1) and moves the head to it.
Status InsertAuditRecord(Tx& tx, const AuditRecord& r);

struct AuditFilter {
  std::optional<std::string> actor;
  std::optional<std::string> action;
  std::optional<std::string> object_type;
  std::optional<std::string> object_id;
  std::optional<Instant> from;   // at >= from
  std::optional<Instant> until;  // at < until
};
// Records matching `f` in sequence order, after page.after_id (a decimal seq).
Result<Page<AuditRecord>> ListAuditRecords(Tx& tx, const AuditFilter& f, const PageRequest& page);
// Records with seq > after_seq in order, at most `limit` (for verification in batches).
Result<std::vector<AuditRecord>> AuditRecordsAfter(Tx& tx, int64_t after_seq, int limit);

}  // namespace payops::store
