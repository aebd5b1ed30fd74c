#include "payops/http/metrics.h"

#include <fmt/format.h>

namespace payops::http {

Metrics::Metrics(size_t routes) : slots_(new Slot[routes + 1]), size_(routes + 1) {}

void Metrics::Observe(size_t route, std::string_view, int status, int64_t duration_us) {
  if (route >= size_) route = size_ - 1;
  Slot& s = slots_[route];
  size_t st = kStatuses.size() - 1;
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) st = i;
  }
  s.by_status[st].fetch_add(1, std::memory_order_relaxed);
  size_t b = 0;
  while (b < kBucketsUs.size() && duration_us > kBucketsUs[b]) ++b;
  s.buckets[b].fetch_add(1, std::memory_order_relaxed);
  s.sum_us.fetch_add(static_cast<uint64_t>(std::max<int64_t>(0, duration_us)),
                     std::memory_order_relaxed);
  s.count.fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::Render(const std::vector<Route>& routes) const {
  std::string out;
  out += "# HELP payops_http_requests_total HTTP requests by route and status.\n";
  out += "# TYPE payops_http_requests_total counter\n";
  auto label = [&](size_t i) {
    if (i < routes.size()) {
      return fmt::format("method=\"{}\",route=\"{}\"", routes[i].method, routes[i].pattern);
    }
    return std::string("method=\"\",route=\"unmatched\"");
  };
  for (size_t i = 0; i < size_; ++i) {
    for (size_t st = 0; st < kStatuses.size(); ++st) {
      uint64_t n = slots_[i].by_status[st].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string status = kStatuses[st] ? std::to_string(kStatuses[st]) : "other";
      out +=
          fmt::format("payops_http_requests_total{{{},status=\"{}\"}} {}\n", label(i), status, n);
    }
  }
  out += "# HELP payops_http_request_duration_seconds Time from request read to response ready.\n";
  out += "# TYPE payops_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i < size_; ++i) {
    const Slot& s = slots_[i];
    uint64_t count = s.count.load(std::memory_order_relaxed);
    if (count == 0) continue;
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBucketsUs.size(); ++b) {
      cumulative += s.buckets[b].load(std::memory_order_relaxed);
      std::string le = b < kBucketsUs.size() ? fmt::format("{}", kBucketsUs[b] / 1e6) : "+Inf";
      out += fmt::format("payops_http_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n",
                         label(i), le, cumulative);
    }
    out += fmt::format("payops_http_request_duration_seconds_sum{{{}}} {}\n", label(i),
                       s.sum_us.load(std::memory_order_relaxed) / 1e6);
    out += fmt::format("payops_http_request_duration_seconds_count{{{}}} {}\n", label(i), count);
  }
  return out;
}

}  // namespace payops::http
