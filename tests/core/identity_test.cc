#include "payops/core/identity.h"

#include <gtest/gtest.h>

namespace payops::identity {
namespace {

using std::chrono::minutes;

TEST(Identity, PasswordRules) {
  EXPECT_TRUE(CheckPassword("correct horse", "pat@acme.example").ok());
  EXPECT_EQ(CheckPassword("short", "pat@acme.example").error().code, "weak_password");
  EXPECT_TRUE(CheckPassword(std::string(256, 'x'), "a@b.example").ok());
  EXPECT_FALSE(CheckPassword(std::string(257, 'x'), "a@b.example").ok());
  EXPECT_FALSE(CheckPassword("Pat@Acme.Example", "pat@acme.example").ok());
  EXPECT_EQ(CheckPassword("short", "x", "new_password").error().field, "new_password");
}

TEST(Identity, LinksLastAsLongAsTheirPurposeAllows) {
  EXPECT_EQ(TokenLifetime(TokenPurpose::kVerify), std::chrono::hours(48));
  EXPECT_EQ(TokenLifetime(TokenPurpose::kReset), std::chrono::hours(1));
  EXPECT_EQ(TokenLifetime(TokenPurpose::kInvite), std::chrono::hours(168));
}

TEST(Identity, TheFifthFailureInAWindowLocks) {
  const LockoutPolicy p;
  Instant t0 = FromMicros(1'000'000'000'000);
  FailedSignIns f;
  for (int i = 0; i < 4; ++i) {
    f = AfterFailure(f, t0 + minutes(i), p);
    EXPECT_FALSE(IsLocked(f, t0 + minutes(i)));
  }
  f = AfterFailure(f, t0 + minutes(4), p);
  EXPECT_TRUE(IsLocked(f, t0 + minutes(4)));
  EXPECT_TRUE(IsLocked(f, t0 + minutes(18)));
  EXPECT_FALSE(IsLocked(f, t0 + minutes(19)));
  // After the lock a failure starts a new window.
  f = AfterFailure(f, t0 + minutes(20), p);
  EXPECT_EQ(f.failures, 1);
  EXPECT_FALSE(IsLocked(f, t0 + minutes(20)));
}

TEST(Identity, FailuresOutsideTheWindowAreForgotten) {
  const LockoutPolicy p;
  Instant t0 = FromMicros(1'000'000'000'000);
  FailedSignIns f;
  for (int i = 0; i < 4; ++i) f = AfterFailure(f, t0 + minutes(i), p);
  f = AfterFailure(f, t0 + minutes(16), p);  // the window began at t0
  EXPECT_EQ(f.failures, 1);
  EXPECT_FALSE(IsLocked(f, t0 + minutes(16)));
}

}  // namespace
}  // namespace payops::identity
