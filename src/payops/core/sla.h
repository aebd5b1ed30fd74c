// The SLA engine of the support desk (SPEC §3.3): the plan × priority table,
// working-time arithmetic on a precomputed timeline, and the state of a ticket's
// first-response and resolution clocks as a pure function of its history.
//
// Pure computation: no I/O, no clock reads (`now` is a parameter), no threads.
// SlaRules and WorkingTimeline are immutable after Create/Build and cheap to
// copy (shared data); every function is thread-safe.
//
// Rules (SPEC §3.3), as implemented by ComputeSlaState:
// - The targets are those of (plan, priority) in the SlaTable, with the priority
//   in force at `now`; a priority change recomputes both targets (and the clock
//   kind) from creation, as if the ticket had always had the new priority.
// - A clock counts working time (08:00–17:00 America/New_York, Mon–Fri, less the
//   calendar's holidays, by default) or real time (24×7), per the table row.
// - First response: starts at creation, counts while the ticket is new, open or
//   pending, stops for good at the first public agent reply (met / breached).
//   While the ticket is solved or closed without any agent reply it does not
//   count (state stopped); a reopen resumes it.
// - Resolution: starts at creation, counts while the ticket is new or open,
//   pauses while pending (the due instant moves later by the paused working
//   time), stops while solved or closed (met); a reopen resumes it.
// - A deadline is breached when the clock reaches its target before it stops:
//   a reply or a solve at the due instant itself is a breach, one a microsecond
//   earlier is met. Once breached, a clock stays breached.
// - The warning instant is when the clock reaches 80 % of its target.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "payops/core/calendar.h"
#include "payops/core/clock.h"
#include "payops/core/result.h"
#include "payops/core/ticket.h"

namespace payops::desk {

// ---------------------------------------------------------------------------
// The table.

enum class SlaPlan : uint8_t { kEssentials, kReserve, kVip };
inline constexpr size_t kSlaPlanCount = 3;
// "essentials" | "reserve" | "vip"; error invalid_value (field "sla_plan").
Result<SlaPlan> ParseSlaPlan(std::string_view text);
// The API name of `plan`.
std::string_view SlaPlanName(SlaPlan plan);

// How a clock counts: working minutes, or every minute (24×7).
enum class SlaClockKind : uint8_t { kWorking, kAlwaysOn };
// "working" | "24x7".
std::string_view SlaClockKindName(SlaClockKind kind);

// One row of the table.
struct SlaTarget {
  int64_t first_response_minutes = 0;
  int64_t resolution_minutes = 0;
  SlaClockKind clock = SlaClockKind::kWorking;
  friend bool operator==(const SlaTarget&, const SlaTarget&) = default;
};

// Largest target accepted: one year of minutes.
inline constexpr int64_t kMaxSlaTargetMinutes = 366 * 24 * 60;

// The plan × priority table; configuration may replace any row.
struct SlaTable {
  // targets[plan][priority], indexed by the enums' values.
  std::array<std::array<SlaTarget, kPriorityCount>, kSlaPlanCount> targets{};

  const SlaTarget& at(SlaPlan plan, Priority priority) const {
    return targets[static_cast<size_t>(plan)][static_cast<size_t>(priority)];
  }
  SlaTarget& at(SlaPlan plan, Priority priority) {
    return targets[static_cast<size_t>(plan)][static_cast<size_t>(priority)];
  }
  friend bool operator==(const SlaTable&, const SlaTable&) = default;
};

// The SPEC §3.3 table, in minutes (a working day is 9 h = 540 min):
//   essentials: urgent 60 / 480 24×7; high 240 / 1080; medium 540 / 1080;
//               low 1080 / 2700
//   reserve:    urgent 30 / 240 24×7; high 120 / 540; medium 240 / 1080;
//               low 540 / 1620
//   vip:        urgent 15 / 120 24×7; high 60 / 480 24×7; medium 120 / 540;
//               low 240 / 1080
SlaTable DefaultSlaTable();

// OK when every target is 1..kMaxSlaTargetMinutes minutes. Error
// invalid_sla_table naming the row, field e.g. "sla.vip.high.resolution_minutes".
Status ValidateSlaTable(const SlaTable& table);

// ---------------------------------------------------------------------------
// Working time on a precomputed timeline.

// The default years a timeline covers, and the widest span accepted.
inline constexpr int kDefaultSlaFirstYear = 2000;
inline constexpr int kDefaultSlaLastYear = 2100;
inline constexpr int kMaxTimelineYears = 400;

// Working time as a function: W(t) = the working time of a schedule between
// the timeline's begin and t, for t in [begin, end] where begin is 00:00 UTC on
// January 1 of first_year and end 00:00 UTC on January 1 of last_year + 1.
// Built once (about 1.5 ms and under 30 bytes per day covered: ~1 MB for the
// default 2000..2100; build one per distinct working schedule and share it),
// then every query is O(1): a day index finds W(t), a working-time index
// finds its inverse.
// Answers equal calendar::WorkingTimeBetween and calendar::AddWorkingMinutes
// (same windows, from calendar::LocalToInstant), to the microsecond.
class WorkingTimeline {
 public:
  // Errors: invalid_working_hours (ValidateWorkingSchedule), invalid_value
  // (field "years") unless 1 <= first_year <= last_year <= 9998 and the span is
  // at most kMaxTimelineYears years.
  static Result<WorkingTimeline> Build(const calendar::WorkingSchedule& schedule, int first_year,
                                       int last_year);

  // The instants the timeline covers: [begin, end].
  Instant begin() const;
  Instant end() const;
  // True for a 24×7 schedule (W(t) = t - begin, no tables).
  bool always_open() const;

  // The working time in [from, to) (zero if to <= from). Error
  // working_time_out_of_range unless both lie in [begin, end].
  Result<Micros> WorkingTimeBetween(Instant from, Instant to) const;
  // The earliest instant t >= start with WorkingTimeBetween(start, t) ==
  // amount: `start` for a zero amount, otherwise an instant in (open, close] of
  // some working window. Errors: invalid_value (negative amount, field
  // "amount"), working_time_out_of_range (start outside [begin, end], or the
  // result after end).
  Result<Instant> AddWorkingTime(Instant start, Micros amount) const;

  // For sla.cc: unchecked W and its inverse in microseconds since begin.
  struct Data;
  const Data& data() const { return *data_; }

 private:
  explicit WorkingTimeline(std::shared_ptr<const Data> data) : data_(std::move(data)) {}
  std::shared_ptr<const Data> data_;
};

// ---------------------------------------------------------------------------
// The rules: a table and a working-hours timeline.

class SlaRules {
 public:
  // Validates the table (ValidateSlaTable) and builds the timeline of
  // `working_hours` (WorkingTimeline::Build) over [first_year, last_year].
  // The default working hours are WorkingSchedule{} : 08:00–17:00 New York,
  // Federal Reserve holidays.
  static Result<SlaRules> Create(const SlaTable& table,
                                 const calendar::WorkingSchedule& working_hours = {},
                                 int first_year = kDefaultSlaFirstYear,
                                 int last_year = kDefaultSlaLastYear);

  // The validated table and the working-hours timeline.
  const SlaTable& table() const { return table_; }
  const WorkingTimeline& working_time() const { return timeline_; }

 private:
  SlaRules(const SlaTable& table, WorkingTimeline timeline)
      : table_(table), timeline_(std::move(timeline)) {}
  SlaTable table_;
  WorkingTimeline timeline_;
};

// ---------------------------------------------------------------------------
// A ticket's clocks.

// Most changes of each kind a history may hold.
inline constexpr size_t kMaxSlaHistory = 10000;

struct PriorityChange {
  Instant at;
  Priority priority = Priority::kMedium;
};

struct StatusChange {
  Instant at;
  TicketStatus status = TicketStatus::kNew;
};

// What the SLA of one ticket depends on. Changes are in chronological order
// (equal instants allowed, applied in list order), none before created_at;
// those after `now` are ignored.
struct SlaInput {
  SlaPlan plan = SlaPlan::kEssentials;
  Instant created_at;
  Priority initial_priority = Priority::kMedium;
  std::vector<PriorityChange> priority_changes;
  TicketStatus initial_status = TicketStatus::kNew;
  std::vector<StatusChange> status_changes;
  std::optional<Instant> first_public_agent_reply_at;
};

enum class SlaClockState : uint8_t {
  kRunning,   // counting, target not reached
  kPaused,    // resolution while pending
  kStopped,   // first response while solved/closed with no agent reply
  kMet,       // stopped for good before the target (reply; resolution solved)
  kBreached,  // the target was reached before the clock stopped
};
// "running" | "paused" | "stopped" | "met" | "breached".
std::string_view SlaClockStateName(SlaClockState state);

// One clock at `now`.
struct SlaClockStatus {
  SlaClockState state = SlaClockState::kRunning;
  // When the target is (breached: was) reached. For a running clock the
  // instant it will be reached if nothing changes; paused: if it resumed now;
  // met / stopped: as it stood when the clock stopped.
  Instant due;
  // When 80 % of the target is (was) reached, in the same sense as `due`.
  Instant warn_at;
  // The target minus the time counted so far, in the clock's units (working or
  // real time); negative by how much the target was exceeded.
  Micros time_left{0};
  bool warned = false;  // 80 % reached while counting (stays true)

  bool breached() const { return state == SlaClockState::kBreached; }
  // time_left in whole minutes, rounded towards minus infinity.
  int64_t time_left_minutes() const;
  friend bool operator==(const SlaClockStatus&, const SlaClockStatus&) = default;
};

struct SlaState {
  Priority priority = Priority::kMedium;  // in force at `now`
  SlaTarget target;                       // its table row
  SlaClockStatus first_response;
  SlaClockStatus resolution;
  friend bool operator==(const SlaState&, const SlaState&) = default;
};

// The state of both clocks at `now`. Errors: invalid_sla_input (field "now" if
// now < created_at; "status_changes" / "priority_changes" /
// "first_public_agent_reply_at" for an entry before created_at or out of order,
// or more than kMaxSlaHistory entries), sla_out_of_range (created_at, now or a
// working-time due instant outside the rules' timeline).
Result<SlaState> ComputeSlaState(const SlaRules& rules, const SlaInput& input, Instant now);

enum class SlaEventKind : uint8_t {
  kFirstResponseWarning,
  kFirstResponseBreach,
  kResolutionWarning,
  kResolutionBreach,
};
// "first_response_warning" | "first_response_breach" | "resolution_warning" |
// "resolution_breach".
std::string_view SlaEventKindName(SlaEventKind kind);

struct SlaEvent {
  SlaEventKind kind = SlaEventKind::kFirstResponseWarning;
  Instant at;
  friend bool operator==(const SlaEvent&, const SlaEvent&) = default;
};

// The next warning or breach strictly after the `now` of `state`, if nothing
// changes: the earliest of, for each running clock, its warn_at when not yet
// warned, else its due. Paused, stopped, met and breached clocks produce none;
// nullopt when neither clock does. On equal instants the first-response event
// comes first. (Events at or before `now` are already in the state's flags.)
std::optional<SlaEvent> NextSlaEvent(const SlaState& state);
// ComputeSlaState then NextSlaEvent; same errors.
Result<std::optional<SlaEvent>> NextSlaEvent(const SlaRules& rules, const SlaInput& input,
                                             Instant now);

}  // namespace payops::desk
