// The audit trail through the real server (GET /v1/audit, `payops audit
// verify` finding a tampered record), an online backup taken under write
// load and restored into a fresh location, and a scan of everything the
// server says (its debug log with the access log, /metrics, every error
// body) for the secrets a workload sent it.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

#include "harness.h"
#include "payops/store/store.h"

namespace payops::testing {
namespace {

namespace json = boost::json;

std::string AdminKey(const ServerProcess& s) {
  int rc = 0;
  std::string k = s.RunCli(
      {"key", "create", "--store", s.store_url(), "--role", "admin", "--name", "Ada Admin"}, &rc);
  EXPECT_EQ(rc, 0);
  k.erase(k.find_last_not_of('\n') + 1);
  return k;
}

HttpResult Call(const ServerProcess& s, const std::string& key, const std::string& method,
                const std::string& target, const std::string& body = "") {
  return Request(s.port(), method, target, body, {{"Authorization", "Bearer " + key}});
}

std::string OrgBody(const std::string& domain) {
  return R"({"name":"Org )" + domain + R"(","domain":")" + domain +
         R"(","sla_plan":"vip","hypercare_plan":"pro","bau_plan":"pro",)"
         R"("go_live_date":"2026-01-01","allowed_countries":["US","MX"]})";
}

TEST(AuditApi, ActionsAreRecordedAndReadableByAdminsOnly) {
  ServerProcess server;
  std::string admin = AdminKey(server);
  HttpResult created = Call(server, admin, "POST", "/v1/orgs", OrgBody("audited.example"));
  ASSERT_EQ(created.status, 201) << created.body;
  std::string org_id(json::parse(created.body).at("id").as_string());
  HttpResult key = Call(server, admin, "POST", "/v1/api-keys",
                        R"({"role":"agent","name":"Agent A","email":"agent.a@payops.test"})");
  ASSERT_EQ(key.status, 201) << key.body;
  std::string agent(json::parse(key.body).at("key").as_string());

  HttpResult list = Call(server, admin, "GET", "/v1/audit?action=org.create");
  ASSERT_EQ(list.status, 200) << list.body;
  json::array data = json::parse(list.body).at("data").as_array();
  ASSERT_EQ(data.size(), 1u);
  EXPECT_EQ(data[0].at("object_id").as_string(), org_id);
  EXPECT_EQ(data[0].at("request_id").as_string(), created.headers["x-request-id"]);
  EXPECT_TRUE(data[0].at("before").is_null());
  EXPECT_EQ(data[0].at("after").at("domain").as_string(), "audited.example");
  EXPECT_EQ(data[0].at("hash").as_string().size(), 64u);

  // Filters: by object (two keys: the admin's, made by `payops key create` as
  // the system, and the agent's, made by the admin), by time range (empty
  // after the last record), paging.
  json::array keys = json::parse(Call(server, admin, "GET", "/v1/audit?object_type=api_key").body)
                         .at("data")
                         .as_array();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].at("actor").as_string(), "system");
  EXPECT_NE(keys[1].at("actor").as_string(), "system");
  EXPECT_EQ(json::parse(Call(server, admin, "GET", "/v1/audit?from=2100-01-01T00:00:00Z").body)
                .at("data")
                .as_array()
                .size(),
            0u);
  json::value first = json::parse(Call(server, admin, "GET", "/v1/audit?limit=1").body);
  ASSERT_FALSE(first.at("next_cursor").is_null());
  json::value second = json::parse(
      Call(server, admin, "GET",
           "/v1/audit?limit=1&cursor=" + std::string(first.at("next_cursor").as_string()))
          .body);
  ASSERT_EQ(second.at("data").as_array().size(), 1u);
  EXPECT_EQ(second.at("data").at(0).at("seq").as_int64(), 2);
  // Refusals: bad filters are 400, other roles 403, no key 401.
  EXPECT_EQ(Call(server, admin, "GET", "/v1/audit?from=yesterday").status, 400);
  EXPECT_EQ(Call(server, admin, "GET", "/v1/audit?cursor=zzz").status, 400);
  EXPECT_EQ(Call(server, agent, "GET", "/v1/audit").status, 403);
  EXPECT_EQ(Request(server.port(), "GET", "/v1/audit").status, 401);
}

TEST(AuditApi, VerifyNamesTheFirstTamperedRecord) {
  ServerProcess server;
  std::string admin = AdminKey(server);
  for (int i = 0; i < 4; ++i) {
    ASSERT_EQ(
        Call(server, admin, "POST", "/v1/orgs", OrgBody("org" + std::to_string(i) + ".example"))
            .status,
        201);
  }
  int rc = -1;
  std::string out = server.RunCli({"audit", "verify", "--store", server.store_url()}, &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_NE(out.find("intact"), std::string::npos) << out;
  {
    auto s = store::Open(server.store_url());
    ASSERT_TRUE(s.ok());
    // Tampering goes around the append-only trigger, as someone with the
    // database's owner rights could.
    const std::string drop = TestsOnPostgres() ? "DROP TRIGGER audit_trail_no_change ON audit_trail"
                                               : "DROP TRIGGER audit_trail_no_update";
    ASSERT_TRUE((*s)->Write([&](store::Tx& tx) -> Status {
                      PAYOPS_TRY(tx.Exec(drop, {}));
                      PAYOPS_TRY(
                          tx.Exec("UPDATE audit_trail SET actor = 'mem_someone_else' "
                                  "WHERE seq = 3",
                                  {}));
                      return Status::Ok();
                    })
                    .ok());
  }
  out = server.RunCli({"audit", "verify", "--store", server.store_url()}, &rc);
  EXPECT_NE(rc, 0) << out;
  EXPECT_NE(out.find("broken at record 3"), std::string::npos) << out;
}

TEST(Backup, OnlineBackupHoldsEveryWriteAcknowledgedBeforeItBegan) {
  ServerProcess server;
  std::string admin = AdminKey(server);
  std::mutex mu;
  std::vector<std::string> acked;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 2; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop && i < 5000; ++i) {
        HttpResult r =
            Call(server, admin, "POST", "/v1/orgs",
                 OrgBody("w" + std::to_string(w) + "n" + std::to_string(i) + ".example"));
        if (r.status == 201) {
          std::lock_guard lock(mu);
          acked.emplace_back(json::parse(r.body).at("id").as_string());
        }
      }
    });
  }
  // Wait for some load (bounded), then back up while the writers go on.
  for (int i = 0; i < 600; ++i) {
    {
      std::lock_guard lock(mu);
      if (acked.size() >= 40) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::vector<std::string> before;
  {
    std::lock_guard lock(mu);
    before = acked;
  }
  ASSERT_FALSE(before.empty());
  const std::string file = server.dir() + "/backup.db";
  int rc = -1;
  std::string out = server.RunCli({"backup", "--store", server.store_url(), file}, &rc);
  EXPECT_EQ(rc, 0) << out;
  // A few more writes after the backup, then stop.
  size_t at_backup_end;
  {
    std::lock_guard lock(mu);
    at_backup_end = acked.size();
  }
  for (int i = 0; i < 200; ++i) {
    {
      std::lock_guard lock(mu);
      if (acked.size() >= at_backup_end + 5) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  stop = true;
  for (auto& t : writers) t.join();

  // A second backup into the same file is refused.
  server.RunCli({"backup", "--store", server.store_url(), file}, &rc);
  EXPECT_NE(rc, 0);
  // Restore into a fresh location; over an existing store it is refused.
  const std::string restored = "sqlite://" + server.dir() + "/restored.db";
  out = server.RunCli({"restore", file, "--store", restored}, &rc);
  EXPECT_EQ(rc, 0) << out;
  server.RunCli({"restore", file, "--store", server.store_url()}, &rc);
  EXPECT_NE(rc, 0);

  auto s = store::Open(restored);
  ASSERT_TRUE(s.ok());
  std::set<std::string> present;
  ASSERT_TRUE((*s)->Read([&](store::Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(auto rows, tx.Query("SELECT id FROM orgs", {}));
                    for (const auto& r : rows) present.insert(r.Text(0));
                    return Status::Ok();
                  })
                  .ok());
  for (const std::string& id : before) EXPECT_TRUE(present.count(id)) << id << " lost";
  EXPECT_LE(present.size(), acked.size());
  // The copy is a consistent store: its audit chain verifies.
  out = server.RunCli({"audit", "verify", "--store", restored}, &rc);
  EXPECT_EQ(rc, 0) << out;
}

// PostgreSQL is backed up with pg_dump and WAL archiving (docs/DEPLOYMENT.md);
// `payops backup` refuses its URL and says so, changing nothing.
TEST(Postgres, BackupRefusesAPostgresStoreAndNamesPgDump) {
  ASSERT_FALSE(PostgresUrlForTests().empty()) << "run through ctest";
  ServerProcess server(NewPostgresSchemaUrl());
  const std::string file = server.dir() + "/backup.db";
  int rc = -1;
  std::string err;
  server.RunCliWithInput({"backup", "--store", server.store_url(), file}, "/dev/null", &rc, &err);
  EXPECT_NE(rc, 0) << err;
  EXPECT_NE(err.find("pg_dump"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(file));
  server.RunCliWithInput({"restore", file, "--store", server.store_url()}, "/dev/null", &rc, &err);
  EXPECT_NE(rc, 0) << err;
  EXPECT_EQ(Request(server.port(), "GET", "/readyz").status, 200);
}

TEST(Secrets, NeverInLogsMetricsOrErrors) {
  ServerProcess server("", {"--log-level", "debug", "--access-log"});
  std::string admin = AdminKey(server);
  std::vector<std::string> secrets = {admin};
  std::vector<HttpResult> answers;
  auto call = [&](const std::string& key, const std::string& method, const std::string& target,
                  const std::string& body = "") {
    answers.push_back(Call(server, key, method, target, body));
    return answers.back();
  };
  HttpResult org = call(admin, "POST", "/v1/orgs", OrgBody("secrets.example"));
  ASSERT_EQ(org.status, 201);
  std::string org_id(json::parse(org.body).at("id").as_string());
  HttpResult pk = call(admin, "POST", "/v1/api-keys",
                       R"({"role":"partner","org_id":")" + org_id +
                           R"(","name":"Partner P","email":"p@secrets.example"})");
  ASSERT_EQ(pk.status, 201);
  std::string partner(json::parse(pk.body).at("key").as_string());
  secrets.push_back(partner);
  HttpResult user = call(admin, "POST", "/v1/users",
                         R"({"org_id":")" + org_id +
                             R"(","name":"Sam Secret","email":"sam@customers.example",)"
                             R"("country":"US","kyc_status":"VERIFIED","tier":3})");
  ASSERT_EQ(user.status, 201) << user.body;
  std::string user_id(json::parse(user.body).at("id").as_string());
  const std::string account = "918273645501";
  secrets.push_back(account);
  call(partner, "POST", "/v1/users/" + user_id + "/bank-accounts",
       R"({"routing_number":"011000015","account_number":")" + account +
           R"(","account_type":"checking","sandbox_balance":100000})");
  // The same account number, refused: its error must not echo it.
  const std::string bad_account = "55443322110099887766";
  secrets.push_back(bad_account);
  call(partner, "POST", "/v1/users/" + user_id + "/bank-accounts",
       R"({"routing_number":"011000015","account_number":")" + bad_account +
           R"(x","account_type":"checking"})");
  const std::string card = "4111111111111111";
  secrets.push_back(card);
  call(partner, "POST", "/v1/users/" + user_id + "/cards",
       R"({"token":"tok_scan","last4":"1111","number":")" + card + R"("})");
  call(partner, "POST", "/v1/users/" + user_id + "/cards",
       R"({"token":")" + card + R"(","last4":")" + card + R"("})");
  // Wrong credentials of every kind.
  const std::string wrong_key = "po_wrongkeywrongkeywrongkey1";
  secrets.push_back(wrong_key);
  answers.push_back(Call(server, wrong_key, "GET", "/v1/orgs"));
  const std::string cookie = "payops_session_value_never_logged_42";
  secrets.push_back(cookie);
  answers.push_back(
      Request(server.port(), "GET", "/v1/orgs", "", {{"Cookie", "payops_session=" + cookie}}));
  const std::string password = "correct-horse-battery-staple-77";
  secrets.push_back(password);
  answers.push_back(Request(
      server.port(), "POST", "/v1/portal/signup",
      R"({"name":"Pat","email":"pat@customers.example","password":")" + password + R"("})"));
  answers.push_back(
      Request(server.port(), "POST", "/v1/portal/login",
              R"({"email":"pat@customers.example","password":")" + password + R"(x"})"));
  answers.push_back(Request(server.port(), "POST", "/v1/portal/login",
                            R"({"email":"pat@customers.example","password":)" + password + "}"));
  // A secret in the query of a request.
  answers.push_back(Call(server, admin, "GET", "/v1/orgs?cursor=" + account));
  HttpResult metrics = Call(server, admin, "GET", "/metrics");
  ASSERT_EQ(metrics.status, 200);

  std::string everything = server.Log() + "\n" + metrics.body;
  int errors = 0;
  for (const HttpResult& a : answers) {
    if (a.status >= 400) {
      everything += "\n" + a.body;
      ++errors;
    }
  }
  EXPECT_GE(errors, 6);
  EXPECT_NE(server.Log().find("msg=\"request\""), std::string::npos);  // the access log ran
  for (const std::string& secret : secrets) {
    EXPECT_EQ(everything.find(secret), std::string::npos) << "leaked: " << secret;
  }
}

}  // namespace
}  // namespace payops::testing
