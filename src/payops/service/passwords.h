// Password hashing with argon2id (libsodium crypto_pwhash, its interactive
// limits: 2 passes over 64 MiB). Each hash holds its memory while it runs, so
// the number running at once is bounded (and with it the memory: at most
// max_running × 64 MiB), and so is the number waiting: past that the caller
// gets kUnavailable at once instead of queueing without end.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>

#include "payops/core/result.h"

namespace payops::service {

struct PasswordHasherLimits {
  int max_running = 2;   // hashes computed at once
  int max_waiting = 32;  // callers waiting for a slot; more are refused
};

class PasswordHasher {
 public:
  explicit PasswordHasher(PasswordHasherLimits limits = {}) : limits_(limits) {}
  // The argon2id string ($argon2id$v=19$m=...,t=...,p=1$salt$hash).
  // kUnavailable when too many hashes are waiting; kInternal when libsodium
  // cannot get the memory.
  Result<std::string> Hash(std::string_view password);
  // True when `password` matches `hash`. With no hash (no such account) it
  // verifies against a fixed one so that the answer takes the same time.
  Result<bool> Verify(const std::string* hash, std::string_view password);

 private:
  class Slot;
  Status Acquire();
  void Release();

  PasswordHasherLimits limits_;
  std::mutex mu_;
  std::condition_variable cv_;
  int running_ = 0;
  int waiting_ = 0;
};

}  // namespace payops::service
