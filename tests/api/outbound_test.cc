// Outbound traffic against real receivers: a `payops serve` configured with
// an aiosmtpd sink, webhook receivers and a paging endpoint on loopback.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "harness.h"
#include "sinks.h"

namespace payops::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct TempDir {
  TempDir() {
    char tmpl[] = "/tmp/payops-out-XXXXXX";
    path = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::ofstream(path + "/" + name) << text;
    return path + "/" + name;
  }
  std::string path;
};

// A sandbox server with `toml` as its configuration file, and an admin key.
struct Desk {
  Desk(const TempDir& dir, const std::string& toml)
      : server("", {"--config", dir.Write("payops.toml", toml)}) {
    int rc = 0;
    admin = server.RunCli({"key", "create", "--store", server.store_url(), "--role", "admin",
                           "--name", "Ada Admin", "--email", "ada@payops.test"},
                          &rc);
    admin.erase(admin.find_last_not_of('\n') + 1);
  }
  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& key = "") {
    return Request(server.port(), method, target, body,
                   {{"Authorization", "Bearer " + (key.empty() ? admin : key)}});
  }
  json::value Json(const std::string& method, const std::string& target,
                   const std::string& body = "", int expect = 0) {
    auto r = Call(method, target, body);
    if (expect) {
      EXPECT_EQ(r.status, expect) << method << " " << target << ": " << r.body;
    }
    return json::parse(r.body.empty() ? "null" : r.body);
  }
  std::string Key(const std::string& role, const std::string& email) {
    auto k = Json(
        "POST", "/v1/api-keys",
        R"({"role":")" + role + R"(","name":"T )" + role + R"(","email":")" + email + R"("})", 201);
    return std::string(k.at("key").as_string());
  }
  // The outbox rows to `to`, waiting until `until` holds for them.
  json::array Outbox(const std::string& to, const std::function<bool(const json::array&)>& until,
                     milliseconds timeout = milliseconds(20000)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      json::value v = Json("GET", "/v1/outbox?to=" + to);
      json::array rows = v.at("data").as_array();
      if (until(rows) || std::chrono::steady_clock::now() > deadline) return rows;
      std::this_thread::sleep_for(milliseconds(50));
    }
  }
  ServerProcess server;
  std::string admin;
};

std::string SmtpConfig(const std::string& url, const std::string& extra = "") {
  return "[smtp]\nurl = \"" + url + "\"\nfrom = \"Acme Support <support@desk.example>\"\n" + extra;
}

const std::string kTicket =
    R"({"requester": {"name": "Zoë Customer", "email": "zoe@acme.example"},)"
    R"( "cc": ["cfo@acme.example"], "category": "balance",)"
    R"( "subject": "Überweisung <script>alert(1)</script> fehlt",)"
    R"( "description": "Since Friday <b>nothing</b> arrived."})";

std::string S(const json::value& v, const char* key) {
  return std::string(v.at(key).as_string());
}

TEST(OutboundMail, TicketMailReachesTheSmtpServerThreadedEscapedAndEncoded) {
  SmtpSink sink;
  TempDir dir;
  Desk desk(dir, SmtpConfig(sink.url()));
  auto ticket = desk.Json("POST", "/v1/tickets", kTicket, 201);
  const std::string tid = S(ticket, "id");
  const std::string number = std::to_string(ticket.at("number").as_int64());
  // An internal note first, then a public reply: only the reply is mailed.
  desk.Json("POST", "/v1/tickets/" + tid + "/messages",
            R"({"body": "INTERNAL-ONLY: check the ledger", "internal": true})", 201);
  desk.Json("POST", "/v1/tickets/" + tid + "/messages",
            R"({"body": "Found it: <i>reversed</i> & re-sent.\nRegards"})", 201);
  auto raw = sink.WaitFor(4, seconds(20));
  ASSERT_EQ(raw.size(), 4u);
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_EQ(sink.Messages().size(), 4u);  // nothing for the internal note

  const std::string root = "<payops." + tid + "@desk.example>";
  std::set<std::string> message_ids;
  std::multiset<std::string> acks_to, replies_to;
  for (const std::string& r : raw) {
    ParsedMail m = ParseMail(r);
    EXPECT_EQ(r.find("INTERNAL-ONLY"), std::string::npos);
    EXPECT_EQ(m.Header("From"), "Acme Support <support@desk.example>");
    EXPECT_EQ(m.Header("Reply-To"), "Acme Support <support@desk.example>");
    EXPECT_EQ(m.Header("In-Reply-To"), root);
    EXPECT_EQ(m.Header("References"), root);
    std::string id = m.Header("Message-ID");
    EXPECT_EQ(id.rfind("<payops." + tid + ".msg_", 0), 0u) << id;
    EXPECT_EQ(id.substr(id.size() - 14), "@desk.example>");
    message_ids.insert(id);
    EXPECT_FALSE(m.Header("Date").empty());
    EXPECT_EQ(m.Header("MIME-Version"), "1.0");
    EXPECT_EQ(m.content_type.rfind("multipart/alternative; boundary=", 0), 0u) << m.content_type;
    // The subject travels as RFC 2047 words and decodes to the UTF-8 text.
    EXPECT_NE(m.Header("Subject").find("=?UTF-8?B?"), std::string::npos);
    EXPECT_NE(m.subject.find("[#" + number + "] Überweisung <script>alert(1)</script> fehlt"),
              std::string::npos)
        << m.subject;
    // The HTML escapes what the customer typed; the text keeps it as typed.
    EXPECT_EQ(m.html.find("<script>"), std::string::npos) << m.html;
    const std::string to = m.Header("To");
    if (m.subject.rfind("Re: ", 0) == 0) {
      replies_to.insert(to);
      EXPECT_EQ(m.Header("Auto-Submitted"), "");
      EXPECT_NE(m.text.find("Found it: <i>reversed</i> & re-sent."), std::string::npos) << m.text;
      EXPECT_NE(m.html.find("Found it: &lt;i&gt;reversed&lt;/i&gt; &amp; re-sent."),
                std::string::npos)
          << m.html;
    } else {
      acks_to.insert(to);
      EXPECT_EQ(m.Header("Auto-Submitted"), "auto-replied");
      EXPECT_NE(m.text.find("Hello Zoë Customer"), std::string::npos) << m.text;
      EXPECT_NE(m.text.find("/#/tickets/" + tid), std::string::npos);
      EXPECT_NE(m.html.find("Zoë Customer"), std::string::npos);
      EXPECT_NE(m.html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos) << m.html;
      EXPECT_NE(m.text.find("<script>alert(1)</script>"), std::string::npos);
    }
    EXPECT_EQ(m.Header("X-RcptTo"), to);  // the envelope recipient is the To
  }
  EXPECT_EQ(message_ids.size(), 4u);  // each mail its own id, all under one root
  EXPECT_EQ(acks_to, (std::multiset<std::string>{"zoe@acme.example", "cfo@acme.example"}));
  EXPECT_EQ(replies_to, acks_to);
  // The outbox shows each as sent once, with the Message-ID it went out with.
  auto rows = desk.Outbox("zoe@acme.example", [](const json::array& rows) {
    for (const auto& r : rows) {
      if (r.at("status") != "sent") return false;
    }
    return rows.size() == 2;
  });
  ASSERT_EQ(rows.size(), 2u);
  for (const auto& r : rows) {
    EXPECT_EQ(r.at("status"), "sent");
    EXPECT_EQ(r.at("attempts"), 1);
    EXPECT_TRUE(r.at("last_error").is_null());
    EXPECT_TRUE(message_ids.count(S(r, "message_id"))) << r;
  }
}

TEST(OutboundMail, UnreachableServerRetriesOnTheClockThenDead) {
  TempDir dir;
  Desk desk(dir, SmtpConfig("smtp://127.0.0.1:" + std::to_string(FreePort()),
                            "timeout_s = 5\n[delivery]\nmax_attempts = 3\nretry_base_s = 60\n"));
  auto ticket = desk.Json(
      "POST", "/v1/tickets",
      R"({"requester": {"name": "Pat", "email": "pat@acme.example"}, "category": "balance",)"
      R"( "subject": "Where is it", "description": "Nothing yet."})",
      201);
  auto attempts_are = [](int n, const char* status) {
    return [n, status](const json::array& rows) {
      return rows.size() == 1 && rows[0].at("attempts") == n && rows[0].at("status") == status;
    };
  };
  auto rows = desk.Outbox("pat@acme.example", attempts_are(1, "failed"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("status"), "failed") << rows[0];
  EXPECT_FALSE(rows[0].at("last_error").as_string().empty());
  // The retry waits 60 s on the (sandbox) clock, then 120 s.
  auto created = S(rows[0], "created_at");
  EXPECT_EQ(S(rows[0], "next_attempt_at"), "2030-01-07T13:01:00Z") << rows[0];
  std::this_thread::sleep_for(milliseconds(700));
  EXPECT_EQ(desk.Outbox("pat@acme.example", attempts_are(1, "failed"))[0].at("attempts"), 1);
  desk.Json("POST", "/v1/sandbox/clock", R"({"now": "2030-01-07T13:01:00Z"})", 200);
  rows = desk.Outbox("pat@acme.example", attempts_are(2, "failed"));
  EXPECT_EQ(rows[0].at("attempts"), 2) << rows[0];
  EXPECT_EQ(S(rows[0], "next_attempt_at"), "2030-01-07T13:03:00Z") << rows[0];
  desk.Json("POST", "/v1/sandbox/clock", R"({"now": "2030-01-07T13:03:00Z"})", 200);
  rows = desk.Outbox("pat@acme.example", attempts_are(3, "dead"));
  EXPECT_EQ(rows[0].at("status"), "dead") << rows[0];
  EXPECT_EQ(rows[0].at("attempts"), 3);
  // Dead stays dead.
  desk.Json("POST", "/v1/sandbox/clock", R"({"now": "2030-01-08T13:00:00Z"})", 200);
  std::this_thread::sleep_for(milliseconds(700));
  EXPECT_EQ(desk.Outbox("pat@acme.example", attempts_are(3, "dead"))[0].at("attempts"), 3);
  (void)ticket;
}

TEST(OutboundMail, WithoutSmtpEmailsStayQueuedAndServeWarnsOnce) {
  ServerProcess s;
  std::string log = s.Log();
  size_t first = log.find("no [smtp] url configured");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("no [smtp] url configured", first + 1), std::string::npos);
}

}  // namespace
}  // namespace payops::testing
