// Handlers as fibers on one I/O thread (http/fiber.h) over the SQLite store:
// a fiber that waits on the store (its write's commit and fsync, the
// durability of what it read, a free read connection) gives the thread back,
// so the other fibers and handlers of that thread go on meanwhile. The WAL
// fsync is injected so that it can be held.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "../store/scratch_table.h"
#include "payops/http/fiber.h"
#include "payops/store/store.h"
#include "payops/store/wait.h"

namespace payops::testing {
namespace {

using namespace std::chrono_literals;
namespace net = boost::asio;
using store::Tx;

// A latch on another thread's progress: Pass() counts and waits until Open().
class Gate {
 public:
  void Pass() {
    std::unique_lock lock(mu_);
    ++passed_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
  }
  void Open() {
    std::lock_guard lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool WaitPassed(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return passed_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int passed_ = 0;
  bool open_ = false;
};

class FiberTest : public ScratchTableTest {
 protected:
  // A store whose WAL fsyncs wait at `sync` while it is held.
  std::unique_ptr<store::Store> Open(Gate* sync, int read_connections = 4) {
    store::StoreOptions o;
    o.read_connections = read_connections;
    if (sync != nullptr) {
      o.sync_file = [sync](int fd) {
        sync->Pass();
        return ::fdatasync(fd) == 0 ? 0 : errno;
      };
    }
    auto s = store::Open(url_, o);
    EXPECT_TRUE(s.ok());
    return std::move(*s);
  }
};

TEST_F(FiberTest, WritesOfFibersOnOneThreadAreInFlightTogether) {
  Gate sync;
  auto s = Open(&sync);
  ASSERT_TRUE(s->SuspendsFibers());
  net::io_context ioc;
  http::FiberPool pool(http::FiberOptions{});
  constexpr int kFibers = 16;
  std::atomic<int> answered{0};
  std::atomic<int> failed{0};
  // Were a fiber's wait to block the thread, the first write would hold it
  // until its fsync and no second fiber could start before.
  std::atomic<int> started{0};
  net::post(ioc, [&] {
    for (int i = 0; i < kFibers; ++i) {
      pool.Spawn(ioc.get_executor(), [&, i] {
        started++;
        if (!Insert(*s, i).ok()) failed++;
        answered++;
      });
    }
  });
  std::thread io([&] { ioc.run(); });
  ASSERT_TRUE(sync.WaitPassed(1));
  WaitUntil([&] { return started.load() >= kFibers; });
  EXPECT_EQ(started.load(), kFibers) << "the fibers did not all start while a write waited";
  EXPECT_EQ(answered.load(), 0) << "a write was answered before its fsync";
  EXPECT_EQ(pool.alive(), static_cast<size_t>(kFibers));
  sync.Open();
  io.join();  // run() returns once every fiber has ended
  EXPECT_EQ(answered.load(), kFibers);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(pool.alive(), 0u);
  auto n = Count(*s);
  ASSERT_TRUE(n.ok()) << n.error().message;
  EXPECT_EQ(*n, kFibers);
}

TEST_F(FiberTest, AReadWaitingForDurabilityLetsTheThreadServeOthers) {
  Gate sync;
  auto s = Open(&sync);
  // A write from a plain thread, committed and held at its fsync.
  std::thread writer([&] { EXPECT_TRUE(Insert(*s, 7).ok()); });
  ASSERT_TRUE(sync.WaitPassed(1));
  net::io_context ioc;
  http::FiberPool pool(http::FiberOptions{});
  std::atomic<int64_t> seen{-1};
  std::atomic<bool> other_ran{false};
  net::post(ioc, [&] {
    pool.Spawn(ioc.get_executor(), [&] {
      auto n = Count(*s);  // sees the committed row: returns once it is durable
      seen = n.ok() ? *n : -2;
    });
    net::post(ioc, [&] { other_ran = true; });
  });
  std::thread io([&] { ioc.run(); });
  WaitUntil([&] { return other_ran.load(); });
  EXPECT_TRUE(other_ran.load()) << "the waiting read held the thread";
  EXPECT_EQ(seen.load(), -1) << "a read returned data not yet durable";
  sync.Open();
  io.join();
  writer.join();
  EXPECT_EQ(seen.load(), 1);
}

TEST_F(FiberTest, AFiberFindingNoFreeReadConnectionWaitsSuspended) {
  auto s = Open(nullptr, /*read_connections=*/1);
  ASSERT_TRUE(Insert(*s, 1).ok());
  // A plain thread holds the only read connection.
  Gate holder;
  std::thread reader([&] {
    EXPECT_TRUE(s->Read([&](Tx&) -> Status {
                   holder.Pass();
                   return Status::Ok();
                 }).ok());
  });
  ASSERT_TRUE(holder.WaitPassed(1));
  net::io_context ioc;
  http::FiberPool pool(http::FiberOptions{});
  std::atomic<int64_t> seen{-1};
  std::atomic<bool> other_ran{false};
  net::post(ioc, [&] {
    pool.Spawn(ioc.get_executor(), [&] {
      auto n = Count(*s);
      seen = n.ok() ? *n : -2;
    });
    net::post(ioc, [&] { other_ran = true; });
  });
  std::thread io([&] { ioc.run(); });
  WaitUntil([&] { return other_ran.load(); });
  EXPECT_TRUE(other_ran.load()) << "the fiber blocked the thread waiting for a connection";
  EXPECT_EQ(seen.load(), -1);
  holder.Open();
  io.join();
  reader.join();
  EXPECT_EQ(seen.load(), 1);
}

TEST_F(FiberTest, AFailedWriteIsAnsweredToItsFiber) {
  auto s = Open(nullptr);
  net::io_context ioc;
  http::FiberPool pool(http::FiberOptions{});
  Status got;
  net::post(ioc, [&] {
    pool.Spawn(ioc.get_executor(), [&] {
      got = s->Write([](Tx& tx) -> Status {
        PAYOPS_TRY(tx.Exec("INSERT INTO t (x) VALUES (?)", {int64_t{1}}));
        return Error::Invalid("refused", "the handler refuses");
      });
    });
  });
  ioc.run();
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, "refused");
  auto n = Count(*s);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 0) << "the refused write was kept";
}

TEST_F(FiberTest, StacksOfEndedFibersAreReusedUpToThePoolLimit) {
  auto s = Open(nullptr);
  net::io_context ioc;
  http::FiberPool pool(
      http::FiberOptions{.stack_bytes = 64 << 10, .max_fibers = 4, .pooled_stacks = 2});
  int answered = 0;
  // Each round has four fibers alive at once (each waits for its write).
  for (int round = 0; round < 3; ++round) {
    net::post(ioc, [&] {
      for (int i = 0; i < 4; ++i) {
        ASSERT_FALSE(pool.full());
        pool.Spawn(ioc.get_executor(), [&, i] {
          if (Insert(*s, i).ok()) ++answered;
        });
      }
      EXPECT_TRUE(pool.full()) << "the fibers did not wait";
    });
    ioc.run();
    ioc.restart();
  }
  EXPECT_EQ(answered, 12);
  EXPECT_EQ(pool.alive(), 0u);
  // Four stacks in the first round; two of them kept, so two more a round.
  EXPECT_EQ(pool.stacks_mapped(), 4u + 2u + 2u);
}

}  // namespace
}  // namespace payops::testing
