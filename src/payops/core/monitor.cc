#include "payops/core/monitor.h"

#include <algorithm>
#include <array>
#include <charconv>

namespace payops::monitor {
namespace {

constexpr std::array<std::string_view, 3> kKindNames = {"http", "tcp", "builtin"};
constexpr std::array<std::string_view, 3> kWindowStateNames = {"upcoming", "active", "past"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Error BadTarget(std::string message) {
  return Error::Invalid("invalid_target", std::move(message), "target");
}

std::optional<uint16_t> ParsePort(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v == 0 || v > 65535) return std::nullopt;
  return static_cast<uint16_t>(v);
}

bool ValidHostChars(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == ':';
  });
}

// "host:port", "[v6]:port"; the host lowercased.
Result<std::pair<std::string, uint16_t>> SplitHostPort(std::string_view s,
                                                       std::optional<uint16_t> default_port) {
  std::string_view host;
  std::string_view port;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return BadTarget("an IPv6 address needs its ]");
    host = s.substr(1, close - 1);
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return BadTarget("expected :port after the IPv6 address");
      port = rest.substr(1);
    }
    if (host.find(':') == std::string_view::npos) return BadTarget("not an IPv6 address");
  } else {
    size_t colon = s.rfind(':');
    if (colon != std::string_view::npos) {
      host = s.substr(0, colon);
      port = s.substr(colon + 1);
      if (host.find(':') != std::string_view::npos) {
        return BadTarget("an IPv6 address goes in brackets: [::1]:443");
      }
    } else {
      host = s;
    }
  }
  if (!ValidHostChars(host)) return BadTarget("the host is empty or has characters a host cannot");
  if (port.empty()) {
    if (!default_port) return BadTarget("a tcp target is host:port");
    return std::make_pair(Lower(host), *default_port);
  }
  auto p = ParsePort(port);
  if (!p) return BadTarget("the port must be 1 to 65535");
  return std::make_pair(Lower(host), *p);
}

std::optional<std::array<uint8_t, 4>> ParseV4(std::string_view s) {
  std::array<uint8_t, 4> out{};
  size_t part = 0;
  size_t i = 0;
  while (part < 4) {
    size_t start = i;
    unsigned v = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < 3) {
      v = v * 10 + static_cast<unsigned>(s[i] - '0');
      ++i;
    }
    if (i == start || v > 255) return std::nullopt;
    out[part++] = static_cast<uint8_t>(v);
    if (part < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return out;
}

bool PrivateV4(const std::array<uint8_t, 4>& a) {
  return a[0] == 0 || a[0] == 10 || a[0] == 127 || (a[0] == 169 && a[1] == 254) ||
         (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168) ||
         (a[0] == 100 && (a[1] & 0xc0) == 64) || (a[0] == 192 && a[1] == 0 && a[2] == 0) ||
         (a[0] == 198 && (a[1] & 0xfe) == 18) || a[0] >= 224;
}

// 16 bytes of an IPv6 literal (with an optional trailing dotted quad).
std::optional<std::array<uint8_t, 16>> ParseV6(std::string_view s) {
  if (size_t pct = s.find('%'); pct != std::string_view::npos) s = s.substr(0, pct);
  std::array<uint8_t, 16> out{};
  std::vector<uint16_t> head, tail;
  bool gap = false;
  std::optional<std::array<uint8_t, 4>> v4;
  size_t i = 0;
  if (s.substr(0, 2) == "::") {
    gap = true;
    i = 2;
  }
  while (i < s.size()) {
    size_t end = s.find(':', i);
    std::string_view part = s.substr(i, end == std::string_view::npos ? s.npos : end - i);
    if (part.find('.') != std::string_view::npos) {
      v4 = ParseV4(part);
      if (!v4 || end != std::string_view::npos) return std::nullopt;
      i = s.size();
      break;
    }
    if (part.empty() || part.size() > 4) return std::nullopt;
    unsigned v = 0;
    auto [p, ec] = std::from_chars(part.data(), part.data() + part.size(), v, 16);
    if (ec != std::errc() || p != part.data() + part.size()) return std::nullopt;
    (gap ? tail : head).push_back(static_cast<uint16_t>(v));
    if (end == std::string_view::npos) {
      i = s.size();
      break;
    }
    i = end + 1;
    if (i < s.size() && s[i] == ':') {
      if (gap) return std::nullopt;
      gap = true;
      ++i;
    } else if (i == s.size()) {
      return std::nullopt;
    }
  }
  size_t groups = head.size() + tail.size() + (v4 ? 2 : 0);
  if (groups > 8 || (!gap && groups != 8)) return std::nullopt;
  size_t at = 0;
  for (uint16_t g : head) {
    out[at++] = static_cast<uint8_t>(g >> 8);
    out[at++] = static_cast<uint8_t>(g & 0xff);
  }
  at = 16 - tail.size() * 2 - (v4 ? 4 : 0);
  for (uint16_t g : tail) {
    out[at++] = static_cast<uint8_t>(g >> 8);
    out[at++] = static_cast<uint8_t>(g & 0xff);
  }
  if (v4) std::copy(v4->begin(), v4->end(), out.begin() + 12);
  return out;
}

bool PrivateV6(const std::array<uint8_t, 16>& a) {
  bool zero10 = std::all_of(a.begin(), a.begin() + 10, [](uint8_t b) { return b == 0; });
  if (zero10 && a[10] == 0xff && a[11] == 0xff) {
    return PrivateV4({a[12], a[13], a[14], a[15]});  // IPv4-mapped
  }
  bool zero12 = zero10 && a[10] == 0 && a[11] == 0;
  if (zero12) return true;                                 // ::, ::1, IPv4-compatible
  if ((a[0] & 0xfe) == 0xfc) return true;                  // unique local fc00::/7
  if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80) return true;  // link-local fe80::/10
  if (a[0] == 0xff) return true;                           // multicast
  if (a[0] == 0x00 && a[1] == 0x64 && a[2] == 0xff && a[3] == 0x9b) {
    return PrivateV4({a[12], a[13], a[14], a[15]});  // NAT64 64:ff9b::/96
  }
  return false;
}

}  // namespace

Result<Kind> ParseKind(std::string_view text) {
  for (size_t i = 0; i < kKindNames.size(); ++i) {
    if (kKindNames[i] == text) return static_cast<Kind>(i);
  }
  return Error::Invalid("invalid_value", "kind must be http or tcp", "kind");
}

std::string_view KindName(Kind k) {
  return kKindNames[static_cast<size_t>(k)];
}

Result<Target> ParseTarget(Kind kind, std::string_view target) {
  if (target.empty() || target.size() > kMaxTargetBytes) {
    return BadTarget("target must be 1 to " + std::to_string(kMaxTargetBytes) + " bytes");
  }
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return BadTarget("target has spaces or control characters");
    }
  }
  Target t;
  if (kind == Kind::kTcp) {
    if (target.find('/') != std::string_view::npos || target.find('@') != std::string_view::npos) {
      return BadTarget("a tcp target is host:port");
    }
    PAYOPS_ASSIGN_OR_RETURN(auto hp, SplitHostPort(target, std::nullopt));
    t.host = hp.first;
    t.port = hp.second;
    return t;
  }
  if (kind != Kind::kHttp) return BadTarget("built-in monitors have no target to parse");
  std::string lower = Lower(target.substr(0, 8));
  std::string_view rest;
  if (lower.rfind("http://", 0) == 0) {
    t.scheme = "http";
    rest = target.substr(7);
  } else if (lower.rfind("https://", 0) == 0) {
    t.scheme = "https";
    rest = target.substr(8);
  } else {
    return BadTarget("an http target is an http:// or https:// URL");
  }
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (size_t hash = path.find('#'); hash != std::string::npos) path.erase(hash);
  if (path.empty() || path.front() != '/') path.insert(path.begin(), '/');
  if (authority.find('@') != std::string_view::npos) {
    return BadTarget("credentials in the URL are not accepted");
  }
  PAYOPS_ASSIGN_OR_RETURN(auto hp,
                          SplitHostPort(authority, t.scheme == "https" ? uint16_t{443} : 80));
  t.host = hp.first;
  t.port = hp.second;
  t.path = std::move(path);
  return t;
}

bool IsPrivateAddress(std::string_view ip) {
  if (auto v4 = ParseV4(ip)) return PrivateV4(*v4);
  if (ip.find(':') != std::string_view::npos) {
    if (auto v6 = ParseV6(ip)) return PrivateV6(*v6);
  }
  return false;
}

bool IsPrivateHost(std::string_view host) {
  std::string h = Lower(host);
  while (!h.empty() && h.back() == '.') h.pop_back();
  if (h == "localhost" || (h.size() > 10 && h.ends_with(".localhost"))) return true;
  return IsPrivateAddress(h);
}

Status ValidateMonitor(const MonitorSpec& spec, bool allow_private) {
  if (spec.name.empty() || spec.name.size() > kMaxNameBytes) {
    return Error::Invalid("invalid_value", "name must be 1 to 200 bytes", "name");
  }
  if (spec.kind == Kind::kBuiltin) {
    return Error::Invalid("invalid_value", "kind must be http or tcp", "kind");
  }
  if (spec.interval_seconds < kMinIntervalSeconds || spec.interval_seconds > kMaxIntervalSeconds) {
    return Error::Invalid("out_of_range", "interval_seconds must be 10 to 86400",
                          "interval_seconds");
  }
  if (spec.failure_threshold < kMinThreshold || spec.failure_threshold > kMaxThreshold) {
    return Error::Invalid("out_of_range", "failure_threshold must be 1 to 5", "failure_threshold");
  }
  if (spec.timeout_ms < kMinTimeoutMs || spec.timeout_ms > kMaxTimeoutMs) {
    return Error::Invalid("out_of_range", "timeout_ms must be 100 to 30000", "timeout_ms");
  }
  if (spec.kind == Kind::kTcp && (spec.expect_status || spec.expect_body)) {
    return Error::Invalid("invalid_value", "expect_status and expect_body are for http monitors",
                          spec.expect_status ? "expect_status" : "expect_body");
  }
  if (spec.expect_status && (*spec.expect_status < 100 || *spec.expect_status > 599)) {
    return Error::Invalid("out_of_range", "expect_status must be 100 to 599", "expect_status");
  }
  if (spec.expect_body &&
      (spec.expect_body->empty() || spec.expect_body->size() > kMaxExpectBodyBytes)) {
    return Error::Invalid("invalid_value", "expect_body must be 1 to 1000 bytes", "expect_body");
  }
  PAYOPS_ASSIGN_OR_RETURN(Target t, ParseTarget(spec.kind, spec.target));
  if (!allow_private && IsPrivateHost(t.host)) {
    return Error::Refused("private_target",
                          "loopback and private addresses are refused unless [monitors] "
                          "allow_private = true",
                          "target");
  }
  return Status::Ok();
}

Step ApplyCheck(const State& s, bool ok, bool in_maintenance, int64_t threshold, Instant at) {
  Step step;
  step.next = s;
  if (ok) {
    if (s.incident_open) {
      step.effect = Effect::kRecovered;
      step.outage_start = s.down_since;
    }
    step.next = State{};
    return step;
  }
  step.next.consecutive_failures = s.consecutive_failures + 1;
  if (!step.next.down_since) step.next.down_since = at;
  if (!s.incident_open && !in_maintenance && step.next.consecutive_failures >= threshold) {
    step.next.incident_open = true;
    step.effect = Effect::kOpenIncident;
  }
  return step;
}

std::string_view DisplayStatus(const State& s, bool has_checks, bool in_maintenance_now,
                               int64_t threshold) {
  if (in_maintenance_now) return "maintenance";
  if (!has_checks) return "unknown";
  if (s.incident_open || s.consecutive_failures >= threshold) return "down";
  return "up";
}

Due DueChecks(Instant next_check_at, Micros interval, Instant now, int max_catch_up) {
  Due d;
  d.next = next_check_at;
  if (now < next_check_at || interval.count() <= 0) return d;
  const int64_t total = (now - next_check_at) / interval + 1;
  const int64_t run = std::min<int64_t>(total, std::max(1, max_catch_up));
  d.skipped = total - run;
  for (int64_t i = total - run; i < total; ++i) d.at.push_back(next_check_at + i * interval);
  d.next = next_check_at + total * interval;
  return d;
}

std::string FormatDuration(Micros d) {
  int64_t s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s < 0) s = 0;
  std::string out;
  auto part = [&](int64_t v, const char* unit) {
    if (v == 0) return;
    if (!out.empty()) out += ' ';
    out += std::to_string(v);
    out += ' ';
    out += unit;
  };
  part(s / 86400, "d");
  part(s % 86400 / 3600, "h");
  part(s % 3600 / 60, "min");
  part(s % 60, "s");
  return out.empty() ? "0 s" : out;
}

std::string_view WindowStateName(WindowState s) {
  return kWindowStateNames[static_cast<size_t>(s)];
}

Result<WindowState> ParseWindowState(std::string_view text) {
  for (size_t i = 0; i < kWindowStateNames.size(); ++i) {
    if (kWindowStateNames[i] == text) return static_cast<WindowState>(i);
  }
  return Error::Invalid("invalid_value", "state must be upcoming, active or past", "state");
}

WindowState WindowStateAt(Instant starts_at, Instant ends_at, Instant now) {
  if (now < starts_at) return WindowState::kUpcoming;
  if (now < ends_at) return WindowState::kActive;
  return WindowState::kPast;
}

Status ValidateWindow(const WindowSpec& w, Instant now) {
  if (w.title.empty() || w.title.size() > kMaxWindowTitleBytes) {
    return Error::Invalid("invalid_value", "title must be 1 to 200 bytes", "title");
  }
  if (w.message.size() > kMaxWindowMessageBytes) {
    return Error::Invalid("invalid_value", "message must be at most 4000 bytes", "message");
  }
  if (w.monitor_count == 0 || w.monitor_count > kMaxWindowMonitors) {
    return Error::Invalid("invalid_value", "monitor_ids must name 1 to 100 monitors",
                          "monitor_ids");
  }
  if (w.ends_at <= w.starts_at) {
    return Error::Refused("window_ends_before_start", "ends_at must be after starts_at", "ends_at");
  }
  if (w.ends_at - w.starts_at > kMaxWindowLength) {
    return Error::Refused("window_too_long", "a maintenance window lasts at most 7 days",
                          "ends_at");
  }
  if (w.ends_at <= now) {
    return Error::Refused("window_in_past", "the window would already be over", "ends_at");
  }
  return Status::Ok();
}

bool Covered(const std::vector<WindowCover>& windows, std::string_view monitor_id, Instant at) {
  for (const auto& w : windows) {
    if (at < w.starts_at || at >= w.ends_at) continue;
    if (std::find(w.monitor_ids.begin(), w.monitor_ids.end(), monitor_id) != w.monitor_ids.end()) {
      return true;
    }
  }
  return false;
}

}  // namespace payops::monitor
