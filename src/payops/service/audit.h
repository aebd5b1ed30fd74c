// The audit trail of administrative and money-moving actions: who did what,
// when (the Clock), in which request, and the object before and after.
//
// Every service that changes keys, members, orgs, KYC or tiers, releases,
// cancels, refunds, returns, chargebacks, payouts, statement corrections,
// webhook endpoints, monitors or maintenance windows calls RecordAudit inside
// the store transaction of the change, so
// the record commits or rolls back with it:
//
//   PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
//     ... the change ...
//     return RecordAudit(env, tx, actor, "monitor.create", "monitor", m.id,
//                        nullptr, MonitorAuditJson(m));
//   }));
//
// Actions are "<object>.<verb>". `before` / `after` are JSON values (null for
// an object created / deleted) and must hold no secret: no key, password,
// token or account number (store its last four digits).
//
// Each record carries the SHA-256 of the previous one (hash chain), so an
// edited, deleted or reordered record is found by VerifyAuditTrail
// (`payops audit verify`). The chain's head row serializes appenders.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "payops/service/env.h"
#include "payops/store/audit_trail.h"

namespace payops::service {

constexpr size_t kMaxAuditJsonBytes = 64 << 10;  // before and after, each

// Appends one record in `tx`. The time is env.clock's; the request id is the
// actor's. A JSON value longer than kMaxAuditJsonBytes is replaced by
// {"truncated": true} (the record still names the object).
Status RecordAudit(Env& env, store::Tx& tx, const Actor& actor, std::string_view action,
                   std::string_view object_type, std::string_view object_id,
                   const boost::json::value& before, const boost::json::value& after);

// The hex SHA-256 a record must carry: over every field but `hash`, each
// length-prefixed, and the previous record's hash.
std::string AuditRecordHash(const store::AuditRecord& r);

struct AuditVerdict {
  int64_t records = 0;                  // records checked
  std::optional<int64_t> first_broken;  // seq of the first record that fails
  std::string problem;                  // why, when first_broken
};
// Walks the whole chain in order (in batches, each a read snapshot).
Result<AuditVerdict> VerifyAuditTrail(store::Store& store);

// GET /v1/audit: admins only.
Result<store::Page<store::AuditRecord>> ListAudit(Env& env, const Actor& actor,
                                                  const store::AuditFilter& filter,
                                                  const store::PageRequest& page);

}  // namespace payops::service
