#include "payops/http/fiber.h"

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/context/fiber.hpp>
#include <boost/context/protected_fixedsize_stack.hpp>
#include <cassert>
#include <memory>
#include <new>

#include <spdlog/spdlog.h>

#include "payops/core/logfmt.h"
#include "payops/store/wait.h"

// AddressSanitizer, as GCC and clang each announce it.
#if defined(PAYOPS_ASAN)
#define PAYOPS_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PAYOPS_ASAN 1
#endif
#endif

#if defined(PAYOPS_ASAN)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

namespace payops::http {

namespace ctx = boost::context;
namespace net = boost::asio;

namespace {

// AddressSanitizer is told of every switch between a thread's own stack and
// a fiber's (the bounds of the stack being entered, and the fake stack of the
// one left), so that it checks fiber frames as it checks a thread's.
struct StackSwitch {
#if defined(PAYOPS_ASAN)
  void* fake = nullptr;  // the fake stack of the side that was left
  const void* bottom = nullptr;
  size_t size = 0;

  // Before leaving for the stack [to_bottom, +to_size).
  void Leave(const void* to_bottom, size_t to_size) {
    __sanitizer_start_switch_fiber(&fake, to_bottom, to_size);
  }
  // Before going back to the stack last arrived from; `dying`: the side
  // left never runs again.
  void LeaveBack(bool dying = false) {
    __sanitizer_start_switch_fiber(dying ? nullptr : &fake, bottom, size);
  }
  // Just after arriving; records the bounds of the stack that was left.
  void Arrive() {
    __sanitizer_finish_switch_fiber(fake, &bottom, &size);
  }
#else
  void Leave(const void*, size_t) {}
  void LeaveBack(bool = false) {}
  void Arrive() {}
#endif
};

}  // namespace

// Stacks come from the pool's free list, else are mapped with a guard page.
struct StackAllocator {
  FiberPool* pool;
  ctx::stack_context* taken;  // where the stack given out is noted
  ctx::stack_context allocate() { return *taken = pool->TakeStack(); }
  void deallocate(ctx::stack_context& sc) noexcept { pool->GiveStack(sc); }
};

// One handler. It belongs to itself: deleted once its fiber has returned.
struct FiberPool::Task final : store::Waiter {
  FiberPool* pool = nullptr;
  net::any_io_executor ex;
  std::function<void()> fn;
  ctx::fiber self;    // while suspended: the fiber to resume
  ctx::fiber caller;  // while running: where Suspend switches back to
  bool running = false;
  ctx::stack_context stack;  // the fiber's
  StackSwitch in_fiber;      // switches made from the fiber's stack
  StackSwitch in_caller;     // and from the thread's

  const void* StackBottom() const { return static_cast<char*>(stack.sp) - stack.size; }

  void Suspend() override {
    assert(running);
    in_fiber.LeaveBack();
    caller = std::move(caller).resume();
    in_fiber.Arrive();
  }

  // The resume runs on the task's executor, after the fiber has suspended:
  // the fiber runs on that executor (and strand) too, so the posted resume
  // cannot start before the fiber has given the thread back.
  // The waker (a store thread) is counted until it has let go of the
  // executor, so that the server does not free it under a post in progress.
  void Wake() override {
    Task* t = this;
    FiberPool* p = pool;
    p->waking_++;
    net::post(ex, [t] { t->Resume(); });
    p->waking_--;
  }

  void Resume() {
    store::Waiter* outer = store::Waiter::Current();
    store::Waiter::SetCurrent(this);
    running = true;
    in_caller.Leave(StackBottom(), stack.size);
    self = std::move(self).resume();
    in_caller.Arrive();
    running = false;
    store::Waiter::SetCurrent(outer);
    if (!self) {
      FiberPool* p = pool;
      delete this;
      p->alive_--;
    }
  }
};

FiberPool::FiberPool(FiberOptions options) : options_(options) {}

FiberPool::~FiberPool() {
  assert(alive_.load() == 0);
  ctx::protected_fixedsize_stack mapper(options_.stack_bytes);
  for (ctx::stack_context& sc : stacks_) mapper.deallocate(sc);
}

ctx::stack_context FiberPool::TakeStack() {
  {
    std::lock_guard lock(stacks_mu_);
    if (!stacks_.empty()) {
      ctx::stack_context sc = stacks_.back();
      stacks_.pop_back();
      return sc;
    }
  }
  ctx::stack_context sc = ctx::protected_fixedsize_stack(options_.stack_bytes).allocate();
  stacks_mapped_++;
  return sc;
}

void FiberPool::GiveStack(ctx::stack_context& sc) noexcept {
#if defined(PAYOPS_ASAN)
  // Frames that never returned (the fiber's entry) leave their poison behind.
  __asan_unpoison_memory_region(static_cast<char*>(sc.sp) - sc.size, sc.size);
#endif
  {
    std::lock_guard lock(stacks_mu_);
    if (stacks_.size() < options_.pooled_stacks) {
      stacks_.push_back(sc);
      return;
    }
  }
  ctx::protected_fixedsize_stack(options_.stack_bytes).deallocate(sc);
}

void FiberPool::Spawn(const net::any_io_executor& ex, std::function<void()> fn) {
  auto task = std::make_unique<Task>();
  Task* t = task.get();
  t->pool = this;
  // A suspended fiber is work outstanding: its executor's run() goes on.
  t->ex = net::prefer(ex, net::execution::outstanding_work.tracked);
  t->fn = std::move(fn);
  try {
    t->self =
        ctx::fiber(std::allocator_arg, StackAllocator{this, &t->stack}, [t](ctx::fiber&& caller) {
          t->in_fiber.Arrive();
          t->caller = std::move(caller);
          try {
            t->fn();
          } catch (const ctx::detail::forced_unwind&) {
            throw;
          } catch (const std::exception& e) {
            // The server's handler contains its own failures; this is past
            // it. The connection closes as the handler's captures go.
            spdlog::error("msg=\"request fiber failed\" error={}", LogValue(e.what()));
          } catch (...) {
            spdlog::error("msg=\"request fiber failed\" error=\"unknown exception\"");
          }
          // What the handler captured goes while its stack exists.
          t->fn = nullptr;
          t->in_fiber.LeaveBack(/*dying=*/true);
          return std::move(t->caller);
        });
  } catch (const std::bad_alloc&) {
    // No stack could be mapped: the handler runs as a plain call, its store
    // waits blocking this thread.
    spdlog::warn("msg=\"no fiber stack; handler runs on the I/O thread\"");
    std::function<void()> run = std::move(t->fn);
    run();
    return;
  }
  alive_++;
  task.release()->Resume();
}

}  // namespace payops::http
