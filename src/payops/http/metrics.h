// Request counters and latency histograms per route, rendered in the
// Prometheus text format. Lock-free: fixed arrays of atomics.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "payops/http/router.h"

namespace payops::http {

class Metrics {
 public:
  // Latency bucket upper bounds in microseconds.
  static constexpr std::array<int64_t, 12> kBucketsUs = {
      250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000, 5000000};
  // The statuses counted one by one; any other lands in "other".
  static constexpr std::array<int, 16> kStatuses = {200, 201, 204, 400, 401, 403, 404, 405,
                                                    409, 413, 415, 422, 429, 500, 503, 0};

  explicit Metrics(size_t routes);
  // `route` is a Route::index, or routes() for requests that matched none.
  void Observe(size_t route, std::string_view method, int status, int64_t duration_us);
  std::string Render(const std::vector<Route>& routes) const;

 private:
  struct Slot {
    std::array<std::atomic<uint64_t>, kStatuses.size()> by_status{};
    std::array<std::atomic<uint64_t>, kBucketsUs.size() + 1> buckets{};
    std::atomic<uint64_t> sum_us{0};
    std::atomic<uint64_t> count{0};
  };
  std::unique_ptr<Slot[]> slots_;
  size_t size_;
};

}  // namespace payops::http
