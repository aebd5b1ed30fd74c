// Outbound traffic against real receivers: a `payops serve` configured with
// an aiosmtpd sink, webhook receivers and a paging endpoint on loopback.
#include <gtest/gtest.h>
#include <sodium.h>

#include <sys/wait.h>
#include <boost/json.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "harness.h"
#include "payops/core/clock.h"
#include "payops/store/store.h"
#include "sinks.h"
#include "site.h"

namespace payops::testing {
namespace {

namespace json = boost::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

// A server configured by a TOML file, with an admin key.
struct Desk : ConfiguredServer {
  using ConfiguredServer::ConfiguredServer;
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
  // A subject with CR/LF never reaches a header: the API refuses it.
  auto injected = desk.Call(
      "POST", "/v1/tickets",
      R"({"requester": {"name": "Eve", "email": "eve@acme.example"}, "category": "balance",)"
      R"( "subject": "hi\r\nBcc: victim@example.org", "description": "x"})");
  EXPECT_EQ(injected.status, 400) << injected.body;
  EXPECT_NE(injected.body.find("\"field\":\"subject\""), std::string::npos) << injected.body;
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
  for (const std::string& r : raw) EXPECT_EQ(r.find("victim@example.org"), std::string::npos);
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

TEST(OutboundMail, SmtpUrlFromTheEnvironmentAndBadSettingsRefused) {
  SmtpSink sink;
  TempDir dir;
  setenv("PAYOPS_SMTP_URL", sink.url().c_str(), 1);
  Desk desk(dir, "");
  unsetenv("PAYOPS_SMTP_URL");
  desk.Json("POST", "/v1/tickets",
            R"({"requester": {"name": "Pat", "email": "pat@acme.example"}, "category": "balance",)"
            R"( "subject": "Plain subject", "description": "x"})",
            201);
  auto raw = sink.WaitFor(1, seconds(20));
  ASSERT_EQ(raw.size(), 1u);
  ParsedMail m = ParseMail(raw[0]);
  EXPECT_EQ(m.Header("From"), "payops support <support@payops.local>");
  EXPECT_EQ(m.Header("Subject"), "[#1001] Plain subject");  // ASCII stays plain
  EXPECT_EQ(m.Header("Message-ID").substr(m.Header("Message-ID").size() - 14), "@payops.local>");
  // Bad settings stop the start with exit status 2.
  std::string bin = PAYOPS_BINARY;
  std::string db = " --store sqlite://" + dir.path + "/x.db";
  auto run = [](const std::string& cmd) {
    int status = std::system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  EXPECT_EQ(run("PAYOPS_SMTP_URL=http://mail.example " + bin + " migrate" + db), 2);
  for (const char* bad :
       {"[smtp]\nurl = \"ftp://mail.example\"\n", "[smtp]\nfrom = \"not an address\"\n",
        "[smtp]\nstarttls = \"yes\"\n", "[smtp]\nport = 25\n", "[paging]\nurl = \"mail.example\"\n",
        "[delivery]\nmax_attempts = 0\n"}) {
    std::string file = dir.Write("bad.toml", bad);
    EXPECT_EQ(run(bin + " migrate --config " + file + db), 2) << bad;
  }
  std::string good = dir.Write(
      "good.toml",
      "[smtp]\nurl = \"smtps://mail.example:465\"\nstarttls = true\nusername = \"u\"\n"
      "password = \"p\"\nfrom = \"Desk <desk@example.com>\"\ntimeout_s = 5\n"
      "[paging]\nurl = \"https://events.example/v2/enqueue\"\nrouting_key = \"k\"\n"
      "[delivery]\nmax_attempts = 3\nretry_base_s = 5\nretry_max_s = 60\ntimeout_s = 3\n");
  EXPECT_EQ(run(bin + " migrate --config " + good + db), 0);
}

TEST(OutboundMail, WithoutSmtpEmailsStayQueuedAndServeWarnsOnce) {
  ServerProcess s;
  std::string log = s.Log();
  size_t first = log.find("no [smtp] url configured");
  ASSERT_NE(first, std::string::npos) << log;
  EXPECT_EQ(log.find("no [smtp] url configured", first + 1), std::string::npos);
}

// t=<unix>,v1=<hex> checked against HMAC-SHA256(secret, "t.body").
bool SignatureValid(const std::string& header, const std::string& secret, const std::string& body) {
  size_t comma = header.find(",v1=");
  if (header.rfind("t=", 0) != 0 || comma == std::string::npos) return false;
  std::string t = header.substr(2, comma - 2);
  std::string v1 = header.substr(comma + 4);
  std::string text = t + "." + body;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(secret.data()),
                              secret.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(text.data()),
                                text.size());
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return v1 == hex;
}

const std::string kDeliveryConfig =
    "[delivery]\nmax_attempts = 4\nretry_base_s = 60\ntimeout_s = 2\n";

const std::string kSimpleTicket =
    R"({"requester": {"name": "Pat", "email": "pat@acme.example"}, "category": "balance",)"
    R"( "subject": "Balance off", "description": "By 12.50."})";

TEST(Webhooks, BadInputIs400AndOnlyAdminsManageThem) {
  TempDir dir;
  Desk desk(dir, kDeliveryConfig);
  const char* bad_urls[] = {R"j({"url": "ftp://example.com/x", "events": ["ticket.created"]})j",
                            R"j({"url": "javascript:alert(1)", "events": ["ticket.created"]})j",
                            R"j({"url": "http://", "events": ["ticket.created"]})j",
                            R"j({"url": "http://example.com/ x", "events": ["ticket.created"]})j"};
  for (const char* body : bad_urls) {
    auto r = desk.Call("POST", "/v1/webhooks", body);
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
    EXPECT_NE(r.body.find("\"field\":\"url\""), std::string::npos) << r.body;
  }
  auto unknown = desk.Call("POST", "/v1/webhooks",
                           R"({"url": "https://example.com/h", "events": ["ticket.deleted"]})");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("\"field\":\"events\""), std::string::npos) << unknown.body;
  EXPECT_EQ(
      desk.Call("POST", "/v1/webhooks", R"({"url": "https://example.com/h", "events": []})").status,
      400);
  EXPECT_EQ(desk.Call("POST", "/v1/webhooks", R"({"url": "https://example.com/h"})").status, 400);
  std::string agent = desk.Key("agent", "agent@payops.test");
  EXPECT_EQ(desk.Call("POST", "/v1/webhooks",
                      R"({"url": "https://example.com/h", "events": ["ticket.created"]})", agent)
                .status,
            403);
  EXPECT_EQ(desk.Call("GET", "/v1/webhooks", "", agent).status, 403);
  // Nothing was stored.
  EXPECT_EQ(desk.Json("GET", "/v1/webhooks", "", 200).at("data").as_array().size(), 0u);
  EXPECT_EQ(desk.Call("DELETE", "/v1/webhooks/wh_nope").status, 404);
  EXPECT_EQ(desk.Call("GET", "/v1/webhooks/wh_nope/deliveries").status, 404);
}

TEST(Webhooks, SignedDeliveryRetriedOn5xxUntilAccepted) {
  HttpReceiver receiver([](const HttpHit&, int index) { return index < 2 ? 500 : 200; });
  TempDir dir;
  Desk desk(dir, kDeliveryConfig);
  auto hook = desk.Json(
      "POST", "/v1/webhooks",
      R"({"url": ")" + receiver.url() + R"(", "events": ["ticket.created", "ticket.updated"]})",
      201);
  const std::string secret = S(hook, "secret");
  EXPECT_EQ(secret.rfind("whsec_", 0), 0u);
  const std::string hook_id = S(hook, "id");
  // The secret is shown once.
  auto listed = desk.Json("GET", "/v1/webhooks", "", 200).at("data").as_array();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].as_object().contains("secret"));
  EXPECT_EQ(listed[0].at("status"), "active");

  auto ticket = desk.Json("POST", "/v1/tickets", kSimpleTicket, 201);
  auto hits = receiver.WaitFor(1, seconds(20));
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].method, "POST");
  EXPECT_EQ(hits[0].target, "/hook");
  EXPECT_EQ(hits[0].headers["content-type"], "application/json");
  EXPECT_TRUE(SignatureValid(hits[0].headers["x-payops-signature"], secret, hits[0].body))
      << hits[0].headers["x-payops-signature"];
  EXPECT_FALSE(SignatureValid(hits[0].headers["x-payops-signature"], secret + "x", hits[0].body));
  auto event = json::parse(hits[0].body);
  EXPECT_EQ(S(event, "id").rfind("evt_", 0), 0u);
  EXPECT_EQ(event.at("type"), "ticket.created");
  EXPECT_EQ(event.at("created_at"), "2030-01-07T13:00:00Z");
  EXPECT_EQ(event.at("data").at("id"), ticket.at("id"));
  EXPECT_EQ(event.at("data").at("number"), ticket.at("number"));
  EXPECT_EQ(event.at("data").at("status"), "new");
  // The 500 is retried after the backoff on the clock, not before.
  std::this_thread::sleep_for(milliseconds(700));
  EXPECT_EQ(receiver.Hits().size(), 1u);
  desk.Json("POST", "/v1/sandbox/clock", R"({"now": "2030-01-07T13:01:00Z"})", 200);
  ASSERT_EQ(receiver.WaitFor(2, seconds(20)).size(), 2u);
  desk.Json("POST", "/v1/sandbox/clock", R"({"now": "2030-01-07T13:03:00Z"})", 200);
  hits = receiver.WaitFor(3, seconds(20));
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[2].body, hits[0].body);  // the same event
  EXPECT_TRUE(SignatureValid(hits[2].headers["x-payops-signature"], secret, hits[2].body));
  EXPECT_NE(hits[2].headers["x-payops-signature"], hits[0].headers["x-payops-signature"]);
  json::array deliveries;
  for (int i = 0; i < 200; ++i) {
    deliveries =
        desk.Json("GET", "/v1/webhooks/" + hook_id + "/deliveries", "", 200).at("data").as_array();
    if (deliveries.size() == 1 && deliveries[0].at("status") == "delivered") break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  ASSERT_EQ(deliveries.size(), 1u);
  const auto& d = deliveries[0];
  EXPECT_EQ(d.at("status"), "delivered") << d;
  EXPECT_EQ(d.at("attempts"), 3);
  EXPECT_EQ(d.at("type"), "ticket.created");
  const auto& log = d.at("attempt_log").as_array();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0].at("status_code"), 500);
  EXPECT_EQ(log[1].at("status_code"), 500);
  EXPECT_EQ(log[2].at("status_code"), 200);
  EXPECT_EQ(log[2].at("at"), "2030-01-07T13:03:00Z");
  // An update is its own event; a deleted endpoint gets nothing more.
  desk.Json("PATCH", "/v1/tickets/" + S(ticket, "id"), R"({"priority": "low"})", 200);
  hits = receiver.WaitFor(4, seconds(20));
  ASSERT_EQ(hits.size(), 4u);
  EXPECT_EQ(json::parse(hits[3].body).at("type"), "ticket.updated");
  EXPECT_EQ(json::parse(hits[3].body).at("data").at("priority"), "low");
  EXPECT_EQ(desk.Call("DELETE", "/v1/webhooks/" + hook_id).status, 200);
  EXPECT_EQ(desk.Call("DELETE", "/v1/webhooks/" + hook_id).status, 404);
  EXPECT_EQ(desk.Json("GET", "/v1/webhooks", "", 200).at("data").as_array().size(), 0u);
  desk.Json("PATCH", "/v1/tickets/" + S(ticket, "id"), R"({"priority": "high"})", 200);
  std::this_thread::sleep_for(milliseconds(700));
  EXPECT_EQ(receiver.Hits().size(), 4u);
}

TEST(Webhooks, SilentReceiverTimesOutAndGoneReceiverIsDisabled) {
  HttpReceiver silent([](const HttpHit&, int) { return 0; });
  HttpReceiver gone([](const HttpHit&, int) { return 410; });
  TempDir dir;
  Desk desk(dir, kDeliveryConfig);
  auto slow = desk.Json("POST", "/v1/webhooks",
                        R"({"url": ")" + silent.url() + R"(", "events": ["ticket.created"]})", 201);
  auto closed = desk.Json("POST", "/v1/webhooks",
                          R"({"url": ")" + gone.url() + R"(", "events": ["ticket.created"]})", 201);
  desk.Json("POST", "/v1/tickets", kSimpleTicket, 201);
  desk.Json("POST", "/v1/tickets", kSimpleTicket, 201);
  auto deliveries_of = [&](const json::value& hook, const char* status, size_t n) {
    json::array out;
    for (int i = 0; i < 300; ++i) {
      out = desk.Json("GET", "/v1/webhooks/" + S(hook, "id") + "/deliveries", "", 200)
                .at("data")
                .as_array();
      size_t with = 0;
      for (const auto& d : out) with += d.at("status") == status;
      if (with == n) break;
      std::this_thread::sleep_for(milliseconds(50));
    }
    return out;
  };
  // No answer within the 2 s timeout: failed, retried later.
  auto timed_out = deliveries_of(slow, "failed", 2);
  ASSERT_EQ(timed_out.size(), 2u);
  for (const auto& d : timed_out) {
    EXPECT_EQ(d.at("status"), "failed") << d;
    const auto& log = d.at("attempt_log").as_array();
    ASSERT_EQ(log.size(), 1u) << d;
    EXPECT_TRUE(log[0].at("status_code").is_null());
    EXPECT_NE(std::string(log[0].at("error").as_string()).find("timed out"), std::string::npos)
        << log[0];
    EXPECT_GE(log[0].at("duration_ms").as_int64(), 1500);
    EXPECT_EQ(d.at("next_attempt_at"), "2030-01-07T13:01:00Z");
  }
  // 410: the endpoint is disabled and its other delivery canceled.
  auto ended = deliveries_of(closed, "dead", 1);
  std::set<std::string> statuses;
  for (const auto& d : ended) statuses.insert(std::string(d.at("status").as_string()));
  EXPECT_EQ(statuses, (std::set<std::string>{"dead", "canceled"}));
  EXPECT_EQ(gone.Hits().size(), 1u);
  auto hooks = desk.Json("GET", "/v1/webhooks", "", 200).at("data").as_array();
  for (const auto& h : hooks) {
    if (h.at("id") == closed.at("id")) {
      EXPECT_EQ(h.at("status"), "disabled");
      EXPECT_FALSE(h.at("disabled_reason").is_null());
    } else {
      EXPECT_EQ(h.at("status"), "active");
    }
  }
}

TEST(Webhooks, TransactionAndBatchEventsCarryTheResourceAsTheApiShowsIt) {
  HttpReceiver receiver([](const HttpHit&, int) { return 204; });
  TempDir dir;
  Desk desk(dir, kDeliveryConfig);
  auto hook = desk.Json(
      "POST", "/v1/webhooks",
      R"({"url": ")" + receiver.url() +
          R"(", "events": ["transaction.status_changed", "transaction.held", "batch.closed",)"
          R"( "batch.settled"]})",
      201);
  std::string org = S(desk.Json("POST", "/v1/orgs",
                                R"({"name":"Org","domain":"hook.example","sla_plan":"vip",)"
                                R"("hypercare_plan":"pro","bau_plan":"pro",)"
                                R"("go_live_date":"2026-01-01","allowed_countries":["US","MX"],)"
                                R"("fees":[{"direction":"payin","currency":"USD",)"
                                R"("corridor":"US-MX","fee":150},{"direction":"payout",)"
                                R"("currency":"USD","corridor":"US-MX","fee":100}]})",
                                201),
                      "id");
  std::string user = S(desk.Json("POST", "/v1/users",
                                 R"({"org_id":")" + org +
                                     R"(","name":"Jose","email":"j@c.example","country":"US",)"
                                     R"("kyc_status":"VERIFIED","tier":3})",
                                 201),
                       "id");
  std::string rcp =
      S(desk.Json("POST", "/v1/users/" + user + "/recipients",
                  R"({"name":"Ana","country":"MX","payout_method":"cash_pickup"})", 201),
        "id");
  std::string bank = S(desk.Json("POST", "/v1/users/" + user + "/bank-accounts",
                                 R"({"routing_number":"011000015","account_number":"123456789",)"
                                 R"("sandbox_balance":100000000})",
                                 201),
                       "id");
  auto txn_body = [&](const char* device) {
    return R"({"user_id":")" + user + R"(","recipient_id":")" + rcp +
           R"(","funding":{"type":"ach","id":")" + bank +
           R"("},"amount":10000,"currency":"USD","payout_currency":"MXN","corridor":"US-MX",)"
           R"("ip_address":"8.8.8.8","device_id":")" +
           device + R"("})";
  };
  auto ok = desk.Json("POST", "/v1/transactions", txn_body("sandbox-risk-0"), 201);
  auto held = desk.Json("POST", "/v1/transactions", txn_body("sandbox-risk-50"), 201);
  ASSERT_EQ(held.at("status"), "HOLD") << held;
  // 07:00 Los Angeles closes the day's batch, 12:00 settles it.
  desk.Json("POST", "/v1/sandbox/clock", R"({"now": "2030-01-07T12:00:00-08:00"})", 200);
  auto hits = receiver.WaitFor(6, seconds(20));
  ASSERT_EQ(hits.size(), 6u);
  std::multiset<std::string> types;
  for (const auto& h : hits) {
    auto e = json::parse(h.body);
    std::string type(e.at("type").as_string());
    types.insert(type);
    const auto& data = e.at("data");
    if (type == "transaction.held") {
      EXPECT_EQ(data.at("id"), held.at("id"));
      EXPECT_EQ(data.at("status"), "HOLD");
      EXPECT_EQ(data.at("hold").at("reason"), "RISK_MODERATE") << data;
    } else if (type == "batch.closed") {
      EXPECT_EQ(data.at("id"), "ach_2030-01-07");
      EXPECT_EQ(data.at("status"), "closed");
      EXPECT_EQ(data.at("entry_count"), 1);
    } else if (type == "batch.settled") {
      EXPECT_EQ(data.at("status"), "settled");
      EXPECT_FALSE(data.at("settled_at").is_null());
    } else {
      EXPECT_EQ(type, "transaction.status_changed");
      EXPECT_EQ(data.at("amount"), 10000) << data;
    }
  }
  EXPECT_EQ(types,
            (std::multiset<std::string>{"transaction.status_changed", "transaction.status_changed",
                                        "transaction.held", "batch.closed", "batch.settled",
                                        "transaction.status_changed"}));
  // The last change of the good transaction: PROCESSED at settlement.
  std::vector<std::string> statuses;
  for (const auto& h : hits) {
    auto e = json::parse(h.body);
    if (e.at("type") == "transaction.status_changed" && e.at("data").at("id") == ok.at("id")) {
      statuses.emplace_back(e.at("data").at("status").as_string());
    }
  }
  EXPECT_EQ(statuses, (std::vector<std::string>{"PENDING", "PROCESSED"}));
  auto deliveries = desk.Json("GET", "/v1/webhooks/" + S(hook, "id") + "/deliveries", "", 200);
  EXPECT_EQ(deliveries.at("data").as_array().size(), 6u);
}

TEST(Paging, UrgentTicketTriggersAndSolvingResolvesWithRetries) {
  HttpReceiver pager([](const HttpHit&, int index) { return index == 0 ? 503 : 202; });
  TempDir dir;
  Desk desk(dir, kDeliveryConfig + "[paging]\nurl = \"" + pager.url("/v2/enqueue") +
                     "\"\nrouting_key = \"rk_0123456789\"\n");
  desk.Key("ops_manager", "ops@payops.test");
  auto ticket = desk.Json("POST", "/v1/tickets", kSimpleTicket, 201);
  const std::string tid = S(ticket, "id");
  desk.Json("PATCH", "/v1/tickets/" + tid, R"({"priority": "urgent"})", 200);
  auto hits = pager.WaitFor(1, seconds(20));
  ASSERT_EQ(hits.size(), 1u);
  desk.Json("POST", "/v1/sandbox/clock", R"({"now": "2030-01-07T13:01:00Z"})", 200);
  hits = pager.WaitFor(2, seconds(20));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[1].body, hits[0].body);
  EXPECT_EQ(hits[1].target, "/v2/enqueue");
  auto trigger = json::parse(hits[1].body);
  EXPECT_EQ(trigger.at("routing_key"), "rk_0123456789");
  EXPECT_EQ(trigger.at("event_action"), "trigger");
  EXPECT_EQ(S(trigger, "dedup_key"), tid);
  EXPECT_EQ(trigger.at("payload").at("severity"), "critical");
  EXPECT_EQ(trigger.at("payload").at("source"), "payops");
  EXPECT_NE(std::string(trigger.at("payload").at("summary").as_string()).find("Balance off"),
            std::string::npos);
  std::string href(trigger.at("links").at(0).at("href").as_string());
  EXPECT_EQ(href.substr(href.size() - tid.size() - 11), "/#/tickets/" + tid);
  auto rows = desk.Outbox("ops@payops.test", [](const json::array& rows) {
    return rows.size() == 1 && rows[0].at("status") == "sent";
  });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("attempts"), 2);
  desk.Json("PATCH", "/v1/tickets/" + tid, R"({"status": "solved"})", 200);
  hits = pager.WaitFor(3, seconds(20));
  ASSERT_EQ(hits.size(), 3u);
  auto resolve = json::parse(hits[2].body);
  EXPECT_EQ(resolve.at("event_action"), "resolve");
  EXPECT_EQ(S(resolve, "dedup_key"), tid);
  EXPECT_EQ(resolve.at("routing_key"), "rk_0123456789");
}

// Both channels on PostgreSQL: claims with FOR UPDATE SKIP LOCKED, leases,
// outcomes. The store is shared with other tests: addresses are unique.
TEST(Postgres, MailAndWebhooksAreDeliveredFromPostgres) {
  const std::string base = PostgresUrlForTests();
  ASSERT_FALSE(base.empty()) << "PAYOPS_TEST_PG_URL_FILE is not set: run through ctest";
  // A schema of its own: the servers of other tests on the shared database
  // would otherwise claim (and, ending, hold the leases of) its deliveries.
  const std::string schema = "delivery_" + std::to_string(getpid());
  {
    auto admin = store::Open(base);
    ASSERT_TRUE(admin.ok()) << admin.error().message;
    ASSERT_TRUE((*admin)
                    ->Write([&](store::Tx& tx) -> Status {
                      PAYOPS_TRY(tx.Exec("CREATE SCHEMA " + schema, {}));
                      return Status::Ok();
                    })
                    .ok());
  }
  const std::string url = base + "?options=-csearch_path%3D" + schema;
  SmtpSink sink;
  HttpReceiver receiver([](const HttpHit&, int index) { return index == 0 ? 502 : 200; });
  TempDir dir;
  Desk desk(dir, SmtpConfig(sink.url(), "[delivery]\nretry_base_s = 60\n"), url);
  auto hook =
      desk.Json("POST", "/v1/webhooks",
                R"({"url": ")" + receiver.url() + R"(", "events": ["ticket.created"]})", 201);
  const std::string to = "pg" + std::to_string(sink.port()) + "@acme.example";
  auto ticket = desk.Json("POST", "/v1/tickets",
                          R"({"requester": {"name": "Pat", "email": ")" + to +
                              R"("}, "category": "balance", "subject": "On PostgreSQL",)"
                              R"( "description": "x"})",
                          201);
  auto raw = sink.WaitFor(1, seconds(20));
  ASSERT_EQ(raw.size(), 1u);
  ParsedMail m = ParseMail(raw[0]);
  EXPECT_EQ(m.Header("To"), to);
  EXPECT_EQ(m.Header("In-Reply-To"), "<payops." + S(ticket, "id") + "@desk.example>");
  auto rows = desk.Outbox(to, [](const json::array& rows) {
    return rows.size() == 1 && rows[0].at("status") == "sent";
  });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("status"), "sent");
  ASSERT_EQ(receiver.WaitFor(1, seconds(20)).size(), 1u);
  // The sandbox clock of a shared store may be anywhere: move it 2 minutes on.
  auto now = desk.Json("GET", "/v1/sandbox/clock", "", 200);
  auto later = *ParseRfc3339(std::string(now.at("now").as_string())) + std::chrono::minutes(2);
  desk.Json("POST", "/v1/sandbox/clock", R"({"now": ")" + FormatRfc3339(later) + R"("})", 200);
  auto hits = receiver.WaitFor(2, seconds(20));
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[1].body, hits[0].body);
  EXPECT_EQ(json::parse(hits[1].body).at("data").at("id"), ticket.at("id"));
  (void)hook;
}

// The outbox's waiting rows are bounded by [delivery] max_queued: past it a new
// email is recorded dead ("queue full"), never sent, and the queue takes
// messages again once delivery drains it.
TEST(OutboundQueue, EmailsPastTheBoundAreRecordedDeadAndTheQueueTakesMoreOnceDrained) {
  auto ticket_for = [](int i) {
    return R"({"requester": {"name": "Pat", "email": "pat)" + std::to_string(i) +
           R"(@acme.example"}, "category": "balance", "subject": "Balance", "description": "x"})";
  };
  auto waiting_and_dead = [](const json::array& rows) {
    std::pair<int, int> n{0, 0};
    for (const auto& r : rows) {
      if (r.at("status") == "queued" || r.at("status") == "failed") ++n.first;
      if (r.at("status") == "dead") ++n.second;
    }
    return n;
  };
  // No mail server: every email waits.
  TempDir dir;
  Desk first(dir, "[delivery]\nmax_queued = 3\n");
  for (int i = 0; i < 5; ++i) first.Json("POST", "/v1/tickets", ticket_for(i), 201);
  auto rows = first.Json("GET", "/v1/outbox?limit=100").at("data").as_array();
  ASSERT_GE(rows.size(), 5u);
  EXPECT_EQ(waiting_and_dead(rows).first, 3) << rows;
  EXPECT_EQ(waiting_and_dead(rows).second, static_cast<int>(rows.size()) - 3) << rows;
  for (const auto& r : rows) {
    if (r.at("status") != "dead") continue;
    EXPECT_EQ(r.at("attempts"), 0) << r;
    EXPECT_EQ(S(r, "last_error"), "queue full: 3 waiting") << r;
  }
  // The oldest were queued; the newest found the queue full.
  EXPECT_EQ(first.Outbox("pat0@acme.example", [](auto&) { return true; })[0].at("status"),
            "queued");
  EXPECT_EQ(first.Outbox("pat4@acme.example", [](auto&) { return true; })[0].at("status"), "dead");
  EXPECT_NE(first.server.Log().find("outbound queue full"), std::string::npos);
  EXPECT_EQ(first.server.Terminate(), 0);
  // With a mail server the waiting ones are sent, the dead ones never, and
  // new mail is queued again.
  SmtpSink sink;
  TempDir dir2;
  Desk desk(dir2, SmtpConfig(sink.url(), "[delivery]\nmax_queued = 3\n"), first.server.store_url());
  ASSERT_EQ(sink.WaitFor(3, seconds(20)).size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(desk.Outbox("pat" + std::to_string(i) + "@acme.example",
                          [](const json::array& rows) { return rows[0].at("status") == "sent"; })
                  .at(0)
                  .at("status"),
              "sent");
  }
  // The queues are counted once a second: the room made is seen by then.
  std::this_thread::sleep_for(milliseconds(1500));
  desk.Json("POST", "/v1/tickets", ticket_for(5), 201);
  rows = desk.Outbox("pat5@acme.example", [](const json::array& rows) {
    return rows.size() == 1 && rows[0].at("status") == "sent";
  });
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].at("status"), "sent") << rows[0];
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(sink.Messages().size(), 4u);
  EXPECT_EQ(desk.Outbox("pat4@acme.example", [](auto&) { return true; })[0].at("status"), "dead");
}

// Webhook deliveries waiting are bounded per endpoint (max_queued_per_webhook)
// and in all (max_queued); each dead one names the bound it met.
TEST(OutboundQueue, WebhookDeliveriesPastEitherBoundAreRecordedDead) {
  HttpReceiver receiver([](const HttpHit&, int) { return 503; });
  TempDir dir;
  Desk desk(dir, "[delivery]\nmax_queued = 5\nmax_queued_per_webhook = 2\nretry_base_s = 3600\n");
  auto hook = [&](const std::string& path) {
    return S(
        desk.Json("POST", "/v1/webhooks",
                  R"({"url": ")" + receiver.url(path) + R"(", "events": ["ticket.created"]})", 201),
        "id");
  };
  auto deliveries = [&](const std::string& id) {
    return desk.Json("GET", "/v1/webhooks/" + id + "/deliveries?limit=100").at("data").as_array();
  };
  auto waiting = [&](const std::string& id) {
    int n = 0;
    for (const auto& d : deliveries(id))
      n += d.at("status") == "queued" || d.at("status") == "failed";
    return n;
  };
  auto dead_errors = [&](const std::string& id) {
    std::vector<std::string> out;
    for (const auto& d : deliveries(id)) {
      if (d.at("status") == "dead") out.push_back(S(d, "last_error"));
    }
    return out;
  };
  const std::string a = hook("/a"), c = hook("/c");
  for (int i = 0; i < 3; ++i) desk.Json("POST", "/v1/tickets", kSimpleTicket, 201);
  // Two wait at each endpoint; the third met the endpoint's bound.
  EXPECT_EQ(waiting(a), 2);
  EXPECT_EQ(waiting(c), 2);
  EXPECT_EQ(dead_errors(a), std::vector<std::string>{"queue full: 2 waiting for this endpoint"});
  EXPECT_EQ(dead_errors(c), std::vector<std::string>{"queue full: 2 waiting for this endpoint"});
  // A third endpoint has room of its own, until all endpoints hold 5.
  const std::string d = hook("/d");
  desk.Json("POST", "/v1/tickets", kSimpleTicket, 201);
  EXPECT_EQ(waiting(d), 1);
  desk.Json("POST", "/v1/tickets", kSimpleTicket, 201);
  EXPECT_EQ(waiting(d), 1);
  EXPECT_EQ(dead_errors(d), std::vector<std::string>{"queue full: 5 waiting for all endpoints"});
  EXPECT_EQ(waiting(a) + waiting(c) + waiting(d), 5);
  // Dead deliveries are never attempted: each waiting one was tried once.
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(receiver.Hits().size(), 5u);
}

}  // namespace
}  // namespace payops::testing
