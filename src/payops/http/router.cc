#include "payops/http/router.h"

#include <cassert>

namespace payops::http {
namespace {

constexpr size_t kMaxSegments = 16;

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> out;
  size_t start = 1;
  while (start <= path.size() && out.size() <= kMaxSegments) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

}  // namespace

void Router::Add(std::string method, std::string pattern, Handler handler, RouteOptions options) {
  assert(!pattern.empty() && pattern[0] == '/');
  Route r;
  r.method = std::move(method);
  for (std::string_view s : Split(pattern)) r.segments.emplace_back(s);
  r.pattern = std::move(pattern);
  r.handler = std::move(handler);
  r.options = options;
  r.index = routes_.size();
  routes_.push_back(std::move(r));
}

RouteMatch Router::Find(std::string_view method, std::string_view path,
                        std::unordered_map<std::string, std::string>& params) const {
  RouteMatch m;
  if (path.empty() || path[0] != '/') return m;
  std::vector<std::string_view> segs = Split(path);
  if (segs.size() > kMaxSegments) return m;
  for (const Route& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    bool ok = true;
    for (size_t i = 0; i < segs.size() && ok; ++i) {
      const std::string& p = r.segments[i];
      bool is_param = p.size() > 2 && p.front() == '{' && p.back() == '}';
      ok = is_param ? !segs[i].empty() : p == segs[i];
    }
    if (!ok) continue;
    if (r.method != method) {
      m.wrong_method = true;
      if (m.allow.find(r.method) == std::string::npos) {
        m.allow += m.allow.empty() ? r.method : ", " + r.method;
      }
      continue;
    }
    params.clear();
    for (size_t i = 0; i < segs.size(); ++i) {
      const std::string& p = r.segments[i];
      if (p.size() > 2 && p.front() == '{')
        params[p.substr(1, p.size() - 2)] = std::string(segs[i]);
    }
    m.route = &r;
    m.wrong_method = false;
    return m;
  }
  return m;
}

}  // namespace payops::http
