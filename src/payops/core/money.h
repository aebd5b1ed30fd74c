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

}  // namespace payops
