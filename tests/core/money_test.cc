#include "payops/core/money.h"

#include <gtest/gtest.h>

#include <climits>

namespace payops {
namespace {

Currency C(std::string_view code) {
  return Currency::Parse(code).value();
}

TEST(Currency, ParsesKnownCodesOnly) {
  struct Case {
    const char* code;
    bool ok;
    int exponent;
  } cases[] = {{"USD", true, 2},   {"MXN", true, 2},  {"JPY", true, 0},
               {"KWD", true, 3},   {"usd", false, 0}, {"US", false, 0},
               {"USDX", false, 0}, {"XYZ", false, 0}, {"", false, 0}};
  for (const auto& c : cases) {
    auto r = Currency::Parse(c.code);
    EXPECT_EQ(r.ok(), c.ok) << c.code;
    if (r.ok()) {
      EXPECT_EQ(r->exponent(), c.exponent) << c.code;
    }
  }
}

TEST(Money, AddsAndRefusesOverflow) {
  Money a(INT64_MAX - 1, C("USD"));
  auto ok = a.Add(Money(1, C("USD")));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->minor(), INT64_MAX);
  auto over = ok->Add(Money(1, C("USD")));
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, "amount_overflow");
  auto under = Money(INT64_MIN, C("USD")).Sub(Money(1, C("USD")));
  EXPECT_FALSE(under.ok());
}

TEST(Money, RefusesMixedCurrencies) {
  auto r = Money(1, C("USD")).Add(Money(1, C("MXN")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "currency_mismatch");
}

TEST(Money, TimesIsChecked) {
  EXPECT_EQ(Money(150, C("USD")).Times(1000)->minor(), 150000);
  EXPECT_FALSE(Money(INT64_MAX / 2 + 1, C("USD")).Times(2).ok());
  EXPECT_FALSE(CheckedMul(INT64_MIN, -1).ok());
}

TEST(Money, FormatsWithTheCurrencyExponent) {
  EXPECT_EQ(Money(12500, C("USD")).ToString(), "125.00 USD");
  EXPECT_EQ(Money(-5, C("USD")).ToString(), "-0.05 USD");
  EXPECT_EQ(Money(1234, C("JPY")).ToString(), "1234 JPY");
  EXPECT_EQ(Money(1234, C("KWD")).ToString(), "1.234 KWD");
  EXPECT_EQ(Money(INT64_MIN, C("USD")).ToString(), "-92233720368547758.08 USD");
}

}  // namespace
}  // namespace payops
