// The HTTP/1.1 request parser in front of the API: Beast's parser with the
// server's limits (headers, chunked bodies, trailers), reads of every size,
// and the conversion into the API's request (target, query, headers).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "payops/http/server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  // The first byte picks the read size: 1..255 bytes, or all at once.
  const size_t read_size = data[0] == 0 ? size : data[0];
  std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  payops::http::ServerOptions opt;
  // Smaller limits than the defaults, so that the fuzzer reaches them.
  opt.body_limit_bytes = 4096;
  opt.header_limit_bytes = 1024;
  opt.buffer_limit_bytes = 2048;
  auto req = payops::http::ParseRequestBytes(bytes, opt, read_size);
  if (!req.ok()) {
    // A refusal is a 4xx, never a server error.
    int status = payops::http::HttpStatusFor(req.error().kind);
    if (status < 400 || status >= 500) std::abort();
    return 0;
  }
  if (req->body.size() > opt.body_limit_bytes) std::abort();
  // The default limits too, read all at once.
  (void)payops::http::ParseRequestBytes(bytes, payops::http::ServerOptions{}, bytes.size());
  return 0;
}
