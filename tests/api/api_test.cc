// API behaviour that a case file cannot express: raw HTTP, concurrency,
// signals, the command line, and the server on PostgreSQL.
#include <gtest/gtest.h>
#include <signal.h>

#include <sys/wait.h>
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"
#include "payops/core/nacha.h"

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

// Sends `n` concurrent POST /v1/users with one Idempotency-Key; returns the ids answered.
std::set<std::string> ConcurrentRetriesIds(int port, const std::string& key,
                                           const std::string& body, const std::string& idem,
                                           int n) {
  std::vector<std::thread> threads;
  std::vector<HttpResult> results(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      results[static_cast<size_t>(i)] =
          Request(port, "POST", "/v1/users", body,
                  {{"Authorization", "Bearer " + key}, {"Idempotency-Key", idem}});
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> ids;
  for (const auto& r : results) {
    EXPECT_EQ(r.status, 201) << r.body;
    if (r.status == 201) ids.insert(std::string(json::parse(r.body).at("id").as_string()));
  }
  return ids;
}

TEST(Api, ConcurrentRetriesWithOneIdempotencyKeyCreateOneUser) {
  ServerProcess s;
  std::string key = AdminKey(s);
  std::string org = CreateOrg(s.port(), key, "idem.example");
  std::string body =
      R"({"org_id":")" + org + R"(","name":"Ana","email":"ana@customers.example","country":"US"})";
  EXPECT_EQ(ConcurrentRetriesIds(s.port(), key, body, "same", 16).size(), 1u);
  auto list = Request(s.port(), "GET", "/v1/users", "", {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(json::parse(list.body).at("data").as_array().size(), 1u);
}

TEST(Api, MetricsCountRequestsPerRoute) {
  ServerProcess s;
  for (int i = 0; i < 3; ++i) Request(s.port(), "GET", "/healthz");
  // Only for the operators: no key is 401, a partner's 403.
  EXPECT_EQ(Request(s.port(), "GET", "/metrics").status, 401);
  int rc = 0;
  std::string key = s.RunCli(
      {"key", "create", "--store", s.store_url(), "--role", "ops_manager", "--name", "Ops"}, &rc);
  key.erase(key.find_last_not_of('\n') + 1);
  auto m = Request(s.port(), "GET", "/metrics", "", {{"Authorization", "Bearer " + key}});
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

// POST /v1/tickets runs as a fiber on the I/O thread up to a 64 KiB body;
// a larger one (an attachment) is served by the worker pool, whole.
TEST(Api, ABodyPastTheFiberLimitIsServedWhole) {
  ServerProcess s;
  std::string key = AdminKey(s);
  std::string text(150000, 'a');
  for (size_t i = 0; i < text.size(); i += 61) text[i] = '\n';
  std::string b64;  // base64 of `text`: 3 bytes of 'a' or '\n' at a time
  static constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < text.size(); i += 3) {
    uint32_t v = (uint8_t(text[i]) << 16) | (uint8_t(text[i + 1]) << 8) | uint8_t(text[i + 2]);
    for (int k = 3; k >= 0; --k) b64 += kB64[(v >> (6 * k)) & 63];
  }
  auto r = Request(s.port(), "POST", "/v1/tickets",
                   R"({"requester":{"name":"Pat","email":"pat@acme.example"},"category":"other",)"
                   R"("subject":"log","description":"the log attached",)"
                   R"("attachments":[{"filename":"log.txt","content_type":"text/plain",)"
                   R"("content_base64":")" +
                       b64 + R"("}]})",
                   {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(r.status, 201) << r.body;
  std::string id(json::parse(r.body).at("id").as_string());
  auto t = Request(s.port(), "GET", "/v1/tickets/" + id, "", {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(t.status, 200) << t.body;
  auto att = json::parse(t.body).at("attachments").at(0);
  EXPECT_EQ(att.at("size_bytes").as_int64(), static_cast<int64_t>(text.size()));
  auto got = Request(s.port(), "GET",
                     "/v1/tickets/" + id + "/attachments/" + std::string(att.at("id").as_string()),
                     "", {{"Authorization", "Bearer " + key}});
  EXPECT_EQ(got.status, 200);
  EXPECT_EQ(got.body, text);
}

// Writes in flight when SIGTERM comes are finished and answered; none is
// acknowledged without being stored, none stored without an answer to it.
TEST(Api, SigtermDuringConcurrentWritesLosesNoAcknowledgedWrite) {
  ServerProcess s;
  std::string key = AdminKey(s);
  std::string org = CreateOrg(s.port(), key, "drain.example");
  constexpr int kClients = 16;
  std::atomic<int> created{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; !stop.load() && i < 10000; ++i) {
        HttpResult r;
        try {
          r = Request(s.port(), "POST", "/v1/users",
                      R"({"org_id":")" + org + R"(","name":"Ana","email":"a)" + std::to_string(c) +
                          "_" + std::to_string(i) + R"(@customers.example","country":"US"})",
                      {{"Authorization", "Bearer " + key}});
        } catch (const std::runtime_error&) {
          return;  // the server no longer accepts connections
        }
        if (r.status == 201) {
          created++;
        } else {
          // A connection the stopping server closed before reading a request.
          EXPECT_EQ(r.status, 0) << "neither answered nor closed: " << r.body;
          return;
        }
      }
    });
  }
  for (int waited = 0; created.load() < 200 && waited < 30000; waited += 5) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_GE(created.load(), 200) << "the writes did not get going";
  EXPECT_EQ(s.Terminate(), 0);
  stop = true;
  for (auto& t : clients) t.join();
  // Counted through a second server on the same store.
  ServerProcess again(s.store_url());
  int stored = 0;
  std::string cursor;
  for (;;) {
    auto page = Request(again.port(), "GET",
                        "/v1/users?limit=500" + (cursor.empty() ? "" : "&cursor=" + cursor), "",
                        {{"Authorization", "Bearer " + key}});
    ASSERT_EQ(page.status, 200) << page.body;
    auto body = json::parse(page.body);
    stored += static_cast<int>(body.at("data").as_array().size());
    if (body.at("next_cursor").is_null()) break;
    cursor = std::string(body.at("next_cursor").as_string());
  }
  // A write stored whose answer was cut by the stop is impossible here: the
  // server answers everything it read before it exits.
  EXPECT_EQ(stored, created.load());
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

int Shell(const std::string& cmd);

// A returns file from the RDFI 021000021 returning the given original traces with R-codes.
std::string ReturnsFile(const std::vector<std::pair<std::string, std::string>>& traces) {
  nacha::File f;
  f.header.immediate_destination = "011000015";
  f.header.immediate_origin = "021000021";
  f.header.file_creation_date = "300108";
  f.header.file_creation_time = "1200";
  f.header.immediate_destination_name = "PAYOPS";
  f.header.immediate_origin_name = "RDFI BANK";
  nacha::Batch b;
  b.service_class = nacha::ServiceClass::kMixed;
  b.company_name = "PAYOPS";
  b.company_identification = "1234567890";
  b.sec_code = nacha::SecCode::kWeb;
  b.company_entry_description = "RETURN";
  b.effective_entry_date = "300108";
  b.odfi_identification = "02100002";
  int seq = 0;
  for (const auto& [trace, code] : traces) {
    nacha::Entry e;
    e.transaction_code = nacha::TransactionCode::kCheckingDebitReturn;
    e.rdfi_routing_number = "011000015";
    e.dfi_account_number = "123456789";
    e.amount_minor = 10150;
    e.individual_name = "JOSE PEREZ";
    char t[16];
    std::snprintf(t, sizeof t, "02100002%07d", ++seq);
    e.trace_number = t;
    nacha::ReturnAddenda a;
    a.return_reason_code = code;
    a.original_entry_trace_number = trace;
    a.original_rdfi_identification = "01100001";
    e.return_addenda = a;
    b.entries.push_back(std::move(e));
  }
  f.batches.push_back(std::move(b));
  return nacha::Write(f).value();
}

// A verified sender with a recipient and a funded checking account, and the
// body of a 100.00 USD ACH transaction from it.
struct AchWorld {
  std::function<HttpResult(const std::string&, const std::string&)> post;
  std::function<json::value(const std::string&)> get;
  std::string txn_body;
};

std::string IdOf(const HttpResult& r) {
  EXPECT_LT(r.status, 300) << r.body;
  return std::string(json::parse(r.body).at("id").as_string());
}

AchWorld MakeAchWorld(int port, const std::string& key) {
  AchWorld w;
  w.post = [port, key](const std::string& path, const std::string& body) {
    return Request(port, "POST", path, body, {{"Authorization", "Bearer " + key}});
  };
  w.get = [port, key](const std::string& path) {
    return json::parse(Request(port, "GET", path, "", {{"Authorization", "Bearer " + key}}).body);
  };
  std::string org = IdOf(w.post(
      "/v1/orgs",
      R"({"name":"Org","domain":"ret.example","sla_plan":"vip","hypercare_plan":"pro","bau_plan":"pro","go_live_date":"2026-01-01","allowed_countries":["US","MX"],"fees":[{"direction":"payin","currency":"USD","corridor":"US-MX","fee":150},{"direction":"payout","currency":"USD","corridor":"US-MX","fee":100}]})"));
  std::string user = IdOf(w.post(
      "/v1/users",
      R"({"org_id":")" + org +
          R"(","name":"Jose","email":"j@c.example","country":"US","kyc_status":"VERIFIED","tier":3})"));
  std::string rcp = IdOf(w.post("/v1/users/" + user + "/recipients",
                                R"({"name":"Ana","country":"MX","payout_method":"cash_pickup"})"));
  std::string bank = IdOf(w.post(
      "/v1/users/" + user + "/bank-accounts",
      R"({"routing_number":"011000015","account_number":"123456789","sandbox_balance":100000000})"));
  w.txn_body =
      R"({"user_id":")" + user + R"(","recipient_id":")" + rcp +
      R"(","funding":{"type":"ach","id":")" + bank +
      R"("},"amount":10000,"currency":"USD","payout_currency":"MXN","corridor":"US-MX","ip_address":"8.8.8.8","device_id":"sandbox-risk-0"})";
  return w;
}

TEST(Ach, ConfiguredSecCodeAndOriginatorAppearInTheFile) {
  char tmpl[] = "/tmp/payops-ppd-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/ppd.toml") << "[ach]\nsec_code = \"PPD\"\ncompany_name = \"ACME REMIT\"\n";
  std::ofstream(dir + "/bad.toml") << "[ach]\nsec_code = \"XYZ\"\n";
  ServerProcess s("", {"--config", dir + "/ppd.toml"});
  std::string key = AdminKey(s);
  AchWorld w = MakeAchWorld(s.port(), key);
  IdOf(w.post("/v1/transactions", w.txn_body));
  ASSERT_EQ(w.post("/v1/sandbox/clock", R"({"now":"2030-01-07T07:00:00-08:00"})").status, 200);
  auto file = Request(s.port(), "GET", "/v1/ach/batches/ach_2030-01-07/nacha", "",
                      {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(file.status, 200) << file.body;
  auto parsed = nacha::Parse(file.body);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->batches.at(0).sec_code, nacha::SecCode::kPpd);
  EXPECT_EQ(parsed->batches.at(0).company_name, "ACME REMIT");
  int rc = 0;
  s.RunCli({"migrate", "--config", dir + "/bad.toml", "--store", s.store_url()}, &rc);
  EXPECT_EQ(rc, 2);
  std::filesystem::remove_all(dir);
}

// An independent parser (npm @ach/ach, installed by `make test`) reads every
// field of our export where NACHA puts it.
TEST(Ach, IndependentParserReadsTheExport) {
  ASSERT_TRUE(std::ifstream(PAYOPS_ACH_JS).good())
      << PAYOPS_ACH_JS << " is missing: run `make test` (it installs @ach/ach from npm)";
  ServerProcess s;
  std::string key = AdminKey(s);
  AchWorld w = MakeAchWorld(s.port(), key);
  std::string t1 = IdOf(w.post("/v1/transactions", w.txn_body));
  std::string t2 = IdOf(w.post("/v1/transactions", w.txn_body));
  ASSERT_EQ(w.post("/v1/sandbox/clock", R"({"now":"2030-01-07T07:00:00-08:00"})").status, 200);
  auto file = Request(s.port(), "GET", "/v1/ach/batches/ach_2030-01-07/nacha", "",
                      {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(file.status, 200) << file.body;
  char tmpl[] = "/tmp/payops-achjs-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/batch.ach") << file.body;
  std::string cmd = std::string(PAYOPS_ACH_JS) + " to json < " + dir + "/batch.ach > " + dir +
                    "/batch.json 2>/dev/null";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(dir + "/batch.json");
  std::stringstream text;
  text << in.rdbuf();
  json::value v = json::parse(text.str());
  const auto& footer = v.at("file").at("footer");
  EXPECT_EQ(footer.at("batchCount").to_number<int64_t>(), 1);
  EXPECT_EQ(footer.at("entryAndAddendaCount").to_number<int64_t>(), 2);
  EXPECT_EQ(footer.at("totalDebit").to_number<int64_t>(), 2 * 10150);
  EXPECT_EQ(footer.at("totalCredit").to_number<int64_t>(), 0);
  EXPECT_EQ(footer.at("entryHash").to_number<int64_t>(), 2 * 1100001);
  const auto& batch = v.at("batches").at(0);
  EXPECT_EQ(batch.at("entryClassCode").as_string(), "WEB");
  EXPECT_EQ(batch.at("serviceClassCode").to_number<int64_t>(), 225);
  EXPECT_EQ(batch.at("effectiveDate").as_string(), "300107");
  const auto& entries = batch.at("entries").as_array();
  ASSERT_EQ(entries.size(), 2u);
  std::set<std::string> traces;
  for (const auto& e : entries) {
    EXPECT_EQ(e.at("transactionCode").as_string(), "27");
    EXPECT_EQ(e.at("dfiAccount").as_string(), "123456789");
    EXPECT_EQ(e.at("amount").to_number<int64_t>(), 10150);
    traces.insert(std::to_string(e.at("traceNumber").to_number<int64_t>()));
  }
  for (const std::string& t : {t1, t2}) {
    std::string trace(w.get("/v1/transactions/" + t).at("trace_number").as_string());
    EXPECT_TRUE(traces.count(trace.substr(trace.find_first_not_of('0')))) << trace;
  }
  std::filesystem::remove_all(dir);
}

TEST(Transactions, RiskActionAndTierLimitsComeFromTheConfiguration) {
  char tmpl[] = "/tmp/payops-risk-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/rules.toml")
      << "[risk]\nhigh_action = \"cancel\"\nhigh_from = 60\n"
      << "[limits.tier3]\nper_transaction = 15000\ndaily = 15000\nrolling_30_days = 30000\n";
  std::ofstream(dir + "/bad.toml") << "[risk]\nmoderate_from = 80\nhigh_from = 60\n";
  ServerProcess s("", {"--config", dir + "/rules.toml"});
  std::string key = AdminKey(s);
  AchWorld w = MakeAchWorld(s.port(), key);  // a tier-3 sender, 100.00 per transaction
  auto body = [&](const std::string& device) {
    std::string b = w.txn_body;
    b.replace(b.find("sandbox-risk-0"), 14, device);
    return b;
  };
  // Score 60 is high with high_from = 60, and high_action = cancel cancels it.
  auto high = w.post("/v1/transactions", body("sandbox-risk-60"));
  ASSERT_EQ(high.status, 201) << high.body;
  json::value v = json::parse(high.body);
  EXPECT_EQ(v.at("status").as_string(), "CANCELED");
  EXPECT_EQ(v.at("cancel_reason").as_string(), "RISK_HIGH");
  EXPECT_EQ(v.at("risk").at("band").as_string(), "high");
  // The configured daily limit of tier 3 (150.00): the first 100.00 passes, the second not.
  EXPECT_EQ(w.post("/v1/transactions", body("sandbox-risk-0")).status, 201);
  auto over = w.post("/v1/transactions", body("sandbox-risk-0"));
  EXPECT_EQ(over.status, 422) << over.body;
  EXPECT_NE(over.body.find("limit_exceeded"), std::string::npos);
  EXPECT_NE(over.body.find("50.00 USD"), std::string::npos) << over.body;  // what remains
  int rc = 0;
  s.RunCli({"migrate", "--config", dir + "/bad.toml", "--store", s.store_url()}, &rc);
  EXPECT_EQ(rc, 2);
  std::filesystem::remove_all(dir);
}

TEST(Tickets, SlaTableComesFromTheConfiguration) {
  char tmpl[] = "/tmp/payops-sla-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  // VIP medium: 30 real minutes to first response, 3 hours to resolution.
  std::ofstream(dir + "/sla.toml") << "[sla.vip.medium]\nfirst_response_minutes = 30\n"
                                   << "resolution_minutes = 180\nclock = \"24x7\"\n";
  std::ofstream(dir + "/bad.toml") << "[sla.vip.medium]\nfirst_response_minutes = 0\n";
  ServerProcess s("", {"--config", dir + "/sla.toml"});
  std::string key = AdminKey(s);
  std::string org = CreateOrg(s.port(), key, "vip.example");  // sla_plan vip
  auto r = Request(s.port(), "POST", "/v1/tickets",
                   R"({"requester":{"name":"V","email":"v@vip.example"},"org_id":")" + org +
                       R"(","category":"report","subject":"s","description":"d"})",
                   {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(r.status, 201) << r.body;
  json::value v = json::parse(r.body);
  EXPECT_EQ(v.at("priority").as_string(), "medium");
  // The sandbox clock starts Monday 2030-01-07 13:00Z.
  EXPECT_EQ(v.at("sla").at("first_response_due").as_string(), "2030-01-07T13:30:00Z");
  EXPECT_EQ(v.at("sla").at("resolution_due").as_string(), "2030-01-07T16:00:00Z");
  EXPECT_EQ(v.at("sla").at("clock").as_string(), "24x7");
  int rc = 0;
  s.RunCli({"migrate", "--config", dir + "/bad.toml", "--store", s.store_url()}, &rc);
  EXPECT_EQ(rc, 2);
  std::filesystem::remove_all(dir);
}

TEST(Ach, ReturnsFileMovesMatchingTransactionsAllOrNothing) {
  ServerProcess s;
  std::string key = AdminKey(s);
  AchWorld w = MakeAchWorld(s.port(), key);
  auto& post = w.post;
  auto& get = w.get;
  auto id = IdOf;
  const std::string& txn_body = w.txn_body;
  std::string t1 = id(post("/v1/transactions", txn_body));
  ASSERT_EQ(post("/v1/sandbox/clock", R"({"now":"2030-01-07T12:00:00-08:00"})").status, 200);
  std::string t2 = id(post("/v1/transactions", txn_body));  // tomorrow's batch
  ASSERT_EQ(post("/v1/sandbox/clock", R"({"now":"2030-01-08T07:00:00-08:00"})").status, 200);
  json::value v1 = get("/v1/transactions/" + t1);
  json::value v2 = get("/v1/transactions/" + t2);
  ASSERT_EQ(v1.at("status").as_string(), "PROCESSED");
  ASSERT_EQ(v2.at("status").as_string(), "PENDING");
  std::string trace1(v1.at("trace_number").as_string());
  std::string trace2(v2.at("trace_number").as_string());

  // A file that also returns a transaction not yet processed: nothing is applied.
  auto bad = post("/v1/ach/returns", ReturnsFile({{trace1, "R01"}, {trace2, "R01"}}));
  EXPECT_EQ(bad.status, 409) << bad.body;
  EXPECT_EQ(get("/v1/transactions/" + t1).at("status").as_string(), "PROCESSED");

  // Known and unknown traces: the known one is returned, the unknown reported.
  auto ok = post("/v1/ach/returns", ReturnsFile({{trace1, "R01"}, {"011000019999999", "R03"}}));
  ASSERT_EQ(ok.status, 200) << ok.body;
  json::value report = json::parse(ok.body);
  ASSERT_EQ(report.at("returned").as_array().size(), 1u);
  EXPECT_EQ(report.at("returned").at(0).at("transaction_id").as_string(), t1);
  EXPECT_EQ(report.at("unknown_traces").at(0).as_string(), "011000019999999");
  json::value after = get("/v1/transactions/" + t1);
  EXPECT_EQ(after.at("status").as_string(), "RETURNED");
  EXPECT_EQ(after.at("return_code").as_string(), "R01");

  // A malformed file names the line and the field; nothing changes.
  std::string broken = ReturnsFile({{trace1, "R01"}});
  broken.erase(100, 1);
  auto malformed = post("/v1/ach/returns", broken);
  EXPECT_EQ(malformed.status, 400);
  EXPECT_NE(malformed.body.find("line 2"), std::string::npos) << malformed.body;

  // The command line takes the same files.
  char tmpl[] = "/tmp/payops-returns-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/r.ach") << ReturnsFile({{"011000018888888", "R02"}});
  int rc = 0;
  std::string out =
      s.RunCli({"ach", "import-returns", "--store", s.store_url(), dir + "/r.ach"}, &rc);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(out.find("unknown trace 011000018888888"), std::string::npos) << out;
  std::string exported =
      s.RunCli({"ach", "export", "--store", s.store_url(), "--batch", "ach_2030-01-08"}, &rc);
  EXPECT_EQ(rc, 0);
  auto parsed = nacha::Parse(exported);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->batches.at(0).entries.at(0).trace_number, trace2);
  EXPECT_EQ(parsed->batches.at(0).entries.at(0).dfi_account_number, "123456789");
  std::filesystem::remove_all(dir);
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
      << "/from-file.db\"\nlog_level = \"warn\"\n[server]\nio_threads = 2\n"
      << "[store_options]\nwriter_cache_kib = 4096\nreader_cache_kib = 2048\n"
      << "pipelined_sync = false\n";
    std::ofstream b(dir + "/bad.toml");
    b << "stroe = \"typo\"\n";
    std::ofstream c(dir + "/tiny-cache.toml");
    c << "[store_options]\nwriter_cache_kib = 16\n";
    std::ofstream p(dir + "/bad-sync.toml");
    p << "[store_options]\npipelined_sync = 1\n";
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
  EXPECT_EQ(Shell(bin + " migrate --store sqlite://" + dir + "/c.db --config " + dir +
                  "/tiny-cache.toml"),
            2);  // below the 1 MiB floor
  EXPECT_EQ(
      Shell(bin + " migrate --store sqlite://" + dir + "/s.db --config " + dir + "/bad-sync.toml"),
      2);  // a number where a boolean belongs
  EXPECT_EQ(Shell(bin + " migrate --config " + dir + "/missing.toml"), 2);
  EXPECT_EQ(Shell(bin + " serve --help"), 0);
  EXPECT_EQ(Shell("PAYOPS_IO_THREADS=zero " + bin + " migrate --store sqlite://" + dir + "/x.db"),
            2);
  std::filesystem::remove_all(dir);
}

TEST(Postgres, ServerRunsOnPostgres) {
  std::string url = PostgresUrlForTests();
  ASSERT_FALSE(url.empty()) << "PAYOPS_TEST_PG_URL_FILE is not set: run through ctest";
  ServerProcess s(NewPostgresSchemaUrl());
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
  EXPECT_EQ(ConcurrentRetriesIds(s.port(), key, body, "pg-same", 8).size(), 1u);
  // The transaction pipeline, batches and NACHA export on PostgreSQL too.
  AchWorld w = MakeAchWorld(s.port(), key);
  auto t = w.post("/v1/transactions", w.txn_body);
  ASSERT_EQ(t.status, 201) << t.body;
  EXPECT_EQ(json::parse(t.body).at("status").as_string(), "PENDING");
  std::string risky = w.txn_body;
  risky.replace(risky.find("sandbox-risk-0"), 14, "sandbox-risk-50");
  auto held = w.post("/v1/transactions", risky);
  ASSERT_EQ(held.status, 201) << held.body;
  EXPECT_EQ(json::parse(held.body).at("hold").at("reason").as_string(), "RISK_MODERATE");
  ASSERT_EQ(w.post("/v1/sandbox/clock", R"({"now":"2030-01-07T12:00:00-08:00"})").status, 200);
  std::string id(json::parse(t.body).at("id").as_string());
  EXPECT_EQ(w.get("/v1/transactions/" + id).at("status").as_string(), "PROCESSED");
  auto file = Request(s.port(), "GET", "/v1/ach/batches/ach_2030-01-07/nacha", "",
                      {{"Authorization", "Bearer " + key}});
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_TRUE(nacha::Parse(file.body).ok());
}

}  // namespace
}  // namespace payops::testing

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  ::testing::InitGoogleTest(&argc, argv);
  // CTest runs the API tests a second time with --payops-backend=postgresql.
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--payops-backend=postgresql") {
      setenv("PAYOPS_TEST_BACKEND", "postgresql", 1);
    }
  }
  return RUN_ALL_TESTS();
}
