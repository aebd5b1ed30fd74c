// The rate limiter's table of keys is bounded (max_keys): a flood of new keys
// or addresses cannot grow it past the bound, and a key it tracks keeps its
// empty bucket while buckets that refilled make room first.
#include "payops/http/rate_limit.h"

#include <gtest/gtest.h>

#include <string>

namespace payops::http {
namespace {

TEST(RateLimiter, AFloodOfNewKeysStaysWithinTheBound) {
  RateLimiter limiter(RateLimitSettings{60, 2}, /*max_keys=*/8);
  const auto t0 = RateLimiter::TimePoint{};
  for (int i = 0; i < 10000; ++i) {
    limiter.Take("203.0.113." + std::to_string(i), t0);
    ASSERT_LE(limiter.tracked(), 8u) << "after key " << i;
  }
}

TEST(RateLimiter, RefilledBucketsMakeRoomBeforeAnEmptyOneIsForgotten) {
  RateLimiter limiter(RateLimitSettings{60, 1}, /*max_keys=*/3);
  const auto t0 = RateLimiter::TimePoint{};
  EXPECT_EQ(limiter.Take("spender", t0), 0);
  EXPECT_GT(limiter.Take("spender", t0), 0);  // its bucket is empty
  limiter.Take("a", t0);
  limiter.Take("b", t0);
  // "a" and "b" spent their token too; half a second later nobody refilled,
  // so a new key makes the table start over (bounded before exact).
  limiter.Take("c", t0 + std::chrono::milliseconds(500));
  EXPECT_EQ(limiter.tracked(), 1u);
  // With room, the spender is tracked again and its bucket holds.
  RateLimiter second(RateLimitSettings{60, 1}, /*max_keys=*/3);
  EXPECT_EQ(second.Take("spender", t0), 0);
  second.Take("idle", t0 - std::chrono::minutes(5));  // refilled by t0
  second.Take("idle2", t0 - std::chrono::minutes(5));
  // A fourth key: the refilled buckets are dropped, the empty one stays.
  const auto later = t0 + std::chrono::milliseconds(500);
  second.Take("new", later);
  EXPECT_EQ(second.tracked(), 2u);              // the spender and the new key
  EXPECT_GT(second.Take("spender", later), 0);  // still limited, not forgotten
}

}  // namespace
}  // namespace payops::http
