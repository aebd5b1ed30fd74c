#include "payops/core/clock.h"

#include <gtest/gtest.h>

namespace payops {
namespace {

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
