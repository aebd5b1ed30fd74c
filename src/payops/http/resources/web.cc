// GET / (the page) and GET /assets/{name}: the embedded files of web/, sent
// gzipped when the request's Accept-Encoding allows it.
#include <map>

#include "payops/adapters/gzip.h"
#include "payops/http/api.h"
#include "payops/http/web_assets.h"

namespace payops::http {
namespace {

// Whether Accept-Encoding lists gzip (or *) without q=0.
bool AcceptsGzip(std::string_view header) {
  size_t start = 0;
  while (start <= header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string_view::npos) end = header.size();
    std::string_view item = header.substr(start, end - start);
    size_t semi = item.find(';');
    std::string_view coding = item.substr(0, semi);
    while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t')) {
      coding.remove_prefix(1);
    }
    while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t')) {
      coding.remove_suffix(1);
    }
    bool zero = false;
    if (semi != std::string_view::npos) {
      std::string q(item.substr(semi + 1));
      std::erase_if(q, [](char c) { return c == ' ' || c == '\t'; });
      // q=0, q=0.0, q=0.00, q=0.000: refused.
      zero = q.starts_with("q=0") && q.find_first_not_of("0.", 3) == std::string::npos;
    }
    if ((coding == "gzip" || coding == "x-gzip" || coding == "*") && !zero) return true;
    start = end + 1;
  }
  return false;
}

// The gzip form of each asset, made once on first use.
const std::string& Gzipped(const WebAsset& a) {
  static const std::map<std::string_view, std::string> zipped = [] {
    std::map<std::string_view, std::string> m;
    for (const WebAsset& w : WebAssets()) m.emplace(w.name, adapters::Gzip(w.body));
    return m;
  }();
  return zipped.at(a.name);
}

HttpResponse Serve(const WebAsset& a, const HttpRequest& req) {
  HttpResponse r;
  r.content_type = std::string(a.content_type);
  if (AcceptsGzip(req.accept_encoding)) {
    r.body = Gzipped(a);
    r.headers.emplace_back("Content-Encoding", "gzip");
  } else {
    r.body = std::string(a.body);
  }
  r.headers.emplace_back("Vary", "Accept-Encoding");
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
      "GET", "/", [](HttpRequest& req) { return Serve(*Find("index.html"), req); }, open_inline);
  api.router().Add(
      "GET", "/assets/{name}",
      [](HttpRequest& req) {
        const WebAsset* a = Find(req.Param("name"));
        if (a == nullptr || a->name == "index.html") {
          return ErrorResponse(Error::NotFound("asset"), req.request_id);
        }
        return Serve(*a, req);
      },
      open_inline);
}

}  // namespace payops::http
