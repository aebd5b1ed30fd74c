// The double-entry ledger (SPEC §2.5): each org has, per currency, an account
// the API shows (kOrg) and three counter-accounts; money moves only by postings
// whose entries sum to zero per currency, and a balance is the sum of an
// account's entries, never a stored number.
//
// Sign convention: an entry's amount_minor is added to the account's balance.
// The org account's balance is what the platform holds for the org;
// funding_clearing (money from end users' banks and cards) and payout_clearing
// (money sent to recipients) mirror the outside world and so carry the opposite
// sign; fee_income is the platform's revenue from the org.
//
// Decision: everything of a transaction is posted in its send currency (the
// currency conversion to the payout currency happens at the payout partner,
// outside this ledger).
//
// Pure code: no I/O, no clock, no threads. Thread-safe.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "payops/core/money.h"
#include "payops/core/org.h"
#include "payops/core/result.h"

namespace payops {

enum class AccountKind : uint8_t { kOrg, kFundingClearing, kPayoutClearing, kFeeIncome };
// "org", "funding_clearing", "payout_clearing", "fee_income".
std::string_view AccountKindName(AccountKind kind);

// The default account id: "<org_id>:<currency>:<kind name>", e.g.
// "org_1:USD:fee_income". Callers that keep their own account ids use
// OrgAccounts with them instead.
std::string LedgerAccountId(std::string_view org_id, const Currency& currency, AccountKind kind);

// The four accounts of one org in one currency.
struct OrgAccounts {
  Currency currency;
  std::string org;
  std::string funding_clearing;
  std::string payout_clearing;
  std::string fee_income;

  // The accounts named by LedgerAccountId.
  static OrgAccounts For(std::string_view org_id, const Currency& currency);
};

struct LedgerEntry {
  std::string account_id;
  Currency currency;
  int64_t amount_minor = 0;  // signed, never 0
  friend bool operator==(const LedgerEntry&, const LedgerEntry&) = default;
};

enum class PostingKind : uint8_t {
  kPayin,      // a processed transaction's funds collected (+ payin fee)
  kPayout,     // a processed transaction's funds paid out (+ payout fee)
  kRefund,     // reverses a payin: the sender is paid back
  kReturn,     // reverses a payin: ACH return or card chargeback
  kDeposit,    // sandbox test deposit into the org account
  kOrgPayout,  // POST /v1/payouts: a payout from the org account
};
// "payin", "payout", "refund", "return", "deposit", "org_payout".
std::string_view PostingKindName(PostingKind kind);

inline constexpr size_t kMaxPostingEntries = 16;

struct Posting {
  PostingKind kind = PostingKind::kPayin;
  std::string reference;  // the transaction / payout / deposit id
  std::vector<LedgerEntry> entries;
  friend bool operator==(const Posting&, const Posting&) = default;
};

// OK when the posting has 2..kMaxPostingEntries entries, each with a non-empty
// account id, a known ISO 4217 currency and a non-zero amount, and the entries
// of each currency sum to zero. Errors (kInvalid): "invalid_posting",
// "posting_unbalanced" (the message names the currency and the imbalance);
// "amount_overflow" (kRefused) when a sum overflows.
Status ValidatePosting(const Posting& posting);

// ---- Fees ----

enum class FeeDirection : uint8_t { kPayin, kPayout };
// "payin", "payout" (the spelling of Fee::direction).
std::string_view FeeDirectionName(FeeDirection direction);

// The fee of the org's schedule for (direction, currency, corridor), in minor
// units. Error kRefused "fee_not_configured" (field "fee") when the schedule
// has none: a zero fee must be configured explicitly; kRefused "fee_too_large"
// when the stored fee is outside 0..kMaxFeeMinor.
Result<int64_t> FindFee(std::span<const Fee> fees, FeeDirection direction,
                        std::string_view currency, std::string_view corridor);

// ---- Postings of a transaction ----

struct TransactionAmount {
  std::string transaction_id;
  int64_t amount_minor = 0;  // the send amount, > 0
  std::string corridor;      // "US-MX"
};

struct ProcessedPostings {
  Posting payin;
  Posting payout;
  int64_t payin_fee_minor = 0;
  int64_t payout_fee_minor = 0;
};

// The postings of a PROCESSED transaction, in accounts.currency, fees from
// `fees` (both directions must be configured for that currency and corridor):
//   payin:  funding_clearing −(amount + payin fee), org +amount, fee_income +payin fee
//   payout: org −(amount + payout fee), payout_clearing +amount, fee_income +payout fee
// (a zero fee's entry is left out). The sender pays the payin fee on top of the
// amount (what the balance check covers); the org pays the payout fee. Errors:
// "invalid_amount" (kInvalid, field "amount") unless amount_minor > 0;
// "amount_too_large" past kMaxAmountMinor; "fee_not_configured",
// "fee_too_large". Both postings balance (asserted).
Result<ProcessedPostings> BuildProcessedPostings(const OrgAccounts& accounts,
                                                 std::span<const Fee> fees,
                                                 const TransactionAmount& txn);

// The posting that undoes `payin` for a refund or a return: every entry negated
// (the sender gets the amount and the payin fee back; the payout stays, so the
// org account carries the loss until recovered). `kind` must be kRefund or
// kReturn and `payin` a valid kPayin posting; else kInvalid "invalid_posting".
Result<Posting> BuildReversal(const Posting& payin, PostingKind kind);

// A sandbox test deposit: funding_clearing −amount, org +amount. Amount as
// CheckAmount (money.h) takes it.
Result<Posting> BuildDeposit(const OrgAccounts& accounts, std::string reference,
                             int64_t amount_minor);

// A payout from the org account: org −(amount + fee), payout_clearing +amount,
// fee_income +fee. Amount as CheckAmount, fee as CheckFee (money.h) take them.
Result<Posting> BuildOrgPayout(const OrgAccounts& accounts, std::string reference,
                               int64_t amount_minor, int64_t fee_minor);

// ---- Balances ----

// The balance of (account_id, currency): the checked sum of its entries in
// `postings`. Error "amount_overflow".
Result<int64_t> AccountBalance(std::span<const Posting> postings, std::string_view account_id,
                               const Currency& currency);

struct BalanceLine {
  std::string account_id;
  Currency currency;
  int64_t balance_minor = 0;
  friend bool operator==(const BalanceLine&, const BalanceLine&) = default;
};

// Every (account, currency) that appears in `postings` with its balance, sorted
// by account id then currency code. Errors: the first invalid posting's error
// (ValidatePosting), "amount_overflow". For valid postings the balances of each
// currency sum to zero (asserted).
Result<std::vector<BalanceLine>> TrialBalance(std::span<const Posting> postings);

}  // namespace payops
