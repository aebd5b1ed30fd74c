// Token buckets by key (an API caller, a peer address): each holds up to
// `burst` requests and refills at `per_minute`. Bounded: past max_keys the
// buckets that are full again are dropped, and if that frees nothing, all.
//
// Time is the monotonic clock of the process, passed in, not the business
// Clock: a sandbox clock that stands still must not stop the refill.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace payops::http {

struct RateLimitSettings {
  int64_t per_minute = 0;  // 0: no limit
  int64_t burst = 0;       // the bucket's size (at least 1 when limited)
};

class RateLimiter {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr size_t kDefaultMaxKeys = 100000;

  explicit RateLimiter(RateLimitSettings s, size_t max_keys = kDefaultMaxKeys);
  // Takes one token from `key`'s bucket. Returns 0 when there was one, else
  // the whole seconds until one is back (for Retry-After, at least 1).
  int64_t Take(std::string_view key, TimePoint now);
  // Whether `key`'s bucket is empty now (takes nothing).
  bool Exhausted(std::string_view key, TimePoint now);
  bool enabled() const { return settings_.per_minute > 0; }
  // The keys tracked now (at most max_keys).
  size_t tracked() {
    std::lock_guard lock(mu_);
    return buckets_.size();
  }

 private:
  struct Bucket {
    double tokens;
    TimePoint at;
  };
  void Refill(Bucket& b, TimePoint now) const;
  Bucket& Find(std::string_view key, TimePoint now);

  RateLimitSettings settings_;
  size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace payops::http
