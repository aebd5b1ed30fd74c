// Calendar hot paths. Target: AchSchedule >= 10 million/s on one core (<= 100 ns).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "payops/core/calendar.h"

namespace payops::calendar {
namespace {

constexpr size_t kSamples = 4096;  // a power of two

// Instants spread uniformly over 2024..2027 (both PST and PDT, every weekday,
// before and after cutoffs, holidays), fixed seed.
std::vector<Instant> VariedInstants() {
  std::mt19937_64 rng(7);
  const int64_t from_us = Instant{Date{std::chrono::year{2024} / 1 / 1}}.time_since_epoch().count();
  const int64_t to_us = Instant{Date{std::chrono::year{2028} / 1 / 1}}.time_since_epoch().count();
  std::uniform_int_distribution<int64_t> dist(from_us, to_us);
  std::vector<Instant> out(kSamples);
  for (Instant& t : out) t = Instant{Micros{dist(rng)}};
  return out;
}

void BM_AchSchedule(benchmark::State& state) {
  const std::vector<Instant> instants = VariedInstants();
  const HolidayCalendar calendar;
  size_t i = 0;
  for (auto _ : state) {
    AchBatchSchedule s = AchSchedule(instants[i++ & (kSamples - 1)], calendar);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AchSchedule);

void BM_AchScheduleWithExtraHolidays(benchmark::State& state) {
  const std::vector<Instant> instants = VariedInstants();
  std::vector<Date> extra;
  for (int i = 0; i < 40; ++i)
    extra.push_back(Date{std::chrono::year{2024} / 1 / 2} + std::chrono::days{37 * i});
  const HolidayCalendar calendar(extra);
  size_t i = 0;
  for (auto _ : state) {
    AchBatchSchedule s = AchSchedule(instants[i++ & (kSamples - 1)], calendar);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AchScheduleWithExtraHolidays);

// The slow date::tz path, for comparison.
void BM_AchScheduleReference(benchmark::State& state) {
  const std::vector<Instant> instants = VariedInstants();
  const HolidayCalendar calendar;
  size_t i = 0;
  for (auto _ : state) {
    AchBatchSchedule s = reference::AchSchedule(instants[i++ & (kSamples - 1)], calendar);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AchScheduleReference);

void BM_DebitCardProcessing(benchmark::State& state) {
  const std::vector<Instant> instants = VariedInstants();
  const HolidayCalendar calendar;
  size_t i = 0;
  for (auto _ : state) {
    DebitCardSchedule s = DebitCardProcessing(instants[i++ & (kSamples - 1)], calendar);
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DebitCardProcessing);

// SLA deadlines: the §3.3 working-clock targets (1 h .. 45 h) from varied starts.
void BM_AddWorkingMinutes(benchmark::State& state) {
  const std::vector<Instant> instants = VariedInstants();
  const int64_t targets_minutes[] = {60, 120, 240, 540, 1080, 1620, 2700, 540};
  const WorkingSchedule schedule;
  size_t i = 0;
  for (auto _ : state) {
    size_t k = i++;
    Result<Instant> due =
        AddWorkingMinutes(schedule, instants[k & (kSamples - 1)], targets_minutes[k & 7]);
    benchmark::DoNotOptimize(due);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddWorkingMinutes);

void BM_WorkingMinutesBetween(benchmark::State& state) {
  const std::vector<Instant> instants = VariedInstants();
  const WorkingSchedule schedule;
  size_t i = 0;
  for (auto _ : state) {
    Instant from = instants[i++ & (kSamples - 1)];
    Result<int64_t> minutes = WorkingMinutesBetween(schedule, from, from + std::chrono::hours{100});
    benchmark::DoNotOptimize(minutes);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WorkingMinutesBetween);

void BM_InstantToLocal(benchmark::State& state) {
  const std::vector<Instant> instants = VariedInstants();
  const Zone zone = Zone::NewYork();
  size_t i = 0;
  for (auto _ : state) {
    LocalDateTime local = InstantToLocal(zone, instants[i++ & (kSamples - 1)]);
    benchmark::DoNotOptimize(local);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InstantToLocal);

void BM_IsBusinessDay(benchmark::State& state) {
  const HolidayCalendar calendar;
  Date d = Date{std::chrono::year{2026} / 1 / 1};
  int i = 0;
  for (auto _ : state) {
    bool business = IsBusinessDay(d + std::chrono::days{i++ & 2047}, calendar);
    benchmark::DoNotOptimize(business);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IsBusinessDay);

}  // namespace
}  // namespace payops::calendar
