// The audit trail on both backends: records chain by SHA-256, appenders
// running at once keep the chain linear, a record rolls back with its
// action, filters and pages, and an edited, deleted or reordered record is
// found by VerifyAuditTrail.
#include "payops/service/audit.h"

#include <thread>

#include "../store/backend.h"
#include "payops/service/api_keys.h"
#include "payops/service/monitors.h"

namespace payops {
namespace {

using testing::BackendTest;

class AuditTest : public BackendTest {
 protected:
  // Runs a raw statement outside the append-only triggers' protection: what
  // someone with write access to the database could do.
  void Tamper(const std::string& sql) {
    ASSERT_TRUE(store_
                    ->Write([&](store::Tx& tx) -> Status {
                      if (tx.dialect() == store::Dialect::kSqlite) {
                        PAYOPS_TRY(tx.Exec("DROP TRIGGER IF EXISTS audit_trail_no_update", {}));
                        PAYOPS_TRY(tx.Exec("DROP TRIGGER IF EXISTS audit_trail_no_delete", {}));
                      } else {
                        PAYOPS_TRY(tx.Exec(
                            "DROP TRIGGER IF EXISTS audit_trail_no_change ON audit_trail", {}));
                      }
                      PAYOPS_TRY(tx.Exec(sql, {}));
                      return Status::Ok();
                    })
                    .ok());
  }

  void Append(service::Env& env, const Actor& actor, int i) {
    ASSERT_TRUE(env.store
                    .Write([&](store::Tx& tx) {
                      return service::RecordAudit(
                          env, tx, actor, "org.update", "org", "org_" + std::to_string(i % 3),
                          boost::json::object{{"n", i}}, boost::json::object{{"n", i + 1}});
                    })
                    .ok());
  }
};

Actor Admin(std::string id = "mem_admin") {
  Actor a{std::move(id), Role::kAdmin, std::nullopt, "Admin", "", false};
  a.request_id = "req_test";
  return a;
}

TEST_P(AuditTest, RecordsChainAndVerify) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  for (int i = 0; i < 5; ++i) {
    Append(env, Admin(), i);
    clock.Advance(std::chrono::seconds(1));
  }
  auto verdict = service::VerifyAuditTrail(*store_);
  ASSERT_TRUE(verdict.ok()) << verdict.error().message;
  EXPECT_EQ(verdict->records, 5);
  EXPECT_FALSE(verdict->first_broken);

  auto page = service::ListAudit(env, Admin(), {}, store::PageRequest{50, std::nullopt});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 5u);
  EXPECT_EQ(page->items[0].prev_hash, std::string(64, '0'));
  for (size_t i = 1; i < page->items.size(); ++i) {
    EXPECT_EQ(page->items[i].seq, page->items[i - 1].seq + 1);
    EXPECT_EQ(page->items[i].prev_hash, page->items[i - 1].hash);
  }
  EXPECT_EQ(page->items[2].request_id, "req_test");
  EXPECT_EQ(page->items[2].actor, "mem_admin");
  EXPECT_EQ(page->items[2].before_json, R"({"n":2})");
  EXPECT_EQ(ToMicros(page->items[2].at), 1'800'000'000'000'000 + 2'000'000);
}

TEST_P(AuditTest, FiltersAndPages) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  for (int i = 0; i < 9; ++i) {
    Append(env, Admin(i % 2 ? "mem_a" : "mem_b"), i);
    clock.Advance(std::chrono::seconds(10));
  }
  store::AuditFilter by_object;
  by_object.object_id = "org_1";
  auto objects = service::ListAudit(env, Admin(), by_object, {50, std::nullopt});
  ASSERT_TRUE(objects.ok());
  EXPECT_EQ(objects->items.size(), 3u);  // i = 1, 4, 7
  store::AuditFilter by_actor;
  by_actor.actor = "mem_a";
  by_actor.from = FromMicros(1'800'000'000'000'000 + 15'000'000);  // i >= 2
  auto actors = service::ListAudit(env, Admin(), by_actor, {50, std::nullopt});
  ASSERT_TRUE(actors.ok());
  EXPECT_EQ(actors->items.size(), 3u);  // i = 3, 5, 7
  // Pages of 4 cover all 9 records once, in order.
  std::vector<int64_t> seen;
  std::optional<std::string> after;
  for (int round = 0; round < 5; ++round) {
    auto page = service::ListAudit(env, Admin(), {}, {4, after});
    ASSERT_TRUE(page.ok());
    for (const auto& r : page->items) seen.push_back(r.seq);
    if (!page->has_more) break;
    after = std::to_string(page->items.back().seq);
  }
  ASSERT_EQ(seen.size(), 9u);
  for (size_t i = 0; i < seen.size(); ++i) EXPECT_EQ(seen[i], static_cast<int64_t>(i + 1));
  // Only admins read the trail.
  Actor agent{"mem_agent", Role::kAgent, std::nullopt, "Agent", "", false};
  EXPECT_FALSE(service::ListAudit(env, agent, {}, {50, std::nullopt}).ok());
}

TEST_P(AuditTest, RollsBackWithItsAction) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  Status s = env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_TRY(service::RecordAudit(env, tx, Admin(), "org.update", "org", "org_1", nullptr,
                                    boost::json::object{}));
    return Error::Conflict("later_failure", "the action failed after its record");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(testing::Count(*store_, "audit_trail"), 0);
  Append(env, Admin(), 1);
  auto verdict = service::VerifyAuditTrail(*store_);
  ASSERT_TRUE(verdict.ok());
  EXPECT_EQ(verdict->records, 1);
  EXPECT_FALSE(verdict->first_broken);
}

TEST_P(AuditTest, AnActionOfAServiceIsRecorded) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  auto key = service::CreateApiKey(
      env, Admin(),
      service::NewApiKey{Role::kAgent, std::nullopt, "Agent One", "agent.one@example.com", false});
  ASSERT_TRUE(key.ok()) << key.error().message;
  store::AuditFilter f;
  f.action = "api_key.create";
  auto page = service::ListAudit(env, Admin(), f, {50, std::nullopt});
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->items[0].object_id, key->id);
  EXPECT_EQ(page->items[0].before_json, "null");
  // The key itself is never in the trail.
  EXPECT_EQ(page->items[0].after_json.find(key->key), std::string::npos);
}

// Monitors and maintenance windows: created, changed and deleted, each with
// its before and after.
TEST_P(AuditTest, MonitorsAndWindowsAreRecorded) {
  ManualClock clock(*ParseRfc3339("2030-01-07T12:00:00Z"));
  service::Env env(*store_, clock);
  service::MonitorInput in;
  in.name = "Bank API";
  in.kind = "http";
  in.target = "https://bank.example/health";
  in.interval_seconds = 60;
  auto m = service::CreateMonitor(env, Admin(), in);
  ASSERT_TRUE(m.ok()) << m.error().message;
  service::MonitorInput change;
  change.interval_seconds = 120;
  ASSERT_TRUE(service::PatchMonitor(env, Admin(), m->monitor.id, change).ok());
  service::WindowInput w;
  w.starts_at = "2030-01-08T02:00:00Z";
  w.ends_at = "2030-01-08T03:00:00Z";
  w.title = "Bank maintenance";
  w.monitor_ids = std::vector<std::string>{m->monitor.id};
  auto window = service::CreateWindow(env, Admin(), w);
  ASSERT_TRUE(window.ok()) << window.error().message;
  ASSERT_TRUE(service::DeleteWindow(env, Admin(), window->window.id).ok());
  ASSERT_TRUE(service::DeleteMonitor(env, Admin(), m->monitor.id).ok());
  // A refused change records nothing.
  EXPECT_FALSE(service::DeleteMonitor(env, Admin(), "mon_missing").ok());

  auto page = service::ListAudit(env, Admin(), {}, {50, std::nullopt});
  ASSERT_TRUE(page.ok());
  std::vector<std::string> actions;
  for (const auto& r : page->items) actions.push_back(r.action);
  EXPECT_EQ(actions, (std::vector<std::string>{"monitor.create", "monitor.update",
                                               "maintenance_window.create",
                                               "maintenance_window.delete", "monitor.delete"}));
  EXPECT_NE(page->items[1].before_json.find("\"interval_seconds\":60"), std::string::npos);
  EXPECT_NE(page->items[1].after_json.find("\"interval_seconds\":120"), std::string::npos);
  EXPECT_EQ(page->items[4].after_json, "null");
  auto verdict = service::VerifyAuditTrail(*store_);
  ASSERT_TRUE(verdict.ok());
  EXPECT_FALSE(verdict->first_broken);
}

TEST_P(AuditTest, ConcurrentAppendersKeepOneLinearChain) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  constexpr int kThreads = 4;
  constexpr int kEach = 15;
  std::vector<std::thread> threads;
  std::atomic<int> failed{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        Status s = env.store.Write([&](store::Tx& tx) {
          return service::RecordAudit(env, tx, Admin("mem_" + std::to_string(t)), "org.update",
                                      "org", "org_x", nullptr, boost::json::object{{"i", i}});
        });
        if (!s.ok()) failed++;
      }
    });
  }
  for (auto& th : threads) th.join();
  // A write that lost every retry to the others is refused whole (nothing
  // half-chained); every stored record is in the one chain.
  const int64_t stored = testing::Count(*store_, "audit_trail");
  EXPECT_EQ(stored + failed.load(), kThreads * kEach);
  EXPECT_GT(stored, 0);
  auto verdict = service::VerifyAuditTrail(*store_);
  ASSERT_TRUE(verdict.ok());
  EXPECT_EQ(verdict->records, stored);
  EXPECT_FALSE(verdict->first_broken) << verdict->problem;
}

TEST_P(AuditTest, TriggersRefuseChanges) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  Append(env, Admin(), 1);
  EXPECT_FALSE(store_
                   ->Write([&](store::Tx& tx) -> Status {
                     PAYOPS_TRY(tx.Exec("UPDATE audit_trail SET actor = 'x'", {}));
                     return Status::Ok();
                   })
                   .ok());
  EXPECT_FALSE(store_
                   ->Write([&](store::Tx& tx) -> Status {
                     PAYOPS_TRY(tx.Exec("DELETE FROM audit_trail", {}));
                     return Status::Ok();
                   })
                   .ok());
}

TEST_P(AuditTest, EditedRecordIsNamed) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  for (int i = 0; i < 6; ++i) Append(env, Admin(), i);
  Tamper("UPDATE audit_trail SET after_json = '{\"n\":999}' WHERE seq = 4");
  auto verdict = service::VerifyAuditTrail(*store_);
  ASSERT_TRUE(verdict.ok());
  ASSERT_TRUE(verdict->first_broken);
  EXPECT_EQ(*verdict->first_broken, 4);
  EXPECT_EQ(verdict->records, 3);
}

TEST_P(AuditTest, DeletedRecordIsNamed) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  for (int i = 0; i < 6; ++i) Append(env, Admin(), i);
  Tamper("DELETE FROM audit_trail WHERE seq = 3");
  auto verdict = service::VerifyAuditTrail(*store_);
  ASSERT_TRUE(verdict.ok());
  ASSERT_TRUE(verdict->first_broken);
  EXPECT_EQ(*verdict->first_broken, 3);
}

TEST_P(AuditTest, DroppedTailIsNamed) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  for (int i = 0; i < 6; ++i) Append(env, Admin(), i);
  Tamper("DELETE FROM audit_trail WHERE seq = 6");
  auto verdict = service::VerifyAuditTrail(*store_);
  ASSERT_TRUE(verdict.ok());
  ASSERT_TRUE(verdict->first_broken);
  EXPECT_EQ(*verdict->first_broken, 6);
}

PAYOPS_BACKENDS(AuditTest);

}  // namespace
}  // namespace payops
