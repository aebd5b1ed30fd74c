// GET / (the page) and GET /assets/{name}: the embedded files of web/.
#include "payops/http/api.h"
#include "payops/http/web_assets.h"

namespace payops::http {
namespace {

HttpResponse Serve(const WebAsset& a) {
  HttpResponse r;
  r.content_type = std::string(a.content_type);
  r.body = std::string(a.body);
  r.headers.emplace_back("Cache-Control", "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; frame-ancestors 'none'; base-uri 'none'");
  return r;
}

const WebAsset* Find(std::string_view name) {
  for (const WebAsset& a : WebAssets()) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

}  // namespace

void RegisterWeb(Api& api) {
  RouteOptions open_inline{.auth = false, .run_inline = true};
  api.router().Add(
      "GET", "/", [](HttpRequest&) { return Serve(*Find("index.html")); }, open_inline);
  api.router().Add(
      "GET", "/assets/{name}",
      [](HttpRequest& req) {
        const WebAsset* a = Find(req.Param("name"));
        if (a == nullptr || a->name == "index.html") {
          return ErrorResponse(Error::NotFound("asset"), req.request_id);
        }
        return Serve(*a);
      },
      open_inline);
}

}  // namespace payops::http
