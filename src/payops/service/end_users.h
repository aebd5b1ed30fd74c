// End users: created by admins or by partners within their own org.
#pragma once

#include "payops/core/end_user.h"
#include "payops/core/pipeline.h"
#include "payops/service/env.h"
#include "payops/store/end_users.h"
#include "payops/store/kv.h"

namespace payops::service {

// `input.org_id` may be empty for a partner (its own org is used). Errors:
// forbidden, invalid_*, 404 org (unknown or another tenant's), 409 email_taken.
Result<EndUser> CreateEndUser(Env& env, const Actor& actor, EndUser input);
Result<EndUser> GetEndUser(Env& env, const Actor& actor, const std::string& id);
Result<store::Page<EndUser>> ListEndUsers(Env& env, const Actor& actor,
                                          const store::PageRequest& page,
                                          store::EndUserFilter filter);

struct EndUserPatch {
  std::optional<KycStatus> kyc_status;
  std::optional<int64_t> tier;
  std::optional<std::string> state;
};
// Applies the patch and records each change in the audit log with actor and reason.
Result<EndUser> PatchEndUser(Env& env, const Actor& actor, const std::string& id,
                             const EndUserPatch& patch, const std::string& reason);
// The user's tier limits beside what counts toward them now (SPEC §1: per
// transaction, per day and per 30 days; rolling windows ending now,
// CANCELED transactions excluded), in the limits' currency minor units.
struct LimitUsage {
  EndUser user;
  std::string currency;
  TierLimit limit;
  int64_t used_day_minor = 0;
  int64_t used_30_days_minor = 0;
  int64_t transactions_day = 0;
  Instant as_of;
};
Result<LimitUsage> EndUserLimits(Env& env, const Actor& actor, const std::string& id);

// One page of the user's change history, oldest first.
Result<store::Page<store::AuditEntry>> EndUserHistory(Env& env, const Actor& actor,
                                                      const std::string& id,
                                                      const store::PageRequest& page);

}  // namespace payops::service
