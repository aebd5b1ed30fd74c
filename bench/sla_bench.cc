// SLA engine hot paths. Product target (issue 5): an SLA sweep over 1,000,000
// open tickets in <= 100 ms, so <= ~100 ns per ticket for ComputeSlaState /
// NextSlaEvent. Each "Million" benchmark iteration evaluates 1,000,000 varied
// tickets; ns_per_ticket is the per-ticket cost.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <vector>

#include "payops/core/calendar.h"
#include "payops/core/sla.h"

namespace payops::desk {
namespace {

constexpr size_t kTickets = 1'000'000;

const SlaRules& Rules() {
  static const SlaRules* rules = [] {
    Result<SlaRules> r = SlaRules::Create(DefaultSlaTable());
    if (!r.ok()) std::abort();
    return new SlaRules(std::move(r).value());
  }();
  return *rules;
}

struct Sample {
  SlaInput input;
  Instant now;
};

// Tickets created uniformly over 2024..2027 (every weekday, hour, holiday and
// DST period), every plan and priority, `now` 0..10 days later. With
// `histories`: 0..4 status changes (pending periods, solves, reopens), a first
// agent reply for 60 %, a priority change for 15 %. Fixed seed.
std::vector<Sample> MakeSamples(bool histories) {
  std::mt19937_64 rng(11);
  const int64_t from_us = ToMicros(Instant{calendar::Date{std::chrono::year{2024} / 1 / 1}});
  const int64_t to_us = ToMicros(Instant{calendar::Date{std::chrono::year{2028} / 1 / 1}});
  std::uniform_int_distribution<int64_t> created(from_us, to_us);
  std::uniform_int_distribution<int64_t> gap(0, int64_t{2} * 24 * 3600 * 1'000'000);
  std::uniform_int_distribution<int> pct(0, 99);
  const TicketStatus next_of[5][2] = {
      {TicketStatus::kOpen, TicketStatus::kPending},
      {TicketStatus::kPending, TicketStatus::kSolved},
      {TicketStatus::kOpen, TicketStatus::kSolved},
      {TicketStatus::kOpen, TicketStatus::kClosed},
      {TicketStatus::kClosed, TicketStatus::kClosed},
  };
  std::vector<Sample> out(kTickets);
  for (Sample& s : out) {
    SlaInput& in = s.input;
    in.plan = static_cast<SlaPlan>(pct(rng) % 3);
    in.initial_priority = static_cast<Priority>(pct(rng) % 4);
    in.created_at = FromMicros(created(rng));
    Instant t = in.created_at;
    if (histories) {
      TicketStatus st = TicketStatus::kNew;
      int changes = pct(rng) % 5;
      for (int i = 0; i < changes; ++i) {
        t += Micros{gap(rng) / 2};
        st = next_of[static_cast<int>(st)][pct(rng) % 2];
        in.status_changes.push_back({t, st});
      }
      if (pct(rng) < 60) in.first_public_agent_reply_at = in.created_at + Micros{gap(rng) / 4};
      if (pct(rng) < 15) {
        in.priority_changes.push_back(
            {in.created_at + Micros{gap(rng) / 8}, static_cast<Priority>(pct(rng) % 4)});
      }
    }
    s.now = t + Micros{gap(rng) * 5 / 2};
  }
  return out;
}

const std::vector<Sample>& Samples(bool histories) {
  static const std::vector<Sample>* with = new std::vector<Sample>(MakeSamples(true));
  static const std::vector<Sample>* without = new std::vector<Sample>(MakeSamples(false));
  return histories ? *with : *without;
}

void ReportPerTicket(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kTickets));
  // Time per ticket (printed with its SI prefix, e.g. "68.1ns").
  state.counters["time_per_ticket"] =
      benchmark::Counter(static_cast<double>(state.iterations() * kTickets),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// ComputeSlaState over 1,000,000 tickets per iteration.
void BM_SlaStateMillion(benchmark::State& state) {
  const std::vector<Sample>& samples = Samples(state.range(0) != 0);
  const SlaRules& rules = Rules();
  for (auto _ : state) {
    int64_t breached = 0;
    for (const Sample& s : samples) {
      Result<SlaState> r = ComputeSlaState(rules, s.input, s.now);
      breached += r.ok() && r->resolution.breached();
    }
    benchmark::DoNotOptimize(breached);
  }
  ReportPerTicket(state);
}
BENCHMARK(BM_SlaStateMillion)->ArgName("histories")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// NextSlaEvent over 1,000,000 tickets per iteration (the sweep's question).
void BM_NextSlaEventMillion(benchmark::State& state) {
  const std::vector<Sample>& samples = Samples(state.range(0) != 0);
  const SlaRules& rules = Rules();
  for (auto _ : state) {
    int64_t due = 0;
    for (const Sample& s : samples) {
      Result<std::optional<SlaEvent>> e = NextSlaEvent(rules, s.input, s.now);
      due += e.ok() && e->has_value() ? ToMicros((*e)->at) & 1 : 0;
    }
    benchmark::DoNotOptimize(due);
  }
  ReportPerTicket(state);
}
BENCHMARK(BM_NextSlaEventMillion)
    ->ArgName("histories")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

// One working-time addition: the precomputed timeline against calendar.h's
// day walk, on the same varied instants and amounts (up to 5 working days).
void BM_AddWorkingTimeTimeline(benchmark::State& state) {
  const std::vector<Sample>& samples = Samples(false);
  const WorkingTimeline& tl = Rules().working_time();
  size_t i = 0;
  for (auto _ : state) {
    const Sample& s = samples[i++ % kTickets];
    Result<Instant> r =
        tl.AddWorkingTime(s.input.created_at, std::chrono::minutes{(i * 37) % 2700 + 1});
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddWorkingTimeTimeline);

void BM_AddWorkingMinutesCalendar(benchmark::State& state) {
  const std::vector<Sample>& samples = Samples(false);
  const calendar::WorkingSchedule schedule;
  size_t i = 0;
  for (auto _ : state) {
    const Sample& s = samples[i++ % kTickets];
    Result<Instant> r = calendar::AddWorkingMinutes(schedule, s.input.created_at,
                                                    static_cast<int64_t>((i * 37) % 2700 + 1));
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddWorkingMinutesCalendar);

// Building the default timeline (2000..2100), done once per working schedule.
void BM_BuildTimeline(benchmark::State& state) {
  for (auto _ : state) {
    Result<WorkingTimeline> tl = WorkingTimeline::Build(calendar::WorkingSchedule{},
                                                        kDefaultSlaFirstYear, kDefaultSlaLastYear);
    benchmark::DoNotOptimize(tl);
  }
}
BENCHMARK(BM_BuildTimeline)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace payops::desk
