// Tier upgrade requests of end users and their documents.
#pragma once

#include "payops/core/clock.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

struct TierUpgrade {
  std::string id;
  std::string org_id;
  std::string user_id;
  int64_t from_tier = 1;
  int64_t target_tier = 2;
  std::string status;  // OPEN | SUBMITTED | APPROVED | REJECTED
  std::optional<std::string> reason;
  std::optional<std::string> decided_by;
  Instant created_at;
  Instant updated_at;
};

struct UpgradeDocument {
  std::string id;
  std::string upgrade_id;
  std::string name;
  std::string content_type;
  int64_t size_bytes = 0;
  std::string sha256;
  std::string content_base64;  // not returned by lists
  Instant created_at;
};

Status InsertTierUpgrade(Tx& tx, const TierUpgrade& u);
Status UpdateTierUpgrade(Tx& tx, const TierUpgrade& u);
Result<std::optional<TierUpgrade>> FindTierUpgrade(Tx& tx, const std::string& id,
                                                   const std::optional<std::string>& tenant);
// The user's OPEN or SUBMITTED request, if any.
Result<std::optional<TierUpgrade>> ActiveTierUpgrade(Tx& tx, const std::string& user_id);
struct TierUpgradeFilter {
  std::optional<std::string> status;
  std::optional<std::string> org_id;
};
// Requests in id order (oldest first: ids grow with time), after page.after_id.
Result<Page<TierUpgrade>> ListTierUpgrades(Tx& tx, const PageRequest& page,
                                           const TierUpgradeFilter& filter);
Status InsertUpgradeDocument(Tx& tx, const UpgradeDocument& d);
// Documents without their content, oldest first.
Result<std::vector<UpgradeDocument>> ListUpgradeDocuments(Tx& tx, const std::string& upgrade_id,
                                                          int limit);

// One document with its content, when it belongs to `upgrade_id`.
Result<std::optional<UpgradeDocument>> FindUpgradeDocument(Tx& tx, const std::string& upgrade_id,
                                                           const std::string& doc_id);

}  // namespace payops::store
