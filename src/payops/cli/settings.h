// What several commands share: logging, the sandbox clock's start, the desk
// settings of the configuration.
#pragma once

#include <optional>
#include <string>

#include "payops/cli/config.h"
#include "payops/core/sla.h"
#include "payops/service/env.h"
#include "payops/store/store.h"

namespace payops::cli {

// logfmt lines on standard error at the configured level.
void SetUpLogging(const Config& cfg);

// The sandbox clock resumes where it was left, or starts at `start` (the later
// of the two), or at the real time.
Result<Instant> SandboxStart(store::Store& s, const std::string& start);

// The business calendar, SLA rules and desk settings of `cfg` on `env`;
// `rules` keeps the SLA rules env points to.
Status ApplyDeskSettings(const Config& cfg, service::Env& env,
                         std::optional<desk::SlaRules>& rules);

}  // namespace payops::cli
