// Monitors and maintenance windows against the real server, driven by the
// sandbox clock, with real loopback targets: an HTTP receiver whose answer
// the test switches, and TCP ports nobody listens on.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness.h"
#include "payops/core/clock.h"
#include "sinks.h"
#include "site.h"

namespace payops::testing {
namespace {

namespace json = boost::json;

struct Site : ConfiguredServer {
  using ConfiguredServer::ConfiguredServer;
  json::value Monitor(const std::string& id) { return Json("GET", "/v1/monitors/" + id); }
  size_t Events(const std::string& to, const std::string& event) {
    auto rows = Json("GET", "/v1/outbox?to=" + to + "&limit=500").at("data").as_array();
    size_t n = 0;
    for (const auto& r : rows) n += r.at("event").as_string() == event;
    return n;
  }
  size_t MonitorTickets() {
    auto rows = Json("GET", "/v1/tickets?view=all&limit=500").at("data").as_array();
    size_t n = 0;
    for (const auto& r : rows) n += r.at("channel").as_string() == "monitor";
    return n;
  }
};

std::string S(const json::value& v, const char* key) {
  return std::string(v.at(key).as_string());
}

const char* kPrivate = "[monitors]\nallow_private = true\nbuiltin = false\n";

TEST(Monitors, ThresholdTicketPageMaintenanceRecoveryAndCatchUp) {
  std::atomic<int> answer{200};
  HttpReceiver target([&](const HttpHit&, int) { return answer.load(); });
  TempDir dir;
  Site site(dir, kPrivate);
  site.Key("ops_manager", "oncall@payops.test");
  const std::string down_port = std::to_string(FreePort());

  auto web = site.Json("POST", "/v1/monitors",
                       R"({"name":"API","kind":"http","target":")" + target.url("/health") +
                           R"(","interval_seconds":60,"expect_status":200})",
                       201);
  auto db = site.Json("POST", "/v1/monitors",
                      R"({"name":"DB","kind":"tcp","target":"127.0.0.1:)" + down_port +
                          R"(","interval_seconds":60,"failure_threshold":2})",
                      201);
  const std::string web_id = S(web, "id"), db_id = S(db, "id");
  EXPECT_EQ(S(web, "status"), "unknown");
  EXPECT_EQ(web.at("failure_threshold").as_int64(), 3);

  // Two intervals: the TCP monitor reaches its threshold of 2.
  site.Advance(std::chrono::seconds(60));
  auto d = site.Monitor(db_id);
  EXPECT_EQ(S(d, "status"), "down");
  ASSERT_TRUE(d.at("open_ticket").is_object()) << d;
  EXPECT_EQ(d.at("recent_checks").as_array().size(), 2u);
  EXPECT_FALSE(d.at("recent_checks").at(0).at("ok").as_bool());
  auto w = site.Monitor(web_id);
  EXPECT_EQ(S(w, "status"), "up");
  EXPECT_EQ(w.at("recent_checks").at(0).at("status_code").as_int64(), 200);
  EXPECT_GE(target.Hits().size(), 2u);
  EXPECT_EQ(target.Hits().at(0).target, "/health");
  EXPECT_EQ(site.MonitorTickets(), 1u);
  EXPECT_EQ(site.Events("oncall@payops.test", "urgent_page"), 1u);
  auto ticket = site.Json("GET", "/v1/tickets/" + S(d.at("open_ticket"), "id"));
  EXPECT_EQ(S(ticket, "priority"), "urgent");
  EXPECT_EQ(S(ticket, "category"), "server_error");
  EXPECT_NE(S(ticket, "description").find("127.0.0.1:" + down_port), std::string::npos);

  // Still failing: history only.
  site.Advance(std::chrono::seconds(180));
  EXPECT_EQ(site.MonitorTickets(), 1u);
  EXPECT_EQ(site.Events("oncall@payops.test", "urgent_page"), 1u);
  EXPECT_EQ(site.Monitor(db_id).at("consecutive_failures").as_int64(), 5);

  // The HTTP endpoint fails three times: its own ticket; then recovers.
  answer = 503;
  site.Advance(std::chrono::seconds(180));
  w = site.Monitor(web_id);
  EXPECT_EQ(S(w, "status"), "down");
  ASSERT_TRUE(w.at("open_ticket").is_object());
  const std::string web_ticket = S(w.at("open_ticket"), "id");
  EXPECT_EQ(site.MonitorTickets(), 2u);
  answer = 200;
  site.Advance(std::chrono::seconds(60));
  EXPECT_EQ(S(site.Monitor(web_id), "status"), "up");
  auto t = site.Json("GET", "/v1/tickets/" + web_ticket);
  const auto& messages = t.at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u) << t;
  EXPECT_TRUE(messages[0].at("internal").as_bool());
  const std::string note = S(messages[0], "body");
  EXPECT_NE(note.find("Outage start:"), std::string::npos) << note;
  EXPECT_NE(note.find("Outage end:"), std::string::npos) << note;
  EXPECT_NE(note.find("Duration: 3 min"), std::string::npos) << note;
  EXPECT_EQ(site.Events("oncall@payops.test", "page_resolve"), 1u);

  // Maintenance: a monitor with threshold 1 under an active window.
  auto cache = site.Json("POST", "/v1/monitors",
                         R"({"name":"Cache","kind":"tcp","target":"127.0.0.1:)" +
                             std::to_string(FreePort()) +
                             R"(","interval_seconds":60,"failure_threshold":1})",
                         201);
  const Instant now = site.Now();
  site.Json("POST", "/v1/maintenance-windows",
            R"({"starts_at":")" + FormatRfc3339(now) + R"(","ends_at":")" +
                FormatRfc3339(now + std::chrono::seconds(150)) + R"(","monitor_ids":[")" +
                S(cache, "id") + R"("],"title":"Cache upgrade","message":"Restarting"})",
            201);
  site.Advance(std::chrono::seconds(120));
  auto c = site.Monitor(S(cache, "id"));
  EXPECT_EQ(S(c, "status"), "maintenance");
  EXPECT_TRUE(c.at("open_ticket").is_null());
  EXPECT_EQ(c.at("recent_checks").as_array().size(), 3u);
  EXPECT_TRUE(c.at("recent_checks").at(0).at("in_maintenance").as_bool());
  EXPECT_EQ(site.MonitorTickets(), 2u);
  EXPECT_EQ(site.Events("oncall@payops.test", "urgent_page"), 2u);
  EXPECT_EQ(site.Json("GET", "/v1/maintenance-windows?state=active").at("data").as_array().size(),
            1u);
  // After the window the still-failing monitor opens its ticket at once.
  site.Advance(std::chrono::seconds(60));
  c = site.Monitor(S(cache, "id"));
  EXPECT_EQ(S(c, "status"), "down");
  EXPECT_TRUE(c.at("open_ticket").is_object());
  EXPECT_EQ(site.MonitorTickets(), 3u);

  // A day at once: each monitor runs its latest 5 checks, no more.
  const int64_t before = site.Monitor(db_id).at("consecutive_failures").as_int64();
  site.Advance(std::chrono::seconds(86400));
  EXPECT_EQ(site.Monitor(db_id).at("consecutive_failures").as_int64(), before + 5);
  EXPECT_EQ(site.MonitorTickets(), 3u);

  // Delete: gone from the list.
  site.Json("DELETE", "/v1/monitors/" + S(cache, "id"));
  EXPECT_EQ(site.Call("GET", "/v1/monitors/" + S(cache, "id")).status, 404);
  EXPECT_EQ(site.Json("GET", "/v1/monitors").at("data").as_array().size(), 2u);
}

TEST(Monitors, BadInputIs4xxAndStoresNothing) {
  TempDir dir;
  Site site(dir, "");  // default: private targets refused, built-in monitors on
  const size_t builtins = site.Json("GET", "/v1/monitors").at("data").as_array().size();
  EXPECT_EQ(builtins, 3u);  // readyz, store, outbox (no SMTP configured)
  const std::vector<std::pair<std::string, int>> bad = {
      {R"({"name":"x","kind":"http","target":"http://127.0.0.1:8080/","interval_seconds":60})",
       422},
      {R"({"name":"x","kind":"http","target":"http://localhost/","interval_seconds":60})", 422},
      {R"({"name":"x","kind":"tcp","target":"10.0.0.5:22","interval_seconds":60})", 422},
      {R"({"name":"x","kind":"http","target":"ftp://example.com/","interval_seconds":60})", 400},
      {R"({"name":"x","kind":"tcp","target":"example.com","interval_seconds":60})", 400},
      {R"({"name":"x","kind":"http","target":"https://example.com/","interval_seconds":9})", 400},
      {R"({"name":"x","kind":"http","target":"https://example.com/","interval_seconds":86401})",
       400},
      {R"({"name":"x","kind":"http","target":"https://example.com/","interval_seconds":60,"failure_threshold":0})",
       400},
      {R"({"name":"x","kind":"http","target":"https://example.com/","interval_seconds":60,"failure_threshold":6})",
       400},
      {R"({"name":"x","kind":"smtp","target":"https://example.com/","interval_seconds":60})", 400},
      {R"({"name":"x","kind":"builtin","target":"store","interval_seconds":60})", 400},
      {R"({"name":"x","kind":"http","target":"https://example.com/","interval_seconds":"60"})",
       400},
      {R"({"name":"x","kind":"http","target":"https://example.com/","interval_seconds":60,"extra":1})",
       400},
      {R"({"kind":"http","target":"https://example.com/","interval_seconds":60})", 400},
      {R"(not json)", 400},
  };
  for (const auto& [body, status] : bad) {
    auto r = site.Call("POST", "/v1/monitors", body);
    EXPECT_EQ(r.status, status) << body << ": " << r.body;
    EXPECT_NE(r.body.find("\"error\""), std::string::npos) << r.body;
  }
  EXPECT_EQ(site.Json("GET", "/v1/monitors").at("data").as_array().size(), builtins);
  auto ok = site.Json("POST", "/v1/monitors",
                      R"({"name":"Public","kind":"http","target":"https://example.com/",)"
                      R"("interval_seconds":300})",
                      201);
  EXPECT_EQ(site.Call("PATCH", "/v1/monitors/" + S(ok, "id"), R"({"failure_threshold":7})").status,
            400);
  EXPECT_EQ(
      site.Call("PATCH", "/v1/monitors/" + S(ok, "id"), R"({"target":"http://127.0.0.1/"})").status,
      422);
  EXPECT_EQ(site.Monitor(S(ok, "id")).at("failure_threshold").as_int64(), 3);

  const Instant now = site.Now();
  auto window = [&](Instant start, Instant end, const std::string& ids) {
    return R"({"starts_at":")" + FormatRfc3339(start) + R"(","ends_at":")" + FormatRfc3339(end) +
           R"(","monitor_ids":)" + ids + R"(,"title":"Upgrade","message":"m"})";
  };
  const std::string ids = R"([")" + S(ok, "id") + R"("])";
  const auto h = std::chrono::hours(1);
  EXPECT_EQ(site.Call("POST", "/v1/maintenance-windows", window(now + 2 * h, now + h, ids)).status,
            422);
  EXPECT_EQ(site.Call("POST", "/v1/maintenance-windows", window(now + h, now + h, ids)).status,
            422);
  EXPECT_EQ(
      site.Call("POST", "/v1/maintenance-windows", window(now + h, now + 2 * h, R"(["mon_x"])"))
          .status,
      422);
  EXPECT_EQ(site.Call("POST", "/v1/maintenance-windows", window(now + h, now + 2 * h, "[]")).status,
            400);
  EXPECT_EQ(site.Call("GET", "/v1/maintenance-windows?state=soon").status, 400);
  EXPECT_TRUE(site.Json("GET", "/v1/maintenance-windows").at("data").as_array().empty());
  // Roles: an agent reads but does not create; a partner reads windows only.
  const std::string agent = site.Key("agent", "agent@payops.test");
  EXPECT_EQ(
      site.Call(
              "POST", "/v1/monitors",
              R"({"name":"x","kind":"http","target":"https://example.com/","interval_seconds":60})",
              agent)
          .status,
      403);
  EXPECT_EQ(site.Call("GET", "/v1/monitors", "", agent).status, 200);
  // A window deleted before its start; not once started.
  auto mw = site.Json("POST", "/v1/maintenance-windows", window(now + h, now + 2 * h, ids), 201);
  EXPECT_EQ(S(mw, "state"), "upcoming");
  auto later = site.Json("POST", "/v1/maintenance-windows", window(now + h, now + 3 * h, ids), 201);
  site.Json("DELETE", "/v1/maintenance-windows/" + S(mw, "id"));
  site.Advance(std::chrono::seconds(3600 + 60));
  EXPECT_EQ(site.Call("DELETE", "/v1/maintenance-windows/" + S(later, "id")).status, 409);
  // The built-in monitors watched this server meanwhile.
  auto list = site.Json("GET", "/v1/monitors").at("data").as_array();
  for (const auto& m : list) {
    if (!m.at("builtin").as_bool()) continue;
    EXPECT_EQ(S(m, "status"), "up") << m;
  }
}

}  // namespace
}  // namespace payops::testing
