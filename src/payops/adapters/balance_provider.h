// The bank-balance aggregator behind an interface (SPEC §2.2 step 5). The
// built-in sandbox provider answers from the account's simulated balance and
// error; a real aggregator plugs in behind the same interface.
#pragma once

#include <optional>
#include <string>

#include "payops/core/pipeline.h"
#include "payops/core/result.h"

namespace payops::adapters {

struct BankAccountRef {
  std::string id;
  std::string routing_number;
  int64_t sandbox_balance_minor = 0;
  std::optional<std::string> sandbox_error;  // an aggregator error code, or none
};

class BalanceProvider {
 public:
  virtual ~BalanceProvider() = default;
  // The account's available balance, or the aggregator's error answer. An
  // Error (not an answer) means the provider itself could not be asked.
  virtual Result<BalanceAnswer> Balance(const BankAccountRef& account) = 0;
};

class SandboxBalanceProvider final : public BalanceProvider {
 public:
  // sandbox_error set: that error; otherwise the simulated balance.
  Result<BalanceAnswer> Balance(const BankAccountRef& account) override {
    if (account.sandbox_error) {
      auto e = ParseBalanceError(*account.sandbox_error);
      if (!e) return Error::Internal("unknown sandbox_error " + *account.sandbox_error);
      return BalanceAnswer::Failed(*e);
    }
    return BalanceAnswer::Balance(account.sandbox_balance_minor);
  }
};

}  // namespace payops::adapters
