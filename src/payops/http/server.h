// The HTTP/1.1 server: Boost.Beast on Asio, keep-alive, a body limit,
// timeouts, a bounded worker pool for store-bound handlers, fibers on the
// I/O thread for the short write routes, and graceful shutdown on
// SIGTERM/SIGINT.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "payops/core/result.h"
#include "payops/http/api.h"
#include "payops/http/fiber.h"

namespace payops::http {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;  // 0: the kernel picks
  int io_threads = 1;
  int worker_threads = 64;             // handlers that touch the store run here
  size_t max_pending_requests = 8192;  // queued for workers; past it: 503
  // Routes marked RouteOptions::fiber run as fibers on the I/O thread (only
  // for a store whose waits suspend fibers: Store::SuspendsFibers). Bodies
  // larger than fiber_body_limit_bytes, and requests beyond the fibers' own
  // limit, go to the workers.
  bool fibers = false;
  size_t fiber_body_limit_bytes = 64 << 10;
  FiberOptions fiber;
  size_t body_limit_bytes = 1 << 20;  // larger bodies: 413
  size_t header_limit_bytes = 16 << 10;
  // What a connection holds unparsed at once: a request head (itself within
  // header_limit_bytes), a chunk-size line with its extensions, or a chunked
  // body's trailer section. Past it: 413. At most kMaxBufferLimitBytes.
  size_t buffer_limit_bytes = 32 << 10;
  // Open connections at once; a connection past it is closed as soon as it
  // is accepted (logged). Keep it below the process's file-descriptor limit.
  size_t max_connections = 4096;
  int read_timeout_s = 30;    // to read one request once it started
  int idle_timeout_s = 60;    // keep-alive idle connection
  int shutdown_grace_s = 10;  // in-flight requests may finish
};

// Beast throws std::length_error on a field name or value longer than 65,533
// bytes; whatever the parser holds stays well under it.
inline constexpr size_t kMaxBufferLimitBytes = 60 << 10;

// Reads one request from `bytes` as a connection does: the same parser and
// limits, reads of at most `read_size` bytes, the same conversion into an
// HttpRequest. The refusal otherwise (the error a connection answers with).
// For the fuzz target of the request parser.
Result<HttpRequest> ParseRequestBytes(std::string_view bytes, const ServerOptions& options,
                                      size_t read_size);

class Server {
 public:
  Server(Api& api, ServerOptions options);
  ~Server();
  // Binds and listens. Returns the bound port.
  Result<uint16_t> Listen();
  // Serves until Stop() or SIGTERM/SIGINT; `on_ready` runs once accepting.
  void Run(const std::function<void(uint16_t)>& on_ready);
  // Stops accepting, lets in-flight requests finish (bounded), then returns from Run.
  void Stop();

  struct Impl;  // public so that connection sessions can reach it

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace payops::http
