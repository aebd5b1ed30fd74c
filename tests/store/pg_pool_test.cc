// The PostgreSQL store's limits and retries (docs/DEPLOYMENT.md): a bounded
// pool whose waiters give up with store_busy, a statement timeout, and a
// transaction that lost a serialization conflict run again.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "backend.h"

namespace payops::testing {
namespace {

class PgPoolTest : public BackendTest {
 public:
  void SetUp() override {
    options_.read_connections = 1;
    options_.acquire_timeout_ms = 200;
    options_.statement_timeout_ms = 300;
    BackendTest::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_TRUE(store_
                    ->Write([](store::Tx& tx) -> Status {
                      PAYOPS_TRY(
                          tx.Exec("CREATE TABLE counter (id BIGINT PRIMARY KEY, n BIGINT)", {}));
                      PAYOPS_TRY(tx.Exec("INSERT INTO counter (id, n) VALUES (1, 0)", {}));
                      return Status::Ok();
                    })
                    .ok());
  }

  const std::string& url() const { return url_; }
  const store::StoreOptions& options() const { return options_; }
  int64_t CounterValue() {
    int64_t n = -1;
    EXPECT_TRUE(store_
                    ->Read([&](store::Tx& tx) -> Status {
                      PAYOPS_ASSIGN_OR_RETURN(
                          auto row, tx.QueryOne("SELECT n FROM counter WHERE id = 1", {}));
                      n = row->Int(0);
                      return Status::Ok();
                    })
                    .ok());
    return n;
  }
};

TEST_P(PgPoolTest, AWaiterForAFullPoolGivesUpWithStoreBusyAndTheNextOneIsServed) {
  std::promise<void> holding;
  std::promise<void> release;
  auto released = release.get_future().share();
  auto holder = std::async(std::launch::async, [&] {
    return store_->Write([&](store::Tx& tx) -> Status {
      PAYOPS_TRY(tx.Exec("UPDATE counter SET n = n + 1 WHERE id = 1", {}));
      holding.set_value();
      released.wait();
      return Status::Ok();
    });
  });
  holding.get_future().wait();
  // The pool's one connection is taken: a reader waits 200 ms, then 503.
  Status busy = store_->Read([](store::Tx&) { return Status::Ok(); });
  ASSERT_FALSE(busy.ok());
  EXPECT_EQ(busy.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(busy.error().code, "store_busy");
  release.set_value();
  ASSERT_TRUE(holder.get().ok());
  EXPECT_EQ(CounterValue(), 1);  // the holder's write stands; nothing else changed
}

TEST_P(PgPoolTest, AStatementRunningPastTheTimeoutIsCancelledAndChangesNothing) {
  Status slow = store_->Write([](store::Tx& tx) -> Status {
    PAYOPS_TRY(tx.Exec("UPDATE counter SET n = 99 WHERE id = 1", {}));
    PAYOPS_TRY(tx.Query("SELECT pg_sleep(5)", {}));
    return Status::Ok();
  });
  ASSERT_FALSE(slow.ok());
  EXPECT_EQ(slow.error().kind, ErrorKind::kUnavailable);
  EXPECT_EQ(slow.error().code, "statement_timeout");
  EXPECT_EQ(CounterValue(), 0);  // rolled back
}

// Two writers read the counter, then both add one: under SERIALIZABLE the
// second to commit fails with 40001; the store runs it again on a fresh
// snapshot, so both increments land.
// Two read-modify-writes of one row at once: the later commit fails with a
// serialization failure and runs again, in a serializable write and in a
// snapshot write (REPEATABLE READ) alike.
void BothIncrementsLand(PgPoolTest* test, bool snapshot);

TEST_P(PgPoolTest, ASerializationFailureIsRetriedAndBothWritesLand) {
  BothIncrementsLand(this, false);
}

TEST_P(PgPoolTest, ASnapshotWriteRunsAtRepeatableReadAndRetriesAConcurrentUpdate) {
  auto level = [&](bool snapshot) {
    std::string got;
    auto fn = [&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(auto row,
                              tx.QueryOne("SELECT current_setting('transaction_isolation')", {}));
      got = row->Text(0);
      return Status::Ok();
    };
    Status s = snapshot ? store_->WriteSnapshot(fn) : store_->Write(fn);
    EXPECT_TRUE(s.ok()) << s.error().message;
    return got;
  };
  EXPECT_EQ(level(true), "repeatable read");
  EXPECT_EQ(level(false), "serializable");
  BothIncrementsLand(this, true);
}

void BothIncrementsLand(PgPoolTest* test, bool snapshot) {
  store::StoreOptions two = test->options();
  two.read_connections = 2;
  two.acquire_timeout_ms = 10000;
  two.statement_timeout_ms = 10000;
  auto s = store::Open(test->url(), two);
  ASSERT_TRUE(s.ok()) << s.error().message;
  std::atomic<int> attempts{0};
  std::atomic<int> first_reads{0};
  auto add_one = [&] {
    auto fn = [&](store::Tx& tx) -> Status {
      const int attempt = ++attempts;
      PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT n FROM counter WHERE id = 1", {}));
      const int64_t n = row->Int(0);
      if (attempt <= 2) {
        // Both first attempts read before either writes (bounded wait).
        ++first_reads;
        for (int i = 0; i < 1000 && first_reads < 2; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      PAYOPS_TRY(tx.Exec("UPDATE counter SET n = ? WHERE id = 1", {n + 1}));
      return Status::Ok();
    };
    return snapshot ? (*s)->WriteSnapshot(fn) : (*s)->Write(fn);
  };
  auto a = std::async(std::launch::async, add_one);
  auto b = std::async(std::launch::async, add_one);
  Status sa = a.get();
  Status sb = b.get();
  EXPECT_TRUE(sa.ok()) << sa.error().message;
  EXPECT_TRUE(sb.ok()) << sb.error().message;
  EXPECT_EQ(test->CounterValue(), 2);  // a lost update would leave 1
  EXPECT_GE(attempts.load(), 3);       // one of them ran again
}

INSTANTIATE_TEST_SUITE_P(Backends, PgPoolTest, ::testing::Values("postgres"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace payops::testing
