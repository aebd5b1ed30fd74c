// The contract checks of contract.h find what docs/openapi.yaml does not say.
#include "contract.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "harness.h"

namespace payops::testing {
namespace {

HttpResult Json(int status, std::string body) {
  HttpResult r;
  r.status = status;
  r.headers["content-type"] = "application/json";
  r.body = std::move(body);
  return r;
}

std::string Joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

TEST(Contract, AnAnswerAsDocumentedPasses) {
  auto p = ContractViolations(
      "GET", "/v1/users/usr_1/cards?limit=1",
      Json(200,
           R"({"data":[{"id":"crd_1","user_id":"usr_1","last4":"4242"}],"next_cursor":null})"));
  EXPECT_TRUE(p.empty()) << Joined(p);
  p = ContractViolations("GET", "/v1/orgs/org_1",
                         Json(404, R"({"error":{"code":"not_found","message":"no such org"}})"));
  EXPECT_TRUE(p.empty()) << Joined(p);
}

TEST(Contract, AnUndocumentedStatusIsFound) {
  auto p = ContractViolations("GET", "/v1/users/usr_1/cards",
                              Json(418, R"({"error":{"code":"teapot","message":"x"}})"));
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("status 418 is not documented"), std::string::npos) << p[0];
}

TEST(Contract, SchemaDisagreementsAreFound) {
  // A missing required field, a wrong type, a value outside the enum, a null
  // where none is allowed.
  auto p = ContractViolations(
      "GET", "/v1/users/usr_1/recipients",
      Json(200, R"({"data":[{"id":"rcp_1","user_id":7,"name":"A","country":"MX",)"
                R"("payout_method":"carrier_pigeon"}],"next_cursor":null})"));
  std::string all = Joined(p);
  EXPECT_NE(all.find("data[0].user_id is an integer, documented string"), std::string::npos) << all;
  EXPECT_NE(all.find("data[0].payout_method is \"carrier_pigeon\""), std::string::npos) << all;
  p = ContractViolations("GET", "/v1/users/usr_1/cards", Json(200, R"({"data":[],"total":0})"));
  EXPECT_NE(Joined(p).find("lacks required next_cursor"), std::string::npos) << Joined(p);
  p = ContractViolations("GET", "/v1/users/usr_1/cards",
                         Json(200, R"({"data":null,"next_cursor":null})"));
  EXPECT_NE(Joined(p).find("data is null but not nullable"), std::string::npos) << Joined(p);
}

TEST(Contract, AFieldAClosedSchemaDoesNotNameIsFound) {
  // Org is allOf [OrgInput (additionalProperties: false), {id, created_at, ...}]:
  // the fields of either part are documented, any other is not.
  const std::string org =
      R"("name":"Acme","domain":"acme.example","sla_plan":"vip","hypercare_plan":"pro",)"
      R"("bau_plan":"pro","go_live_date":"2026-01-01","allowed_countries":["US"],"emi":null,)"
      R"("id":"org_1","created_at":"2026-01-01T00:00:00Z")";
  auto p = ContractViolations("POST", "/v1/orgs", Json(201, "{" + org + "}"));
  EXPECT_TRUE(p.empty()) << Joined(p);
  p = ContractViolations("POST", "/v1/orgs", Json(201, "{" + org + R"(,"bogus":1})"));
  ASSERT_EQ(p.size(), 1u) << Joined(p);
  EXPECT_NE(p[0].find("bogus is not documented (additionalProperties: false)"), std::string::npos)
      << p[0];
  // An open schema (the error shape) takes more fields, but checks the named ones.
  p = ContractViolations("GET", "/v1/orgs/org_1",
                         Json(404, R"({"error":{"code":1,"message":"x","extra":true}})"));
  ASSERT_EQ(p.size(), 1u) << Joined(p);
  EXPECT_NE(p[0].find("error.code is an integer"), std::string::npos) << p[0];
}

TEST(Contract, ABodyThatIsNotJsonOrOfAnotherTypeIsFound) {
  HttpResult r = Json(200, "not json");
  EXPECT_FALSE(ContractViolations("GET", "/v1/users/usr_1/cards", r).empty());
  r.headers["content-type"] = "text/html";
  auto p = ContractViolations("GET", "/v1/users/usr_1/cards", r);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_NE(p[0].find("answered text/html"), std::string::npos) << p[0];
}

TEST(Contract, PathsOutsideTheFileAreTheRoutersAndNotChecked) {
  EXPECT_TRUE(ContractViolations("GET", "/nowhere", Json(500, "")).empty());
  // The most literal documented path wins over a parameter.
  auto p = ContractViolations("GET", "/v1/transactions/hold-counts",
                              Json(200, R"({"data":[],"total":0})"));
  EXPECT_TRUE(p.empty()) << Joined(p);
}

TEST(Contract, EveryDocumentedOperationIsReadFromTheFile) {
  std::vector<std::string> ops = DocumentedOperations();
  std::set<std::string> set(ops.begin(), ops.end());
  EXPECT_TRUE(set.count("GET /v1/users/{id}/cards"));
  EXPECT_TRUE(set.count("DELETE /v1/webhooks/{id}"));
  EXPECT_EQ(set.size(), ops.size());
}

}  // namespace
}  // namespace payops::testing
