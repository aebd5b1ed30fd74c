#include "payops/core/sla.h"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

namespace payops::desk {

namespace {

constexpr int64_t kMicrosPerMinute = 60'000'000;
constexpr int64_t kMicrosPerHour = 60 * kMicrosPerMinute;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;
// Blocks of the inverse index are 2^shift µs of working time, at most the
// shortest working window and at least 2^32 µs (~72 min), which bounds the
// index's size for odd schedules. A power of two: no division on the hot path.
constexpr int kMinBlockShift = 32;

constexpr std::array<std::string_view, kSlaPlanCount> kPlanNames = {"essentials", "reserve", "vip"};
constexpr std::array<std::string_view, kPriorityCount> kPriorityKeys = {"low", "medium", "high",
                                                                        "urgent"};
constexpr std::array<std::string_view, 5> kClockStateNames = {"running", "paused", "stopped", "met",
                                                              "breached"};
constexpr std::array<std::string_view, 4> kEventKindNames = {
    "first_response_warning", "first_response_breach", "resolution_warning", "resolution_breach"};

constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

Error OutOfRange(const std::string& what) {
  return Error::Invalid("working_time_out_of_range",
                        what + " lies outside the working-time timeline");
}

}  // namespace

// ---------------------------------------------------------------------------
// The table.

Result<SlaPlan> ParseSlaPlan(std::string_view text) {
  for (size_t i = 0; i < kPlanNames.size(); ++i) {
    if (kPlanNames[i] == text) return static_cast<SlaPlan>(i);
  }
  return Error::Invalid("invalid_value", "sla_plan must be essentials, reserve or vip", "sla_plan");
}

std::string_view SlaPlanName(SlaPlan plan) {
  return kPlanNames[static_cast<size_t>(plan)];
}

std::string_view SlaClockKindName(SlaClockKind kind) {
  return kind == SlaClockKind::kWorking ? "working" : "24x7";
}

SlaTable DefaultSlaTable() {
  using P = Priority;
  using K = SlaClockKind;
  constexpr int64_t kHour = 60;
  constexpr int64_t kWorkingDay = 9 * kHour;
  SlaTable t;
  t.at(SlaPlan::kEssentials, P::kUrgent) = {60, 8 * kHour, K::kAlwaysOn};
  t.at(SlaPlan::kEssentials, P::kHigh) = {4 * kHour, 2 * kWorkingDay, K::kWorking};
  t.at(SlaPlan::kEssentials, P::kMedium) = {kWorkingDay, 2 * kWorkingDay, K::kWorking};
  t.at(SlaPlan::kEssentials, P::kLow) = {2 * kWorkingDay, 5 * kWorkingDay, K::kWorking};
  t.at(SlaPlan::kReserve, P::kUrgent) = {30, 4 * kHour, K::kAlwaysOn};
  t.at(SlaPlan::kReserve, P::kHigh) = {2 * kHour, kWorkingDay, K::kWorking};
  t.at(SlaPlan::kReserve, P::kMedium) = {4 * kHour, 2 * kWorkingDay, K::kWorking};
  t.at(SlaPlan::kReserve, P::kLow) = {kWorkingDay, 3 * kWorkingDay, K::kWorking};
  t.at(SlaPlan::kVip, P::kUrgent) = {15, 2 * kHour, K::kAlwaysOn};
  t.at(SlaPlan::kVip, P::kHigh) = {kHour, 8 * kHour, K::kAlwaysOn};
  t.at(SlaPlan::kVip, P::kMedium) = {2 * kHour, kWorkingDay, K::kWorking};
  t.at(SlaPlan::kVip, P::kLow) = {4 * kHour, 2 * kWorkingDay, K::kWorking};
  return t;
}

Status ValidateSlaTable(const SlaTable& table) {
  for (size_t p = 0; p < kSlaPlanCount; ++p) {
    for (size_t q = 0; q < kPriorityCount; ++q) {
      const SlaTarget& t = table.targets[p][q];
      const std::string row =
          "sla." + std::string(kPlanNames[p]) + "." + std::string(kPriorityKeys[q]) + ".";
      for (auto [minutes, name] : {std::pair{t.first_response_minutes, "first_response_minutes"},
                                   std::pair{t.resolution_minutes, "resolution_minutes"}}) {
        if (minutes < 1 || minutes > kMaxSlaTargetMinutes) {
          return Error::Invalid(
              "invalid_sla_table",
              row + name + " must be 1 to " + std::to_string(kMaxSlaTargetMinutes) + " minutes",
              row + name);
        }
      }
      if (t.clock != SlaClockKind::kWorking && t.clock != SlaClockKind::kAlwaysOn) {
        return Error::Invalid("invalid_sla_table", row + "clock must be working or 24x7",
                              row + "clock");
      }
    }
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// The timeline.

struct WorkingTimeline::Data {
  // One non-empty working window, clipped to [begin, end]; cum_us is the
  // working time of the windows before it.
  struct Window {
    int64_t open_us;
    int64_t close_us;
    int64_t cum_us;
  };

  int64_t begin_us = 0;
  int64_t end_us = 0;
  bool always_open = false;
  int64_t total_us = 0;  // W(end)
  // Ascending, disjoint, then a sentinel {max, max, total_us}.
  std::vector<Window> windows;
  // day_index[d]: the first window whose close is after begin + d days
  // (d = 0 .. days, so `end` has an entry).
  std::vector<uint32_t> day_index;
  // block_index[k]: the first window whose cumulative end reaches k << block_shift.
  int block_shift = kMinBlockShift;
  std::vector<uint32_t> block_index;

  // W(t) for begin <= t <= end.
  int64_t Elapsed(int64_t t_us) const {
    if (always_open) return t_us - begin_us;
    size_t i = day_index[static_cast<size_t>((t_us - begin_us) / kMicrosPerDay)];
    while (windows[i].close_us <= t_us) ++i;
    const Window& w = windows[i];
    return w.cum_us + (t_us > w.open_us ? t_us - w.open_us : 0);
  }

  // The earliest t with W(t) == w, for 0 < w <= total_us (24×7: any w >= 0).
  int64_t Inverse(int64_t w) const {
    if (always_open) return begin_us + w;
    size_t i = block_index[static_cast<size_t>(w >> block_shift)];
    while (windows[i].cum_us + (windows[i].close_us - windows[i].open_us) < w) ++i;
    return windows[i].open_us + (w - windows[i].cum_us);
  }
};

Result<WorkingTimeline> WorkingTimeline::Build(const calendar::WorkingSchedule& schedule,
                                               int first_year, int last_year) {
  PAYOPS_TRY(calendar::ValidateWorkingSchedule(schedule));
  if (first_year < 1 || last_year > 9998 || first_year > last_year ||
      last_year - first_year + 1 > kMaxTimelineYears) {
    return Error::Invalid("invalid_value",
                          "a working-time timeline covers 1 to " +
                              std::to_string(kMaxTimelineYears) + " years within 0001..9998",
                          "years");
  }
  using std::chrono::year;
  auto data = std::make_shared<Data>();
  const calendar::Date first_day = year{first_year} / 1 / 1;
  const calendar::Date end_day = year{last_year + 1} / 1 / 1;
  data->begin_us = ToMicros(Instant{first_day});
  data->end_us = ToMicros(Instant{end_day});
  data->always_open = schedule.always_open;
  if (schedule.always_open) {
    data->total_us = data->end_us - data->begin_us;
    return WorkingTimeline(std::move(data));
  }

  // The windows, from the local day before `begin` to the local day after `end`
  // (any zone offset is under a day), clipped to [begin, end].
  const int64_t open_tod = schedule.open_minute_of_day * kMicrosPerMinute;
  const int64_t close_tod = schedule.close_minute_of_day * kMicrosPerMinute;
  int64_t cum = 0;
  int64_t min_len = std::numeric_limits<int64_t>::max();
  for (calendar::Date d = first_day - std::chrono::days{2}; d <= end_day + std::chrono::days{1};
       d += std::chrono::days{1}) {
    if (!calendar::IsBusinessDay(d, schedule.holidays)) continue;
    int64_t o = ToMicros(calendar::LocalToInstant(schedule.zone, d, Micros{open_tod}));
    int64_t c = ToMicros(calendar::LocalToInstant(schedule.zone, d, Micros{close_tod}));
    bool clipped = o < data->begin_us || c > data->end_us;
    o = std::max(o, data->begin_us);
    c = std::min(c, data->end_us);
    if (!data->windows.empty()) o = std::max(o, data->windows.back().close_us);  // never overlap
    if (c <= o) continue;
    if (!clipped) min_len = std::min(min_len, c - o);
    data->windows.push_back({o, c, cum});
    cum += c - o;
  }
  data->total_us = cum;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  data->windows.push_back({kMax, kMax, cum});  // sentinel
  const size_t n = data->windows.size();

  const size_t days = static_cast<size_t>((data->end_us - data->begin_us) / kMicrosPerDay);
  data->day_index.resize(days + 1);
  size_t i = 0;
  for (size_t d = 0; d <= days; ++d) {
    const int64_t day_start = data->begin_us + static_cast<int64_t>(d) * kMicrosPerDay;
    while (i + 1 < n && data->windows[i].close_us <= day_start) ++i;
    data->day_index[d] = static_cast<uint32_t>(i);
  }

  while (data->block_shift < 62 && (int64_t{1} << (data->block_shift + 1)) <= min_len) {
    ++data->block_shift;
  }
  const size_t blocks = static_cast<size_t>(cum >> data->block_shift) + 1;
  data->block_index.resize(blocks);
  i = 0;
  for (size_t k = 0; k < blocks; ++k) {
    const int64_t w = static_cast<int64_t>(k) << data->block_shift;
    while (i + 1 < n &&
           data->windows[i].cum_us + (data->windows[i].close_us - data->windows[i].open_us) < w) {
      ++i;
    }
    data->block_index[k] = static_cast<uint32_t>(i);
  }
  return WorkingTimeline(std::move(data));
}

Instant WorkingTimeline::begin() const {
  return FromMicros(data_->begin_us);
}
Instant WorkingTimeline::end() const {
  return FromMicros(data_->end_us);
}
bool WorkingTimeline::always_open() const {
  return data_->always_open;
}

Result<Micros> WorkingTimeline::WorkingTimeBetween(Instant from, Instant to) const {
  const Data& d = *data_;
  int64_t f = ToMicros(from);
  int64_t t = ToMicros(to);
  if (f < d.begin_us || f > d.end_us) return OutOfRange("from");
  if (t < d.begin_us || t > d.end_us) return OutOfRange("to");
  if (t <= f) return Micros{0};
  return Micros{d.Elapsed(t) - d.Elapsed(f)};
}

Result<Instant> WorkingTimeline::AddWorkingTime(Instant start, Micros amount) const {
  const Data& d = *data_;
  if (amount.count() < 0)
    return Error::Invalid("invalid_value", "amount must not be negative", "amount");
  int64_t s = ToMicros(start);
  if (s < d.begin_us || s > d.end_us) return OutOfRange("start");
  if (amount.count() == 0) return start;
  int64_t w = d.Elapsed(s);
  if (amount.count() > d.total_us - w) return OutOfRange("the result");
  return FromMicros(d.Inverse(w + amount.count()));
}

Result<SlaRules> SlaRules::Create(const SlaTable& table,
                                  const calendar::WorkingSchedule& working_hours, int first_year,
                                  int last_year) {
  PAYOPS_TRY(ValidateSlaTable(table));
  PAYOPS_ASSIGN_OR_RETURN(WorkingTimeline timeline,
                          WorkingTimeline::Build(working_hours, first_year, last_year));
  return SlaRules(table, std::move(timeline));
}

// ---------------------------------------------------------------------------
// The clocks.

std::string_view SlaClockStateName(SlaClockState state) {
  return kClockStateNames[static_cast<size_t>(state)];
}

std::string_view SlaEventKindName(SlaEventKind kind) {
  return kEventKindNames[static_cast<size_t>(kind)];
}

int64_t SlaClockStatus::time_left_minutes() const {
  return FloorDiv(time_left.count(), kMicrosPerMinute);
}

namespace {

// One clock's counting, in the clock's time since the timeline's begin ("W").
struct Counter {
  int64_t target = 0;  // µs
  int64_t warn = 0;    // µs: 80 % of target
  int64_t counted = 0;
  int64_t warn_w = -1;  // W at which `warn` was reached; -1: not yet
  int64_t due_w = -1;   // W at which `target` was reached; -1: not yet

  // The clock counts over a stretch of W from wa to wb.
  void Count(int64_t wa, int64_t wb) {
    const int64_t len = wb - wa;
    if (warn_w < 0 && counted + len >= warn) warn_w = wa + (warn - counted);
    if (due_w < 0 && counted + len >= target) due_w = wa + (target - counted);
    counted += len;
  }
};

bool CountsFirstResponse(TicketStatus s) {
  return s == TicketStatus::kNew || s == TicketStatus::kOpen || s == TicketStatus::kPending;
}
bool CountsResolution(TicketStatus s) {
  return s == TicketStatus::kNew || s == TicketStatus::kOpen;
}
bool IsStopped(TicketStatus s) {
  return s == TicketStatus::kSolved || s == TicketStatus::kClosed;
}

Error BadInput(std::string message, std::string field) {
  return Error::Invalid("invalid_sla_input", std::move(message), std::move(field));
}

Error SlaOutOfRange(const char* what) {
  return Error::Invalid("sla_out_of_range",
                        std::string(what) + " lies outside the years the SLA rules cover");
}

// W for a working-hours clock: the timeline.
struct WorkingClock {
  const WorkingTimeline::Data& tl;
  int64_t W(int64_t t_us) const { return tl.Elapsed(t_us); }
  // The earliest instant with W == w; clears `ok` past the timeline's end.
  Instant At(int64_t w, bool& ok) const {
    if (w > tl.total_us) {
      ok = false;
      return Instant{};
    }
    return FromMicros(tl.Inverse(w));
  }
};

// W for a 24×7 clock: real time since the timeline's begin.
struct RealClock {
  int64_t begin_us;
  int64_t W(int64_t t_us) const { return t_us - begin_us; }
  Instant At(int64_t w, bool& /*ok*/) const { return FromMicros(begin_us + w); }
};

// Both clocks of one ticket over its (validated up to here) history, with the
// targets already in `state`. A template so that the hot loop does not branch
// on the clock kind.
template <class Clock>
Status Evaluate(const Clock& clock, const SlaInput& input, int64_t created_us, int64_t now_us,
                SlaState& state) {
  Counter fr;
  fr.target = state.target.first_response_minutes * kMicrosPerMinute;
  fr.warn = fr.target / 5 * 4;  // exact: targets are whole minutes
  Counter res;
  res.target = state.target.resolution_minutes * kMicrosPerMinute;
  res.warn = res.target / 5 * 4;

  int64_t reply_us = std::numeric_limits<int64_t>::max();
  if (input.first_public_agent_reply_at.has_value()) {
    reply_us = ToMicros(*input.first_public_agent_reply_at);
    if (reply_us < created_us) {
      return BadInput("the first agent reply is before creation", "first_public_agent_reply_at");
    }
  }
  const bool replied = reply_us <= now_us;
  bool fr_done = false;  // stopped for good at the reply
  int64_t reply_w = 0;

  // One stretch [a, b) of constant status `s`, as W values wa..wb.
  auto stretch = [&](int64_t wa, int64_t b_us, int64_t wb, TicketStatus s) {
    if (CountsResolution(s)) res.Count(wa, wb);
    if (fr_done) return;
    if (replied && reply_us <= b_us) {
      reply_w = reply_us == b_us ? wb : clock.W(reply_us);
      if (CountsFirstResponse(s)) fr.Count(wa, reply_w);
      fr_done = true;
    } else if (CountsFirstResponse(s)) {
      fr.Count(wa, wb);
    }
  };

  TicketStatus status = input.initial_status;
  int64_t a_us = created_us;
  int64_t wa = clock.W(created_us);
  int64_t stop_w = wa;  // W when the ticket last became solved/closed
  for (const StatusChange& c : input.status_changes) {
    const int64_t at = ToMicros(c.at);
    if (at < a_us)
      return BadInput("status changes out of order or before creation", "status_changes");
    if (at > now_us) break;
    const int64_t wc = at == a_us ? wa : clock.W(at);
    stretch(wa, at, wc, status);
    if (!IsStopped(status) && IsStopped(c.status)) stop_w = wc;
    status = c.status;
    a_us = at;
    wa = wc;
  }
  const int64_t now_w = now_us == a_us ? wa : clock.W(now_us);
  stretch(wa, now_us, now_w, status);

  bool in_range = true;
  auto finish = [&](const Counter& k, SlaClockState open_state, int64_t anchor_w) {
    SlaClockStatus out;
    out.time_left = Micros{k.target - k.counted};
    out.warned = k.warn_w >= 0;
    out.state = k.due_w >= 0 ? SlaClockState::kBreached : open_state;
    out.due = clock.At(k.due_w >= 0 ? k.due_w : anchor_w + (k.target - k.counted), in_range);
    out.warn_at = clock.At(k.warn_w >= 0 ? k.warn_w : anchor_w + (k.warn - k.counted), in_range);
    return out;
  };

  if (fr_done) {
    state.first_response = finish(fr, SlaClockState::kMet, reply_w);
  } else if (CountsFirstResponse(status)) {
    state.first_response = finish(fr, SlaClockState::kRunning, now_w);
  } else {
    state.first_response = finish(fr, SlaClockState::kStopped, stop_w);
  }
  if (CountsResolution(status)) {
    state.resolution = finish(res, SlaClockState::kRunning, now_w);
  } else if (status == TicketStatus::kPending) {
    state.resolution = finish(res, SlaClockState::kPaused, now_w);
  } else {
    state.resolution = finish(res, SlaClockState::kMet, stop_w);
  }
  if (!in_range) return SlaOutOfRange("a due instant");
  return Status::Ok();
}

// ComputeSlaState into `state` (no copy through a Result on the hot path).
Status ComputeInto(const SlaRules& rules, const SlaInput& input, Instant now, SlaState& state) {
  const WorkingTimeline::Data& tl = rules.working_time().data();
  const int64_t created_us = ToMicros(input.created_at);
  const int64_t now_us = ToMicros(now);
  if (now_us < created_us) return BadInput("now is before the ticket's creation", "now");
  if (created_us < tl.begin_us) return SlaOutOfRange("created_at");
  if (now_us > tl.end_us) return SlaOutOfRange("now");
  if (input.priority_changes.size() > kMaxSlaHistory) {
    return BadInput("too many priority changes", "priority_changes");
  }
  if (input.status_changes.size() > kMaxSlaHistory) {
    return BadInput("too many status changes", "status_changes");
  }

  // The priority in force at `now`, and its row.
  state.priority = input.initial_priority;
  int64_t prev_us = created_us;
  for (const PriorityChange& c : input.priority_changes) {
    const int64_t at = ToMicros(c.at);
    if (at < prev_us) {
      return BadInput("priority changes out of order or before creation", "priority_changes");
    }
    if (at > now_us) break;
    state.priority = c.priority;
    prev_us = at;
  }
  state.target = rules.table().at(input.plan, state.priority);
  if (state.target.clock == SlaClockKind::kWorking) {
    return Evaluate(WorkingClock{tl}, input, created_us, now_us, state);
  }
  return Evaluate(RealClock{tl.begin_us}, input, created_us, now_us, state);
}

}  // namespace

Result<SlaState> ComputeSlaState(const SlaRules& rules, const SlaInput& input, Instant now) {
  SlaState state;
  PAYOPS_TRY(ComputeInto(rules, input, now, state));
  return state;
}

std::optional<SlaEvent> NextSlaEvent(const SlaState& state) {
  std::optional<SlaEvent> next;
  auto consider = [&](const SlaClockStatus& c, SlaEventKind warning, SlaEventKind breach) {
    if (c.state != SlaClockState::kRunning) return;
    SlaEvent e = c.warned ? SlaEvent{breach, c.due} : SlaEvent{warning, c.warn_at};
    if (!next.has_value() || e.at < next->at) next = e;
  };
  consider(state.first_response, SlaEventKind::kFirstResponseWarning,
           SlaEventKind::kFirstResponseBreach);
  consider(state.resolution, SlaEventKind::kResolutionWarning, SlaEventKind::kResolutionBreach);
  return next;
}

Result<std::optional<SlaEvent>> NextSlaEvent(const SlaRules& rules, const SlaInput& input,
                                             Instant now) {
  SlaState state;
  PAYOPS_TRY(ComputeInto(rules, input, now, state));
  return NextSlaEvent(state);
}

}  // namespace payops::desk
