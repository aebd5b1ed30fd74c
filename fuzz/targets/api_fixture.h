// The whole API in process for the fuzz targets that send it requests: a
// migrated in-memory SQLite store, the sandbox clock, the demo org and an
// admin key, as `payops serve --sandbox` has them. Built once per process.
#pragma once

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "payops/adapters/balance_provider.h"
#include "payops/adapters/geoip.h"
#include "payops/adapters/secret_box.h"
#include "payops/http/api.h"
#include "payops/service/demo.h"
#include "payops/store/store.h"

namespace payops::fuzz {

struct ApiFixture {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<ManualClock> clock;
  std::unique_ptr<service::Env> env;
  adapters::SandboxBalanceProvider balance;
  std::unique_ptr<adapters::GeoIp> geoip;  // Debian's database, as serve opens it
  std::optional<adapters::SecretBox> secrets;
  std::unique_ptr<jobs::JobRunner> runner;
  std::unique_ptr<http::Api> api;
  std::string org_id;
  std::string admin_key;

  static ApiFixture& Get() {
    static ApiFixture* f = [] {
      auto* x = new ApiFixture();
      x->Init();
      return x;
    }();
    return *f;
  }

  // A request answered 5xx is a server defect: the fuzzer stops on it.
  static void ExpectNoServerError(const http::HttpRequest& req, const http::HttpResponse& res) {
    static const bool trace = std::getenv("PAYOPS_FUZZ_TRACE") != nullptr;
    if (trace) {
      std::fprintf(stderr, "%s %s -> %d %.200s\n", req.method.c_str(), req.target.c_str(),
                   res.status, res.body.c_str());
    }
    if (res.status < 500) return;
    std::fprintf(stderr, "%s %s answered %d: %s\n", req.method.c_str(), req.target.c_str(),
                 res.status, res.body.c_str());
    std::abort();
  }

 private:
  void Die(const char* what) {
    std::fprintf(stderr, "fuzz fixture: %s\n", what);
    std::abort();
  }

  void Init() {
    spdlog::set_level(spdlog::level::off);
    auto s = store::Open("sqlite://:memory:");
    if (!s.ok()) Die("store");
    store = std::move(*s);
    if (!store::Migrate(*store).ok()) Die("migrate");
    auto start = ParseRfc3339("2030-01-07T05:00:00-08:00");
    clock = std::make_unique<ManualClock>(*start);
    env = std::make_unique<service::Env>(*store, *clock, true);
    env->balance = &balance;
    auto g = adapters::OpenGeoIp("");
    if (!g.ok()) Die("geoip");
    geoip = std::move(*g);
    env->geoip = geoip.get();
    auto box = adapters::SecretBox::FromHexKey(std::string(64, '7'));
    if (!box.ok()) Die("secret box");
    secrets.emplace(std::move(*box));
    env->secrets = &*secrets;
    runner = std::make_unique<jobs::JobRunner>(*env);
    api =
        std::make_unique<http::Api>(*env, *runner, clock.get(), http::ApiOptions{.sandbox = true});
    auto demo = service::SeedDemo(*env);
    if (!demo.ok()) Die(("demo: " + demo.error().message).c_str());
    org_id = demo->org_id;
    for (const auto& k : demo->keys) {
      if (k.role == "admin") admin_key = k.key;
    }
    if (admin_key.empty()) Die("no admin key");
  }
};

}  // namespace payops::fuzz
