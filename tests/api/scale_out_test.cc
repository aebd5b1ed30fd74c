// Several `payops serve` on one PostgreSQL (SPEC §5): one shared sandbox
// clock, every timed job exactly once among them, a killed server's job taken
// over, every notification queued and sent once; migrations of servers that
// start at once; /readyz while the database goes away and comes back.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"
#include "payops/store/store.h"
#include "sinks.h"

namespace payops::testing {
namespace {

namespace json = boost::json;
using std::chrono::seconds;

constexpr const char* kKey = "5ca1e0075ca1e0075ca1e0075ca1e0075ca1e0075ca1e0075ca1e0075ca1e007";

std::string IdOf(const HttpResult& r) {
  if (r.status != 201) throw std::runtime_error("expected 201: " + r.body);
  return std::string(json::parse(r.body).at("id").as_string());
}

int64_t Count(store::Store& s, const std::string& sql) {
  int64_t n = -1;
  Status st = s.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(sql, {}));
    n = row ? row->Int(0) : -1;
    return Status::Ok();
  });
  if (!st.ok()) throw std::runtime_error(st.error().message);
  return n;
}

std::string ClockOf(int port, const std::string& key) {
  auto r = Request(port, "GET", "/v1/sandbox/clock", "", {{"Authorization", "Bearer " + key}});
  if (r.status != 200) return "status " + std::to_string(r.status);
  return std::string(json::parse(r.body).at("now").as_string());
}

TEST(Postgres, ThreeServersRunEveryJobOnceAndTakeOverAKilledServersJob) {
  ASSERT_FALSE(PostgresUrlForTests().empty()) << "run through ctest";
  const std::string url = NewPostgresSchemaUrl();
  SmtpSink sink;
  char tmpl[] = "/tmp/payops-scale-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  // Short leases, so that the killed server's job is taken over quickly.
  std::ofstream(dir + "/payops.toml")
      << "[smtp]\nurl = \"" << sink.url()
      << "\"\nfrom = \"Support <support@desk.example>\"\n[jobs]\nlease_s = 2\n";
  const std::vector<std::string> args = {"--config", dir + "/payops.toml"};
  ScopedEnv key_env("PAYOPS_ENCRYPTION_KEY", kKey);  // one deployment, one key
  std::unique_ptr<ServerProcess> a;
  {
    // Server A stops inside each job run long enough to be killed there.
    ScopedEnv pause("PAYOPS_SANDBOX_JOB_PAUSE_MS", "30000");
    a = std::make_unique<ServerProcess>(url, args);
  }
  ServerProcess b(url, args);
  ServerProcess c(url, args);
  int rc = 0;
  std::string key = b.RunCli({"key", "create", "--store", url, "--role", "admin", "--name", "Ops",
                              "--email", "ops@payops.test"},
                             &rc);
  ASSERT_EQ(rc, 0);
  key.erase(key.find_last_not_of('\n') + 1);
  const std::vector<int> ports = {a->port(), b.port(), c.port()};
  auto post = [&](int port, const std::string& path, const std::string& body) {
    return Request(port, "POST", path, body, {{"Authorization", "Bearer " + key}});
  };
  std::string org = IdOf(post(
      b.port(), "/v1/orgs",
      R"({"name":"Org","domain":"scale.example","sla_plan":"essentials","hypercare_plan":"standard","bau_plan":"standard","go_live_date":"2026-01-01","allowed_countries":["US","MX"],"fees":[{"direction":"payin","currency":"USD","corridor":"US-MX","fee":150},{"direction":"payout","currency":"USD","corridor":"US-MX","fee":100}]})"));
  std::string user = IdOf(post(
      c.port(), "/v1/users",
      R"({"org_id":")" + org +
          R"(","name":"Jose","email":"j@c.example","country":"US","kyc_status":"VERIFIED","tier":3})"));
  std::string rcp = IdOf(post(a->port(), "/v1/users/" + user + "/recipients",
                              R"({"name":"Ana","country":"MX","payout_method":"cash_pickup"})"));
  std::string bank = IdOf(post(
      b.port(), "/v1/users/" + user + "/bank-accounts",
      R"({"routing_number":"011000015","account_number":"123456789","sandbox_balance":100000000})"));
  const std::string txn_body =
      R"({"user_id":")" + user + R"(","recipient_id":")" + rcp +
      R"(","funding":{"type":"ach","id":")" + bank +
      R"("},"amount":10000,"currency":"USD","payout_currency":"MXN","corridor":"US-MX","ip_address":"8.8.8.8","device_id":"sandbox-risk-0"})";
  // Tickets and transactions through all three servers.
  std::vector<std::string> txns;
  for (int i = 0; i < 6; ++i)
    txns.push_back(IdOf(post(ports[i % 3], "/v1/transactions", txn_body)));
  for (int i = 0; i < 3; ++i) {
    IdOf(post(
        ports[i], "/v1/tickets",
        R"({"requester": {"name": "Pat", "email": "pat)" + std::to_string(i) +
            R"(@scale.example"}, "category": "balance", "subject": "Where is it", "description": "x"})"));
  }

  auto admin = store::Open(url);
  ASSERT_TRUE(admin.ok()) << admin.error().message;
  // The tickets' acknowledgements go out first: A is to be killed inside a
  // job, not between an SMTP server's acceptance of a message and its record
  // (that edge is at-least-once, docs/DEPLOYMENT.md).
  for (int i = 0; i < 600; ++i) {
    if (Count(**admin, "SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND status <> 'sent'") ==
        0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(Count(**admin, "SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND status <> 'sent'"),
            0);

  // A moves the clock past the ACH cutoff and stops inside the first job
  // run, holding its lease; it is killed there.
  const std::string noon = "2030-01-07T12:00:00-08:00";
  auto moving = std::async(std::launch::async, [&] {
    return post(a->port(), "/v1/sandbox/clock", R"({"now":")" + noon + "\"}").status;
  });
  const std::string mine = ":" + std::to_string(a->pid()) + ":";
  bool held = false;
  for (int i = 0; i < 1200 && !held; ++i) {  // up to 60 s under sanitizers
    held = Count(**admin, "SELECT COUNT(*) FROM job_leases WHERE holder LIKE '%" + mine +
                              "%' AND expires_at > 0") > 0;
    if (!held) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(held) << a->Log();
  kill(a->pid(), SIGKILL);
  EXPECT_NE(moving.get(), 200);  // the answer never came
  // B moves the clock to the same time: it waits for the dead lease to
  // expire, then runs every due job once.
  auto moved = post(b.port(), "/v1/sandbox/clock", R"({"now":")" + noon + "\"}");
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(ClockOf(c.port(), key), "2030-01-07T20:00:00Z");
  EXPECT_EQ(ClockOf(b.port(), key), "2030-01-07T20:00:00Z");
  // C moves it on across settlements and the tickets' SLA breaches.
  auto later = post(c.port(), "/v1/sandbox/clock", R"({"now":"2030-01-10T12:00:00-08:00"})");
  ASSERT_EQ(later.status, 200) << later.body;
  EXPECT_EQ(ClockOf(b.port(), key), "2030-01-10T20:00:00Z");
  // B moves it into February: January's statement is issued once.
  auto february = post(b.port(), "/v1/sandbox/clock", R"({"now":"2030-02-01T09:00:00-05:00"})");
  ASSERT_EQ(february.status, 200) << february.body;
  EXPECT_EQ(Count(**admin, "SELECT COUNT(*) FROM statements WHERE org_id = '" + org +
                               "' AND month = '2030-01'"),
            1);
  EXPECT_EQ(Count(**admin, "SELECT COUNT(*) FROM statements"), 1);
  // The monitors were checked, never twice for one instant.
  EXPECT_GT(Count(**admin, "SELECT COUNT(*) FROM monitor_checks"), 0);
  EXPECT_EQ(Count(**admin,
                  "SELECT COUNT(*) FROM (SELECT monitor_id, at FROM monitor_checks GROUP BY "
                  "monitor_id, at HAVING COUNT(*) > 1) AS twice"),
            0);

  // Every batch closed once, every transaction settled once.
  EXPECT_EQ(Count(**admin, "SELECT COUNT(*) FROM ach_batches WHERE batch_date = '2030-01-07'"), 1);
  EXPECT_EQ(Count(**admin, "SELECT MAX(entry_count) FROM ach_batches"), 6);
  EXPECT_EQ(Count(**admin, "SELECT COALESCE(SUM(entry_count), 0) FROM ach_batches"), 6);
  EXPECT_EQ(Count(**admin, "SELECT COUNT(*) FROM ach_batches WHERE status <> 'settled'"), 0);
  for (const std::string& id : txns) {
    EXPECT_EQ(Count(**admin, "SELECT COUNT(*) FROM transaction_history WHERE transaction_id = '" +
                                 id + "' AND to_status = 'PROCESSED'"),
              1)
        << id;
  }
  // Each ticket's SLA breached once, whichever server's sweep saw it.
  EXPECT_EQ(Count(**admin,
                  "SELECT COUNT(*) FROM ticket_events WHERE field = 'sla' AND to_value = "
                  "'first_response_breach'"),
            3);
  EXPECT_EQ(Count(**admin,
                  "SELECT COUNT(*) FROM (SELECT ticket_id, to_value FROM ticket_events WHERE "
                  "field = 'sla' GROUP BY ticket_id, to_value HAVING COUNT(*) > 1) AS twice"),
            0);
  // Each notification queued once and sent once: the SMTP sink got exactly
  // the outbox's emails, no Message-ID twice, nothing left queued.
  const int64_t emails = Count(**admin, "SELECT COUNT(*) FROM outbox WHERE kind = 'email'");
  EXPECT_GE(emails, 3);
  int64_t sent = 0;
  for (int i = 0; i < 600; ++i) {
    sent = Count(**admin, "SELECT COUNT(*) FROM outbox WHERE kind = 'email' AND status = 'sent'");
    if (sent == emails) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(sent, emails);
  auto mails = sink.WaitFor(static_cast<size_t>(emails), seconds(30));
  std::this_thread::sleep_for(seconds(1));  // anything sent twice would show up now
  mails = sink.Messages();
  EXPECT_EQ(mails.size(), static_cast<size_t>(emails));
  std::set<std::string> ids;
  for (const auto& m : mails) ids.insert(ParseMail(m).Header("Message-ID"));
  EXPECT_EQ(ids.size(), mails.size());
  // Every lease was given back (the killed server's was taken over).
  EXPECT_EQ(Count(**admin, "SELECT COUNT(*) FROM job_leases WHERE expires_at > 0"), 0);
  EXPECT_EQ(Count(**admin, "SELECT COUNT(*) FROM job_leases WHERE holder LIKE '%" + mine + "%'"),
            0);
  a.reset();
  std::filesystem::remove_all(dir);
}

TEST(Postgres, ServersStartingAtOnceMigrateOnceAndANewerSchemaIsRefused) {
  ASSERT_FALSE(PostgresUrlForTests().empty()) << "run through ctest";
  const std::string url = NewPostgresSchemaUrl();
  ScopedEnv key_env("PAYOPS_ENCRYPTION_KEY", kKey);
  std::vector<std::future<int>> runs;
  char tmpl[] = "/tmp/payops-mig-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  for (int i = 0; i < 4; ++i) {
    runs.push_back(std::async(std::launch::async, [&] {
      return std::system(
          (std::string(PAYOPS_BINARY) + " migrate --store '" + url + "' >/dev/null 2>&1").c_str());
    }));
  }
  for (auto& r : runs) EXPECT_EQ(r.get(), 0);
  auto s = store::Open(url);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Count(**s, "SELECT COUNT(*) FROM schema_migrations"),
            Count(**s, "SELECT COUNT(DISTINCT version) FROM schema_migrations"));
  ASSERT_TRUE((*s)->Write([](store::Tx& tx) -> Status {
                    PAYOPS_TRY(
                        tx.Exec("INSERT INTO schema_migrations (version, name, "
                                "applied_at_unix) VALUES (999999, 'from_the_future', 0)",
                                {}));
                    return Status::Ok();
                  })
                  .ok());
  const std::string err = dir + "/err";
  int status = std::system((std::string(PAYOPS_BINARY) +
                            " serve --sandbox --listen 127.0.0.1:0 "
                            "--store '" +
                            url + "' >/dev/null 2>" + err)
                               .c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream in(err);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("schema_too_new"), std::string::npos) << text;
  // A wrong URL and an unreachable server: a clear error and status 1.
  status = std::system((std::string(PAYOPS_BINARY) +
                        " migrate --store "
                        "'postgresql://nobody@127.0.0.1:1/none' >/dev/null 2>" +
                        err)
                           .c_str());
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::ifstream in2(err);
  text.assign((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("store_unreachable"), std::string::npos) << text;
  std::filesystem::remove_all(dir);
}

// The cluster goes away under a running server and comes back: /readyz
// answers 503 meanwhile and 200 again by itself. A private cluster, so that
// the other tests' database stays up.
TEST(Postgres, ReadyzFollowsTheDatabaseDownAndBackUp) {
  ASSERT_FALSE(PostgresUrlForTests().empty()) << "run through ctest";
  char tmpl[] = "/tmp/payops-pgown-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string script = std::string(PAYOPS_SOURCE_DIR) + "/scripts/pg-test-cluster.sh";
  ASSERT_EQ(std::system((script + " start " + dir + " >/dev/null").c_str()), 0);
  std::ifstream url_in(dir + "/url");
  std::string url;
  std::getline(url_in, url);
  std::ifstream data_in(dir + "/data_path");
  std::string data;
  std::getline(data_in, data);
  ScopedEnv key_env("PAYOPS_ENCRYPTION_KEY", kKey);
  {
    ServerProcess s(url);
    EXPECT_EQ(Request(s.port(), "GET", "/readyz").status, 200);
    const std::string as_pg = getuid() == 0 ? "runuser -u postgres -- " : "";
    const std::string ctl =
        as_pg + "/usr/lib/postgresql/15/bin/pg_ctl -D " + data + "/db -w -t 60 ";
    ASSERT_EQ(std::system((ctl + "-m fast stop >/dev/null 2>&1").c_str()), 0);
    auto down = Request(s.port(), "GET", "/readyz");
    EXPECT_EQ(down.status, 503) << down.body;
    // A write while the database is down: 503 with Retry-After, never a crash.
    int rc = 0;
    (void)rc;
    auto write = Request(s.port(), "POST", "/v1/orgs", "{}", {{"Authorization", "Bearer x"}});
    EXPECT_EQ(write.status, 503) << write.body;
    EXPECT_FALSE(write.headers["retry-after"].empty());
    // Restart on the same port (pg-test-cluster.sh's options).
    const std::string port = url.substr(url.rfind(':') + 1, url.rfind('/') - url.rfind(':') - 1);
    ASSERT_EQ(
        std::system((ctl + "-l " + data + "/server.log -o \"-c listen_addresses=127.0.0.1 -p " +
                     port + " -k " + data + " -c fsync=off\" start >/dev/null 2>&1")
                        .c_str()),
        0);
    int status = 0;
    for (int i = 0; i < 100 && status != 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      status = Request(s.port(), "GET", "/readyz").status;
    }
    EXPECT_EQ(status, 200);
    EXPECT_EQ(Request(s.port(), "GET", "/healthz").status, 200);
    EXPECT_NE(waitpid(s.pid(), &status, WNOHANG), s.pid()) << "the server exited";
  }
  EXPECT_EQ(std::system((script + " stop " + dir + " >/dev/null").c_str()), 0);
  std::filesystem::remove_all(dir);
}

// deploy/example: the example configuration, two servers on one database.
TEST(Postgres, TheExampleDeploymentStartsTwoServersOnOneDatabase) {
  ASSERT_FALSE(PostgresUrlForTests().empty()) << "run through ctest";
  const std::string url = NewPostgresSchemaUrl();
  char tmpl[] = "/tmp/payops-deploy-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string out = dir + "/out";
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    const std::string script = std::string(PAYOPS_SOURCE_DIR) + "/deploy/example/run.sh";
    execl("/bin/bash", "bash", script.c_str(), PAYOPS_BINARY, url.c_str(), "2", nullptr);
    _exit(127);
  }
  std::vector<int> ports;
  for (int i = 0; i < 1200 && ports.empty(); ++i) {
    std::ifstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("PORTS ", 0) != 0) continue;
      std::istringstream words(line.substr(6));
      int p = 0;
      while (words >> p) ports.push_back(p);
    }
    if (ports.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(ports.size(), 2u);
  for (int p : ports) EXPECT_EQ(Request(p, "GET", "/readyz").status, 200);
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace payops::testing
