// Money bounds on the ledger, on both backends: a posting that would take an
// account past kMaxBalanceMinor is refused whole, the running balances follow
// the sums of the entries, and entries written before there were bounds (sums
// past int64) give a 422, never an SQL overflow.
#include "../store/backend.h"
#include "payops/service/ledger.h"
#include "payops/service/orgs.h"

namespace payops::testing {
namespace {

class LedgerBoundsTest : public BackendTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    env_ = std::make_unique<service::Env>(*store_, clock_, /*sandbox_mode=*/true);
    Org o;
    o.name = "Org";
    o.domain = "bounds.example";
    o.sla_plan = "essentials";
    o.hypercare_plan = "standard";
    o.bau_plan = "standard";
    o.go_live_date = "2026-01-05";
    o.allowed_countries = {"US", "MX"};
    o.fees = {{"payout", "USD", "US-MX", 100}};
    auto org = service::CreateOrg(*env_, Actor::System(), o);
    ASSERT_TRUE(org.ok()) << org.error().message;
    org_ = org->id;
    partner_ = Actor{"m1", Role::kPartner, org_, "Pat", "", false};
    accounts_ = OrgAccounts::For(org_, Currency::Parse("USD").value());
  }

  // Writes entries straight to the store, as a version without bounds could
  // have: no running balance is moved.
  void InsertRaw(const std::string& account, int64_t amount) {
    Posting p{PostingKind::kDeposit, "raw_" + std::to_string(++raw_), {}};
    p.entries.push_back(LedgerEntry{account, accounts_.currency, amount});
    ASSERT_TRUE(store_
                    ->Write([&](store::Tx& tx) -> Status {
                      return store::InsertPosting(tx, "pst_raw_" + std::to_string(raw_), org_, p,
                                                  clock_.Now(), {"le_raw_" + std::to_string(raw_)});
                    })
                    .ok());
  }

  int64_t Balance(const std::string& account) {
    auto list = service::ListAccounts(*env_, partner_, std::nullopt);
    EXPECT_TRUE(list.ok()) << list.error().message;
    if (!list.ok()) return 0;
    for (const auto& a : *list) {
      if (a.account_id == account) return a.balance_minor;
    }
    return 0;
  }

  int64_t EntryCount() {
    int64_t n = -1;
    EXPECT_TRUE(store_
                    ->Read([&](store::Tx& tx) -> Status {
                      PAYOPS_ASSIGN_OR_RETURN(
                          auto row, tx.QueryOne("SELECT COUNT(*) FROM ledger_entries", {}));
                      n = row->Int(0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }

  std::optional<int64_t> Running(const std::string& account) {
    std::optional<int64_t> out;
    EXPECT_TRUE(store_
                    ->Read([&](store::Tx& tx) -> Status {
                      PAYOPS_ASSIGN_OR_RETURN(out, store::FindRunningBalance(tx, account, "USD"));
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  ManualClock clock_{FromMicros(1'900'000'000'000'000)};
  std::unique_ptr<service::Env> env_;
  std::string org_;
  Actor partner_;
  OrgAccounts accounts_;
  int raw_ = 0;
};
PAYOPS_BACKENDS(LedgerBoundsTest);

TEST_P(LedgerBoundsTest, APostingPastTheBalanceBoundIsRefusedWhole) {
  // An org account 10 minor units short of the bound, as entries alone.
  InsertRaw(accounts_.org, kMaxBalanceMinor - 10);
  InsertRaw(accounts_.funding_clearing, -(kMaxBalanceMinor - 10));
  ASSERT_TRUE(service::SandboxDeposit(*env_, partner_, accounts_.org, 10).ok());
  EXPECT_EQ(Balance(accounts_.org), kMaxBalanceMinor);
  EXPECT_EQ(Running(accounts_.org), kMaxBalanceMinor);
  EXPECT_EQ(Running(accounts_.funding_clearing), -kMaxBalanceMinor);

  const int64_t entries = EntryCount();
  auto over = service::SandboxDeposit(*env_, partner_, accounts_.org, 1);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().kind, ErrorKind::kRefused);
  EXPECT_EQ(over.error().code, "balance_limit");
  // The first account past the bound is named (here the funding clearing one).
  EXPECT_NE(over.error().message.find(accounts_.funding_clearing), std::string::npos)
      << over.error().message;
  EXPECT_EQ(EntryCount(), entries);
  EXPECT_EQ(Balance(accounts_.org), kMaxBalanceMinor);
  EXPECT_EQ(Running(accounts_.org), kMaxBalanceMinor);

  // Money can still leave the account.
  auto payout = service::CreatePayout(*env_, partner_, {std::nullopt, "USD", "US-MX", 1'000});
  ASSERT_TRUE(payout.ok()) << payout.error().message;
  EXPECT_EQ(Balance(accounts_.org), kMaxBalanceMinor - 1'100);
  EXPECT_EQ(Running(accounts_.org), kMaxBalanceMinor - 1'100);
  EXPECT_EQ(Running(accounts_.payout_clearing), 1'000);
  EXPECT_EQ(Running(accounts_.fee_income), 100);
}

TEST_P(LedgerBoundsTest, AmountsPastTheBoundAreRefused) {
  auto deposit = service::SandboxDeposit(*env_, partner_, accounts_.org, kMaxAmountMinor + 1);
  ASSERT_FALSE(deposit.ok());
  EXPECT_EQ(deposit.error().code, "amount_too_large");
  EXPECT_EQ(deposit.error().kind, ErrorKind::kRefused);
  auto payout = service::CreatePayout(*env_, partner_, {std::nullopt, "USD", "US-MX", INT64_MAX});
  ASSERT_FALSE(payout.ok());
  EXPECT_EQ(payout.error().code, "amount_too_large");
  EXPECT_EQ(EntryCount(), 0);
  ASSERT_TRUE(service::SandboxDeposit(*env_, partner_, accounts_.org, kMaxAmountMinor).ok());
  EXPECT_EQ(Balance(accounts_.org), kMaxAmountMinor);
}

TEST_P(LedgerBoundsTest, RunningBalancesFollowTheSumsOfTheEntries) {
  InsertRaw(accounts_.org, 5'000);  // an entry from before running balances
  InsertRaw(accounts_.funding_clearing, -5'000);
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(service::SandboxDeposit(*env_, partner_, accounts_.org, i * 1'000).ok());
  }
  ASSERT_TRUE(service::CreatePayout(*env_, partner_, {std::nullopt, "USD", "US-MX", 7'000}).ok());
  auto list = service::ListAccounts(*env_, partner_, std::nullopt);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 4u);
  for (const auto& a : *list) EXPECT_EQ(Running(a.account_id), a.balance_minor) << a.account_id;
  EXPECT_EQ(Balance(accounts_.org), 5'000 + 15'000 - 7'100);
}

TEST_P(LedgerBoundsTest, EntriesFromBeforeTheBoundsGiveA422NotAnOverflow) {
  // What two unbounded deposits left behind: INT64_MAX and 1 on one account.
  InsertRaw(accounts_.org, INT64_MAX);
  InsertRaw(accounts_.org, 1);
  InsertRaw(accounts_.fee_income, 10);
  auto list = service::ListAccounts(*env_, partner_, std::nullopt);
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().kind, ErrorKind::kRefused) << list.error().message;
  auto payout = service::CreatePayout(*env_, partner_, {std::nullopt, "USD", "US-MX", 100});
  ASSERT_FALSE(payout.ok());
  EXPECT_EQ(payout.error().kind, ErrorKind::kRefused) << payout.error().message;
  auto deposit = service::SandboxDeposit(*env_, partner_, accounts_.org, 1);
  ASSERT_FALSE(deposit.ok());
  EXPECT_EQ(deposit.error().kind, ErrorKind::kRefused) << deposit.error().message;
}

TEST_P(LedgerBoundsTest, PartialSumsPastInt64DoNotBreakABoundedBalance) {
  // Balanced in the end, but read in any order the partial sums can pass int64.
  InsertRaw(accounts_.org, INT64_MAX);
  InsertRaw(accounts_.org, INT64_MAX);
  InsertRaw(accounts_.org, -INT64_MAX);
  InsertRaw(accounts_.org, -INT64_MAX);
  InsertRaw(accounts_.org, 42);
  EXPECT_EQ(Balance(accounts_.org), 42);
  ASSERT_TRUE(service::SandboxDeposit(*env_, partner_, accounts_.org, 8).ok());
  EXPECT_EQ(Balance(accounts_.org), 50);
  EXPECT_EQ(Running(accounts_.org), 50);
}

}  // namespace
}  // namespace payops::testing
