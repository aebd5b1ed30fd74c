// How a caller of the Store waits for its write to commit and become durable.
// A plain thread blocks. A request handler running as a fiber on the server's
// I/O thread (http/fiber.h) gives the thread back to its other connections and
// is resumed once woken: the thread installs the fiber as the current Waiter
// while the fiber runs.
#pragma once

#include <condition_variable>
#include <mutex>

namespace payops::store {

class Waiter {
 public:
  virtual ~Waiter() = default;
  // Returns once Wake() has been called for this wait, maybe before Suspend.
  // Called only on the thread running the waiter, outside any transaction.
  virtual void Suspend() = 0;
  // Ends the current wait; from any thread, once per Suspend. The waiter may
  // be resumed (and what it waits on destroyed) before Wake returns.
  virtual void Wake() = 0;

  // The calling thread's current waiter; null on a plain thread.
  static Waiter* Current();
  static void SetCurrent(Waiter* w);
};

// One wait: Done() (once, from any thread) releases Wait(). The completion
// may be destroyed as soon as Wait() returns; Done() touches nothing of it
// after the release.
class Completion {
 public:
  // The waiter of the calling thread, if any, waits as a fiber.
  Completion() : waiter_(Waiter::Current()) {}
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;

  void Wait() {
    if (waiter_ != nullptr) return waiter_->Suspend();
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return done_; });
  }
  void Done() {
    if (waiter_ != nullptr) return waiter_->Wake();
    // Notified under the lock: the waiter cannot return (and destroy this)
    // before the notifier has let go of it.
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_one();
  }
  bool suspends() const { return waiter_ != nullptr; }

 private:
  Waiter* waiter_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
};

}  // namespace payops::store
