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
  std::string email;     // signs in to the web page with
  std::string password;  // this demo password
};

struct DemoResult {
  std::string org_id;
  bool created = false;  // false: the demo org existed; only new keys were issued
  std::vector<DemoKey> keys;
};

// Seeds the demo if absent and issues new keys (keys are shown once, so a
// second run cannot print the first run's keys).
// Every demo person can also sign in to the web page with its email and a
// fixed demo password ("payops-demo-<role>").
Result<DemoResult> SeedDemo(Env& env);

}  // namespace payops::service
