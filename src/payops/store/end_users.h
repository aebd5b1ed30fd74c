// End users of an org.
#pragma once

#include "payops/core/end_user.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

// Error kConflict "duplicate" when the org already has a user with this email.
Status InsertEndUser(Tx& tx, const EndUser& user);
// Loads a user; `tenant` (a partner's org) hides other orgs' users.
Result<std::optional<EndUser>> FindEndUser(Tx& tx, const std::string& id,
                                           const std::optional<std::string>& tenant);
// Writes kyc_status, kyc_status_since, tier, state and updated_at of an existing user.
Status UpdateEndUser(Tx& tx, const EndUser& user);
// FindEndUser that also locks the user until the commit, for a transaction
// initiation and for a write that changes what one decides on (the user's
// bank accounts; UpdateEndUser updates the row itself). On PostgreSQL the
// lock is an update of the row (its lock_seq), not a mere row lock: a
// concurrent snapshot that a lock alone would let through (a SERIALIZABLE
// write that read the user's transactions before the lock was released)
// fails with a serialization failure and is retried on fresh data. SQLite
// runs one write at a time: a plain read.
Result<std::optional<EndUser>> LockEndUser(Tx& tx, const std::string& id,
                                           const std::optional<std::string>& tenant);
// LockEndUser of the owner of a bank account, before the account is read
// (error kNotFound "bank account" when there is none). SQLite: does nothing.
Status LockBankAccountOwner(Tx& tx, const std::string& bank_account_id);
struct EndUserFilter {
  std::optional<std::string> org_id;
  std::optional<std::string> kyc_status;
};
Result<Page<EndUser>> ListEndUsers(Tx& tx, const PageRequest& page, const EndUserFilter& filter);

}  // namespace payops::store
