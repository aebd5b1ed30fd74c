// The router and query-string parsing: the input is a request target (path
// and query) sent with the method the first byte picks, parsed as the server
// parses it (Boost.URL origin form), matched against the API's own route
// table and, when a route matches, answered by it for an admin. Nothing is
// answered 5xx.
#include <boost/url/parse.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "api_fixture.h"

using namespace payops;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* const kMethods[] = {"GET", "POST", "PATCH", "PUT", "DELETE", "HEAD"};
  auto& f = fuzz::ApiFixture::Get();
  http::HttpRequest req;
  req.method = kMethods[data[0] % 6];
  req.target.assign(reinterpret_cast<const char*>(data + 1), size - 1);
  auto url = boost::urls::parse_origin_form(req.target);
  if (!url) return 0;  // the server answers 400 bad_target
  req.path = url->path();
  for (auto p : url->params()) req.query.emplace_back(p.key, p.value);
  // The router alone, then the page parameters every list reads.
  std::unordered_map<std::string, std::string> params;
  auto m = f.api->router().Find(req.method, req.path, params);
  if (m.route && m.wrong_method) std::abort();
  (void)http::ParsePage(req);
  const http::Route* route = f.api->Resolve(req);
  if (route == nullptr) return 0;
  // Writes without a body: the route refuses the empty body or acts on it.
  req.authorization = "Bearer " + f.admin_key;
  req.request_id = "req_fuzz";
  http::HttpResponse res = f.api->Handle(req, route);
  fuzz::ApiFixture::ExpectNoServerError(req, res);
  return 0;
}
