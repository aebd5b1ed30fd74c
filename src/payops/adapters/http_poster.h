// Outbound HTTP POSTs (webhooks, paging) behind an interface. A poster is
// used by one thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "payops/core/result.h"

namespace payops::adapters {

struct HttpReply {
  int status = 0;
  std::string body;  // at most kMaxReplyBytes, the rest dropped
};

inline constexpr size_t kMaxReplyBytes = 4096;

class HttpPoster {
 public:
  virtual ~HttpPoster() = default;
  // POSTs `body` with `headers` ("Name: value" each) to an http(s) URL and
  // returns whatever status the receiver answered. kUnavailable when no
  // answer came (connection refused, timeout, TLS failure).
  virtual Result<HttpReply> Post(const std::string& url, const std::vector<std::string>& headers,
                                 const std::string& body, long timeout_ms) = 0;
};

// libcurl, one easy handle kept between calls (connections reused per
// host), redirects not followed, http and https only.
std::unique_ptr<HttpPoster> MakeCurlPoster(long connect_timeout_ms = 5000);

}  // namespace payops::adapters
