// People who sign in to the web page: password rules, the one-time links
// emailed to them (verification, password reset, invitation), sessions and
// the lock-out after repeated failed sign-ins. Pure rules; the store keeps
// the records and the service runs the flows.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "payops/core/clock.h"
#include "payops/core/result.h"

namespace payops::identity {

inline constexpr size_t kMinPasswordBytes = 10;
inline constexpr size_t kMaxPasswordBytes = 256;

// OK for a password of 10 to 256 bytes that is not the email address itself;
// otherwise invalid_value (weak_password) naming the field.
Status CheckPassword(std::string_view password, std::string_view email,
                     std::string_view field = "password");

// One-time links: what each is for and how long it stays good.
enum class TokenPurpose { kVerify, kReset, kInvite };
std::string_view TokenPurposeName(TokenPurpose p);
Micros TokenLifetime(TokenPurpose p);

// A signed-in session lasts this long from sign-in (it ends sooner on
// sign-out, on a password change, or by expiry of the account's sessions).
inline constexpr Micros kSessionLifetime = std::chrono::hours(12);

// Failed sign-ins, counted per email address whether or not an account has
// it (so that a lock tells nothing of which addresses exist).
struct LockoutPolicy {
  int max_failures = 5;                             // within `window`
  Micros window = std::chrono::minutes(15);         // failures older than this are forgotten
  Micros lock_duration = std::chrono::minutes(15);  // how long a lock lasts
};
struct FailedSignIns {
  int failures = 0;
  Instant first_at{};                   // the first failure of the current window
  std::optional<Instant> locked_until;  // set once max_failures is reached
};
// True while a lock holds at `now`.
bool IsLocked(const FailedSignIns& f, Instant now);
// The record after one more failure at `now`: a window that has passed
// starts over; the max_failures-th failure in a window locks.
FailedSignIns AfterFailure(FailedSignIns f, Instant now, const LockoutPolicy& policy);

}  // namespace payops::identity
