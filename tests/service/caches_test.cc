// The per-request caches are bounded: past max_entries the org cache and the
// API-key cache start over rather than grow (the store holds the truth; a miss
// costs one read), and a flood of unknown keys caches nothing.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "payops/core/clock.h"
#include "payops/service/api_keys.h"
#include "payops/service/env.h"
#include "payops/store/store.h"

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

TEST(Authenticator, CachesAtMostItsBoundAndNeverAnUnknownKey) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("payops-keycache-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto s = store::Open("sqlite://" + (dir / "s.db").string());
  ASSERT_TRUE(s.ok()) << s.error().message;
  ASSERT_TRUE(store::Migrate(**s).ok());
  ManualClock clock(FromMicros(1'700'000'000'000'000));
  service::Env env(**s, clock);
  service::Authenticator auth(env, std::chrono::seconds(10), /*max_entries=*/3);
  for (int i = 0; i < 10; ++i) {
    auto key = service::CreateApiKey(
        env, Actor::System(),
        service::NewApiKey{Role::kAdmin, std::nullopt, "Key " + std::to_string(i),
                           "k" + std::to_string(i) + "@payops.test", false});
    ASSERT_TRUE(key.ok()) << key.error().message;
    auto actor = auth.Authenticate(key->key);
    ASSERT_TRUE(actor.ok()) << actor.error().message;
    ASSERT_LE(auth.cached(), 3u) << "after key " << i;
  }
  const size_t before = auth.cached();
  for (int i = 0; i < 100; ++i) {
    EXPECT_FALSE(auth.Authenticate("pk_unknown_" + std::to_string(i)).ok());
  }
  EXPECT_EQ(auth.cached(), before);
  s->reset();
  std::filesystem::remove_all(dir);
}

// The outbound queues' estimate stands in for a count for a second after it,
// kept up by the inserts made meanwhile.
TEST(QueueGauge, AnEstimateStandsInForASecondAfterItsCount) {
  const Instant t0 = FromMicros(1'700'000'000'000'000);
  service::QueueGauge gauge;
  EXPECT_FALSE(gauge.Estimate("outbox", t0));  // never counted
  gauge.Counted("outbox", 4, t0);
  EXPECT_EQ(gauge.Estimate("outbox", t0), 4);
  gauge.Added("outbox");
  gauge.Added("outbox");
  EXPECT_EQ(gauge.Estimate("outbox", t0 + std::chrono::milliseconds(999)), 6);
  EXPECT_FALSE(gauge.Estimate("outbox", t0 + service::QueueGauge::kRecount));  // stale
  EXPECT_FALSE(gauge.Estimate("outbox", t0 - std::chrono::seconds(1)));        // clock went back
  gauge.Counted("outbox", 2, t0 + std::chrono::seconds(5));
  EXPECT_EQ(gauge.Estimate("outbox", t0 + std::chrono::seconds(5)), 2);
  // The full flag changes once: the change to full is reported once.
  EXPECT_TRUE(gauge.MarkFull("outbox", true));
  EXPECT_FALSE(gauge.MarkFull("outbox", true));
  EXPECT_FALSE(gauge.MarkFull("outbox", false));
  EXPECT_TRUE(gauge.MarkFull("outbox", true));
}

// With a live refresher its counts stand in, kept up by this process's
// inserts; a queue it did not name is empty. Once it stops, counts are made
// again by the inserting transactions.
TEST(QueueGauge, ARefreshersCountsStandInWhileItRuns) {
  const Instant t0 = FromMicros(1'700'000'000'000'000);
  service::QueueGauge gauge;
  gauge.Counted("webhook:whk_gone", 7, t0);
  gauge.Refreshed({{"outbox", 10}, {"webhook:whk_a", 3}}, t0);
  EXPECT_EQ(gauge.Estimate("outbox", t0 + std::chrono::seconds(3)), 10);
  EXPECT_EQ(gauge.Estimate("webhook:whk_a", t0), 3);
  EXPECT_EQ(gauge.Estimate("webhook:whk_gone", t0), 0);  // none waiting at the count
  EXPECT_EQ(gauge.Estimate("webhook:whk_new", t0), 0);
  gauge.Added("webhook:whk_new");
  gauge.Added("outbox");
  EXPECT_EQ(gauge.Estimate("webhook:whk_new", t0), 1);
  EXPECT_EQ(gauge.Estimate("outbox", t0), 11);
  // The refresher stopped: no estimate stands in any more.
  EXPECT_FALSE(gauge.Estimate("outbox", t0 + service::QueueGauge::kRefresherStale));
}

TEST(QueueGauge, KeysOfManyEndpointsStayWithinTheBound) {
  const Instant t0 = FromMicros(1'700'000'000'000'000);
  service::QueueGauge gauge;
  for (size_t i = 0; i < 5 * service::QueueGauge::kMaxKeys; ++i) {
    gauge.Counted("webhook:whk_" + std::to_string(i), 1, t0);
    ASSERT_LE(gauge.size(), service::QueueGauge::kMaxKeys) << "after key " << i;
  }
  EXPECT_TRUE(
      gauge.Estimate("webhook:whk_" + std::to_string(5 * service::QueueGauge::kMaxKeys - 1), t0));
}

}  // namespace
}  // namespace payops::testing
