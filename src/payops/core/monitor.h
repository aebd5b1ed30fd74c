// Proactive monitoring (SPEC §3.6), the pure rules: what a monitor's target
// may be (http(s) URL or host:port; private addresses only where allowed),
// its limits, its state machine (consecutive failures → one incident, the
// first success ends it), which checks are due when the clock moves, and
// when a maintenance window covers a check.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "payops/core/clock.h"
#include "payops/core/result.h"

namespace payops::monitor {

enum class Kind : uint8_t { kHttp, kTcp, kBuiltin };
// "http" | "tcp" | "builtin"; error invalid_value (field "kind").
Result<Kind> ParseKind(std::string_view text);
std::string_view KindName(Kind k);

inline constexpr int64_t kMinIntervalSeconds = 10;
inline constexpr int64_t kMaxIntervalSeconds = 86400;
inline constexpr int64_t kMinThreshold = 1;
inline constexpr int64_t kMaxThreshold = 5;
inline constexpr int64_t kDefaultThreshold = 3;
inline constexpr int64_t kMinTimeoutMs = 100;
inline constexpr int64_t kMaxTimeoutMs = 30000;
inline constexpr int64_t kDefaultTimeoutMs = 5000;
inline constexpr size_t kMaxNameBytes = 200;
inline constexpr size_t kMaxTargetBytes = 2000;
inline constexpr size_t kMaxExpectBodyBytes = 1000;
// Checks one pass runs per monitor when the clock jumped over many intervals:
// the latest ones; the earlier ones are skipped.
inline constexpr int kMaxCatchUpChecks = 5;
// Checks kept per monitor (older ones are deleted as new ones arrive).
inline constexpr int64_t kChecksKept = 1000;
// Monitors that exist at once (built-in ones included).
inline constexpr int64_t kMaxMonitors = 5000;

// A parsed target. http: scheme "http"/"https", host, port (default 80/443),
// path with query ("/" when none). tcp: host and port, scheme and path empty.
struct Target {
  std::string scheme;
  std::string host;  // without the brackets of an IPv6 literal
  uint16_t port = 0;
  std::string path;
};
// Errors invalid_target (field "target"): not an http(s) URL (http kind) or
// host:port (tcp kind), user info, a port outside 1..65535, control characters.
Result<Target> ParseTarget(Kind kind, std::string_view target);

// Whether an IP address literal (IPv4 dotted quad or IPv6) is loopback,
// private, link-local, carrier-grade NAT, unspecified, multicast or an
// IPv4-mapped form of one. Text that is not an IP literal → false.
bool IsPrivateAddress(std::string_view ip);
// A host that needs no DNS to be known private: "localhost", "*.localhost",
// or an IP literal IsPrivateAddress accepts.
bool IsPrivateHost(std::string_view host);

struct MonitorSpec {
  std::string name;
  Kind kind = Kind::kHttp;
  std::string target;
  int64_t interval_seconds = 60;
  int64_t failure_threshold = kDefaultThreshold;
  std::optional<int64_t> expect_status;
  std::optional<std::string> expect_body;
  int64_t timeout_ms = kDefaultTimeoutMs;
};
// Every limit above; builtin is not a kind clients may create. Errors (400,
// naming the field): invalid_value, out_of_range, invalid_target;
// 422 private_target when the target is private and !allow_private.
Status ValidateMonitor(const MonitorSpec& spec, bool allow_private);

// The running state of a monitor.
struct State {
  int64_t consecutive_failures = 0;
  bool incident_open = false;
  std::optional<Instant> down_since;  // the first failure of the current streak
};
enum class Effect : uint8_t {
  kNone,
  kOpenIncident,  // threshold reached outside maintenance, no incident open
  kRecovered,     // first success after an incident: note + page resolve
};
struct Step {
  State next;
  Effect effect = Effect::kNone;
  std::optional<Instant> outage_start;  // kRecovered: down_since
};
// One check at `at`. A covered (maintenance) failure counts toward the streak
// but never opens an incident; the first uncovered failure with the streak at
// or past the threshold opens it. A success ends the streak.
Step ApplyCheck(const State& s, bool ok, bool in_maintenance, int64_t threshold, Instant at);

// "up" | "down" | "maintenance" | "unknown" (no check yet). Down once the
// streak reached the threshold (or an incident is open); maintenance while a
// window covers the monitor now.
std::string_view DisplayStatus(const State& s, bool has_checks, bool in_maintenance_now,
                               int64_t threshold);

// The check instants due in [next_check_at, now] every `interval`, at most
// `max_catch_up` (the latest); `next` is the first instant after now.
struct Due {
  std::vector<Instant> at;
  int64_t skipped = 0;
  Instant next;
};
Due DueChecks(Instant next_check_at, Micros interval, Instant now, int max_catch_up);

// "2 h 5 min 3 s" (whole seconds; "0 s" for nothing).
std::string FormatDuration(Micros d);

// Maintenance windows.
inline constexpr size_t kMaxWindowTitleBytes = 200;
inline constexpr size_t kMaxWindowMessageBytes = 4000;
inline constexpr size_t kMaxWindowMonitors = 100;
inline constexpr Micros kMaxWindowLength = std::chrono::hours(24 * 7);
inline constexpr Micros kDefaultAnnounceAhead = std::chrono::hours(48);

enum class WindowState : uint8_t { kUpcoming, kActive, kPast };
std::string_view WindowStateName(WindowState s);
// "upcoming" | "active" | "past"; error invalid_value (field "state").
Result<WindowState> ParseWindowState(std::string_view text);
// Active on [starts_at, ends_at).
WindowState WindowStateAt(Instant starts_at, Instant ends_at, Instant now);

struct WindowSpec {
  Instant starts_at;
  Instant ends_at;
  std::string title;
  std::string message;
  size_t monitor_count = 0;
};
// Errors: 400 invalid_value (empty or too long title/message, no monitors or
// too many), 422 window_ends_before_start, window_too_long (over 7 days),
// window_in_past (ends at or before now).
Status ValidateWindow(const WindowSpec& w, Instant now);

struct WindowCover {
  Instant starts_at;
  Instant ends_at;
  std::vector<std::string> monitor_ids;
};
// Whether one of the windows covers the monitor at `at`.
bool Covered(const std::vector<WindowCover>& windows, std::string_view monitor_id, Instant at);

}  // namespace payops::monitor
