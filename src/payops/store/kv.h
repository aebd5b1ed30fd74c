// Small system tables: stored idempotent responses, job watermarks, settings,
// and the audit log of changes to non-transaction objects.
#pragma once

#include "payops/core/clock.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

struct StoredResponse {
  std::string request_hash;
  int status = 0;
  std::string body;
};

Result<std::optional<StoredResponse>> FindIdempotentResponse(Tx& tx, const std::string& scope,
                                                             const std::string& key);
// Error kConflict "duplicate" when another request stored this key first.
Status InsertIdempotentResponse(Tx& tx, const std::string& scope, const std::string& key,
                                const StoredResponse& r, Instant now);
// Deletes keys created before `cutoff`; returns how many.
Result<int64_t> DeleteIdempotencyKeysBefore(Tx& tx, Instant cutoff);

Result<std::optional<Instant>> FindJobWatermark(Tx& tx, const std::string& job);
// Moves the job's watermark from `expected` (nullopt: no row yet) to `next`.
// Returns false when another process moved it first (the run is theirs).
Result<bool> ClaimJobRun(Tx& tx, const std::string& job, std::optional<Instant> expected,
                         Instant next);

// Job leases (real time, not the sandbox clock). Takes or renews the lease
// of `job` for `holder` until `until`: true when the lease was free, expired
// at `now`, or already `holder`'s; false when another holder has it.
Result<bool> TakeJobLease(Tx& tx, const std::string& job, const std::string& holder, Instant now,
                          Instant until);
// True when `holder` holds the lease of `job` and it has not expired at `now`.
Result<bool> HoldsJobLease(Tx& tx, const std::string& job, const std::string& holder, Instant now);
// Gives the lease back (no error when `holder` no longer has it).
Status ReleaseJobLease(Tx& tx, const std::string& job, const std::string& holder);
struct JobLease {
  std::string name;
  std::string holder;
  Instant expires_at;
  Instant taken_at;
};
Result<std::optional<JobLease>> FindJobLease(Tx& tx, const std::string& job);

Result<std::optional<std::string>> GetSetting(Tx& tx, const std::string& name);
Status PutSetting(Tx& tx, const std::string& name, const std::string& value);
// Deletes the setting (no error when absent). On SQLite its bytes are
// overwritten too (secure_delete), not left in the file's free space.
Status DeleteSetting(Tx& tx, const std::string& name);

struct AuditEntry {
  std::string id;
  std::string entity_type;
  std::string entity_id;
  Instant at;
  std::string actor;
  std::string action;
  std::string detail;  // JSON text
};
Status AppendAudit(Tx& tx, const AuditEntry& e);
// One page of an entity's entries, oldest first (at, then id). The page key
// of an entry is AuditPageKey(entry): "<at micros>_<id>".
Result<Page<AuditEntry>> ListAudit(Tx& tx, const std::string& entity_type,
                                   const std::string& entity_id, const PageRequest& page);
std::string AuditPageKey(const AuditEntry& e);

}  // namespace payops::store
