#include "payops/core/end_user.h"

#include "payops/core/org.h"
#include "payops/core/validate.h"

namespace payops {

std::optional<KycStatus> ParseKycStatus(std::string_view s) {
  if (s == "UNVERIFIED") return KycStatus::kUnverified;
  if (s == "PENDING") return KycStatus::kPending;
  if (s == "VERIFIED") return KycStatus::kVerified;
  if (s == "REJECTED") return KycStatus::kRejected;
  if (s == "SUSPENDED") return KycStatus::kSuspended;
  return std::nullopt;
}

std::string_view KycStatusName(KycStatus s) {
  switch (s) {
    case KycStatus::kUnverified:
      return "UNVERIFIED";
    case KycStatus::kPending:
      return "PENDING";
    case KycStatus::kVerified:
      return "VERIFIED";
    case KycStatus::kRejected:
      return "REJECTED";
    case KycStatus::kSuspended:
      return "SUSPENDED";
  }
  return "UNVERIFIED";
}

Status ValidateEndUser(const EndUser& u) {
  if (u.name.empty() || u.name.size() > kMaxNameBytes) {
    return Error::Invalid("invalid_value", "name must be 1 to 200 bytes", "name");
  }
  if (!IsEmail(u.email))
    return Error::Invalid("invalid_email", "email is not an email address", "email");
  if (!IsCountryCode(u.country)) {
    return Error::Invalid("invalid_value", "country must be an ISO 3166 alpha-2 code", "country");
  }
  if (u.state && (u.state->empty() || u.state->size() > 64)) {
    return Error::Invalid("invalid_value", "state must be 1 to 64 bytes", "state");
  }
  if (u.tier < kMinTier || u.tier > kMaxTier) {
    return Error::Invalid("invalid_value", "tier must be 1, 2 or 3", "tier");
  }
  return Status::Ok();
}

namespace {

Error ForbiddenField(std::string message, std::string field) {
  Error e = Error::Forbidden(std::move(message));
  e.field = std::move(field);
  return e;
}

bool BeforeVerification(KycStatus s) {
  return s == KycStatus::kUnverified || s == KycStatus::kPending;
}

}  // namespace

Status CheckNewUserAuthority(const KycAuthority& who, const EndUser& user) {
  if (who.staff) return Status::Ok();
  if (user.tier != kMinTier) {
    return ForbiddenField(
        "the tier is the platform's decision: new users start at tier 1; ask for an "
        "upgrade through /v1/users/{id}/tier-upgrades",
        "tier");
  }
  if (!who.kyc_by_partner && !BeforeVerification(user.kyc_status)) {
    return ForbiddenField(
        "KYC is the platform's decision: partners create users UNVERIFIED or PENDING",
        "kyc_status");
  }
  return Status::Ok();
}

Status CheckUserChangeAuthority(const KycAuthority& who, const EndUser& from, const EndUser& to) {
  if (who.staff) return Status::Ok();
  if (to.tier != from.tier) {
    return ForbiddenField(
        "the tier is the platform's decision; ask for an upgrade through "
        "/v1/users/{id}/tier-upgrades",
        "tier");
  }
  if (to.kyc_status == from.kyc_status || to.kyc_status == KycStatus::kSuspended) {
    return Status::Ok();
  }
  if (from.kyc_status == KycStatus::kSuspended) {
    return ForbiddenField("only platform staff lift a suspension", "kyc_status");
  }
  if (who.kyc_by_partner) return Status::Ok();
  if (BeforeVerification(from.kyc_status) && BeforeVerification(to.kyc_status)) {
    return Status::Ok();
  }
  return ForbiddenField(
      "KYC is the platform's decision: partners may mark users UNVERIFIED or PENDING, "
      "or suspend them",
      "kyc_status");
}

}  // namespace payops
