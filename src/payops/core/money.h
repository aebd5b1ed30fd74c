// Money is an integer count of minor units (cents) with an ISO 4217 currency.
// Arithmetic is overflow-checked: an overflow is an error value, never a wrap.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "payops/core/result.h"

namespace payops {

// A three-letter uppercase ISO 4217 code, stored inline.
class Currency {
 public:
  Currency() = default;
  // Returns an error unless `code` is three ASCII uppercase letters and a known
  // ISO 4217 code.
  static Result<Currency> Parse(std::string_view code);
  std::string_view code() const { return {code_.data(), 3}; }
  // Minor-unit exponent (2 for USD, 0 for JPY, 3 for KWD).
  int exponent() const;
  friend bool operator==(const Currency&, const Currency&) = default;

 private:
  std::array<char, 4> code_{'X', 'X', 'X', '\0'};
};

class Money {
 public:
  Money(int64_t minor, Currency currency) : minor_(minor), currency_(currency) {}
  int64_t minor() const { return minor_; }
  const Currency& currency() const { return currency_; }

  // Errors: currency_mismatch (kInvalid) or amount_overflow (kRefused).
  Result<Money> Add(const Money& other) const;
  Result<Money> Sub(const Money& other) const;
  // Multiplies by an integer count (fee × count). Errors: amount_overflow.
  Result<Money> Times(int64_t count) const;
  Money Negated() const;  // asserts minor != INT64_MIN

  // "125.00 USD" — for humans and logs, never parsed back.
  std::string ToString() const;
  friend bool operator==(const Money&, const Money&) = default;

 private:
  int64_t minor_;
  Currency currency_;
};

// Checked int64 arithmetic on minor units.
Result<int64_t> CheckedAdd(int64_t a, int64_t b);
Result<int64_t> CheckedMul(int64_t a, int64_t b);

// ---- Bounds ----
// Every amount and fee payops accepts, and every balance it stores, is within
// these bounds (minor units of any currency), so that no sum of them can
// overflow int64: a write that would pass one is refused with a 422.

// One amount (a transaction, deposit or payout): 10^12 minor units, i.e.
// 10,000,000,000.00 in a two-decimal currency.
inline constexpr int64_t kMaxAmountMinor = 1'000'000'000'000;
// One fee of an org's schedule: 10^9 minor units (10,000,000.00).
inline constexpr int64_t kMaxFeeMinor = 1'000'000'000;
// The balance of one ledger account, either sign, and a simulated bank
// balance: 10^17 minor units (1,000,000,000,000,000.00).
inline constexpr int64_t kMaxBalanceMinor = 100'000'000'000'000'000;
static_assert(kMaxBalanceMinor <= INT64_MAX - kMaxAmountMinor - kMaxFeeMinor,
              "a bounded balance plus one bounded amount and fee fits in int64");
static_assert(kMaxAmountMinor <= INT64_MAX / 10'000, "amount x basis points fits in int64");

// OK when 0 < amount_minor <= kMaxAmountMinor. Errors name `field`: kInvalid
// "invalid_amount" when not positive; kRefused "amount_too_large" above the bound.
Status CheckAmount(int64_t amount_minor, std::string_view field = "amount");
// OK when 0 <= fee_minor <= kMaxFeeMinor. Errors name `field`: kInvalid
// "invalid_amount" when negative; kRefused "fee_too_large" above the bound.
Status CheckFee(int64_t fee_minor, std::string_view field = "fee");
// OK when -kMaxBalanceMinor <= balance_minor <= kMaxBalanceMinor; else kRefused
// "balance_limit" naming `field`.
Status CheckBalance(int64_t balance_minor, std::string_view field);
// balance_minor + delta_minor when the result stays within ±kMaxBalanceMinor
// (and int64); else kRefused "balance_limit" (field "amount").
Result<int64_t> AddToBalance(int64_t balance_minor, int64_t delta_minor);

}  // namespace payops
