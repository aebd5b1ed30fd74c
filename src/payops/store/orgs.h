// Orgs and their fee schedules.
#pragma once

#include "payops/core/org.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

// Inserts the org and its fees. Error kConflict "duplicate" when the domain is taken.
Status InsertOrg(Tx& tx, const Org& org);
// Sets the org's kyc_by_partner flag.
Status UpdateOrgKycByPartner(Tx& tx, const std::string& id, bool kyc_by_partner,
                             Instant updated_at);
Status UpdateOrgBillingEmails(Tx& tx, const std::string& id, const std::vector<std::string>& emails,
                              Instant updated_at);
// Loads one org with fees, or nullopt.
Result<std::optional<Org>> FindOrg(Tx& tx, const std::string& id);
// The org whose domain is `domain` (lowercase), or nullopt; with fees.
Result<std::optional<Org>> FindOrgByDomain(Tx& tx, const std::string& domain);
// Lists orgs in id order; `only_id` confines the list to one org (tenancy).
Result<Page<Org>> ListOrgs(Tx& tx, const PageRequest& page,
                           const std::optional<std::string>& only_id);

}  // namespace payops::store
