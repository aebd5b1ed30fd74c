// The authorization matrix: every route of the router's own table × every
// kind of caller, against the real server, with the expected outcome of each
// cell in tests/api/authz_matrix.tsv. A route or a cell missing from the file
// fails the test, which prints the rows to add.
//
// Outcomes: allow (the caller got past authentication and authorization: a
// 2xx, or a 4xx about the request itself such as 400, 409, 422), 401, 403,
// 404 (hidden: another org's object, or a route that is not for this caller).
// A 5xx is always a failure.
//
// Every route acts on real objects of org A (the owning org), created before
// the run; their ids replace the {params} of the path pattern. After a write
// that succeeded the objects of its kind are made anew, so that every caller
// meets the same state.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "harness.h"
#include "payops/http/api.h"

namespace payops::testing {
namespace {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

// The callers, in the order of the file's columns and of the run: those that
// should be refused first, so that a write allowed to one does not change
// what the next one sees.
const std::vector<std::string> kCallers = {"none",
                                           "bad_key",
                                           "partner_other",
                                           "emi",
                                           "partner",
                                           "partner_admin",
                                           "ops_manager",
                                           "agent",
                                           "admin",
                                           "session_emi",
                                           "session_partner",
                                           "session_partner_admin",
                                           "session_ops_manager",
                                           "session_agent",
                                           "session_admin"};

const std::set<std::string> kOutcomes = {"allow", "401", "403", "404"};

std::string Outcome(int status) {
  if (status == 401 || status == 403 || status == 404) return std::to_string(status);
  return "allow";
}

struct Row {
  std::map<std::string, std::string> outcome;  // caller → outcome
  std::string body;                            // the request body ("" for none)
  int line = 0;
};

// method + " " + pattern → row.
std::map<std::string, Row> ReadMatrix(const std::string& path, std::string& error) {
  std::ifstream in(path);
  std::map<std::string, Row> rows;
  std::vector<std::string> columns;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, '\t');) cells.push_back(c);
    if (columns.empty()) {
      columns = cells;
      continue;
    }
    if (cells.size() < 2) {
      error += "line " + std::to_string(n) + ": too few cells\n";
      continue;
    }
    Row row;
    row.line = n;
    for (size_t i = 2; i < cells.size() && i < columns.size(); ++i) {
      if (columns[i] == "body") {
        row.body = cells[i] == "-" ? "" : cells[i];
      } else {
        row.outcome[columns[i]] = cells[i];
      }
    }
    std::string key = cells[0] + " " + cells[1];
    if (rows.count(key)) error += "line " + std::to_string(n) + ": " + key + " twice\n";
    rows[key] = std::move(row);
  }
  return rows;
}

struct RouteName {
  std::string method, pattern;
};

// The router's own table, as the server builds it.
std::vector<RouteName> ServedRoutes() {
  auto store = store::Open("sqlite://:memory:");
  if (!store.ok()) throw std::runtime_error("cannot open a memory store");
  ManualClock clock(FromMicros(0));
  service::Env env(**store, clock, true);
  jobs::JobRunner runner(env);
  http::Api api(env, runner, &clock, http::ApiOptions{.sandbox = true});
  std::vector<RouteName> out;
  for (const http::Route& r : api.router().routes()) out.push_back({r.method, r.pattern});
  return out;
}

std::string Str(const json::value& v, const char* key) {
  return std::string(v.at(key).as_string());
}

// The first object with an "id" inside an array named `array` anywhere in `v`.
const json::value* FindInArray(const json::value& v, std::string_view array) {
  if (v.is_object()) {
    for (const auto& kv : v.get_object()) {
      if (kv.key() == array && kv.value().is_array()) {
        for (const auto& item : kv.value().get_array()) {
          if (item.is_object() && item.get_object().contains("id")) return &item;
        }
      }
      if (const json::value* f = FindInArray(kv.value(), array)) return f;
    }
  } else if (v.is_array()) {
    for (const auto& item : v.get_array()) {
      if (const json::value* f = FindInArray(item, array)) return f;
    }
  }
  return nullptr;
}

class World {
 public:
  explicit World(ServerProcess& server) : server_(server) {
    int rc = 0;
    std::string key = server.RunCli({"key", "create", "--store", server.store_url(), "--role",
                                     "admin", "--name", "Root", "--email", "root@payops.test"},
                                    &rc);
    if (rc != 0) throw std::runtime_error("key create failed");
    key.erase(key.find_last_not_of('\n') + 1);
    auth_["admin"] = {{"Authorization", "Bearer " + key}};
    vars_["org"] = CreateOrg("Acme", "acme.example");
    vars_["org_other"] = CreateOrg("Beta", "beta.example");
    auth_["agent"] = KeyAuth("agent", "", "agent@payops.test");
    auth_["ops_manager"] = KeyAuth("ops_manager", "", "ops@payops.test");
    auth_["emi"] = KeyAuth("emi", "", "staff@emi.example");
    auth_["partner"] = KeyAuth("partner", vars_["org"], "pat@acme.example");
    auth_["partner_admin"] = KeyAuth("partner", vars_["org"], "lead@acme.example", true);
    auth_["partner_other"] = KeyAuth("partner", vars_["org_other"], "bob@beta.example");
    auth_["none"] = {};
    auth_["bad_key"] = {{"Authorization", "Bearer pk_not_a_key_0123456789abcdef"}};
    session_of_ = {
        {"session_admin", {"admin", "", "web-admin@payops.test", false}},
        {"session_agent", {"agent", "", "web-agent@payops.test", false}},
        {"session_ops_manager", {"ops_manager", "", "web-ops@payops.test", false}},
        {"session_emi", {"emi", "", "web-staff@emi.example", false}},
        {"session_partner", {"partner", vars_["org"], "web-pat@acme.example", false}},
        {"session_partner_admin", {"partner", vars_["org"], "web-lead@acme.example", true}}};
    for (const auto& [caller, who] : session_of_) {
      Invite(who);
      SignIn(caller);
    }
    // Monday's ACH batch, closed at the 07:00 Pacific cutoff.
    Refresh("user");
    CreateTransaction();
    Call("admin", "POST", "/v1/sandbox/clock", R"({"now":"2030-01-07T07:00:00-08:00"})", 200);
    vars_["batch"] = "ach_2030-01-07";
    vars_["account"] = vars_["org"] + ":USD:org";
    vars_["asset"] = "app.js";
    vars_["queue"] = "delivery";
    for (const char* kind : {"transaction", "ticket", "tier_upgrade", "article", "webhook",
                             "queue_member", "monitor", "maintenance_window"}) {
      Refresh(kind);
    }
  }

  const std::map<std::string, std::string>& vars() const { return vars_; }

  HttpResult Send(const std::string& caller, const std::string& method, const std::string& target,
                  const std::string& body) {
    Headers h = auth_.at(caller);
    return Request(server_.port(), method, target, body, h);
  }

  // Makes the objects of `kind` anew (and those that hang on them).
  void Refresh(const std::string& kind) {
    const std::string& user = vars_["user"];
    if (kind == "user") {
      vars_["user"] =
          Id(Call("admin", "POST", "/v1/users",
                  R"({"org_id":")" + vars_["org"] + R"(","name":"Ana Diaz","email":"ana)" + Next() +
                      R"(@customers.example",)"
                      R"("country":"US","kyc_status":"VERIFIED","tier":3})",
                  201));
      const std::string& u = vars_["user"];
      vars_["recipient"] =
          Id(Call("partner", "POST", "/v1/users/" + u + "/recipients",
                  R"({"name":"Luis","country":"MX","payout_method":"bank_deposit"})", 201));
      vars_["bank_account"] =
          Id(Call("partner", "POST", "/v1/users/" + u + "/bank-accounts",
                  R"({"routing_number":"011000015","account_number":"123456789",)"
                  R"("account_type":"checking","sandbox_balance":100000000})",
                  201));
      vars_["card"] = Id(Call("partner", "POST", "/v1/users/" + u + "/cards",
                              R"({"token":"tok_ana","last4":"4242"})", 201));
    } else if (kind == "bank_account") {
      vars_["bank_account"] =
          Id(Call("partner", "POST", "/v1/users/" + user + "/bank-accounts",
                  R"({"routing_number":"011000015","account_number":"123456789",)"
                  R"("account_type":"checking","sandbox_balance":100000000})",
                  201));
    } else if (kind == "transaction") {
      vars_["transaction"] = CreateTransaction();
    } else if (kind == "ticket") {
      vars_["ticket"] = Id(Call(
          "partner", "POST", "/v1/tickets",
          R"({"requester":{"name":"Pat","email":"pat@acme.example"},"category":"other",)"
          R"("subject":"Statement question","description":"Where is it?",)"
          R"("attachments":[{"filename":"a.txt","content_type":"text/plain","content_base64":"aGk="}]})",
          201));
      json::value t =
          json::parse(Call("admin", "GET", "/v1/tickets/" + vars_["ticket"], "", 200).body);
      const json::value* att = FindInArray(t, "attachments");
      if (!att) throw std::runtime_error("the ticket has no attachment: " + json::serialize(t));
      vars_["attachment"] = Str(*att, "id");
    } else if (kind == "tier_upgrade") {
      // A user at tier 1 of its own, so that an approved upgrade leaves the others alone.
      std::string u = Id(Call("admin", "POST", "/v1/users",
                              R"({"org_id":")" + vars_["org"] +
                                  R"(","name":"Tia Upgrade","email":"tia)" + Next() +
                                  R"(@customers.example",)"
                                  R"("country":"US","kyc_status":"VERIFIED","tier":1})",
                              201));
      std::string id = Id(Call("partner", "POST", "/v1/users/" + u + "/tier-upgrades",
                               R"({"target_tier":2})", 201));
      json::value up = json::parse(
          Call("partner", "POST", "/v1/tier-upgrades/" + id + "/documents",
               R"({"name":"id.png","content_type":"image/png","content_base64":"iVBORw0KGgo="})",
               201)
              .body);
      const json::value* doc = FindInArray(up, "documents");
      if (!doc) throw std::runtime_error("the upgrade has no document: " + json::serialize(up));
      vars_["document"] = Str(*doc, "id");
      Call("partner", "POST", "/v1/tier-upgrades/" + id + "/submit", "{}", 200);
      vars_["tier_upgrade"] = id;
    } else if (kind == "article") {
      vars_["article"] =
          Id(Call("admin", "POST", "/v1/kb/articles",
                  R"({"title":"Where is my statement )" + Next() +
                      R"(","body":"It is emailed on the first.","category":"report"})",
                  201));
    } else if (kind == "webhook") {
      vars_["webhook"] =
          Id(Call("admin", "POST", "/v1/webhooks",
                  R"({"url":"http://127.0.0.1:9/hook","events":["ticket.created"]})", 201));
    } else if (kind == "monitor") {
      vars_["monitor"] =
          Id(Call("admin", "POST", "/v1/monitors",
                  R"({"name":"Partner API )" + Next() +
                      R"(","kind":"http","target":"https://status.acme.example/health",)"
                      R"("interval_seconds":60})",
                  201));
    } else if (kind == "maintenance_window") {
      vars_["maintenance_window"] =
          Id(Call("admin", "POST", "/v1/maintenance-windows",
                  R"({"starts_at":"2031-01-01T00:00:00Z","ends_at":"2031-01-01T01:00:00Z",)"
                  R"("monitor_ids":[")" +
                      vars_["monitor"] + R"("],"title":"Upgrade )" + Next() +
                      R"(","message":"Payouts pause"})",
                  201));
    } else if (kind == "queue_member") {
      vars_["queue_member"] = Member("agent");
      Call("admin", "POST", "/v1/queues/delivery/members",
           R"({"member_id":")" + vars_["queue_member"] + R"("})", 200);
    } else if (kind == "session") {
      for (const auto& [caller, who] : session_of_) SignIn(caller);
    }
  }

 private:
  struct Who {
    std::string role, org, email;
    bool org_admin = false;
  };

  HttpResult Call(const std::string& caller, const std::string& method, const std::string& target,
                  const std::string& body, int expect) {
    HttpResult r = Send(caller, method, target, body);
    if (r.status != expect) {
      throw std::runtime_error("fixture " + method + " " + target + " answered " +
                               std::to_string(r.status) + ": " + r.body);
    }
    return r;
  }
  static std::string Id(const HttpResult& r) { return Str(json::parse(r.body), "id"); }
  std::string Next() { return std::to_string(++serial_); }

  std::string CreateOrg(const std::string& name, const std::string& domain) {
    return Id(
        Call("admin", "POST", "/v1/orgs",
             R"({"name":")" + name + R"(","domain":")" + domain +
                 R"(","sla_plan":"essentials","hypercare_plan":"standard",)"
                 R"("bau_plan":"standard","go_live_date":"2026-01-05",)"
                 R"("allowed_countries":["US","MX"],)"
                 R"("fees":[{"direction":"payin","currency":"USD","corridor":"US-MX","fee":150},)"
                 R"({"direction":"payout","currency":"USD","corridor":"US-MX","fee":100}]})",
             201));
  }
  Headers KeyAuth(const std::string& role, const std::string& org, const std::string& email,
                  bool org_admin = false) {
    std::string body = R"({"role":")" + role + R"(","name":"T )" + role + R"(","email":")" + email +
                       "\"" + (org.empty() ? "" : R"(,"org_id":")" + org + "\"") +
                       (org_admin ? R"(,"org_admin":true)" : "") + "}";
    json::value v = json::parse(Call("admin", "POST", "/v1/api-keys", body, 201).body);
    members_[role + (org_admin ? "_admin" : "")] = Str(v, "member_id");
    return {{"Authorization", "Bearer " + Str(v, "key")}};
  }
  std::string Member(const std::string& role) { return members_.at(role); }

  std::string CreateTransaction() {
    return Id(Call("partner", "POST", "/v1/transactions",
                   R"({"user_id":")" + vars_["user"] + R"(","recipient_id":")" +
                       vars_["recipient"] + R"(","funding":{"type":"ach","id":")" +
                       vars_["bank_account"] +
                       R"("},"amount":10000,"currency":"USD","payout_currency":"MXN",)"
                       R"("corridor":"US-MX","ip_address":"8.8.8.8","device_id":"sandbox-risk-0"})",
                   201));
  }

  // Invites `who` and sets the password from the emailed link.
  void Invite(const Who& who) {
    std::string body = R"({"role":")" + who.role + R"(","name":"Web )" + who.role +
                       R"(","email":")" + who.email + "\"" +
                       (who.org.empty() ? "" : R"(,"org_id":")" + who.org + "\"") +
                       (who.org_admin ? R"(,"org_admin":true)" : "") + "}";
    Call("admin", "POST", "/v1/members", body, 201);
    json::value outbox =
        json::parse(Call("admin", "GET", "/v1/outbox?limit=500&to=" + who.email, "", 200).body);
    std::string token;
    const std::string link = "/#/invite/";
    for (const auto& m : outbox.at("data").as_array()) {
      std::string text(m.at("body").as_string());
      size_t at = text.find(link);
      if (at == std::string::npos) continue;
      size_t end = at += link.size();
      while (end < text.size() && (std::isalnum(static_cast<unsigned char>(text[end])) ||
                                   text[end] == '_' || text[end] == '-')) {
        ++end;
      }
      token = text.substr(at, end - at);
    }
    if (token.empty()) throw std::runtime_error("no invitation for " + who.email);
    Call("none", "POST", "/v1/portal/invitations/accept",
         R"({"token":")" + token + R"(","password":")" + kPassword + R"("})", 200);
  }
  void SignIn(const std::string& caller) {
    const Who& who = session_of_.at(caller);
    HttpResult r =
        Call("none", "POST", "/v1/portal/login",
             R"({"email":")" + who.email + R"(","password":")" + kPassword + R"("})", 200);
    std::string set = r.headers["set-cookie"];
    auth_[caller] = {{"Cookie", set.substr(0, set.find(';'))},
                     {"X-CSRF-Token", Str(json::parse(r.body), "csrf_token")}};
  }

  static constexpr const char* kPassword = "correct horse battery staple";
  ServerProcess& server_;
  std::map<std::string, Headers> auth_;
  std::map<std::string, Who> session_of_;
  std::map<std::string, std::string> members_;  // role → member id of its key
  std::map<std::string, std::string> vars_;
  int serial_ = 0;
};

// The fixture variable of each path parameter, by the segment before it.
std::string ParamVariable(const std::string& before, const std::string& param) {
  static const std::map<std::string, std::string> kById = {
      {"orgs", "org"},
      {"users", "user"},
      {"bank-accounts", "bank_account"},
      {"transactions", "transaction"},
      {"tickets", "ticket"},
      {"tier-upgrades", "tier_upgrade"},
      {"batches", "batch"},
      {"accounts", "account"},
      {"articles", "article"},
      {"webhooks", "webhook"},
      {"monitors", "monitor"},
      {"maintenance-windows", "maintenance_window"}};
  if (param == "id") {
    auto it = kById.find(before);
    return it == kById.end() ? "" : it->second;
  }
  static const std::map<std::string, std::string> kByName = {{"attachment_id", "attachment"},
                                                             {"queue", "queue"},
                                                             {"member_id", "queue_member"},
                                                             {"name", "asset"},
                                                             {"doc_id", "document"}};
  auto it = kByName.find(param);
  return it == kByName.end() ? "" : it->second;
}

// The path with fixture ids for its {params}; the kinds of object it names.
std::string Target(const std::string& pattern, const std::map<std::string, std::string>& vars,
                   std::vector<std::string>& kinds, std::string& error) {
  std::string out, before;
  std::stringstream ss(pattern.substr(1));
  for (std::string seg; std::getline(ss, seg, '/');) {
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      std::string var = ParamVariable(before, seg.substr(1, seg.size() - 2));
      auto it = vars.find(var);
      if (var.empty() || it == vars.end()) {
        error = "no fixture object for " + seg + " in " + pattern +
                ": add one to World and ParamVariable in " __FILE__;
        return "";
      }
      kinds.push_back(var);
      out += "/" + it->second;
    } else {
      out += "/" + seg;
    }
    before = seg;
  }
  return out.empty() ? "/" : out;
}

std::string Substitute(std::string s, const std::map<std::string, std::string>& vars) {
  for (const auto& [k, v] : vars) {
    std::string pat = "${" + k + "}";
    for (size_t at; (at = s.find(pat)) != std::string::npos;) s.replace(at, pat.size(), v);
  }
  return s;
}

TEST(AuthzMatrix, EveryRouteTimesEveryCallerHasItsExpectedOutcome) {
  std::string error;
  const std::string file = std::string(PAYOPS_TESTS_DIR) + "/api/authz_matrix.tsv";
  std::map<std::string, Row> matrix = ReadMatrix(file, error);
  ASSERT_TRUE(error.empty()) << file << ":\n" << error;
  ASSERT_FALSE(matrix.empty()) << file << " has no rows";

  const std::vector<RouteName> routes = ServedRoutes();
  std::set<std::string> served;
  for (const auto& r : routes) served.insert(r.method + " " + r.pattern);
  for (const auto& [key, row] : matrix) {
    EXPECT_TRUE(served.count(key)) << file << ":" << row.line << ": " << key
                                   << " is not a route of the server: remove the row";
  }

  ServerProcess server;
  World world(server);
  std::string missing_rows, observed_rows;
  for (const auto& route : routes) {
    const std::string key = route.method + " " + route.pattern;
    SCOPED_TRACE(key);
    auto found = matrix.find(key);
    const Row* row = found == matrix.end() ? nullptr : &found->second;
    std::map<std::string, std::string> seen;
    for (const std::string& caller : kCallers) {
      // The ids of the objects as they are now: a write before may have made them anew.
      std::vector<std::string> kinds;
      std::string target_error;
      std::string target = Target(route.pattern, world.vars(), kinds, target_error);
      if (!target_error.empty()) {
        ADD_FAILURE() << target_error;
        break;
      }
      std::string body = row ? Substitute(row->body, world.vars()) : "";
      if (body.empty() && (route.method == "POST" || route.method == "PATCH")) body = "{}";
      HttpResult r = world.Send(caller, route.method, target, body);
      EXPECT_LT(r.status, 500) << caller << " " << route.method << " " << target << ": " << r.body;
      seen[caller] = Outcome(r.status);
      std::string expected = row && row->outcome.count(caller) ? row->outcome.at(caller) : "";
      if (row && expected.empty()) {
        ADD_FAILURE() << file << ":" << row->line << ": " << key << " has no cell for " << caller
                      << " (observed " << seen[caller] << ")";
      } else if (row && !kOutcomes.count(expected)) {
        ADD_FAILURE() << file << ":" << row->line << ": " << key << " × " << caller << ": outcome '"
                      << expected << "' is not one of allow, 401, 403, 404"
                      << " (observed " << seen[caller] << ")";
      } else if (row) {
        EXPECT_EQ(seen[caller], expected)
            << key << " × " << caller << " (" << route.method << " " << target << " answered "
            << r.status << ": " << r.body.substr(0, 300) << ")";
      }
      // A write that went through changed its objects: the next caller gets new ones.
      bool wrote = route.method != "GET" && r.status >= 200 && r.status < 300;
      if (wrote) {
        for (const auto& kind : kinds) {
          if (kind != "org" && kind != "batch" && kind != "account" && kind != "queue") {
            world.Refresh(kind);
          }
        }
        if (route.pattern.rfind("/v1/portal/", 0) == 0) world.Refresh("session");
      }
    }
    std::string observed = route.method + "\t" + route.pattern;
    std::string placeholder = observed;
    for (const std::string& caller : kCallers) {
      observed += "\t" + seen[caller];
      placeholder += "\t?";
    }
    observed += "\t" + (row && !row->body.empty() ? row->body : "-");
    placeholder += "\t-";
    observed_rows += observed + "\n";
    if (!row) {
      missing_rows += placeholder + "\n# observed: " + observed + "\n";
      ADD_FAILURE() << key << " has no row in " << file;
    }
  }
  if (!missing_rows.empty()) {
    std::string header = "method\tpath";
    for (const auto& c : kCallers) header += "\t" + c;
    ADD_FAILURE() << "Rows to add to " << file
                  << " (replace each ? by allow, 401, 403 or 404, and - by a JSON body when the "
                     "route takes one; columns: "
                  << header << "\tbody):\n"
                  << missing_rows;
  }
  if (const char* out = std::getenv("PAYOPS_AUTHZ_OBSERVED")) {
    std::ofstream(out) << observed_rows;
  }
}

}  // namespace
}  // namespace payops::testing
