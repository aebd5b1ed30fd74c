// API keys: created by admins, shown once, stored as SHA-256 hashes.
// A key looks like "po_<40 random chars>"; its hash finds its member.
#pragma once

#include <chrono>
#include <mutex>
#include <unordered_map>

#include "payops/service/env.h"

namespace payops::service {

struct NewApiKey {
  Role role = Role::kPartner;
  std::optional<std::string> org_id;  // required for partners, refused for others but emi
  std::string name;
  std::string email;
  bool org_admin = false;  // partners only: sees every ticket of its org
};

struct CreatedApiKey {
  std::string id;
  std::string key;  // the secret, returned once
  std::string member_id;
};

// Errors: forbidden (not admin), invalid_value/invalid_email, org not found (404).
Result<CreatedApiKey> CreateApiKey(Env& env, const Actor& actor, const NewApiKey& input);

// Resolves bearer keys to actors, with a bounded cache so that a hot key
// costs no store read. A revoked key stays valid for at most `ttl` in a
// process that cached it.
class Authenticator {
 public:
  explicit Authenticator(Env& env, std::chrono::seconds ttl = std::chrono::seconds(10),
                         size_t max_entries = 10000)
      : env_(env), ttl_(ttl), max_entries_(max_entries) {}
  // kUnauthenticated for an unknown, revoked or malformed key.
  Result<Actor> Authenticate(std::string_view key);
  // The keys cached now (at most max_entries; unknown keys are never cached).
  size_t cached() {
    std::lock_guard lock(mu_);
    return cache_.size();
  }

 private:
  struct Entry {
    Actor actor;
    Instant expires;
  };
  Env& env_;
  std::chrono::seconds ttl_;
  size_t max_entries_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace payops::service
