// `payops mail-ingest` end to end: the real binary reads the messages of
// tests/mail/ on standard input against the store of a real `payops serve`
// (sandbox, clock at Monday 2030-01-07 13:00 UTC), and the outcome is read
// back through the API, the exit status and standard output.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "harness.h"

namespace payops::testing {
namespace {

namespace json = boost::json;

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(PAYOPS_MAIL_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// The configuration mail-ingest runs with: our sender (whose domain names our
// Message-IDs) and the billing address.
constexpr const char* kConfig = R"(
[smtp]
from = "Payops Support <support@payops.example>"
[mail.addresses]
"billing@payops.example" = "billing"
)";

struct Ingested {
  int rc = -1;
  std::string out;  // standard output, without the final newline
  std::string err;
};

class MailIngest : public ::testing::Test {
 protected:
  explicit MailIngest(std::string store_url = "") : server_(std::move(store_url)) {
    config_ = server_.dir() + "/mail.toml";
    WriteFile(config_, kConfig);
    int rc = 0;
    admin_ = server_.RunCli(
        {"key", "create", "--store", server_.store_url(), "--role", "admin", "--name", "Root"},
        &rc);
    EXPECT_EQ(rc, 0);
    admin_.erase(admin_.find_last_not_of('\n') + 1);
  }

  Ingested IngestText(const std::string& message, std::vector<std::string> extra_args = {}) {
    const std::string path = server_.dir() + "/message.eml";
    WriteFile(path, message);
    return IngestFile(path, std::move(extra_args));
  }
  // `program` "": `payops mail-ingest`; else that program (payops-mail-ingest).
  Ingested IngestFile(const std::string& path, std::vector<std::string> extra_args = {},
                      const std::string& program = "") {
    std::vector<std::string> args{"--store", server_.store_url(), "--config", config_, "--sandbox"};
    if (program.empty()) args.insert(args.begin(), "mail-ingest");
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    Ingested r;
    r.out = server_.RunCliWithInput(args, path, &r.rc, &r.err, program);
    if (!r.out.empty() && r.out.back() == '\n') r.out.pop_back();
    return r;
  }
  Ingested Ingest(const std::string& fixture,
                  const std::map<std::string, std::string>& replacements = {}) {
    std::string text = Fixture(fixture);
    for (const auto& [from, to] : replacements) text = ReplaceAll(text, from, to);
    return IngestText(text);
  }

  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = "") {
    return Request(server_.port(), method, target, body, {{"Authorization", "Bearer " + admin_}});
  }
  json::object Get(const std::string& target) {
    auto r = Call("GET", target);
    EXPECT_EQ(r.status, 200) << target << ": " << r.body;
    return r.status == 200 ? json::parse(r.body).as_object() : json::object();
  }
  json::array Tickets() { return Get("/v1/tickets?limit=500").at("data").as_array(); }
  // The ticket numbered `number`, with its conversation and history.
  json::object TicketNumber(int64_t number) {
    for (const auto& t : Tickets()) {
      if (t.at("number").as_int64() == number) {
        return Get("/v1/tickets/" + std::string(t.at("id").as_string()));
      }
    }
    ADD_FAILURE() << "no ticket " << number;
    return {};
  }
  std::string CreateOrg(const std::string& domain) {
    auto r = Call("POST", "/v1/orgs",
                  R"({"name":"Acme","domain":")" + domain +
                      R"(","sla_plan":"vip","hypercare_plan":"standard","bau_plan":"pro",)"
                      R"("go_live_date":"2026-01-01","allowed_countries":["US"]})");
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(json::parse(r.body).at("id").as_string());
  }
  // Ticket #1001 as the API opens it: requester Pat, Carla in CC.
  std::string OpenTicket() {
    auto r = Call("POST", "/v1/tickets",
                  R"({"requester": {"name": "Pat Doe", "email": "pat@acme.example"},)"
                  R"( "cc": ["carla@customer.example"], "category": "transaction",)"
                  R"( "subject": "Payout to Mercado Pago not received",)"
                  R"( "description": "Our payout of Friday has not arrived."})");
    EXPECT_EQ(r.status, 201) << r.body;
    auto t = json::parse(r.body).as_object();
    EXPECT_EQ(t.at("number").as_int64(), 1001);
    return std::string(t.at("id").as_string());
  }
  static std::string Str(const json::value& v) { return std::string(v.as_string()); }

  ServerProcess server_;
  std::string config_;
  std::string admin_;
};

TEST_F(MailIngest, NewTicketFromMultipartAlternative) {
  const std::string org = CreateOrg("acme.example");
  auto r = Ingest("multipart_alternative.eml");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "ticket 1001 created");
  auto t = TicketNumber(1001);
  EXPECT_EQ(Str(t.at("channel")), "email");
  EXPECT_EQ(Str(t.at("priority")), "medium");
  EXPECT_EQ(Str(t.at("category")), "other");
  EXPECT_EQ(Str(t.at("status")), "new");
  EXPECT_EQ(Str(t.at("org_id")), org);  // the org of the sender's domain
  EXPECT_EQ(Str(t.at("requester").at("name")), "Pat Doe");
  EXPECT_EQ(Str(t.at("requester").at("email")), "pat@acme.example");
  // Our own address is no CC.
  EXPECT_EQ(json::serialize(t.at("cc")), R"(["carla@customer.example"])");
  EXPECT_EQ(Str(t.at("subject")), "Payout to Mercado Pago not received");
  EXPECT_EQ(Str(t.at("description")),
            "Hello,\n\nOur payout of \xE2\x82\xAC"
            "1,250.00 sent on Friday has not arrived. The reference is PO-2030-0107.\n\n"
            "Thanks,\nPat");
  // The acknowledgement went out like for any new ticket.
  auto ack = Get("/v1/outbox?to=pat@acme.example").at("data").as_array();
  ASSERT_EQ(ack.size(), 1u);
  EXPECT_EQ(Str(ack[0].at("event")), "ticket_created");
  EXPECT_EQ(Str(ack[0].at("subject")), "[#1001] Payout to Mercado Pago not received");

  // The mail server delivers the same message again: applied once.
  auto again = Ingest("multipart_alternative.eml");
  EXPECT_EQ(again.rc, 0);
  EXPECT_EQ(again.out, "ignored: already received (ticket 1001)");
  EXPECT_EQ(Tickets().size(), 1u);
}

TEST_F(MailIngest, EncodingsAndCharsetsBecomeUtf8Text) {
  auto b64 = Ingest("base64_body.eml");
  EXPECT_EQ(b64.out, "ticket 1001 created") << b64.err;
  auto t = TicketNumber(1001);
  EXPECT_EQ(Str(t.at("subject")), "Virement bloqu\xC3\xA9");
  EXPECT_EQ(Str(t.at("requester").at("name")), "\xC3\x89lodie Martin");
  EXPECT_NE(Str(t.at("description")).find("n\xC2\xB0 4411 est bloqu\xC3\xA9"), std::string::npos);

  EXPECT_EQ(Ingest("iso_8859_1.eml").out, "ticket 1002 created");
  t = TicketNumber(1002);
  EXPECT_EQ(Str(t.at("subject")), "Transacci\xC3\xB3n rechazada");
  EXPECT_EQ(Str(t.at("requester").at("name")), "Jos\xC3\xA9 Mu\xC3\xB1oz");
  EXPECT_NE(Str(t.at("description")).find("se\xC3\xB1or M\xC3\xBCller"), std::string::npos);

  EXPECT_EQ(Ingest("windows_1252.eml").out, "ticket 1003 created");
  t = TicketNumber(1003);
  EXPECT_EQ(Str(t.at("subject")), "Fee \xE2\x82\xAC 0.35 \xE2\x80\x93 why?");
  EXPECT_NE(Str(t.at("description")).find("\xE2\x80\x9Cno fees\xE2\x80\x9D"), std::string::npos);

  EXPECT_EQ(Ingest("html_only.eml").out, "ticket 1004 created");
  t = TicketNumber(1004);
  EXPECT_EQ(Str(t.at("description")),
            "Refund request\n\nHi team,\nplease refund order #1234 & confirm.\n\n"
            "- Amount: \xE2\x82\xAC"
            "40\n- Date: 2030\xE2\x80\x93"
            "01\xE2\x80\x93"
            "05\n\nKind regards,\nAna");
}

TEST_F(MailIngest, AttachmentsKeptUnderTheApiLimits) {
  auto r = Ingest("attachment.eml");
  EXPECT_EQ(r.out, "ticket 1001 created") << r.err;
  auto t = TicketNumber(1001);
  auto atts = t.at("attachments").as_array();
  ASSERT_EQ(atts.size(), 2u);
  EXPECT_EQ(Str(atts[0].at("filename")), "statement-2029-12.pdf");
  EXPECT_EQ(Str(atts[0].at("content_type")), "application/pdf");
  EXPECT_EQ(Str(atts[1].at("filename")),
            "d\xC3\xA9"
            "bits.csv");
  EXPECT_EQ(atts[1].at("size_bytes").as_int64(), 48);
  const std::string description = Str(t.at("description"));
  EXPECT_TRUE(description.starts_with("The attached statement shows two debits we never made."));
  EXPECT_NE(description.find("[Attachments not kept:\n- setup.exe (application/x-msdownload, 16 "
                             "bytes): type not accepted]"),
            std::string::npos)
      << description;
  // The stored file is the attachment's bytes.
  auto pdf =
      Call("GET", "/v1/tickets/" + Str(t.at("id")) + "/attachments/" + Str(atts[0].at("id")));
  EXPECT_EQ(pdf.status, 200);
  EXPECT_TRUE(pdf.body.starts_with("%PDF-1.4\n")) << pdf.body.substr(0, 40);
}

TEST_F(MailIngest, MailLoopsOpenNothing) {
  EXPECT_EQ(Ingest("bounce.eml").out, "ignored: bounce");
  EXPECT_EQ(Ingest("out_of_office.eml").out, "ignored: auto-submitted");
  auto bulk = Ingest("list_bulk.eml");
  EXPECT_EQ(bulk.rc, 0);
  EXPECT_EQ(bulk.out, "ignored: precedence: bulk");
  auto own = IngestText(
      "From: Someone <someone@acme.example>\nSubject: [#1001] x\n"
      "Message-ID: <payops.tkt_01abc.msg_01def@payops.example>\n\nLooped back.\n");
  EXPECT_EQ(own.out, "ignored: our own message");
  auto from_us =
      IngestText("From: Payops <Support@Payops.Example>\nSubject: hello\n\nFrom ourselves.\n");
  EXPECT_EQ(from_us.out, "ignored: sent from our own address");
  EXPECT_EQ(Tickets().size(), 0u);
  EXPECT_EQ(Get("/v1/outbox").at("data").as_array().size(), 0u);  // no acknowledgement either
}

TEST_F(MailIngest, RepliesByRequesterCcAndStranger) {
  const std::string id = OpenTicket();
  // Carla is CC'd as carla@customer.example and writes as CARLA@Customer.EXAMPLE.
  auto cc = Ingest("reply_cc_case.eml");
  EXPECT_EQ(cc.rc, 0) << cc.err;
  EXPECT_EQ(cc.out, "reply added to 1001");
  auto t = Get("/v1/tickets/" + id);
  auto messages = t.at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(Str(messages[0].at("author_kind")), "customer");
  EXPECT_EQ(Str(messages[0].at("author_name")), "Carla Ruiz");
  EXPECT_TRUE(Str(messages[0].at("body")).starts_with("Our bank confirms nothing arrived yet."));

  // Found through In-Reply-To alone (no number in the subject).
  auto irt = Ingest("reply_in_reply_to.eml", {{"{{TICKET_ID}}", id}});
  EXPECT_EQ(irt.out, "reply added to 1001") << irt.err;
  messages = Get("/v1/tickets/" + id).at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  // Both at the same sandbox instant, from two processes: in either order.
  EXPECT_TRUE(Str(messages[0].at("body")) == "Here is the bank's trace number: 091000019876543." ||
              Str(messages[1].at("body")) == "Here is the bank's trace number: 091000019876543.");

  // Somebody not on the ticket: a new ticket that follows it up.
  auto stranger = Ingest("reply_stranger.eml");
  EXPECT_EQ(stranger.out, "ticket 1002 created (reply to 1001 by someone not on it)");
  auto s = TicketNumber(1002);
  EXPECT_EQ(Str(s.at("follow_up_of")), id);
  EXPECT_EQ(Str(s.at("requester").at("email")), "mallory@elsewhere.example");
  EXPECT_EQ(Str(s.at("channel")), "email");
  t = Get("/v1/tickets/" + id);
  EXPECT_EQ(t.at("messages").as_array().size(), 2u);  // nothing added to #1001
  EXPECT_NE(json::serialize(t.at("history")).find(Str(s.at("id"))), std::string::npos);

  // A number we never gave: a new ticket.
  EXPECT_EQ(Ingest("unknown_number.eml").out, "ticket 1003 created");
}

TEST_F(MailIngest, ReplyToSolvedTicketReopensIt) {
  const std::string id = OpenTicket();
  auto solved = Call("PATCH", "/v1/tickets/" + id, R"({"status": "solved"})");
  ASSERT_EQ(solved.status, 200) << solved.body;
  auto r = Ingest("reply_solved.eml");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "reply added to 1001 (reopened)");
  auto t = Get("/v1/tickets/" + id);
  EXPECT_EQ(Str(t.at("status")), "open");
  EXPECT_TRUE(t.at("solved_at").is_null());
  EXPECT_EQ(Tickets().size(), 1u);
}

TEST_F(MailIngest, ReplyToClosedTicketOpensFollowUp) {
  const std::string id = OpenTicket();
  ASSERT_EQ(Call("PATCH", "/v1/tickets/" + id, R"({"status": "solved"})").status, 200);
  // Seven days after solving, the ticket closes by itself.
  auto clock = Call("POST", "/v1/sandbox/clock", R"({"now": "2030-01-15T12:00:00Z"})");
  ASSERT_EQ(clock.status, 200) << clock.body;
  ASSERT_EQ(Str(Get("/v1/tickets/" + id).at("status")), "closed");
  auto r = Ingest("reply_closed.eml");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "ticket 1002 created (follow-up of closed 1001)");
  auto f = TicketNumber(1002);
  EXPECT_EQ(Str(f.at("follow_up_of")), id);
  EXPECT_EQ(Str(f.at("status")), "new");
  EXPECT_EQ(Str(f.at("description")), "It happened again with this month's payout.");
  // On the sandbox clock: created when the server's clock says.
  EXPECT_TRUE(Str(f.at("created_at")).starts_with("2030-01-15T12:00:00")) << f.at("created_at");
  EXPECT_EQ(Str(Get("/v1/tickets/" + id).at("status")), "closed");
}

TEST_F(MailIngest, HighPriorityAndCategoryByAddress) {
  EXPECT_EQ(Ingest("high_priority.eml").out, "ticket 1001 created");
  EXPECT_EQ(Str(TicketNumber(1001).at("priority")), "high");
  EXPECT_EQ(IngestText("From: a@acme.example\nSubject: [Urgent] site down\n\nDown.\n").out,
            "ticket 1002 created");
  EXPECT_EQ(Str(TicketNumber(1002).at("priority")), "high");  // triage decides urgent

  EXPECT_EQ(Ingest("to_billing.eml").out, "ticket 1003 created");
  auto t = TicketNumber(1003);
  EXPECT_EQ(Str(t.at("category")), "billing");
  EXPECT_EQ(Str(t.at("priority")), "medium");  // email never starts at billing's low
  EXPECT_EQ(json::serialize(t.at("cc")), R"(["finance@acme.example"])");
}

TEST_F(MailIngest, BadInputIsRefusedWithoutATicket) {
  auto no_from = Ingest("no_from.eml");
  EXPECT_EQ(no_from.rc, 65);
  EXPECT_NE(no_from.err.find("no From"), std::string::npos) << no_from.err;
  auto not_email = Ingest("from_not_email.eml");
  EXPECT_EQ(not_email.rc, 65);
  EXPECT_NE(not_email.err.find("not an email address"), std::string::npos) << not_email.err;
  auto broken = Ingest("broken_mime.eml");
  EXPECT_EQ(broken.rc, 65);
  EXPECT_NE(broken.err.find("malformed MIME"), std::string::npos) << broken.err;
  auto empty = IngestText("");
  EXPECT_EQ(empty.rc, 65);

  // 50 MB: refused at the 25 MiB limit, quickly.
  const std::string big = server_.dir() + "/big.eml";
  {
    std::ofstream out(big, std::ios::binary);
    out << "From: Pat <pat@acme.example>\nSubject: big\nContent-Type: text/plain\n\n";
    const std::string line(76, 'A');
    for (size_t written = 0; written < 50'000'000; written += line.size() + 1) out << line << '\n';
  }
  auto start = std::chrono::steady_clock::now();
  auto large = IngestFile(big);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(large.rc, 65);
  EXPECT_NE(large.err.find("larger than 25 MiB"), std::string::npos) << large.err;
  EXPECT_LT(took, std::chrono::seconds(20));

  EXPECT_EQ(Tickets().size(), 0u);

  // CR/LF in an encoded subject or name cannot reach a header again.
  auto injected = Ingest("header_injection.eml");
  EXPECT_EQ(injected.out, "ticket 1001 created") << injected.err;
  auto t = TicketNumber(1001);
  EXPECT_EQ(Str(t.at("subject")), "Refund now Bcc: victim@acme.example X-Evil: 1");
  EXPECT_EQ(Str(t.at("requester").at("name")), "Eve Bcc: victim@acme.example");
  EXPECT_EQ(json::serialize(t.at("cc")), "[]");
}

TEST_F(MailIngest, UnreachableStoreAsksTheMailServerToRetry) {
  const std::string path = server_.dir() + "/m.eml";
  WriteFile(path, Fixture("multipart_alternative.eml"));
  int rc = 0;
  std::string err;
  server_.RunCliWithInput(
      {"mail-ingest", "--store", "postgresql://nobody@127.0.0.1:1/none", "--config", config_}, path,
      &rc, &err);
  EXPECT_EQ(rc, 75);
  EXPECT_NE(err.find("PostgreSQL"), std::string::npos) << err;
  // A store URL it cannot use is the configuration's fault, not the message's.
  server_.RunCliWithInput({"mail-ingest", "--store", "mysql://x@127.0.0.1/payops"}, path, &rc);
  EXPECT_EQ(rc, 75);
  // A configuration it cannot read defers too.
  WriteFile(server_.dir() + "/bad.toml", "[mail.addresses]\n\"x@y.example\" = \"nonsense\"\n");
  server_.RunCliWithInput(
      {"mail-ingest", "--store", server_.store_url(), "--config", server_.dir() + "/bad.toml"},
      path, &rc, &err);
  EXPECT_EQ(rc, 75);
  EXPECT_NE(err.find("ticket category"), std::string::npos) << err;
  EXPECT_EQ(Tickets().size(), 0u);
}

class MailIngestPostgres : public MailIngest {
 protected:
  MailIngestPostgres() : MailIngest(NewPostgresSchemaUrl()) {}
};

TEST_F(MailIngestPostgres, NewTicketThenReplyOnPostgres) {
  ASSERT_FALSE(PostgresUrlForTests().empty()) << "PAYOPS_TEST_PG_URL_FILE is not set";
  // The shared database holds other tests' tickets: ids and numbers come from the answers.
  const std::string tag = std::to_string(server_.port());
  auto r = IngestText("From: Pat Doe <pat" + tag + "@acme.example>\nTo: support@payops.example\n" +
                      "Subject: Postgres " + tag + "\nMessage-ID: <pg-" + tag +
                      "@acme.example>\n\nOn PostgreSQL.\n");
  ASSERT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(r.out.starts_with("ticket ")) << r.out;
  const std::string number = r.out.substr(7, r.out.find(' ', 7) - 7);
  auto reply =
      IngestText("From: pat" + tag + "@ACME.example\nSubject: Re: [#" + number + "] Postgres " +
                 tag + "\nMessage-ID: <pg-reply-" + tag + "@acme.example>\n\nA reply.\n");
  EXPECT_EQ(reply.rc, 0) << reply.err;
  EXPECT_EQ(reply.out, "reply added to " + number);
  auto again =
      IngestText("From: pat" + tag + "@ACME.example\nSubject: Re: [#" + number + "] Postgres " +
                 tag + "\nMessage-ID: <pg-reply-" + tag + "@acme.example>\n\nA reply.\n");
  EXPECT_EQ(again.out, "ignored: already received (ticket " + number + ")");

  // payops-mail-ingest opens libpq only now, for this store (cli/libpq_on_demand.cc).
  auto program = IngestFile(
      [&] {
        const std::string path = server_.dir() + "/program.eml";
        WriteFile(path, "From: Pat Doe <pat" + tag + "@acme.example>\nSubject: Re: [#" + number +
                            "] Postgres " + tag + "\nMessage-ID: <pg-program-" + tag +
                            "@acme.example>\n\nThrough the ingest program.\n");
        return path;
      }(),
      {}, PAYOPS_MAIL_INGEST_BINARY);
  EXPECT_EQ(program.rc, 0) << program.err;
  EXPECT_EQ(program.out, "reply added to " + number);
  // An unreachable server: try again later.
  Ingested down;
  down.out = server_.RunCliWithInput({"--store", "postgresql://payops@127.0.0.1:1/none"},
                                     server_.dir() + "/program.eml", &down.rc, &down.err,
                                     PAYOPS_MAIL_INGEST_BINARY);
  EXPECT_EQ(down.rc, 75) << down.out << down.err;
  EXPECT_NE(down.err.find("127.0.0.1"), std::string::npos) << down.err;  // libpq's message
}

TEST_F(MailIngest, IngestProgramTakesTheEnvelopeRecipient) {
  // As Postfix's pipe runs it: payops-mail-ingest ... --recipient ${recipient}.
  const std::string path = server_.dir() + "/alternative.eml";
  WriteFile(path, Fixture("multipart_alternative.eml"));
  auto r = IngestFile(path, {"--recipient", "Billing@payops.example"}, PAYOPS_MAIL_INGEST_BINARY);
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "ticket 1001 created");
  auto t = TicketNumber(1001);
  // The headers name support@ only: the envelope chose billing.
  EXPECT_EQ(Str(t.at("category")), "billing");
  EXPECT_EQ(json::serialize(t.at("cc")), R"(["carla@customer.example"])");

  // A wrong command line keeps the message at the mail server: nothing stored.
  WriteFile(path, ReplaceAll(Fixture("to_billing.eml"), "Message-ID: <", "Message-ID: <x"));
  auto bad = IngestFile(path, {"--recipient", "not an address"}, PAYOPS_MAIL_INGEST_BINARY);
  EXPECT_EQ(bad.rc, 75);
  EXPECT_NE(bad.err.find("invalid_recipient"), std::string::npos) << bad.err;
  auto bad_flag = IngestFile(path, {"--no-such-flag"}, PAYOPS_MAIL_INGEST_BINARY);
  EXPECT_EQ(bad_flag.rc, 75);
  // The same through `payops mail-ingest`.
  auto same = IngestFile(path, {"--recipient", "not an address"});
  EXPECT_EQ(same.rc, 75);
  EXPECT_EQ(Tickets().size(), 1u);
}

TEST_F(MailIngest, ReplyKeepsOnlyWhatItAddsToTheConversation) {
  const std::string id = OpenTicket();
  auto r = Ingest("reply_quoted.eml");
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "reply added to 1001");
  auto messages = Get("/v1/tickets/" + id).at("messages").as_array();
  ASSERT_EQ(messages.size(), 1u);
  // Neither the signature nor the quoted messages and their attribution.
  EXPECT_EQ(Str(messages[0].at("body")),
            "The payout arrived this morning \xE2\x80\x93 thank you!\nYou can close the ticket.");
}

TEST_F(MailIngest, HtmlOnlyRepliesLoseTheirQuotesToo) {
  const std::string id = OpenTicket();
  auto gmail = Ingest("reply_html_quoted.eml");
  EXPECT_EQ(gmail.rc, 0) << gmail.err;
  EXPECT_EQ(gmail.out, "reply added to 1001");
  auto outlook = Ingest("reply_outlook_html.eml");
  EXPECT_EQ(outlook.rc, 0) << outlook.err;
  EXPECT_EQ(outlook.out, "reply added to 1001");
  auto messages = Get("/v1/tickets/" + id).at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  // Both arrived at the same sandbox instant: compared in any order.
  std::set<std::string> bodies{Str(messages[0].at("body")), Str(messages[1].at("body"))};
  EXPECT_EQ(bodies, (std::set<std::string>{
                        "The payout arrived this morning \xE2\x80\x93 thank you!\nYou can close "
                        "the ticket.",
                        "It came back again: return code R03."}));
}

}  // namespace
}  // namespace payops::testing
