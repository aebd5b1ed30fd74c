// The Store contract, on both backends.
#include <atomic>
#include <thread>

#include "backend.h"
#include "payops/store/end_users.h"
#include "payops/store/kv.h"
#include "payops/store/members.h"
#include "payops/store/orgs.h"

namespace payops::testing {
namespace {

using store::Tx;

class StoreTest : public BackendTest {};
PAYOPS_BACKENDS(StoreTest);

Org SampleOrg(const std::string& id, const std::string& domain) {
  Org o;
  o.id = id;
  o.name = "Org " + id;
  o.domain = domain;
  o.sla_plan = "vip";
  o.hypercare_plan = "pro";
  o.bau_plan = "plus";
  o.go_live_date = "2026-01-05";
  o.allowed_countries = {"US", "MX"};
  o.fees = {{"payin", "USD", "US-MX", 150}};
  o.created_at = o.updated_at = FromMicros(1'700'000'000'000'000);
  return o;
}

int64_t CountOrgs(store::Store& s) {
  int64_t n = -1;
  EXPECT_TRUE(s.Read([&](Tx& tx) -> Status {
                 PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT COUNT(*) FROM orgs", {}));
                 n = row->Int(0);
                 return Status::Ok();
               }).ok());
  return n;
}

TEST_P(StoreTest, MigrateIsIdempotent) {
  auto again = store::Migrate(*store_);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, store::LatestSchemaVersion());
}

TEST_P(StoreTest, SchemaIsCurrentOnlyWithEveryMigration) {
  EXPECT_TRUE(store::SchemaIsCurrent(*store_));
  ASSERT_TRUE(store_
                  ->Write([](Tx& tx) -> Status {
                    PAYOPS_TRY(tx.Exec("DELETE FROM schema_migrations WHERE version = ?",
                                       {int64_t{store::LatestSchemaVersion()}}));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_FALSE(store::SchemaIsCurrent(*store_));
  ASSERT_TRUE(store_
                  ->Write([](Tx& tx) -> Status {
                    PAYOPS_TRY(tx.Exec("DROP TABLE schema_migrations", {}));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_FALSE(store::SchemaIsCurrent(*store_));  // cannot tell: migrate
}

TEST_P(StoreTest, InsertAndFindRoundTrip) {
  Org o = SampleOrg("org_a", "a.example");
  o.emi = EmiInfo{"Bank", "desk@bank.example", "call"};
  ASSERT_TRUE(store_->Write([&](Tx& tx) { return store::InsertOrg(tx, o); }).ok());
  std::optional<Org> got;
  ASSERT_TRUE(store_
                  ->Read([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(got, store::FindOrg(tx, "org_a"));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->domain, "a.example");
  EXPECT_EQ(got->allowed_countries, (std::vector<std::string>{"US", "MX"}));
  ASSERT_EQ(got->fees.size(), 1u);
  EXPECT_EQ(got->fees[0].fee_minor, 150);
  ASSERT_TRUE(got->emi.has_value());
  EXPECT_EQ(got->emi->contact_email, "desk@bank.example");
  EXPECT_EQ(got->created_at, o.created_at);
}

TEST_P(StoreTest, UniqueViolationIsConflictDuplicate) {
  ASSERT_TRUE(
      store_->Write([&](Tx& tx) { return store::InsertOrg(tx, SampleOrg("o1", "d.example")); })
          .ok());
  Status s =
      store_->Write([&](Tx& tx) { return store::InsertOrg(tx, SampleOrg("o2", "d.example")); });
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kConflict);
  EXPECT_EQ(s.error().code, "duplicate");
  EXPECT_EQ(CountOrgs(*store_), 1);
}

TEST_P(StoreTest, AnErrorRollsBackTheWholeTransaction) {
  Status s = store_->Write([&](Tx& tx) -> Status {
    PAYOPS_TRY(store::InsertOrg(tx, SampleOrg("o1", "one.example")));
    return Error::Refused("nope", "refused after the insert");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "nope");
  EXPECT_EQ(CountOrgs(*store_), 0);
}

TEST_P(StoreTest, NestedWriteJoinsAndRollsBackAlone) {
  Status s = store_->Write([&](Tx& tx) -> Status {
    PAYOPS_TRY(store::InsertOrg(tx, SampleOrg("o1", "one.example")));
    Status inner = store_->Write([&](Tx& tx2) -> Status {
      PAYOPS_TRY(store::InsertOrg(tx2, SampleOrg("o2", "two.example")));
      return Error::Refused("inner", "inner fails");
    });
    EXPECT_FALSE(inner.ok());
    // The outer transaction sees its own insert, not the inner one.
    PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT COUNT(*) FROM orgs", {}));
    EXPECT_EQ(row->Int(0), 1);
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(CountOrgs(*store_), 1);
}

TEST_P(StoreTest, ConcurrentWritersAllCommit) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string id = "o" + std::to_string(t) + "_" + std::to_string(i);
        Status s = store_->Write(
            [&](Tx& tx) { return store::InsertOrg(tx, SampleOrg(id, id + ".example")); });
        if (!s.ok()) failures++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(CountOrgs(*store_), kThreads * kPerThread);
}

TEST_P(StoreTest, FailingJobInAGroupDoesNotSpoilTheOthers) {
  // Many writers at once, every third one failing after its insert: exactly
  // the others must be stored (SQLite commits them in groups).
  constexpr int kWriters = 30;
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([&, i] {
      std::string id = "g" + std::to_string(i);
      (void)store_->Write([&](Tx& tx) -> Status {
        PAYOPS_TRY(store::InsertOrg(tx, SampleOrg(id, id + ".example")));
        if (i % 3 == 0) return Error::Refused("fail", "every third fails");
        return Status::Ok();
      });
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(CountOrgs(*store_), kWriters - kWriters / 3);
}

TEST_P(StoreTest, PaginationWalksInIdOrder) {
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    for (int i = 0; i < 5; ++i) {
                      std::string id = "org_" + std::to_string(i);
                      PAYOPS_TRY(store::InsertOrg(tx, SampleOrg(id, id + ".example")));
                    }
                    return Status::Ok();
                  })
                  .ok());
  std::vector<std::string> seen;
  store::PageRequest page{2, std::nullopt};
  for (int guard = 0; guard < 10; ++guard) {
    store::Page<Org> p;
    ASSERT_TRUE(store_
                    ->Read([&](Tx& tx) -> Status {
                      PAYOPS_ASSIGN_OR_RETURN(p, store::ListOrgs(tx, page, std::nullopt));
                      return Status::Ok();
                    })
                    .ok());
    for (const auto& o : p.items) seen.push_back(o.id);
    if (!p.has_more) break;
    page.after_id = p.items.back().id;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"org_0", "org_1", "org_2", "org_3", "org_4"}));
}

TEST_P(StoreTest, TenantFilterHidesOtherOrgsUsers) {
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    PAYOPS_TRY(store::InsertOrg(tx, SampleOrg("oa", "a.example")));
                    PAYOPS_TRY(store::InsertOrg(tx, SampleOrg("ob", "b.example")));
                    EndUser u;
                    u.id = "usr_1";
                    u.org_id = "oa";
                    u.name = "Ana";
                    u.email = "ana@c.example";
                    u.country = "US";
                    return store::InsertEndUser(tx, u);
                  })
                  .ok());
  std::optional<EndUser> own, other;
  ASSERT_TRUE(
      store_
          ->Read([&](Tx& tx) -> Status {
            PAYOPS_ASSIGN_OR_RETURN(own, store::FindEndUser(tx, "usr_1", std::string("oa")));
            PAYOPS_ASSIGN_OR_RETURN(other, store::FindEndUser(tx, "usr_1", std::string("ob")));
            return Status::Ok();
          })
          .ok());
  EXPECT_TRUE(own.has_value());
  EXPECT_FALSE(other.has_value());
}

TEST_P(StoreTest, ForeignKeysAreEnforced) {
  Status s = store_->Write([&](Tx& tx) -> Status {
    EndUser u;
    u.id = "usr_x";
    u.org_id = "no_such_org";
    u.name = "X";
    u.email = "x@c.example";
    u.country = "US";
    return store::InsertEndUser(tx, u);
  });
  EXPECT_FALSE(s.ok());
}

TEST_P(StoreTest, JobClaimSucceedsOncePerWatermark) {
  Instant t0 = FromMicros(1'000'000);
  Instant t1 = FromMicros(2'000'000);
  bool first = false, second = false, stale = false;
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(first, store::ClaimJobRun(tx, "j", std::nullopt, t0));
                    PAYOPS_ASSIGN_OR_RETURN(second, store::ClaimJobRun(tx, "j", std::nullopt, t0));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  bool moved = false;
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(moved, store::ClaimJobRun(tx, "j", t0, t1));
                    PAYOPS_ASSIGN_OR_RETURN(stale, store::ClaimJobRun(tx, "j", t0, t1));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_TRUE(moved);
  EXPECT_FALSE(stale);
}

TEST_P(StoreTest, SettingsUpsert) {
  ASSERT_TRUE(store_->Write([&](Tx& tx) { return store::PutSetting(tx, "k", "v1"); }).ok());
  ASSERT_TRUE(store_->Write([&](Tx& tx) { return store::PutSetting(tx, "k", "v2"); }).ok());
  std::optional<std::string> v;
  ASSERT_TRUE(store_
                  ->Read([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(v, store::GetSetting(tx, "k"));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(v, "v2");
}

TEST_P(StoreTest, IdempotentResponsesExpire) {
  Instant now = FromMicros(10'000'000'000);
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    PAYOPS_TRY(store::InsertIdempotentResponse(tx, "m", "old", {"h", 201, "{}"},
                                                               now - std::chrono::hours(25)));
                    return store::InsertIdempotentResponse(tx, "m", "new", {"h", 201, "{}"}, now);
                  })
                  .ok());
  int64_t deleted = 0;
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(deleted, store::DeleteIdempotencyKeysBefore(
                                                         tx, now - std::chrono::hours(24)));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(deleted, 1);
}

TEST_P(StoreTest, ValuesRoundTripIncludingExtremes) {
  ASSERT_TRUE(store_
                  ->Write([&](Tx& tx) -> Status {
                    PAYOPS_TRY(tx.Exec("CREATE TABLE vals (i BIGINT, t TEXT, n TEXT)", {}));
                    PAYOPS_TRY(
                        tx.Exec("INSERT INTO vals VALUES (?, ?, ?)",
                                {INT64_MAX, std::string("ünïcødé ✓ 'quote'"), store::Null{}}));
                    PAYOPS_TRY(tx.Exec("INSERT INTO vals VALUES (?, ?, ?)",
                                       {INT64_MIN, std::string(""), std::string("x")}));
                    return Status::Ok();
                  })
                  .ok());
  store::Rows rows;
  ASSERT_TRUE(store_
                  ->Read([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(
                        rows, tx.Query("SELECT i, t, n FROM vals ORDER BY i DESC", {}));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].Int(0), INT64_MAX);
  EXPECT_EQ(rows[0].Text(1), "ünïcødé ✓ 'quote'");
  EXPECT_TRUE(rows[0].IsNull(2));
  EXPECT_EQ(rows[1].Int(0), INT64_MIN);
  EXPECT_EQ(rows[1].Text(1), "");
}

TEST_P(StoreTest, PingAnswers) {
  EXPECT_TRUE(store_->Ping().ok());
}

}  // namespace
}  // namespace payops::testing
