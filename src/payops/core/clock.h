// Time enters payops only through a Clock. Instants are UTC microseconds.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace payops {

using Micros = std::chrono::microseconds;
using Instant = std::chrono::sys_time<Micros>;

inline int64_t ToMicros(Instant t) {
  return t.time_since_epoch().count();
}
inline Instant FromMicros(int64_t us) {
  return Instant(Micros(us));
}

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Instant Now() const = 0;
};

// The machine's wall clock.
class RealClock final : public Clock {
 public:
  Instant Now() const override;
};

// A clock that only moves when told to: the sandbox clock and the tests' clock.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(Instant start) : us_(ToMicros(start)) {}
  Instant Now() const override { return FromMicros(us_.load(std::memory_order_acquire)); }
  void Set(Instant t) { us_.store(ToMicros(t), std::memory_order_release); }
  void Advance(Micros d) { us_.fetch_add(d.count(), std::memory_order_acq_rel); }
  // Moves the clock to `t` unless it already reads later (never backwards).
  void AdvanceTo(Instant t) {
    int64_t target = ToMicros(t);
    int64_t cur = us_.load(std::memory_order_acquire);
    while (cur < target && !us_.compare_exchange_weak(cur, target, std::memory_order_acq_rel)) {
    }
  }

 private:
  std::atomic<int64_t> us_;
};

// RFC 3339: "2026-03-09T07:00:00-07:00", "2026-03-09T14:00:00.5Z". An offset is
// required. Returns nullopt on anything else.
std::optional<Instant> ParseRfc3339(std::string_view text);
// UTC with a Z and millisecond precision when the instant has a fraction:
// "2026-03-09T14:00:00Z", "2026-03-09T14:00:00.123Z".
std::string FormatRfc3339(Instant t);

}  // namespace payops
