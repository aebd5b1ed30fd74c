// The tier-limit usage windows (UserRecentActivity), on both backends, against
// a plain sum over the same transactions: random amounts and instants spread
// over five weeks around hour and day boundaries, random cancellations, and
// windows starting exactly on, just before and just after boundaries.
#include <random>

#include "backend.h"
#include "payops/store/orgs.h"
#include "payops/store/transactions.h"

namespace payops::testing {
namespace {

using store::Tx;

constexpr int64_t kHour = int64_t{3600} * 1000 * 1000;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kT0 = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

struct Expected {
  int64_t count = 0, amount = 0;
};

Expected Oracle(const std::vector<store::TransactionRecord>& all, const std::string& user,
                int64_t since) {
  Expected e;
  for (const auto& t : all) {
    if (t.user_id != user || ToMicros(t.created_at) <= since) continue;
    e.count++;
    if (t.status != "CANCELED") e.amount += t.amount;
  }
  return e;
}

class UsageTest : public BackendTest {
 protected:
  std::mt19937_64 rng{20261202};
  std::vector<store::TransactionRecord> all;

  // Instants cluster near hour and day boundaries, where an off-by-one shows.
  int64_t RandomInstant() {
    int64_t base =
        kT0 + static_cast<int64_t>(rng() % 35) * kDay + static_cast<int64_t>(rng() % 24) * kHour;
    switch (rng() % 4) {
      case 0:
        return base;
      case 1:
        return base - 1 - static_cast<int64_t>(rng() % 3);
      case 2:
        return base + 1 + static_cast<int64_t>(rng() % 3);
      default:
        return base + static_cast<int64_t>(rng() % kHour);
    }
  }

  // Two users, 400 transactions, some canceled at initiation, some later.
  void Seed() {
    ASSERT_TRUE(store_
                    ->Write([&](Tx& tx) -> Status {
                      Org o;
                      o.id = "org_u";
                      o.name = "Usage";
                      o.domain = "usage.example";
                      o.sla_plan = "vip";
                      o.hypercare_plan = "pro";
                      o.bau_plan = "plus";
                      o.go_live_date = "2026-01-05";
                      o.created_at = o.updated_at = FromMicros(kT0);
                      PAYOPS_TRY(store::InsertOrg(tx, o));
                      for (const char* u : {"usr_a", "usr_b"}) {
                        PAYOPS_TRY(tx.Exec(
                            "INSERT INTO end_users (id, org_id, name, email, country, kyc_status, "
                            "tier, created_at, updated_at) VALUES (?, 'org_u', 'U', ?, 'US', "
                            "'VERIFIED', 3, ?, ?)",
                            {std::string(u), std::string(u) + "@usage.example", kT0, kT0}));
                        PAYOPS_TRY(
                            tx.Exec("INSERT INTO recipients (id, org_id, user_id, name, country, "
                                    "payout_method, created_at) VALUES (?, 'org_u', ?, 'R', 'MX', "
                                    "'bank_deposit', ?)",
                                    {std::string("rcp_") + u, std::string(u), kT0}));
                      }
                      return Status::Ok();
                    })
                    .ok());
    for (int i = 0; i < 400; ++i) {
      store::TransactionRecord t;
      t.id = "txn_" + std::to_string(i);
      t.org_id = "org_u";
      t.user_id = i % 3 == 0 ? "usr_b" : "usr_a";
      t.recipient_id = "rcp_" + t.user_id;
      t.funding_type = "ach";
      t.funding_id = "ba_1";
      t.amount = 1 + static_cast<int64_t>(rng() % 100'000);
      t.currency = t.payout_currency = "USD";
      t.corridor = "US-MX";
      t.device_id = t.user_id == "usr_a" ? "dev_" + std::to_string(i % 4) : "dev_b";
      t.ip_address = "192.0.2.1";
      t.status = rng() % 10 == 0 ? "CANCELED" : "INITIATED";  // canceled at initiation
      t.created_at = t.updated_at = FromMicros(RandomInstant());
      all.push_back(t);
    }
    ASSERT_TRUE(store_
                    ->Write([&](Tx& tx) -> Status {
                      for (const auto& t : all) PAYOPS_TRY(store::InsertTransaction(tx, t));
                      return Status::Ok();
                    })
                    .ok());
    // Later cancellations (and updates that change something else) of some.
    ASSERT_TRUE(store_
                    ->Write([&](Tx& tx) -> Status {
                      for (auto& t : all) {
                        int r = static_cast<int>(rng() % 6);
                        if (r == 0) {
                          t.status = "CANCELED";
                          t.cancel_reason = "USER_SUSPENDED";
                        } else if (r == 1 && t.status != "CANCELED") {
                          t.status = "PENDING";
                        } else {
                          continue;
                        }
                        PAYOPS_TRY(store::UpdateTransaction(tx, t));
                        // A second update of a canceled one must not subtract again.
                        if (t.status == "CANCELED") PAYOPS_TRY(store::UpdateTransaction(tx, t));
                      }
                      return Status::Ok();
                    })
                    .ok());
  }

  // 300 random window pairs against the plain sum.
  void CheckWindows() {
    for (int q = 0; q < 300; ++q) {
      const std::string user = q % 2 ? "usr_a" : "usr_b";
      int64_t month = RandomInstant() - 5 * kDay;
      int64_t day = month + static_cast<int64_t>(rng() % (30 * kDay));
      if (q % 7 == 0) day = month;  // equal windows
      // Both readers of the windows: alone, and with an initiation's other facts.
      store::RecentActivity got, with_facts;
      ASSERT_TRUE(
          store_
              ->Read([&](Tx& tx) -> Status {
                PAYOPS_ASSIGN_OR_RETURN(
                    got, store::UserRecentActivity(tx, user, FromMicros(day), FromMicros(month)));
                PAYOPS_ASSIGN_OR_RETURN(
                    auto facts, store::UserInitiationFacts(tx, user, "rcp_" + user, "dev_0",
                                                           FromMicros(day), FromMicros(month)));
                with_facts = facts.recent;
                return Status::Ok();
              })
              .ok());
      Expected d = Oracle(all, user, day), m = Oracle(all, user, month);
      for (const store::RecentActivity* r : {&got, &with_facts}) {
        ASSERT_EQ(r->count_since_day, d.count) << "day window from " << day;
        ASSERT_EQ(r->usage_since_day_minor, d.amount) << "day window from " << day;
        ASSERT_EQ(r->usage_since_month_minor, m.amount) << "month window from " << month;
      }
    }
  }
};
PAYOPS_BACKENDS(UsageTest);

TEST_P(UsageTest, WindowsAgreeWithAPlainSum) {
  Seed();
  CheckWindows();
}

// Transactions stored before the usage buckets existed are counted: the
// migration fills the buckets from them (here: migration 13 applied again over
// stored transactions).
TEST_P(UsageTest, TheMigrationFillsBucketsFromStoredTransactions) {
  Seed();
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    PAYOPS_TRY(tx.Exec("DROP TABLE user_usage_hours", {}));
                    PAYOPS_TRY(tx.Exec("DROP TABLE user_usage_days", {}));
                    PAYOPS_TRY(tx.Exec("DELETE FROM schema_migrations WHERE version = 13", {}));
                    return Status::Ok();
                  })
                  .ok());
  auto v = store::Migrate(*store_);
  ASSERT_TRUE(v.ok()) << v.error().message;
  CheckWindows();
}

// The risk facts "sent to this recipient / from this device before", as the
// transactions say, then again after migration 14 rebuilt them from the
// transactions alone.
TEST_P(UsageTest, FirstUsesOfRecipientsAndDevices) {
  Seed();
  // Three of usr_a's transactions were returned; none of usr_b's.
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    PAYOPS_TRY(
                        tx.Exec("UPDATE transactions SET status = 'RETURNED' WHERE id IN "
                                "('txn_1', 'txn_2', 'txn_4')",
                                {}));
                    return Status::Ok();
                  })
                  .ok());
  auto check = [&] {
    struct Case {
      const char* user;
      const char* recipient;
      const char* device;
      bool recipient_used, device_used;
    };
    const Case cases[] = {
        {"usr_a", "rcp_usr_a", "dev_3", true, true},
        {"usr_a", "rcp_usr_b", "dev_b", false, false},  // the other user's
        {"usr_b", "rcp_usr_b", "dev_b", true, true},
        {"usr_b", "rcp_usr_a", "dev_0", false, false},
        {"usr_a", "rcp_usr_a", "dev_4", true, false},  // never used
    };
    for (const Case& c : cases) {
      bool r = false, d = false;
      int64_t returns = -1;
      ASSERT_TRUE(store_
                      ->Read([&](Tx& tx) -> Status {
                        Instant now = FromMicros(RandomInstant());
                        PAYOPS_ASSIGN_OR_RETURN(auto facts,
                                                store::UserInitiationFacts(tx, c.user, c.recipient,
                                                                           c.device, now, now));
                        r = facts.past.used_recipient;
                        d = facts.past.used_device;
                        returns = facts.past.returns;
                        return Status::Ok();
                      })
                      .ok());
      EXPECT_EQ(r, c.recipient_used) << c.user << " " << c.recipient;
      EXPECT_EQ(d, c.device_used) << c.user << " " << c.device;
      EXPECT_EQ(returns, std::string(c.user) == "usr_a" ? 3 : 0) << c.user;
    }
  };
  check();
  ASSERT_TRUE(
      store_
          ->Write([&](Tx& tx) -> Status {
            PAYOPS_TRY(tx.Exec("DROP TABLE user_recipients_used", {}));
            PAYOPS_TRY(tx.Exec("DROP TABLE user_devices_used", {}));
            PAYOPS_TRY(tx.Exec(
                "CREATE INDEX transactions_user_recipient ON transactions(user_id, recipient_id)",
                {}));
            PAYOPS_TRY(tx.Exec(
                "CREATE INDEX transactions_user_device ON transactions(user_id, device_id)", {}));
            PAYOPS_TRY(tx.Exec(
                "CREATE INDEX transactions_funding ON transactions(funding_id, status)", {}));
            PAYOPS_TRY(tx.Exec("DROP INDEX transactions_bank_login_holds", {}));
            PAYOPS_TRY(tx.Exec("DROP INDEX transactions_kyc_holds", {}));
            PAYOPS_TRY(tx.Exec("DELETE FROM schema_migrations WHERE version = 14", {}));
            return Status::Ok();
          })
          .ok());
  auto v = store::Migrate(*store_);
  ASSERT_TRUE(v.ok()) << v.error().message;
  check();
}

}  // namespace
}  // namespace payops::testing
