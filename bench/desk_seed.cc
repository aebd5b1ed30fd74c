// Seeds a SQLite store with N open tickets (default 1,000,000) for the desk
// benchmarks, then times the SLA sweep on it. Prints, one per line:
//   key <partner api key>      (a partner whose email requests 1 ticket in 5,000)
//   seeded <n> <seconds>
//   sweep_minute_ms <median> due <median events>   (a sweep one minute on)
//   sweep_hour_ms <median> due <median events>     (catching up an hour)
//   sweep_idle_ms <median>                          (nothing due)
// Usage: desk_seed /abs/path.db [tickets]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "payops/core/sla.h"
#include "payops/service/api_keys.h"
#include "payops/service/orgs.h"
#include "payops/service/tickets.h"
#include "payops/store/tickets.h"

using namespace payops;

namespace {

int Fail(const std::string& what, const Error& e) {
  std::fprintf(stderr, "desk_seed: %s: %s\n", what.c_str(), e.message.c_str());
  return 1;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: desk_seed /abs/path.db [tickets]\n");
    return 2;
  }
  const int64_t n = argc > 2 ? std::atoll(argv[2]) : 1'000'000;
  auto opened = store::Open(std::string("sqlite://") + argv[1]);
  if (!opened.ok()) return Fail("open", opened.error());
  store::Store& st = **opened;
  if (auto v = store::Migrate(st); !v.ok()) return Fail("migrate", v.error());
  RealClock real;
  ManualClock clock(std::chrono::floor<std::chrono::minutes>(real.Now()));
  const Instant t0 = clock.Now();
  service::Env env(st, clock);

  Org org;
  org.name = "Desk Bench";
  org.domain = "bench.example";
  org.sla_plan = "essentials";
  org.hypercare_plan = "standard";
  org.bau_plan = "standard";
  org.go_live_date = "2026-01-05";
  org.allowed_countries = {"US"};
  auto created = service::CreateOrg(env, Actor::System(), org);
  if (!created.ok()) return Fail("org", created.error());
  auto key = service::CreateApiKey(
      env, Actor::System(), {Role::kPartner, created->id, "Pat Bench", "pat@bench.example", false});
  if (!key.ok()) return Fail("key", key.error());
  std::printf("key %s\n", key->key.c_str());

  // Open tickets created over the last 14 days, priorities mixed, SLA state
  // as of t0 computed by the core engine (as the service stores it).
  const auto& rules = service::SlaRulesOf(env);
  std::mt19937_64 rng(1);
  const char* priorities[] = {"low", "medium", "high", "urgent"};
  const char* categories[] = {"balance", "transaction", "report", "other", "closed_account"};
  auto started = std::chrono::steady_clock::now();
  constexpr int64_t kBatch = 5000;
  for (int64_t done = 0; done < n;) {
    Status s = st.Write([&](store::Tx& tx) -> Status {
      for (int64_t i = 0; i < kBatch && done < n; ++i, ++done) {
        store::TicketRecord t;
        t.id = env.ids.New("tkt");
        t.number = 1001 + done;
        t.org_id = created->id;
        t.requester_name = "Requester";
        t.requester_email = done % 5000 == 0
                                ? "pat@bench.example"
                                : "r" + std::to_string(done % 20000) + "@bench.example";
        t.category = categories[done % 5];
        t.subject = "Bench ticket " + std::to_string(done);
        t.description = "Seeded for the desk benchmarks.";
        t.priority = t.initial_priority = priorities[rng() % 4];
        t.status = "open";
        t.queue = t.category == "closed_account" ? "emi" : "customer_service";
        t.channel = "api";
        t.created_by = "system";
        t.sla_plan = "essentials";
        t.created_at = t.updated_at = t0 - std::chrono::seconds(rng() % (14 * 86400));
        desk::SlaInput in;
        in.created_at = t.created_at;
        in.initial_priority = *desk::ParsePriority(t.priority);
        in.status_changes.push_back({t.created_at, desk::TicketStatus::kOpen});
        PAYOPS_ASSIGN_OR_RETURN(desk::SlaState state, desk::ComputeSlaState(rules, in, t0));
        t.sla.fr_state = std::string(desk::SlaClockStateName(state.first_response.state));
        t.sla.fr_due = state.first_response.due;
        t.sla.fr_warned = state.first_response.warned;
        t.sla.res_state = std::string(desk::SlaClockStateName(state.resolution.state));
        t.sla.res_due = state.resolution.due;
        t.sla.res_warned = state.resolution.warned;
        t.sla.clock_kind = std::string(desk::SlaClockKindName(state.target.clock));
        t.sla.sla_due_at_us =
            std::min(ToMicros(state.first_response.due), ToMicros(state.resolution.due));
        auto next = desk::NextSlaEvent(state);
        if (next) t.sla.sla_next_at_us = ToMicros(next->at);
        PAYOPS_TRY(store::InsertTicket(tx, t));
      }
      return Status::Ok();
    });
    if (!s.ok()) return Fail("seed", s.error());
  }
  // Numbers continue after the seeded ones by themselves (the next is MAX(number) + 1).
  double seed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("seeded %lld %.1f\n", static_cast<long long>(n), seed_s);

  // The sweep as the job runs it: one write transaction as of `at`.
  auto sweep = [&](Instant at, int* due) -> double {
    auto t = std::chrono::steady_clock::now();
    Status s = st.Write([&](store::Tx&) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(*due, service::SweepSla(env, at));
      return Status::Ok();
    });
    if (!s.ok()) std::fprintf(stderr, "sweep: %s\n", s.error().message.c_str());
    double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
    if (std::getenv("DESK_SEED_VERBOSE")) std::fprintf(stderr, "sweep %.2f ms, %d due\n", ms, *due);
    return ms;
  };
  std::vector<double> minute_ms, minute_due, hour_ms, hour_due, idle_ms;
  Instant at = t0;
  for (int i = 0; i < 7; ++i) {
    int due = 0;
    at += std::chrono::minutes(1);
    minute_ms.push_back(sweep(at, &due));
    minute_due.push_back(due);
    idle_ms.push_back(sweep(at, &due));  // the same instant again: nothing due
  }
  for (int i = 0; i < 3; ++i) {
    int due = 0;
    at += std::chrono::hours(1);
    hour_ms.push_back(sweep(at, &due));
    hour_due.push_back(due);
  }
  std::printf("sweep_minute_ms %.2f due %.0f\n", Median(minute_ms), Median(minute_due));
  std::printf("sweep_hour_ms %.2f due %.0f\n", Median(hour_ms), Median(hour_due));
  std::printf("sweep_idle_ms %.3f\n", Median(idle_ms));
  return 0;
}
