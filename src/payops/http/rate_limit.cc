#include "payops/http/rate_limit.h"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace payops::http {

RateLimiter::RateLimiter(RateLimitSettings s, size_t max_keys)
    : settings_(s), max_keys_(std::max<size_t>(1, max_keys)) {
  if (settings_.per_minute > 0) settings_.burst = std::max<int64_t>(1, settings_.burst);
}

void RateLimiter::Refill(Bucket& b, TimePoint now) const {
  if (now <= b.at) return;
  double seconds = std::chrono::duration<double>(now - b.at).count();
  b.tokens = std::min(static_cast<double>(settings_.burst),
                      b.tokens + seconds * static_cast<double>(settings_.per_minute) / 60.0);
  b.at = now;
}

RateLimiter::Bucket& RateLimiter::Find(std::string_view key, TimePoint now) {
  auto it = buckets_.find(std::string(key));
  if (it != buckets_.end()) {
    Refill(it->second, now);
    return it->second;
  }
  if (buckets_.size() >= max_keys_) {
    for (auto i = buckets_.begin(); i != buckets_.end();) {
      Refill(i->second, now);
      i = i->second.tokens >= static_cast<double>(settings_.burst) ? buckets_.erase(i)
                                                                   : std::next(i);
    }
    if (buckets_.size() >= max_keys_) buckets_.clear();
  }
  return buckets_.emplace(std::string(key), Bucket{static_cast<double>(settings_.burst), now})
      .first->second;
}

int64_t RateLimiter::Take(std::string_view key, TimePoint now) {
  if (!enabled()) return 0;
  std::lock_guard lock(mu_);
  Bucket& b = Find(key, now);
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  double wait_s = (1.0 - b.tokens) * 60.0 / static_cast<double>(settings_.per_minute);
  return std::max<int64_t>(1, static_cast<int64_t>(std::ceil(wait_s)));
}

bool RateLimiter::Exhausted(std::string_view key, TimePoint now) {
  if (!enabled()) return false;
  std::lock_guard lock(mu_);
  return Find(key, now).tokens < 1.0;
}

}  // namespace payops::http
