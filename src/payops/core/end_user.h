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

// Who decides a user's KYC status and tier (SPEC §1). Staff decide both (the
// tier also through an approved upgrade). A partner creates users UNVERIFIED
// or PENDING at tier 1, may move them between those two and may suspend them;
// a partner whose org runs its own KYC program (`kyc_by_partner`) may set any
// KYC status. No partner changes a tier or lifts a suspension.
struct KycAuthority {
  bool staff = false;
  bool kyc_by_partner = false;  // the partner's org runs its own KYC program
};
// Error kForbidden naming the field when `who` may not create `user` as given.
Status CheckNewUserAuthority(const KycAuthority& who, const EndUser& user);
// Error kForbidden naming the field when `who` may not change `from` into `to`.
Status CheckUserChangeAuthority(const KycAuthority& who, const EndUser& from, const EndUser& to);

}  // namespace payops
