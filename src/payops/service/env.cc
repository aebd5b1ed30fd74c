#include "payops/service/env.h"

#include <cassert>

#include <sodium.h>

#include <chrono>

#include "payops/core/ids.h"

namespace payops::service {

std::shared_ptr<const Org> OrgCache::Find(const std::string& id) {
  Instant now = clock_.Now();
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return nullptr;
  if (it->second.expires <= now) {
    entries_.erase(it);
    return nullptr;
  }
  return it->second.org;
}

void OrgCache::Put(std::shared_ptr<const Org> org) {
  Instant expires = clock_.Now() + kTtl;
  std::lock_guard lock(mu_);
  if (entries_.size() >= max_entries_) entries_.clear();
  std::string id = org->id;
  entries_[std::move(id)] = Entry{std::move(org), expires};
}

void OrgCache::Invalidate(const std::string& id) {
  std::lock_guard lock(mu_);
  entries_.erase(id);
}

std::string IdSource::New(std::string_view prefix) {
  constexpr uint64_t kRandomMask = (uint64_t{1} << 50) - 1;
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
          .count();
  uint64_t random = 0;
  std::unique_lock lock(mu_);
  if (ms > last_ms_) {
    // A new millisecond starts from fresh random bits (a system call, made
    // once per millisecond, not once per id, and outside the lock).
    lock.unlock();
    randombytes_buf(&random, sizeof random);
    random &= kRandomMask >> 1;  // headroom for increments within one millisecond
    lock.lock();
  }
  if (ms <= last_ms_) {
    ms = last_ms_;
    random = last_random_ + 1;
    if (random > kRandomMask) {  // exhausted: borrow the next millisecond
      ++ms;
      random &= kRandomMask >> 1;
    }
  }
  last_ms_ = ms;
  last_random_ = random;
  return MakeId(prefix, ms, random);
}

const desk::SlaRules& SlaRulesOf(const Env& env) {
  if (env.sla_rules) return *env.sla_rules;
  static const desk::SlaRules kDefault = [] {
    auto rules = desk::SlaRules::Create(desk::DefaultSlaTable());
    assert(rules.ok());
    return std::move(rules.value());
  }();
  return kDefault;
}

Status RequireRole(const Actor& actor, std::initializer_list<Role> roles) {
  for (Role r : roles) {
    if (actor.role == r) return Status::Ok();
  }
  return Error::Forbidden("the " + std::string(RoleName(actor.role)) + " role may not do this");
}

std::string RandomToken(size_t bytes) {
  static constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
  std::string out;
  out.reserve(bytes * 2);
  std::vector<unsigned char> buf(bytes);
  randombytes_buf(buf.data(), buf.size());
  for (unsigned char b : buf) {
    out.push_back(kAlphabet[b & 31]);
    out.push_back(kAlphabet[(b >> 5) & 7]);
  }
  return out;
}

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(sizeof digest * 2);
  for (unsigned char b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

}  // namespace payops::service
