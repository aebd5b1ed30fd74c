// The SQLite store's write queue is bounded (StoreOptions::max_write_queue):
// past it a write is refused at once with kUnavailable (503 at the API) and
// changes nothing, while the queued ones all commit.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>
#include <vector>

#include "payops/store/store.h"
#include "scratch_table.h"

namespace payops::testing {
namespace {

class WriteQueueTest : public ScratchTableTest {};

TEST_F(WriteQueueTest, WritesPastTheBoundAreRefusedAndTheQueuedOnesCommit) {
  store::StoreOptions options;
  options.max_write_queue = 4;
  auto s = store::Open(url_, options);
  ASSERT_TRUE(s.ok()) << s.error().message;
  // The writer is held inside a first write, so the next ones queue.
  std::promise<void> inside;
  std::promise<void> release;
  auto released = release.get_future().share();
  auto holder = std::async(std::launch::async, [&] {
    return (*s)->Write([&](store::Tx& tx) -> Status {
      PAYOPS_TRY(tx.Exec("INSERT INTO t (x) VALUES (0)", {}));
      inside.set_value();
      released.wait();
      return Status::Ok();
    });
  });
  inside.get_future().wait();
  constexpr int kWriters = 10;
  std::atomic<int> refused{0};
  std::atomic<int> committed{0};
  std::vector<std::thread> writers;
  for (int i = 1; i <= kWriters; ++i) {
    writers.emplace_back([&, i] {
      Status st = Insert(**s, i);
      if (st.ok()) {
        ++committed;
      } else {
        EXPECT_EQ(st.error().kind, ErrorKind::kUnavailable) << st.error().message;
        ++refused;
      }
    });
  }
  // Four wait in the queue; the other six are refused without waiting.
  WaitUntil([&] { return refused.load() == kWriters - options.max_write_queue; });
  EXPECT_EQ(refused.load(), kWriters - options.max_write_queue);
  EXPECT_EQ(committed.load(), 0);
  release.set_value();
  for (auto& w : writers) w.join();
  ASSERT_TRUE(holder.get().ok());
  EXPECT_EQ(committed.load(), options.max_write_queue);
  auto n = Count(**s);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 1 + options.max_write_queue);  // the refused ones wrote nothing
}

}  // namespace
}  // namespace payops::testing
