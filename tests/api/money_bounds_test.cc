// Money bounds that need a configuration: tier limits past the bounds are a
// bad configuration, and an ACH debit must fit the ten digits of a NACHA entry
// even when the tier limits allow more.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "harness.h"

namespace payops::testing {
namespace {

namespace json = boost::json;

int Shell(const std::string& cmd) {
  int status = std::system((cmd + " >/dev/null 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string IdOf(const HttpResult& r) {
  EXPECT_LT(r.status, 300) << r.body;
  if (r.status >= 300) return "";
  return std::string(json::parse(r.body).at("id").as_string());
}

TEST(ConfiguredMoneyBounds, TierLimitsPastTheBoundsAreABadConfiguration) {
  char tmpl[] = "/tmp/payops-limits-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string bin = PAYOPS_BINARY;
  std::ofstream(dir + "/at.toml")
      << "[limits.tier3]\nper_transaction = 1000000000000\ndaily = 100000000000000000\n"
      << "rolling_30_days = 100000000000000000\n";
  std::ofstream(dir + "/amount.toml")
      << "[limits.tier3]\nper_transaction = 1000000000001\ndaily = 100000000000000000\n"
      << "rolling_30_days = 100000000000000000\n";
  std::ofstream(dir + "/window.toml") << "[limits.tier3]\nper_transaction = 1000\ndaily = 1000\n"
                                      << "rolling_30_days = 9223372036854775807\n";
  // A float where an integer belongs is refused, never converted (8e99 does
  // not fit an int64_t).
  std::ofstream(dir + "/float.toml") << "[limits.tier3]\nper_transaction = 1000.0\n";
  std::ofstream(dir + "/huge.toml") << "[store_options]\nconnections = 8e99\n";
  const std::string store = " --store sqlite://" + dir + "/x.db";
  EXPECT_EQ(Shell(bin + " migrate --config " + dir + "/float.toml" + store), 2);
  EXPECT_EQ(Shell(bin + " migrate --config " + dir + "/huge.toml" + store), 2);
  EXPECT_EQ(Shell(bin + " migrate --config " + dir + "/at.toml" + store), 0);
  EXPECT_EQ(Shell(bin + " migrate --config " + dir + "/amount.toml" + store), 2);
  EXPECT_EQ(Shell(bin + " migrate --config " + dir + "/window.toml" + store), 2);
  std::filesystem::remove_all(dir);
}

TEST(ConfiguredMoneyBounds, AnAchDebitFitsANachaEntry) {
  char tmpl[] = "/tmp/payops-achbound-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::ofstream(dir + "/big.toml")
      << "[limits.tier3]\nper_transaction = 1000000000000\ndaily = 100000000000000\n"
      << "rolling_30_days = 100000000000000\n";
  ServerProcess s("", {"--config", dir + "/big.toml"});
  int rc = 0;
  std::string admin = s.RunCli(
      {"key", "create", "--store", s.store_url(), "--role", "admin", "--name", "Root"}, &rc);
  ASSERT_EQ(rc, 0);
  admin.erase(admin.find_last_not_of('\n') + 1);
  auto post = [&](const std::string& path, const std::string& body) {
    return Request(s.port(), "POST", path, body, {{"Authorization", "Bearer " + admin}});
  };
  std::string org = IdOf(post(
      "/v1/orgs",
      R"({"name":"Org","domain":"big.example","sla_plan":"vip","hypercare_plan":"pro","bau_plan":"pro","go_live_date":"2026-01-01","allowed_countries":["US","MX"],"fees":[{"direction":"payin","currency":"USD","corridor":"US-MX","fee":150},{"direction":"payout","currency":"USD","corridor":"US-MX","fee":100}]})"));
  std::string user = IdOf(post(
      "/v1/users",
      R"({"org_id":")" + org +
          R"(","name":"Jose","email":"j@c.example","country":"US","kyc_status":"VERIFIED","tier":3})"));
  std::string rcp = IdOf(post("/v1/users/" + user + "/recipients",
                              R"({"name":"Ana","country":"MX","payout_method":"cash_pickup"})"));
  std::string bank = IdOf(post(
      "/v1/users/" + user + "/bank-accounts",
      R"({"routing_number":"011000015","account_number":"123456789","sandbox_balance":100000000000000})"));
  std::string card = IdOf(post("/v1/users/" + user + "/cards", R"({"token":"t","last4":"4242"})"));
  auto txn = [&](const std::string& type, const std::string& id, int64_t amount) {
    return post(
        "/v1/transactions",
        R"({"user_id":")" + user + R"(","recipient_id":")" + rcp + R"(","funding":{"type":")" +
            type + R"(","id":")" + id + R"("},"amount":)" + std::to_string(amount) +
            R"(,"currency":"USD","payout_currency":"MXN","corridor":"US-MX","ip_address":"8.8.8.8","device_id":"sandbox-risk-0"})");
  };
  // amount + 1.50 fee = 9,999,999,999: the largest NACHA entry.
  auto largest = txn("ach", bank, 9'999'999'849);
  ASSERT_EQ(largest.status, 201) << largest.body;
  EXPECT_EQ(json::parse(largest.body).at("status").as_string(), "PENDING");
  auto over = txn("ach", bank, 9'999'999'850);
  EXPECT_EQ(over.status, 422) << over.body;
  EXPECT_NE(over.body.find("amount_too_large"), std::string::npos) << over.body;
  // A card payment is no NACHA entry: the amount bound alone applies.
  EXPECT_EQ(txn("debit_card", card, 10'000'000'000).status, 201);
  EXPECT_EQ(txn("debit_card", card, 1'000'000'000'001).status, 422);
  // The batch of the largest debit exports.
  ASSERT_EQ(post("/v1/sandbox/clock", R"({"now":"2030-01-07T07:00:00-08:00"})").status, 200);
  auto file = Request(s.port(), "GET", "/v1/ach/batches/ach_2030-01-07/nacha", "",
                      {{"Authorization", "Bearer " + admin}});
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_NE(file.body.find("9999999999"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace payops::testing
