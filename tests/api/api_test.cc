// API behaviour that a case file cannot express: raw HTTP, concurrency,
// signals, the command line, and the server on PostgreSQL.
#include <gtest/gtest.h>
#include <signal.h>

#include <sys/wait.h>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "harness.h"

namespace payops::testing {
namespace {

namespace json = boost::json;

std::string AdminKey(const ServerProcess& s) {
  int rc = 0;
  std::string key = s.RunCli(
      {"key", "create", "--store", s.store_url(), "--role", "admin", "--name", "Root"}, &rc);
  EXPECT_EQ(rc, 0);
  key.erase(key.find_last_not_of('\n') + 1);
  return key;
}

std::string CreateOrg(int port, const std::string& key, const std::string& domain) {
  auto r = Request(port, "POST", "/v1/orgs",
                   R"({"name":"Org","domain":")" + domain +
                       R"(","sla_plan":"vip","hypercare_plan":"pro","bau_plan":"pro",)"
                       R"("go_live_date":"2026-01-01","allowed_countries":["US"]})",
                   {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(r.status, 201) << r.body;
  return std::string(json::parse(r.body).at("id").as_string());
}

TEST(Api, BodyOverOneMebibyteIs413AndNothingStored) {
  ServerProcess s;
  std::string key = AdminKey(s);
  std::string body = R"({"name":")" + std::string(1100000, 'x') + R"("})";
  auto r = Request(s.port(), "POST", "/v1/orgs", body, {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("body_too_large"), std::string::npos);
  auto list = Request(s.port(), "GET", "/v1/orgs", "", {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(json::parse(list.body).at("data").as_array().size(), 0u);
}

TEST(Api, InvalidUtf8IsRefused) {
  ServerProcess s;
  std::string key = AdminKey(s);
  std::string body = "{\"name\":\"bad \xC3\x28 bytes\",\"domain\":\"a.example\"}";
  auto r = Request(s.port(), "POST", "/v1/orgs", body, {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("invalid_json"), std::string::npos) << r.body;
}

TEST(Api, MalformedHttpIs400) {
  ServerProcess s;
  auto r = SendRaw(s.port(), "GARBAGE\r\n\r\n");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"error\""), std::string::npos);
}

TEST(Api, KeepAliveServesSeveralRequestsOnOneConnection) {
  ServerProcess s;
  std::string raw =
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  auto r = SendRaw(s.port(), raw);
  EXPECT_EQ(r.status, 200);
  // The second answer follows the first on the same connection.
  EXPECT_NE(r.body.find("HTTP/1.1 200 OK"), std::string::npos) << r.body;
}

TEST(Api, ConcurrentRetriesWithOneIdempotencyKeyCreateOneUser) {
  ServerProcess s;
  std::string key = AdminKey(s);
  std::string org = CreateOrg(s.port(), key, "idem.example");
  std::string body =
      R"({"org_id":")" + org + R"(","name":"Ana","email":"ana@customers.example","country":"US"})";
  constexpr int kThreads = 16;
  std::vector<std::thread> threads;
  std::vector<HttpResult> results(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      results[i] = Request(s.port(), "POST", "/v1/users", body,
                           {{"Authorization", "Bearer " + key}, {"Idempotency-Key", "same"}});
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> ids;
  for (const auto& r : results) {
    ASSERT_EQ(r.status, 201) << r.body;
    ids.insert(std::string(json::parse(r.body).at("id").as_string()));
  }
  EXPECT_EQ(ids.size(), 1u);
  auto list = Request(s.port(), "GET", "/v1/users", "", {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(json::parse(list.body).at("data").as_array().size(), 1u);
}

TEST(Api, MetricsCountRequestsPerRoute) {
  ServerProcess s;
  for (int i = 0; i < 3; ++i) Request(s.port(), "GET", "/healthz");
  auto m = Request(s.port(), "GET", "/metrics");
  EXPECT_EQ(m.status, 200);
  EXPECT_NE(
      m.body.find(R"(payops_http_requests_total{method="GET",route="/healthz",status="200"} 3)"),
      std::string::npos)
      << m.body;
  EXPECT_NE(m.body.find("payops_http_request_duration_seconds_bucket"), std::string::npos);
}

TEST(Api, SigtermStopsGracefully) {
  ServerProcess s;
  EXPECT_EQ(Request(s.port(), "GET", "/healthz").status, 200);
  EXPECT_EQ(s.Terminate(), 0);
  EXPECT_NE(s.Log().find("stopped"), std::string::npos);
}

TEST(Api, SandboxClockIsAbsentOutsideSandboxMode) {
  // The harness always passes --sandbox; a second server without it is started by hand here.
  ServerProcess s;
  std::string key = AdminKey(s);
  s.Terminate();
  // Reuse the same store without --sandbox: sandbox routes must be 404.
  ServerProcess plain(s.store_url(), {}, /*sandbox=*/false);
  auto r =
      Request(plain.port(), "GET", "/v1/sandbox/clock", "", {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(r.status, 404);
}

TEST(Cli, KeyCreatePrintsTheKeyAloneAndBadUsageExitsTwo) {
  ServerProcess s;
  int rc = 0;
  std::string key = s.RunCli(
      {"key", "create", "--store", s.store_url(), "--role", "agent", "--name", "Sam"}, &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_EQ(key.rfind("po_", 0), 0u);
  EXPECT_EQ(key.find('\n'), key.size() - 1);
  s.RunCli({"key", "create", "--store", s.store_url(), "--role", "wizard", "--name", "X"}, &rc);
  EXPECT_EQ(rc, 2);
  s.RunCli({"frobnicate"}, &rc);
  EXPECT_EQ(rc, 2);
  s.RunCli({"migrate", "--store", "mysql://nope"}, &rc);
  EXPECT_EQ(rc, 2);
  s.RunCli({"migrate", "--store", "postgresql://nobody@127.0.0.1:1/none"}, &rc);
  EXPECT_EQ(rc, 1);
}

// Runs a shell command line; returns its exit status.
int Shell(const std::string& cmd) {
  int status = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(Cli, ConfigFileThenEnvironmentThenFlags) {
  char tmpl[] = "/tmp/payops-cfg-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string bin = PAYOPS_BINARY;
  {
    std::ofstream f(dir + "/good.toml");
    f << "store = \"sqlite://" << dir
      << "/from-file.db\"\nlog_level = \"warn\"\n[server]\nio_threads = 2\n";
    std::ofstream b(dir + "/bad.toml");
    b << "stroe = \"typo\"\n";
  }
  auto exists = [&](const std::string& name) { return std::ifstream(dir + "/" + name).good(); };
  EXPECT_EQ(Shell(bin + " migrate --config " + dir + "/good.toml"), 0);
  EXPECT_TRUE(exists("from-file.db"));
  EXPECT_EQ(Shell("PAYOPS_STORE=sqlite://" + dir + "/from-env.db " + bin + " migrate --config " +
                  dir + "/good.toml"),
            0);
  EXPECT_TRUE(exists("from-env.db"));
  EXPECT_EQ(Shell("PAYOPS_STORE=sqlite://" + dir + "/env-loses.db " + bin +
                  " migrate --store sqlite://" + dir + "/flag-wins.db"),
            0);
  EXPECT_TRUE(exists("flag-wins.db"));
  EXPECT_FALSE(exists("env-loses.db"));
  EXPECT_EQ(Shell(bin + " migrate --config " + dir + "/bad.toml"), 2);
  EXPECT_EQ(Shell(bin + " migrate --config " + dir + "/missing.toml"), 2);
  EXPECT_EQ(Shell(bin + " serve --help"), 0);
  EXPECT_EQ(Shell("PAYOPS_IO_THREADS=zero " + bin + " migrate --store sqlite://" + dir + "/x.db"),
            2);
  std::filesystem::remove_all(dir);
}

TEST(Postgres, ServerRunsOnPostgres) {
  std::string url = PostgresUrlForTests();
  ASSERT_FALSE(url.empty()) << "PAYOPS_TEST_PG_URL_FILE is not set: run through ctest";
  ServerProcess s(url);
  std::string key = AdminKey(s);
  auto ready = Request(s.port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 200);
  std::string domain = "pg" + std::to_string(s.port()) + ".example";
  std::string org = CreateOrg(s.port(), key, domain);
  auto dup = Request(s.port(), "POST", "/v1/orgs",
                     R"({"name":"Org","domain":")" + domain +
                         R"(","sla_plan":"vip","hypercare_plan":"pro","bau_plan":"pro",)"
                         R"("go_live_date":"2026-01-01","allowed_countries":["US"]})",
                     {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(dup.status, 409) << dup.body;
  std::string body =
      R"({"org_id":")" + org + R"(","name":"Ana","email":"ana@customers.example","country":"US"})";
  std::vector<std::thread> threads;
  std::vector<HttpResult> results(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      results[i] = Request(s.port(), "POST", "/v1/users", body,
                           {{"Authorization", "Bearer " + key}, {"Idempotency-Key", "pg-same"}});
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> ids;
  for (const auto& r : results) {
    ASSERT_EQ(r.status, 201) << r.body;
    ids.insert(std::string(json::parse(r.body).at("id").as_string()));
  }
  EXPECT_EQ(ids.size(), 1u);
}

}  // namespace
}  // namespace payops::testing

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
