// The tier upgrade request's state machine (SPEC §2.1): OPEN (documents are
// attached) → SUBMITTED → APPROVED (the tier changes) or REJECTED (with a reason).
#pragma once

#include <string_view>

#include "payops/core/result.h"

namespace payops {

// OK when `from` → `to` is in the table; kConflict "illegal_transition" naming
// the current status otherwise.
Status CheckTierUpgradeTransition(std::string_view from, std::string_view to);

constexpr int kMaxUpgradeDocuments = 10;
constexpr size_t kMaxUpgradeDocumentBytes = 700 * 1024;  // decoded; fits the 1 MiB body as base64

}  // namespace payops
