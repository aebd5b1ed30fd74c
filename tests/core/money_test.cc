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

TEST(MoneyBounds, AmountsUpToTheBound) {
  EXPECT_TRUE(CheckAmount(1).ok());
  EXPECT_TRUE(CheckAmount(kMaxAmountMinor).ok());
  for (int64_t bad : {int64_t{0}, int64_t{-1}, INT64_MIN}) {
    Status s = CheckAmount(bad, "amount");
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, "invalid_amount");
    EXPECT_EQ(s.error().kind, ErrorKind::kInvalid);
  }
  for (int64_t big : {kMaxAmountMinor + 1, INT64_MAX}) {
    Status s = CheckAmount(big, "amount");
    ASSERT_FALSE(s.ok()) << big;
    EXPECT_EQ(s.error().code, "amount_too_large");
    EXPECT_EQ(s.error().kind, ErrorKind::kRefused);
    EXPECT_EQ(s.error().field, "amount");
    EXPECT_NE(s.error().message.find("1,000,000,000,000"), std::string::npos) << s.error().message;
  }
}

TEST(MoneyBounds, FeesFromZeroToTheBound) {
  EXPECT_TRUE(CheckFee(0).ok());
  EXPECT_TRUE(CheckFee(kMaxFeeMinor).ok());
  EXPECT_EQ(CheckFee(-1).error().code, "invalid_amount");
  Status big = CheckFee(kMaxFeeMinor + 1, "fees");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.error().code, "fee_too_large");
  EXPECT_EQ(big.error().kind, ErrorKind::kRefused);
  EXPECT_EQ(big.error().field, "fees");
  EXPECT_EQ(CheckFee(INT64_MAX).error().code, "fee_too_large");
}

TEST(MoneyBounds, BalancesStayWithinTheBoundEitherSign) {
  EXPECT_TRUE(CheckBalance(kMaxBalanceMinor, "sandbox_balance").ok());
  EXPECT_TRUE(CheckBalance(-kMaxBalanceMinor, "sandbox_balance").ok());
  EXPECT_EQ(CheckBalance(kMaxBalanceMinor + 1, "sandbox_balance").error().code, "balance_limit");
  EXPECT_EQ(CheckBalance(INT64_MIN, "sandbox_balance").error().code, "balance_limit");

  EXPECT_EQ(AddToBalance(10, -25).value(), -15);
  EXPECT_EQ(AddToBalance(kMaxBalanceMinor - 1, 1).value(), kMaxBalanceMinor);
  EXPECT_EQ(AddToBalance(-kMaxBalanceMinor + 1, -1).value(), -kMaxBalanceMinor);
  for (auto [balance, delta] :
       {std::pair{kMaxBalanceMinor, int64_t{1}}, std::pair{-kMaxBalanceMinor, int64_t{-1}},
        std::pair{INT64_MAX, int64_t{1}},   // int64 overflow
        std::pair{INT64_MIN, int64_t{-1}},  // int64 underflow
        std::pair{int64_t{0}, INT64_MAX}}) {
    auto r = AddToBalance(balance, delta);
    ASSERT_FALSE(r.ok()) << balance << " + " << delta;
    EXPECT_EQ(r.error().code, "balance_limit");
    EXPECT_EQ(r.error().kind, ErrorKind::kRefused);
  }
  // A balance far past the bound (written before there was one) comes back
  // within it.
  EXPECT_EQ(AddToBalance(kMaxBalanceMinor + 5, -10).value(), kMaxBalanceMinor - 5);
}

TEST(MoneyBounds, SumsOfBoundedFiguresCannotOverflow) {
  int64_t sum = 0;
  EXPECT_FALSE(__builtin_add_overflow(kMaxBalanceMinor, kMaxAmountMinor + kMaxFeeMinor, &sum));
  EXPECT_FALSE(__builtin_mul_overflow(kMaxAmountMinor, int64_t{10'000}, &sum));
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
