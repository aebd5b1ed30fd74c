#include "payops/service/passwords.h"

#include <sodium.h>

namespace payops::service {
namespace {

const std::string& DecoyHash() {
  static const std::string hash = [] {
    char out[crypto_pwhash_STRBYTES];
    const char kDecoy[] = "payops decoy password";
    if (crypto_pwhash_str(out, kDecoy, sizeof kDecoy - 1, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
      return std::string();
    }
    return std::string(out);
  }();
  return hash;
}

}  // namespace

class PasswordHasher::Slot {
 public:
  explicit Slot(PasswordHasher& h) : h_(h) {}
  ~Slot() { h_.Release(); }
  Slot(const Slot&) = delete;
  Slot& operator=(const Slot&) = delete;

 private:
  PasswordHasher& h_;
};

Status PasswordHasher::Acquire() {
  std::unique_lock lock(mu_);
  if (running_ >= limits_.max_running && waiting_ >= limits_.max_waiting) {
    return Error::Unavailable("too many sign-ins at once; retry in a moment");
  }
  ++waiting_;
  cv_.wait(lock, [&] { return running_ < limits_.max_running; });
  --waiting_;
  ++running_;
  return Status::Ok();
}

void PasswordHasher::Release() {
  {
    std::lock_guard lock(mu_);
    --running_;
  }
  cv_.notify_one();
}

Result<std::string> PasswordHasher::Hash(std::string_view password) {
  PAYOPS_TRY(Acquire());
  Slot slot(*this);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    return Error::Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

Result<bool> PasswordHasher::Verify(const std::string* hash, std::string_view password) {
  const std::string& stored = hash ? *hash : DecoyHash();
  PAYOPS_TRY(Acquire());
  Slot slot(*this);
  if (stored.empty() || stored.size() >= crypto_pwhash_STRBYTES) return false;
  const bool match =
      crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
  return match && hash != nullptr;
}

}  // namespace payops::service
