// Routes: method + path pattern with {param} segments → handler.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "payops/http/message.h"

namespace payops::http {

using Handler = std::function<HttpResponse(HttpRequest&)>;

struct RouteOptions {
  bool auth = true;         // needs a valid API key
  bool run_inline = false;  // cheap and store-free: answered on the I/O thread
  // Short outside the store (a write of one request): may run as a fiber on
  // the I/O thread, suspended while it waits on the store (ServerOptions::fibers).
  bool fiber = false;
  // Its write is one Store::WriteAfterLock: an Idempotency-Key's record is
  // written in a transaction of that isolation (service::RunIdempotent).
  bool write_after_lock = false;
};

// A write of one short request (parse, validate, one store transaction):
// the route may run as a fiber on the I/O thread.
inline constexpr RouteOptions kShortWrite{.fiber = true};

struct Route {
  std::string method;
  std::string pattern;
  std::vector<std::string> segments;
  Handler handler;
  RouteOptions options;
  size_t index = 0;  // dense, for metrics
};

struct RouteMatch {
  const Route* route = nullptr;  // null: no route
  bool wrong_method = false;     // the path exists with other methods
  std::string allow;             // those methods, for the Allow header
};

class Router {
 public:
  void Add(std::string method, std::string pattern, Handler handler, RouteOptions options = {});
  // Finds the route for method + path and fills `params`.
  RouteMatch Find(std::string_view method, std::string_view path,
                  std::unordered_map<std::string, std::string>& params) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace payops::http
