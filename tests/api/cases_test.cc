// Data-driven API tests: every file in tests/api/cases is a sequence of
// requests and expected answers run against a fresh server. A new case is a
// new file, not new code. Format:
//
//   === what this step checks
//   POST /v1/orgs?x=${var}
//   Authorization: admin            (a role alias, "none", or a literal value)
//   Idempotency-Key: k1
//   {"json": "body"}                (optional, may span lines)
//   --- 201
//   {"expected": "subset"}          (optional; "*" matches any value)
//   @capture org = id               (dot path into the answer: a.b[0].c)
//   @header Idempotent-Replayed: true
//   @body-contains text            (the raw answer holds this text)
//   @body-lacks text               (the raw answer does not hold this text)
//
// Variables: ${org_a} and ${org_b} (two orgs), ${uniq} (unique per file), and
// captures. Role aliases: admin, agent, ops_manager, emi, partner (org A),
// partner_b (org B).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "harness.h"

namespace payops::testing {
namespace {

namespace json = boost::json;

struct Step {
  std::string title;
  int line = 0;
  std::string method, target, body;
  std::vector<std::pair<std::string, std::string>> headers;
  int expect_status = 0;
  std::string expect_body;
  std::vector<std::pair<std::string, std::string>> captures;
  std::vector<std::pair<std::string, std::string>> expect_headers;
  std::vector<std::string> body_contains;
  std::vector<std::string> body_lacks;
};

std::vector<Step> ParseCase(const std::string& path) {
  std::ifstream in(path);
  std::vector<Step> steps;
  std::string line;
  enum { kNone, kHeaders, kBody, kExpect } mode = kNone;
  int n = 0;
  // "Name: value" with a name of letters, digits and dashes.
  auto header = [](const std::string& l, std::string& name, std::string& value) {
    size_t colon = l.find(':');
    if (colon == std::string::npos || colon == 0 ||
        !std::isalpha(static_cast<unsigned char>(l[0]))) {
      return false;
    }
    for (size_t i = 0; i < colon; ++i) {
      if (!std::isalnum(static_cast<unsigned char>(l[i])) && l[i] != '-') return false;
    }
    name = l.substr(0, colon);
    value = l.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    return true;
  };
  std::string hname, hvalue;
  while (std::getline(in, line)) {
    ++n;
    if (line.rfind("#", 0) == 0 && mode != kBody && mode != kExpect) continue;
    if (line.rfind("=== ", 0) == 0) {
      steps.push_back(Step{});
      steps.back().title = line.substr(4);
      steps.back().line = n;
      mode = kNone;
      continue;
    }
    if (steps.empty()) continue;
    Step& s = steps.back();
    if (mode == kNone) {
      if (line.empty()) continue;
      size_t sp = line.find(' ');
      s.method = line.substr(0, sp);
      s.target = line.substr(sp + 1);
      mode = kHeaders;
    } else if (line.rfind("--- ", 0) == 0) {
      s.expect_status = std::stoi(line.substr(4));
      mode = kExpect;
    } else if (line.rfind("@capture ", 0) == 0) {
      size_t eq = line.find('=');
      auto trim = [](std::string v) {
        v.erase(0, v.find_first_not_of(' '));
        v.erase(v.find_last_not_of(' ') + 1);
        return v;
      };
      s.captures.emplace_back(trim(line.substr(9, eq - 9)), trim(line.substr(eq + 1)));
    } else if (line.rfind("@body-contains ", 0) == 0) {
      s.body_contains.push_back(line.substr(15));
    } else if (line.rfind("@body-lacks ", 0) == 0) {
      s.body_lacks.push_back(line.substr(12));
    } else if (line.rfind("@header ", 0) == 0) {
      std::string h = line.substr(8);
      size_t colon = h.find(':');
      std::string v = h.substr(colon + 1);
      v.erase(0, v.find_first_not_of(' '));
      s.expect_headers.emplace_back(h.substr(0, colon), v);
    } else if (mode == kHeaders && header(line, hname, hvalue)) {
      s.headers.emplace_back(hname, hvalue);
    } else if (mode == kHeaders || mode == kBody) {
      mode = kBody;
      s.body += (s.body.empty() ? "" : "\n") + line;
    } else if (mode == kExpect) {
      s.expect_body += line + "\n";
    }
  }
  return steps;
}

std::string Substitute(std::string s, const std::map<std::string, std::string>& vars) {
  for (const auto& [k, v] : vars) {
    std::string pat = "${" + k + "}";
    for (size_t at; (at = s.find(pat)) != std::string::npos;) s.replace(at, pat.size(), v);
  }
  return s;
}

// True when `actual` contains everything in `expected`; `where` names the first mismatch.
bool Matches(const json::value& expected, const json::value& actual, std::string& where) {
  if (expected.is_string() && expected.get_string() == "*") return true;
  if (expected.is_object()) {
    if (!actual.is_object()) return false;
    for (const auto& kv : expected.get_object()) {
      const json::value* a = actual.get_object().if_contains(kv.key());
      if (!a) {
        where = std::string(kv.key()) + " (missing)";
        return false;
      }
      if (!Matches(kv.value(), *a, where)) {
        where = std::string(kv.key()) + (where.empty() ? "" : "." + where);
        return false;
      }
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array() || actual.get_array().size() != expected.get_array().size()) {
      where = "array length";
      return false;
    }
    for (size_t i = 0; i < expected.get_array().size(); ++i) {
      if (!Matches(expected.get_array()[i], actual.get_array()[i], where)) {
        where = "[" + std::to_string(i) + "]" + (where.empty() ? "" : "." + where);
        return false;
      }
    }
    return true;
  }
  return expected == actual;
}

const json::value* Path(const json::value& v, const std::string& path) {
  const json::value* cur = &v;
  std::stringstream ss(path);
  std::string part;
  while (std::getline(ss, part, '.')) {
    size_t br = part.find('[');
    std::string key = part.substr(0, br);
    if (!key.empty()) {
      if (!cur->is_object()) return nullptr;
      cur = cur->get_object().if_contains(key);
      if (!cur) return nullptr;
    }
    while (br != std::string::npos) {
      size_t close = part.find(']', br);
      size_t idx = std::stoul(part.substr(br + 1, close - br - 1));
      if (!cur->is_array() || idx >= cur->get_array().size()) return nullptr;
      cur = &cur->get_array()[idx];
      br = part.find('[', close);
    }
  }
  return cur;
}

class World {
 public:
  explicit World(ServerProcess& server) : server_(server) {
    int rc = 0;
    std::string key =
        server.RunCli({"key", "create", "--store", server.store_url(), "--role", "admin", "--name",
                       "Test Admin", "--email", "admin@payops.test"},
                      &rc);
    if (rc != 0) throw std::runtime_error("key create failed");
    key.erase(key.find_last_not_of("\n") + 1);
    keys_["admin"] = key;
    vars_["org_a"] = CreateOrg("Acme", "acme.example");
    vars_["org_b"] = CreateOrg("Beta", "beta.example");
    keys_["agent"] = CreateKey("agent", "", "agent@payops.test");
    keys_["ops_manager"] = CreateKey("ops_manager", "", "ops@payops.test");
    keys_["emi"] = CreateKey("emi", "", "staff@emi.example");
    keys_["partner"] = CreateKey("partner", vars_["org_a"], "pat@acme.example");
    keys_["partner_b"] = CreateKey("partner", vars_["org_b"], "bob@beta.example");
  }

  std::map<std::string, std::string>& vars() { return vars_; }
  std::string Auth(const std::string& alias) const {
    auto it = keys_.find(alias);
    return it == keys_.end() ? alias : "Bearer " + it->second;
  }

 private:
  std::string CreateOrg(const std::string& name, const std::string& domain) {
    auto r = Request(
        server_.port(), "POST", "/v1/orgs",
        R"({"name":")" + name + R"(","domain":")" + domain +
            R"(","sla_plan":"essentials","hypercare_plan":"standard",)"
            R"("bau_plan":"standard","go_live_date":"2026-01-05",)"
            R"("allowed_countries":["US","MX"],)"
            R"("fees":[{"direction":"payin","currency":"USD","corridor":"US-MX","fee":150},{"direction":"payout","currency":"USD","corridor":"US-MX","fee":100}]})",
        {{"Authorization", "Bearer " + keys_["admin"]}});
    if (r.status != 201) throw std::runtime_error("create org failed: " + r.body);
    return std::string(json::parse(r.body).at("id").as_string());
  }
  std::string CreateKey(const std::string& role, const std::string& org, const std::string& email) {
    std::string body = R"({"role":")" + role + R"(","name":"T )" + role + R"(","email":")" + email +
                       "\"" + (org.empty() ? "" : R"(,"org_id":")" + org + "\"") + "}";
    auto r = Request(server_.port(), "POST", "/v1/api-keys", body,
                     {{"Authorization", "Bearer " + keys_["admin"]}});
    if (r.status != 201) throw std::runtime_error("create key failed: " + r.body);
    return std::string(json::parse(r.body).at("key").as_string());
  }

  ServerProcess& server_;
  std::map<std::string, std::string> keys_;
  std::map<std::string, std::string> vars_;
};

std::vector<std::string> CaseFiles() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(PAYOPS_CASES_DIR)) {
    if (e.path().extension() == ".case") out.push_back(e.path().stem().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ApiCase : public ::testing::TestWithParam<std::string> {};

TEST_P(ApiCase, Run) {
  std::string path = std::string(PAYOPS_CASES_DIR) + "/" + GetParam() + ".case";
  std::vector<Step> steps = ParseCase(path);
  ASSERT_FALSE(steps.empty()) << path << " has no steps";
  ServerProcess server;
  World world(server);
  auto& vars = world.vars();
  vars["uniq"] = std::to_string(server.port());
  for (const Step& s : steps) {
    SCOPED_TRACE(GetParam() + ".case:" + std::to_string(s.line) + " " + s.title);
    std::vector<std::pair<std::string, std::string>> headers;
    for (const auto& [k, v] : s.headers) {
      std::string value = Substitute(v, vars);
      if (k == "Authorization") {
        if (value == "none") continue;
        value = world.Auth(value);
      }
      headers.emplace_back(k, value);
    }
    HttpResult r = Request(server.port(), s.method, Substitute(s.target, vars),
                           Substitute(s.body, vars), headers);
    EXPECT_EQ(r.status, s.expect_status) << r.body;
    EXPECT_FALSE(r.headers["x-request-id"].empty());
    for (const auto& [k, v] : s.expect_headers) {
      std::string lower = k;
      for (char& c : lower) c = static_cast<char>(std::tolower(c));
      EXPECT_EQ(r.headers[lower], Substitute(v, vars)) << "header " << k;
    }
    for (const auto& needle : s.body_contains) {
      EXPECT_NE(r.body.find(Substitute(needle, vars)), std::string::npos)
          << "body lacks: " << needle << "\n"
          << r.body;
    }
    for (const auto& needle : s.body_lacks) {
      EXPECT_EQ(r.body.find(Substitute(needle, vars)), std::string::npos)
          << "body holds: " << needle << "\n"
          << r.body;
    }
    json::value actual;
    if (!r.body.empty() && r.headers["content-type"].rfind("application/json", 0) == 0) {
      boost::system::error_code ec;
      actual = json::parse(r.body, ec);
      ASSERT_FALSE(ec) << "answer is not JSON: " << r.body;
      if (r.status >= 400) {
        // Every error has the documented shape.
        ASSERT_TRUE(actual.is_object() && actual.as_object().contains("error")) << r.body;
        const auto& err = actual.at("error");
        EXPECT_TRUE(err.at("code").is_string());
        EXPECT_TRUE(err.at("message").is_string());
      }
    }
    std::string expected_text = Substitute(s.expect_body, vars);
    if (expected_text.find_first_not_of(" \n") != std::string::npos) {
      boost::system::error_code ec;
      json::value expected = json::parse(expected_text, ec);
      ASSERT_FALSE(ec) << "expected block is not JSON: " << expected_text;
      std::string where;
      EXPECT_TRUE(Matches(expected, actual, where))
          << "mismatch at " << where << "\nexpected: " << expected_text << "actual: " << r.body;
    }
    for (const auto& [name, p] : s.captures) {
      const json::value* v = Path(actual, p);
      ASSERT_NE(v, nullptr) << "cannot capture " << p << " from " << r.body;
      vars[name] = v->is_string() ? std::string(v->get_string()) : json::serialize(*v);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, ApiCase, ::testing::ValuesIn(CaseFiles()), [](const auto& info) {
  std::string n = info.param;
  for (char& c : n) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return n;
});

}  // namespace
}  // namespace payops::testing
