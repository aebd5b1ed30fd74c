#include "payops/core/sla.h"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "payops/core/calendar.h"
#include "payops/core/clock.h"

namespace payops::desk {

// Readable failure messages (found by argument-dependent lookup).
void PrintTo(const SlaEvent& e, std::ostream* os) {
  *os << "{" << SlaEventKindName(e.kind) << " at " << FormatRfc3339(e.at) << "}";
}

namespace {

using namespace std::chrono_literals;
using calendar::WorkingSchedule;

// RFC 3339 → Instant; fails the test on a malformed literal.
Instant T(std::string_view text) {
  std::optional<Instant> t = ParseRfc3339(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Instant{});
}

std::string Utc(Instant t) {
  return FormatRfc3339(t);
}

// The default rules, built once for the whole suite.
const SlaRules& Rules() {
  static const SlaRules* rules = [] {
    Result<SlaRules> r = SlaRules::Create(DefaultSlaTable());
    if (!r.ok()) std::abort();
    return new SlaRules(std::move(r).value());
  }();
  return *rules;
}

SlaState Compute(const SlaInput& in, Instant now, const SlaRules& rules = Rules()) {
  Result<SlaState> s = ComputeSlaState(rules, in, now);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().code + ": " + s.error().message);
  return s.ok() ? *s : SlaState{};
}

SlaInput Ticket(SlaPlan plan, Priority priority, std::string_view created) {
  SlaInput in;
  in.plan = plan;
  in.initial_priority = priority;
  in.created_at = T(created);
  return in;
}

// ---------------------------------------------------------------------------
// The table.

TEST(SlaTable, DefaultIsTheSpec) {
  using P = Priority;
  using K = SlaClockKind;
  struct Row {
    SlaPlan plan;
    Priority priority;
    SlaTarget target;
  };
  const Row rows[] = {
      {SlaPlan::kEssentials, P::kUrgent, {60, 480, K::kAlwaysOn}},
      {SlaPlan::kEssentials, P::kHigh, {240, 1080, K::kWorking}},
      {SlaPlan::kEssentials, P::kMedium, {540, 1080, K::kWorking}},
      {SlaPlan::kEssentials, P::kLow, {1080, 2700, K::kWorking}},
      {SlaPlan::kReserve, P::kUrgent, {30, 240, K::kAlwaysOn}},
      {SlaPlan::kReserve, P::kHigh, {120, 540, K::kWorking}},
      {SlaPlan::kReserve, P::kMedium, {240, 1080, K::kWorking}},
      {SlaPlan::kReserve, P::kLow, {540, 1620, K::kWorking}},
      {SlaPlan::kVip, P::kUrgent, {15, 120, K::kAlwaysOn}},
      {SlaPlan::kVip, P::kHigh, {60, 480, K::kAlwaysOn}},
      {SlaPlan::kVip, P::kMedium, {120, 540, K::kWorking}},
      {SlaPlan::kVip, P::kLow, {240, 1080, K::kWorking}},
  };
  const SlaTable table = DefaultSlaTable();
  for (const Row& r : rows) {
    EXPECT_EQ(table.at(r.plan, r.priority), r.target)
        << SlaPlanName(r.plan) << " " << PriorityName(r.priority);
  }
  EXPECT_TRUE(ValidateSlaTable(table).ok());
}

TEST(SlaTable, ValidationNamesTheRow) {
  SlaTable table = DefaultSlaTable();
  table.at(SlaPlan::kVip, Priority::kHigh).resolution_minutes = 0;
  Status s = ValidateSlaTable(table);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "invalid_sla_table");
  EXPECT_EQ(s.error().field, "sla.vip.high.resolution_minutes");
  table = DefaultSlaTable();
  table.at(SlaPlan::kReserve, Priority::kLow).first_response_minutes = kMaxSlaTargetMinutes + 1;
  EXPECT_EQ(ValidateSlaTable(table).error().field, "sla.reserve.low.first_response_minutes");
  Result<SlaRules> rules = SlaRules::Create(table);
  ASSERT_FALSE(rules.ok());
  EXPECT_EQ(rules.error().code, "invalid_sla_table");
}

TEST(SlaTable, PlanNames) {
  for (std::string_view n : {"essentials", "reserve", "vip"}) {
    ASSERT_TRUE(ParseSlaPlan(n).ok());
    EXPECT_EQ(SlaPlanName(*ParseSlaPlan(n)), n);
  }
  EXPECT_EQ(ParseSlaPlan("gold").error().field, "sla_plan");
  EXPECT_EQ(SlaClockKindName(SlaClockKind::kAlwaysOn), "24x7");
  EXPECT_EQ(SlaClockKindName(SlaClockKind::kWorking), "working");
}

// ---------------------------------------------------------------------------
// The timeline agrees with calendar.h to the microsecond.

void CheckTimelineAgainstCalendar(const WorkingSchedule& schedule, uint64_t seed) {
  Result<WorkingTimeline> tl = WorkingTimeline::Build(schedule, 2020, 2030);
  ASSERT_TRUE(tl.ok());
  std::mt19937_64 rng(seed);
  const int64_t from_us = ToMicros(T("2024-01-01T00:00:00Z"));
  const int64_t to_us = ToMicros(T("2028-01-01T00:00:00Z"));
  std::uniform_int_distribution<int64_t> instant(from_us, to_us);
  std::uniform_int_distribution<int64_t> span(0, int64_t{40} * 24 * 3600 * 1'000'000);
  std::uniform_int_distribution<int64_t> minutes(0, 6000);
  for (int i = 0; i < 3000; ++i) {
    Instant a = FromMicros(instant(rng));
    // Half the samples on whole minutes, near window edges.
    if (i % 2 == 0) a = std::chrono::floor<std::chrono::minutes>(a);
    Instant b = a + Micros{span(rng)};
    Result<Micros> want = calendar::WorkingTimeBetween(schedule, a, b);
    Result<Micros> got = tl->WorkingTimeBetween(a, b);
    ASSERT_TRUE(want.ok() && got.ok());
    ASSERT_EQ(got->count(), want->count()) << Utc(a) << " .. " << Utc(b);
    int64_t m = minutes(rng);
    Result<Instant> want_add = calendar::AddWorkingMinutes(schedule, a, m);
    Result<Instant> got_add = tl->AddWorkingTime(a, std::chrono::minutes{m});
    ASSERT_TRUE(want_add.ok() && got_add.ok());
    ASSERT_EQ(Utc(*got_add), Utc(*want_add)) << Utc(a) << " + " << m << " min";
  }
}

TEST(SlaTimeline, AgreesWithCalendarForSupportHours) {
  CheckTimelineAgainstCalendar(WorkingSchedule{}, 1);
}

TEST(SlaTimeline, AgreesWithCalendarForOtherSchedules) {
  WorkingSchedule la;
  la.zone = calendar::Zone::LosAngeles();
  la.open_minute_of_day = 0;
  la.close_minute_of_day = 24 * 60;  // whole days: 23 h and 25 h windows at DST
  la.holidays = calendar::HolidayCalendar({calendar::Date{std::chrono::year{2025} / 3 / 14},
                                           calendar::Date{std::chrono::year{2026} / 12 / 24}});
  CheckTimelineAgainstCalendar(la, 2);
  WorkingSchedule night;
  night.open_minute_of_day = 90;  // 01:30–02:30: empty or short on DST days
  night.close_minute_of_day = 150;
  night.holidays = calendar::HolidayCalendar({}, calendar::HolidayCalendar::Federal::kExclude);
  CheckTimelineAgainstCalendar(night, 3);
  CheckTimelineAgainstCalendar(WorkingSchedule::AlwaysOpen(), 4);
}

TEST(SlaTimeline, RangeAndArguments) {
  Result<WorkingTimeline> tl = WorkingTimeline::Build(WorkingSchedule{}, 2026, 2026);
  ASSERT_TRUE(tl.ok());
  EXPECT_EQ(Utc(tl->begin()), "2026-01-01T00:00:00Z");
  EXPECT_EQ(Utc(tl->end()), "2027-01-01T00:00:00Z");
  EXPECT_EQ(
      tl->WorkingTimeBetween(T("2025-12-31T23:59:59Z"), T("2026-01-05T00:00:00Z")).error().code,
      "working_time_out_of_range");
  // The last window of 2026 (Thursday Dec 31, 08:00–17:00 EST) fits; past it does not.
  EXPECT_EQ(Utc(*tl->AddWorkingTime(T("2026-12-31T08:00:00-05:00"), 9h)), "2026-12-31T22:00:00Z");
  EXPECT_FALSE(tl->AddWorkingTime(T("2026-12-31T08:00:00-05:00"), 9h + 1us).ok());
  EXPECT_EQ(tl->AddWorkingTime(T("2026-06-01T12:00:00Z"), Micros{-1}).error().field, "amount");
  EXPECT_EQ(*tl->AddWorkingTime(T("2026-06-06T12:00:00Z"), 0us), T("2026-06-06T12:00:00Z"));
  EXPECT_EQ(tl->WorkingTimeBetween(T("2026-06-02T12:00:00Z"), T("2026-06-01T12:00:00Z"))->count(),
            0);
  EXPECT_EQ(WorkingTimeline::Build(WorkingSchedule{}, 2000, 2400).error().field, "years");
  EXPECT_EQ(WorkingTimeline::Build(WorkingSchedule{}, 2027, 2026).error().field, "years");
  WorkingSchedule bad;
  bad.open_minute_of_day = 600;
  bad.close_minute_of_day = 600;
  EXPECT_EQ(WorkingTimeline::Build(bad, 2026, 2026).error().code, "invalid_working_hours");
}

// ---------------------------------------------------------------------------
// Due instants of a fresh ticket: weekends, holidays, DST, 24×7.

struct DueCase {
  const char* name;
  SlaPlan plan;
  Priority priority;
  const char* created;
  const char* first_response_due;
  const char* first_response_warn;
  const char* resolution_due;
  const char* resolution_warn;
};

const DueCase kDueCases[] = {
    // The SPEC's example: Friday 16:00 → Monday 16:00, across the DST change.
    {"essentials medium friday 16:00", SlaPlan::kEssentials, Priority::kMedium,
     "2026-03-06T16:00:00-05:00", "2026-03-09T16:00:00-04:00", "2026-03-09T14:12:00-04:00",
     "2026-03-10T16:00:00-04:00", "2026-03-10T12:24:00-04:00"},
    {"essentials urgent sunday 02:00 (24x7)", SlaPlan::kEssentials, Priority::kUrgent,
     "2026-03-15T02:00:00-04:00", "2026-03-15T03:00:00-04:00", "2026-03-15T02:48:00-04:00",
     "2026-03-15T10:00:00-04:00", "2026-03-15T08:24:00-04:00"},
    {"essentials urgent across spring forward (real time)", SlaPlan::kEssentials, Priority::kUrgent,
     "2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00", "2026-03-08T03:18:00-04:00",
     "2026-03-08T10:30:00-04:00", "2026-03-08T08:54:00-04:00"},
    {"essentials high saturday", SlaPlan::kEssentials, Priority::kHigh, "2026-03-14T10:00:00-04:00",
     "2026-03-16T12:00:00-04:00", "2026-03-16T11:12:00-04:00", "2026-03-17T17:00:00-04:00",
     "2026-03-17T13:24:00-04:00"},
    {"essentials high 07:00 before opening", SlaPlan::kEssentials, Priority::kHigh,
     "2026-03-11T07:00:00-04:00", "2026-03-11T12:00:00-04:00", "2026-03-11T11:12:00-04:00",
     "2026-03-12T17:00:00-04:00", "2026-03-12T13:24:00-04:00"},
    {"reserve high 18:00 after closing", SlaPlan::kReserve, Priority::kHigh,
     "2026-03-11T18:00:00-04:00", "2026-03-12T10:00:00-04:00", "2026-03-12T09:36:00-04:00",
     "2026-03-12T17:00:00-04:00", "2026-03-12T15:12:00-04:00"},
    {"reserve low created at closing friday", SlaPlan::kReserve, Priority::kLow,
     "2026-03-13T17:00:00-04:00", "2026-03-16T17:00:00-04:00", "2026-03-16T15:12:00-04:00",
     "2026-03-18T17:00:00-04:00", "2026-03-18T11:36:00-04:00"},
    {"essentials medium across thanksgiving", SlaPlan::kEssentials, Priority::kMedium,
     "2026-11-25T15:00:00-05:00", "2026-11-27T15:00:00-05:00", "2026-11-27T13:12:00-05:00",
     "2026-11-30T15:00:00-05:00", "2026-11-30T11:24:00-05:00"},
    {"essentials low across christmas and new year observed (2022)", SlaPlan::kEssentials,
     Priority::kLow, "2022-12-23T14:00:00-05:00", "2022-12-28T14:00:00-05:00",
     "2022-12-28T10:24:00-05:00", "2023-01-03T14:00:00-05:00", "2022-12-30T14:00:00-05:00"},
    {"reserve high across christmas friday (2026)", SlaPlan::kReserve, Priority::kHigh,
     "2026-12-24T16:00:00-05:00", "2026-12-28T09:00:00-05:00", "2026-12-28T08:36:00-05:00",
     "2026-12-28T16:00:00-05:00", "2026-12-28T14:12:00-05:00"},
    {"essentials medium across fall back", SlaPlan::kEssentials, Priority::kMedium,
     "2026-10-30T16:00:00-04:00", "2026-11-02T16:00:00-05:00", "2026-11-02T14:12:00-05:00",
     "2026-11-03T16:00:00-05:00", "2026-11-03T12:24:00-05:00"},
    {"essentials high on friday july 3 (saturday holiday not moved)", SlaPlan::kEssentials,
     Priority::kHigh, "2026-07-03T09:00:00-04:00", "2026-07-03T13:00:00-04:00",
     "2026-07-03T12:12:00-04:00", "2026-07-07T09:00:00-04:00", "2026-07-06T14:24:00-04:00"},
    {"vip high 24x7 saturday night", SlaPlan::kVip, Priority::kHigh, "2026-03-14T22:30:00-04:00",
     "2026-03-14T23:30:00-04:00", "2026-03-14T23:18:00-04:00", "2026-03-15T06:30:00-04:00",
     "2026-03-15T04:54:00-04:00"},
    {"vip medium in hours", SlaPlan::kVip, Priority::kMedium, "2026-03-10T09:15:00-04:00",
     "2026-03-10T11:15:00-04:00", "2026-03-10T10:51:00-04:00", "2026-03-11T09:15:00-04:00",
     "2026-03-10T16:27:00-04:00"},
    {"vip urgent", SlaPlan::kVip, Priority::kUrgent, "2026-03-10T23:50:00-04:00",
     "2026-03-11T00:05:00-04:00", "2026-03-11T00:02:00-04:00", "2026-03-11T01:50:00-04:00",
     "2026-03-11T01:26:00-04:00"},
};

TEST(SlaDue, FreshTicketTable) {
  for (const DueCase& c : kDueCases) {
    SlaInput in = Ticket(c.plan, c.priority, c.created);
    SlaState s = Compute(in, in.created_at);
    EXPECT_EQ(Utc(s.first_response.due), Utc(T(c.first_response_due))) << c.name;
    EXPECT_EQ(Utc(s.first_response.warn_at), Utc(T(c.first_response_warn))) << c.name;
    EXPECT_EQ(Utc(s.resolution.due), Utc(T(c.resolution_due))) << c.name;
    EXPECT_EQ(Utc(s.resolution.warn_at), Utc(T(c.resolution_warn))) << c.name;
    EXPECT_EQ(s.first_response.state, SlaClockState::kRunning) << c.name;
    EXPECT_EQ(s.resolution.state, SlaClockState::kRunning) << c.name;
    EXPECT_FALSE(s.first_response.warned) << c.name;
    EXPECT_EQ(s.first_response.time_left, std::chrono::minutes{s.target.first_response_minutes})
        << c.name;
    EXPECT_EQ(s.resolution.time_left_minutes(), s.target.resolution_minutes) << c.name;
    // Working rows agree with calendar.h's own arithmetic.
    WorkingSchedule schedule = s.target.clock == SlaClockKind::kWorking
                                   ? WorkingSchedule{}
                                   : WorkingSchedule::AlwaysOpen();
    EXPECT_EQ(
        Utc(*calendar::AddWorkingMinutes(schedule, in.created_at, s.target.first_response_minutes)),
        Utc(s.first_response.due))
        << c.name;
    EXPECT_EQ(
        Utc(*calendar::AddWorkingMinutes(schedule, in.created_at, s.target.resolution_minutes)),
        Utc(s.resolution.due))
        << c.name;
  }
}

TEST(SlaDue, TimeLeftCountsDownInWorkingTime) {
  // Friday 16:00 medium: at Saturday noon, 60 working minutes have passed.
  SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kMedium, "2026-03-06T16:00:00-05:00");
  SlaState s = Compute(in, T("2026-03-07T12:00:00-05:00"));
  EXPECT_EQ(s.first_response.time_left_minutes(), 480);
  EXPECT_EQ(Utc(s.first_response.due), Utc(T("2026-03-09T16:00:00-04:00")));
  // Monday 16:00: due now, breached (a deadline is met strictly before it).
  s = Compute(in, T("2026-03-09T16:00:00-04:00"));
  EXPECT_EQ(s.first_response.state, SlaClockState::kBreached);
  EXPECT_TRUE(s.first_response.breached());
  EXPECT_EQ(s.first_response.time_left.count(), 0);
  s = Compute(in, T("2026-03-09T15:59:59.999999-04:00"));
  EXPECT_EQ(s.first_response.state, SlaClockState::kRunning);
  EXPECT_EQ(s.first_response.time_left.count(), 1);
  EXPECT_TRUE(s.first_response.warned);
  // Tuesday 09:30: 60 + 540 + 90 = 690 working minutes counted, 150 overdue.
  s = Compute(in, T("2026-03-10T09:30:00-04:00"));
  EXPECT_EQ(s.first_response.time_left_minutes(), -150);
  EXPECT_EQ(Utc(s.first_response.due), Utc(T("2026-03-09T16:00:00-04:00")));
}

TEST(SlaDue, TimeLeftMinutesRoundsDown) {
  SlaClockStatus c;
  c.time_left = Micros{-1};
  EXPECT_EQ(c.time_left_minutes(), -1);
  c.time_left = 59s;
  EXPECT_EQ(c.time_left_minutes(), 0);
  c.time_left = -60s;
  EXPECT_EQ(c.time_left_minutes(), -1);
}

// ---------------------------------------------------------------------------
// Histories: pending, priority changes, replies, solve and reopen.

TEST(SlaHistory, PendingForThreeWorkingHoursShiftsResolutionByThree) {
  // Essentials medium, Monday 09:00: resolution due Wednesday 09:00 untouched.
  const char* created = "2026-03-16T09:00:00-04:00";
  SlaInput plain = Ticket(SlaPlan::kEssentials, Priority::kMedium, created);
  EXPECT_EQ(Utc(Compute(plain, T("2026-03-17T10:00:00-04:00")).resolution.due),
            Utc(T("2026-03-18T09:00:00-04:00")));

  struct Case {
    const char* pending_from;
    const char* open_again;
  };
  const Case cases[] = {
      {"2026-03-16T10:00:00-04:00", "2026-03-16T13:00:00-04:00"},  // same day
      {"2026-03-16T16:00:00-04:00", "2026-03-17T10:00:00-04:00"},  // overnight: 1 h + 2 h
  };
  for (const Case& c : cases) {
    SlaInput in = plain;
    in.status_changes = {{T(created), TicketStatus::kOpen},
                         {T(c.pending_from), TicketStatus::kPending},
                         {T(c.open_again), TicketStatus::kOpen}};
    SlaState s = Compute(in, T("2026-03-17T10:00:00-04:00"));
    EXPECT_EQ(Utc(s.resolution.due), Utc(T("2026-03-18T12:00:00-04:00"))) << c.pending_from;
    EXPECT_EQ(s.resolution.state, SlaClockState::kRunning);
    EXPECT_EQ(s.resolution.time_left_minutes(), 1080 - 420);
    EXPECT_FALSE(s.resolution.warned);
    EXPECT_EQ(Utc(s.resolution.warn_at), Utc(T("2026-03-18T08:24:00-04:00")));
    // The first-response clock does not pause: due Tuesday 09:00, breached.
    EXPECT_EQ(Utc(s.first_response.due), Utc(T("2026-03-17T09:00:00-04:00")));
    EXPECT_EQ(s.first_response.state, SlaClockState::kBreached);
    EXPECT_EQ(s.first_response.time_left_minutes(), -60);
    EXPECT_TRUE(s.first_response.warned);
    EXPECT_EQ(Utc(s.first_response.warn_at), Utc(T("2026-03-16T16:12:00-04:00")));
  }
}

TEST(SlaHistory, WhilePendingTheDueIsAsIfResumedNow) {
  SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kMedium, "2026-03-16T09:00:00-04:00");
  in.status_changes = {{T("2026-03-16T10:00:00-04:00"), TicketStatus::kPending}};
  SlaState s = Compute(in, T("2026-03-16T12:00:00-04:00"));
  EXPECT_EQ(s.resolution.state, SlaClockState::kPaused);
  EXPECT_EQ(s.resolution.time_left_minutes(), 1020);
  EXPECT_EQ(Utc(s.resolution.due), Utc(T("2026-03-18T11:00:00-04:00")));
  // Over the weekend the paused due stands still at "from Monday 08:00".
  s = Compute(in, T("2026-03-21T12:00:00-04:00"));
  EXPECT_EQ(s.resolution.state, SlaClockState::kPaused);
  EXPECT_EQ(Utc(s.resolution.due), Utc(T("2026-03-24T16:00:00-04:00")));
  EXPECT_EQ(s.first_response.state, SlaClockState::kBreached);
}

TEST(SlaHistory, PriorityRaisedToUrgentRecomputesFromCreation) {
  SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kLow, "2026-03-16T09:00:00-04:00");
  in.priority_changes = {{T("2026-03-16T11:00:00-04:00"), Priority::kUrgent}};
  // Before the change: low, working time.
  SlaState before = Compute(in, T("2026-03-16T10:59:00-04:00"));
  EXPECT_EQ(before.priority, Priority::kLow);
  EXPECT_EQ(Utc(before.first_response.due), Utc(T("2026-03-18T09:00:00-04:00")));
  EXPECT_EQ(before.first_response.state, SlaClockState::kRunning);
  // At the change: urgent 24×7 from creation; first response already breached.
  SlaState s = Compute(in, T("2026-03-16T11:00:00-04:00"));
  EXPECT_EQ(s.priority, Priority::kUrgent);
  EXPECT_EQ(s.target.clock, SlaClockKind::kAlwaysOn);
  EXPECT_EQ(Utc(s.first_response.due), Utc(T("2026-03-16T10:00:00-04:00")));
  EXPECT_EQ(s.first_response.state, SlaClockState::kBreached);
  EXPECT_EQ(s.first_response.time_left_minutes(), -60);
  EXPECT_EQ(Utc(s.resolution.due), Utc(T("2026-03-16T17:00:00-04:00")));
  EXPECT_EQ(s.resolution.state, SlaClockState::kRunning);
  EXPECT_EQ(s.resolution.time_left_minutes(), 360);
  EXPECT_EQ(NextSlaEvent(s),
            (SlaEvent{SlaEventKind::kResolutionWarning, T("2026-03-16T15:24:00-04:00")}));
  // Lowered again to low the next morning: back to working time from creation.
  in.priority_changes.push_back({T("2026-03-17T09:00:00-04:00"), Priority::kLow});
  s = Compute(in, T("2026-03-17T09:00:00-04:00"));
  EXPECT_EQ(s.priority, Priority::kLow);
  EXPECT_EQ(s.first_response.state, SlaClockState::kRunning);
  EXPECT_EQ(s.first_response.time_left_minutes(), 1080 - 480 - 60);
}

TEST(SlaHistory, ReopenAfterSolvedResumes) {
  SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kHigh, "2026-03-16T09:00:00-04:00");
  in.first_public_agent_reply_at = T("2026-03-16T10:00:00-04:00");
  in.status_changes = {{T("2026-03-16T10:00:00-04:00"), TicketStatus::kOpen},
                       {T("2026-03-16T12:00:00-04:00"), TicketStatus::kSolved},
                       {T("2026-03-18T09:00:00-04:00"), TicketStatus::kOpen}};
  // While solved: met, the due as it stood at the solve.
  SlaState s = Compute(in, T("2026-03-17T12:00:00-04:00"));
  EXPECT_EQ(s.resolution.state, SlaClockState::kMet);
  EXPECT_EQ(s.resolution.time_left_minutes(), 900);
  EXPECT_EQ(Utc(s.resolution.due), Utc(T("2026-03-18T09:00:00-04:00")));
  EXPECT_EQ(s.first_response.state, SlaClockState::kMet);
  EXPECT_EQ(s.first_response.time_left_minutes(), 180);
  EXPECT_EQ(Utc(s.first_response.due), Utc(T("2026-03-16T13:00:00-04:00")));
  EXPECT_EQ(NextSlaEvent(s), std::nullopt);
  // Reopened Wednesday 09:00; at 10:00, 240 of 1080 minutes are used.
  s = Compute(in, T("2026-03-18T10:00:00-04:00"));
  EXPECT_EQ(s.resolution.state, SlaClockState::kRunning);
  EXPECT_EQ(s.resolution.time_left_minutes(), 840);
  EXPECT_EQ(Utc(s.resolution.due), Utc(T("2026-03-19T15:00:00-04:00")));
  EXPECT_EQ(s.first_response.state, SlaClockState::kMet);
  // 80 % = 864 min: 180 on Monday, 480 on Wednesday, 204 on Thursday.
  EXPECT_EQ(NextSlaEvent(s),
            (SlaEvent{SlaEventKind::kResolutionWarning, T("2026-03-19T11:24:00-04:00")}));
  // Solved again then closed: met for good.
  in.status_changes.push_back({T("2026-03-18T11:00:00-04:00"), TicketStatus::kSolved});
  in.status_changes.push_back({T("2026-03-25T11:00:00-04:00"), TicketStatus::kClosed});
  s = Compute(in, T("2026-03-30T10:00:00-04:00"));
  EXPECT_EQ(s.resolution.state, SlaClockState::kMet);
  EXPECT_EQ(s.resolution.time_left_minutes(), 780);
  EXPECT_EQ(Utc(s.resolution.due), Utc(T("2026-03-19T15:00:00-04:00")));
}

TEST(SlaHistory, ReplyOrSolveAtTheDueInstantIsABreach) {
  const char* created = "2026-03-16T09:00:00-04:00";  // essentials high: FR due 13:00
  struct Case {
    const char* reply;
    SlaClockState want;
    int64_t left_us;
  };
  const Case cases[] = {
      {"2026-03-16T12:59:59.999999-04:00", SlaClockState::kMet, 1},
      {"2026-03-16T13:00:00-04:00", SlaClockState::kBreached, 0},
      {"2026-03-16T13:00:00.000001-04:00", SlaClockState::kBreached, -1},
  };
  for (const Case& c : cases) {
    SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kHigh, created);
    in.first_public_agent_reply_at = T(c.reply);
    SlaState s = Compute(in, T("2026-03-16T15:00:00-04:00"));
    EXPECT_EQ(s.first_response.state, c.want) << c.reply;
    EXPECT_EQ(s.first_response.time_left.count(), c.left_us) << c.reply;
    EXPECT_EQ(Utc(s.first_response.due), Utc(T("2026-03-16T13:00:00-04:00"))) << c.reply;
  }
  // A reply after `now` is not known yet.
  SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kHigh, created);
  in.first_public_agent_reply_at = T("2026-03-16T16:00:00-04:00");
  EXPECT_EQ(Compute(in, T("2026-03-16T12:00:00-04:00")).first_response.state,
            SlaClockState::kRunning);
}

TEST(SlaHistory, SolvedAfterClosingTimeButPastDueIsBreached) {
  // Reserve high Monday 08:00: resolution 540 working min, due 17:00 the same day.
  SlaInput in = Ticket(SlaPlan::kReserve, Priority::kHigh, "2026-03-16T08:00:00-04:00");
  in.first_public_agent_reply_at = T("2026-03-16T08:30:00-04:00");
  in.status_changes = {{T("2026-03-16T17:30:00-04:00"), TicketStatus::kSolved}};
  SlaState s = Compute(in, T("2026-03-17T09:00:00-04:00"));
  EXPECT_EQ(s.resolution.state, SlaClockState::kBreached);
  EXPECT_EQ(Utc(s.resolution.due), Utc(T("2026-03-16T17:00:00-04:00")));
  EXPECT_EQ(s.resolution.time_left.count(), 0);
  in.status_changes = {{T("2026-03-16T16:59:00-04:00"), TicketStatus::kSolved}};
  s = Compute(in, T("2026-03-17T09:00:00-04:00"));
  EXPECT_EQ(s.resolution.state, SlaClockState::kMet);
  EXPECT_EQ(s.resolution.time_left_minutes(), 1);
}

TEST(SlaHistory, FirstResponseStopsWhileSolvedWithoutReply) {
  SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kMedium, "2026-03-16T09:00:00-04:00");
  in.status_changes = {{T("2026-03-16T10:00:00-04:00"), TicketStatus::kSolved}};
  SlaState s = Compute(in, T("2026-03-20T12:00:00-04:00"));
  EXPECT_EQ(s.first_response.state, SlaClockState::kStopped);
  EXPECT_EQ(s.first_response.time_left_minutes(), 480);
  EXPECT_EQ(s.resolution.state, SlaClockState::kMet);
  EXPECT_EQ(NextSlaEvent(s), std::nullopt);
  // Reopened the next Monday 08:00: it resumes with 480 minutes left.
  in.status_changes.push_back({T("2026-03-23T08:00:00-04:00"), TicketStatus::kOpen});
  s = Compute(in, T("2026-03-23T08:00:00-04:00"));
  EXPECT_EQ(s.first_response.state, SlaClockState::kRunning);
  EXPECT_EQ(Utc(s.first_response.due), Utc(T("2026-03-23T16:00:00-04:00")));
}

TEST(SlaHistory, VipHighPendingPausesRealTime) {
  SlaInput in = Ticket(SlaPlan::kVip, Priority::kHigh, "2026-03-14T22:30:00-04:00");
  in.first_public_agent_reply_at = T("2026-03-14T22:50:00-04:00");
  in.status_changes = {{T("2026-03-14T23:00:00-04:00"), TicketStatus::kPending},
                       {T("2026-03-15T01:00:00-04:00"), TicketStatus::kOpen}};
  SlaState s = Compute(in, T("2026-03-15T01:00:00-04:00"));
  EXPECT_EQ(s.first_response.state, SlaClockState::kMet);
  EXPECT_EQ(s.first_response.time_left_minutes(), 40);
  EXPECT_EQ(s.resolution.state, SlaClockState::kRunning);
  EXPECT_EQ(s.resolution.time_left_minutes(), 450);
  EXPECT_EQ(Utc(s.resolution.due), Utc(T("2026-03-15T08:30:00-04:00")));
}

TEST(SlaHistory, ConfiguredTableAndOrgHolidays) {
  SlaTable table = DefaultSlaTable();
  table.at(SlaPlan::kEssentials, Priority::kMedium) = {60, 120, SlaClockKind::kWorking};
  WorkingSchedule hours;
  hours.holidays = calendar::HolidayCalendar({calendar::Date{std::chrono::year{2026} / 3 / 9}});
  Result<SlaRules> rules = SlaRules::Create(table, hours, 2025, 2027);
  ASSERT_TRUE(rules.ok());
  SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kMedium, "2026-03-06T16:00:00-05:00");
  SlaState s = Compute(in, in.created_at, *rules);
  EXPECT_EQ(Utc(s.first_response.due), Utc(T("2026-03-06T17:00:00-05:00")));
  // Monday 2026-03-09 is the org's holiday: the second hour is on Tuesday.
  EXPECT_EQ(Utc(s.resolution.due), Utc(T("2026-03-10T09:00:00-04:00")));
}

// ---------------------------------------------------------------------------
// Next events (the sweep).

TEST(SlaNextEvent, Sequence) {
  SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kMedium, "2026-03-06T16:00:00-05:00");
  struct Step {
    const char* now;
    std::optional<SlaEvent> want;
  };
  const Step steps[] = {
      {"2026-03-06T16:00:00-05:00",
       SlaEvent{SlaEventKind::kFirstResponseWarning, T("2026-03-09T14:12:00-04:00")}},
      {"2026-03-09T14:11:59-04:00",
       SlaEvent{SlaEventKind::kFirstResponseWarning, T("2026-03-09T14:12:00-04:00")}},
      {"2026-03-09T14:12:00-04:00",
       SlaEvent{SlaEventKind::kFirstResponseBreach, T("2026-03-09T16:00:00-04:00")}},
      {"2026-03-09T16:00:00-04:00",
       SlaEvent{SlaEventKind::kResolutionWarning, T("2026-03-10T12:24:00-04:00")}},
      {"2026-03-10T12:24:00-04:00",
       SlaEvent{SlaEventKind::kResolutionBreach, T("2026-03-10T16:00:00-04:00")}},
      {"2026-03-10T16:00:00-04:00", std::nullopt},
  };
  for (const Step& step : steps) {
    Result<std::optional<SlaEvent>> e = NextSlaEvent(Rules(), in, T(step.now));
    ASSERT_TRUE(e.ok()) << step.now;
    EXPECT_EQ(*e, step.want) << step.now;
  }
}

TEST(SlaNextEvent, PausedAndStoppedClocksProduceNone) {
  SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kMedium, "2026-03-16T09:00:00-04:00");
  in.first_public_agent_reply_at = T("2026-03-16T09:30:00-04:00");
  in.status_changes = {{T("2026-03-16T09:30:00-04:00"), TicketStatus::kPending}};
  EXPECT_EQ(*NextSlaEvent(Rules(), in, T("2026-03-16T12:00:00-04:00")), std::nullopt);
  // Without the reply the first-response clock still runs during pending.
  in.first_public_agent_reply_at.reset();
  EXPECT_EQ(*NextSlaEvent(Rules(), in, T("2026-03-16T12:00:00-04:00")),
            (SlaEvent{SlaEventKind::kFirstResponseWarning, T("2026-03-16T16:12:00-04:00")}));
}

// ---------------------------------------------------------------------------
// Bad input.

TEST(SlaErrors, BadHistories) {
  SlaInput in = Ticket(SlaPlan::kEssentials, Priority::kMedium, "2026-03-16T09:00:00-04:00");
  Result<SlaState> r = ComputeSlaState(Rules(), in, T("2026-03-16T08:00:00-04:00"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "invalid_sla_input");
  EXPECT_EQ(r.error().field, "now");

  SlaInput unordered = in;
  unordered.status_changes = {{T("2026-03-16T11:00:00-04:00"), TicketStatus::kOpen},
                              {T("2026-03-16T10:00:00-04:00"), TicketStatus::kPending}};
  EXPECT_EQ(ComputeSlaState(Rules(), unordered, T("2026-03-17T09:00:00-04:00")).error().field,
            "status_changes");
  SlaInput early = in;
  early.priority_changes = {{T("2026-03-16T08:00:00-04:00"), Priority::kHigh}};
  EXPECT_EQ(ComputeSlaState(Rules(), early, T("2026-03-17T09:00:00-04:00")).error().field,
            "priority_changes");
  SlaInput reply = in;
  reply.first_public_agent_reply_at = T("2026-03-16T08:00:00-04:00");
  EXPECT_EQ(ComputeSlaState(Rules(), reply, T("2026-03-17T09:00:00-04:00")).error().field,
            "first_public_agent_reply_at");
  SlaInput many = in;
  many.status_changes.assign(kMaxSlaHistory + 1, {in.created_at, TicketStatus::kOpen});
  EXPECT_EQ(ComputeSlaState(Rules(), many, in.created_at).error().field, "status_changes");
}

TEST(SlaErrors, OutsideTheTimeline) {
  Result<SlaRules> rules = SlaRules::Create(DefaultSlaTable(), WorkingSchedule{}, 2026, 2026);
  ASSERT_TRUE(rules.ok());
  SlaInput old = Ticket(SlaPlan::kEssentials, Priority::kMedium, "2025-12-31T12:00:00Z");
  EXPECT_EQ(ComputeSlaState(*rules, old, T("2026-01-02T12:00:00Z")).error().code,
            "sla_out_of_range");
  // Due in 2027: past the timeline.
  SlaInput late = Ticket(SlaPlan::kEssentials, Priority::kLow, "2026-12-30T12:00:00Z");
  EXPECT_EQ(ComputeSlaState(*rules, late, late.created_at).error().code, "sla_out_of_range");
  EXPECT_EQ(ComputeSlaState(*rules, late, T("2027-01-01T00:00:01Z")).error().code,
            "sla_out_of_range");
}

// ---------------------------------------------------------------------------
// Random histories against a reference built on calendar.h.

// One clock recomputed from the rules with calendar::WorkingTimeBetween and
// calendar::AddWorkingMinutes (instants on whole minutes).
struct RefClock {
  SlaClockState state;
  Instant due;
  int64_t left_minutes;
};

RefClock Reference(const SlaInput& in, Instant now, bool first_response) {
  const SlaTarget target = DefaultSlaTable().at(in.plan, [&] {
    Priority p = in.initial_priority;
    for (const PriorityChange& c : in.priority_changes) {
      if (c.at <= now) p = c.priority;
    }
    return p;
  }());
  const WorkingSchedule schedule =
      target.clock == SlaClockKind::kWorking ? WorkingSchedule{} : WorkingSchedule::AlwaysOpen();
  const int64_t target_min =
      first_response ? target.first_response_minutes : target.resolution_minutes;
  auto counts = [&](TicketStatus s) {
    if (first_response) return s != TicketStatus::kSolved && s != TicketStatus::kClosed;
    return s == TicketStatus::kNew || s == TicketStatus::kOpen;
  };
  Instant end = now;
  bool replied =
      first_response && in.first_public_agent_reply_at && *in.first_public_agent_reply_at <= now;
  if (replied) end = *in.first_public_agent_reply_at;
  // Stretches of constant status up to `end`.
  std::vector<std::pair<Instant, TicketStatus>> marks = {{in.created_at, in.initial_status}};
  for (const StatusChange& c : in.status_changes) {
    if (c.at <= end) marks.push_back({c.at, c.status});
  }
  int64_t counted = 0;
  std::optional<Instant> crossed;
  Instant stop_at = in.created_at;
  for (size_t i = 0; i < marks.size(); ++i) {
    Instant a = marks[i].first;
    Instant b = i + 1 < marks.size() ? marks[i + 1].first : end;
    auto stopped = [](TicketStatus s) {
      return s == TicketStatus::kSolved || s == TicketStatus::kClosed;
    };
    if (i > 0 && stopped(marks[i].second) && !stopped(marks[i - 1].second)) stop_at = a;
    if (!counts(marks[i].second)) continue;
    int64_t len = *calendar::WorkingMinutesBetween(schedule, a, b);
    if (!crossed && counted + len >= target_min) {
      crossed = *calendar::AddWorkingMinutes(schedule, a, target_min - counted);
    }
    counted += len;
  }
  TicketStatus last = marks.back().second;
  RefClock out{};
  out.left_minutes = target_min - counted;
  Instant anchor = now;
  if (crossed) {
    out.state = SlaClockState::kBreached;
    out.due = *crossed;
    return out;
  }
  if (replied) {
    out.state = SlaClockState::kMet;
    anchor = end;
  } else if (counts(last)) {
    out.state = SlaClockState::kRunning;
  } else if (last == TicketStatus::kPending) {
    out.state = SlaClockState::kPaused;
  } else {
    out.state = first_response ? SlaClockState::kStopped : SlaClockState::kMet;
    anchor = stop_at;
  }
  out.due = *calendar::AddWorkingMinutes(schedule, anchor, target_min - counted);
  return out;
}

TEST(SlaRandom, AgreesWithCalendarReference) {
  std::mt19937_64 rng(42);
  const int64_t base_min = ToMicros(T("2026-01-01T00:00:00Z")) / 60'000'000;
  std::uniform_int_distribution<int64_t> start(0, 330 * 24 * 60);
  std::uniform_int_distribution<int64_t> gap(0, 3 * 24 * 60);
  std::uniform_int_distribution<int> small(0, 99);
  auto at_minute = [](int64_t m) { return FromMicros(m * 60'000'000); };
  const TicketStatus next_of[5][3] = {
      {TicketStatus::kOpen, TicketStatus::kPending, TicketStatus::kSolved},     // new
      {TicketStatus::kPending, TicketStatus::kSolved, TicketStatus::kPending},  // open
      {TicketStatus::kOpen, TicketStatus::kSolved, TicketStatus::kOpen},        // pending
      {TicketStatus::kOpen, TicketStatus::kClosed, TicketStatus::kOpen},        // solved
      {TicketStatus::kClosed, TicketStatus::kClosed, TicketStatus::kClosed},    // closed
  };
  int seen[2][5] = {};  // [first response, resolution][state]
  for (int n = 0; n < 2000; ++n) {
    SlaInput in;
    in.plan = static_cast<SlaPlan>(small(rng) % 3);
    in.initial_priority = static_cast<Priority>(small(rng) % 4);
    int64_t m = base_min + start(rng);
    in.created_at = at_minute(m);
    TicketStatus s = TicketStatus::kNew;
    int changes = small(rng) % 6;
    for (int i = 0; i < changes; ++i) {
      m += gap(rng) / (1 + small(rng) % 8);
      s = next_of[static_cast<int>(s)][small(rng) % 3];
      in.status_changes.push_back({at_minute(m), s});
      if (small(rng) < 15) {
        in.priority_changes.push_back({at_minute(m), static_cast<Priority>(small(rng) % 4)});
      }
    }
    if (small(rng) < 60) {
      in.first_public_agent_reply_at =
          at_minute(ToMicros(in.created_at) / 60'000'000 + gap(rng) / 4);
    }
    Instant now = at_minute(m + gap(rng) / 2);
    SlaState got = Compute(in, now);
    for (bool fr : {true, false}) {
      RefClock want = Reference(in, now, fr);
      const SlaClockStatus& c = fr ? got.first_response : got.resolution;
      std::string what = std::string(fr ? "first response" : "resolution") + " of sample " +
                         std::to_string(n) + " at " + Utc(now);
      ASSERT_EQ(SlaClockStateName(c.state), SlaClockStateName(want.state)) << what;
      ASSERT_EQ(Utc(c.due), Utc(want.due)) << what;
      ASSERT_EQ(c.time_left_minutes(), want.left_minutes) << what;
      ASSERT_EQ(c.time_left.count() % 60'000'000, 0) << what;
      ++seen[fr ? 0 : 1][static_cast<int>(c.state)];
    }
    // The next event, if any, is after now and is one of the clocks' instants.
    std::optional<SlaEvent> e = NextSlaEvent(got);
    if (e.has_value()) {
      ASSERT_GT(e->at, now);
      ASSERT_TRUE(e->at == got.first_response.due || e->at == got.first_response.warn_at ||
                  e->at == got.resolution.due || e->at == got.resolution.warn_at);
    }
  }
  // The samples reach every state each clock can be in.
  for (SlaClockState st : {SlaClockState::kRunning, SlaClockState::kStopped, SlaClockState::kMet,
                           SlaClockState::kBreached}) {
    EXPECT_GE(seen[0][static_cast<int>(st)], 50) << "first response " << SlaClockStateName(st);
  }
  for (SlaClockState st : {SlaClockState::kRunning, SlaClockState::kPaused, SlaClockState::kMet,
                           SlaClockState::kBreached}) {
    EXPECT_GE(seen[1][static_cast<int>(st)], 50) << "resolution " << SlaClockStateName(st);
  }
}

}  // namespace
}  // namespace payops::desk
