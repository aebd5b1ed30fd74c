#include "payops/core/identity.h"

#include <cctype>

namespace payops::identity {

Status CheckPassword(std::string_view password, std::string_view email, std::string_view field) {
  if (password.size() < kMinPasswordBytes || password.size() > kMaxPasswordBytes) {
    return Error::Invalid("weak_password", "a password has 10 to 256 characters",
                          std::string(field));
  }
  bool same = password.size() == email.size();
  for (size_t i = 0; same && i < password.size(); ++i) {
    same = std::tolower(static_cast<unsigned char>(password[i])) ==
           std::tolower(static_cast<unsigned char>(email[i]));
  }
  if (same) {
    return Error::Invalid("weak_password", "the password must not be the email address",
                          std::string(field));
  }
  return Status::Ok();
}

std::string_view TokenPurposeName(TokenPurpose p) {
  switch (p) {
    case TokenPurpose::kVerify:
      return "verify";
    case TokenPurpose::kReset:
      return "reset";
    case TokenPurpose::kInvite:
      return "invite";
  }
  return "verify";
}

Micros TokenLifetime(TokenPurpose p) {
  switch (p) {
    case TokenPurpose::kVerify:
      return std::chrono::hours(48);
    case TokenPurpose::kReset:
      return std::chrono::hours(1);
    case TokenPurpose::kInvite:
      return std::chrono::hours(7 * 24);
  }
  return std::chrono::hours(1);
}

bool IsLocked(const FailedSignIns& f, Instant now) {
  return f.locked_until && now < *f.locked_until;
}

FailedSignIns AfterFailure(FailedSignIns f, Instant now, const LockoutPolicy& policy) {
  const bool lock_over = f.locked_until && now >= *f.locked_until;
  if (f.failures == 0 || lock_over || now - f.first_at >= policy.window) {
    f = FailedSignIns{0, now, std::nullopt};
  }
  ++f.failures;
  if (f.failures >= policy.max_failures && !f.locked_until)
    f.locked_until = now + policy.lock_duration;
  return f;
}

}  // namespace payops::identity
