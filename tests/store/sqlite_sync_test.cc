// SQLite's pipelined sync (StoreOptions::pipelined_sync): the writer commits
// and goes on while a second thread fsyncs the WAL. A write is answered only
// after that fsync, a read never returns data that is not yet durable, and a
// failed fsync stops the store. The fsync is injected to hold it or fail it.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "payops/store/store.h"
#include "scratch_table.h"

namespace payops::testing {
namespace {

using namespace std::chrono_literals;
using store::Tx;

// A sync that can be held: each call waits until released (or fails when told to).
class HeldSync {
 public:
  int operator()(int fd) {
    std::unique_lock lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return released_; });
    if (fail_) return EIO;
    return ::fdatasync(fd) == 0 ? 0 : errno;
  }
  void WaitEntered(int n) {
    std::unique_lock lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, 10s, [&] { return entered_ >= n; })) << "no sync began";
  }
  void Release(bool fail = false) {
    std::lock_guard lock(mu_);
    released_ = true;
    fail_ = fail;
    cv_.notify_all();
  }
  int entered() {
    std::lock_guard lock(mu_);
    return entered_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int entered_ = 0;
  bool released_ = false;
  bool fail_ = false;
};

class SqliteSyncTest : public ScratchTableTest {
 protected:
  std::unique_ptr<store::Store> OpenHeld(HeldSync& sync, int max_group_size = 256) {
    store::StoreOptions o;
    o.max_group_size = max_group_size;
    o.sync_file = [&sync](int fd) { return sync(fd); };
    auto s = store::Open(url_, o);
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }

  // A write from another thread, started and held at its sync.
  static std::future<Status> HeldInsert(store::Store& s, HeldSync& sync, int64_t x) {
    auto write = std::async(std::launch::async, [&s, x] { return Insert(s, x); });
    sync.WaitEntered(1);
    return write;
  }

  static void ExpectRows(store::Store& s, int64_t want) {
    auto n = Count(s);
    ASSERT_TRUE(n.ok()) << n.error().message;
    EXPECT_EQ(*n, want);
  }

  // Commits in the WAL now: its frames that end a transaction (a nonzero
  // "database size after commit") and carry the header's salts.
  int WalCommits() const {
    std::ifstream in(dir_ / "s.db-wal", std::ios::binary);
    std::string wal((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto be32 = [&](size_t at) {
      uint32_t v = 0;
      for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(wal[at + i]);
      return v;
    };
    if (wal.size() < 32) return 0;
    const uint32_t page = be32(8), salt1 = be32(16), salt2 = be32(20);
    int commits = 0;
    for (size_t at = 32; at + 24 + page <= wal.size(); at += 24 + page) {
      if (be32(at + 8) != salt1 || be32(at + 12) != salt2) break;
      if (be32(at + 4) != 0) ++commits;
    }
    return commits;
  }
};

TEST_F(SqliteSyncTest, AWriteIsAnsweredOnlyAfterTheSyncThatFollowsItsCommit) {
  HeldSync sync;
  auto s = OpenHeld(sync);
  auto write = HeldInsert(*s, sync, 1);
  EXPECT_EQ(write.wait_for(100ms), std::future_status::timeout)
      << "answered before its commit was durable";
  sync.Release();
  ASSERT_TRUE(write.get().ok());
  ExpectRows(*s, 1);
}

TEST_F(SqliteSyncTest, AReadWaitsUntilWhatItCouldSeeIsDurable) {
  HeldSync sync;
  auto s = OpenHeld(sync);
  auto write = HeldInsert(*s, sync, 1);  // committed, not yet durable
  auto read = std::async(std::launch::async, [&] { return Count(*s); });
  EXPECT_EQ(read.wait_for(100ms), std::future_status::timeout)
      << "a read returned data a crash could still lose";
  sync.Release();
  auto n = read.get();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1);
  EXPECT_TRUE(write.get().ok());
}

TEST_F(SqliteSyncTest, OneSyncCoversEveryGroupCommittedBeforeIt) {
  HeldSync sync;
  auto s = OpenHeld(sync);
  auto first = HeldInsert(*s, sync, 0);
  // While the first sync is held the writer takes the next writes.
  std::vector<std::future<Status>> more;
  for (int i = 1; i <= 20; ++i) {
    more.push_back(std::async(std::launch::async, [&, i] { return Insert(*s, i); }));
  }
  std::this_thread::sleep_for(200ms);
  for (auto& f : more) EXPECT_EQ(f.wait_for(0ms), std::future_status::timeout);
  sync.Release();
  EXPECT_TRUE(first.get().ok());
  for (auto& f : more) EXPECT_TRUE(f.get().ok());
  // The 20 later writes were committed during the first sync: at most one
  // more sync per group, and never one per write.
  EXPECT_LT(sync.entered(), 21);
  ExpectRows(*s, 21);
}

TEST_F(SqliteSyncTest, WritesArrivingDuringASyncShareOneCommit) {
  HeldSync sync;
  auto s = OpenHeld(sync);
  auto first = HeldInsert(*s, sync, 0);
  const int before = WalCommits();
  ASSERT_GE(before, 1);
  // One write at a time, each while the first sync is held: a commit made
  // now would wait for the next sync anyway, so they stay in one group.
  // Write 7 fails and is rolled back alone.
  std::atomic<int> ran{0};
  std::vector<std::future<Status>> more;
  for (int i = 1; i <= 20; ++i) {
    more.push_back(std::async(std::launch::async, [&, i] {
      return s->Write([&ran, i](Tx& tx) -> Status {
        PAYOPS_TRY(tx.Exec("INSERT INTO t (x) VALUES (?)", {int64_t{i}}));
        ++ran;
        if (i == 7) return Error::Invalid("bad", "refused after its insert");
        return Status::Ok();
      });
    }));
    std::this_thread::sleep_for(5ms);
  }
  WaitUntil([&] { return ran.load() >= 20; });
  EXPECT_EQ(ran.load(), 20) << "the writer did not run the writes while the sync was held";
  EXPECT_EQ(WalCommits(), before) << "a write was committed while the sync was held";
  sync.Release();
  EXPECT_TRUE(first.get().ok());
  for (int i = 1; i <= 20; ++i) EXPECT_EQ(more[i - 1].get().ok(), i != 7) << i;
  EXPECT_EQ(WalCommits(), before + 1);
  EXPECT_EQ(sync.entered(), 2);
  ExpectRows(*s, 20);
}

// SQLite ends the transaction by itself after some errors (a full disk, an
// I/O error): a job that ends it here stands for those. The jobs before it in
// the group lost their writes and are told so, and the next job runs in a new
// transaction instead of committing on its own.
TEST_F(SqliteSyncTest, AGroupRolledBackBySqliteFailsAndTheNextWriteBeginsAnew) {
  HeldSync sync;
  auto s = OpenHeld(sync);
  auto first = HeldInsert(*s, sync, 0);
  std::atomic<int> ran{0};
  auto job = [&](int64_t x, bool end_transaction) {
    return std::async(std::launch::async, [&, x, end_transaction] {
      return s->Write([&, x, end_transaction](Tx& tx) -> Status {
        PAYOPS_TRY(tx.Exec("INSERT INTO t (x) VALUES (?)", {x}));
        if (end_transaction) PAYOPS_TRY(tx.Exec("ROLLBACK", {}));
        ++ran;
        return Status::Ok();
      });
    });
  };
  auto a = job(1, false);
  while (ran.load() < 1) std::this_thread::sleep_for(1ms);
  auto b = job(2, true);
  while (ran.load() < 2) std::this_thread::sleep_for(1ms);
  auto c = job(3, false);
  while (ran.load() < 3) std::this_thread::sleep_for(1ms);
  sync.Release();
  EXPECT_TRUE(first.get().ok());
  Status sa = a.get(), sb = b.get(), sc = c.get();
  ASSERT_FALSE(sa.ok()) << "a write SQLite rolled back was answered as done";
  EXPECT_EQ(sa.error().kind, ErrorKind::kUnavailable);
  EXPECT_FALSE(sb.ok());
  EXPECT_TRUE(sc.ok()) << sc.error().message;
  std::vector<int64_t> xs;
  ASSERT_TRUE(s->Read([&](Tx& tx) -> Status {
                 PAYOPS_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT x FROM t ORDER BY x", {}));
                 for (const auto& r : rows) xs.push_back(r.Int(0));
                 return Status::Ok();
               }).ok());
  EXPECT_EQ(xs, (std::vector<int64_t>{0, 3}));
}

TEST_F(SqliteSyncTest, AFullGroupIsCommittedWithoutWaitingForTheSync) {
  HeldSync sync;
  auto s = OpenHeld(sync, /*max_group_size=*/4);
  auto first = HeldInsert(*s, sync, 0);
  const int before = WalCommits();
  std::vector<std::future<Status>> more;
  for (int i = 1; i <= 10; ++i) {
    more.push_back(std::async(std::launch::async, [&, i] { return Insert(*s, i); }));
  }
  // 10 writes in groups of at most 4: two full groups are committed while
  // the sync is held, the last two writes wait in the open group.
  WaitUntil([&] { return WalCommits() >= before + 2; });
  EXPECT_EQ(WalCommits(), before + 2);
  sync.Release();
  EXPECT_TRUE(first.get().ok());
  for (auto& f : more) EXPECT_TRUE(f.get().ok());
  EXPECT_EQ(WalCommits(), before + 3);
  ExpectRows(*s, 11);
}

TEST_F(SqliteSyncTest, StoppingCommitsTheOpenGroup) {
  HeldSync sync;
  auto s = OpenHeld(sync);
  auto first = HeldInsert(*s, sync, 0);
  auto second = std::async(std::launch::async, [&] { return Insert(*s, 1); });
  EXPECT_EQ(second.wait_for(100ms), std::future_status::timeout);
  // The store is closed with the second write in its open group; the sync
  // goes on a moment later.
  auto release = std::async(std::launch::async, [&] {
    std::this_thread::sleep_for(100ms);
    sync.Release();
  });
  s.reset();
  release.get();
  EXPECT_TRUE(first.get().ok());
  EXPECT_TRUE(second.get().ok());
  auto reopened = store::Open(url_);
  ASSERT_TRUE(reopened.ok());
  ExpectRows(**reopened, 2);
}

TEST_F(SqliteSyncTest, AFailedSyncRollsBackTheOpenGroup) {
  HeldSync sync;
  {
    auto s = OpenHeld(sync);
    auto first = HeldInsert(*s, sync, 0);
    std::atomic<bool> ran{false};
    auto second = std::async(std::launch::async, [&] {
      return s->Write([&](Tx& tx) -> Status {
        PAYOPS_TRY(tx.Exec("INSERT INTO t (x) VALUES (1)", {}));
        ran = true;
        return Status::Ok();
      });
    });
    WaitUntil([&] { return ran.load(); });
    ASSERT_TRUE(ran.load());
    sync.Release(/*fail=*/true);
    EXPECT_FALSE(first.get().ok());
    Status w = second.get();
    ASSERT_FALSE(w.ok());
    EXPECT_EQ(w.error().kind, ErrorKind::kUnavailable);
  }
  // The first write was committed before its sync failed and may survive;
  // the second, still uncommitted, must not.
  auto reopened = store::Open(url_);
  ASSERT_TRUE(reopened.ok());
  int64_t seconds = -1;
  ASSERT_TRUE((*reopened)
                  ->Read([&](Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(auto row,
                                            tx.QueryOne("SELECT COUNT(*) FROM t WHERE x = 1", {}));
                    seconds = row->Int(0);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(seconds, 0);
}

TEST_F(SqliteSyncTest, AFailedSyncStopsTheStore) {
  HeldSync sync;
  auto s = OpenHeld(sync);
  auto write = HeldInsert(*s, sync, 1);
  sync.Release(/*fail=*/true);
  Status w = write.get();
  ASSERT_FALSE(w.ok());
  EXPECT_EQ(w.error().kind, ErrorKind::kUnavailable);
  Status again = Insert(*s, 2);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().kind, ErrorKind::kUnavailable);
  auto n = Count(*s);
  ASSERT_FALSE(n.ok()) << "a read after a failed sync returned data";
  EXPECT_EQ(n.error().kind, ErrorKind::kUnavailable);
}

TEST_F(SqliteSyncTest, WithoutPipeliningTheCommitItselfSyncs) {
  store::StoreOptions o;
  o.pipelined_sync = false;
  std::atomic<int> calls{0};
  o.sync_file = [&calls](int) {
    ++calls;
    return 0;
  };
  auto s = store::Open(url_, o);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(Insert(**s, 1).ok());
  EXPECT_EQ(calls.load(), 0);  // SQLite's own fsync (synchronous=FULL) did it
  ExpectRows(**s, 1);
}

}  // namespace
}  // namespace payops::testing
