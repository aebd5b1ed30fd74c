// The demo data set of `payops demo`: one org with fees and an EMI, a member
// and a fresh API key for every role, and a few end users.
#pragma once

#include <string>
#include <vector>

#include "payops/service/env.h"

namespace payops::service {

struct DemoKey {
  std::string role;
  std::string name;
  std::string key;
};

struct DemoResult {
  std::string org_id;
  bool created = false;  // false: the demo org existed; only new keys were issued
  std::vector<DemoKey> keys;
};

// Seeds the demo if absent and issues new keys (keys are shown once, so a
// second run cannot print the first run's keys).
Result<DemoResult> SeedDemo(Env& env);

}  // namespace payops::service
