// docs/openapi.yaml and the server's routes agree, both ways; the routes'
// write options.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <functional>
#include <set>

#include "payops/http/api.h"

namespace payops::http {
namespace {

// The operations of the paths section, read with a YAML library.
std::set<std::string> DocumentedRoutes(const std::string& file) {
  YAML::Node root = YAML::LoadFile(file);
  std::set<std::string> out;
  for (const auto& path : root["paths"]) {
    for (const auto& op : path.second) {
      std::string m = op.first.as<std::string>();
      for (const char* verb : {"get", "post", "patch", "put", "delete"}) {
        if (m == verb) {
          for (char& c : m) c = static_cast<char>(std::toupper(c));
          out.insert(m + " " + path.first.as<std::string>());
        }
      }
    }
  }
  return out;
}

// "METHOD /pattern" of the server's routes that `keep` keeps (a server on an
// in-memory store, never started).
std::set<std::string> ServedRoutes(const std::function<bool(const Route&)>& keep) {
  auto store = store::Open("sqlite://:memory:");
  EXPECT_TRUE(store.ok());
  if (!store.ok()) return {};
  ManualClock clock(FromMicros(0));
  service::Env env(**store, clock, true);
  jobs::JobRunner runner(env);
  Api api(env, runner, &clock, ApiOptions{.sandbox = true});
  std::set<std::string> out;
  for (const Route& r : api.router().routes()) {
    if (keep(r)) out.insert(r.method + " " + r.pattern);
  }
  return out;
}

TEST(OpenApi, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  std::set<std::string> served = ServedRoutes([](const Route&) { return true; });
  ASSERT_FALSE(served.empty());
  std::set<std::string> documented = DocumentedRoutes(PAYOPS_OPENAPI_FILE);
  ASSERT_FALSE(documented.empty());
  for (const auto& r : served) EXPECT_TRUE(documented.count(r)) << r << " is not in openapi.yaml";
  for (const auto& r : documented)
    EXPECT_TRUE(served.count(r)) << r << " is documented but not served";
}

// Only transaction initiation writes after a lock (Store::WriteAfterLock):
// its Idempotency-Key record must be written at that isolation, and no other
// route's write may be.
TEST(Routes, OnlyTransactionInitiationWritesAfterALock) {
  EXPECT_EQ(ServedRoutes([](const Route& r) { return r.options.write_after_lock; }),
            std::set<std::string>{"POST /v1/transactions"});
}

}  // namespace
}  // namespace payops::http
