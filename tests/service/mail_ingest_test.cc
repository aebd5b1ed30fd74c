// Mail ingest over a real store, on both backends: what a message becomes,
// the customer-reply rules reused from AddTicketMessage, and a message
// delivered twice at once applied once.
#include <thread>

#include "../store/backend.h"
#include "payops/jobs/job_runner.h"
#include "payops/service/mail_ingest.h"
#include "payops/service/orgs.h"
#include "payops/service/tickets.h"
#include "payops/store/tickets.h"

namespace payops::testing {
namespace {

class MailIngestServiceTest : public BackendTest {};
PAYOPS_BACKENDS(MailIngestServiceTest);

// Monday 2030-01-07 13:00 UTC (08:00 New York).
constexpr int64_t kStartUs = 1'894'021'200'000'000;

service::MailIngestSettings Settings() {
  service::MailIngestSettings s;
  s.our_domain = "payops.example";
  s.our_addresses = {"support@payops.example", "billing@payops.example"};
  s.address_categories = {{"billing@payops.example", "billing"}};
  return s;
}

mail::InboundMail Message(const std::string& from, const std::string& subject,
                          const std::string& message_id) {
  mail::InboundMail m;
  m.has_from = true;
  m.from = mail::MailAddress{"Pat Doe", from};
  m.to = {{"", "support@payops.example"}};
  m.subject = subject;
  m.message_id = message_id;
  m.content_type = "text/plain";
  m.text = "Hello from " + from;
  return m;
}

TEST_P(MailIngestServiceTest, NewTicketFromTheSendersOrgWithItsRecipients) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  Org org;
  org.name = "Acme";
  org.domain = "acme.example";
  org.sla_plan = "vip";
  org.hypercare_plan = "standard";
  org.bau_plan = "standard";
  org.go_live_date = "2026-01-05";
  org.allowed_countries = {"US"};
  auto acme = service::CreateOrg(env, Actor::System(), org);
  ASSERT_TRUE(acme.ok()) << acme.error().message;

  auto m = Message("Pat@ACME.example", "Invoice\r\nBcc: x@y.example", "<m1@acme.example>");
  m.to = {{"", "Billing@payops.example"}, {"", "ann@acme.example"}};
  m.cc = {{"", "desk@payops.example"},
          {"", "ANN@acme.example"},
          {"", "not an address"},
          {"", "pat@acme.example"},
          {"", "cfo@acme.example"}};
  auto r = service::IngestMail(env, Settings(), m);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->outcome, service::MailOutcome::kCreated);
  EXPECT_EQ(service::DescribeMailIngest(*r), "ticket 1001 created");
  auto t = service::GetTicket(env, Actor::System(), r->ticket_id);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ticket.org_id, acme->id);
  EXPECT_EQ(t->ticket.sla_plan, "vip");
  EXPECT_EQ(t->ticket.category, "billing");
  EXPECT_EQ(t->ticket.channel, "email");
  EXPECT_EQ(t->ticket.priority, "medium");
  EXPECT_EQ(t->ticket.subject, "Invoice Bcc: x@y.example");
  EXPECT_EQ(t->ticket.created_by, "mail:pat@acme.example");
  EXPECT_EQ(t->ticket.cc, (std::vector<std::string>{"ann@acme.example", "cfo@acme.example"}));

  // The same message again: nothing new.
  auto again = service::IngestMail(env, Settings(), m);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, service::MailOutcome::kIgnored);
  EXPECT_EQ(again->ticket_id, r->ticket_id);
  EXPECT_EQ(Count(*store_, "tickets"), 1);
  EXPECT_EQ(Count(*store_, "received_mail"), 1);
}

TEST_P(MailIngestServiceTest, ReplyFollowsTheCustomerReplyRules) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  auto opened = service::IngestMail(env, Settings(), Message("pat@acme.example", "Help", ""));
  ASSERT_TRUE(opened.ok());
  const Actor agent{"mem_agent", Role::kAgent, std::nullopt, "Sam", "sam@payops.example", false};
  service::TicketPatch pending;
  pending.status = "pending";
  ASSERT_TRUE(service::PatchTicket(env, agent, opened->ticket_id, pending).ok());

  clock.Advance(std::chrono::minutes(5));
  auto reply = service::IngestMail(env, Settings(),
                                   Message("PAT@acme.example", "Re: [#1001] Help", "<r1@a>"));
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_EQ(reply->outcome, service::MailOutcome::kReplied);
  EXPECT_FALSE(reply->reopened);
  auto t = service::GetTicket(env, agent, opened->ticket_id);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ticket.status, "open");  // the customer answered: pending → open
  ASSERT_EQ(t->messages.size(), 1u);
  EXPECT_EQ(t->messages[0].author_kind, "customer");
  EXPECT_EQ(t->messages[0].author_name, "Pat Doe");

  // A message with neither a From nor a usable address changes nothing.
  auto none = Message("pat@acme.example", "Re: [#1001] Help", "<r2@a>");
  none.has_from = false;
  none.from.reset();
  auto refused = service::IngestMail(env, Settings(), none);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "no_from");
  auto bad = Message("pat at acme", "Re: [#1001] Help", "<r3@a>");
  refused = service::IngestMail(env, Settings(), bad);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, "invalid_from");
  EXPECT_EQ(Count(*store_, "ticket_messages"), 1);
}

TEST_P(MailIngestServiceTest, OneMessageDeliveredTwiceAtOnceMakesOneTicket) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  const auto m = Message("pat@acme.example", "Twice", "<twice@acme.example>");
  std::vector<Result<service::MailIngestResult>> results;
  results.reserve(4);
  for (int i = 0; i < 4; ++i) results.emplace_back(service::MailIngestResult{});
  std::vector<std::thread> threads;
  for (size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] { results[i] = service::IngestMail(env, Settings(), m); });
  }
  for (auto& th : threads) th.join();
  int created = 0;
  for (const auto& r : results) {
    // A loser either sees the first delivery or is told to try again later.
    if (r.ok()) {
      created += r->outcome == service::MailOutcome::kCreated;
    } else {
      EXPECT_TRUE(r.error().kind == ErrorKind::kConflict ||
                  r.error().kind == ErrorKind::kUnavailable)
          << r.error().message;
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(Count(*store_, "tickets"), 1);
}

TEST_P(MailIngestServiceTest, EnvelopeRecipientChoosesTheCategoryBeforeTheHeaders) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  auto settings = Settings();
  settings.address_categories = {{"billing@payops.example", "billing"},
                                 {"payouts@payops.example", "report"}};
  // Delivered to payouts@ (a Bcc, or an alias) although the headers name billing@.
  auto m = Message("pat@acme.example", "Which one", "<env1@acme.example>");
  m.to = {{"", "billing@payops.example"}, {"", "ann@acme.example"}};
  m.envelope_recipients = {"Payouts@PAYOPS.example"};
  auto r = service::IngestMail(env, settings, m);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto t = service::GetTicket(env, Actor::System(), r->ticket_id);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ticket.category, "report");
  EXPECT_EQ(t->ticket.cc, (std::vector<std::string>{"ann@acme.example"}));

  // An envelope recipient not in [mail.addresses]: the headers decide, and
  // the address (ours: mail was delivered to it) is no CC.
  m = Message("pat@acme.example", "Alias", "<env2@acme.example>");
  m.to = {{"", "billing@payops.example"}};
  m.cc = {{"", "help@desk.example"}};
  m.envelope_recipients = {"help@desk.example"};
  r = service::IngestMail(env, settings, m);
  ASSERT_TRUE(r.ok()) << r.error().message;
  t = service::GetTicket(env, Actor::System(), r->ticket_id);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->ticket.category, "billing");
  EXPECT_TRUE(t->ticket.cc.empty());
}

TEST_P(MailIngestServiceTest, ReplyKeepsOnlyWhatItAdds) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  auto first = Message("pat@acme.example", "Payout", "<q0@acme.example>");
  first.text = "Where is my payout?\n-- \nPat";
  auto opened = service::IngestMail(env, Settings(), first);
  ASSERT_TRUE(opened.ok());
  auto reply = Message("pat@acme.example", "Re: [#1001] Payout", "<q1@acme.example>");
  reply.text =
      "It arrived, thanks.\n\n-- \nPat Doe\n\nOn Mon, 7 Jan 2030, Support <support@payops.example> "
      "wrote:\n> It was sent on Friday.";
  auto r = service::IngestMail(env, Settings(), reply);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->outcome, service::MailOutcome::kReplied);
  auto t = service::GetTicket(env, Actor::System(), opened->ticket_id);
  ASSERT_TRUE(t.ok());
  ASSERT_EQ(t->messages.size(), 1u);
  EXPECT_EQ(t->messages[0].body, "It arrived, thanks.");
  // A new ticket keeps its whole text: nothing of it is in the desk yet.
  EXPECT_EQ(t->ticket.description, "Where is my payout?\n-- \nPat");
}

TEST_P(MailIngestServiceTest, ReceivedMailKeysExpireAfterTheRetention) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  jobs::JobRunner runner(env);
  runner.Register(jobs::MakeReceivedMailExpiryJob());
  ASSERT_TRUE(runner.RunDue(clock.Now(), &clock).ok());  // the schedule starts now
  const auto m = Message("pat@acme.example", "Kept a while", "<keep@acme.example>");
  ASSERT_TRUE(service::IngestMail(env, Settings(), m).ok());
  ASSERT_EQ(Count(*store_, "received_mail"), 1);

  // Within the retention the key stays: a late second delivery is still one ticket.
  auto ran =
      runner.RunDue(clock.Now() + mail::kReceivedMailRetention - std::chrono::hours(25), &clock);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_GE(*ran, 1);
  EXPECT_EQ(Count(*store_, "received_mail"), 1);
  auto again = service::IngestMail(env, Settings(), m);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->outcome, service::MailOutcome::kIgnored);

  ran = runner.RunDue(clock.Now() + std::chrono::hours(49), &clock);
  ASSERT_TRUE(ran.ok()) << ran.error().message;
  EXPECT_EQ(Count(*store_, "received_mail"), 0);
  EXPECT_EQ(Count(*store_, "tickets"), 1);  // the ticket stays
}

}  // namespace
}  // namespace payops::testing
