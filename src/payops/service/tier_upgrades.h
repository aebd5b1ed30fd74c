// Tier upgrades: the partner opens a request for its end user, attaches the
// documents the tier needs and submits; an agent approves (the tier changes,
// recorded in the user's history) or rejects with a reason.
#pragma once

#include "payops/service/env.h"
#include "payops/store/tier_upgrades.h"

namespace payops::service {

struct TierUpgradeView {
  store::TierUpgrade upgrade;
  std::vector<store::UpgradeDocument> documents;  // without content
};

// Errors: 404 user; invalid_value (target_tier not above the user's tier, or
// over the top tier); 409 upgrade_in_progress; 422 user_suspended.
Result<TierUpgradeView> OpenTierUpgrade(Env& env, const Actor& actor, const std::string& user_id,
                                        int64_t target_tier);
// Only while OPEN. Errors: invalid_value (name, content_type), invalid_document
// (not base64), too_large, too_many_documents.
Result<TierUpgradeView> AddUpgradeDocument(Env& env, const Actor& actor, const std::string& id,
                                           const std::string& name, const std::string& content_type,
                                           const std::string& content_base64);
// OPEN → SUBMITTED; 422 documents_required without documents.
Result<TierUpgradeView> SubmitTierUpgrade(Env& env, const Actor& actor, const std::string& id);
// SUBMITTED → APPROVED (agents): the user's tier becomes the target.
Result<TierUpgradeView> ApproveTierUpgrade(Env& env, const Actor& actor, const std::string& id);
// SUBMITTED → REJECTED (agents) with a mandatory reason.
Result<TierUpgradeView> RejectTierUpgrade(Env& env, const Actor& actor, const std::string& id,
                                          const std::string& reason);
// Staff see every org's requests; a partner only its own org's (another
// org_id gives an empty page). EMI users are refused. The views carry their
// documents (without content).
Result<store::Page<TierUpgradeView>> ListTierUpgrades(Env& env, const Actor& actor,
                                                      const store::PageRequest& page,
                                                      store::TierUpgradeFilter filter);
// A document with its content (base64), for download; 404 across tenants.
Result<store::UpgradeDocument> GetUpgradeDocument(Env& env, const Actor& actor,
                                                  const std::string& id, const std::string& doc_id);
Result<TierUpgradeView> GetTierUpgrade(Env& env, const Actor& actor, const std::string& id);

}  // namespace payops::service
