// Accounts, payins and payouts on the double-entry ledger (SPEC §2.5). Each org
// has four accounts per currency (core/ledger.h); balances are sums of entries.
// Every posting also moves the running balance of each account it touches, and
// is refused (kRefused "balance_limit", nothing written) when one would pass
// ±kMaxBalanceMinor (core/money.h).
#pragma once

#include "payops/core/ledger.h"
#include "payops/service/env.h"
#include "payops/store/ledger.h"
#include "payops/store/transactions.h"

namespace payops::service {

// Inside the caller's transaction: the payin and payout postings of a
// transaction that became PROCESSED (fees from the org's schedule).
Status PostProcessed(Env& env, store::Tx& tx, const store::TransactionRecord& t);
// Inside the caller's transaction: the reversal of its payin (kRefund or kReturn).
Status PostReversal(Env& env, store::Tx& tx, const store::TransactionRecord& t, PostingKind kind);

// The org's accounts with balances. Partners see their own org; staff name one.
Result<std::vector<store::AccountBalance>> ListAccounts(Env& env, const Actor& actor,
                                                        const std::optional<std::string>& org_id);
// One page of them, in account id order.
Result<store::Page<store::AccountBalance>> ListAccounts(Env& env, const Actor& actor,
                                                        const std::optional<std::string>& org_id,
                                                        const store::PageRequest& page);
// Payin entries of one account (404 for another tenant's account).
Result<store::Page<store::PostingLine>> ListPayins(Env& env, const Actor& actor,
                                                   const std::string& account_id,
                                                   const store::PageRequest& page);

struct NewPayout {
  std::optional<std::string> org_id;  // staff name it; partners use their own
  std::string currency;
  std::string corridor;
  int64_t amount = 0;
};
struct PayoutView {
  std::string id;
  std::string org_id;
  std::string currency;
  std::string corridor;
  int64_t amount = 0;
  int64_t fee = 0;
  Instant created_at;
};
// Pays out of the org account: 422 insufficient_funds when the balance does not
// cover amount + fee; fee_not_configured without a payout fee for the corridor;
// amount_too_large past kMaxAmountMinor; balance_limit.
Result<PayoutView> CreatePayout(Env& env, const Actor& actor, const NewPayout& in);
// Payout-clearing entries (transaction payouts and org payouts) of the org.
Result<store::Page<store::PostingLine>> ListPayouts(Env& env, const Actor& actor,
                                                    const std::optional<std::string>& org_id,
                                                    const std::string& currency,
                                                    const store::PageRequest& page);
// Sandbox only: a test deposit into an org account ("<org>:<CUR>:org"). 422
// amount_too_large past kMaxAmountMinor; balance_limit when an account would
// pass ±kMaxBalanceMinor.
Result<store::PostingLine> SandboxDeposit(Env& env, const Actor& actor,
                                          const std::string& account_id, int64_t amount);

}  // namespace payops::service
