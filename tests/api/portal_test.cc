// Sign-in for people through the real server: sign-up and the emailed
// verification link (read from the outbox), sessions as cookies with CSRF
// protection, lock-out, password reset, invitations, and answers that never
// tell which email addresses have an account.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "harness.h"

namespace payops::testing {
namespace {

namespace json = boost::json;
using Headers = std::vector<std::pair<std::string, std::string>>;

class Portal : public ::testing::Test {
 protected:
  void SetUp() override {
    int rc = 0;
    admin_ = server_.RunCli(
        {"key", "create", "--store", server_.store_url(), "--role", "admin", "--name", "Root"},
        &rc);
    ASSERT_EQ(rc, 0);
    admin_.erase(admin_.find_last_not_of('\n') + 1);
    auto r = Admin("POST", "/v1/orgs",
                   R"({"name":"Acme","domain":"acme.example","sla_plan":"vip",)"
                   R"("hypercare_plan":"pro","bau_plan":"pro","go_live_date":"2026-01-01",)"
                   R"("allowed_countries":["US"]})");
    ASSERT_EQ(r.status, 201) << r.body;
    org_ = std::string(json::parse(r.body).at("id").as_string());
  }

  HttpResult Admin(const std::string& method, const std::string& path,
                   const std::string& body = "") {
    return Request(server_.port(), method, path, body, {{"Authorization", "Bearer " + admin_}});
  }
  HttpResult Anon(const std::string& path, const std::string& body) {
    return Request(server_.port(), "POST", path, body);
  }
  // The token of the newest link of `page` emailed to `to` (from the outbox).
  std::string LinkToken(const std::string& to, const std::string& page) {
    auto r = Admin("GET", "/v1/outbox?to=" + to + "&limit=500");
    EXPECT_EQ(r.status, 200) << r.body;
    std::string token;
    const std::string link = "/#/" + page + "/";
    const json::value outbox = json::parse(r.body);
    for (const auto& m : outbox.at("data").as_array()) {
      std::string body(m.at("body").as_string());
      size_t at = body.find(link);
      if (at == std::string::npos) continue;
      size_t end = at += link.size();
      while (end < body.size() && (std::isalnum(static_cast<unsigned char>(body[end])) ||
                                   body[end] == '_' || body[end] == '-')) {
        ++end;
      }
      token = body.substr(at, end - at);
    }
    return token;
  }
  struct Session {
    std::string cookie;  // "payops_session=..."
    std::string csrf;
  };
  Session Login(const std::string& email, const std::string& password, int expect = 200) {
    auto r = Anon("/v1/portal/login",
                  R"({"email":")" + email + R"(","password":")" + password + R"("})");
    EXPECT_EQ(r.status, expect) << r.body;
    if (r.status != 200) return {};
    std::string set = r.headers["set-cookie"];
    return Session{set.substr(0, set.find(';')),
                   std::string(json::parse(r.body).at("csrf_token").as_string())};
  }
  HttpResult As(const Session& s, const std::string& method, const std::string& path,
                const std::string& body = "", bool with_csrf = true) {
    Headers h{{"Cookie", "theme=dark; " + s.cookie}};
    if (with_csrf) h.emplace_back("X-CSRF-Token", s.csrf);
    return Request(server_.port(), method, path, body, h);
  }
  void MoveClock(const std::string& now) {
    auto r = Admin("POST", "/v1/sandbox/clock", R"({"now":")" + now + R"("})");
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::string SignUpAndVerify(const std::string& email, const std::string& password) {
    auto r = Anon("/v1/portal/signup",
                  R"({"name":"Pat","email":")" + email + R"(","password":")" + password + R"("})");
    EXPECT_EQ(r.status, 202) << r.body;
    std::string token = LinkToken(email, "verify");
    EXPECT_FALSE(token.empty());
    EXPECT_EQ(Anon("/v1/portal/verify", R"({"token":")" + token + R"("})").status, 200);
    return token;
  }
  static std::string Code(const HttpResult& r) {
    return std::string(json::parse(r.body).at("error").at("code").as_string());
  }

  ServerProcess server_;
  std::string admin_;
  std::string org_;
};

TEST_F(Portal, SignUpVerifySignInAndUseTheSession) {
  // The domain must be an org's; the password has rules.
  auto r = Anon("/v1/portal/signup",
                R"({"name":"Eve","email":"eve@elsewhere.example","password":"long enough pw"})");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(Code(r), "unknown_domain");
  r = Anon("/v1/portal/signup", R"({"name":"Pat","email":"pat@acme.example","password":"short"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "weak_password");
  r = Anon("/v1/portal/signup",
           R"({"name":"Pat","email":"Pat@Acme.example","password":"correct horse battery"})");
  ASSERT_EQ(r.status, 202) << r.body;

  // Before the link is followed the right password gets a clear refusal.
  Login("pat@acme.example", "correct horse battery", 403);
  std::string token = LinkToken("pat@acme.example", "verify");
  ASSERT_FALSE(token.empty());
  r = Anon("/v1/portal/verify", R"({"token":"not-a-token"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "token_invalid");
  EXPECT_EQ(Anon("/v1/portal/verify", R"({"token":")" + token + R"("})").status, 200);
  r = Anon("/v1/portal/verify", R"({"token":")" + token + R"("})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "token_used");

  // A wrong password and an unknown address get the same answer.
  auto wrong =
      Anon("/v1/portal/login", R"({"email":"pat@acme.example","password":"nope nope nope"})");
  auto unknown =
      Anon("/v1/portal/login", R"({"email":"nobody@acme.example","password":"nope nope nope"})");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(json::parse(wrong.body).at("error").at("message"),
            json::parse(unknown.body).at("error").at("message"));

  auto login = Anon("/v1/portal/login",
                    R"({"email":"pat@acme.example","password":"correct horse battery"})");
  ASSERT_EQ(login.status, 200) << login.body;
  std::string cookie = login.headers["set-cookie"];
  EXPECT_NE(cookie.find("payops_session="), std::string::npos);
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
  EXPECT_EQ(cookie.find("Secure"), std::string::npos);  // plain HTTP on loopback
  auto body = json::parse(login.body);
  EXPECT_EQ(body.at("member").at("role"), "partner");
  EXPECT_EQ(body.at("member").at("org_id").as_string(), org_);
  Session s{cookie.substr(0, cookie.find(';')), std::string(body.at("csrf_token").as_string())};

  r = As(s, "GET", "/v1/portal/session");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(json::parse(r.body).at("member").at("email"), "pat@acme.example");
  EXPECT_EQ(json::parse(r.body).at("csrf_token").as_string(), s.csrf);

  // Writes need the CSRF token; reads do not.
  const std::string ticket =
      R"({"requester":{"name":"Pat","email":"pat@acme.example"},"category":"other",)"
      R"("subject":"Hello","description":"From the portal"})";
  r = As(s, "POST", "/v1/tickets", ticket, /*with_csrf=*/false);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(Code(r), "csrf_failed");
  r = As(s, "POST", "/v1/tickets", ticket);
  EXPECT_EQ(r.status, 201) << r.body;
  r = As(s, "GET", "/v1/tickets?view=mine", "", false);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(json::parse(r.body).at("data").as_array().size(), 1u);

  // Signing out ends the session on the server.
  r = As(s, "POST", "/v1/portal/logout");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.headers["set-cookie"].find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(As(s, "GET", "/v1/portal/session").status, 401);
  EXPECT_EQ(Request(server_.port(), "GET", "/v1/portal/session").status, 401);

  // Signing up again with the address changes nothing and says the same.
  r = Anon("/v1/portal/signup",
           R"({"name":"Mallory","email":"pat@acme.example","password":"another long one"})");
  EXPECT_EQ(r.status, 202);
  Login("pat@acme.example", "correct horse battery");
  Login("pat@acme.example", "another long one", 401);
}

TEST_F(Portal, RepeatedFailuresLockTheAddressWhetherOrNotItExists) {
  MoveClock("2030-01-07T15:00:00Z");
  SignUpAndVerify("pat@acme.example", "correct horse battery");
  for (int i = 0; i < 5; ++i) {
    Login("pat@acme.example", "wrong password " + std::to_string(i), 401);
    Login("ghost@acme.example", "wrong password " + std::to_string(i), 401);
  }
  auto known = Anon("/v1/portal/login",
                    R"({"email":"pat@acme.example","password":"correct horse battery"})");
  auto ghost = Anon("/v1/portal/login",
                    R"({"email":"ghost@acme.example","password":"correct horse battery"})");
  EXPECT_EQ(known.status, 429);
  EXPECT_EQ(Code(known), "account_locked");
  EXPECT_EQ(ghost.status, 429);
  EXPECT_EQ(known.body.substr(0, known.body.find("request_id")),
            ghost.body.substr(0, ghost.body.find("request_id")));
  MoveClock("2030-01-07T15:16:00Z");
  Login("pat@acme.example", "correct horse battery");
}

TEST_F(Portal, PasswordResetEndsEverySessionAndLinksExpire) {
  MoveClock("2030-01-07T15:00:00Z");
  SignUpAndVerify("pat@acme.example", "correct horse battery");
  Session old = Login("pat@acme.example", "correct horse battery");
  ASSERT_EQ(As(old, "GET", "/v1/portal/session").status, 200);

  // The same answer for an address with no account.
  auto known = Anon("/v1/portal/password-reset", R"({"email":"pat@acme.example"})");
  auto unknown = Anon("/v1/portal/password-reset", R"({"email":"ghost@acme.example"})");
  EXPECT_EQ(known.status, 202);
  EXPECT_EQ(unknown.status, 202);
  EXPECT_EQ(known.body, unknown.body);
  EXPECT_EQ(LinkToken("ghost@acme.example", "reset"), "");

  std::string token = LinkToken("pat@acme.example", "reset");
  ASSERT_FALSE(token.empty());
  // A weak password does not spend the link.
  auto r = Anon("/v1/portal/password-reset/confirm",
                R"({"token":")" + token + R"(","password":"short"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "weak_password");
  r = Anon("/v1/portal/password-reset/confirm",
           R"({"token":")" + token + R"(","password":"a brand new password"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(As(old, "GET", "/v1/portal/session").status, 401);
  Login("pat@acme.example", "correct horse battery", 401);
  Login("pat@acme.example", "a brand new password");
  r = Anon("/v1/portal/password-reset/confirm",
           R"({"token":")" + token + R"(","password":"yet another password"})");
  EXPECT_EQ(Code(r), "token_used");

  // A reset link lasts an hour.
  Anon("/v1/portal/password-reset", R"({"email":"pat@acme.example"})");
  token = LinkToken("pat@acme.example", "reset");
  MoveClock("2030-01-07T16:01:00Z");
  r = Anon("/v1/portal/password-reset/confirm",
           R"({"token":")" + token + R"(","password":"yet another password"})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "token_expired");

  // A signed-in change needs the current password and ends the sessions.
  Session s = Login("pat@acme.example", "a brand new password");
  r = As(s, "POST", "/v1/portal/password",
         R"({"current_password":"wrong one here","new_password":"the newest password"})");
  EXPECT_EQ(r.status, 400);
  r = As(s, "POST", "/v1/portal/password",
         R"({"current_password":"a brand new password","new_password":"the newest password"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(As(s, "GET", "/v1/portal/session").status, 401);
  Login("pat@acme.example", "the newest password");
}

TEST_F(Portal, AnAdminInvitesStaffWhoSetTheirPasswordFromTheLink) {
  auto r = Admin("POST", "/v1/members",
                 R"({"role":"agent","name":"Sam Agent","email":"sam@payops.test"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(json::parse(r.body).at("role"), "agent");
  r = Admin("POST", "/v1/members", R"({"role":"agent","name":"Sam","email":"sam@payops.test"})");
  EXPECT_EQ(r.status, 409);
  r = Admin("POST", "/v1/members", R"({"role":"partner","name":"P","email":"p@acme.example"})");
  EXPECT_EQ(r.status, 400);  // a partner needs its org
  r = Admin("POST", "/v1/members", R"({"role":"wizard","name":"W","email":"w@acme.example"})");
  EXPECT_EQ(r.status, 400);

  // No password until the link is used.
  Login("sam@payops.test", "anything at all", 401);
  std::string token = LinkToken("sam@payops.test", "invite");
  ASSERT_FALSE(token.empty());
  r = Anon("/v1/portal/invitations/accept",
           R"({"token":")" + token + R"(","password":"agent password 1"})");
  ASSERT_EQ(r.status, 200) << r.body;
  Session sam = Login("sam@payops.test", "agent password 1");
  r = As(sam, "GET", "/v1/tickets?view=all");
  EXPECT_EQ(r.status, 200);
  // An agent's session cannot invite.
  r = As(sam, "POST", "/v1/members", R"({"role":"admin","name":"X","email":"x@payops.test"})");
  EXPECT_EQ(r.status, 403);
  // Only the invited purpose opens this page: a verification token is not an invitation.
  r = Anon("/v1/portal/invitations/accept",
           R"({"token":")" + token + R"(","password":"agent password 2"})");
  EXPECT_EQ(Code(r), "token_used");
}

TEST_F(Portal, AnonymousPostsAreNeverReplayedFromAnotherCaller) {
  SignUpAndVerify("pat@acme.example", "correct horse battery");
  const std::string body = R"({"email":"pat@acme.example","password":"correct horse battery"})";
  auto first =
      Request(server_.port(), "POST", "/v1/portal/login", body, {{"Idempotency-Key", "k1"}});
  auto second =
      Request(server_.port(), "POST", "/v1/portal/login", body, {{"Idempotency-Key", "k1"}});
  ASSERT_EQ(first.status, 200);
  ASSERT_EQ(second.status, 200);
  EXPECT_NE(first.headers["set-cookie"], second.headers["set-cookie"]);
  EXPECT_EQ(second.headers.count("idempotent-replayed"), 0u);
}

// `payops demo` prints an email and password per role that sign in.
TEST(PortalDemo, EveryDemoPersonSignsInWithThePrintedPassword) {
  ServerProcess server;
  int rc = 0;
  std::string out = server.RunCli({"demo", "--store", server.store_url()}, &rc);
  ASSERT_EQ(rc, 0) << out;
  for (const char* role : {"admin", "agent", "ops_manager", "emi", "partner"}) {
    // The line of the sign-in table: "  role   email   password".
    size_t table = out.find("Sign in to the web page");
    ASSERT_NE(table, std::string::npos) << out;
    const std::string password = std::string("payops-demo-") + role;
    size_t at = out.find(password, table);
    ASSERT_NE(at, std::string::npos) << role << "\n" << out;
    size_t line = out.rfind('\n', at) + 1;
    std::string text = out.substr(line, at - line);
    size_t email_end = text.find_last_not_of(' ') + 1;
    size_t email_start = text.rfind(' ', email_end - 1) + 1;
    std::string email = text.substr(email_start, email_end - email_start);
    auto r = Request(server.port(), "POST", "/v1/portal/login",
                     R"({"email":")" + email + R"(","password":")" + password + R"("})");
    EXPECT_EQ(r.status, 200) << role << " " << email << " " << r.body;
    if (r.status == 200) {
      EXPECT_EQ(json::parse(r.body).at("member").at("role").as_string(), role);
    }
  }
}

// The peak resident memory of process `pid` (VmHWM), in KiB.
long PeakRssKib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

// A burst of wrong passwords from many clients at once: each sign-in costs an
// argon2id hash of 64 MiB, and the server computes at most two at a time
// (service/passwords.h), so its peak memory grows by at most about one more
// hash than a single sign-in needed, never by one per client. Every answer is
// 401 (or 503 with Retry-After when too many wait); nothing crashes.
TEST(PortalBurst, WrongPasswordsHoldAtMostTwoHashesOfMemory) {
  // The sanitizer's quarantine would keep freed hashes resident: off for this
  // server, so that its memory shows what it holds.
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string saved = asan ? asan : "";
  setenv("ASAN_OPTIONS", (saved + (saved.empty() ? "" : ":") + "quarantine_size_mb=0").c_str(), 1);
  ServerProcess server;
  if (asan) {
    setenv("ASAN_OPTIONS", saved.c_str(), 1);
  } else {
    unsetenv("ASAN_OPTIONS");
  }
  auto login = [&](int i) {
    return Request(server.port(), "POST", "/v1/portal/login",
                   R"({"email":"burst)" + std::to_string(i) +
                       R"(@acme.example","password":"not the password"})");
  };
  ASSERT_EQ(login(-1).status, 401);  // one hash: the baseline's peak includes it
  const long before = PeakRssKib(server.pid());
  ASSERT_GT(before, 0);
  constexpr int kClients = 48;
  std::vector<int> statuses(kClients);
  std::vector<std::string> retry_after(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      auto r = login(i);
      statuses[i] = r.status;
      retry_after[i] = r.headers["retry-after"];
    });
  }
  for (auto& t : clients) t.join();
  for (int i = 0; i < kClients; ++i) {
    EXPECT_TRUE(statuses[i] == 401 || statuses[i] == 503) << i << ": " << statuses[i];
    if (statuses[i] == 503) {
      EXPECT_FALSE(retry_after[i].empty()) << i;
    }
  }
  const long after = PeakRssKib(server.pid());
  // Two hashes at once is one more than the baseline held; 64 MiB of slack
  // for the threads' stacks and the allocator. One hash per worker thread
  // (8) would be 448 MiB more.
  EXPECT_LE(after - before, (64 + 64) * 1024L)
      << "peak before " << before << " KiB, after " << after;
  EXPECT_EQ(login(kClients).status, 401);  // and the server serves on
}

}  // namespace
}  // namespace payops::testing
