// docs/openapi.yaml and the server's routes agree, both ways.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "payops/http/api.h"

namespace payops::http {
namespace {

// Reads "  /path:" and "    method:" lines of the paths section.
std::set<std::string> DocumentedRoutes(const std::string& file) {
  std::ifstream in(file);
  std::set<std::string> out;
  std::string line, path;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (in_paths && !line.empty() && line[0] != ' ') break;
    if (!in_paths) continue;
    if (line.rfind("  /", 0) == 0 && line.back() == ':') {
      path = line.substr(2, line.size() - 3);
    } else if (line.size() > 5 && line.rfind("    ", 0) == 0 && line[4] != ' ') {
      std::string m = line.substr(4, line.find(':') - 4);
      for (const char* verb : {"get", "post", "patch", "put", "delete"}) {
        if (m == verb) {
          for (char& c : m) c = static_cast<char>(std::toupper(c));
          out.insert(m + " " + path);
        }
      }
    }
  }
  return out;
}

TEST(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  auto store = store::Open("sqlite://:memory:");
  ASSERT_TRUE(store.ok());
  ManualClock clock(FromMicros(0));
  service::Env env(**store, clock, true);
  jobs::JobRunner runner(env);
  Api api(env, runner, &clock, ApiOptions{.sandbox = true});
  std::set<std::string> served;
  for (const Route& r : api.router().routes()) served.insert(r.method + " " + r.pattern);
  std::set<std::string> documented = DocumentedRoutes(PAYOPS_OPENAPI_FILE);
  ASSERT_FALSE(documented.empty());
  for (const auto& r : served) EXPECT_TRUE(documented.count(r)) << r << " is not in openapi.yaml";
  for (const auto& r : documented)
    EXPECT_TRUE(served.count(r)) << r << " is documented but not served";
}

}  // namespace
}  // namespace payops::http
