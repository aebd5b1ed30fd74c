#include "payops/core/money.h"

#include <algorithm>
#include <cassert>
#include <climits>
#include <cstdio>

namespace payops {
namespace {

struct CurrencyInfo {
  const char* code;
  int exponent;
};

// ISO 4217 active codes (sorted for binary search) with their minor-unit exponents.
constexpr CurrencyInfo kCurrencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2}, {"BYN", 2},
    {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHF", 2}, {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"CRC", 2},
    {"CUP", 2}, {"CVE", 2}, {"CZK", 2}, {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2},
    {"ERN", 2}, {"ETB", 2}, {"EUR", 2}, {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2},
    {"GIP", 2}, {"GMD", 2}, {"GNF", 0}, {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2},
    {"HUF", 2}, {"IDR", 2}, {"ILS", 2}, {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2},
    {"JOD", 3}, {"JPY", 0}, {"KES", 2}, {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0},
    {"KWD", 3}, {"KYD", 2}, {"KZT", 2}, {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2},
    {"LYD", 3}, {"MAD", 2}, {"MDL", 2}, {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2},
    {"MRU", 2}, {"MUR", 2}, {"MVR", 2}, {"MWK", 2}, {"MXN", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2},
    {"NGN", 2}, {"NIO", 2}, {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2},
    {"PGK", 2}, {"PHP", 2}, {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2},
    {"RUB", 2}, {"RWF", 0}, {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2},
    {"SHP", 2}, {"SLE", 2}, {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2},
    {"SZL", 2}, {"THB", 2}, {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2},
    {"TWD", 2}, {"TZS", 2}, {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"UYU", 2}, {"UZS", 2}, {"VES", 2},
    {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XOF", 0}, {"XPF", 0}, {"YER", 2},
    {"ZAR", 2}, {"ZMW", 2}, {"ZWL", 2},
};

const CurrencyInfo* Find(std::string_view code) {
  auto it = std::lower_bound(std::begin(kCurrencies), std::end(kCurrencies), code,
                             [](const CurrencyInfo& c, std::string_view k) { return c.code < k; });
  if (it == std::end(kCurrencies) || std::string_view(it->code) != code) return nullptr;
  return it;
}

}  // namespace

Result<Currency> Currency::Parse(std::string_view code) {
  if (code.size() != 3 || Find(code) == nullptr) {
    return Error::Invalid("invalid_currency", "currency must be an ISO 4217 code such as USD",
                          "currency");
  }
  Currency c;
  std::copy(code.begin(), code.end(), c.code_.begin());
  return c;
}

int Currency::exponent() const {
  const CurrencyInfo* info = Find(code());
  return info ? info->exponent : 2;
}

Result<int64_t> CheckedAdd(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_add_overflow(a, b, &out)) {
    return Error::Refused("amount_overflow", "amount exceeds the representable range");
  }
  return out;
}

Result<int64_t> CheckedMul(int64_t a, int64_t b) {
  int64_t out;
  if (__builtin_mul_overflow(a, b, &out)) {
    return Error::Refused("amount_overflow", "amount exceeds the representable range");
  }
  return out;
}

namespace {

// "10,000,000,000.00" style text of a bound, for messages.
std::string Grouped(int64_t minor) {
  std::string digits = std::to_string(minor);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

}  // namespace

Status CheckAmount(int64_t amount_minor, std::string_view field) {
  if (amount_minor <= 0) {
    return Error::Invalid("invalid_amount",
                          std::string(field) + " must be a positive number of minor units",
                          std::string(field));
  }
  if (amount_minor > kMaxAmountMinor) {
    return Error::Refused(
        "amount_too_large",
        std::string(field) + " must be at most " + Grouped(kMaxAmountMinor) + " minor units",
        std::string(field));
  }
  return Status::Ok();
}

Status CheckFee(int64_t fee_minor, std::string_view field) {
  if (fee_minor < 0) {
    return Error::Invalid("invalid_amount", "fee must not be negative", std::string(field));
  }
  if (fee_minor > kMaxFeeMinor) {
    return Error::Refused("fee_too_large",
                          "a fee must be at most " + Grouped(kMaxFeeMinor) + " minor units",
                          std::string(field));
  }
  return Status::Ok();
}

Status CheckBalance(int64_t balance_minor, std::string_view field) {
  if (balance_minor < -kMaxBalanceMinor || balance_minor > kMaxBalanceMinor) {
    return Error::Refused(
        "balance_limit",
        std::string(field) + " must be within ±" + Grouped(kMaxBalanceMinor) + " minor units",
        std::string(field));
  }
  return Status::Ok();
}

Result<int64_t> AddToBalance(int64_t balance_minor, int64_t delta_minor) {
  int64_t out;
  if (__builtin_add_overflow(balance_minor, delta_minor, &out) || out < -kMaxBalanceMinor ||
      out > kMaxBalanceMinor) {
    return Error::Refused("balance_limit",
                          "the balance would pass ±" + Grouped(kMaxBalanceMinor) +
                              " minor units, the bound of one account",
                          "amount");
  }
  return out;
}

Result<Money> Money::Add(const Money& other) const {
  if (!(currency_ == other.currency_)) {
    return Error::Invalid("currency_mismatch", "cannot add amounts in different currencies");
  }
  PAYOPS_ASSIGN_OR_RETURN(int64_t sum, CheckedAdd(minor_, other.minor_));
  return Money(sum, currency_);
}

Result<Money> Money::Sub(const Money& other) const {
  if (other.minor_ == INT64_MIN) return Error::Refused("amount_overflow", "amount out of range");
  return Add(other.Negated());
}

Result<Money> Money::Times(int64_t count) const {
  PAYOPS_ASSIGN_OR_RETURN(int64_t product, CheckedMul(minor_, count));
  return Money(product, currency_);
}

Money Money::Negated() const {
  assert(minor_ != INT64_MIN);
  return Money(-minor_, currency_);
}

std::string Money::ToString() const {
  int exp = currency_.exponent();
  uint64_t mag = minor_ < 0 ? 0 - static_cast<uint64_t>(minor_) : static_cast<uint64_t>(minor_);
  uint64_t scale = 1;
  for (int i = 0; i < exp; ++i) scale *= 10;
  char buf[64];
  if (exp == 0) {
    std::snprintf(buf, sizeof buf, "%s%llu %.3s", minor_ < 0 ? "-" : "",
                  static_cast<unsigned long long>(mag), currency_.code().data());
  } else {
    std::snprintf(buf, sizeof buf, "%s%llu.%0*llu %.3s", minor_ < 0 ? "-" : "",
                  static_cast<unsigned long long>(mag / scale), exp,
                  static_cast<unsigned long long>(mag % scale), currency_.code().data());
  }
  return buf;
}

}  // namespace payops
