// Request handlers as fibers on the I/O thread. A handler that waits on the
// store (a write's commit and fsync, a read's durability, a free read
// connection: store/wait.h) gives the thread back to the other connections
// instead of parking a worker thread, and is resumed through its connection's
// executor once woken. Serves the write routes whose work outside the store
// is short (RouteOptions::fiber); everything else runs on the worker pool.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/context/stack_context.hpp>
#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

namespace payops::http {

struct FiberOptions {
  size_t stack_bytes = 256 << 10;  // per fiber; a guard page below catches overflow
  size_t max_fibers = 4096;        // alive at once; past it the caller uses threads
  size_t pooled_stacks = 256;      // kept for reuse when their fiber ends
};

class FiberPool {
 public:
  explicit FiberPool(FiberOptions options);
  // Every fiber must have ended (the server runs its executor until then).
  ~FiberPool();
  FiberPool(const FiberPool&) = delete;
  FiberPool& operator=(const FiberPool&) = delete;

  // Runs fn as a fiber now, on the calling thread, which must be running
  // `ex` (inside its strand, if it has one): fn runs until it first waits,
  // and every resume is posted to `ex`. fn must not let an exception escape.
  void Spawn(const boost::asio::any_io_executor& ex, std::function<void()> fn);

  size_t alive() const { return alive_.load(); }
  // Store threads in the middle of posting a resume to a fiber's executor.
  size_t waking() const { return waking_.load(); }
  // Stacks mapped so far (the others were reused).
  size_t stacks_mapped() const { return stacks_mapped_.load(); }
  bool full() const { return alive_.load() >= options_.max_fibers; }

 private:
  struct Task;
  friend struct StackAllocator;

  boost::context::stack_context TakeStack();
  void GiveStack(boost::context::stack_context& sc) noexcept;

  const FiberOptions options_;
  std::atomic<size_t> alive_{0};
  std::atomic<size_t> waking_{0};
  std::atomic<size_t> stacks_mapped_{0};
  std::mutex stacks_mu_;
  std::vector<boost::context::stack_context> stacks_;  // free, for reuse
};

}  // namespace payops::http
