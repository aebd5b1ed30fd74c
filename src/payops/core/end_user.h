// The client's own customer who sends money: KYC status and tier.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "payops/core/clock.h"
#include "payops/core/result.h"

namespace payops {

enum class KycStatus { kUnverified, kPending, kVerified, kRejected, kSuspended };

std::optional<KycStatus> ParseKycStatus(std::string_view s);
std::string_view KycStatusName(KycStatus s);

constexpr int64_t kMinTier = 1;
constexpr int64_t kMaxTier = 3;

struct EndUser {
  std::string id;
  std::string org_id;
  std::string name;
  std::string email;
  std::string country;  // ISO 3166 alpha-2
  std::optional<std::string> state;
  KycStatus kyc_status = KycStatus::kUnverified;
  int64_t tier = 1;
  Instant created_at;
  Instant updated_at;
  // When kyc_status took its current value (created_at for a user created
  // with it): how long an account has been pending, for its EMI escalation.
  Instant kyc_status_since;
};

// Checks the fields of a new or changed end user; the error names the field.
Status ValidateEndUser(const EndUser& user);

}  // namespace payops
