// Settings of `payops`: built-in defaults, then a TOML file, then PAYOPS_*
// environment variables, then command-line flags (flags win).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "payops/core/pipeline.h"
#include "payops/core/result.h"
#include "payops/core/risk.h"
#include "payops/core/sla.h"

namespace payops::cli {

struct Config {
  std::string store = "sqlite://./payops.db";
  std::string listen = "127.0.0.1:8080";
  bool sandbox = false;
  bool bench_hello = false;
  std::string log_level = "info";
  bool access_log = false;
  int io_threads = 1;
  int worker_threads = 64;
  int store_connections = 4;
  int writer_cache_kib = 8192;   // SQLite: page cache of the write connection
  int reader_cache_kib = 16384;  // and of each read connection
  bool pipelined_sync = true;    // SQLite: fsync behind the writer (store.h)
  int shutdown_grace_s = 10;
  // [server]: open connections at once; seconds to read one request; seconds
  // a keep-alive connection may idle.
  int max_connections = 4096;
  int max_pending_requests = 8192;  // queued for the worker threads; past it 503
  int read_timeout_s = 30;
  int idle_timeout_s = 60;
  // [rate_limits] (requests per minute and bucket sizes; 0 per minute: no
  // limit): per_key_*, per_address_*, auth_failures_* (http/api.h).
  int64_t per_key_per_minute = 60000;
  int64_t per_key_burst = 2000;
  int64_t per_address_per_minute = 120000;
  int64_t per_address_burst = 4000;
  int64_t auth_failures_per_minute = 100;
  int64_t auth_failures_burst = 100;
  // "YYYY-MM-DD": non-business days besides the Federal Reserve's.
  std::vector<std::string> extra_holidays;
  // 64 hex digits: the libsodium secretbox key for account numbers. Without
  // it the key is read from a key file: "<db>.key" beside an SQLite store,
  // "<state_dir>/encryption.key" for PostgreSQL.
  std::string encryption_key;
  // Where payops keeps files of its own (the PostgreSQL store's key file).
  std::string state_dir = "/var/lib/payops";
  // "" = the Debian GeoIP database; or a path to a .mmdb file.
  std::string geoip;
  // Sandbox: the first reading of a new sandbox clock (RFC 3339).
  std::string clock_start;
  // [desk]: public_url (links in emails; default http://<listen>) and
  // operations_email (requester of the tickets payops opens itself).
  std::string public_url;
  std::string operations_email;
  // [mail.addresses]: recipient address (lowercase) → ticket category, for
  // `payops mail-ingest`; at most service::kMaxMailAddressCategories.
  std::vector<std::pair<std::string, std::string>> mail_addresses;
  // [ach]: the originator's side of NACHA files.
  std::string ach_odfi_routing = "011000015";
  std::string ach_destination_routing = "011000015";
  std::string ach_company_name = "PAYOPS";
  std::string ach_company_id = "1234567890";
  std::string ach_sec_code = "WEB";
  // [risk]: weights, band thresholds and high_action = "hold" | "cancel".
  RiskConfig risk;
  HighRiskAction high_risk_action = HighRiskAction::kHold;
  // [limits.tier1] … [limits.tier3]: per_transaction, daily, rolling_30_days (USD minor units).
  TierLimits tier_limits;
  // [sla.<plan>.<priority>]: first_response_minutes, resolution_minutes, clock.
  desk::SlaTable sla_table = desk::DefaultSlaTable();
  // [smtp]: url = "smtp://host:port" | "smtps://host:port" ("": emails stay
  // queued), starttls, username, password, from = "Name <address>".
  std::string smtp_url;
  bool smtp_starttls = false;
  std::string smtp_username;
  std::string smtp_password;
  std::string smtp_from;
  int smtp_timeout_s = 30;
  // [paging]: a PagerDuty Events API v2 endpoint ("" with no routing_key: pages stay queued).
  std::string paging_url;
  std::string paging_routing_key;
  // [monitors]: allow_private (targets on loopback/private addresses),
  // builtin (payops watches itself), announce_hours (maintenance emails ahead),
  // outbox_backlog_max (the built-in outbox monitor's limit).
  bool monitors_allow_private = false;
  bool monitors_builtin = true;
  int monitors_announce_hours = 48;
  int64_t monitors_outbox_backlog_max = 1000;
  // [delivery]: retries of emails, pages and webhooks.
  int delivery_max_attempts = 8;
  int delivery_retry_base_s = 30;
  int delivery_retry_max_s = 3600;
  int delivery_timeout_s = 10;  // a webhook or page POST
  // max_queued: emails and pages waiting, and webhook deliveries waiting;
  // max_queued_per_webhook: one endpoint's. Past them a message is dead.
  int delivery_max_queued = 100000;
  int delivery_max_queued_per_webhook = 10000;
  // [jobs] lease_s: how long a timed job's lease lives without renewal; a
  // killed server's jobs are taken over within it (plus one pass).
  int job_lease_s = 15;
  // [store_options] PostgreSQL: statement_timeout_ms (a query running longer
  // is cancelled, the request answers 503), connect_timeout_s, and
  // acquire_timeout_ms (waiting for a pooled connection).
  int statement_timeout_ms = 30000;
  int connect_timeout_s = 5;
  int acquire_timeout_ms = 10000;
};

// Reads a TOML file over `cfg`. Unknown keys are errors (a typo must not pass
// silently). Keys: store, listen, sandbox, log_level, access_log, state_dir,
// encryption_key,
// holidays = ["YYYY-MM-DD", ...], [server] io_threads / worker_threads / shutdown_grace_s,
// [store_options] connections, [desk], [ach], [risk], [sla], [limits],
// [smtp] from, [mail.addresses].
Status LoadConfigFile(const std::string& path, Config& cfg);
// The same from TOML text.
Status LoadConfigText(std::string_view text, Config& cfg);
// Applies PAYOPS_STORE, PAYOPS_LISTEN, PAYOPS_SANDBOX, PAYOPS_LOG_LEVEL,
// PAYOPS_ACCESS_LOG, PAYOPS_IO_THREADS, PAYOPS_WORKER_THREADS,
// PAYOPS_ENCRYPTION_KEY, PAYOPS_STATE_DIR, PAYOPS_GEOIP, PAYOPS_SMTP_URL,
// PAYOPS_SMTP_PASSWORD, PAYOPS_PAGING_ROUTING_KEY, PAYOPS_JOB_LEASE_S.
Status ApplyEnvironment(Config& cfg);
// Splits "host:port"; port 0 lets the kernel choose.
Result<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen);

}  // namespace payops::cli
