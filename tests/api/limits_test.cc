// Limits and abuse through the real server: rate limits per key and per
// address (429 with Retry-After; /healthz and /readyz exempt), throttling of
// failed authentication by address, the bound on open connections and on
// the time to read a request. Buckets refill by the minute in these
// configurations, so no assertion depends on how fast the machine is.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <future>
#include <thread>
#include <vector>

#include "harness.h"
#include "payops/store/store.h"

namespace payops::testing {
namespace {

std::string WriteConfig(const std::string& text) {
  char tmpl[] = "/tmp/payops-limits-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/payops.toml") << text;
  return dir + "/payops.toml";
}

struct Limited {
  explicit Limited(const std::string& toml)
      : config(WriteConfig(toml)), server("", {"--config", config}) {}
  ~Limited() {
    std::error_code ec;
    std::filesystem::remove_all(std::filesystem::path(config).parent_path(), ec);
  }
  std::string Key(const std::string& name) {
    int rc = 0;
    std::string k = server.RunCli(
        {"key", "create", "--store", server.store_url(), "--role", "admin", "--name", name}, &rc);
    EXPECT_EQ(rc, 0);
    k.erase(k.find_last_not_of('\n') + 1);
    return k;
  }
  HttpResult Get(const std::string& target, const std::string& key = "") {
    if (key.empty()) return Request(server.port(), "GET", target);
    return Request(server.port(), "GET", target, "", {{"Authorization", "Bearer " + key}});
  }
  std::string config;
  ServerProcess server;
};

// A connected loopback socket; reads time out after 30 s.
int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{30, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

// True when the server closed `fd` (end of stream or reset) before 30 s.
bool ClosedByServer(int fd) {
  char buf[256];
  ssize_t n = recv(fd, buf, sizeof buf, 0);
  return n == 0 || (n < 0 && errno == ECONNRESET);
}

TEST(Limits, PerKeyRateLimitAnswers429WithRetryAfter) {
  Limited l("[rate_limits]\nper_key_per_minute = 1\nper_key_burst = 5\n");
  std::string a = l.Key("Key A");
  std::string b = l.Key("Key B");
  for (int i = 0; i < 5; ++i) EXPECT_EQ(l.Get("/v1/orgs", a).status, 200) << i;
  HttpResult limited = l.Get("/v1/orgs", a);
  EXPECT_EQ(limited.status, 429);
  ASSERT_TRUE(limited.headers.count("retry-after"));
  EXPECT_GE(std::atoi(limited.headers["retry-after"].c_str()), 1);
  EXPECT_EQ(boost::json::parse(limited.body).at("error").at("code").as_string(), "rate_limited");
  // Another key has its own bucket; the probes are never limited.
  EXPECT_EQ(l.Get("/v1/orgs", b).status, 200);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(l.Get("/healthz").status, 200);
    EXPECT_EQ(l.Get("/readyz").status, 200);
  }
}

TEST(Limits, PerAddressRateLimitCoversAnonymousRequests) {
  Limited l("[rate_limits]\nper_address_per_minute = 1\nper_address_burst = 4\n");
  for (int i = 0; i < 4; ++i) EXPECT_EQ(l.Get("/v1/orgs").status, 401) << i;
  HttpResult limited = l.Get("/v1/nowhere");
  EXPECT_EQ(limited.status, 429);
  EXPECT_TRUE(limited.headers.count("retry-after"));
  EXPECT_EQ(l.Get("/healthz").status, 200);
  EXPECT_EQ(l.Get("/readyz").status, 200);
}

TEST(Limits, FailedAuthenticationIsThrottledByAddress) {
  Limited l("[rate_limits]\nauth_failures_per_minute = 1\nauth_failures_burst = 3\n");
  std::string good = l.Key("Good Key");
  // Missing credentials are not failures.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(l.Get("/v1/orgs").status, 401);
  EXPECT_EQ(l.Get("/v1/orgs", good).status, 200);
  // A wrong key, a wrong session cookie, a failed sign-in: three failures.
  EXPECT_EQ(l.Get("/v1/orgs", "po_wrongwrongwrongwrong").status, 401);
  EXPECT_EQ(Request(l.server.port(), "GET", "/v1/orgs", "",
                    {{"Cookie", "payops_session=notasessionnotasession"}})
                .status,
            401);
  EXPECT_EQ(Request(l.server.port(), "POST", "/v1/portal/login",
                    R"({"email":"nobody@payops.test","password":"wrong horse battery"})")
                .status,
            401);
  // Now every request bearing credentials from this address waits, even
  // with a good key, and so does a sign-in.
  HttpResult throttled = l.Get("/v1/orgs", "po_wrongwrongwrongwrong");
  EXPECT_EQ(throttled.status, 429);
  EXPECT_TRUE(throttled.headers.count("retry-after"));
  EXPECT_EQ(boost::json::parse(throttled.body).at("error").at("code").as_string(),
            "auth_throttled");
  EXPECT_EQ(l.Get("/v1/orgs", good).status, 429);
  EXPECT_EQ(Request(l.server.port(), "POST", "/v1/portal/login",
                    R"({"email":"nobody@payops.test","password":"another try"})")
                .status,
            429);
  EXPECT_EQ(l.Get("/healthz").status, 200);
}

TEST(Limits, OpenConnectionsAreBounded) {
  Limited l("[server]\nmax_connections = 3\n");
  int held[3];
  for (int& fd : held) fd = Connect(l.server.port());
  // A request on each held connection proves all three were accepted.
  for (int fd : held) {
    std::string req = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    ASSERT_EQ(send(fd, req.data(), req.size(), 0), static_cast<ssize_t>(req.size()));
    char buf[512];
    ASSERT_GT(recv(fd, buf, sizeof buf, 0), 0);
  }
  int extra = Connect(l.server.port());
  EXPECT_TRUE(ClosedByServer(extra));
  close(extra);
  // Once one is let go, requests are served again (its close is noticed
  // asynchronously: tried a bounded number of times).
  close(held[0]);
  int status = 0;
  for (int i = 0; i < 200 && status != 200; ++i) {
    status = Request(l.server.port(), "GET", "/healthz").status;
    if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(status, 200);
  close(held[1]);
  close(held[2]);
  EXPECT_NE(l.server.Log().find("too many open"), std::string::npos);
}

TEST(Limits, ARequestThatNeverCompletesIsCut) {
  Limited l("[server]\nread_timeout_s = 1\n");
  int fd = Connect(l.server.port());
  std::string partial = "POST /v1/orgs HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n{";
  ASSERT_EQ(send(fd, partial.data(), partial.size(), 0), static_cast<ssize_t>(partial.size()));
  EXPECT_TRUE(ClosedByServer(fd));
  close(fd);
  EXPECT_EQ(Request(l.server.port(), "GET", "/healthz").status, 200);
}

// `instant` (RFC 3339 in UTC, whole seconds) moved by `ahead`.
std::string UtcPlus(const std::string& instant, std::chrono::seconds ahead) {
  std::tm tm{};
  EXPECT_NE(strptime(instant.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm), nullptr) << instant;
  const std::time_t t = timegm(&tm) + static_cast<std::time_t>(ahead.count());
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// One worker thread, one request queued at most: while a clock move holds
// the worker inside its jobs (sandbox fault injection pauses each run), the
// next requests for the workers fill the queue and the rest get 503 with
// Retry-After at once; afterwards everything is served again.
TEST(Limits, RequestsPastTheWorkerQueueAre503) {
  ScopedEnv pause("PAYOPS_SANDBOX_JOB_PAUSE_MS", "1500");
  Limited l("[server]\nworker_threads = 1\nmax_pending_requests = 1\n");
  const std::string key = l.Key("Ops");
  const HttpResult clock = l.Get("/v1/sandbox/clock", key);
  ASSERT_EQ(clock.status, 200) << clock.body;
  const std::string now(boost::json::parse(clock.body).at("now").as_string());
  auto moving = std::async(std::launch::async, [&] {
    return Request(l.server.port(), "POST", "/v1/sandbox/clock",
                   R"({"now":")" + UtcPlus(now, std::chrono::seconds(8)) + "\"}",
                   {{"Authorization", "Bearer " + key}});
  });
  // The clock move is inside a job (its lease taken) on the only worker.
  auto store = store::Open(l.server.store_url());
  ASSERT_TRUE(store.ok()) << store.error().message;
  bool inside = false;
  for (int i = 0; i < 600 && !inside; ++i) {
    ASSERT_TRUE((*store)
                    ->Read([&](store::Tx& tx) -> Status {
                      PAYOPS_ASSIGN_OR_RETURN(
                          auto row,
                          tx.QueryOne("SELECT COUNT(*) FROM job_leases WHERE expires_at > 0", {}));
                      inside = row->Int(0) > 0;
                      return Status::Ok();
                    })
                    .ok());
    if (!inside) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(inside) << (moving.wait_for(std::chrono::seconds(0)) == std::future_status::ready
                              ? moving.get().body
                              : "still moving")
                      << l.server.Log();
  // Requests for the workers while the clock move holds the only one.
  int busy = 0;
  for (int i = 0; i < 200 && busy == 0; ++i) {
    std::vector<std::future<HttpResult>> burst;
    for (int j = 0; j < 4; ++j)
      burst.push_back(std::async(std::launch::async, [&] { return l.Get("/v1/orgs", key); }));
    for (auto& f : burst) {
      HttpResult r = f.get();
      if (r.status == 503) {
        ++busy;
        EXPECT_FALSE(r.headers["retry-after"].empty()) << r.body;
        EXPECT_NE(r.body.find("unavailable"), std::string::npos) << r.body;
      } else {
        EXPECT_EQ(r.status, 200) << r.body;
      }
    }
  }
  EXPECT_GT(busy, 0);
  EXPECT_EQ(moving.get().status, 200);
  EXPECT_EQ(l.Get("/v1/orgs", key).status, 200);
}

TEST(Limits, ConfigurationRefusesNonsense) {
  std::string bad = WriteConfig("[rate_limits]\nper_key_per_minute = -1\n");
  int rc = 0;
  ServerProcess probe;
  probe.RunCli({"--config", bad, "migrate", "--store", probe.store_url()}, &rc);
  EXPECT_NE(rc, 0);
  std::error_code ec;
  std::filesystem::remove_all(std::filesystem::path(bad).parent_path(), ec);
}

}  // namespace
}  // namespace payops::testing
