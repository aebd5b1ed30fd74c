// The double-entry ledger (SPEC §2.5): postings balance per currency, balances
// are sums of entries, fees come from the schedule, reversals undo payins.
#include "payops/core/ledger.h"

#include <gtest/gtest.h>

#include <climits>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace payops {
namespace {

Currency C(std::string_view code) {
  return Currency::Parse(code).value();
}

LedgerEntry E(std::string account, std::string_view currency, int64_t amount) {
  return LedgerEntry{std::move(account), C(currency), amount};
}

std::vector<Fee> Fees() {
  return {{"payin", "USD", "US-MX", 299},
          {"payout", "USD", "US-MX", 150},
          {"payin", "USD", "US-GT", 0},
          {"payout", "USD", "US-GT", 0},
          {"payin", "EUR", "US-MX", 100}};
}

TEST(LedgerAccountTest, IdsPerOrgPerCurrency) {
  OrgAccounts a = OrgAccounts::For("org_1", C("USD"));
  EXPECT_EQ(a.org, "org_1:USD:org");
  EXPECT_EQ(a.funding_clearing, "org_1:USD:funding_clearing");
  EXPECT_EQ(a.payout_clearing, "org_1:USD:payout_clearing");
  EXPECT_EQ(a.fee_income, "org_1:USD:fee_income");
  EXPECT_EQ(a.currency, C("USD"));
  EXPECT_NE(OrgAccounts::For("org_1", C("EUR")).org, a.org);
  EXPECT_NE(OrgAccounts::For("org_2", C("USD")).org, a.org);
}

TEST(LedgerPostingTest, Validation) {
  struct Case {
    const char* name;
    std::vector<LedgerEntry> entries;
    const char* code;  // "" = valid
  } cases[] = {
      {"balanced", {E("a", "USD", 100), E("b", "USD", -100)}, ""},
      {"three-way", {E("a", "USD", -150), E("b", "USD", 100), E("c", "USD", 50)}, ""},
      {"two currencies each balanced",
       {E("a", "USD", 100), E("b", "USD", -100), E("c", "MXN", -7), E("d", "MXN", 7)},
       ""},
      {"unbalanced", {E("a", "USD", 100), E("b", "USD", -99)}, "posting_unbalanced"},
      {"balanced only across currencies",
       {E("a", "USD", 100), E("b", "MXN", -100)},
       "posting_unbalanced"},
      {"one entry", {E("a", "USD", 0)}, "invalid_posting"},
      {"empty", {}, "invalid_posting"},
      {"zero entry", {E("a", "USD", 0), E("b", "USD", 0)}, "invalid_posting"},
      {"no account", {E("", "USD", 1), E("b", "USD", -1)}, "invalid_posting"},
      {"no currency", {LedgerEntry{"a", Currency{}, 1}, E("b", "USD", -1)}, "invalid_posting"},
      {"overflowing sum",
       {E("a", "USD", INT64_MAX), E("b", "USD", 1), E("c", "USD", -1)},
       "amount_overflow"},
  };
  for (const Case& c : cases) {
    Status s = ValidatePosting(Posting{PostingKind::kDeposit, "ref", c.entries});
    if (std::string(c.code).empty()) {
      EXPECT_TRUE(s.ok()) << c.name << ": " << s.error().message;
    } else {
      ASSERT_FALSE(s.ok()) << c.name;
      EXPECT_EQ(s.error().code, c.code) << c.name;
    }
  }
  std::vector<LedgerEntry> many;
  for (int i = 0; i < 17; ++i) many.push_back(E("a", "USD", i % 2 ? 1 : -1));
  EXPECT_EQ(ValidatePosting(Posting{PostingKind::kDeposit, "r", many}).error().code,
            "invalid_posting");
  Status s =
      ValidatePosting(Posting{PostingKind::kDeposit, "r", {E("a", "USD", 5), E("b", "USD", -2)}});
  EXPECT_EQ(s.error().message, "the USD entries of the posting sum to 3 minor units instead of 0");
}

TEST(LedgerFeeTest, LookupByDirectionCurrencyCorridor) {
  const std::vector<Fee> fees = Fees();
  EXPECT_EQ(FindFee(fees, FeeDirection::kPayin, "USD", "US-MX").value(), 299);
  EXPECT_EQ(FindFee(fees, FeeDirection::kPayout, "USD", "US-MX").value(), 150);
  EXPECT_EQ(FindFee(fees, FeeDirection::kPayin, "USD", "US-GT").value(), 0);
  EXPECT_EQ(FindFee(fees, FeeDirection::kPayin, "EUR", "US-MX").value(), 100);
  struct Miss {
    FeeDirection dir;
    const char* currency;
    const char* corridor;
  } misses[] = {{FeeDirection::kPayout, "EUR", "US-MX"},
                {FeeDirection::kPayin, "MXN", "US-MX"},
                {FeeDirection::kPayin, "USD", "US-CO"},
                {FeeDirection::kPayin, "USD", "MX-US"}};
  for (const Miss& m : misses) {
    auto r = FindFee(fees, m.dir, m.currency, m.corridor);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "fee_not_configured");
    EXPECT_EQ(r.error().kind, ErrorKind::kRefused);
  }
  EXPECT_EQ(FindFee(fees, FeeDirection::kPayout, "EUR", "US-MX").error().message,
            "the org has no payout fee for EUR on corridor US-MX");
  EXPECT_FALSE(FindFee({}, FeeDirection::kPayin, "USD", "US-MX").ok());
}

TEST(LedgerTransactionTest, ProcessedPayinAndPayout) {
  OrgAccounts a = OrgAccounts::For("org_1", C("USD"));
  auto p = BuildProcessedPostings(a, Fees(), {"txn_1", 10'000, "US-MX"});
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->payin_fee_minor, 299);
  EXPECT_EQ(p->payout_fee_minor, 150);
  EXPECT_EQ(p->payin.kind, PostingKind::kPayin);
  EXPECT_EQ(p->payin.reference, "txn_1");
  EXPECT_EQ(p->payin.entries,
            (std::vector<LedgerEntry>{E(a.funding_clearing, "USD", -10'299),
                                      E(a.org, "USD", 10'000), E(a.fee_income, "USD", 299)}));
  EXPECT_EQ(p->payout.entries,
            (std::vector<LedgerEntry>{E(a.org, "USD", -10'150), E(a.payout_clearing, "USD", 10'000),
                                      E(a.fee_income, "USD", 150)}));
  std::vector<Posting> ledger = {p->payin, p->payout};
  EXPECT_EQ(AccountBalance(ledger, a.org, C("USD")).value(), -150);
  EXPECT_EQ(AccountBalance(ledger, a.fee_income, C("USD")).value(), 449);
  EXPECT_EQ(AccountBalance(ledger, a.funding_clearing, C("USD")).value(), -10'299);
  EXPECT_EQ(AccountBalance(ledger, a.payout_clearing, C("USD")).value(), 10'000);
  EXPECT_EQ(AccountBalance(ledger, a.org, C("EUR")).value(), 0);
  EXPECT_EQ(AccountBalance(ledger, "nobody", C("USD")).value(), 0);
}

TEST(LedgerTransactionTest, ZeroFeesLeaveNoEntry) {
  OrgAccounts a = OrgAccounts::For("org_1", C("USD"));
  auto p = BuildProcessedPostings(a, Fees(), {"txn_2", 5'000, "US-GT"});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->payin.entries.size(), 2u);
  EXPECT_EQ(p->payout.entries.size(), 2u);
}

TEST(LedgerTransactionTest, Errors) {
  OrgAccounts usd = OrgAccounts::For("org_1", C("USD"));
  EXPECT_EQ(BuildProcessedPostings(usd, Fees(), {"t", 100, "US-CO"}).error().code,
            "fee_not_configured");
  OrgAccounts eur = OrgAccounts::For("org_1", C("EUR"));  // payin fee only
  auto missing_payout = BuildProcessedPostings(eur, Fees(), {"t", 100, "US-MX"});
  ASSERT_FALSE(missing_payout.ok());
  EXPECT_NE(missing_payout.error().message.find("payout"), std::string::npos);
  for (int64_t bad : {int64_t{0}, int64_t{-5}}) {
    auto r = BuildProcessedPostings(usd, Fees(), {"t", bad, "US-MX"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "invalid_amount");
  }
  EXPECT_EQ(BuildProcessedPostings(usd, Fees(), {"t", INT64_MAX, "US-MX"}).error().code,
            "amount_too_large");
  EXPECT_TRUE(BuildProcessedPostings(usd, Fees(), {"t", kMaxAmountMinor, "US-MX"}).ok());
  EXPECT_EQ(BuildProcessedPostings(usd, Fees(), {"t", kMaxAmountMinor + 1, "US-MX"}).error().code,
            "amount_too_large");
  EXPECT_EQ(BuildDeposit(usd, "d", 0).error().code, "invalid_amount");
  EXPECT_EQ(BuildOrgPayout(usd, "p", 10, -1).error().code, "invalid_amount");
  EXPECT_EQ(BuildOrgPayout(usd, "p", INT64_MAX, 1).error().code, "amount_too_large");
  EXPECT_EQ(BuildDeposit(usd, "d", INT64_MAX).error().code, "amount_too_large");
  EXPECT_TRUE(BuildOrgPayout(usd, "p", kMaxAmountMinor, kMaxFeeMinor).ok());
  EXPECT_EQ(BuildOrgPayout(usd, "p", 10, kMaxFeeMinor + 1).error().code, "fee_too_large");
  // A schedule stored before fees were bounded cannot make a posting overflow.
  std::vector<Fee> huge = {{"payin", "USD", "US-MX", INT64_MAX}, {"payout", "USD", "US-MX", 0}};
  auto stale = BuildProcessedPostings(usd, huge, {"t", 100, "US-MX"});
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, "fee_too_large");
  EXPECT_EQ(stale.error().kind, ErrorKind::kRefused);
}

TEST(LedgerTransactionTest, RefundAndReturnReverseThePayin) {
  OrgAccounts a = OrgAccounts::For("org_1", C("USD"));
  auto p = BuildProcessedPostings(a, Fees(), {"txn_1", 10'000, "US-MX"});
  ASSERT_TRUE(p.ok());
  for (PostingKind kind : {PostingKind::kRefund, PostingKind::kReturn}) {
    auto rev = BuildReversal(p->payin, kind);
    ASSERT_TRUE(rev.ok());
    EXPECT_EQ(rev->kind, kind);
    EXPECT_EQ(rev->reference, "txn_1");
    ASSERT_EQ(rev->entries.size(), p->payin.entries.size());
    for (size_t i = 0; i < rev->entries.size(); ++i) {
      EXPECT_EQ(rev->entries[i].account_id, p->payin.entries[i].account_id);
      EXPECT_EQ(rev->entries[i].amount_minor, -p->payin.entries[i].amount_minor);
    }
    std::vector<Posting> ledger = {p->payin, p->payout, *rev};
    // The sender got amount + payin fee back; the payout stands, so the org
    // carries the amount and its payout fee.
    EXPECT_EQ(AccountBalance(ledger, a.funding_clearing, C("USD")).value(), 0);
    EXPECT_EQ(AccountBalance(ledger, a.org, C("USD")).value(), -10'150);
    EXPECT_EQ(AccountBalance(ledger, a.fee_income, C("USD")).value(), 150);
    ASSERT_TRUE(TrialBalance(ledger).ok());
  }
  EXPECT_EQ(BuildReversal(p->payout, PostingKind::kRefund).error().code, "invalid_posting");
  EXPECT_EQ(BuildReversal(p->payin, PostingKind::kDeposit).error().code, "invalid_posting");
  Posting broken = p->payin;
  broken.entries[0].amount_minor += 1;
  EXPECT_EQ(BuildReversal(broken, PostingKind::kRefund).error().code, "posting_unbalanced");
}

TEST(LedgerTransactionTest, DepositsAndOrgPayouts) {
  OrgAccounts a = OrgAccounts::For("org_9", C("MXN"));
  auto d = BuildDeposit(a, "dep_1", 50'000);
  auto po = BuildOrgPayout(a, "po_1", 20'000, 500);
  ASSERT_TRUE(d.ok());
  ASSERT_TRUE(po.ok());
  EXPECT_EQ(d->kind, PostingKind::kDeposit);
  EXPECT_EQ(po->kind, PostingKind::kOrgPayout);
  std::vector<Posting> ledger = {*d, *po};
  EXPECT_EQ(AccountBalance(ledger, a.org, C("MXN")).value(), 29'500);
  EXPECT_EQ(AccountBalance(ledger, a.fee_income, C("MXN")).value(), 500);
  EXPECT_EQ(AccountBalance(ledger, a.payout_clearing, C("MXN")).value(), 20'000);
  EXPECT_EQ(PostingKindName(PostingKind::kOrgPayout), "org_payout");
  EXPECT_EQ(AccountKindName(AccountKind::kFeeIncome), "fee_income");
}

TEST(LedgerBalanceTest, BalanceOverflowIsAnError) {
  std::vector<Posting> ledger = {
      Posting{PostingKind::kDeposit, "1", {E("a", "USD", INT64_MAX), E("b", "USD", -INT64_MAX)}},
      Posting{PostingKind::kDeposit, "2", {E("a", "USD", 1), E("b", "USD", -1)}}};
  EXPECT_EQ(AccountBalance(ledger, "a", C("USD")).error().code, "amount_overflow");
  EXPECT_EQ(AccountBalance(ledger, "b", C("USD")).value(), -INT64_MAX - 1);
  EXPECT_EQ(TrialBalance(ledger).error().code, "amount_overflow");
}

TEST(LedgerBalanceTest, TrialBalanceRejectsAnUnbalancedPosting) {
  std::vector<Posting> ledger = {
      Posting{PostingKind::kDeposit, "1", {E("a", "USD", 10), E("b", "USD", -10)}},
      Posting{PostingKind::kDeposit, "2", {E("a", "USD", 10), E("b", "USD", -9)}}};
  EXPECT_EQ(TrialBalance(ledger).error().code, "posting_unbalanced");
}

// Property: random mixes of deposits, processed transactions, reversals and org
// payouts over orgs and currencies keep every currency's balances at a zero sum
// and every balance equal to an independent running total.
class LedgerPropertyTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(LedgerPropertyTest, RandomPostingsKeepTheInvariant) {
  std::mt19937_64 rng(GetParam());
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const char* const kCurrencies[] = {"USD", "MXN", "JPY"};
  std::vector<Fee> fees;
  for (const char* cur : kCurrencies) {
    fees.push_back({"payin", cur, "US-MX", pick(0, 1'000)});
    fees.push_back({"payout", cur, "US-MX", pick(0, 1'000)});
  }
  std::vector<Posting> ledger;
  std::vector<Posting> payins;
  std::map<std::pair<std::string, std::string>, int64_t> expected;
  auto track = [&](const Posting& p) {
    for (const LedgerEntry& e : p.entries) {
      expected[{e.account_id, std::string(e.currency.code())}] += e.amount_minor;
    }
  };
  for (int i = 0; i < 500; ++i) {
    OrgAccounts a =
        OrgAccounts::For("org_" + std::to_string(pick(0, 3)), C(kCurrencies[pick(0, 2)]));
    const int op = static_cast<int>(pick(0, 3));
    const int64_t amount = pick(1, 10'000'000);
    if (op == 0) {
      auto p = BuildProcessedPostings(a, fees, {"t" + std::to_string(i), amount, "US-MX"});
      ASSERT_TRUE(p.ok());
      ASSERT_TRUE(ValidatePosting(p->payin).ok());
      track(p->payin);
      ledger.push_back(p->payin);
      ledger.push_back(p->payout);
      payins.push_back(p->payin);
    } else if (op == 1) {
      if (payins.empty()) continue;
      auto rev = BuildReversal(
          payins[static_cast<size_t>(pick(0, static_cast<int64_t>(payins.size()) - 1))],
          pick(0, 1) ? PostingKind::kRefund : PostingKind::kReturn);
      ASSERT_TRUE(rev.ok());
      ledger.push_back(*rev);
    } else if (op == 2) {
      ledger.push_back(BuildDeposit(a, "d", amount).value());
    } else {
      ledger.push_back(BuildOrgPayout(a, "p", amount, pick(0, 500)).value());
    }
    ASSERT_TRUE(ValidatePosting(ledger.back()).ok());
    track(ledger.back());
  }
  auto trial = TrialBalance(ledger);
  ASSERT_TRUE(trial.ok());
  ASSERT_EQ(trial->size(), expected.size());
  std::map<std::string, int64_t> per_currency;
  for (const BalanceLine& line : *trial) {
    const std::string code(line.currency.code());
    EXPECT_EQ(line.balance_minor, (expected[{line.account_id, code}]));
    EXPECT_EQ(AccountBalance(ledger, line.account_id, line.currency).value(), line.balance_minor);
    per_currency[code] += line.balance_minor;
  }
  for (const auto& [code, total] : per_currency) EXPECT_EQ(total, 0) << code;
  // Sorted by account id, then currency.
  for (size_t i = 1; i < trial->size(); ++i) {
    const BalanceLine& x = (*trial)[i - 1];
    const BalanceLine& y = (*trial)[i];
    EXPECT_TRUE(x.account_id < y.account_id ||
                (x.account_id == y.account_id && x.currency.code() < y.currency.code()));
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, LedgerPropertyTest, ::testing::Range<uint32_t>(1, 21));

}  // namespace
}  // namespace payops
