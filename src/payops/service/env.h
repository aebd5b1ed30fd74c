// What every application service needs: the store, the clock, fresh ids.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "payops/core/calendar.h"
#include "payops/core/clock.h"
#include "payops/core/org.h"
#include "payops/core/pipeline.h"
#include "payops/core/risk.h"
#include "payops/core/role.h"
#include "payops/core/sla.h"
#include "payops/service/outbound_queue.h"
#include "payops/store/store.h"

namespace payops::adapters {
class GeoIp;
class BalanceProvider;
class SecretBox;
}  // namespace payops::adapters

namespace payops::service {

class ResourceJson;

// New object ids from the clock's milliseconds and libsodium's random bits,
// strictly increasing within a process (monotonic like ULIDs), so that id
// order is creation order for list pagination.
class IdSource {
 public:
  explicit IdSource(const Clock& clock) : clock_(clock) {}
  std::string New(std::string_view prefix);

 private:
  const Clock& clock_;
  std::mutex mu_;
  int64_t last_ms_ = 0;
  uint64_t last_random_ = 0;
};

// Orgs with their fee schedules by id, for the per-request paths (transaction
// initiation). An org and its fees are written once, at creation, and never
// updated; should that change, the writer calls Invalidate, and entries expire
// after kTtl anyway so that a change made by another server is seen within it.
// Fill it only from committed reads (a read snapshot), never from inside a
// write that may roll back. Bounded: past max_entries it starts over.
class OrgCache {
 public:
  static constexpr Micros kTtl = std::chrono::seconds(60);
  explicit OrgCache(const Clock& clock, size_t max_entries = 4096)
      : clock_(clock), max_entries_(max_entries) {}
  // The cached org, or null when absent or expired.
  std::shared_ptr<const Org> Find(const std::string& id);
  void Put(std::shared_ptr<const Org> org);
  void Invalidate(const std::string& id);
  // The entries held now (at most max_entries).
  size_t size() {
    std::lock_guard lock(mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    std::shared_ptr<const Org> org;
    Instant expires;
  };
  const Clock& clock_;
  const size_t max_entries_;
  std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

// The originator's side of NACHA files (settings).
struct AchSettings {
  std::string odfi_routing = "011000015";         // our bank (ODFI), 9 digits
  std::string destination_routing = "011000015";  // the ACH operator / receiving point
  std::string destination_name = "FEDERAL RESERVE BANK";
  std::string origin_name = "PAYOPS";
  std::string company_name = "PAYOPS";
  std::string company_id = "1234567890";
  std::string entry_description = "TRANSFER";
  std::string sec_code = "WEB";  // WEB: consumer internet-initiated; PPD or CCD where configured
};

// The support desk's settings.
struct DeskSettings {
  // Where links in emails point (the web page).
  std::string base_url = "http://127.0.0.1:8080";
  // The requester of tickets the system opens itself (escalations).
  std::string operations_name = "payops operations";
  std::string operations_email = "operations@payops.local";
};

// Outbound mail (the [smtp] settings the service needs at enqueue).
struct MailSettings {
  // The sender, "Support <support@example.com>"; also the Reply-To.
  std::string from = "payops support <support@payops.local>";
  // The domain of `from`: the right side of every Message-ID.
  std::string domain = "payops.local";
  // Signs the mail ("-- Support").
  std::string support_name = "payops support";
};

// Monitoring (the [monitors] settings).
struct MonitorSettings {
  // Targets on loopback or private addresses (SSRF guard off).
  bool allow_private = false;
  // How long before its start a maintenance window is emailed.
  Micros announce_ahead = std::chrono::hours(48);
  // The built-in outbox monitor fails past this many rows due and unsent.
  int64_t outbox_backlog_max = 1000;
};

// The outbound channels, each with a delivery thread of its own.
enum class Channel { kEmail = 0, kPage = 1, kWebhook = 2 };
inline constexpr int kChannels = 3;

// Wakes the delivery thread of a channel when rows are queued for it (or of
// every channel when the sandbox clock moves). Notify never blocks; each
// waiter keeps the generation of its channel it last saw, so a Notify made
// while it was busy is not lost, and a channel is never woken for another's
// rows.
class Wakeup {
 public:
  void Notify(Channel c) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++generation_[static_cast<int>(c)];
    }
    cv_.notify_all();
  }
  void NotifyAll() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (uint64_t& g : generation_) ++g;
    }
    cv_.notify_all();
  }
  uint64_t generation(Channel c) {
    std::lock_guard<std::mutex> lock(mu_);
    return generation_[static_cast<int>(c)];
  }
  // Returns the channel's generation once it passed `seen`, at the timeout,
  // or at Shutdown.
  uint64_t Wait(Channel c, uint64_t seen, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    const int i = static_cast<int>(c);
    cv_.wait_for(lock, timeout, [&] { return generation_[i] != seen || shutdown_; });
    return generation_[i];
  }
  void Shutdown() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      shutdown_ = true;
    }
    cv_.notify_all();
  }
  bool shut_down() {
    std::lock_guard<std::mutex> lock(mu_);
    return shutdown_;
  }
  // Waits until Shutdown or the timeout; true at Shutdown.
  bool WaitForShutdown(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return shutdown_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  uint64_t generation_[kChannels] = {};
  bool shutdown_ = false;
};

struct Env {
  store::Store& store;
  const Clock& clock;
  IdSource ids;
  OrgCache orgs;
  bool sandbox = false;
  // Business days: Federal Reserve holidays plus the configured extra ones.
  calendar::HolidayCalendar holidays;
  // Transaction rules (settings).
  TierLimits tier_limits;
  RiskConfig risk;
  HighRiskAction high_risk_action = HighRiskAction::kHold;
  AchSettings ach;
  DeskSettings desk;
  MailSettings mail;
  MonitorSettings monitors;
  // The bounds of the outbox and the webhook deliveries (outbound_queue.h).
  QueueBounds queue_bounds;
  QueueGauge queue_gauge;
  // Null: nothing to wake (no delivery worker in this process).
  Wakeup* delivery_wakeup = nullptr;
  // SLA table and working hours; null: the SPEC's table on the Federal Reserve
  // calendar (SlaRulesOf).
  const desk::SlaRules* sla_rules = nullptr;
  // The outside world; null geoip means every country is unknown (GEOIP_FAILED).
  const adapters::GeoIp* geoip = nullptr;
  adapters::BalanceProvider* balance = nullptr;
  const adapters::SecretBox* secrets = nullptr;
  // The JSON of resources in webhook events (set by the HTTP layer).
  const ResourceJson* resource_json = nullptr;
  // Real time for leases among servers (jobs, outbox rows), which must
  // expire when their holder dies even while the sandbox clock stands still.
  // Null: `clock`.
  const Clock* lease_clock = nullptr;
  const Clock& LeaseClock() const { return lease_clock ? *lease_clock : clock; }

  Env(store::Store& s, const Clock& c, bool sandbox_mode = false)
      : store(s), clock(c), ids(c), orgs(c), sandbox(sandbox_mode) {}
};

// OK when the store answers (for /readyz).
inline Status StoreReady(Env& env) {
  return env.store.Ping();
}

// env.sla_rules, or the default rules built once per process.
const desk::SlaRules& SlaRulesOf(const Env& env);

// kForbidden unless the actor has one of the roles.
Status RequireRole(const Actor& actor, std::initializer_list<Role> roles);

// 32 random bytes, base32-ish text: API keys, tokens.
std::string RandomToken(size_t bytes = 32);
// Lowercase hex SHA-256.
std::string Sha256Hex(std::string_view data);

}  // namespace payops::service
