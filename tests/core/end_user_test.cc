#include "payops/core/end_user.h"

#include <gtest/gtest.h>

namespace payops {
namespace {

constexpr KycStatus U = KycStatus::kUnverified, P = KycStatus::kPending, V = KycStatus::kVerified,
                    R = KycStatus::kRejected, S = KycStatus::kSuspended;

EndUser User(KycStatus kyc, int64_t tier) {
  EndUser u;
  u.name = "Ana";
  u.email = "ana@customers.example";
  u.country = "US";
  u.kyc_status = kyc;
  u.tier = tier;
  return u;
}

const KycAuthority kStaff{true, false};
const KycAuthority kPartner{false, false};
const KycAuthority kKycPartner{false, true};

// Who may create a user as what: "" allowed, else the field refused (403).
TEST(KycAuthority, NewUsers) {
  struct Row {
    KycAuthority who;
    KycStatus kyc;
    int64_t tier;
    const char* refused;
  };
  const Row rows[] = {
      {kStaff, V, 3, ""},
      {kStaff, R, 2, ""},
      {kStaff, S, 1, ""},
      {kPartner, U, 1, ""},
      {kPartner, P, 1, ""},
      {kPartner, V, 1, "kyc_status"},
      {kPartner, R, 1, "kyc_status"},
      {kPartner, S, 1, "kyc_status"},
      {kPartner, P, 2, "tier"},
      {kPartner, U, 3, "tier"},
      {kKycPartner, V, 1, ""},
      {kKycPartner, R, 1, ""},
      {kKycPartner, V, 2, "tier"},
  };
  for (const Row& r : rows) {
    Status s = CheckNewUserAuthority(r.who, User(r.kyc, r.tier));
    SCOPED_TRACE(std::string(KycStatusName(r.kyc)) + " tier " + std::to_string(r.tier));
    if (*r.refused == '\0') {
      EXPECT_TRUE(s.ok()) << s.error().message;
    } else {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.error().kind, ErrorKind::kForbidden);
      EXPECT_EQ(s.error().field, r.refused);
    }
  }
}

// Who may change a user from what to what.
TEST(KycAuthority, Changes) {
  struct Row {
    KycAuthority who;
    KycStatus from;
    KycStatus to;
    int64_t from_tier, to_tier;
    const char* refused;
  };
  const Row rows[] = {
      // Staff decide everything, including lifting a suspension.
      {kStaff, P, V, 1, 3, ""},
      {kStaff, S, V, 1, 1, ""},
      // A partner: between UNVERIFIED and PENDING, and suspending.
      {kPartner, U, P, 1, 1, ""},
      {kPartner, P, U, 1, 1, ""},
      {kPartner, P, S, 1, 1, ""},
      {kPartner, V, S, 2, 2, ""},
      {kPartner, P, V, 1, 1, "kyc_status"},
      {kPartner, P, R, 1, 1, "kyc_status"},
      {kPartner, V, P, 1, 1, "kyc_status"},
      {kPartner, R, P, 1, 1, "kyc_status"},
      {kPartner, S, P, 1, 1, "kyc_status"},
      {kPartner, V, V, 1, 3, "tier"},
      {kPartner, V, V, 3, 1, "tier"},
      {kPartner, V, V, 2, 2, ""},
      // A kyc_by_partner partner: any KYC status but lifting a suspension, never a tier.
      {kKycPartner, P, V, 1, 1, ""},
      {kKycPartner, V, R, 1, 1, ""},
      {kKycPartner, R, V, 1, 1, ""},
      {kKycPartner, S, V, 1, 1, "kyc_status"},
      {kKycPartner, S, S, 1, 1, ""},
      {kKycPartner, P, V, 1, 2, "tier"},
  };
  for (const Row& r : rows) {
    Status s = CheckUserChangeAuthority(r.who, User(r.from, r.from_tier), User(r.to, r.to_tier));
    SCOPED_TRACE(std::string(KycStatusName(r.from)) + " -> " + std::string(KycStatusName(r.to)) +
                 " tier " + std::to_string(r.from_tier) + " -> " + std::to_string(r.to_tier) +
                 (r.who.staff            ? " staff"
                  : r.who.kyc_by_partner ? " kyc partner"
                                         : " partner"));
    if (*r.refused == '\0') {
      EXPECT_TRUE(s.ok()) << s.error().message;
    } else {
      ASSERT_FALSE(s.ok());
      EXPECT_EQ(s.error().kind, ErrorKind::kForbidden);
      EXPECT_EQ(s.error().field, r.refused);
    }
  }
}

}  // namespace
}  // namespace payops
