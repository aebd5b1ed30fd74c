// Retries with exponential backoff: how long to wait before the next attempt.
#pragma once

#include <cstdint>

#include "payops/core/clock.h"

namespace payops {

// After `attempts_made` (>= 1) failed attempts: base, 2·base, 4·base, ...,
// never more than `cap` (and never negative or overflowing).
inline Micros RetryDelay(int64_t attempts_made, Micros base, Micros cap) {
  if (attempts_made < 1 || base <= Micros(0)) return base > Micros(0) ? base : Micros(0);
  Micros d = base;
  for (int64_t i = 1; i < attempts_made && d < cap; ++i) d *= 2;
  return d < cap ? d : cap;
}

}  // namespace payops
