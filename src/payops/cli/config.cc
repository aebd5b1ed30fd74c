#include "payops/cli/config.h"

#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>

#include "payops/core/inbound_mail.h"
#include "payops/core/mime.h"
#include "payops/core/nacha.h"
#include "payops/core/ticket.h"
#include "payops/core/validate.h"
#include "payops/service/mail_ingest.h"

namespace payops::cli {
namespace {

// The value of an integer node; nullopt for any other kind. A float is never
// converted (toml++ would cast 8e99 into an int64_t, which is undefined).
std::optional<int64_t> IntegerOf(const toml::node& n) {
  if (const auto* i = n.as_integer()) return i->get();
  return std::nullopt;
}

Status BadConfig(const std::string& msg) {
  return Error::Invalid("invalid_config", msg, "config");
}

Result<int> ParseInt(std::string_view s, std::string_view what, int lo, int hi) {
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) {
    return Error::Invalid("invalid_config",
                          std::string(what) + " must be an integer from " + std::to_string(lo) +
                              " to " + std::to_string(hi),
                          std::string(what));
  }
  return v;
}

Result<bool> ParseBool(std::string_view s, std::string_view what) {
  if (s == "1" || s == "true" || s == "yes") return true;
  if (s == "0" || s == "false" || s == "no" || s.empty()) return false;
  return Error::Invalid("invalid_config", std::string(what) + " must be true or false",
                        std::string(what));
}

Status LoadRisk(const toml::table& t, Config& cfg) {
  struct Field {
    const char* name;
    int64_t RiskConfig::*member;
  };
  static constexpr Field kFields[] = {
      {"amount_high_ratio_bp", &RiskConfig::amount_high_ratio_bp},
      {"amount_high_points", &RiskConfig::amount_high_points},
      {"amount_mid_ratio_bp", &RiskConfig::amount_mid_ratio_bp},
      {"amount_mid_points", &RiskConfig::amount_mid_points},
      {"velocity_free_count", &RiskConfig::velocity_free_count},
      {"velocity_points_each", &RiskConfig::velocity_points_each},
      {"velocity_max_points", &RiskConfig::velocity_max_points},
      {"new_recipient_points", &RiskConfig::new_recipient_points},
      {"new_device_points", &RiskConfig::new_device_points},
      {"young_account_days", &RiskConfig::young_account_days},
      {"young_account_points", &RiskConfig::young_account_points},
      {"earlier_return_points_each", &RiskConfig::earlier_return_points_each},
      {"earlier_returns_max_points", &RiskConfig::earlier_returns_max_points},
      {"moderate_from", &RiskConfig::moderate_from},
      {"high_from", &RiskConfig::high_from},
  };
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    if (key == "high_action") {
      auto a = v.value<std::string>();
      if (a == "hold") {
        cfg.high_risk_action = HighRiskAction::kHold;
      } else if (a == "cancel") {
        cfg.high_risk_action = HighRiskAction::kCancel;
      } else {
        return BadConfig("risk.high_action must be \"hold\" or \"cancel\"");
      }
      continue;
    }
    const Field* f = nullptr;
    for (const Field& candidate : kFields) {
      if (key == candidate.name) f = &candidate;
    }
    auto n = IntegerOf(v);
    if (f == nullptr || !n) return BadConfig("unknown or non-integer key risk." + key);
    cfg.risk.*(f->member) = *n;
  }
  Status valid = ValidateRiskConfig(cfg.risk);
  if (!valid.ok()) return BadConfig("risk: " + valid.error().message);
  return Status::Ok();
}

Status LoadLimits(const toml::table& t, Config& cfg) {
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    int tier = key == "tier1" ? 1 : key == "tier2" ? 2 : key == "tier3" ? 3 : 0;
    if (tier == 0 || !v.is_table()) return BadConfig("limits has tier1, tier2 and tier3 tables");
    TierLimit& limit = cfg.tier_limits.by_tier[static_cast<size_t>(tier - 1)];
    for (auto&& [lk, lv] : *v.as_table()) {
      std::string lkey(lk.str());
      auto n = IntegerOf(lv);
      if (!n) return BadConfig("limits." + key + "." + lkey + " must be an integer");
      if (lkey == "per_transaction")
        limit.per_transaction_minor = *n;
      else if (lkey == "daily")
        limit.daily_minor = *n;
      else if (lkey == "rolling_30_days")
        limit.rolling_30_days_minor = *n;
      else
        return BadConfig("unknown key limits." + key + "." + lkey);
    }
  }
  Status valid = ValidateTierLimits(cfg.tier_limits);
  if (!valid.ok()) return BadConfig("limits: " + valid.error().message);
  return Status::Ok();
}

// [sla.<plan>.<priority>] first_response_minutes, resolution_minutes,
// clock = "working" | "24x7": replaces that row of the SPEC's table.
Status LoadSlaTable(const toml::table& t, Config& cfg) {
  for (auto&& [pk, pv] : t) {
    std::string plan_name(pk.str());
    auto plan = desk::ParseSlaPlan(plan_name);
    if (!plan.ok() || !pv.is_table())
      return BadConfig("sla has essentials, reserve and vip tables");
    for (auto&& [rk, rv] : *pv.as_table()) {
      std::string priority_name(rk.str());
      auto priority = desk::ParsePriority(priority_name);
      if (!priority.ok() || !rv.is_table()) {
        return BadConfig("sla." + plan_name + " has urgent, high, medium and low tables");
      }
      desk::SlaTarget& row = cfg.sla_table.at(*plan, *priority);
      for (auto&& [fk, fv] : *rv.as_table()) {
        std::string field(fk.str());
        std::string where = "sla." + plan_name + "." + priority_name + "." + field;
        if (field == "clock") {
          auto text = fv.value<std::string>();
          if (!text || (*text != "working" && *text != "24x7")) {
            return BadConfig(where + " must be \"working\" or \"24x7\"");
          }
          row.clock =
              *text == "working" ? desk::SlaClockKind::kWorking : desk::SlaClockKind::kAlwaysOn;
          continue;
        }
        auto n = IntegerOf(fv);
        if (!n) return BadConfig(where + " must be an integer of minutes");
        if (field == "first_response_minutes")
          row.first_response_minutes = *n;
        else if (field == "resolution_minutes")
          row.resolution_minutes = *n;
        else
          return BadConfig("unknown key " + where);
      }
    }
  }
  Status valid = desk::ValidateSlaTable(cfg.sla_table);
  if (!valid.ok()) return BadConfig("sla: " + valid.error().message);
  return Status::Ok();
}

Status CheckSmtpUrl(const std::string& url) {
  if (url.empty() || url.rfind("smtp://", 0) == 0 || url.rfind("smtps://", 0) == 0) {
    return Status::Ok();
  }
  return BadConfig("smtp.url must start with smtp:// or smtps://");
}

Status LoadSmtp(const toml::table& t, Config& cfg) {
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    if (key == "starttls") {
      if (!v.is_boolean()) return BadConfig("smtp.starttls must be true or false");
      cfg.smtp_starttls = *v.value<bool>();
      continue;
    }
    if (key == "timeout_s") {
      auto n = IntegerOf(v);
      if (!n || *n < 1 || *n > 600) return BadConfig("smtp.timeout_s must be 1 to 600");
      cfg.smtp_timeout_s = static_cast<int>(*n);
      continue;
    }
    auto text = v.value<std::string>();
    if (!text) return BadConfig("smtp." + key + " must be a string");
    if (key == "url") {
      cfg.smtp_url = *text;
    } else if (key == "username") {
      cfg.smtp_username = *text;
    } else if (key == "password") {
      cfg.smtp_password = *text;
    } else if (key == "from") {
      if (!mail::ParseMailbox(*text).ok()) {
        return BadConfig("smtp.from must be \"Name <address>\" or an address");
      }
      cfg.smtp_from = *text;
    } else {
      return BadConfig("unknown key smtp." + key);
    }
  }
  return CheckSmtpUrl(cfg.smtp_url);
}

// [mail.addresses] "billing@example.com" = "billing": the category of a new
// ticket mailed to that address.
Status LoadMail(const toml::table& t, Config& cfg) {
  for (auto&& [k, v] : t) {
    if (k.str() != "addresses" || !v.is_table()) return BadConfig("mail has one table, addresses");
    for (auto&& [ak, av] : *v.as_table()) {
      std::string address(ak.str());
      auto category = av.value<std::string>();
      if (!IsEmail(address)) {
        return BadConfig("mail.addresses: \"" + address + "\" is not an email address");
      }
      if (!category || !desk::ParseCategory(*category).ok()) {
        return BadConfig("mail.addresses.\"" + address + "\" must name a ticket category");
      }
      if (cfg.mail_addresses.size() >= service::kMaxMailAddressCategories) {
        return BadConfig("mail.addresses holds at most " +
                         std::to_string(service::kMaxMailAddressCategories) + " addresses");
      }
      cfg.mail_addresses.emplace_back(ToLowerAscii(address), *category);
    }
  }
  return Status::Ok();
}

Status LoadMonitors(const toml::table& t, Config& cfg) {
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    if (key == "allow_private" || key == "builtin") {
      if (!v.is_boolean()) return BadConfig("monitors." + key + " must be true or false");
      (key == "allow_private" ? cfg.monitors_allow_private : cfg.monitors_builtin) =
          *v.value<bool>();
    } else if (key == "announce_hours") {
      auto n = IntegerOf(v);
      if (!n || *n < 0 || *n > 24 * 30)
        return BadConfig("monitors.announce_hours must be 0 to 720");
      cfg.monitors_announce_hours = static_cast<int>(*n);
    } else if (key == "outbox_backlog_max") {
      auto n = IntegerOf(v);
      if (!n || *n < 1 || *n > 10000000) {
        return BadConfig("monitors.outbox_backlog_max must be 1 to 10000000");
      }
      cfg.monitors_outbox_backlog_max = *n;
    } else {
      return BadConfig("unknown key monitors." + key);
    }
  }
  return Status::Ok();
}

Status LoadPaging(const toml::table& t, Config& cfg) {
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    auto text = v.value<std::string>();
    if (!text) return BadConfig("paging." + key + " must be a string");
    if (key == "url") {
      if (text->rfind("http://", 0) != 0 && text->rfind("https://", 0) != 0) {
        return BadConfig("paging.url must be an http(s) URL");
      }
      cfg.paging_url = *text;
    } else if (key == "routing_key") {
      cfg.paging_routing_key = *text;
    } else {
      return BadConfig("unknown key paging." + key);
    }
  }
  return Status::Ok();
}

Status LoadDelivery(const toml::table& t, Config& cfg) {
  struct Field {
    const char* name;
    int Config::*member;
    int lo, hi;
  };
  static constexpr Field kFields[] = {
      {"max_attempts", &Config::delivery_max_attempts, 1, 100},
      {"retry_base_s", &Config::delivery_retry_base_s, 1, 86400},
      {"retry_max_s", &Config::delivery_retry_max_s, 1, 7 * 86400},
      {"timeout_s", &Config::delivery_timeout_s, 1, 600},
      {"max_queued", &Config::delivery_max_queued, 1, 10000000},
      {"max_queued_per_webhook", &Config::delivery_max_queued_per_webhook, 1, 10000000},
  };
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    const Field* f = nullptr;
    for (const Field& candidate : kFields) {
      if (key == candidate.name) f = &candidate;
    }
    auto n = IntegerOf(v);
    if (f == nullptr || !n || *n < f->lo || *n > f->hi) {
      return BadConfig("unknown or out-of-range key delivery." + key);
    }
    cfg.*(f->member) = static_cast<int>(*n);
  }
  return Status::Ok();
}

}  // namespace

namespace {

Status ApplyConfigTable(const toml::table& t, const std::string& source, Config& cfg);

}  // namespace

Status LoadConfigFile(const std::string& path, Config& cfg) {
  toml::table t;
  try {
    t = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return BadConfig("cannot read config " + path + ": " + std::string(e.description()));
  }
  return ApplyConfigTable(t, path, cfg);
}

Status LoadConfigText(std::string_view text, Config& cfg) {
  toml::table t;
  try {
    t = toml::parse(text);
  } catch (const toml::parse_error& e) {
    return BadConfig("cannot read config: " + std::string(e.description()));
  }
  return ApplyConfigTable(t, "the configuration", cfg);
}

namespace {

Status ApplyConfigTable(const toml::table& t, const std::string& source, Config& cfg) {
  for (auto&& [k, v] : t) {
    std::string key(k.str());
    if (key == "store") {
      if (!v.is_string()) return BadConfig("store must be a string");
      cfg.store = v.value_or(std::string());
    } else if (key == "listen") {
      if (!v.is_string()) return BadConfig("listen must be a string");
      cfg.listen = v.value_or(std::string());
    } else if (key == "sandbox") {
      if (!v.is_boolean()) return BadConfig("sandbox must be true or false");
      cfg.sandbox = v.value_or(false);
    } else if (key == "log_level") {
      cfg.log_level = v.value_or(std::string("info"));
    } else if (key == "holidays") {
      const toml::array* days = v.as_array();
      if (!days) return BadConfig("holidays must be an array of \"YYYY-MM-DD\" strings");
      for (auto&& d : *days) {
        auto text = d.value<std::string>();
        if (!text) return BadConfig("holidays must be an array of \"YYYY-MM-DD\" strings");
        cfg.extra_holidays.push_back(*text);
      }
    } else if (key == "encryption_key") {
      if (!v.is_string()) return BadConfig("encryption_key must be a string of 64 hex digits");
      cfg.encryption_key = v.value_or(std::string());
    } else if (key == "state_dir") {
      if (!v.is_string() || v.value_or(std::string()).empty()) {
        return BadConfig("state_dir must name a directory");
      }
      cfg.state_dir = v.value_or(std::string());
    } else if (key == "geoip") {
      if (!v.is_string()) return BadConfig("geoip must be a string");
      cfg.geoip = v.value_or(std::string());
    } else if (key == "access_log") {
      cfg.access_log = v.value_or(false);
    } else if (key == "server" && v.is_table()) {
      for (auto&& [sk, sv] : *v.as_table()) {
        std::string skey(sk.str());
        auto n = IntegerOf(sv);
        if (!n) return BadConfig("server." + skey + " must be an integer");
        if (skey == "io_threads" && *n >= 1 && *n <= 64)
          cfg.io_threads = static_cast<int>(*n);
        else if (skey == "worker_threads" && *n >= 1 && *n <= 1024)
          cfg.worker_threads = static_cast<int>(*n);
        else if (skey == "shutdown_grace_s" && *n >= 0 && *n <= 600)
          cfg.shutdown_grace_s = static_cast<int>(*n);
        else if (skey == "max_pending_requests" && *n >= 1 && *n <= 1000000)
          cfg.max_pending_requests = static_cast<int>(*n);
        else if (skey == "max_connections" && *n >= 1 && *n <= 1000000)
          cfg.max_connections = static_cast<int>(*n);
        else if (skey == "read_timeout_s" && *n >= 1 && *n <= 3600)
          cfg.read_timeout_s = static_cast<int>(*n);
        else if (skey == "idle_timeout_s" && *n >= 1 && *n <= 3600)
          cfg.idle_timeout_s = static_cast<int>(*n);
        else
          return BadConfig("unknown or out-of-range key server." + skey);
      }
    } else if (key == "rate_limits" && v.is_table()) {
      struct Field {
        const char* name;
        int64_t Config::*member;
      };
      static constexpr Field kFields[] = {
          {"per_key_per_minute", &Config::per_key_per_minute},
          {"per_key_burst", &Config::per_key_burst},
          {"per_address_per_minute", &Config::per_address_per_minute},
          {"per_address_burst", &Config::per_address_burst},
          {"auth_failures_per_minute", &Config::auth_failures_per_minute},
          {"auth_failures_burst", &Config::auth_failures_burst},
      };
      for (auto&& [rk, rv] : *v.as_table()) {
        std::string rkey(rk.str());
        const Field* f = nullptr;
        for (const Field& candidate : kFields) {
          if (rkey == candidate.name) f = &candidate;
        }
        auto n = IntegerOf(rv);
        if (f == nullptr || !n || *n < 0 || *n > 1000000000) {
          return BadConfig("rate_limits." + rkey +
                           " is unknown or not an integer from 0 to 1000000000");
        }
        cfg.*(f->member) = *n;
      }
    } else if (key == "desk" && v.is_table()) {
      for (auto&& [dk, dv] : *v.as_table()) {
        std::string dkey(dk.str());
        auto text = dv.value<std::string>();
        if (!text) return BadConfig("desk." + dkey + " must be a string");
        if (dkey == "public_url")
          cfg.public_url = *text;
        else if (dkey == "operations_email" && IsEmail(*text))
          cfg.operations_email = *text;
        else
          return BadConfig("unknown or invalid key desk." + dkey);
      }
    } else if (key == "ach" && v.is_table()) {
      for (auto&& [ak, av] : *v.as_table()) {
        std::string akey(ak.str());
        auto text = av.value<std::string>();
        if (!text) return BadConfig("ach." + akey + " must be a string");
        if (akey == "odfi_routing")
          cfg.ach_odfi_routing = *text;
        else if (akey == "destination_routing")
          cfg.ach_destination_routing = *text;
        else if (akey == "company_name")
          cfg.ach_company_name = *text;
        else if (akey == "company_id")
          cfg.ach_company_id = *text;
        else if (akey == "sec_code")
          cfg.ach_sec_code = *text;
        else
          return BadConfig("unknown key ach." + akey);
      }
      if (cfg.ach_sec_code != "WEB" && cfg.ach_sec_code != "PPD" && cfg.ach_sec_code != "CCD") {
        return BadConfig("ach.sec_code must be WEB, PPD or CCD");
      }
      for (const std::string* r : {&cfg.ach_odfi_routing, &cfg.ach_destination_routing}) {
        if (!nacha::IsValidRoutingNumber(*r)) {
          return BadConfig("ach routing number " + *r + " fails the ABA check");
        }
      }
    } else if (key == "smtp" && v.is_table()) {
      PAYOPS_TRY(LoadSmtp(*v.as_table(), cfg));
    } else if (key == "mail" && v.is_table()) {
      PAYOPS_TRY(LoadMail(*v.as_table(), cfg));
    } else if (key == "paging" && v.is_table()) {
      PAYOPS_TRY(LoadPaging(*v.as_table(), cfg));
    } else if (key == "jobs" && v.is_table()) {
      for (auto&& [jk, jv] : *v.as_table()) {
        auto n = IntegerOf(jv);
        if (std::string(jk.str()) != "lease_s" || !n || *n < 1 || *n > 3600) {
          return BadConfig("unknown or out-of-range key jobs." + std::string(jk.str()));
        }
        cfg.job_lease_s = static_cast<int>(*n);
      }
    } else if (key == "monitors" && v.is_table()) {
      PAYOPS_TRY(LoadMonitors(*v.as_table(), cfg));
    } else if (key == "delivery" && v.is_table()) {
      PAYOPS_TRY(LoadDelivery(*v.as_table(), cfg));
    } else if (key == "risk" && v.is_table()) {
      PAYOPS_TRY(LoadRisk(*v.as_table(), cfg));
    } else if (key == "sla" && v.is_table()) {
      PAYOPS_TRY(LoadSlaTable(*v.as_table(), cfg));
    } else if (key == "limits" && v.is_table()) {
      PAYOPS_TRY(LoadLimits(*v.as_table(), cfg));
    } else if (key == "store_options" && v.is_table()) {
      for (auto&& [sk, sv] : *v.as_table()) {
        auto n = IntegerOf(sv);
        const std::string name(sk.str());
        if (name == "connections" && n && *n >= 1 && *n <= 256) {
          cfg.store_connections = static_cast<int>(*n);
        } else if (name == "writer_cache_kib" && n && *n >= 1024 && *n <= (1 << 22)) {
          cfg.writer_cache_kib = static_cast<int>(*n);
        } else if (name == "reader_cache_kib" && n && *n >= 1024 && *n <= (1 << 22)) {
          cfg.reader_cache_kib = static_cast<int>(*n);
        } else if (name == "statement_timeout_ms" && n && *n >= 100 && *n <= 3600000) {
          cfg.statement_timeout_ms = static_cast<int>(*n);
        } else if (name == "connect_timeout_s" && n && *n >= 1 && *n <= 600) {
          cfg.connect_timeout_s = static_cast<int>(*n);
        } else if (name == "acquire_timeout_ms" && n && *n >= 10 && *n <= 600000) {
          cfg.acquire_timeout_ms = static_cast<int>(*n);
        } else if (name == "pipelined_sync" && sv.is_boolean()) {
          cfg.pipelined_sync = *sv.value<bool>();
        } else {
          return BadConfig("unknown or out-of-range key store_options." + std::string(sk.str()));
        }
      }
    } else {
      return BadConfig("unknown key '" + key + "' in " + source);
    }
  }
  return Status::Ok();
}

}  // namespace

Status ApplyEnvironment(Config& cfg) {
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v) return std::nullopt;
    return std::string(v);
  };
  if (auto v = env("PAYOPS_STORE")) cfg.store = *v;
  if (auto v = env("PAYOPS_LISTEN")) cfg.listen = *v;
  if (auto v = env("PAYOPS_SANDBOX")) {
    PAYOPS_ASSIGN_OR_RETURN(cfg.sandbox, ParseBool(*v, "PAYOPS_SANDBOX"));
  }
  if (auto v = env("PAYOPS_LOG_LEVEL")) cfg.log_level = *v;
  if (auto v = env("PAYOPS_ENCRYPTION_KEY")) cfg.encryption_key = *v;
  if (auto v = env("PAYOPS_GEOIP")) cfg.geoip = *v;
  if (auto v = env("PAYOPS_STATE_DIR")) {
    if (v->empty()) return BadConfig("PAYOPS_STATE_DIR must name a directory");
    cfg.state_dir = *v;
  }
  if (auto v = env("PAYOPS_ACCESS_LOG")) {
    PAYOPS_ASSIGN_OR_RETURN(cfg.access_log, ParseBool(*v, "PAYOPS_ACCESS_LOG"));
  }
  if (auto v = env("PAYOPS_SMTP_URL")) {
    PAYOPS_TRY(CheckSmtpUrl(*v));
    cfg.smtp_url = *v;
  }
  if (auto v = env("PAYOPS_SMTP_PASSWORD")) cfg.smtp_password = *v;
  if (auto v = env("PAYOPS_PAGING_ROUTING_KEY")) cfg.paging_routing_key = *v;
  if (auto v = env("PAYOPS_IO_THREADS")) {
    PAYOPS_ASSIGN_OR_RETURN(cfg.io_threads, ParseInt(*v, "PAYOPS_IO_THREADS", 1, 64));
  }
  if (auto v = env("PAYOPS_WORKER_THREADS")) {
    PAYOPS_ASSIGN_OR_RETURN(cfg.worker_threads, ParseInt(*v, "PAYOPS_WORKER_THREADS", 1, 1024));
  }
  if (auto v = env("PAYOPS_JOB_LEASE_S")) {
    PAYOPS_ASSIGN_OR_RETURN(cfg.job_lease_s, ParseInt(*v, "PAYOPS_JOB_LEASE_S", 1, 3600));
  }
  return Status::Ok();
}

Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Error::Invalid("invalid_listen", "listen must be HOST:PORT", "listen");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  PAYOPS_ASSIGN_OR_RETURN(int port, ParseInt(listen.substr(colon + 1), "listen port", 0, 65535));
  return std::make_pair(host, static_cast<uint16_t>(port));
}

}  // namespace payops::cli
