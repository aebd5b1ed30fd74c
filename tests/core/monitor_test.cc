// The pure rules of monitoring: targets and the SSRF guard, limits, the
// state machine, due checks with the bounded catch-up, windows.
#include "payops/core/monitor.h"

#include <gtest/gtest.h>

namespace payops::monitor {
namespace {

using std::chrono::seconds;

const Instant kT0 = FromMicros(1'900'000'000'000'000);

MonitorSpec Http(std::string target) {
  MonitorSpec s;
  s.name = "web";
  s.kind = Kind::kHttp;
  s.target = std::move(target);
  return s;
}

TEST(MonitorTarget, HttpUrlsAndHostPortParse) {
  auto a = ParseTarget(Kind::kHttp, "https://Status.Example.com/health?x=1#frag");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->scheme, "https");
  EXPECT_EQ(a->host, "status.example.com");
  EXPECT_EQ(a->port, 443);
  EXPECT_EQ(a->path, "/health?x=1");
  auto b = ParseTarget(Kind::kHttp, "http://[2001:db8::1]:8080");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "2001:db8::1");
  EXPECT_EQ(b->port, 8080);
  EXPECT_EQ(b->path, "/");
  auto c = ParseTarget(Kind::kTcp, "db.example.com:5432");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->port, 5432);
}

TEST(MonitorTarget, BadTargetsAreRefusedWithTheField) {
  for (const char* bad : {"ftp://example.com/", "example.com", "http://", "http://a b/",
                          "http://user:pw@example.com/", "http://example.com:0/",
                          "http://example.com:70000/", "http://[::1/"}) {
    auto r = ParseTarget(Kind::kHttp, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, "invalid_target") << bad;
    EXPECT_EQ(r.error().field, "target");
  }
  for (const char* bad :
       {"example.com", "example.com:", "http://example.com:80", "example.com:99999", "::1:22"}) {
    EXPECT_FALSE(ParseTarget(Kind::kTcp, bad).ok()) << bad;
  }
}

TEST(MonitorTarget, PrivateAddressesAreRecognised) {
  for (const char* ip : {"127.0.0.1", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                         "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "::", "fe80::1",
                         "fd00::5", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "224.0.0.1"}) {
    EXPECT_TRUE(IsPrivateAddress(ip)) << ip;
  }
  for (const char* ip :
       {"8.8.8.8", "172.32.0.1", "2001:4860::8888", "::ffff:8.8.8.8", "example.com", "1.2.3"}) {
    EXPECT_FALSE(IsPrivateAddress(ip)) << ip;
  }
  EXPECT_TRUE(IsPrivateHost("LOCALHOST"));
  EXPECT_TRUE(IsPrivateHost("api.localhost"));
  EXPECT_FALSE(IsPrivateHost("example.com"));
}

TEST(MonitorValidate, LimitsAndTheSsrfGuard) {
  EXPECT_TRUE(ValidateMonitor(Http("https://example.com/"), false).ok());
  auto priv = ValidateMonitor(Http("http://127.0.0.1:8080/"), false);
  ASSERT_FALSE(priv.ok());
  EXPECT_EQ(priv.error().code, "private_target");
  EXPECT_EQ(priv.error().kind, ErrorKind::kRefused);
  EXPECT_TRUE(ValidateMonitor(Http("http://127.0.0.1:8080/"), true).ok());
  EXPECT_FALSE(ValidateMonitor(Http("http://localhost/"), false).ok());

  auto s = Http("https://example.com/");
  s.interval_seconds = 9;
  EXPECT_EQ(ValidateMonitor(s, false).error().field, "interval_seconds");
  s.interval_seconds = 86401;
  EXPECT_FALSE(ValidateMonitor(s, false).ok());
  s.interval_seconds = 10;
  EXPECT_TRUE(ValidateMonitor(s, false).ok());
  s.interval_seconds = 86400;
  EXPECT_TRUE(ValidateMonitor(s, false).ok());
  for (int64_t t : {0, 6}) {
    s.failure_threshold = t;
    EXPECT_EQ(ValidateMonitor(s, false).error().field, "failure_threshold") << t;
  }
  s.failure_threshold = 5;
  EXPECT_TRUE(ValidateMonitor(s, false).ok());
  s.timeout_ms = 50;
  EXPECT_EQ(ValidateMonitor(s, false).error().field, "timeout_ms");

  MonitorSpec tcp;
  tcp.name = "db";
  tcp.kind = Kind::kTcp;
  tcp.target = "db.example.com:5432";
  EXPECT_TRUE(ValidateMonitor(tcp, false).ok());
  tcp.expect_status = 200;
  EXPECT_FALSE(ValidateMonitor(tcp, false).ok());
  tcp.expect_status.reset();
  tcp.kind = Kind::kBuiltin;
  EXPECT_FALSE(ValidateMonitor(tcp, false).ok());
}

TEST(MonitorStateMachine, ThresholdOpensOneIncidentAndSuccessRecovers) {
  State s;
  Instant t = kT0;
  auto step = ApplyCheck(s, false, false, 3, t);
  EXPECT_EQ(step.effect, Effect::kNone);
  EXPECT_EQ(step.next.down_since, t);
  step = ApplyCheck(step.next, false, false, 3, t + seconds(60));
  EXPECT_EQ(step.effect, Effect::kNone);
  step = ApplyCheck(step.next, false, false, 3, t + seconds(120));
  EXPECT_EQ(step.effect, Effect::kOpenIncident);
  EXPECT_TRUE(step.next.incident_open);
  // Further failures: nothing new.
  step = ApplyCheck(step.next, false, false, 3, t + seconds(180));
  EXPECT_EQ(step.effect, Effect::kNone);
  EXPECT_EQ(step.next.consecutive_failures, 4);
  EXPECT_EQ(DisplayStatus(step.next, true, false, 3), "down");
  step = ApplyCheck(step.next, true, false, 3, t + seconds(240));
  EXPECT_EQ(step.effect, Effect::kRecovered);
  EXPECT_EQ(step.outage_start, t);
  EXPECT_EQ(step.next.consecutive_failures, 0);
  EXPECT_FALSE(step.next.incident_open);
  EXPECT_EQ(DisplayStatus(step.next, true, false, 3), "up");
}

TEST(MonitorStateMachine, MaintenanceSuppressesUntilTheWindowEnds) {
  State s;
  Step step{s, Effect::kNone, std::nullopt};
  for (int i = 0; i < 5; ++i) {
    step = ApplyCheck(step.next, false, true, 2, kT0 + seconds(60 * i));
    EXPECT_EQ(step.effect, Effect::kNone);
  }
  EXPECT_EQ(DisplayStatus(step.next, true, true, 2), "maintenance");
  // The first failure after the window opens the incident at once.
  step = ApplyCheck(step.next, false, false, 2, kT0 + seconds(300));
  EXPECT_EQ(step.effect, Effect::kOpenIncident);
  // A success after a suppressed streak (no incident) recovers silently.
  Step quiet = ApplyCheck(State{}, false, true, 1, kT0);
  quiet = ApplyCheck(quiet.next, true, true, 1, kT0 + seconds(60));
  EXPECT_EQ(quiet.effect, Effect::kNone);
}

TEST(MonitorSchedule, EachIntervalOnceUpToTheCatchUpBound) {
  auto none = DueChecks(kT0, seconds(60), kT0 - seconds(1), 5);
  EXPECT_TRUE(none.at.empty());
  EXPECT_EQ(none.next, kT0);
  auto three = DueChecks(kT0, seconds(60), kT0 + seconds(150), 5);
  ASSERT_EQ(three.at.size(), 3u);
  EXPECT_EQ(three.at[0], kT0);
  EXPECT_EQ(three.at[2], kT0 + seconds(120));
  EXPECT_EQ(three.next, kT0 + seconds(180));
  EXPECT_EQ(three.skipped, 0);
  // A day at once: only the latest five, the schedule continues after now.
  auto day = DueChecks(kT0, seconds(60), kT0 + std::chrono::hours(24), 5);
  ASSERT_EQ(day.at.size(), 5u);
  EXPECT_EQ(day.at.back(), kT0 + std::chrono::hours(24));
  EXPECT_EQ(day.skipped, 1441 - 5);
  EXPECT_EQ(day.next, kT0 + std::chrono::hours(24) + seconds(60));
}

TEST(MonitorWindows, StatesValidationAndCoverage) {
  const Instant start = kT0 + std::chrono::hours(1);
  const Instant end = start + std::chrono::hours(2);
  EXPECT_EQ(WindowStateAt(start, end, kT0), WindowState::kUpcoming);
  EXPECT_EQ(WindowStateAt(start, end, start), WindowState::kActive);
  EXPECT_EQ(WindowStateAt(start, end, end), WindowState::kPast);
  EXPECT_TRUE(ValidateWindow({start, end, "Upgrade", "", 1}, kT0).ok());
  EXPECT_EQ(ValidateWindow({end, start, "Upgrade", "", 1}, kT0).error().code,
            "window_ends_before_start");
  EXPECT_EQ(ValidateWindow({start, start, "Upgrade", "", 1}, kT0).error().code,
            "window_ends_before_start");
  EXPECT_EQ(ValidateWindow({start, end, "", "", 1}, kT0).error().field, "title");
  EXPECT_EQ(ValidateWindow({start, end, "Upgrade", "", 0}, kT0).error().field, "monitor_ids");
  EXPECT_EQ(
      ValidateWindow({start, start + std::chrono::hours(24 * 8), "U", "", 1}, kT0).error().code,
      "window_too_long");
  EXPECT_EQ(ValidateWindow({start, end, "U", "", 1}, end).error().code, "window_in_past");
  std::vector<WindowCover> ws{{start, end, {"mon_a"}}};
  EXPECT_TRUE(Covered(ws, "mon_a", start));
  EXPECT_FALSE(Covered(ws, "mon_a", end));
  EXPECT_FALSE(Covered(ws, "mon_b", start));
  EXPECT_FALSE(Covered(ws, "mon_a", start - seconds(1)));
  EXPECT_EQ(FormatDuration(seconds(3723)), "1 h 2 min 3 s");
  EXPECT_EQ(FormatDuration(seconds(0)), "0 s");
}

}  // namespace
}  // namespace payops::monitor
