// A store of either backend with a sandbox Env wired for the transaction
// pipeline: a manual clock, a fresh secret box, a static GeoIP table and the
// sandbox balance provider. Tests of the pipeline through the store derive
// from it and call SetUpPipeline from their SetUp.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "../store/backend.h"
#include "payops/adapters/balance_provider.h"
#include "payops/adapters/geoip.h"
#include "payops/adapters/secret_box.h"
#include "payops/core/clock.h"
#include "payops/core/org.h"
#include "payops/service/env.h"

namespace payops::testing {

class PipelineTest : public BackendTest {
 protected:
  // `start`: the clock's reading (RFC 3339); `countries`: GeoIP by address.
  void SetUpPipeline(const std::string& start, std::map<std::string, std::string> countries) {
    auto at = ParseRfc3339(start);
    ASSERT_TRUE(at.has_value()) << start;
    clock_ = std::make_unique<ManualClock>(*at);
    env_ = std::make_unique<service::Env>(*store_, *clock_, /*sandbox_mode=*/true);
    auto box = adapters::SecretBox::FromHexKey(adapters::SecretBox::NewHexKey());
    ASSERT_TRUE(box.ok());
    secrets_ = std::make_unique<adapters::SecretBox>(std::move(*box));
    geoip_ = std::make_unique<adapters::StaticGeoIp>(std::move(countries));
    env_->geoip = geoip_.get();
    env_->balance = &balance_;
    env_->secrets = secrets_.get();
  }
  // An org sending US → MX with fees of 0.25 (payin) and 0.10 (payout) USD.
  static Org CorridorOrg(const std::string& name, const std::string& domain) {
    Org o;
    o.name = name;
    o.domain = domain;
    o.sla_plan = "vip";
    o.hypercare_plan = "pro";
    o.bau_plan = "pro";
    o.go_live_date = "2026-01-05";
    o.allowed_countries = {"US", "MX"};
    o.fees = {Fee{"payin", "USD", "US-MX", 25}, Fee{"payout", "USD", "US-MX", 10}};
    return o;
  }
  void TearDown() override {
    env_.reset();
    BackendTest::TearDown();
  }

  std::unique_ptr<ManualClock> clock_;
  std::unique_ptr<service::Env> env_;
  std::unique_ptr<adapters::SecretBox> secrets_;
  std::unique_ptr<adapters::GeoIp> geoip_;
  adapters::SandboxBalanceProvider balance_;
};

}  // namespace payops::testing
