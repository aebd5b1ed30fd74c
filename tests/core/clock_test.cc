#include "payops/core/clock.h"

#include <date/date.h>
#include <gtest/gtest.h>

#include <random>

namespace payops {
namespace {

// The digit-by-digit formatter agrees with the general one on random instants
// from 1900 to 2200 (before and after the epoch, with and without fractions).
TEST(Rfc3339, FormatAgreesWithTheCalendarLibrary) {
  std::mt19937_64 rng(20261201);
  const int64_t lo = -2'208'988'800LL * 1'000'000;  // 1900-01-01
  const int64_t hi = 7'258'118'400LL * 1'000'000;   // 2200-01-01
  std::uniform_int_distribution<int64_t> us(lo, hi);
  for (int i = 0; i < 20000; ++i) {
    int64_t v = us(rng);
    if (i % 3 == 0) v -= v % 1'000'000;  // whole seconds
    Instant t = FromMicros(v);
    auto secs = std::chrono::floor<std::chrono::seconds>(t);
    std::string want = date::format("%Y-%m-%dT%H:%M:%S", secs);
    int64_t frac = (t - secs).count();
    if (frac != 0) {
      char buf[8];
      std::snprintf(buf, sizeof buf, ".%03d", static_cast<int>(frac / 1000));
      want += buf;
    }
    want += 'Z';
    ASSERT_EQ(FormatRfc3339(t), want) << v;
  }
}

TEST(Rfc3339, ParsesOffsetsAndFractions) {
  struct Case {
    const char* in;
    const char* utc;  // nullptr: must be refused
  } cases[] = {
      {"2026-03-09T07:00:00-07:00", "2026-03-09T14:00:00Z"},
      {"2026-03-09T14:00:00Z", "2026-03-09T14:00:00Z"},
      {"2026-03-09T14:00:00z", "2026-03-09T14:00:00Z"},
      {"2026-03-09T14:00:00.5Z", "2026-03-09T14:00:00.500Z"},
      {"2026-03-09T14:00:00.123456789+01:00", "2026-03-09T13:00:00.123Z"},
      {"2024-02-29T23:59:59+00:00", "2024-02-29T23:59:59Z"},
      {"2026-01-01T00:30:00+05:45", "2025-12-31T18:45:00Z"},
      {"2026-03-09T14:00:00", nullptr},
      {"2026-03-09 14:00:00Z", nullptr},
      {"2025-02-29T00:00:00Z", nullptr},
      {"2026-13-01T00:00:00Z", nullptr},
      {"2026-01-01T24:00:00Z", nullptr},
      {"2026-01-01T00:00:00+24:00", nullptr},
      {"2026-01-01T00:00:00.Z", nullptr},
      {"2026-01-01T00:00:00Zjunk", nullptr},
      {"9999-12-31T15:59:59-08:00", "9999-12-31T23:59:59Z"},
      {"9999-12-31T23:59:00-08:00", nullptr},  // year 10000 in UTC
      {"0000-01-01T00:30:00+01:00", nullptr},  // year -1 in UTC
      {"", nullptr},
  };
  for (const auto& c : cases) {
    auto t = ParseRfc3339(c.in);
    if (c.utc == nullptr) {
      EXPECT_FALSE(t.has_value()) << c.in;
    } else {
      ASSERT_TRUE(t.has_value()) << c.in;
      EXPECT_EQ(FormatRfc3339(*t), c.utc) << c.in;
    }
  }
}

TEST(ManualClock, MovesOnlyWhenTold) {
  ManualClock c(FromMicros(1000));
  EXPECT_EQ(ToMicros(c.Now()), 1000);
  c.Advance(Micros(500));
  EXPECT_EQ(ToMicros(c.Now()), 1500);
  c.Set(FromMicros(42));
  EXPECT_EQ(ToMicros(c.Now()), 42);
}

}  // namespace
}  // namespace payops
