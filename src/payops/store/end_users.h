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
struct EndUserFilter {
  std::optional<std::string> org_id;
  std::optional<std::string> kyc_status;
};
Result<Page<EndUser>> ListEndUsers(Tx& tx, const PageRequest& page, const EndUserFilter& filter);

}  // namespace payops::store
