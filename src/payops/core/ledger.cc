#include "payops/core/ledger.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <utility>

namespace payops {
namespace {

// Sums the entries of each currency present; OK when every sum is zero.
Status CheckBalanced(const std::vector<LedgerEntry>& entries) {
  // Postings are small (≤ kMaxPostingEntries): a linear scan per currency.
  for (size_t i = 0; i < entries.size(); ++i) {
    bool seen = false;
    for (size_t j = 0; j < i; ++j) seen = seen || entries[j].currency == entries[i].currency;
    if (seen) continue;
    int64_t sum = 0;
    for (size_t j = i; j < entries.size(); ++j) {
      if (entries[j].currency == entries[i].currency) {
        PAYOPS_ASSIGN_OR_RETURN(sum, CheckedAdd(sum, entries[j].amount_minor));
      }
    }
    if (sum != 0) {
      return Error::Invalid("posting_unbalanced", "the " + std::string(entries[i].currency.code()) +
                                                      " entries of the posting sum to " +
                                                      std::to_string(sum) +
                                                      " minor units instead of 0");
    }
  }
  return Status::Ok();
}

void AddEntry(Posting& p, const std::string& account, const Currency& currency, int64_t amount) {
  if (amount != 0) p.entries.push_back(LedgerEntry{account, currency, amount});
}

Status PositiveAmount(int64_t amount_minor) {
  return CheckAmount(amount_minor, "amount");
}

// Builds the common shape "from −(amount + fee), to +amount, fee_income +fee".
Result<Posting> ThreeWay(PostingKind kind, std::string reference, const OrgAccounts& a,
                         const std::string& from, const std::string& to, int64_t amount_minor,
                         int64_t fee_minor) {
  PAYOPS_TRY(PositiveAmount(amount_minor));
  PAYOPS_TRY(CheckFee(fee_minor, "fee"));
  PAYOPS_ASSIGN_OR_RETURN(const int64_t total_minor, CheckedAdd(amount_minor, fee_minor));
  Posting p{kind, std::move(reference), {}};
  p.entries.reserve(3);
  AddEntry(p, from, a.currency, -total_minor);
  AddEntry(p, to, a.currency, amount_minor);
  AddEntry(p, a.fee_income, a.currency, fee_minor);
  assert(ValidatePosting(p).ok());
  return p;
}

}  // namespace

std::string_view AccountKindName(AccountKind kind) {
  switch (kind) {
    case AccountKind::kOrg:
      return "org";
    case AccountKind::kFundingClearing:
      return "funding_clearing";
    case AccountKind::kPayoutClearing:
      return "payout_clearing";
    case AccountKind::kFeeIncome:
      return "fee_income";
  }
  return "org";
}

std::string LedgerAccountId(std::string_view org_id, const Currency& currency, AccountKind kind) {
  std::string id;
  id.reserve(org_id.size() + 24);
  id.append(org_id).append(":").append(currency.code()).append(":").append(AccountKindName(kind));
  return id;
}

OrgAccounts OrgAccounts::For(std::string_view org_id, const Currency& currency) {
  return OrgAccounts{currency, LedgerAccountId(org_id, currency, AccountKind::kOrg),
                     LedgerAccountId(org_id, currency, AccountKind::kFundingClearing),
                     LedgerAccountId(org_id, currency, AccountKind::kPayoutClearing),
                     LedgerAccountId(org_id, currency, AccountKind::kFeeIncome)};
}

std::string_view PostingKindName(PostingKind kind) {
  switch (kind) {
    case PostingKind::kPayin:
      return "payin";
    case PostingKind::kPayout:
      return "payout";
    case PostingKind::kRefund:
      return "refund";
    case PostingKind::kReturn:
      return "return";
    case PostingKind::kDeposit:
      return "deposit";
    case PostingKind::kOrgPayout:
      return "org_payout";
  }
  return "payin";
}

Status ValidatePosting(const Posting& posting) {
  const auto& e = posting.entries;
  if (e.size() < 2 || e.size() > kMaxPostingEntries) {
    return Error::Invalid("invalid_posting", "a posting has 2 to 16 entries");
  }
  for (const LedgerEntry& entry : e) {
    if (entry.account_id.empty()) {
      return Error::Invalid("invalid_posting", "a ledger entry has no account");
    }
    if (!Currency::Parse(entry.currency.code()).ok()) {
      return Error::Invalid("invalid_posting", "a ledger entry has no valid currency");
    }
    if (entry.amount_minor == 0) {
      return Error::Invalid("invalid_posting", "a ledger entry moves no money");
    }
  }
  return CheckBalanced(e);
}

std::string_view FeeDirectionName(FeeDirection direction) {
  return direction == FeeDirection::kPayin ? "payin" : "payout";
}

Result<int64_t> FindFee(std::span<const Fee> fees, FeeDirection direction,
                        std::string_view currency, std::string_view corridor) {
  const std::string_view dir = FeeDirectionName(direction);
  for (const Fee& f : fees) {
    if (f.direction == dir && f.currency == currency && f.corridor == corridor) {
      // A schedule stored before fees were bounded may hold one past the bound.
      if (!CheckFee(f.fee_minor).ok()) {
        return Error::Refused("fee_too_large",
                              "the org's " + std::string(dir) + " fee for " +
                                  std::string(currency) + " on corridor " + std::string(corridor) +
                                  " is outside 0 to " + std::to_string(kMaxFeeMinor) +
                                  " minor units",
                              "fee");
      }
      return f.fee_minor;
    }
  }
  return Error::Refused("fee_not_configured",
                        "the org has no " + std::string(dir) + " fee for " + std::string(currency) +
                            " on corridor " + std::string(corridor),
                        "fee");
}

Result<ProcessedPostings> BuildProcessedPostings(const OrgAccounts& accounts,
                                                 std::span<const Fee> fees,
                                                 const TransactionAmount& txn) {
  PAYOPS_TRY(PositiveAmount(txn.amount_minor));
  const std::string_view cur = accounts.currency.code();
  PAYOPS_ASSIGN_OR_RETURN(const int64_t payin_fee,
                          FindFee(fees, FeeDirection::kPayin, cur, txn.corridor));
  PAYOPS_ASSIGN_OR_RETURN(const int64_t payout_fee,
                          FindFee(fees, FeeDirection::kPayout, cur, txn.corridor));
  PAYOPS_ASSIGN_OR_RETURN(Posting payin, ThreeWay(PostingKind::kPayin, txn.transaction_id, accounts,
                                                  accounts.funding_clearing, accounts.org,
                                                  txn.amount_minor, payin_fee));
  PAYOPS_ASSIGN_OR_RETURN(Posting payout,
                          ThreeWay(PostingKind::kPayout, txn.transaction_id, accounts, accounts.org,
                                   accounts.payout_clearing, txn.amount_minor, payout_fee));
  return ProcessedPostings{std::move(payin), std::move(payout), payin_fee, payout_fee};
}

Result<Posting> BuildReversal(const Posting& payin, PostingKind kind) {
  if (kind != PostingKind::kRefund && kind != PostingKind::kReturn) {
    return Error::Invalid("invalid_posting", "a reversal is a refund or a return");
  }
  if (payin.kind != PostingKind::kPayin) {
    return Error::Invalid("invalid_posting", "only a payin posting is reversed");
  }
  PAYOPS_TRY(ValidatePosting(payin));
  Posting out{kind, payin.reference, {}};
  out.entries.reserve(payin.entries.size());
  for (const LedgerEntry& e : payin.entries) {
    if (e.amount_minor == INT64_MIN) {
      return Error::Refused("amount_overflow", "amount exceeds the representable range");
    }
    out.entries.push_back(LedgerEntry{e.account_id, e.currency, -e.amount_minor});
  }
  assert(ValidatePosting(out).ok());
  return out;
}

Result<Posting> BuildDeposit(const OrgAccounts& accounts, std::string reference,
                             int64_t amount_minor) {
  return ThreeWay(PostingKind::kDeposit, std::move(reference), accounts, accounts.funding_clearing,
                  accounts.org, amount_minor, 0);
}

Result<Posting> BuildOrgPayout(const OrgAccounts& accounts, std::string reference,
                               int64_t amount_minor, int64_t fee_minor) {
  return ThreeWay(PostingKind::kOrgPayout, std::move(reference), accounts, accounts.org,
                  accounts.payout_clearing, amount_minor, fee_minor);
}

Result<int64_t> AccountBalance(std::span<const Posting> postings, std::string_view account_id,
                               const Currency& currency) {
  int64_t balance = 0;
  for (const Posting& p : postings) {
    for (const LedgerEntry& e : p.entries) {
      if (e.account_id == account_id && e.currency == currency) {
        PAYOPS_ASSIGN_OR_RETURN(balance, CheckedAdd(balance, e.amount_minor));
      }
    }
  }
  return balance;
}

Result<std::vector<BalanceLine>> TrialBalance(std::span<const Posting> postings) {
  std::map<std::pair<std::string, std::string>, int64_t> sums;
  for (const Posting& p : postings) {
    PAYOPS_TRY(ValidatePosting(p));
    for (const LedgerEntry& e : p.entries) {
      int64_t& s = sums[{e.account_id, std::string(e.currency.code())}];
      PAYOPS_ASSIGN_OR_RETURN(s, CheckedAdd(s, e.amount_minor));
    }
  }
  std::vector<BalanceLine> out;
  out.reserve(sums.size());
  // Per currency, the balances' sum modulo 2^64 (unsigned: no overflow UB); a
  // zero true sum gives zero here.
  std::map<std::string, uint64_t> per_currency;
  for (const auto& [key, balance] : sums) {
    out.push_back(BalanceLine{key.first, Currency::Parse(key.second).value(), balance});
    per_currency[key.second] += static_cast<uint64_t>(balance);
  }
  for (const auto& [code, total] : per_currency) {
    assert(total == 0u && "every posting balances, so every currency does");
    (void)code;
    (void)total;
  }
  return out;
}

}  // namespace payops
