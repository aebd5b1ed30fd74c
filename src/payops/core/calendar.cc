#include "payops/core/calendar.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <utility>

namespace payops::calendar {

namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::weekday;

constexpr int64_t kSecondsPerDay = 86400;
constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerMinute = 60 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = kSecondsPerDay * kMicrosPerSecond;

// a / b rounded towards negative infinity (b > 0).
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

// Days since 1970-01-01, and back.
int64_t DayNumber(Date date) {
  return date.time_since_epoch().count();
}
Date DateOfDayNumber(int64_t day) {
  return Date{days{day}};
}

// 0 = Sunday .. 6 = Saturday. 1970-01-01 was a Thursday.
int WeekdayOfDayNumber(int64_t day) {
  return static_cast<int>(((day % 7) + 7 + 4) % 7);
}
// Monday..Friday.
bool IsWeekday(int64_t day) {
  int wd = WeekdayOfDayNumber(day);
  return wd != 0 && wd != 6;
}

// ---------------------------------------------------------------------------
// Holiday rules.

constexpr int kJuneteenthFirstYear = 2022;
constexpr int kMaxHolidaysPerYear = 11;

using HolidayArray = std::array<Holiday, kMaxHolidaysPerYear>;

bool YearInChronoRange(int y) {
  return y >= static_cast<int>(std::chrono::year::min()) &&
         y <= static_cast<int>(std::chrono::year::max());
}

// Month m day d; the n-th / last weekday `wd` of month m (all of year y).
Date Fixed(int y, unsigned m, unsigned d) {
  return sys_days{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}
Date NthWeekday(int y, unsigned m, weekday wd, unsigned n) {
  return sys_days{std::chrono::year{y} / std::chrono::month{m} / wd[n]};
}
Date LastWeekday(int y, unsigned m, weekday wd) {
  return sys_days{std::chrono::year{y} / std::chrono::month{m} / wd[std::chrono::last]};
}

// Fills `out` with the holidays of year `y` in calendar order; returns how many
// (none for a year outside std::chrono::year's range).
int HolidaysOf(int y, HolidayArray& out) {
  if (!YearInChronoRange(y)) return 0;
  int n = 0;
  auto add = [&](FederalHoliday h, std::string_view name, Date date) {
    Date observed = weekday{date} == std::chrono::Sunday ? date + days{1} : date;
    out[static_cast<size_t>(n++)] = Holiday{h, name, date, observed};
  };
  using std::chrono::Monday;
  using std::chrono::Thursday;
  add(FederalHoliday::kNewYearsDay, "New Year's Day", Fixed(y, 1, 1));
  add(FederalHoliday::kMartinLutherKingJrDay, "Birthday of Martin Luther King, Jr.",
      NthWeekday(y, 1, Monday, 3));
  add(FederalHoliday::kWashingtonsBirthday, "Washington's Birthday", NthWeekday(y, 2, Monday, 3));
  add(FederalHoliday::kMemorialDay, "Memorial Day", LastWeekday(y, 5, Monday));
  if (y >= kJuneteenthFirstYear) {
    add(FederalHoliday::kJuneteenth, "Juneteenth National Independence Day", Fixed(y, 6, 19));
  }
  add(FederalHoliday::kIndependenceDay, "Independence Day", Fixed(y, 7, 4));
  add(FederalHoliday::kLaborDay, "Labor Day", NthWeekday(y, 9, Monday, 1));
  add(FederalHoliday::kColumbusDay, "Columbus Day", NthWeekday(y, 10, Monday, 2));
  add(FederalHoliday::kVeteransDay, "Veterans Day", Fixed(y, 11, 11));
  add(FederalHoliday::kThanksgivingDay, "Thanksgiving Day", NthWeekday(y, 11, Thursday, 4));
  add(FederalHoliday::kChristmasDay, "Christmas Day", Fixed(y, 12, 25));
  return n;
}

// The (Gregorian) year of `date`.
int YearOf(Date date) {
  return static_cast<int>(std::chrono::year_month_day{date}.year());
}

// True if a federal holiday is observed on `date`, from the rules alone.
bool RuleIsFederalHoliday(Date date) {
  HolidayArray holidays;
  int n = HolidaysOf(YearOf(date), holidays);
  for (int i = 0; i < n; ++i) {
    if (holidays[static_cast<size_t>(i)].observed == date) return true;
  }
  return false;
}

// Bitset of federal business days (Mon–Fri, not an observed federal holiday) over
// kTableFirstYear..kTableLastYear, indexed by day number.
struct FederalTable {
  int64_t first_day = 0;
  int64_t end_day = 0;  // one past the last day
  std::vector<uint64_t> words;

  bool Contains(int64_t day) const { return day >= first_day && day < end_day; }
  bool Get(int64_t day) const {
    uint64_t i = static_cast<uint64_t>(day - first_day);
    return (words[i >> 6] >> (i & 63)) & 1;
  }
};

const FederalTable& GetFederalTable() {
  static const FederalTable* table = [] {
    auto* t = new FederalTable;
    t->first_day = DayNumber(Fixed(kTableFirstYear, 1, 1));
    t->end_day = DayNumber(Fixed(kTableLastYear + 1, 1, 1));
    size_t n_days = static_cast<size_t>(t->end_day - t->first_day);
    t->words.assign((n_days + 63) / 64, 0);
    auto set = [t](int64_t day, bool value) {
      uint64_t i = static_cast<uint64_t>(day - t->first_day);
      if (value) {
        t->words[i >> 6] |= uint64_t{1} << (i & 63);
      } else {
        t->words[i >> 6] &= ~(uint64_t{1} << (i & 63));
      }
    };
    for (int64_t day = t->first_day; day < t->end_day; ++day) set(day, IsWeekday(day));
    HolidayArray holidays;
    for (int y = kTableFirstYear; y <= kTableLastYear; ++y) {
      int n = HolidaysOf(y, holidays);
      for (int i = 0; i < n; ++i) {
        int64_t day = DayNumber(holidays[static_cast<size_t>(i)].observed);
        if (t->Contains(day)) set(day, false);
      }
    }
    return t;
  }();
  return *table;
}

// Mon–Fri and not an observed federal holiday.
bool IsFederalBusinessDay(int64_t day) {
  const FederalTable& table = GetFederalTable();
  if (table.Contains(day)) return table.Get(day);
  return IsWeekday(day) && !RuleIsFederalHoliday(DateOfDayNumber(day));
}

// True if `date` is one of the calendar's extra holidays.
bool IsExtraHoliday(Date date, const HolidayCalendar& calendar) {
  const std::vector<Date>& extra = calendar.extra_holidays();
  return !extra.empty() && std::binary_search(extra.begin(), extra.end(), date);
}

}  // namespace

// ---------------------------------------------------------------------------
// Dates.

std::string FormatDate(Date date) {
  std::chrono::year_month_day ymd{date};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// The shape (four-digit year, two-digit month and day) is checked here; the
// calendar library reads the date and checks that it exists.
Result<Date> ParseDate(std::string_view text) {
  auto invalid = [&] {
    return Error::Invalid("invalid_date",
                          "expected a date YYYY-MM-DD, got \"" + std::string(text) + "\"");
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return invalid();
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return invalid();
  }
  std::istringstream in{std::string(text)};
  date::sys_days day;
  in >> date::parse("%F", day);
  if (in.fail()) return invalid();
  return Date{std::chrono::days{day.time_since_epoch().count()}};
}

// ---------------------------------------------------------------------------
// Holidays and business days.

std::vector<Holiday> FederalReserveHolidays(int year) {
  HolidayArray holidays;
  int n = HolidaysOf(year, holidays);
  return std::vector<Holiday>(holidays.begin(), holidays.begin() + n);
}

bool IsFederalReserveHoliday(Date date) {
  int64_t day = DayNumber(date);
  const FederalTable& table = GetFederalTable();
  if (IsWeekday(day) && table.Contains(day)) return !table.Get(day);
  return RuleIsFederalHoliday(date);
}

HolidayCalendar::HolidayCalendar(std::vector<Date> extra_holidays, Federal federal)
    : extra_(std::move(extra_holidays)), federal_(federal) {
  std::sort(extra_.begin(), extra_.end());
  extra_.erase(std::unique(extra_.begin(), extra_.end()), extra_.end());
}

bool HolidayCalendar::IsHoliday(Date date) const {
  return (includes_federal() && IsFederalReserveHoliday(date)) || IsExtraHoliday(date, *this);
}

bool IsBusinessDay(Date date, const HolidayCalendar& calendar) {
  int64_t day = DayNumber(date);
  bool ok = calendar.includes_federal() ? IsFederalBusinessDay(day) : IsWeekday(day);
  return ok && !IsExtraHoliday(date, calendar);
}

Date NextBusinessDay(Date date, const HolidayCalendar& calendar) {
  // A run of consecutive non-business days is at most 3 days long without extra
  // holidays (Sat, Sun, observed Monday), and each extra date lengthens it by at
  // most a few days; 32 + 2 * extras is a safe bound (it cannot be reached).
  const int64_t max_steps = 32 + 2 * static_cast<int64_t>(calendar.extra_holidays().size());
  Date candidate = date + days{1};
  for (int64_t step = 0; step < max_steps; ++step, candidate += days{1}) {
    if (IsBusinessDay(candidate, calendar)) return candidate;
  }
  assert(false && "NextBusinessDay: bound exceeded");
  return candidate;
}

namespace {

// Error `date_range_too_large` if [from, to] holds more than kMaxRangeDays days.
Status CheckRange(Date from, Date to) {
  if (to >= from && (to - from).count() + 1 > kMaxRangeDays) {
    return Error::Invalid("date_range_too_large", "a date range may hold at most " +
                                                      std::to_string(kMaxRangeDays) + " days");
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> BusinessDaysBetween(Date from, Date to, const HolidayCalendar& calendar) {
  PAYOPS_TRY(CheckRange(from, to));
  int64_t count = 0;
  for (Date d = from; d <= to; d += days{1}) count += IsBusinessDay(d, calendar) ? 1 : 0;
  return count;
}

Result<std::vector<Date>> ListBusinessDays(Date from, Date to, const HolidayCalendar& calendar) {
  PAYOPS_TRY(CheckRange(from, to));
  std::vector<Date> out;
  for (Date d = from; d <= to; d += days{1}) {
    if (IsBusinessDay(d, calendar)) out.push_back(d);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Zones.

namespace internal {

// The current US daylight-saving rule, for a zone with standard offset std_s:
// DST (std_s + 1h) from the second Sunday of March 02:00 local standard time to the
// first Sunday of November 02:00 local daylight time.
struct UsDstRule {
  int64_t std_offset_s = 0;

  int64_t dst_offset_s() const { return std_offset_s + 3600; }
  int64_t StartUtc(int y) const {
    return DayNumber(NthWeekday(y, 3, std::chrono::Sunday, 2)) * kSecondsPerDay + 7200 -
           std_offset_s;
  }
  int64_t EndUtc(int y) const {
    return DayNumber(NthWeekday(y, 11, std::chrono::Sunday, 1)) * kSecondsPerDay + 7200 -
           dst_offset_s();
  }
  int64_t OffsetAt(int64_t utc_s) const {
    int y = YearOf(DateOfDayNumber(FloorDiv(utc_s, kSecondsPerDay)));
    return (utc_s >= StartUtc(y) && utc_s < EndUtc(y)) ? dst_offset_s() : std_offset_s;
  }
};

struct ZoneData {
  std::string name;
  const date::time_zone* tz = nullptr;

  // Continuation of the database after its last transition (see Zone).
  bool has_rule = false;
  UsDstRule rule;
  int64_t rule_from_s = 0;  // UTC seconds: the rule applies at and after this

  // Fast path: the UTC-offset periods overlapping [table_begin_s, table_end_s).
  // Period i starts at begin_s[i] (UTC) with offset offset_s[i]; consecutive periods
  // have different offsets. local_end_s[i] = begin_s[i + 1] + offset_s[i], the
  // local time at which period i ends (max for the last one).
  int64_t table_begin_s = 0;
  int64_t table_end_s = 0;
  std::vector<int64_t> begin_s;
  std::vector<int64_t> offset_s;
  std::vector<int64_t> local_end_s;
  // bucket_first[b]: the period containing table_begin_s + (b << kBucketShift).
  static constexpr int kBucketShift = 22;  // ~48.5 days
  std::vector<uint32_t> bucket_first;
};

}  // namespace internal

namespace {

using internal::UsDstRule;
using internal::ZoneData;

// Zones continued with the US rule after the database's last transition.
struct RuleZone {
  std::string_view name;
  int64_t std_offset_s;
};
constexpr RuleZone kUsRuleZones[] = {
    {"America/New_York", -5 * 3600},
    {"America/Chicago", -6 * 3600},
    {"America/Denver", -7 * 3600},
    {"America/Los_Angeles", -8 * 3600},
};
// First year of the current US rule (Energy Policy Act of 2005).
constexpr int kUsRuleFirstYear = 2007;

// date::tz's period at UTC second utc_s; seconds of a date::sys_seconds.
date::sys_info DateInfo(const ZoneData& z, int64_t utc_s) {
  return z.tz->get_info(date::sys_seconds{std::chrono::seconds{utc_s}});
}
int64_t Seconds(date::sys_seconds t) {
  return t.time_since_epoch().count();
}

// Offset at utc_s, without the fast table.
int64_t ReferenceOffset(const ZoneData& z, int64_t utc_s) {
  if (z.has_rule && utc_s >= z.rule_from_s) return z.rule.OffsetAt(utc_s);
  return DateInfo(z, utc_s).offset.count();
}

// UTC seconds of local seconds `local_s` (rule: local - offset in force just before
// that wall time), without the fast table.
int64_t ReferenceLocalToUtc(const ZoneData& z, int64_t local_s) {
  if (z.has_rule && local_s >= z.rule_from_s + 2 * kSecondsPerDay) {
    // Generic resolution over the rule's offsets (transitions are months apart).
    int64_t before = z.rule.OffsetAt(local_s - kSecondsPerDay);
    int64_t after = z.rule.OffsetAt(local_s + kSecondsPerDay);
    if (before == after) return local_s - before;
    int64_t t_before = local_s - before;
    int64_t t_after = local_s - after;
    bool before_valid = z.rule.OffsetAt(t_before) == before;
    bool after_valid = z.rule.OffsetAt(t_after) == after;
    if (before_valid && after_valid) return std::min(t_before, t_after);  // overlap
    if (after_valid) return t_after;
    return t_before;  // unique under `before`, or a gap: the pre-transition offset
  }
  date::local_info info = z.tz->get_info(date::local_seconds{std::chrono::seconds{local_s}});
  // Unique: first is the period. Nonexistent: first is the period before the gap.
  // Ambiguous: first is the earlier period. In every case: local - first.offset.
  return local_s - info.first.offset.count();
}

// True if the database's transitions in [max(2007, last year - 9), last year]
// are exactly the US rule's and it ends in standard time.
bool RuleMatchesDatabase(const ZoneData& z, const UsDstRule& rule, int64_t last_begin_s) {
  date::sys_info last = DateInfo(z, last_begin_s);
  if (last.offset.count() != rule.std_offset_s) return false;
  int last_year = YearOf(DateOfDayNumber(FloorDiv(last_begin_s, kSecondsPerDay)));
  if (last_begin_s != rule.EndUtc(last_year)) return false;
  for (int y = std::max(kUsRuleFirstYear, last_year - 9); y <= last_year; ++y) {
    int64_t start = rule.StartUtc(y);
    int64_t end = rule.EndUtc(y);
    date::sys_info dst = DateInfo(z, start);
    if (Seconds(dst.begin) != start || Seconds(dst.end) != end ||
        dst.offset.count() != rule.dst_offset_s() ||
        DateInfo(z, start - 1).offset.count() != rule.std_offset_s ||
        DateInfo(z, end).offset.count() != rule.std_offset_s) {
      return false;
    }
  }
  return true;
}

std::unique_ptr<ZoneData> BuildZone(std::string_view name, const date::time_zone* tz) {
  auto z = std::make_unique<ZoneData>();
  z->name = std::string(name);
  z->tz = tz;

  // The database's final, open-ended period.
  date::sys_info last = DateInfo(*z, Seconds(date::sys_days{date::year{9999} / 1 / 1}));
  int64_t last_begin_s = Seconds(last.begin);
  for (const RuleZone& rz : kUsRuleZones) {
    if (rz.name != name) continue;  // exact names only (not links such as US/Pacific)
    UsDstRule rule{rz.std_offset_s};
    if (RuleMatchesDatabase(*z, rule, last_begin_s)) {
      z->has_rule = true;
      z->rule = rule;
      z->rule_from_s = last_begin_s;
    }
  }

  z->table_begin_s = DayNumber(Fixed(kTableFirstYear, 1, 1)) * kSecondsPerDay;
  z->table_end_s = DayNumber(Fixed(kTableLastYear + 1, 1, 1)) * kSecondsPerDay;
  auto push = [&z](int64_t begin_s, int64_t offset_s) {
    if (!z->offset_s.empty() && (z->offset_s.back() == offset_s || begin_s <= z->begin_s.back())) {
      return;
    }
    z->begin_s.push_back(begin_s);
    z->offset_s.push_back(offset_s);
  };
  // From the database: every period until the table's end (or the rule's start).
  date::sys_info info = DateInfo(*z, z->table_begin_s);
  push(Seconds(info.begin), info.offset.count());
  while (Seconds(info.end) < z->table_end_s &&
         !(z->has_rule && Seconds(info.end) >= z->rule_from_s)) {
    info = z->tz->get_info(info.end);
    push(Seconds(info.begin), info.offset.count());
  }
  if (z->has_rule) {
    push(z->rule_from_s, z->rule.std_offset_s);
    int first_year = YearOf(DateOfDayNumber(FloorDiv(z->rule_from_s, kSecondsPerDay)));
    for (int y = first_year; y <= kTableLastYear + 1; ++y) {
      int64_t start = z->rule.StartUtc(y);
      int64_t end = z->rule.EndUtc(y);
      if (start > z->rule_from_s && start < z->table_end_s) {
        push(start, z->rule.dst_offset_s());
      }
      if (end > z->rule_from_s && end < z->table_end_s) push(end, z->rule.std_offset_s);
    }
  }
  size_t n = z->begin_s.size();
  z->local_end_s.resize(n);
  for (size_t i = 0; i + 1 < n; ++i) z->local_end_s[i] = z->begin_s[i + 1] + z->offset_s[i];
  z->local_end_s[n - 1] = std::numeric_limits<int64_t>::max();

  size_t n_buckets =
      static_cast<size_t>((z->table_end_s - z->table_begin_s) >> ZoneData::kBucketShift) + 1;
  z->bucket_first.resize(n_buckets);
  size_t i = 0;
  for (size_t b = 0; b < n_buckets; ++b) {
    int64_t t = z->table_begin_s + (static_cast<int64_t>(b) << ZoneData::kBucketShift);
    while (i + 1 < n && z->begin_s[i + 1] <= t) ++i;
    z->bucket_first[b] = static_cast<uint32_t>(i);
  }
  return z;
}

// Index of the period containing utc_s; requires table_begin_s <= utc_s < table_end_s.
size_t PeriodIndex(const ZoneData& z, int64_t utc_s) {
  size_t i =
      z.bucket_first[static_cast<size_t>((utc_s - z.table_begin_s) >> ZoneData::kBucketShift)];
  size_t n = z.begin_s.size();
  while (i + 1 < n && z.begin_s[i + 1] <= utc_s) ++i;
  return i;
}

int64_t FastOffset(const ZoneData& z, int64_t utc_s) {
  if (utc_s < z.table_begin_s || utc_s >= z.table_end_s) return ReferenceOffset(z, utc_s);
  return z.offset_s[PeriodIndex(z, utc_s)];
}

int64_t FastLocalToUtc(const ZoneData& z, int64_t local_s) {
  if (local_s - kSecondsPerDay < z.table_begin_s || local_s + kSecondsPerDay >= z.table_end_s) {
    return ReferenceLocalToUtc(z, local_s);
  }
  // Every period before the one containing local_s - 1 day ends (locally) at or
  // before local_s, since |offset| < 1 day. Find the first period whose local end
  // is after local_s: local_s is in it, or in the gap just before it.
  size_t k = PeriodIndex(z, local_s - kSecondsPerDay);
  while (z.local_end_s[k] <= local_s) ++k;  // the last local_end_s is max
  if (k > 0 && local_s < z.begin_s[k] + z.offset_s[k]) return local_s - z.offset_s[k - 1];
  return local_s - z.offset_s[k];
}

struct Registry {
  std::mutex mu;
  std::map<std::string, std::unique_ptr<ZoneData>, std::less<>> zones;
};

Registry& GetRegistry() {
  static auto* registry = new Registry;
  return *registry;
}

// Zone::Find, aborting with a message if the tz database lacks the zone.
Zone MustFind(std::string_view name) {
  Result<Zone> zone = Zone::Find(name);
  if (!zone.ok()) {
    std::fprintf(stderr, "payops: time zone %.*s unavailable: %s\n", static_cast<int>(name.size()),
                 name.data(), zone.error().message.c_str());
    std::abort();
  }
  return *zone;
}

// Microseconds since the epoch, and back.
int64_t InstantMicros(Instant t) {
  return t.time_since_epoch().count();
}
Instant InstantOfMicros(int64_t us) {
  return Instant{Micros{us}};
}

// LocalToInstant on raw microseconds, fast path.
int64_t LocalToInstantMicros(const ZoneData& z, Date local_date, int64_t time_of_day_us) {
  int64_t local_us = DayNumber(local_date) * kMicrosPerDay + time_of_day_us;
  int64_t local_s = FloorDiv(local_us, kMicrosPerSecond);
  int64_t utc_s = FastLocalToUtc(z, local_s);
  return local_us + (utc_s - local_s) * kMicrosPerSecond;
}

}  // namespace

Result<Zone> Zone::Find(std::string_view iana_name) {
  Registry& registry = GetRegistry();
  std::lock_guard<std::mutex> lock(registry.mu);
  auto it = registry.zones.find(iana_name);
  if (it != registry.zones.end()) return Zone(it->second.get());
  try {
    const date::time_zone* tz = date::locate_zone(iana_name);
    std::unique_ptr<ZoneData> data = BuildZone(iana_name, tz);
    const ZoneData* raw = data.get();
    registry.zones.emplace(std::string(iana_name), std::move(data));
    return Zone(raw);
  } catch (const std::exception& e) {
    return Error::Invalid("unknown_time_zone",
                          "unknown time zone \"" + std::string(iana_name) + "\": " + e.what());
  }
}

Zone Zone::LosAngeles() {
  static const Zone zone = MustFind("America/Los_Angeles");
  return zone;
}

Zone Zone::NewYork() {
  static const Zone zone = MustFind("America/New_York");
  return zone;
}

std::string_view Zone::name() const {
  return data_->name;
}

std::chrono::seconds UtcOffset(const Zone& zone, Instant t) {
  int64_t utc_s = FloorDiv(InstantMicros(t), kMicrosPerSecond);
  return std::chrono::seconds{FastOffset(zone.data(), utc_s)};
}

LocalDateTime InstantToLocal(const Zone& zone, Instant t) {
  int64_t us = InstantMicros(t);
  int64_t local_us =
      us + FastOffset(zone.data(), FloorDiv(us, kMicrosPerSecond)) * kMicrosPerSecond;
  int64_t day = FloorDiv(local_us, kMicrosPerDay);
  return LocalDateTime{DateOfDayNumber(day), Micros{local_us - day * kMicrosPerDay}};
}

Instant LocalToInstant(const Zone& zone, Date local_date, Micros time_of_day) {
  return InstantOfMicros(LocalToInstantMicros(zone.data(), local_date, time_of_day.count()));
}

// ---------------------------------------------------------------------------
// Working hours.

WorkingSchedule WorkingSchedule::AlwaysOpen() {
  WorkingSchedule schedule;
  schedule.always_open = true;
  return schedule;
}

Status ValidateWorkingSchedule(const WorkingSchedule& schedule) {
  if (schedule.always_open) return Status::Ok();
  if (schedule.open_minute_of_day < 0 ||
      schedule.open_minute_of_day >= schedule.close_minute_of_day ||
      schedule.close_minute_of_day > 24 * 60) {
    return Error::Invalid("invalid_working_hours",
                          "working hours need 0 <= open < close <= 1440 minutes");
  }
  return Status::Ok();
}

namespace {

// Instants (as microseconds) must stay within years 0001..9999 so that the
// arithmetic below cannot overflow.
constexpr int64_t kMinSupportedUs =
    sys_days{std::chrono::year{1} / 1 / 1}.time_since_epoch().count() * kMicrosPerDay;
constexpr int64_t kMaxSupportedUs =
    sys_days{std::chrono::year{10000} / 1 / 1}.time_since_epoch().count() * kMicrosPerDay;
constexpr int64_t kMaxWorkingSpanUs = kMaxWorkingSpanDays * kMicrosPerDay;

// The error of a working-time computation outside its bounds.
Error OutOfRange() {
  return Error::Invalid("working_time_out_of_range", "working-time arithmetic spans at most " +
                                                         std::to_string(kMaxWorkingSpanDays) +
                                                         " days within years 0001..9999");
}

struct Window {
  int64_t open_us;
  int64_t close_us;  // may be <= open_us on a DST day: empty
};

// The working window of business day `date`.
Window DayWindow(const WorkingSchedule& s, Date date) {
  const ZoneData& z = s.zone.data();
  return Window{LocalToInstantMicros(z, date, s.open_minute_of_day * kMicrosPerMinute),
                LocalToInstantMicros(z, date, s.close_minute_of_day * kMicrosPerMinute)};
}

// The first business day whose window may contain or follow `t_us`.
Date FirstCandidateDay(const WorkingSchedule& s, int64_t t_us) {
  Date date = InstantToLocal(s.zone, InstantOfMicros(t_us)).date;
  return IsBusinessDay(date, s.holidays) ? date : NextBusinessDay(date, s.holidays);
}

}  // namespace

Result<Instant> AddWorkingMinutes(const WorkingSchedule& schedule, Instant start, int64_t minutes) {
  PAYOPS_TRY(ValidateWorkingSchedule(schedule));
  if (minutes < 0) {
    return Error::Invalid("invalid_minutes", "minutes must not be negative", "minutes");
  }
  int64_t start_us = InstantMicros(start);
  if (start_us < kMinSupportedUs || start_us > kMaxSupportedUs - kMaxWorkingSpanUs ||
      minutes > kMaxWorkingSpanDays * 24 * 60) {
    return OutOfRange();
  }
  if (minutes == 0) return start;
  int64_t remaining_us = minutes * kMicrosPerMinute;
  if (schedule.always_open) return InstantOfMicros(start_us + remaining_us);

  const int64_t limit_us = start_us + kMaxWorkingSpanUs;
  Date date = FirstCandidateDay(schedule, start_us);
  // Each step moves to a later business day, whole days at a time; the window of
  // the day after kMaxWorkingSpanDays + 2 steps certainly opens after limit_us.
  for (int64_t step = 0; step < kMaxWorkingSpanDays + 2; ++step) {
    Window w = DayWindow(schedule, date);
    if (w.open_us > limit_us) break;
    int64_t from_us = std::max(w.open_us, start_us);
    if (from_us < w.close_us) {
      int64_t available_us = w.close_us - from_us;
      if (remaining_us <= available_us) {
        int64_t result_us = from_us + remaining_us;
        if (result_us > limit_us) break;
        return InstantOfMicros(result_us);
      }
      remaining_us -= available_us;
    }
    date = NextBusinessDay(date, schedule.holidays);
  }
  return OutOfRange();
}

Result<Micros> WorkingTimeBetween(const WorkingSchedule& schedule, Instant from, Instant to) {
  PAYOPS_TRY(ValidateWorkingSchedule(schedule));
  int64_t from_us = InstantMicros(from);
  int64_t to_us = InstantMicros(to);
  if (to_us <= from_us) return Micros{0};
  if (from_us < kMinSupportedUs || to_us > kMaxSupportedUs || to_us - from_us > kMaxWorkingSpanUs) {
    return OutOfRange();
  }
  if (schedule.always_open) return Micros{to_us - from_us};

  int64_t total_us = 0;
  Date date = FirstCandidateDay(schedule, from_us);
  // One step per business day from `from` to `to` (at most kMaxWorkingSpanDays + 1).
  for (int64_t step = 0; step < kMaxWorkingSpanDays + 3; ++step) {
    Window w = DayWindow(schedule, date);
    if (w.open_us >= to_us) break;
    int64_t a = std::max(w.open_us, from_us);
    int64_t b = std::min(w.close_us, to_us);
    if (a < b) total_us += b - a;
    date = NextBusinessDay(date, schedule.holidays);
  }
  return Micros{total_us};
}

Result<int64_t> WorkingMinutesBetween(const WorkingSchedule& schedule, Instant from, Instant to) {
  PAYOPS_ASSIGN_OR_RETURN(Micros working, WorkingTimeBetween(schedule, from, to));
  return working.count() / kMicrosPerMinute;  // non-negative: truncation is floor
}

// ---------------------------------------------------------------------------
// Processing schedule.

namespace {

struct Deadline {
  Date date;
  Instant at;
};

// The first `time_of_day` (Los Angeles) of a business day strictly after `t`,
// looking only at t's own local date and the business days after it.
Deadline NextDeadline(Instant t, Micros time_of_day, const HolidayCalendar& calendar) {
  static const ZoneData* la = &Zone::LosAngeles().data();
  int64_t us = InstantMicros(t);
  int64_t local_us = us + FastOffset(*la, FloorDiv(us, kMicrosPerSecond)) * kMicrosPerSecond;
  Date date = DateOfDayNumber(FloorDiv(local_us, kMicrosPerDay));
  if (IsBusinessDay(date, calendar)) {
    int64_t at_us = LocalToInstantMicros(*la, date, time_of_day.count());
    if (us < at_us) return Deadline{date, InstantOfMicros(at_us)};
  }
  date = NextBusinessDay(date, calendar);
  return Deadline{date, InstantOfMicros(LocalToInstantMicros(*la, date, time_of_day.count()))};
}

}  // namespace

AchBatchSchedule AchSchedule(Instant pending_at, const HolidayCalendar& calendar) {
  Deadline cutoff = NextDeadline(pending_at, kAchCutoffTimeOfDay, calendar);
  static const ZoneData* la = &Zone::LosAngeles().data();
  Instant settlement = InstantOfMicros(
      LocalToInstantMicros(*la, cutoff.date, Micros{kAchSettlementTimeOfDay}.count()));
  return AchBatchSchedule{cutoff.date, cutoff.at, settlement, cutoff.date};
}

DebitCardSchedule DebitCardProcessing(Instant pending_at, const HolidayCalendar& calendar) {
  Deadline d = NextDeadline(pending_at, kDebitCardProcessingTimeOfDay, calendar);
  return DebitCardSchedule{d.date, d.at};
}

// ---------------------------------------------------------------------------
// Reference implementations.

namespace reference {

bool IsFederalReserveHoliday(Date date) {
  return RuleIsFederalHoliday(date);
}

bool IsBusinessDay(Date date, const HolidayCalendar& calendar) {
  weekday wd{date};
  if (wd == std::chrono::Saturday || wd == std::chrono::Sunday) return false;
  if (calendar.includes_federal() && RuleIsFederalHoliday(date)) return false;
  const std::vector<Date>& extra = calendar.extra_holidays();
  return std::find(extra.begin(), extra.end(), date) == extra.end();
}

std::chrono::seconds UtcOffset(const Zone& zone, Instant t) {
  return std::chrono::seconds{
      ReferenceOffset(zone.data(), FloorDiv(InstantMicros(t), kMicrosPerSecond))};
}

Instant LocalToInstant(const Zone& zone, Date local_date, Micros time_of_day) {
  int64_t local_us = DayNumber(local_date) * kMicrosPerDay + time_of_day.count();
  int64_t local_s = FloorDiv(local_us, kMicrosPerSecond);
  int64_t utc_s = ReferenceLocalToUtc(zone.data(), local_s);
  return InstantOfMicros(local_us + (utc_s - local_s) * kMicrosPerSecond);
}

namespace {

Deadline SlowNextDeadline(Instant t, Micros time_of_day, const HolidayCalendar& calendar) {
  Zone la = Zone::LosAngeles();
  Instant local = t + reference::UtcOffset(la, t);
  Date date = std::chrono::floor<days>(local);
  if (reference::IsBusinessDay(date, calendar)) {
    Instant at = reference::LocalToInstant(la, date, time_of_day);
    if (t < at) return {date, at};
  }
  do {
    date += days{1};
  } while (!reference::IsBusinessDay(date, calendar));
  return {date, reference::LocalToInstant(la, date, time_of_day)};
}

}  // namespace

AchBatchSchedule AchSchedule(Instant pending_at, const HolidayCalendar& calendar) {
  Deadline cutoff = SlowNextDeadline(pending_at, kAchCutoffTimeOfDay, calendar);
  Instant settlement =
      reference::LocalToInstant(Zone::LosAngeles(), cutoff.date, kAchSettlementTimeOfDay);
  return {cutoff.date, cutoff.at, settlement, cutoff.date};
}

DebitCardSchedule DebitCardProcessing(Instant pending_at, const HolidayCalendar& calendar) {
  Deadline d = SlowNextDeadline(pending_at, kDebitCardProcessingTimeOfDay, calendar);
  return {d.date, d.at};
}

}  // namespace reference

}  // namespace payops::calendar
