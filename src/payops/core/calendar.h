// Business calendar: Federal Reserve holidays, business days, time zones with
// daylight saving, working-hours arithmetic (SLA clocks) and the ACH / debit-card
// processing schedule (SPEC §2.2 step 7, §2.3, §3.3).
//
// Pure computation: the only I/O is the date library reading the OS tz database
// the first time a zone is used. Every function is thread-safe.
//
// Dates are civil calendar dates with no zone attached (`Date`, a day count since
// 1970-01-01). Instants are UTC (`Instant`, clock.h). A zone converts between them.
// Supported: dates and instants in years 0001..9999 (what RFC 3339 can express);
// the working-time functions return an error outside it, the others assume it.
//
// Fast paths: federal business days come from a bitset (years kTableFirstYear..
// kTableLastYear) and zone offsets from a per-zone table of UTC-offset transitions
// over the same years; outside those years the slow rule-based / date::tz path is
// used. Both paths give identical answers (tested against `reference::`).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "payops/core/clock.h"
#include "payops/core/result.h"

namespace payops::calendar {

// A civil calendar date (no time zone). Converts implicitly from
// std::chrono::year_month_day, e.g. `Date d = 2026y / std::chrono::July / 3;`.
using Date = std::chrono::sys_days;

// Years covered by the precomputed fast-path tables.
inline constexpr int kTableFirstYear = 1900;
inline constexpr int kTableLastYear = 2200;
// Largest number of days (inclusive of both ends) accepted by the range functions.
inline constexpr int64_t kMaxRangeDays = 3660;
// Largest span, in days, that working-time arithmetic walks (about 100 years).
inline constexpr int64_t kMaxWorkingSpanDays = 36525;

// "2026-07-03". Years outside 0000..9999 are printed with more digits / a sign.
std::string FormatDate(Date date);
// Parses exactly "YYYY-MM-DD" (a valid Gregorian date); error `invalid_date`.
Result<Date> ParseDate(std::string_view text);

// ---------------------------------------------------------------------------
// Federal Reserve holidays.

enum class FederalHoliday {
  kNewYearsDay,            // January 1
  kMartinLutherKingJrDay,  // third Monday of January
  kWashingtonsBirthday,    // third Monday of February
  kMemorialDay,            // last Monday of May
  kJuneteenth,             // June 19, from 2022 on (first observed by the Fed in 2022)
  kIndependenceDay,        // July 4
  kLaborDay,               // first Monday of September
  kColumbusDay,            // second Monday of October
  kVeteransDay,            // November 11
  kThanksgivingDay,        // fourth Thursday of November
  kChristmasDay,           // December 25
};

struct Holiday {
  FederalHoliday holiday;
  std::string_view name;  // e.g. "Independence Day"
  Date date;              // the holiday itself
  Date observed;          // `date`, or the Monday after when `date` is a Sunday
};

// The Federal Reserve holidays whose `date` falls in `year`, in calendar order.
// The current rules are applied to every year (proleptically; only Juneteenth has
// a first year): any year is accepted. A holiday on a Sunday is observed the
// Monday after; one on a Saturday is not moved (the Friday stays a business day).
std::vector<Holiday> FederalReserveHolidays(int year);

// True if some Federal Reserve holiday is observed on `date` (see `Holiday::
// observed`): true for Saturday 2026-07-04 and Monday 2027-07-05, false for
// Sunday 2027-07-04.
bool IsFederalReserveHoliday(Date date);

// A holiday calendar: the Federal Reserve holidays (unless excluded) plus extra
// dates supplied by configuration. A cheap-to-copy value.
class HolidayCalendar {
 public:
  enum class Federal { kInclude, kExclude };

  // Federal Reserve holidays only.
  HolidayCalendar() = default;
  // `extra_holidays` in any order, duplicates allowed; they are non-business days
  // in addition to (or, with Federal::kExclude, instead of) the federal ones.
  explicit HolidayCalendar(std::vector<Date> extra_holidays, Federal federal = Federal::kInclude);

  // The extra dates, sorted and without duplicates.
  const std::vector<Date>& extra_holidays() const { return extra_; }
  bool includes_federal() const { return federal_ == Federal::kInclude; }

  // True if `date` is an observed federal holiday (when included) or an extra date.
  // Says nothing about weekends.
  bool IsHoliday(Date date) const;

 private:
  std::vector<Date> extra_;
  Federal federal_ = Federal::kInclude;
};

// Monday–Friday and not a holiday of `calendar`.
bool IsBusinessDay(Date date, const HolidayCalendar& calendar);
// The first business day strictly after `date`.
Date NextBusinessDay(Date date, const HolidayCalendar& calendar);
// The number of business days in [from, to] (both inclusive; 0 if to < from).
// Error `date_range_too_large` if the range holds more than kMaxRangeDays days.
Result<int64_t> BusinessDaysBetween(Date from, Date to, const HolidayCalendar& calendar);
// The business days in [from, to] in ascending order (empty if to < from).
// Error `date_range_too_large` if the range holds more than kMaxRangeDays days.
Result<std::vector<Date>> ListBusinessDays(Date from, Date to, const HolidayCalendar& calendar);

// ---------------------------------------------------------------------------
// Time zones.

namespace internal {
struct ZoneData;
}  // namespace internal

// A handle on an IANA time zone with its precomputed offset table. Cheap to copy;
// the zone data lives for the whole process.
//
// The OS tz database files hold explicit transitions only up to 2037, and the date
// library does not read the files' footer rule, so it would freeze every zone in
// standard time from 2038 on. For America/New_York, Chicago, Denver and
// Los_Angeles the current US rule (DST from the second Sunday of March 02:00 to the
// first Sunday of November 02:00) continues the data after its last transition,
// provided that rule reproduces the database's own last ten years of transitions
// (otherwise, e.g. after a change of law, the database is followed as is). Links
// such as US/Pacific are not continued: use the canonical names.
class Zone {
 public:
  // Loads `iana_name` ("America/New_York") from the OS tz database; later calls
  // with the same name return the same zone. Error `unknown_time_zone`.
  static Result<Zone> Find(std::string_view iana_name);
  // America/Los_Angeles (ACH cutoffs). Aborts if the tz database lacks it.
  static Zone LosAngeles();
  // America/New_York (support working hours). Aborts if the tz database lacks it.
  static Zone NewYork();

  std::string_view name() const;
  friend bool operator==(const Zone& a, const Zone& b) { return a.data_ == b.data_; }

  // For this module's implementation.
  const internal::ZoneData& data() const { return *data_; }

 private:
  explicit Zone(const internal::ZoneData* data) : data_(data) {}
  const internal::ZoneData* data_;
};

// A wall-clock reading in some zone.
struct LocalDateTime {
  Date date;
  Micros time_of_day;  // since local midnight, in [0, 24h)
  friend bool operator==(const LocalDateTime&, const LocalDateTime&) = default;
};

// The zone's UTC offset at `t` (local = UTC + offset), e.g. -7h for PDT.
std::chrono::seconds UtcOffset(const Zone& zone, Instant t);
// The local date and time of day of `t` in `zone`.
LocalDateTime InstantToLocal(const Zone& zone, Instant t);
// The instant at which `zone`'s wall clock reads `local_date` + `time_of_day`
// (`time_of_day` may be negative or ≥ 24h: it is added to local midnight).
// - Unique wall time: that instant.
// - Nonexistent wall time (in a spring-forward gap): the instant it would be under
//   the offset in force before the transition; 02:30 on 2026-03-08 in
//   America/New_York is 07:30Z, which reads 03:30 EDT.
// - Repeated wall time (in a fall-back overlap): the earlier instant; 01:30 on
//   2026-11-01 in America/New_York is 05:30Z (01:30 EDT), not 06:30Z (01:30 EST).
// In all three cases the result is local - (offset in force just before the wall
// time). Never fails.
Instant LocalToInstant(const Zone& zone, Date local_date, Micros time_of_day);

// ---------------------------------------------------------------------------
// Working hours (SPEC §3.3).

// The hours during which an SLA clock runs: on each business day of `holidays`,
// from open to close local time in `zone` (each converted with LocalToInstant, so
// a window is measured in real elapsed time; a window that DST makes negative is
// empty). With `always_open` (24×7) every instant counts and zone, hours and
// holidays are ignored.
struct WorkingSchedule {
  Zone zone = Zone::NewYork();
  int open_minute_of_day = 8 * 60;    // 08:00
  int close_minute_of_day = 17 * 60;  // 17:00; 24 * 60 means midnight at day end
  HolidayCalendar holidays;
  bool always_open = false;

  // The 24×7 schedule.
  static WorkingSchedule AlwaysOpen();
};

// OK unless 0 <= open_minute_of_day < close_minute_of_day <= 1440 fails (error
// `invalid_working_hours`).
Status ValidateWorkingSchedule(const WorkingSchedule& schedule);

// The earliest instant t >= start such that WorkingTimeBetween(start, t) is
// exactly `minutes` minutes. So a start outside working hours counts from the next
// opening, a result for minutes > 0 lies in (open, close] of some business day (a
// deadline reached exactly at close is that close, not the next opening), and
// minutes == 0 returns `start`. Errors: `invalid_working_hours`,
// `invalid_minutes` (negative), `working_time_out_of_range` (the result would lie
// more than kMaxWorkingSpanDays days after start).
Result<Instant> AddWorkingMinutes(const WorkingSchedule& schedule, Instant start, int64_t minutes);

// The working time in [from, to) (zero if to <= from), exact to the microsecond.
// Errors: `invalid_working_hours`, `working_time_out_of_range` (to - from is more
// than kMaxWorkingSpanDays days).
Result<Micros> WorkingTimeBetween(const WorkingSchedule& schedule, Instant from, Instant to);
// WorkingTimeBetween in whole minutes, rounded down. For any n accepted by
// AddWorkingMinutes: WorkingMinutesBetween(s, a, AddWorkingMinutes(s, a, n)) == n.
Result<int64_t> WorkingMinutesBetween(const WorkingSchedule& schedule, Instant from, Instant to);

// ---------------------------------------------------------------------------
// Processing schedule (SPEC §2.2 step 7, §2.3). All times America/Los_Angeles;
// business days are those of the given calendar.

inline constexpr std::chrono::hours kAchCutoffTimeOfDay{7};
inline constexpr std::chrono::hours kAchSettlementTimeOfDay{12};
inline constexpr std::chrono::hours kDebitCardProcessingTimeOfDay{17};

struct AchBatchSchedule {
  Date batch_date;        // the business day whose batch the transaction joins
  Instant cutoff_at;      // 07:00 Los Angeles on batch_date: the batch closes
  Instant settlement_at;  // 12:00 Los Angeles on batch_date: the batch settles
  Date settlement_date;   // the date transactions are PROCESSED with (= batch_date)
  friend bool operator==(const AchBatchSchedule&, const AchBatchSchedule&) = default;
};

// The ACH batch of a transaction that became PENDING at `pending_at`: that of the
// Los Angeles date of `pending_at` if it is a business day and pending_at is
// strictly before its 07:00 cutoff; otherwise that of the next business day.
AchBatchSchedule AchSchedule(Instant pending_at, const HolidayCalendar& calendar);

struct DebitCardSchedule {
  Date processing_date;  // the business day on which it is processed
  Instant processed_at;  // 17:00 Los Angeles on processing_date
  friend bool operator==(const DebitCardSchedule&, const DebitCardSchedule&) = default;
};

// When a debit-card transaction that became PENDING at `pending_at` is
// PROCESSED: 17:00 Los Angeles on its Los Angeles date if that is a business day
// and pending_at is strictly before 17:00; otherwise 17:00 of the next business day.
DebitCardSchedule DebitCardProcessing(Instant pending_at, const HolidayCalendar& calendar);

// ---------------------------------------------------------------------------
// Slow reference implementations, straight from the rules and date::tz, without
// the fast-path tables. For tests and diagnostics; same contracts as above.
namespace reference {
bool IsFederalReserveHoliday(Date date);
bool IsBusinessDay(Date date, const HolidayCalendar& calendar);
std::chrono::seconds UtcOffset(const Zone& zone, Instant t);
Instant LocalToInstant(const Zone& zone, Date local_date, Micros time_of_day);
AchBatchSchedule AchSchedule(Instant pending_at, const HolidayCalendar& calendar);
DebitCardSchedule DebitCardProcessing(Instant pending_at, const HolidayCalendar& calendar);
}  // namespace reference

}  // namespace payops::calendar
