// Network checks of monitors (SPEC §3.6): HTTP(S) requests and TCP connects,
// all of one batch run concurrently on one Asio event loop in the calling
// thread (never a thread per check), each bounded by its timeout.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace payops::adapters {

struct ProbeRequest {
  std::string kind;                      // "http" | "tcp"
  std::string target;                    // an http(s) URL or host:port (core/monitor.h ParseTarget)
  int64_t timeout_ms = 5000;             // the whole check: resolve, connect, TLS, request, answer
  std::optional<int64_t> expect_status;  // none: any 2xx or 3xx
  std::optional<std::string> expect_body;  // a substring of the first max_body_bytes
  bool allow_private = false;  // this check may reach private addresses (built-in monitors)
};

struct ProbeResult {
  bool ok = false;
  std::optional<int64_t> status_code;
  std::string error;  // why it failed, for the history
  int64_t duration_ms = 0;
};

struct ProbeOptions {
  // Connect to loopback/private addresses (resolved names included: a name
  // that resolves to one is refused, against SSRF by DNS).
  bool allow_private = false;
  int max_concurrent = 256;           // checks in flight at once
  size_t max_body_bytes = 64 * 1024;  // read of an HTTP answer's body
  size_t max_header_bytes = 16 * 1024;
};

// One result per request, in order.
std::vector<ProbeResult> RunProbes(const std::vector<ProbeRequest>& requests,
                                   const ProbeOptions& options);

}  // namespace payops::adapters
