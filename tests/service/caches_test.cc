// The per-request caches are bounded: past max_entries the org cache starts
// over rather than grow (the store holds the truth; a miss costs one read).
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "payops/core/clock.h"
#include "payops/service/env.h"

namespace payops::testing {
namespace {

TEST(OrgCache, NeverHoldsMoreThanItsBoundAndEntriesExpire) {
  ManualClock clock(FromMicros(1'700'000'000'000'000));
  service::OrgCache cache(clock, /*max_entries=*/4);
  for (int i = 0; i < 1000; ++i) {
    auto org = std::make_shared<Org>();
    org->id = "org_" + std::to_string(i);
    cache.Put(org);
    ASSERT_LE(cache.size(), 4u) << "after org " << i;
    ASSERT_NE(cache.Find(org->id), nullptr);
  }
  clock.Advance(service::OrgCache::kTtl);
  EXPECT_EQ(cache.Find("org_999"), nullptr);  // expired after kTtl
}

}  // namespace
}  // namespace payops::testing
