// Transaction initiations racing each other and the writes that change what
// they decide on, on both backends. On PostgreSQL an initiation runs at READ
// COMMITTED after the user's lock (store::LockEndUser, Store::WriteAfterLock),
// not at SERIALIZABLE: these cases are the orderings that lock must give.
//   - concurrent initiations for one user never exceed the daily limit
//     together, and each one is either stored or refused for the limit;
//   - a bank account verified while initiations run leaves none of them held
//     for BANK_LOGIN_REQUIRED, and the account VERIFIED;
//   - a user suspended while initiations run leaves none of them open;
//   - an initiation that commits after its batch closed joins the next batch.
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

#include "payops/service/ach.h"
#include "payops/service/end_users.h"
#include "payops/service/funding.h"
#include "payops/service/idempotency.h"
#include "payops/service/orgs.h"
#include "payops/service/transactions.h"
#include "payops/service/webhooks.h"
#include "payops/store/transactions.h"
#include "payops/store/webhooks.h"
#include "pipeline_fixture.h"

namespace payops::testing {
namespace {

class InitiationRaceTest : public PipelineTest {
 protected:
  void SetUp() override {
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    // Monday 2026-03-02 09:00 in Los Angeles: after the day's 07:00 ACH cutoff,
    // so initiations join Tuesday's batch and a suspension can still cancel them.
    SetUpPipeline("2026-03-02T09:00:00-08:00", {{"8.8.8.8", "US"}});
    if (HasFatalFailure()) return;
    auto org = service::CreateOrg(*env_, Actor::System(), CorridorOrg("Race", "race.example"));
    ASSERT_TRUE(org.ok()) << org.error().message;
    EndUser u;
    u.org_id = org->id;
    u.name = "Sender";
    u.email = "sender@race.example";
    u.country = "US";
    u.kyc_status = KycStatus::kVerified;
    u.tier = 1;
    auto user = service::CreateEndUser(*env_, admin_, u);
    ASSERT_TRUE(user.ok()) << user.error().message;
    user_id_ = user->id;
    auto r = service::CreateRecipient(*env_, admin_, user_id_, "Recipient", "MX", "bank_deposit");
    ASSERT_TRUE(r.ok()) << r.error().message;
    recipient_id_ = r->id;
    service::NewBankAccount b;
    b.routing_number = "011000015";
    b.account_number = "123456789";
    b.sandbox_balance = 100'000'000;
    auto bank = service::CreateBankAccount(*env_, admin_, user_id_, b);
    ASSERT_TRUE(bank.ok()) << bank.error().message;
    bank_id_ = bank->id;
  }
  Result<service::TransactionView> Initiate(int64_t amount) {
    service::NewTransaction in;
    in.user_id = user_id_;
    in.recipient_id = recipient_id_;
    in.funding_type = "ach";
    in.funding_id = bank_id_;
    in.amount = amount;
    in.currency = "USD";
    in.payout_currency = "MXN";
    in.corridor = "US-MX";
    in.ip_address = "8.8.8.8";
    in.device_id = "race-device";
    return service::CreateTransaction(*env_, admin_, in);
  }

  // Runs `threads` initiators of `each` initiations (of `amount`) beside
  // `other`, all released at once; the errors of refused initiations by code.
  std::map<std::string, int> Race(int threads, int each, int64_t amount,
                                  const std::function<void()>& other) {
    std::mutex mu;
    std::map<std::string, int> refused;
    std::atomic<bool> go{false};
    std::vector<std::thread> all;
    for (int i = 0; i < threads; ++i) {
      all.emplace_back([&] {
        while (!go.load()) std::this_thread::yield();
        for (int j = 0; j < each; ++j) {
          auto t = Initiate(amount);
          if (!t.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            ++refused[t.error().code];
          }
        }
      });
    }
    all.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      other();
    });
    go.store(true);
    for (auto& t : all) t.join();
    return refused;
  }

  std::vector<store::TransactionRecord> Transactions() {
    std::vector<store::TransactionRecord> out;
    EXPECT_TRUE(store_
                    ->Read([&](store::Tx& tx) -> Status {
                      PAYOPS_ASSIGN_OR_RETURN(
                          out, store::SelectTransactions(tx, "user_id = ? ORDER BY id",
                                                         std::vector<store::Value>{user_id_}));
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }

  Actor admin_{"mem_admin", Role::kAdmin, std::nullopt, "Admin"};
  std::string user_id_, recipient_id_, bank_id_;
};
PAYOPS_BACKENDS(InitiationRaceTest);

// With an Idempotency-Key the initiation joins the key's transaction, which
// must then run at the initiation's isolation, not at SERIALIZABLE.
TEST_P(InitiationRaceTest, AnIdempotentInitiationKeepsItsIsolation) {
  if (GetParam() != "postgres") GTEST_SKIP() << "one isolation level on SQLite";
  auto isolation_under = [&](bool after_lock, const std::string& key) {
    std::string level;
    auto answer = service::RunIdempotent(
        *env_, "mem_admin", key, "hash-" + key,
        [&]() -> service::StoredAnswer {
          Status s = store_->Read([&](store::Tx& tx) -> Status {
            PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SHOW transaction_isolation", {}));
            level = row->Text(0);
            return Status::Ok();
          });
          EXPECT_TRUE(s.ok());
          auto t = Initiate(100);
          EXPECT_TRUE(t.ok()) << t.error().message;
          return service::StoredAnswer{201, "{}", false};
        },
        after_lock);
    EXPECT_TRUE(answer.ok());
    return level;
  };
  EXPECT_EQ(isolation_under(true, "k1"), "read committed");
  EXPECT_EQ(isolation_under(false, "k2"), "serializable");
  EXPECT_EQ(Transactions().size(), 2u);
}

// An initiation reads the webhook endpoints without a lock: one that read an
// endpoint as active may queue a delivery after the endpoint's deletion
// canceled the others. The delivery worker cancels it, never sends it, and
// it blocks nothing.
TEST_P(InitiationRaceTest, ADeliveryQueuedForARetiredEndpointIsCanceledUnsent) {
  auto hook = service::CreateWebhook(
      *env_, admin_,
      service::NewWebhook{"https://hooks.race.example/in", {"transaction.status_changed"}});
  ASSERT_TRUE(hook.ok()) << hook.error().message;
  auto t = Initiate(100);
  ASSERT_TRUE(t.ok()) << t.error().message;
  std::vector<store::WebhookDelivery> queued;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(auto page,
                                            store::ListWebhookDeliveries(tx, hook->webhook.id, {}));
                    queued = page.items;
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_FALSE(queued.empty());
  ASSERT_TRUE(service::DeleteWebhook(*env_, admin_, hook->webhook.id).ok());
  // The late one, as the racing initiation would have queued it.
  store::WebhookDelivery late = queued.front();
  late.id = env_->ids.New("whd");
  late.status = "queued";
  ASSERT_TRUE(
      store_->Write([&](store::Tx& tx) { return store::InsertWebhookDelivery(tx, late); }).ok());
  struct NeverPoster final : adapters::HttpPoster {
    int posts = 0;
    Result<adapters::HttpReply> Post(const std::string&, const std::vector<std::string>&,
                                     const std::string&, long) override {
      ++posts;
      return adapters::HttpReply{200, ""};
    }
  } poster;
  auto sent = service::DeliverWebhooks(*env_, poster, service::DeliveryPolicy{}, "worker-1");
  ASSERT_TRUE(sent.ok()) << sent.error().message;
  EXPECT_EQ(*sent, 0);
  EXPECT_EQ(poster.posts, 0);
  std::string status;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(
                        auto row, tx.QueryOne("SELECT status FROM webhook_deliveries WHERE id = ?",
                                              {late.id}));
                    status = row->Text(0);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(status, "canceled");
  // Nothing is left for the worker to claim.
  bool due = true;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(
                        due,
                        store::WebhookDeliveryDue(tx, env_->clock.Now(), env_->LeaseClock().Now()));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_FALSE(due);
}

TEST_P(InitiationRaceTest, ConcurrentInitiationsNeverExceedTheDailyLimitTogether) {
  // Tier 1: 999.00 a day; nine of 100.00 fit, the tenth does not.
  auto refused = Race(/*threads=*/6, /*each=*/3, /*amount=*/10'000, [] {});
  int64_t used = 0;
  int counted = 0;
  for (const auto& t : Transactions()) {
    if (t.status == "CANCELED") continue;
    used += t.amount;
    ++counted;
  }
  EXPECT_EQ(used, 90'000);
  EXPECT_EQ(counted, 9);
  // Every other initiation was refused for the limit: none failed for the race.
  int canceled = static_cast<int>(Transactions().size()) - counted;
  EXPECT_EQ(refused, (std::map<std::string, int>{{"limit_exceeded", 18 - 9 - canceled}}));
}

TEST_P(InitiationRaceTest, ABankVerifiedDuringInitiationsLeavesNoneHeldForIt) {
  auto user =
      service::PatchEndUser(*env_, admin_, user_id_, service::EndUserPatch{{}, 3, {}}, "race test");
  ASSERT_TRUE(user.ok()) << user.error().message;
  for (int round = 0; round < 4; ++round) {
    service::BankAccountPatch stuck;
    stuck.bank_status = "LOGIN_REQUIRED";
    stuck.set_sandbox_error = true;
    stuck.sandbox_error = "ITEM_LOGIN_REQUIRED";
    auto b = service::PatchBankAccount(*env_, admin_, bank_id_, stuck);
    ASSERT_TRUE(b.ok()) << b.error().message;
    auto refused = Race(/*threads=*/3, /*each=*/2, /*amount=*/100, [&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(round));
      service::BankAccountPatch verified;
      verified.bank_status = "VERIFIED";
      verified.set_sandbox_error = true;
      for (int attempt = 0; attempt < 20; ++attempt) {  // a 503 is retried, as a client would
        auto v = service::PatchBankAccount(*env_, admin_, bank_id_, verified);
        if (v.ok()) return;
        ASSERT_EQ(v.error().kind, ErrorKind::kUnavailable) << v.error().message;
      }
      ADD_FAILURE() << "the bank account was never verified";
    });
    EXPECT_TRUE(refused.empty()) << "round " << round << ": " << refused.begin()->first;
    auto bank = service::ListBankAccounts(*env_, admin_, user_id_, store::PageRequest{});
    ASSERT_TRUE(bank.ok());
    ASSERT_EQ(bank->items.size(), 1u);
    EXPECT_EQ(bank->items[0].bank_status, "VERIFIED") << "round " << round;
    for (const auto& t : Transactions()) {
      EXPECT_NE(t.hold_reason.value_or(""), "BANK_LOGIN_REQUIRED")
          << "round " << round << ": " << t.id << " " << t.status;
    }
  }
  EXPECT_EQ(Transactions().size(), 4u * 3 * 2);
}

TEST_P(InitiationRaceTest, AUserSuspendedDuringInitiationsLeavesNoneOpen) {
  auto refused = Race(/*threads=*/3, /*each=*/3, /*amount=*/1'000, [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    for (int attempt = 0; attempt < 20; ++attempt) {  // a 503 is retried, as a client would
      auto u =
          service::PatchEndUser(*env_, admin_, user_id_,
                                service::EndUserPatch{KycStatus::kSuspended, {}, {}}, "race test");
      if (u.ok()) return;
      ASSERT_EQ(u.error().kind, ErrorKind::kUnavailable) << u.error().message;
    }
    ADD_FAILURE() << "the user was never suspended";
  });
  auto all = Transactions();
  for (const auto& t : all) {
    EXPECT_EQ(t.status, "CANCELED") << t.id;
    EXPECT_EQ(t.cancel_reason.value_or(""), "USER_SUSPENDED") << t.id;
  }
  // The rest came after the suspension and were refused for it.
  int after = 9 - static_cast<int>(all.size());
  if (after > 0) {
    EXPECT_EQ(refused, (std::map<std::string, int>{{"user_suspended", after}}));
  } else {
    EXPECT_TRUE(refused.empty());
  }
}

TEST_P(InitiationRaceTest, AnInitiationThatMissesItsBatchJoinsTheNext) {
  // 06:59 on Monday: before the cutoff, so both initiations are for Monday's batch.
  clock_->Set(*ParseRfc3339("2026-03-02T06:59:00-08:00"));
  auto on_time = Initiate(1'000);
  ASSERT_TRUE(on_time.ok()) << on_time.error().message;
  ASSERT_EQ(on_time->txn.batch_date.value_or(""), "2026-03-02");
  // The batch closes while the second initiation is still running: it commits
  // after the close, with the batch date it took before the cutoff.
  auto monday = service::CloseAchBatch(*env_, "2026-03-02");
  ASSERT_TRUE(monday.ok() && monday->has_value());
  EXPECT_EQ((*monday)->entry_count, 1);
  auto late = Initiate(2'000);
  ASSERT_TRUE(late.ok()) << late.error().message;
  ASSERT_EQ(late->txn.status, "PENDING");
  ASSERT_EQ(late->txn.batch_date.value_or(""), "2026-03-02");

  clock_->Set(*ParseRfc3339("2026-03-03T07:00:00-08:00"));
  auto tuesday = service::CloseAchBatch(*env_, "2026-03-03");
  ASSERT_TRUE(tuesday.ok() && tuesday->has_value());
  EXPECT_EQ((*tuesday)->entry_count, 1);
  EXPECT_EQ((*tuesday)->total_debit, 2'000 + 25);
  clock_->Set(*ParseRfc3339("2026-03-03T12:00:00-08:00"));
  ASSERT_TRUE(service::SettleAchBatch(*env_, "2026-03-02").ok());
  ASSERT_TRUE(service::SettleAchBatch(*env_, "2026-03-03").ok());
  std::map<std::string, store::TransactionRecord> by_id;
  for (auto& t : Transactions()) by_id[t.id] = t;
  const auto& a = by_id.at(on_time->txn.id);
  const auto& b = by_id.at(late->txn.id);
  EXPECT_EQ(a.status, "PROCESSED");
  EXPECT_EQ(a.batch_date.value_or(""), "2026-03-02");
  EXPECT_EQ(b.status, "PROCESSED");
  EXPECT_EQ(b.batch_date.value_or(""), "2026-03-03");
  EXPECT_EQ(b.settlement_date.value_or(""), "2026-03-03");
  EXPECT_TRUE(b.trace_number.has_value());
  EXPECT_NE(a.trace_number, b.trace_number);
}

TEST_P(InitiationRaceTest, AMissedTransactionIsInNoClosedBatchAndASuspensionCancelsIt) {
  clock_->Set(*ParseRfc3339("2026-03-02T06:59:00-08:00"));
  auto on_time = Initiate(1'000);
  ASSERT_TRUE(on_time.ok()) << on_time.error().message;
  auto monday = service::CloseAchBatch(*env_, "2026-03-02");
  ASSERT_TRUE(monday.ok() && monday->has_value());
  auto late = Initiate(2'000);
  ASSERT_TRUE(late.ok()) << late.error().message;
  ASSERT_EQ(late->txn.status, "PENDING");

  clock_->Set(*ParseRfc3339("2026-03-02T07:05:00-08:00"));
  auto u = service::PatchEndUser(*env_, admin_, user_id_,
                                 service::EndUserPatch{KycStatus::kSuspended, {}, {}}, "test");
  ASSERT_TRUE(u.ok()) << u.error().message;
  std::map<std::string, store::TransactionRecord> by_id;
  for (auto& t : Transactions()) by_id[t.id] = t;
  // The one in Monday's closed batch goes on; the one that missed it is canceled.
  EXPECT_EQ(by_id.at(on_time->txn.id).status, "PENDING");
  EXPECT_EQ(by_id.at(late->txn.id).status, "CANCELED");
  EXPECT_EQ(by_id.at(late->txn.id).cancel_reason.value_or(""), "USER_SUSPENDED");
  clock_->Set(*ParseRfc3339("2026-03-03T07:00:00-08:00"));
  auto tuesday = service::CloseAchBatch(*env_, "2026-03-03");
  ASSERT_TRUE(tuesday.ok());
  EXPECT_FALSE(tuesday->has_value());  // nothing left to debit
}

}  // namespace
}  // namespace payops::testing
