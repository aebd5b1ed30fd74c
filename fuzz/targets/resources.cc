// The JSON request decoding of every resource: the input is the body of a
// request to one of the routes that take a body (POST, PATCH, PUT; the first
// byte picks which), sent by an admin through the whole API pipeline
// (authentication, idempotency, the handler). Nothing is answered 5xx.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "api_fixture.h"

using namespace payops;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto& f = fuzz::ApiFixture::Get();
  static const std::vector<const http::Route*> routes = [&] {
    std::vector<const http::Route*> out;
    for (const auto& r : f.api->router().routes()) {
      if (r.method == "POST" || r.method == "PATCH" || r.method == "PUT") out.push_back(&r);
    }
    if (std::getenv("PAYOPS_FUZZ_TRACE")) {  // the first byte of each route, for seeds
      for (size_t i = 0; i < out.size(); ++i) {
        std::fprintf(stderr, "route %zu %s %s\n", i, out[i]->method.c_str(),
                     out[i]->pattern.c_str());
      }
    }
    return out;
  }();
  const http::Route* route = routes[data[0] % routes.size()];
  http::HttpRequest req;
  req.method = route->method;
  // Every path parameter names the demo org: far enough for the handlers
  // that look the org up before they read the body.
  for (const std::string& seg : route->segments) {
    req.path += '/';
    bool param = seg.size() > 2 && seg.front() == '{';
    req.path += param ? f.org_id : seg;
    if (param) req.params[seg.substr(1, seg.size() - 2)] = f.org_id;
  }
  req.target = req.path;
  req.body.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  req.authorization = "Bearer " + f.admin_key;
  req.request_id = "req_fuzz";
  http::HttpResponse res = f.api->Handle(req, route);
  fuzz::ApiFixture::ExpectNoServerError(req, res);
  return 0;
}
