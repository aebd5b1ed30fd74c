// Outbox claims on both backends: a lease hides a row from other workers
// until it ends, outcomes count only under the lease, and workers claiming
// at once never share a row.
#include <set>
#include <thread>

#include "backend.h"
#include "payops/store/outbox.h"

namespace payops::testing {
namespace {

using store::OutboxOutcome;
using store::Tx;

const Instant kT0 = FromMicros(1'893'974'400'000'000);  // 2030-01-07T00:00:00Z

class OutboxTest : public BackendTest {
 protected:
  void Seed(int n, Instant due) {
    ASSERT_TRUE(store_
                    ->Write([&](Tx& tx) -> Status {
                      for (int i = 0; i < n; ++i) {
                        store::OutboxMessage m;
                        char id[32];
                        std::snprintf(id, sizeof id, "msg_%05d", i);
                        m.id = id;
                        m.kind = "email";
                        m.event = "ticket_created";
                        m.to_address = "a@example.com";
                        m.subject = "s";
                        m.body = "b";
                        m.created_at = kT0;
                        m.next_attempt_at_us = ToMicros(due);
                        PAYOPS_TRY(store::InsertOutbox(tx, m));
                      }
                      return Status::Ok();
                    })
                    .ok());
  }
  std::vector<store::OutboxMessage> Claim(const std::string& worker, Instant now, int limit,
                                          Micros lease = std::chrono::minutes(5)) {
    std::vector<store::OutboxMessage> out;
    Status s = store_->Write([&](Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(
          out, store::ClaimOutbox(tx, "email", now, now, now + lease, worker, limit));
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.error().message;
    return out;
  }
  bool Finish(const std::string& worker, const OutboxOutcome& o) {
    bool held = false;
    EXPECT_TRUE(store_
                    ->Write([&](Tx& tx) -> Status {
                      PAYOPS_ASSIGN_OR_RETURN(held, store::FinishOutbox(tx, worker, o));
                      return Status::Ok();
                    })
                    .ok());
    return held;
  }
  bool HasDue(Instant now) {
    bool due = false;
    EXPECT_TRUE(store_
                    ->Read([&](Tx& tx) -> Status {
                      PAYOPS_ASSIGN_OR_RETURN(due, store::OutboxHasDue(tx, "email", now, now));
                      return Status::Ok();
                    })
                    .ok());
    return due;
  }
};

TEST_P(OutboxTest, ALeaseHidesRowsUntilItEnds) {
  Seed(3, kT0);
  EXPECT_FALSE(HasDue(kT0 - Micros(1)));
  EXPECT_TRUE(HasDue(kT0));
  auto a = Claim("w1", kT0, 2);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].id, "msg_00000");
  auto b = Claim("w2", kT0, 10);
  ASSERT_EQ(b.size(), 1u);
  EXPECT_EQ(b[0].id, "msg_00002");
  EXPECT_FALSE(HasDue(kT0));
  EXPECT_TRUE(Claim("w3", kT0 + std::chrono::minutes(4), 10).empty());
  // After the lease, another worker takes the rows; the first lost them.
  auto c = Claim("w3", kT0 + std::chrono::minutes(6), 10);
  EXPECT_EQ(c.size(), 3u);
  EXPECT_FALSE(Finish("w1", {a[0].id, OutboxOutcome::Kind::kSent, kT0, "<x@y>", "", kT0}));
  EXPECT_TRUE(Finish("w3", {a[0].id, OutboxOutcome::Kind::kSent, kT0, "<x@y>", "", kT0}));
}

TEST_P(OutboxTest, OutcomesSetStatusAttemptsAndNextAttempt) {
  Seed(3, kT0);
  auto rows = Claim("w", kT0, 3);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_TRUE(Finish("w", {rows[0].id, OutboxOutcome::Kind::kSent, kT0, "<m@d>", "", kT0}));
  EXPECT_TRUE(Finish("w", {rows[1].id, OutboxOutcome::Kind::kFailed, kT0, std::nullopt,
                           "connection refused", kT0 + std::chrono::seconds(30)}));
  EXPECT_TRUE(
      Finish("w", {rows[2].id, OutboxOutcome::Kind::kDead, kT0, std::nullopt, "550 no", kT0}));
  store::Page<store::OutboxMessage> page;
  ASSERT_TRUE(store_
                  ->Read([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(page, store::ListOutbox(tx, {}, {50, std::nullopt}));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(page.items.size(), 3u);
  EXPECT_EQ(page.items[0].status, "sent");
  EXPECT_EQ(page.items[0].message_id, "<m@d>");
  EXPECT_EQ(page.items[0].sent_at_us, ToMicros(kT0));
  EXPECT_EQ(page.items[1].status, "failed");
  EXPECT_EQ(page.items[1].attempts, 1);
  EXPECT_EQ(page.items[1].last_error, "connection refused");
  EXPECT_EQ(page.items[2].status, "dead");
  // Only the failed row comes back, and only once its retry is due.
  EXPECT_TRUE(Claim("w", kT0 + std::chrono::seconds(29), 10).empty());
  auto again = Claim("w", kT0 + std::chrono::seconds(30), 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].id, rows[1].id);
  EXPECT_EQ(again[0].attempts, 1);
}

TEST_P(OutboxTest, ConcurrentWorkersNeverClaimOneRowTwice) {
  constexpr int kRows = 200;
  Seed(kRows, kT0);
  std::vector<std::vector<std::string>> got(4);
  std::vector<std::thread> threads;
  for (size_t w = 0; w < got.size(); ++w) {
    threads.emplace_back([&, w] {
      for (;;) {
        std::vector<store::OutboxMessage> rows;
        Status s = store_->Write([&](Tx& tx) -> Status {
          PAYOPS_ASSIGN_OR_RETURN(
              rows, store::ClaimOutbox(tx, "email", kT0, kT0, kT0 + std::chrono::minutes(5),
                                       "w" + std::to_string(w), 7));
          return Status::Ok();
        });
        if (!s.ok() || rows.empty()) break;
        for (const auto& r : rows) got[w].push_back(r.id);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  size_t total = 0;
  for (const auto& g : got) {
    total += g.size();
    all.insert(g.begin(), g.end());
  }
  EXPECT_EQ(total, static_cast<size_t>(kRows));
  EXPECT_EQ(all.size(), static_cast<size_t>(kRows));
}

PAYOPS_BACKENDS(OutboxTest);

}  // namespace
}  // namespace payops::testing
