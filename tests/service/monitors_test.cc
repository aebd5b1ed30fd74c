// Monitors and maintenance windows over a real store, on both backends: the
// checks recorded as the job records them (results given, no network), the
// incident ticket with its page, maintenance, recovery, retention, windows
// and their announcement.
#include "payops/service/monitors.h"

#include "../store/backend.h"
#include "payops/service/orgs.h"
#include "payops/service/tickets.h"
#include "payops/store/members.h"
#include "payops/store/outbox.h"
#include "payops/store/tickets.h"

namespace payops::testing {
namespace {

class MonitorsTest : public BackendTest {
 protected:
  void AddMember(const std::string& id, Role role, const std::string& email,
                 const std::string& org_id = "") {
    ASSERT_TRUE(store_
                    ->Write([&](store::Tx& tx) -> Status {
                      store::Member m;
                      m.id = id;
                      m.role = role;
                      m.name = id;
                      m.email = email;
                      if (!org_id.empty()) m.org_id = org_id;
                      m.created_at = FromMicros(kStartUs);
                      return store::InsertMember(tx, m);
                    })
                    .ok());
  }
  // Runs the due checks at the clock's time with every result `ok`.
  int Pass(service::Env& env, bool ok) {
    auto plans = service::PlanMonitorChecks(env, env.clock.Now());
    EXPECT_TRUE(plans.ok());
    std::vector<std::vector<service::CheckResult>> results;
    for (const auto& p : *plans) {
      results.emplace_back(p.at.size(),
                           service::CheckResult{ok, ok ? 200 : 503, ok ? "" : "HTTP 503", 7});
    }
    auto n = service::RecordMonitorChecks(env, *plans, results);
    EXPECT_TRUE(n.ok()) << n.error().message;
    return n.ok() ? *n : -1;
  }
  std::vector<store::OutboxMessage> Outbox(const std::string& to) {
    std::vector<store::OutboxMessage> out;
    EXPECT_TRUE(store_
                    ->Read([&](store::Tx& tx) -> Status {
                      store::OutboxFilter f;
                      f.to = to;
                      PAYOPS_ASSIGN_OR_RETURN(auto page, store::ListOutbox(tx, f, {500, {}}));
                      out = std::move(page.items);
                      return Status::Ok();
                    })
                    .ok());
    return out;
  }
  static constexpr int64_t kStartUs = 1'894'021'200'000'000;  // 2030-01-07 13:00 UTC
};
PAYOPS_BACKENDS(MonitorsTest);

const Actor kAdmin{"mem_admin", Role::kAdmin, std::nullopt, "Ada", "ada@payops.test", false};

service::MonitorInput Input(const std::string& target, int64_t threshold = 3) {
  service::MonitorInput in;
  in.name = "status page";
  in.kind = "http";
  in.target = target;
  in.interval_seconds = 60;
  in.failure_threshold = threshold;
  return in;
}

size_t CountEvent(const std::vector<store::OutboxMessage>& rows, const std::string& event) {
  size_t n = 0;
  for (const auto& r : rows) n += r.event == event;
  return n;
}

TEST_P(MonitorsTest, ThresholdOpensOneTicketPagesAndRecoveryNotesAndResolves) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  AddMember("mem_ops", Role::kOpsManager, "ops@payops.test");
  auto m = service::CreateMonitor(env, kAdmin, Input("https://status.example.com/", 3));
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->status, "unknown");
  EXPECT_EQ(Pass(env, false), 1);
  clock.Advance(std::chrono::seconds(60));
  EXPECT_EQ(Pass(env, false), 1);
  EXPECT_EQ(Count(*store_, "tickets"), 0);
  clock.Advance(std::chrono::seconds(60));
  EXPECT_EQ(Pass(env, false), 1);
  ASSERT_EQ(Count(*store_, "tickets"), 1);
  auto v = service::GetMonitor(env, kAdmin, m->monitor.id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->status, "down");
  ASSERT_TRUE(v->open_ticket);
  EXPECT_EQ(CountEvent(Outbox("ops@payops.test"), "urgent_page"), 1u);
  // Five more failures: history only.
  for (int i = 0; i < 5; ++i) {
    clock.Advance(std::chrono::seconds(60));
    Pass(env, false);
  }
  EXPECT_EQ(Count(*store_, "tickets"), 1);
  EXPECT_EQ(CountEvent(Outbox("ops@payops.test"), "urgent_page"), 1u);
  std::optional<store::TicketRecord> t;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(t, store::FindTicketById(tx, v->open_ticket->id));
                    return Status::Ok();
                  })
                  .ok());
  ASSERT_TRUE(t);
  EXPECT_EQ(t->channel, "monitor");
  EXPECT_EQ(t->category, "server_error");
  EXPECT_EQ(t->priority, "urgent");
  EXPECT_NE(t->description.find("HTTP 503"), std::string::npos);
  // Recovery: an internal note with start, end and duration; the page resolved.
  clock.Advance(std::chrono::seconds(60));
  EXPECT_EQ(Pass(env, true), 1);
  auto view = service::GetTicket(env, kAdmin, t->id);
  ASSERT_TRUE(view.ok());
  ASSERT_EQ(view->messages.size(), 1u);
  EXPECT_TRUE(view->messages[0].internal);
  EXPECT_NE(view->messages[0].body.find("Outage start: 2030-01-07T13:00:00Z"), std::string::npos);
  EXPECT_NE(view->messages[0].body.find("Duration: 8 min"), std::string::npos);
  EXPECT_EQ(CountEvent(Outbox("ops@payops.test"), "page_resolve"), 1u);
  v = service::GetMonitor(env, kAdmin, m->monitor.id);
  EXPECT_EQ(v->status, "up");
  ASSERT_TRUE(v->uptime_24h);
  EXPECT_NEAR(*v->uptime_24h, 100.0 / 9.0, 0.01);
}

TEST_P(MonitorsTest, MaintenanceRecordsFailuresWithoutTicketUntilItEnds) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  AddMember("mem_ops", Role::kOpsManager, "ops@payops.test");
  auto m = service::CreateMonitor(env, kAdmin, Input("https://status.example.com/", 2));
  ASSERT_TRUE(m.ok());
  service::WindowInput w;
  w.starts_at = FormatRfc3339(clock.Now());
  w.ends_at = FormatRfc3339(clock.Now() + std::chrono::minutes(5));
  w.title = "Database upgrade";
  w.monitor_ids = std::vector<std::string>{m->monitor.id};
  auto win = service::CreateWindow(env, kAdmin, w);
  ASSERT_TRUE(win.ok()) << win.error().message;
  EXPECT_EQ(win->state, "active");
  for (int i = 0; i < 5; ++i) {
    Pass(env, false);
    clock.Advance(std::chrono::seconds(60));
  }
  EXPECT_EQ(Count(*store_, "tickets"), 0);
  EXPECT_EQ(Count(*store_, "monitor_checks"), 5);
  EXPECT_TRUE(Outbox("ops@payops.test").empty());
  // The window is over: the monitor still failing opens its ticket at once.
  EXPECT_EQ(Pass(env, false), 1);
  EXPECT_EQ(Count(*store_, "tickets"), 1);
  EXPECT_EQ(CountEvent(Outbox("ops@payops.test"), "urgent_page"), 1u);
}

TEST_P(MonitorsTest, CatchUpIsBoundedAndHistoryRetentionHolds) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  auto m = service::CreateMonitor(env, kAdmin, Input("https://status.example.com/", 5));
  ASSERT_TRUE(m.ok());
  clock.Advance(std::chrono::hours(3));
  EXPECT_EQ(Pass(env, true), monitor::kMaxCatchUpChecks);
  auto v = service::GetMonitor(env, kAdmin, m->monitor.id);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->monitor.next_check_at, clock.Now() + std::chrono::seconds(60));
  EXPECT_EQ(Pass(env, true), 0);  // nothing due until the next interval
  // Retention: never more than kChecksKept rows.
  ASSERT_TRUE(store_
                  ->Write([&](store::Tx& tx) -> Status {
                    for (int64_t seq = 1; seq <= monitor::kChecksKept + 20; ++seq) {
                      PAYOPS_TRY(store::InsertMonitorCheck(
                          tx,
                          store::MonitorCheck{"mon_r", seq, clock.Now(), true, false, 1,
                                              std::nullopt, std::nullopt},
                          monitor::kChecksKept));
                    }
                    return Status::Ok();
                  })
                  .ok());
  int64_t kept = -1;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(
                        auto row, tx.QueryOne("SELECT COUNT(*), MIN(seq) FROM monitor_checks "
                                              "WHERE monitor_id = 'mon_r'",
                                              {}));
                    kept = row->Int(0);
                    EXPECT_EQ(row->Int(1), 21);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(kept, monitor::kChecksKept);
}

TEST_P(MonitorsTest, BadInputStoresNothingAndRolesAreEnforced) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  EXPECT_EQ(service::CreateMonitor(env, kAdmin, Input("http://127.0.0.1:9/")).error().code,
            "private_target");
  EXPECT_EQ(service::CreateMonitor(env, kAdmin, Input("gopher://x/")).error().code,
            "invalid_target");
  auto in = Input("https://status.example.com/");
  in.interval_seconds = 5;
  EXPECT_FALSE(service::CreateMonitor(env, kAdmin, in).ok());
  in.interval_seconds = 60;
  in.failure_threshold = 9;
  EXPECT_FALSE(service::CreateMonitor(env, kAdmin, in).ok());
  const Actor agent{"mem_agent", Role::kAgent, std::nullopt, "Ag", "ag@payops.test", false};
  EXPECT_EQ(service::CreateMonitor(env, agent, Input("https://status.example.com/")).error().kind,
            ErrorKind::kForbidden);
  EXPECT_EQ(Count(*store_, "monitors"), 0);
  env.monitors.allow_private = true;
  EXPECT_TRUE(service::CreateMonitor(env, kAdmin, Input("http://127.0.0.1:9/")).ok());

  service::WindowInput w;
  w.starts_at = "2030-01-08T10:00:00Z";
  w.ends_at = "2030-01-08T09:00:00Z";
  w.title = "Upgrade";
  w.monitor_ids = std::vector<std::string>{"mon_nope"};
  EXPECT_EQ(service::CreateWindow(env, kAdmin, w).error().code, "window_ends_before_start");
  w.ends_at = "2030-01-08T11:00:00Z";
  EXPECT_EQ(service::CreateWindow(env, kAdmin, w).error().code, "unknown_monitor");
  w.starts_at = "yesterday";
  EXPECT_EQ(service::CreateWindow(env, kAdmin, w).error().code, "invalid_time");
  EXPECT_EQ(Count(*store_, "maintenance_windows"), 0);
}

TEST_P(MonitorsTest, WindowsAreAnnouncedOnceAheadAndListedByState) {
  ManualClock clock(FromMicros(kStartUs));
  service::Env env(*store_, clock);
  Org o;
  o.name = "Acme";
  o.domain = "acme.example";
  o.sla_plan = "essentials";
  o.hypercare_plan = "standard";
  o.bau_plan = "standard";
  o.go_live_date = "2026-01-05";
  o.allowed_countries = {"US"};
  auto org = service::CreateOrg(env, Actor::System(), o);
  ASSERT_TRUE(org.ok()) << org.error().message;
  AddMember("mem_pat", Role::kPartner, "pat@acme.example", org->id);
  auto m = service::CreateMonitor(env, kAdmin, Input("https://status.example.com/"));
  ASSERT_TRUE(m.ok());
  service::WindowInput w;
  w.starts_at = FormatRfc3339(clock.Now() + std::chrono::hours(72));
  w.ends_at = FormatRfc3339(clock.Now() + std::chrono::hours(73));
  w.title = "Core banking upgrade";
  w.message = "Payouts pause for an hour.";
  w.monitor_ids = std::vector<std::string>{m->monitor.id};
  auto win = service::CreateWindow(env, kAdmin, w);
  ASSERT_TRUE(win.ok());
  EXPECT_EQ(*service::AnnounceWindows(env, clock.Now()), 0);  // 72 h ahead: not yet
  clock.Advance(std::chrono::hours(24));
  EXPECT_EQ(*service::AnnounceWindows(env, clock.Now()), 1);
  EXPECT_EQ(*service::AnnounceWindows(env, clock.Now()), 0);  // once
  auto mail = Outbox("pat@acme.example");
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].event, "maintenance_window");
  EXPECT_NE(mail[0].body.find("Payouts pause for an hour."), std::string::npos);
  ASSERT_TRUE(mail[0].html_body);
  const Actor partner{"mem_pat", Role::kPartner, org->id, "Pat", "pat@acme.example", false};
  auto upcoming = service::ListWindows(env, partner, "upcoming", {50, {}});
  ASSERT_TRUE(upcoming.ok());
  ASSERT_EQ(upcoming->items.size(), 1u);
  EXPECT_TRUE(upcoming->items[0].window.monitor_ids.empty());  // partners see no monitors
  EXPECT_TRUE(service::ListWindows(env, kAdmin, "active", {50, {}})->items.empty());
  EXPECT_FALSE(service::ListWindows(env, kAdmin, "soon", {50, {}}).ok());
  EXPECT_EQ(service::DeleteWindow(env, partner, win->window.id).error().kind,
            ErrorKind::kForbidden);
  clock.Advance(std::chrono::hours(48) + std::chrono::minutes(1));
  EXPECT_EQ(service::ListWindows(env, kAdmin, "active", {50, {}})->items.size(), 1u);
  EXPECT_EQ(service::DeleteWindow(env, kAdmin, win->window.id).error().code, "window_started");
}

}  // namespace
}  // namespace payops::testing
