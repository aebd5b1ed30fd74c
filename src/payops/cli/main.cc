// payops: serve | migrate | demo | key create | key rotate-encryption | ach | mail-ingest |
// audit verify | backup | restore
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>

#include "payops/adapters/balance_provider.h"
#include "payops/adapters/geoip.h"
#include "payops/adapters/http_poster.h"
#include "payops/adapters/key_file.h"
#include "payops/adapters/mail_sender.h"
#include "payops/adapters/mime_parser.h"
#include "payops/adapters/secret_box.h"
#include "payops/cli/config.h"
#include "payops/cli/mail_ingest_cmd.h"
#include "payops/cli/settings.h"
#include "payops/core/inbound_mail.h"
#include "payops/core/logfmt.h"
#include "payops/core/mime.h"
#include "payops/core/validate.h"
#include "payops/http/server.h"
#include "payops/jobs/delivery_worker.h"
#include "payops/jobs/desk_jobs.h"
#include "payops/jobs/job_runner.h"
#include "payops/jobs/monitor_jobs.h"
#include "payops/jobs/settlement_jobs.h"
#include "payops/jobs/statement_jobs.h"
#include "payops/service/ach.h"
#include "payops/service/api_keys.h"
#include "payops/service/audit.h"
#include "payops/service/demo.h"
#include "payops/service/encryption_keys.h"
#include "payops/service/idempotency.h"
#include "payops/service/mail_ingest.h"
#include "payops/service/monitors.h"
#include "payops/service/statements.h"
#include "payops/store/kv.h"
#include "payops/store/sqlite_backup.h"
#include "payops/store/store.h"

namespace payops::cli {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct Flags {
  std::string config_file;
  std::optional<std::string> store;
  std::optional<std::string> listen;
  std::optional<std::string> log_level;
  std::optional<std::string> state_dir;
  bool sandbox = false;
  bool bench_hello = false;
  bool access_log = false;
  std::optional<int> io_threads;
  std::optional<int> worker_threads;
  std::string clock_start;
};

int Fail(const Error& e) {
  std::cerr << "payops: " << e.message << " (" << e.code << ")\n";
  return e.kind == ErrorKind::kInvalid ? kExitUsage : kExitFailure;
}

Result<Config> Resolve(const Flags& f) {
  Config cfg;
  const char* env_config = std::getenv("PAYOPS_CONFIG");
  std::string file = !f.config_file.empty() ? f.config_file : (env_config ? env_config : "");
  if (!file.empty()) PAYOPS_TRY(LoadConfigFile(file, cfg));
  PAYOPS_TRY(ApplyEnvironment(cfg));
  if (f.store) cfg.store = *f.store;
  if (f.listen) cfg.listen = *f.listen;
  if (f.log_level) cfg.log_level = *f.log_level;
  if (f.state_dir) cfg.state_dir = *f.state_dir;
  if (f.sandbox) cfg.sandbox = true;
  if (f.bench_hello) cfg.bench_hello = true;
  if (f.access_log) cfg.access_log = true;
  if (f.io_threads) cfg.io_threads = *f.io_threads;
  if (f.worker_threads) cfg.worker_threads = *f.worker_threads;
  cfg.clock_start = f.clock_start;
  return cfg;
}

Result<std::unique_ptr<store::Store>> OpenMigrated(const Config& cfg) {
  store::StoreOptions opt;
  opt.read_connections = cfg.store_connections;
  opt.writer_cache_kib = cfg.writer_cache_kib;
  opt.reader_cache_kib = cfg.reader_cache_kib;
  opt.pipelined_sync = cfg.pipelined_sync;
  opt.statement_timeout_ms = cfg.statement_timeout_ms;
  opt.connect_timeout_s = cfg.connect_timeout_s;
  opt.acquire_timeout_ms = cfg.acquire_timeout_ms;
  PAYOPS_ASSIGN_OR_RETURN(auto s, store::Open(cfg.store, opt));
  PAYOPS_TRY(store::Migrate(*s));
  return s;
}

// The key that seals account numbers: from the configuration or the key file
// (service/encryption_keys.h). `create_if_missing`: sandbox serve and demo make
// the key file of a store that has none; every other command refuses to run
// without a key.
Result<service::KeySettings> KeySettingsFor(const Config& cfg, bool create_if_missing) {
  PAYOPS_ASSIGN_OR_RETURN(std::string key_file, adapters::KeyFileFor(cfg.store, cfg.state_dir));
  return service::KeySettings{cfg.encryption_key, std::move(key_file), create_if_missing};
}

void LogKeyNotes(const std::vector<std::string>& notes) {
  for (const std::string& note : notes) spdlog::warn("msg={}", LogValue(note));
}

Result<adapters::SecretBox> OpenSecrets(const Config& cfg, store::Store& s,
                                        bool create_if_missing) {
  PAYOPS_ASSIGN_OR_RETURN(service::KeySettings settings, KeySettingsFor(cfg, create_if_missing));
  auto opened = service::OpenEncryptionKey(s, settings);
  if (!opened.ok()) return opened.take_error();
  LogKeyNotes(opened->notes);
  spdlog::info("msg=\"account numbers are sealed with the encryption key\" source={}",
               LogValue(opened->source));
  return std::move(opened->box);
}

// `payops key rotate-encryption`: re-seals every account number under a new
// key (--new-key, or a new random one). With a key file the file is replaced;
// with a configured key the new key is printed before anything changes.
int KeyRotate(const Config& cfg, const std::string& new_key) {
  auto settings = KeySettingsFor(cfg, false);
  if (!settings.ok()) return Fail(settings.error());
  std::string hex = new_key.empty() ? adapters::SecretBox::NewHexKey() : new_key;
  if (!adapters::SecretBox::FromHexKey(hex).ok()) {
    return Fail(Error::Invalid("invalid_encryption_key",
                               "--new-key must be 64 hex digits (a 32-byte key)", "new-key"));
  }
  auto s = OpenMigrated(cfg);
  if (!s.ok()) return Fail(s.error());
  const bool configured = !cfg.encryption_key.empty();
  if (configured && new_key.empty()) {
    // Printed before the store changes: whatever happens next, the key that
    // may seal the account numbers is known.
    std::cout << "new encryption key: " << hex << std::endl;
  }
  auto rotation = service::RotateEncryptionKey(**s, *settings, hex);
  if (!rotation.ok()) return Fail(rotation.error());
  LogKeyNotes(rotation->notes);
  std::cout << "re-sealed " << rotation->resealed << " account numbers under the new key\n";
  if (rotation->key_file_replaced) {
    std::cout << "the key file " << settings->key_file << " holds the new key\n";
  } else {
    std::cout << "set encryption_key (or PAYOPS_ENCRYPTION_KEY) to the new key before payops "
                 "starts again\n";
  }
  return 0;
}

int Migrate(const Config& cfg) {
  auto s = OpenMigrated(cfg);
  if (!s.ok()) return Fail(s.error());
  std::cout << "schema at version " << store::LatestSchemaVersion() << "\n";
  return 0;
}

// `payops audit verify`: walks the audit trail's hash chain. Exit 0 when
// every record holds; 1 naming the first broken record otherwise.
int AuditVerify(const Config& cfg) {
  auto s = OpenMigrated(cfg);
  if (!s.ok()) return Fail(s.error());
  auto verdict = service::VerifyAuditTrail(**s);
  if (!verdict.ok()) return Fail(verdict.error());
  if (verdict->first_broken) {
    std::cout << "audit trail broken at record " << *verdict->first_broken << ": "
              << verdict->problem << " (" << verdict->records << " records before it hold)\n";
    return kExitFailure;
  }
  std::cout << "audit trail intact: " << verdict->records << " records\n";
  return 0;
}

// `payops backup FILE`: an online, consistent copy of a live SQLite store.
int Backup(const Config& cfg, const std::string& file) {
  auto pages = store::BackupSqlite(cfg.store, file);
  if (!pages.ok()) return Fail(pages.error());
  std::cout << "backed up " << *pages << " pages of " << cfg.store << " into " << file
            << "\nkeep the store's encryption key (its .key file or encryption_key) safe "
               "separately: the backup needs it\n";
  return 0;
}

// `payops restore FILE`: puts a backup back into a store that no server uses.
int Restore(const Config& cfg, const std::string& file, bool force) {
  auto pages = store::RestoreSqlite(file, cfg.store, force);
  if (!pages.ok()) return Fail(pages.error());
  std::cout << "restored " << *pages << " pages from " << file << " into " << cfg.store << "\n";
  return 0;
}

int KeyCreate(const Config& cfg, const std::string& role, const std::optional<std::string>& org,
              const std::string& name, const std::string& email) {
  auto r = ParseRole(role);
  if (!r) return Fail(Error::Invalid("invalid_value", "unknown role " + role, "role"));
  auto s = OpenMigrated(cfg);
  if (!s.ok()) return Fail(s.error());
  RealClock clock;
  service::Env env(**s, clock);
  auto key =
      service::CreateApiKey(env, Actor::System(), service::NewApiKey{*r, org, name, email, false});
  if (!key.ok()) return Fail(key.error());
  std::cout << key->key << "\n";
  return 0;
}

void ApplyAchSettings(const Config& cfg, service::Env& env) {
  env.ach.odfi_routing = cfg.ach_odfi_routing;
  env.ach.destination_routing = cfg.ach_destination_routing;
  env.ach.company_name = cfg.ach_company_name;
  env.ach.company_id = cfg.ach_company_id;
  env.ach.sec_code = cfg.ach_sec_code;
}

int Demo(const Config& cfg, const std::string& program) {
  auto s = OpenMigrated(cfg);
  if (!s.ok()) return Fail(s.error());
  RealClock clock;
  service::Env env(**s, clock);
  // The demo's transactions run the whole pipeline: GeoIP, the sandbox
  // balance provider and sealed account numbers, as `serve` has them.
  ApplyAchSettings(cfg, env);
  env.risk = cfg.risk;
  env.high_risk_action = cfg.high_risk_action;
  env.tier_limits = cfg.tier_limits;
  env.desk.base_url = cfg.public_url.empty() ? "http://" + cfg.listen : cfg.public_url;
  auto geoip = adapters::OpenGeoIp(cfg.geoip);
  if (!geoip.ok()) return Fail(geoip.error());
  env.geoip = geoip->get();
  adapters::SandboxBalanceProvider balance;
  env.balance = &balance;
  // The demo store is a sandbox one: it gets its key file here if it has none.
  auto secrets = OpenSecrets(cfg, **s, true);
  if (!secrets.ok()) return Fail(secrets.error());
  env.secrets = &*secrets;
  auto demo = service::SeedDemo(env);
  if (!demo.ok()) return Fail(demo.error());
  std::cout << (demo->created ? "Seeded the demo org " : "The demo org exists: ") << demo->org_id
            << "\nAPI keys (shown once):\n";
  for (const auto& k : demo->keys) {
    std::cout << "  " << k.role << std::string(12 - std::min<size_t>(11, k.role.size()), ' ')
              << k.key << "   (" << k.name << ")\n";
  }
  std::cout << "Sign in to the web page (demo passwords):\n";
  for (const auto& k : demo->keys) {
    std::cout << "  " << k.role << std::string(12 - std::min<size_t>(11, k.role.size()), ' ')
              << k.email << std::string(24 - std::min<size_t>(23, k.email.size()), ' ')
              << k.password << "\n";
  }
  std::cout << "Web page: http://" << cfg.listen << "/\n";
  std::cout << "Mail a ticket to the desk (one RFC 5322 message on standard input):\n"
               "  printf 'From: Pat <pat@acme.example>\\nTo: support@payops.local\\n"
               "Subject: Payout missing\\n\\nOur payout of Friday has not arrived.\\n' |\n"
               "    "
            << program << " mail-ingest --store " << cfg.store << "\n";
  return 0;
}

// `payops ach export` and `payops ach import-returns`: the batch file on
// standard output; the returns report on standard output.
int Ach(const Config& cfg, const std::string& batch, const std::string& returns_file) {
  auto s = OpenMigrated(cfg);
  if (!s.ok()) return Fail(s.error());
  RealClock clock;
  service::Env env(**s, clock);
  ApplyAchSettings(cfg, env);
  auto secrets = OpenSecrets(cfg, **s, false);
  if (!secrets.ok()) return Fail(secrets.error());
  env.secrets = &*secrets;
  if (!batch.empty()) {
    auto text = service::ExportNacha(env, Actor::System(), batch);
    if (!text.ok()) return Fail(text.error());
    std::cout << *text;
    return 0;
  }
  std::ifstream in(returns_file, std::ios::binary);
  if (!in) return Fail(Error::Invalid("invalid_file", "cannot read " + returns_file, "file"));
  std::stringstream buf;
  buf << in.rdbuf();
  auto report = service::ImportReturns(env, Actor::System(), buf.str());
  if (!report.ok()) {
    std::cerr << "payops: nothing applied: " << report.error().message << "\n";
    return report.error().kind == ErrorKind::kInvalid ? kExitUsage : kExitFailure;
  }
  for (const auto& [id, code] : report->returned)
    std::cout << "returned " << id << " " << code << "\n";
  for (const auto& t : report->unknown_traces) std::cout << "unknown trace " << t << "\n";
  return 0;
}

void ApplyMailSettings(const Config& cfg, service::Env& env);

// `payops report --org ID --month YYYY-MM [--csv]`: the org's monthly
// statement (issued now if the monthly job has not issued it), as text or CSV.
// With --sandbox the time is the sandbox clock the server saved.
int Report(const Config& cfg, const std::string& org_id, const std::string& month, bool csv) {
  auto s = OpenMigrated(cfg);
  if (!s.ok()) return Fail(s.error());
  std::unique_ptr<ManualClock> manual;
  if (cfg.sandbox) {
    auto start = SandboxStart(**s, "");
    if (!start.ok()) return Fail(start.error());
    manual = std::make_unique<ManualClock>(*start);
  }
  RealClock real;
  const Clock& clock = manual ? static_cast<const Clock&>(*manual) : real;
  service::Env env(**s, clock, cfg.sandbox);
  env.desk.base_url = cfg.public_url.empty() ? "http://" + cfg.listen : cfg.public_url;
  ApplyMailSettings(cfg, env);
  auto v = service::GetMonthlyStatement(env, Actor::System(), org_id, month);
  if (!v.ok()) return Fail(v.error());
  if (csv) {
    std::cout << v->Csv();
    return 0;
  }
  std::cout << "Statement " << v->record.id << " of " << v->org_name << " (" << v->record.org_id
            << ") for " << v->record.month << ", issued " << FormatRfc3339(v->record.issued_at)
            << "\n";
  for (const statement::Line& l : v->lines) {
    std::cout << "  " << statement::SectionName(l.section) << " " << l.currency << " "
              << (l.corridor.empty() ? "-" : l.corridor) << " count " << l.count << " volume "
              << l.volume << " fee " << l.fee << " fee_total " << l.fee_total << " amount "
              << l.amount << "  " << l.description << "\n";
  }
  for (const statement::Totals& t : v->totals) {
    std::cout << "total " << t.currency << ": fees " << t.fees << ", plan charges "
              << t.plan_charges << ", corrections " << t.corrections << ", due " << t.total_due
              << " (minor units)\n";
  }
  return 0;
}

void ApplyMailSettings(const Config& cfg, service::Env& env) {
  if (cfg.smtp_from.empty()) return;
  auto from = mail::ParseMailbox(cfg.smtp_from);
  if (!from.ok()) return;  // checked when the configuration was read
  env.mail.from = cfg.smtp_from;
  env.mail.domain = mail::DomainOf(from->address);
  if (!from->name.empty()) env.mail.support_name = from->name;
}

// The outbound channels: SMTP when [smtp] names a server, paging when
// [paging] has a routing key, webhooks always (nothing is queued for them
// until an endpoint is registered).
jobs::DeliveryChannels MakeChannels(const Config& cfg) {
  jobs::DeliveryChannels ch;
  if (!cfg.smtp_url.empty()) {
    adapters::SmtpSettings smtp;
    smtp.url = cfg.smtp_url;
    smtp.starttls = cfg.smtp_starttls;
    smtp.username = cfg.smtp_username;
    smtp.password = cfg.smtp_password;
    smtp.timeout_ms = cfg.smtp_timeout_s * 1000L;
    ch.mail = adapters::MakeSmtpSender(smtp);
  } else {
    spdlog::warn("msg=\"no [smtp] url configured: emails stay queued in the outbox\"");
  }
  if (!cfg.paging_routing_key.empty()) {
    ch.pager = adapters::MakeCurlPoster();
    if (!cfg.paging_url.empty()) ch.paging.url = cfg.paging_url;
    ch.paging.routing_key = cfg.paging_routing_key;
  }
  ch.webhooks = adapters::MakeCurlPoster();
  return ch;
}

service::DeliveryPolicy DeliveryPolicyOf(const Config& cfg) {
  service::DeliveryPolicy p;
  p.max_attempts = cfg.delivery_max_attempts;
  p.retry_base = std::chrono::seconds(cfg.delivery_retry_base_s);
  p.retry_max = std::chrono::seconds(cfg.delivery_retry_max_s);
  p.http_timeout_ms = cfg.delivery_timeout_s * 1000L;
  // A batch's lease outlasts its sends at their timeouts.
  p.lease = std::chrono::seconds(
      std::max(300, 2 * std::max(cfg.smtp_timeout_s, cfg.delivery_timeout_s) * 20));
  p.batch = 20;
  return p;
}

// "host:port" of an smtp:// or smtps:// URL (default ports 25 and 465).
std::optional<std::string> SmtpRelayOf(const std::string& url) {
  size_t scheme = url.find("://");
  if (url.empty() || scheme == std::string::npos) return std::nullopt;
  std::string rest = url.substr(scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?"));
  if (size_t at = rest.rfind('@'); at != std::string::npos) rest = rest.substr(at + 1);
  if (rest.empty()) return std::nullopt;
  const bool has_port = rest.front() == '[' ? rest.find("]:") != std::string::npos
                                            : rest.find(':') != std::string::npos;
  if (has_port) return rest;
  return rest + (url.rfind("smtps", 0) == 0 ? ":465" : ":25");
}

int Serve(const Config& cfg) {
  auto listen = ParseListen(cfg.listen);
  if (!listen.ok()) return Fail(listen.error());
  auto s = OpenMigrated(cfg);
  if (!s.ok()) return Fail(s.error());
  store::Store& st = **s;
  RealClock real;
  std::unique_ptr<ManualClock> manual;
  if (cfg.sandbox) {
    auto start = SandboxStart(st, cfg.clock_start);
    if (!start.ok()) return Fail(start.error());
    manual = std::make_unique<ManualClock>(*start);
  }
  const Clock& clock = manual ? static_cast<const Clock&>(*manual) : real;
  service::Env env(st, clock, cfg.sandbox);
  env.lease_clock = &real;
  if (manual) {
    // Saved at once, so that other commands on this store (mail-ingest
    // --sandbox) read the same time.
    Status saved = service::SaveSandboxClock(env, manual->Now());
    if (!saved.ok()) return Fail(saved.error());
  }
  std::optional<desk::SlaRules> sla_rules;
  Status desk_settings = ApplyDeskSettings(cfg, env, sla_rules);
  if (!desk_settings.ok()) return Fail(desk_settings.error());
  ApplyAchSettings(cfg, env);
  env.risk = cfg.risk;
  env.high_risk_action = cfg.high_risk_action;
  env.tier_limits = cfg.tier_limits;
  ApplyMailSettings(cfg, env);
  auto geoip = adapters::OpenGeoIp(cfg.geoip);
  if (!geoip.ok()) return Fail(geoip.error());
  env.geoip = geoip->get();
  adapters::SandboxBalanceProvider balance;
  env.balance = &balance;
  auto secrets = OpenSecrets(cfg, st, cfg.sandbox);
  if (!secrets.ok()) return Fail(secrets.error());
  env.secrets = &*secrets;
  jobs::RunnerLimits limits;
  limits.lease = std::chrono::seconds(cfg.job_lease_s);
  limits.max_lease_wait = std::max(std::chrono::milliseconds(60000), 4 * limits.lease);
  if (cfg.sandbox) {
    // Fault injection for the failover tests, honoured in sandbox mode only.
    if (const char* pause = std::getenv("PAYOPS_SANDBOX_JOB_PAUSE_MS")) {
      limits.pause_in_run = std::chrono::milliseconds(std::clamp(std::atol(pause), 0L, 600000L));
    }
  }
  jobs::JobRunner runner(env, limits);
  runner.Register(jobs::MakeIdempotencyExpiryJob());
  runner.Register(jobs::MakeReceivedMailExpiryJob());
  runner.Register(jobs::MakeAchCutoffJob(env.holidays));
  runner.Register(jobs::MakeAchSettlementJob(env.holidays));
  runner.Register(jobs::MakeDebitCardEndOfDayJob(env.holidays));
  runner.Register(jobs::MakePendingEscalationJob());
  runner.Register(jobs::MakeTicketAutoCloseJob());
  runner.Register(jobs::MakeSlaSweepJob());
  env.monitors.allow_private = cfg.monitors_allow_private;
  env.monitors.announce_ahead = std::chrono::hours(cfg.monitors_announce_hours);
  env.monitors.outbox_backlog_max = cfg.monitors_outbox_backlog_max;
  env.queue_bounds.outbox = cfg.delivery_max_queued;
  env.queue_bounds.deliveries = cfg.delivery_max_queued;
  env.queue_bounds.per_webhook = cfg.delivery_max_queued_per_webhook;
  runner.Register(jobs::MakeWindowAnnouncementJob());
  jobs::MonitorJobSettings monitor_settings;
  std::optional<std::string> smtp_relay = SmtpRelayOf(cfg.smtp_url);
  monitor_settings.smtp_relay = smtp_relay;
  runner.Register(jobs::MakeMonthlyStatementJob());
  http::ApiOptions ao;
  ao.sandbox = cfg.sandbox;
  ao.bench_hello = cfg.bench_hello;
  ao.access_log = cfg.access_log;
  ao.secure_cookies = cfg.public_url.rfind("https://", 0) == 0;
  ao.per_key = {cfg.per_key_per_minute, cfg.per_key_burst};
  ao.per_address = {cfg.per_address_per_minute, cfg.per_address_burst};
  ao.auth_failures = {cfg.auth_failures_per_minute, cfg.auth_failures_burst};
  http::Api api(env, runner, manual.get(), ao);
  http::ServerOptions so;
  so.host = listen->first;
  so.port = listen->second;
  so.io_threads = cfg.io_threads;
  so.worker_threads = cfg.worker_threads;
  so.shutdown_grace_s = cfg.shutdown_grace_s;
  so.max_connections = static_cast<size_t>(cfg.max_connections);
  so.max_pending_requests = static_cast<size_t>(cfg.max_pending_requests);
  so.read_timeout_s = cfg.read_timeout_s;
  so.idle_timeout_s = cfg.idle_timeout_s;
  so.fibers = st.SuspendsFibers();
  http::Server server(api, so);
  auto port = server.Listen();
  if (!port.ok()) return Fail(port.error());
  {
    // payops watches itself: its /readyz on the port it listens on.
    std::string host = so.host == "0.0.0.0" || so.host == "::" ? "127.0.0.1" : so.host;
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    monitor_settings.self_url = "http://" + host + ":" + std::to_string(*port);
    if (cfg.monitors_builtin) {
      Status made = service::EnsureBuiltinMonitors(env, smtp_relay);
      if (!made.ok()) return Fail(made.error());
    }
    runner.Register(jobs::MakeMonitorCheckJob(monitor_settings));
  }
  if (!cfg.sandbox) runner.Start();
  // Delivery runs in real time in sandbox mode too (due times on the clock).
  jobs::DeliveryWorker delivery(env, MakeChannels(cfg), DeliveryPolicyOf(cfg));
  delivery.Start();
  server.Run([&](uint16_t p) {
    std::string host = so.host.find(':') != std::string::npos ? "[" + so.host + "]" : so.host;
    spdlog::info("msg={} store={} sandbox={} job_holder={}",
                 LogValue("listening on http://" + host + ":" + std::to_string(p)),
                 st.dialect() == store::Dialect::kSqlite ? "sqlite" : "postgresql", cfg.sandbox,
                 LogValue(runner.holder()));
  });
  runner.Stop();
  delivery.Stop();
  spdlog::info("msg=\"stopped\"");
  return 0;
}

}  // namespace
}  // namespace payops::cli

int main(int argc, char** argv) {
  using namespace payops::cli;
  CLI::App app{"payops: payment operations and support desk"};
  app.require_subcommand(1);
  app.fallthrough();
  Flags f;
  app.add_option("--config", f.config_file, "TOML configuration file");
  app.add_option("--store", f.store, "sqlite:///abs/path.db or postgresql://user@host:port/db");
  app.add_option("--log-level", f.log_level, "trace|debug|info|warn|error");
  app.add_option("--state-dir", f.state_dir,
                 "directory of the key file of a PostgreSQL store (default /var/lib/payops)");

  auto* serve = app.add_subcommand("serve", "serve the API and the web page");
  serve->add_option("--listen", f.listen, "HOST:PORT (port 0: any free port)");
  serve->add_flag("--sandbox", f.sandbox, "sandbox mode: settable clock, simulated providers");
  serve->add_flag("--access-log", f.access_log, "log every request");
  serve->add_option("--clock-start", f.clock_start,
                    "sandbox: where a new sandbox clock starts (RFC 3339)");
  serve->add_flag("--bench-hello", f.bench_hello, "serve GET /_bench/hello (benchmark ceiling)");
  serve->add_option("--io-threads", f.io_threads, "I/O threads")->check(CLI::Range(1, 64));
  serve->add_option("--worker-threads", f.worker_threads, "handler threads")
      ->check(CLI::Range(1, 1024));
  auto* migrate = app.add_subcommand("migrate", "apply schema migrations");
  auto* demo = app.add_subcommand("demo", "seed the demo org, users and keys; print the keys");
  auto* key = app.add_subcommand("key", "API key administration");
  key->require_subcommand(1);
  auto* key_create = key->add_subcommand("create", "create an API key and print it");
  std::string role, name, email;
  std::optional<std::string> org;
  key_create->add_option("--role", role, "admin|agent|ops_manager|emi|partner")->required();
  key_create->add_option("--org", org, "org id (partner keys)");
  key_create->add_option("--name", name, "the key holder's name")->required();
  key_create->add_option("--email", email, "the key holder's email");
  auto* key_rotate = key->add_subcommand("rotate-encryption",
                                         "re-seal every account number under a new encryption key");
  std::string new_encryption_key;
  key_rotate->add_option("--new-key", new_encryption_key,
                         "the new key, 64 hex digits (default: a new random key)");

  auto* ach = app.add_subcommand("ach", "ACH batches and NACHA files");
  ach->require_subcommand(1);
  std::string batch_id, returns_file;
  auto* ach_export = ach->add_subcommand("export", "print a closed batch's NACHA file");
  ach_export->add_option("--batch", batch_id, "batch id (ach_YYYY-MM-DD)")->required();
  auto* ach_returns = ach->add_subcommand("import-returns", "apply a NACHA returns file");
  ach_returns->add_option("file", returns_file, "the returns file")->required();

  auto* report = app.add_subcommand("report", "print an org's monthly statement");
  std::string report_org, report_month;
  bool report_csv = false;
  report->add_option("--org", report_org, "org id")->required();
  report->add_option("--month", report_month, "YYYY-MM, a month that has ended")->required();
  report->add_flag("--csv", report_csv, "print the CSV");
  report->add_flag("--sandbox", f.sandbox,
                   "sandbox store: the time is the sandbox clock the server saved");

  auto* mail_ingest = app.add_subcommand(
      "mail-ingest", "read one RFC 5322 message on standard input: a new ticket or a reply");
  mail_ingest->add_flag("--sandbox", f.sandbox,
                        "sandbox store: the time is the sandbox clock the server saved");
  std::vector<std::string> recipients;
  mail_ingest->add_option("--recipient", recipients,
                          "the envelope recipient (Postfix: ${recipient}); repeatable; chooses "
                          "the category from [mail.addresses] before To and Cc");

  auto* audit = app.add_subcommand("audit", "the audit trail");
  audit->require_subcommand(1);
  auto* audit_verify =
      audit->add_subcommand("verify", "check the audit trail's hash chain; name the first break");
  std::string backup_file;
  bool restore_force = false;
  auto* backup =
      app.add_subcommand("backup", "copy a live SQLite store into FILE (online, consistent)");
  backup->add_option("file", backup_file, "the new backup file")->required();
  auto* restore = app.add_subcommand("restore", "put a backup FILE back into an SQLite store");
  restore->add_option("file", backup_file, "the backup file")->required();
  restore->add_flag("--force", restore_force,
                    "replace an existing store (only with every server using it stopped)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitUsage;
  }
  auto cfg = Resolve(f);
  if (!cfg.ok()) {
    // A mail server retries a deferred message once the configuration is fixed.
    if (mail_ingest->parsed()) return MailDefer(cfg.error());
    return Fail(cfg.error());
  }
  SetUpLogging(*cfg);
  if (mail_ingest->parsed()) {
    int rc = RunMailIngest(*cfg, recipients);
    payops::adapters::ShutdownMime();
    return rc;
  }
  if (serve->parsed()) return Serve(*cfg);
  if (migrate->parsed()) return Migrate(*cfg);
  if (demo->parsed()) return Demo(*cfg, argv[0]);
  if (ach_export->parsed()) return Ach(*cfg, batch_id, "");
  if (report->parsed()) return Report(*cfg, report_org, report_month, report_csv);
  if (ach_returns->parsed()) return Ach(*cfg, "", returns_file);
  if (key_rotate->parsed()) return KeyRotate(*cfg, new_encryption_key);
  if (audit_verify->parsed()) return AuditVerify(*cfg);
  if (backup->parsed()) return Backup(*cfg, backup_file);
  if (restore->parsed()) return Restore(*cfg, backup_file, restore_force);
  if (key_create->parsed()) {
    if (email.empty()) {
      email = name;
      for (char& c : email) c = (c == ' ') ? '.' : static_cast<char>(std::tolower(c));
      email += "@payops.local";
    }
    return KeyCreate(*cfg, role, org, name, email);
  }
  return kExitUsage;
}
