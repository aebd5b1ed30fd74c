#include "payops/cli/settings.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <charconv>

#include "payops/store/kv.h"

namespace payops::cli {

void SetUpLogging(const Config& cfg) {
  auto logger = spdlog::stderr_logger_mt("payops");
  logger->set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l %v", spdlog::pattern_time_type::utc);
  logger->set_level(spdlog::level::from_str(cfg.log_level));
  spdlog::set_default_logger(logger);
}

Result<Instant> SandboxStart(store::Store& s, const std::string& start) {
  std::optional<std::string> saved;
  PAYOPS_TRY(s.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(saved, store::GetSetting(tx, "sandbox_clock_us"));
    return Status::Ok();
  }));
  Instant now = RealClock().Now();
  if (!start.empty()) {
    auto t = ParseRfc3339(start);
    if (!t) return Error::Invalid("invalid_time", "--clock-start must be RFC 3339", "clock-start");
    now = *t;
  }
  if (saved) {
    int64_t us = 0;
    std::from_chars(saved->data(), saved->data() + saved->size(), us);
    if (FromMicros(us) > now) return FromMicros(us);
  }
  return now;
}

Status ApplyDeskSettings(const Config& cfg, service::Env& env,
                         std::optional<desk::SlaRules>& rules) {
  std::vector<calendar::Date> extra;
  for (const std::string& d : cfg.extra_holidays) {
    auto date = calendar::ParseDate(d);
    if (!date.ok()) {
      return Error::Invalid("invalid_config", "holiday '" + d + "' is not YYYY-MM-DD", "holidays");
    }
    extra.push_back(*date);
  }
  env.holidays = calendar::HolidayCalendar(std::move(extra));
  // The SLA's working hours follow the same business calendar.
  calendar::WorkingSchedule hours;
  hours.holidays = env.holidays;
  PAYOPS_ASSIGN_OR_RETURN(auto sla_rules, desk::SlaRules::Create(cfg.sla_table, hours));
  rules.emplace(std::move(sla_rules));
  env.sla_rules = &*rules;
  env.desk.base_url = cfg.public_url.empty() ? "http://" + cfg.listen : cfg.public_url;
  if (!cfg.operations_email.empty()) env.desk.operations_email = cfg.operations_email;
  return Status::Ok();
}

}  // namespace payops::cli
