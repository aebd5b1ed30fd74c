// The support desk over a real store, on both backends: visibility as a
// matrix against core's CanViewTicket / InTicketList, ticket numbers under
// concurrency, one commit per change (outbox included), and the SLA sweep
// against core's ComputeSlaState.
#include <random>
#include <set>
#include <thread>

#include "../store/backend.h"
#include "payops/core/sla.h"
#include "payops/core/ticket.h"
#include "payops/service/orgs.h"
#include "payops/service/tickets.h"

namespace payops::testing {
namespace {

class TicketsTest : public BackendTest {};
PAYOPS_BACKENDS(TicketsTest);

// Monday 2030-01-07 13:00 UTC (08:00 New York).
constexpr int64_t kStartUs = 1'894'021'200'000'000;

Org NewOrg(const std::string& domain) {
  Org o;
  o.name = "Org " + domain;
  o.domain = domain;
  o.sla_plan = "essentials";
  o.hypercare_plan = "standard";
  o.bau_plan = "standard";
  o.go_live_date = "2026-01-05";
  o.allowed_countries = {"US"};
  return o;
}

Actor Staff(Role role, const std::string& id, const std::string& email) {
  return Actor{id, role, std::nullopt, id, email, false};
}

Actor Partner(const std::string& id, const std::string& org, const std::string& email,
              bool org_admin = false) {
  return Actor{id, Role::kPartner, org, id, email, org_admin};
}

service::NewTicketInput Ticket(const std::string& requester, std::vector<std::string> cc,
                               const std::string& category, const std::string& org) {
  service::NewTicketInput in;
  in.requester_name = "R";
  in.requester_email = requester;
  in.cc = std::move(cc);
  in.category = category;
  in.subject = "Subject";
  in.description = "Description";
  if (!org.empty()) in.org_id = org;
  return in;
}

TEST_P(TicketsTest, VisibilityMatrixMatchesTheCoreRule) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  auto a = service::CreateOrg(env, Actor::System(), NewOrg("acme.example"));
  auto b = service::CreateOrg(env, Actor::System(), NewOrg("beta.example"));
  ASSERT_TRUE(a.ok() && b.ok());
  const Actor admin = Staff(Role::kAdmin, "mem_admin", "admin@payops.test");
  // Tickets: requesters and CCs across both orgs, technical and EMI queues.
  const std::vector<service::NewTicketInput> made = {
      Ticket("pat@acme.example", {}, "balance", a->id),
      Ticket("PAT@ACME.EXAMPLE", {"ann@acme.example"}, "missing_transaction", a->id),
      Ticket("ann@acme.example", {"Pat@Acme.Example"}, "report", a->id),
      Ticket("zoe@acme.example", {}, "closed_account", a->id),
      Ticket("bob@beta.example", {"pat@acme.example"}, "other", b->id),
      Ticket("bob@beta.example", {}, "pending_account", b->id),
      Ticket("carl@beta.example", {"bob@beta.example", "ann@acme.example"}, "billing", b->id),
      Ticket("agent@payops.test", {}, "server_error", a->id),
  };
  std::vector<store::TicketRecord> tickets;
  for (auto in : made) {
    if (in.category == "missing_transaction") {
      in.attachments.push_back({"proof.pdf", "application/pdf", "JVBERi0xLjQK"});
    }
    auto t = service::CreateTicket(env, admin, in);
    ASSERT_TRUE(t.ok()) << t.error().message;
    tickets.push_back(t->ticket);
  }
  // One ticket is assigned, so that "mine" of staff differs from "all".
  service::TicketPatch assign;
  assign.set_assignee = true;
  const Actor agent = Staff(Role::kAgent, "", "agent@payops.test");
  // The agent needs a member row to be assigned.
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    PAYOPS_TRY(
                        tx.Exec("INSERT INTO members (id, role, org_id, name, email, created_at, "
                                "org_admin) VALUES ('mem_agent', 'agent', NULL, 'A', "
                                "'agent@payops.test', 0, 0), ('mem_emi', 'emi', NULL, 'E', "
                                "'staff@emi.example', 0, 0)",
                                {}));
                    return Status::Ok();
                  })
                  .ok());
  assign.assignee_id = "mem_agent";
  auto patched = service::PatchTicket(env, admin, tickets[0].id, assign);
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  tickets[0] = patched->ticket;
  assign.assignee_id = "mem_emi";
  patched = service::PatchTicket(env, admin, tickets[3].id, assign);
  ASSERT_TRUE(patched.ok()) << patched.error().message;
  tickets[3] = patched->ticket;

  for (const auto& t : tickets) {
    service::NewMessageInput note;
    note.body = "internal: check the ledger";
    note.internal = true;
    note.attachments.push_back({"note.txt", "text/plain", "c2VjcmV0"});
    ASSERT_TRUE(service::AddTicketMessage(env, admin, t.id, note).ok());
    service::NewMessageInput reply;
    reply.body = "We are looking into it.";
    ASSERT_TRUE(service::AddTicketMessage(env, admin, t.id, reply).ok());
  }

  const std::vector<Actor> viewers = {
      admin,
      Staff(Role::kAgent, "mem_agent", "agent@payops.test"),
      Staff(Role::kOpsManager, "mem_ops", "ops@payops.test"),
      Staff(Role::kEmi, "mem_emi", "staff@emi.example"),
      Partner("mem_pat", a->id, "pat@acme.example"),
      Partner("mem_pat_upper", a->id, "PAT@acme.EXAMPLE"),
      Partner("mem_ann", a->id, "ann@acme.example", true),
      Partner("mem_zed", a->id, "zed@acme.example"),
      Partner("mem_bob", b->id, "bob@beta.example"),
      Partner("mem_carl_admin", b->id, "carl@beta.example", true),
      Partner("mem_nomail", a->id, ""),
  };
  for (const Actor& viewer : viewers) {
    const std::string viewer_org = viewer.org_id.value_or("");
    desk::DeskViewer dv{viewer.role, viewer.member_id, viewer_org, viewer.email, viewer.org_admin};
    for (const auto& t : tickets) {
      const std::string org = t.org_id.value_or(""), assignee = t.assignee_id.value_or("");
      desk::TicketAudience audience{org, *desk::ParseQueue(t.queue), t.requester_email, t.cc,
                                    assignee};
      bool expected = desk::CanViewTicket(dv, audience);
      auto got = service::GetTicket(env, viewer, t.id);
      EXPECT_EQ(got.ok(), expected) << viewer.member_id << " ticket #" << t.number;
      if (!got.ok()) {
        EXPECT_EQ(got.error().kind, ErrorKind::kNotFound);
        continue;
      }
      // Every ticket has one internal note (with an attachment) and one public reply.
      size_t internal = 0;
      for (const auto& m : got->messages) internal += m.internal ? 1 : 0;
      const bool reads_notes = desk::ReadsInternalNotes(viewer.role);
      EXPECT_EQ(internal, reads_notes ? 1u : 0u) << viewer.member_id << " ticket #" << t.number;
      EXPECT_EQ(got->messages.size(), reads_notes ? 2u : 1u) << viewer.member_id;
      size_t note_files = 0;
      for (const auto& a : got->attachments) note_files += a.filename == "note.txt" ? 1 : 0;
      EXPECT_EQ(note_files, reads_notes ? 1u : 0u) << viewer.member_id << " ticket #" << t.number;
    }
    for (auto [view, kind] : {std::pair{desk::TicketListView::kMine, store::TicketListKind::kMine},
                              std::pair{desk::TicketListView::kCc, store::TicketListKind::kCc},
                              std::pair{desk::TicketListView::kAll, store::TicketListKind::kAll}}) {
      std::set<int64_t> expected;
      for (const auto& t : tickets) {
        const std::string org = t.org_id.value_or(""), assignee = t.assignee_id.value_or("");
        desk::TicketAudience audience{org, *desk::ParseQueue(t.queue), t.requester_email, t.cc,
                                      assignee};
        if (desk::InTicketList(dv, audience, view)) expected.insert(t.number);
      }
      service::TicketListQuery q;
      q.filter.view = kind;
      q.page.limit = 3;  // several pages: the cursor keeps the filter
      std::set<int64_t> got;
      for (int guard = 0; guard < 10; ++guard) {
        auto page = service::ListTickets(env, viewer, q);
        ASSERT_TRUE(page.ok()) << page.error().message;
        for (const auto& t : page->items) got.insert(t.number);
        if (!page->has_more) break;
        q.page.after_id = page->items.back().id;
      }
      EXPECT_EQ(got, expected) << viewer.member_id << " view " << desk::TicketListViewName(view);
    }
  }
}

// Mail: an internal note queues nothing; a public reply's excerpt in the
// mail never ends inside a UTF-8 sequence; each email has its Message-ID and
// HTML part.
TEST_P(TicketsTest, RepliesQueueMailAndInternalNotesQueueNothing) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  env.mail.domain = "desk.example";
  const Actor admin = Staff(Role::kAdmin, "mem_admin", "admin@payops.test");
  auto t = service::CreateTicket(env, admin, Ticket("pat@acme.example", {}, "balance", ""));
  ASSERT_TRUE(t.ok()) << t.error().message;
  const std::string id = t->ticket.id;
  EXPECT_EQ(Count(*store_, "outbox"), 1);
  service::NewMessageInput note;
  note.body = "staff only";
  note.internal = true;
  ASSERT_TRUE(service::AddTicketMessage(env, admin, id, note).ok());
  EXPECT_EQ(Count(*store_, "outbox"), 1);
  service::NewMessageInput reply;
  reply.body = std::string(1999, 'a') + "\xc3\xa9 and more";  // "é" across byte 2000
  ASSERT_TRUE(service::AddTicketMessage(env, admin, id, reply).ok());
  std::optional<store::Page<store::OutboxMessage>> page;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(page, store::ListOutbox(tx, {}, {50, std::nullopt}));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_EQ(page->items.size(), 2u);
  const auto& mail = page->items[1];
  EXPECT_EQ(mail.event, "public_reply");
  EXPECT_EQ(mail.body.find("staff only"), std::string::npos);
  EXPECT_NE(mail.body.find(std::string(1999, 'a') + "\n"), std::string::npos);
  EXPECT_EQ(mail.body.find("\xc3"), std::string::npos);  // the cut sequence is left out whole
  EXPECT_EQ(mail.message_id, "<payops." + id + "." + mail.id + "@desk.example>");
  ASSERT_TRUE(mail.html_body.has_value());
  EXPECT_FALSE(mail.html_body->empty());
}

TEST_P(TicketsTest, NumbersAreUniqueUnderConcurrentCreation) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  auto a = service::CreateOrg(env, Actor::System(), NewOrg("acme.example"));
  ASSERT_TRUE(a.ok());
  const Actor pat = Partner("mem_pat", a->id, "pat@acme.example");
  constexpr int kThreads = 4, kEach = 10;
  std::vector<std::vector<int64_t>> numbers(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int j = 0; j < kEach; ++j) {
        auto t = service::CreateTicket(env, pat, Ticket("pat@acme.example", {}, "other", ""));
        if (t.ok()) numbers[i].push_back(t->ticket.number);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> all;
  size_t made = 0;
  for (const auto& v : numbers) {
    made += v.size();
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(made, size_t{kThreads * kEach});
  EXPECT_EQ(all.size(), made);
  EXPECT_EQ(Count(*store_, "tickets"), kThreads * kEach);
  // One acknowledgement each, in the same commits.
  EXPECT_EQ(Count(*store_, "outbox"), kThreads * kEach);
}

TEST_P(TicketsTest, RefusedChangesStoreNothing) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  auto a = service::CreateOrg(env, Actor::System(), NewOrg("acme.example"));
  ASSERT_TRUE(a.ok());
  const Actor pat = Partner("mem_pat", a->id, "pat@acme.example");
  auto in = Ticket("pat@acme.example", {"cc@acme.example"}, "transaction", "");
  in.transaction_id = "txn_missing";
  auto t = service::CreateTicket(env, pat, in);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().field, "transaction_id");
  in.transaction_id.reset();
  in.category = "missing_transaction";  // no proof of claim
  t = service::CreateTicket(env, pat, in);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error().code, "proof_of_claim_required");
  for (const char* table : {"tickets", "ticket_ccs", "ticket_events", "outbox"}) {
    EXPECT_EQ(Count(*store_, table), 0) << table;
  }
  // A refused transition leaves the ticket and the history as they were.
  in.category = "other";
  t = service::CreateTicket(env, pat, in);
  ASSERT_TRUE(t.ok());
  int64_t events = Count(*store_, "ticket_events");
  service::TicketPatch close;
  close.status = "closed";
  auto r =
      service::PatchTicket(env, Staff(Role::kAgent, "mem_a", "a@payops.test"), t->ticket.id, close);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "illegal_transition");
  EXPECT_EQ(Count(*store_, "ticket_events"), events);
  auto again = service::GetTicket(env, pat, t->ticket.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->ticket.status, "new");
}

// Random tickets over a working week; after each sweep every stored SLA flag
// equals core's ComputeSlaState at that instant, and each warning and breach
// was notified exactly once.
TEST_P(TicketsTest, SweepAgreesWithTheCoreSlaEngine) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  auto a = service::CreateOrg(env, Actor::System(), NewOrg("acme.example"));
  ASSERT_TRUE(a.ok());
  const Actor admin = Staff(Role::kAdmin, "mem_admin", "admin@payops.test");
  std::mt19937 rng(20300107);
  const char* priorities[] = {"low", "medium", "high", "urgent"};
  std::vector<std::string> ids;
  for (int i = 0; i < 40; ++i) {
    clock.Set(clock.Now() + std::chrono::minutes(rng() % 240));
    auto in = Ticket("pat@acme.example", {}, "other", a->id);
    in.priority = priorities[rng() % 4];
    auto t = service::CreateTicket(env, admin, in);
    ASSERT_TRUE(t.ok()) << t.error().message;
    ids.push_back(t->ticket.id);
  }
  Instant end = clock.Now() + std::chrono::hours(24 * 5);
  int64_t breached_clocks = 0, warned_clocks = 0;
  while (clock.Now() < end) {
    breached_clocks = warned_clocks = 0;
    clock.Set(clock.Now() + std::chrono::minutes(7 + rng() % 90));
    Instant at = clock.Now();
    ASSERT_TRUE(store_
                    ->Write([&](store::Tx&) -> Status {
                      return service::SweepSla(env, at).ok()
                                 ? Status::Ok()
                                 : Status(Error::Internal("sweep failed"));
                    })
                    .ok());
    for (const auto& id : ids) {
      store::TicketRecord t;
      ASSERT_TRUE(store_
                      ->Read([&](store::Tx& tx) -> Status {
                        PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindTicketById(tx, id));
                        t = *found;
                        return Status::Ok();
                      })
                      .ok());
      desk::SlaInput in;
      in.plan = desk::SlaPlan::kEssentials;
      in.created_at = t.created_at;
      in.initial_priority = *desk::ParsePriority(t.initial_priority);
      auto s = desk::ComputeSlaState(service::SlaRulesOf(env), in, at);
      ASSERT_TRUE(s.ok());
      EXPECT_EQ(t.sla.fr_warned, s->first_response.warned) << id;
      EXPECT_EQ(t.sla.fr_state == "breached", s->first_response.breached()) << id;
      EXPECT_EQ(t.sla.res_warned, s->resolution.warned) << id;
      EXPECT_EQ(t.sla.res_state == "breached", s->resolution.breached()) << id;
      breached_clocks += s->first_response.breached() + s->resolution.breached();
      warned_clocks += s->first_response.warned + s->resolution.warned;
      auto next = desk::NextSlaEvent(*s);
      EXPECT_EQ(t.sla.sla_next_at_us.has_value(), next.has_value()) << id;
      if (next && t.sla.sla_next_at_us) {
        EXPECT_EQ(*t.sla.sla_next_at_us, ToMicros(next->at));
      }
    }
  }
  // Each warning and breach is in the history exactly once.
  int64_t breaches = -1, warnings = -1;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(
                        auto row, tx.QueryOne("SELECT COUNT(*) FROM ticket_events WHERE field = "
                                              "'sla' AND to_value LIKE '%breach'",
                                              {}));
                    breaches = row->Int(0);
                    PAYOPS_ASSIGN_OR_RETURN(
                        row, tx.QueryOne("SELECT COUNT(*) FROM ticket_events WHERE field = "
                                         "'sla' AND to_value LIKE '%warning'",
                                         {}));
                    warnings = row->Int(0);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_GT(breached_clocks, 0);
  EXPECT_EQ(breaches, breached_clocks);
  EXPECT_EQ(warnings, warned_clocks);
}

// A ticket the SLA engine cannot compute is parked with a history line; the
// sweep goes on with the others (and the jobs after it still run).
TEST_P(TicketsTest, AnUncomputableTicketDoesNotStopTheSweep) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  const Actor admin = Staff(Role::kAdmin, "mem_admin", "admin@payops.test");
  auto in = Ticket("pat@acme.example", {}, "other", "");
  in.priority = "urgent";
  auto bad = service::CreateTicket(env, admin, in);
  auto good = service::CreateTicket(env, admin, in);
  ASSERT_TRUE(bad.ok() && good.ok());
  // Created before the SLA timeline begins (year 2000): out of range.
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    PAYOPS_TRY(
                        tx.Exec("UPDATE tickets SET created_at = 0, sla_next_at = 1 "
                                "WHERE id = ?",
                                {bad->ticket.id}));
                    return Status::Ok();
                  })
                  .ok());
  Instant at = clock.Now() + std::chrono::hours(2);
  int swept = -1;
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx&) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(swept, service::SweepSla(env, at));
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(swept, 2);
  clock.Set(at);
  auto parked = service::GetTicket(env, admin, bad->ticket.id);
  ASSERT_TRUE(parked.ok());
  bool noted = false;
  for (const auto& e : parked->history) noted |= e.to_value == "not_computed";
  EXPECT_TRUE(noted);
  auto fine = service::GetTicket(env, admin, good->ticket.id);
  ASSERT_TRUE(fine.ok());
  EXPECT_EQ(fine->ticket.sla.fr_state, "breached");  // urgent: 60 minutes, 24x7
}

}  // namespace
}  // namespace payops::testing
