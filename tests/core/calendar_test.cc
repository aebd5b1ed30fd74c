#include "payops/core/calendar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <ostream>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "payops/core/clock.h"

namespace payops::calendar {

// Readable failure messages (found by argument-dependent lookup).
void PrintTo(const AchBatchSchedule& s, std::ostream* os) {
  *os << "{batch " << FormatDate(s.batch_date) << ", cutoff " << FormatRfc3339(s.cutoff_at)
      << ", settlement " << FormatRfc3339(s.settlement_at) << ", settles "
      << FormatDate(s.settlement_date) << "}";
}
void PrintTo(const DebitCardSchedule& s, std::ostream* os) {
  *os << "{" << FormatDate(s.processing_date) << ", " << FormatRfc3339(s.processed_at) << "}";
}

namespace {

using namespace std::chrono_literals;
using std::chrono::days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// "2026-07-03" → Date; fails the test on a malformed literal.
Date D(std::string_view text) {
  Result<Date> date = ParseDate(text);
  EXPECT_TRUE(date.ok()) << text;
  return date.ok() ? *date : Date{};
}

// RFC 3339 → Instant; fails the test on a malformed literal.
Instant T(std::string_view text) {
  std::optional<Instant> t = ParseRfc3339(text);
  EXPECT_TRUE(t.has_value()) << text;
  return t.value_or(Instant{});
}

std::string Utc(Instant t) {
  return FormatRfc3339(t);
}

std::string Fmt(const LocalDateTime& local) {
  auto tod = local.time_of_day;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d.%06d", FormatDate(local.date).c_str(),
                static_cast<int>(tod / 1h), static_cast<int>(tod % 1h / 1min),
                static_cast<int>(tod % 1min / 1s), static_cast<int>(tod % 1s / 1us));
  return buf;
}

std::vector<std::string> Strings(const std::vector<Date>& dates) {
  std::vector<std::string> out;
  for (Date d : dates) out.push_back(FormatDate(d));
  return out;
}

Date Jan1(int year) {
  return Date{std::chrono::year{year} / 1 / 1};
}

// ===========================================================================
// Dates

TEST(DateTest, FormatAndParseRoundTrip) {
  struct Row {
    const char* text;
  } rows[] = {{"2026-07-03"}, {"1900-01-01"}, {"2200-12-31"}, {"2024-02-29"},
              {"0001-01-01"}, {"9999-12-31"}, {"1970-01-01"}};
  for (const Row& row : rows) {
    Result<Date> date = ParseDate(row.text);
    ASSERT_TRUE(date.ok()) << row.text;
    EXPECT_EQ(FormatDate(*date), row.text);
  }
  EXPECT_EQ(FormatDate(2026y / std::chrono::July / 3), "2026-07-03");
  EXPECT_EQ(D("1970-01-02").time_since_epoch().count(), 1);
}

TEST(DateTest, ParseRejectsMalformed) {
  const char* rows[] = {"",           "2026-7-03",   "2026-07-3",   "2026/07/03",
                        "2026-02-29", "2026-13-01",  "2026-00-10",  "2026-01-32",
                        "abcd-ef-gh", "2026-07-03 ", " 2026-07-03", "20260703"};
  for (const char* text : rows) {
    Result<Date> date = ParseDate(text);
    ASSERT_FALSE(date.ok()) << text;
    EXPECT_EQ(date.error().code, "invalid_date");
    EXPECT_EQ(date.error().kind, ErrorKind::kInvalid);
  }
}

// ===========================================================================
// Federal Reserve holidays

TEST(HolidayTest, FullList2026) {
  struct Row {
    FederalHoliday holiday;
    const char* name;
    const char* date;
    const char* observed;
  } rows[] = {
      {FederalHoliday::kNewYearsDay, "New Year's Day", "2026-01-01", "2026-01-01"},
      {FederalHoliday::kMartinLutherKingJrDay, "Birthday of Martin Luther King, Jr.", "2026-01-19",
       "2026-01-19"},
      {FederalHoliday::kWashingtonsBirthday, "Washington's Birthday", "2026-02-16", "2026-02-16"},
      {FederalHoliday::kMemorialDay, "Memorial Day", "2026-05-25", "2026-05-25"},
      {FederalHoliday::kJuneteenth, "Juneteenth National Independence Day", "2026-06-19",
       "2026-06-19"},
      {FederalHoliday::kIndependenceDay, "Independence Day", "2026-07-04", "2026-07-04"},
      {FederalHoliday::kLaborDay, "Labor Day", "2026-09-07", "2026-09-07"},
      {FederalHoliday::kColumbusDay, "Columbus Day", "2026-10-12", "2026-10-12"},
      {FederalHoliday::kVeteransDay, "Veterans Day", "2026-11-11", "2026-11-11"},
      {FederalHoliday::kThanksgivingDay, "Thanksgiving Day", "2026-11-26", "2026-11-26"},
      {FederalHoliday::kChristmasDay, "Christmas Day", "2026-12-25", "2026-12-25"},
  };
  std::vector<Holiday> holidays = FederalReserveHolidays(2026);
  ASSERT_EQ(holidays.size(), std::size(rows));
  for (size_t i = 0; i < holidays.size(); ++i) {
    SCOPED_TRACE(rows[i].name);
    EXPECT_EQ(holidays[i].holiday, rows[i].holiday);
    EXPECT_EQ(holidays[i].name, rows[i].name);
    EXPECT_EQ(FormatDate(holidays[i].date), rows[i].date);
    EXPECT_EQ(FormatDate(holidays[i].observed), rows[i].observed);
  }
}

// Weekday closures as published by the Federal Reserve for these years.
TEST(HolidayTest, ObservedWeekdayClosuresByYear) {
  struct Row {
    int year;
    std::vector<std::string> closures;
  } rows[] = {
      {2021,
       {"2021-01-01", "2021-01-18", "2021-02-15", "2021-05-31", "2021-07-05", "2021-09-06",
        "2021-10-11", "2021-11-11", "2021-11-25"}},  // Christmas 2021 is a Saturday
      {2022,
       {"2022-01-17", "2022-02-21", "2022-05-30", "2022-06-20", "2022-07-04", "2022-09-05",
        "2022-10-10", "2022-11-11", "2022-11-24", "2022-12-26"}},  // Jan 1 is a Saturday
      {2023,
       {"2023-01-02", "2023-01-16", "2023-02-20", "2023-05-29", "2023-06-19", "2023-07-04",
        "2023-09-04", "2023-10-09", "2023-11-23", "2023-12-25"}},  // Nov 11 is a Saturday
      {2026,
       {"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-09-07",
        "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"}},  // July 4 is a Saturday
      {2027,
       {"2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31", "2027-07-05", "2027-09-06",
        "2027-10-11", "2027-11-11", "2027-11-25"}},  // June 19 and Dec 25 are Saturdays
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.year);
    std::vector<std::string> closures;
    for (Date d = Jan1(row.year); d < Jan1(row.year + 1); d += days{1}) {
      std::chrono::weekday wd{d};
      if (wd != std::chrono::Saturday && wd != std::chrono::Sunday &&
          !IsBusinessDay(d, HolidayCalendar{})) {
        closures.push_back(FormatDate(d));
      }
    }
    EXPECT_EQ(closures, row.closures);
  }
}

TEST(HolidayTest, Juneteenth) {
  std::vector<Holiday> h2021 = FederalReserveHolidays(2021);
  EXPECT_EQ(h2021.size(), 10u);
  EXPECT_TRUE(std::none_of(h2021.begin(), h2021.end(), [](const Holiday& h) {
    return h.holiday == FederalHoliday::kJuneteenth;
  }));
  EXPECT_FALSE(IsFederalReserveHoliday(D("2021-06-18")));
  EXPECT_FALSE(IsFederalReserveHoliday(D("2021-06-19")));
  EXPECT_TRUE(IsBusinessDay(D("2021-06-18"), HolidayCalendar{}));

  std::vector<Holiday> h2022 = FederalReserveHolidays(2022);
  EXPECT_EQ(h2022.size(), 11u);
  auto j = std::find_if(h2022.begin(), h2022.end(),
                        [](const Holiday& h) { return h.holiday == FederalHoliday::kJuneteenth; });
  ASSERT_NE(j, h2022.end());
  EXPECT_EQ(FormatDate(j->date), "2022-06-19");  // a Sunday
  EXPECT_EQ(FormatDate(j->observed), "2022-06-20");
  EXPECT_FALSE(IsBusinessDay(D("2022-06-20"), HolidayCalendar{}));
}

TEST(HolidayTest, IsFederalReserveHoliday) {
  struct Row {
    const char* date;
    bool holiday;
  } rows[] = {
      {"2026-07-04", true},   // Saturday: observed on the Saturday itself
      {"2026-07-03", false},  // ... so the Friday is not a holiday
      {"2027-07-04", false},  // Sunday: moved to Monday
      {"2027-07-05", true},
      {"2022-12-25", false},  // Sunday
      {"2022-12-26", true},
      {"2023-01-01", false},  // Sunday
      {"2023-01-02", true},
      {"2021-12-31", false},  // New Year's Day 2022 is a Saturday: not
                              // moved back
      {"2022-01-01", true},
      {"2026-11-26", true},
      {"2026-11-27", false},
      {"2026-03-09", false},
      {"1900-01-01", true},
      {"2200-12-25", true},
      {"1850-07-04", true},  // outside the table: by rule
      {"2500-12-25", true},
      {"2500-12-24", false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(IsFederalReserveHoliday(D(row.date)), row.holiday) << row.date;
    EXPECT_EQ(reference::IsFederalReserveHoliday(D(row.date)), row.holiday) << row.date;
  }
}

TEST(HolidayTest, RuleStructureEveryYear1800To2600) {
  for (int year = 1800; year <= 2600; ++year) {
    SCOPED_TRACE(year);
    std::vector<Holiday> hs = FederalReserveHolidays(year);
    ASSERT_EQ(hs.size(), year >= 2022 ? 11u : 10u);
    for (const Holiday& h : hs) {
      std::chrono::year_month_day ymd{h.date};
      std::chrono::weekday wd{h.date};
      unsigned m = static_cast<unsigned>(ymd.month());
      unsigned d = static_cast<unsigned>(ymd.day());
      EXPECT_EQ(static_cast<int>(ymd.year()), year);
      EXPECT_EQ(h.observed, wd == std::chrono::Sunday ? h.date + days{1} : h.date);
      EXPECT_NE(std::chrono::weekday{h.observed}, std::chrono::Sunday);
      switch (h.holiday) {
        case FederalHoliday::kNewYearsDay:
          EXPECT_TRUE(m == 1 && d == 1);
          break;
        case FederalHoliday::kMartinLutherKingJrDay:
          EXPECT_TRUE(m == 1 && d >= 15 && d <= 21 && wd == std::chrono::Monday);
          break;
        case FederalHoliday::kWashingtonsBirthday:
          EXPECT_TRUE(m == 2 && d >= 15 && d <= 21 && wd == std::chrono::Monday);
          break;
        case FederalHoliday::kMemorialDay:
          EXPECT_TRUE(m == 5 && d >= 25 && wd == std::chrono::Monday);
          break;
        case FederalHoliday::kJuneteenth:
          EXPECT_TRUE(m == 6 && d == 19 && year >= 2022);
          break;
        case FederalHoliday::kIndependenceDay:
          EXPECT_TRUE(m == 7 && d == 4);
          break;
        case FederalHoliday::kLaborDay:
          EXPECT_TRUE(m == 9 && d <= 7 && wd == std::chrono::Monday);
          break;
        case FederalHoliday::kColumbusDay:
          EXPECT_TRUE(m == 10 && d >= 8 && d <= 14 && wd == std::chrono::Monday);
          break;
        case FederalHoliday::kVeteransDay:
          EXPECT_TRUE(m == 11 && d == 11);
          break;
        case FederalHoliday::kThanksgivingDay:
          EXPECT_TRUE(m == 11 && d >= 22 && d <= 28 && wd == std::chrono::Thursday);
          break;
        case FederalHoliday::kChristmasDay:
          EXPECT_TRUE(m == 12 && d == 25);
          break;
      }
    }
  }
}

// The bitset fast path against the rules, for every day of the table and beyond.
TEST(HolidayTest, FastPathMatchesRulesEveryDay1890To2210) {
  HolidayCalendar federal;
  HolidayCalendar with_extra({D("2026-03-10"), D("2150-06-01"), D("1899-12-29")});
  HolidayCalendar no_federal({D("2026-03-10")}, HolidayCalendar::Federal::kExclude);
  for (Date d = Jan1(1890); d < Jan1(2211); d += days{1}) {
    ASSERT_EQ(IsFederalReserveHoliday(d), reference::IsFederalReserveHoliday(d)) << FormatDate(d);
    ASSERT_EQ(IsBusinessDay(d, federal), reference::IsBusinessDay(d, federal)) << FormatDate(d);
    ASSERT_EQ(IsBusinessDay(d, with_extra), reference::IsBusinessDay(d, with_extra))
        << FormatDate(d);
    ASSERT_EQ(IsBusinessDay(d, no_federal), reference::IsBusinessDay(d, no_federal))
        << FormatDate(d);
  }
}

// ===========================================================================
// Business days

TEST(BusinessDayTest, IsBusinessDay) {
  struct Row {
    const char* date;
    bool business;
  } rows[] = {
      {"2026-07-03", true},   // Friday; July 4 2026 is a Saturday and is not moved
      {"2026-07-04", false},  // Saturday
      {"2026-07-06", true},
      {"2027-07-02", true},
      {"2027-07-05", false},  // Monday: July 4 2027
                              // is a Sunday
      {"2022-12-26", false},  // Christmas 2022 on Sunday
      {"2022-12-23", true},
      {"2021-12-31", true},   // New Year's Day 2022 on Saturday
      {"2023-01-02", false},  // New Year's Day 2023 on Sunday
      {"2021-06-18", true},   // no Juneteenth before 2022
      {"2022-06-20", false},
      {"2026-06-19", false},
      {"2026-11-26", false},  // Thanksgiving
      {"2026-11-27", true},   // the Friday after is a business day
      {"2026-01-19", false},  // MLK
      {"2026-03-06", true},
      {"2026-03-07", false},
      {"2026-03-08", false},
      {"2026-03-09", true},
      {"2024-02-29", true},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(IsBusinessDay(D(row.date), HolidayCalendar{}), row.business) << row.date;
  }
}

TEST(BusinessDayTest, NextBusinessDay) {
  struct Row {
    const char* date;
    const char* next;
  } rows[] = {
      {"2026-07-02", "2026-07-03"},  // Thu → Fri (July 4 on Saturday)
      {"2026-07-03", "2026-07-06"}, {"2027-07-02", "2027-07-06"},  // Fri → Tue (Monday observed)
      {"2027-07-03", "2027-07-06"}, {"2022-12-23", "2022-12-27"},
      {"2022-12-30", "2023-01-03"}, {"2026-11-25", "2026-11-27"},  // over Thanksgiving
      {"2026-01-16", "2026-01-20"},                                // over MLK
      {"2026-01-17", "2026-01-20"}, {"2026-12-31", "2027-01-04"},
      {"2026-03-04", "2026-03-05"},  // strictly after
      {"2026-03-07", "2026-03-09"}, {"2026-03-08", "2026-03-09"},
      {"2200-12-31", "2201-01-02"},  // crosses the table's end (Thursday 2201-01-01 is a holiday)
      {"1899-12-29", "1900-01-02"},  // crosses the table's start
  };
  for (const Row& row : rows) {
    EXPECT_EQ(FormatDate(NextBusinessDay(D(row.date), HolidayCalendar{})), row.next) << row.date;
  }
}

TEST(BusinessDayTest, ExtraHolidays) {
  HolidayCalendar cal({D("2026-03-11"), D("2026-03-10"), D("2026-03-10"), D("2026-07-03")});
  EXPECT_EQ(Strings(cal.extra_holidays()),
            (std::vector<std::string>{"2026-03-10", "2026-03-11", "2026-07-03"}));
  struct Row {
    const char* date;
    bool business;
    const char* next;
    bool holiday;
  } rows[] = {
      {"2026-03-09", true, "2026-03-12", false},
      {"2026-03-10", false, "2026-03-12", true},
      {"2026-03-11", false, "2026-03-12", true},
      {"2026-07-02", true, "2026-07-06", false},
      {"2026-07-03", false, "2026-07-06", true},
      {"2026-07-04", false, "2026-07-06", true},  // federal (Saturday)
      {"2026-11-26", false, "2026-11-27", true},
      {"2026-03-07", false, "2026-03-09", false},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(IsBusinessDay(D(row.date), cal), row.business) << row.date;
    EXPECT_EQ(FormatDate(NextBusinessDay(D(row.date), cal)), row.next) << row.date;
    EXPECT_EQ(cal.IsHoliday(D(row.date)), row.holiday) << row.date;
  }
}

TEST(BusinessDayTest, CalendarWithoutFederalHolidays) {
  HolidayCalendar cal({D("2026-03-10")}, HolidayCalendar::Federal::kExclude);
  EXPECT_FALSE(cal.includes_federal());
  EXPECT_TRUE(IsBusinessDay(D("2026-11-26"), cal));  // Thanksgiving counts
  EXPECT_TRUE(IsBusinessDay(D("2027-07-05"), cal));
  EXPECT_FALSE(IsBusinessDay(D("2026-03-10"), cal));
  EXPECT_FALSE(IsBusinessDay(D("2026-03-07"), cal));
  EXPECT_FALSE(cal.IsHoliday(D("2026-11-26")));
  EXPECT_TRUE(cal.IsHoliday(D("2026-03-10")));
  EXPECT_EQ(FormatDate(NextBusinessDay(D("2026-03-09"), cal)), "2026-03-11");
}

TEST(BusinessDayTest, LongRunOfExtraHolidays) {
  std::vector<Date> extra;
  for (Date d = D("2026-03-02"); d <= D("2026-06-30"); d += days{1}) extra.push_back(d);
  HolidayCalendar cal(extra);
  EXPECT_EQ(FormatDate(NextBusinessDay(D("2026-02-27"), cal)), "2026-07-01");
}

TEST(BusinessDayTest, CountAndList) {
  struct Row {
    const char* from;
    const char* to;
    int64_t count;
  } rows[] = {
      {"2026-01-01", "2026-12-31", 251},
      {"2026-03-09", "2026-03-09", 1},
      {"2026-03-07", "2026-03-07", 0},
      {"2026-03-09", "2026-03-13", 5},
      {"2026-03-06", "2026-03-09", 2},
      {"2026-06-29", "2026-07-10", 10},  // July 4 on Saturday: no weekday lost
      {"2027-06-28", "2027-07-09", 9},   // July 5 observed
      {"2026-11-23", "2026-11-27", 4},   // Thanksgiving week
      {"2026-03-10", "2026-03-09", 0},   // to < from
      {"2020-01-01", "2030-01-08", -1},  // 3661 days: computed below
  };
  for (const Row& row : rows) {
    if (row.count < 0) continue;
    Result<int64_t> count = BusinessDaysBetween(D(row.from), D(row.to), HolidayCalendar{});
    ASSERT_TRUE(count.ok()) << row.from;
    EXPECT_EQ(*count, row.count) << row.from << ".." << row.to;
    Result<std::vector<Date>> list = ListBusinessDays(D(row.from), D(row.to), HolidayCalendar{});
    ASSERT_TRUE(list.ok());
    EXPECT_EQ(static_cast<int64_t>(list->size()), row.count);
    EXPECT_TRUE(std::is_sorted(list->begin(), list->end()));
  }
  Result<std::vector<Date>> list =
      ListBusinessDays(D("2027-07-01"), D("2027-07-07"), HolidayCalendar{});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(Strings(*list),
            (std::vector<std::string>{"2027-07-01", "2027-07-02", "2027-07-06", "2027-07-07"}));
}

TEST(BusinessDayTest, RangeLimit) {
  Date from = D("2020-01-01");
  Date last_ok = from + days{kMaxRangeDays - 1};  // kMaxRangeDays days inclusive
  EXPECT_TRUE(BusinessDaysBetween(from, last_ok, HolidayCalendar{}).ok());
  EXPECT_TRUE(ListBusinessDays(from, last_ok, HolidayCalendar{}).ok());
  Result<int64_t> count = BusinessDaysBetween(from, last_ok + days{1}, HolidayCalendar{});
  ASSERT_FALSE(count.ok());
  EXPECT_EQ(count.error().code, "date_range_too_large");
  Result<std::vector<Date>> list = ListBusinessDays(from, last_ok + days{1}, HolidayCalendar{});
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, "date_range_too_large");
  // A reversed range is empty, however long.
  Result<int64_t> reversed = BusinessDaysBetween(last_ok + days{100}, from, HolidayCalendar{});
  ASSERT_TRUE(reversed.ok());
  EXPECT_EQ(*reversed, 0);
}

// ===========================================================================
// Zones

TEST(ZoneTest, Find) {
  Result<Zone> ny = Zone::Find("America/New_York");
  ASSERT_TRUE(ny.ok());
  EXPECT_EQ(ny->name(), "America/New_York");
  EXPECT_TRUE(*ny == Zone::NewYork());
  EXPECT_FALSE(Zone::LosAngeles() == Zone::NewYork());
  EXPECT_EQ(Zone::LosAngeles().name(), "America/Los_Angeles");
  for (const char* bad : {"Nowhere/Special", "", "america/new_york_x"}) {
    Result<Zone> zone = Zone::Find(bad);
    ASSERT_FALSE(zone.ok()) << bad;
    EXPECT_EQ(zone.error().code, "unknown_time_zone");
  }
}

TEST(ZoneTest, UtcOffsetAndInstantToLocal) {
  Zone la = Zone::LosAngeles();
  Zone ny = Zone::NewYork();
  struct Row {
    Zone zone;
    const char* utc;
    seconds offset;
    const char* local;
  } rows[] = {
      {ny, "2026-01-15T12:00:00Z", -5h, "2026-01-15 07:00:00.000000"},
      {ny, "2026-07-15T12:00:00Z", -4h, "2026-07-15 08:00:00.000000"},
      {la, "2026-01-15T12:00:00Z", -8h, "2026-01-15 04:00:00.000000"},
      {la, "2026-07-15T12:00:00Z", -7h, "2026-07-15 05:00:00.000000"},
      {la, "2026-01-06T03:00:00Z", -8h, "2026-01-05 19:00:00.000000"},  // date differs
      // Spring forward, 2026-03-08 02:00 local.
      {ny, "2026-03-08T06:59:59.999999Z", -5h, "2026-03-08 01:59:59.999999"},
      {ny, "2026-03-08T07:00:00Z", -4h, "2026-03-08 03:00:00.000000"},
      {la, "2026-03-08T09:59:59Z", -8h, "2026-03-08 01:59:59.000000"},
      {la, "2026-03-08T10:00:00Z", -7h, "2026-03-08 03:00:00.000000"},
      // Fall back, 2026-11-01 02:00 local: 01:xx happens twice.
      {ny, "2026-11-01T05:30:00Z", -4h, "2026-11-01 01:30:00.000000"},
      {ny, "2026-11-01T05:59:59Z", -4h, "2026-11-01 01:59:59.000000"},
      {ny, "2026-11-01T06:00:00Z", -5h, "2026-11-01 01:00:00.000000"},
      {ny, "2026-11-01T06:30:00Z", -5h, "2026-11-01 01:30:00.000000"},
      {la, "2026-11-01T08:30:00Z", -7h, "2026-11-01 01:30:00.000000"},
      {la, "2026-11-01T09:30:00Z", -8h, "2026-11-01 01:30:00.000000"},
      // History and far future (after the database's last explicit transition).
      {ny, "1950-07-01T16:00:00Z", -4h, "1950-07-01 12:00:00.000000"},
      {ny, "1900-01-01T05:00:00Z", -5h, "1900-01-01 00:00:00.000000"},
      {ny, "2038-03-14T06:59:59Z", -5h, "2038-03-14 01:59:59.000000"},
      {ny, "2038-03-14T07:00:00Z", -4h, "2038-03-14 03:00:00.000000"},
      {ny, "2040-07-01T16:00:00Z", -4h, "2040-07-01 12:00:00.000000"},
      {la, "2100-07-01T19:00:00Z", -7h, "2100-07-01 12:00:00.000000"},
      {la, "2200-12-31T12:00:00Z", -8h, "2200-12-31 04:00:00.000000"},
      {la, "2300-07-01T19:00:00Z", -7h, "2300-07-01 12:00:00.000000"},  // beyond the table
      {la, "1969-12-31T23:59:59.5Z", -8h, "1969-12-31 15:59:59.500000"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.zone.name()) + " " + row.utc);
    Instant t = T(row.utc);
    EXPECT_EQ(UtcOffset(row.zone, t), row.offset);
    EXPECT_EQ(reference::UtcOffset(row.zone, t), row.offset);
    EXPECT_EQ(Fmt(InstantToLocal(row.zone, t)), row.local);
  }
}

TEST(ZoneTest, LocalToInstantIncludingGapsAndOverlaps) {
  Zone la = Zone::LosAngeles();
  Zone ny = Zone::NewYork();
  struct Row {
    Zone zone;
    const char* date;
    Micros time_of_day;
    const char* utc;
  } rows[] = {
      {ny, "2026-01-15", 7h, "2026-01-15T12:00:00Z"},
      {ny, "2026-07-15", 8h, "2026-07-15T12:00:00Z"},
      {la, "2026-01-05", 7h, "2026-01-05T15:00:00Z"},
      {la, "2026-06-08", 7h, "2026-06-08T14:00:00Z"},
      // Spring-forward gap 02:00–03:00: the pre-transition offset applies.
      {ny, "2026-03-08", 1h + 59min + 59s, "2026-03-08T06:59:59Z"},
      {ny, "2026-03-08", 2h, "2026-03-08T07:00:00Z"},          // reads 03:00 EDT
      {ny, "2026-03-08", 2h + 30min, "2026-03-08T07:30:00Z"},  // reads 03:30 EDT
      {ny, "2026-03-08", 2h + 59min + 59s, "2026-03-08T07:59:59Z"},
      {ny, "2026-03-08", 3h, "2026-03-08T07:00:00Z"},
      {ny, "2026-03-08", 3h + 30min, "2026-03-08T07:30:00Z"},
      {la, "2026-03-08", 2h + 30min, "2026-03-08T10:30:00Z"},  // reads 03:30 PDT
      {la, "2026-03-08", 3h, "2026-03-08T10:00:00Z"},
      // Fall-back overlap 01:00–02:00: the earlier (daylight) instant.
      {ny, "2026-11-01", 59min, "2026-11-01T04:59:00Z"},
      {ny, "2026-11-01", 1h, "2026-11-01T05:00:00Z"},
      {ny, "2026-11-01", 1h + 30min, "2026-11-01T05:30:00Z"},
      {ny, "2026-11-01", 1h + 59min + 59s, "2026-11-01T05:59:59Z"},
      {ny, "2026-11-01", 2h, "2026-11-01T07:00:00Z"},
      {la, "2026-11-01", 1h + 30min, "2026-11-01T08:30:00Z"},
      {la, "2026-11-01", 2h, "2026-11-01T10:00:00Z"},
      // Sub-second precision, out-of-day times of day.
      {la, "2026-01-05", 7h - 1us, "2026-01-05T14:59:59.999Z"},
      {la, "2026-01-05", 24h + 7h, "2026-01-06T15:00:00Z"},
      {la, "2026-01-05", -1h, "2026-01-05T07:00:00Z"},
      // Far future: the US rule continues the database.
      {ny, "2038-03-14", 2h + 30min, "2038-03-14T07:30:00Z"},
      {ny, "2038-11-07", 1h + 30min, "2038-11-07T05:30:00Z"},
      {la, "2150-07-01", 12h, "2150-07-01T19:00:00Z"},
      {la, "2300-07-01", 12h, "2300-07-01T19:00:00Z"},
      {la, "2300-03-11", 2h + 30min, "2300-03-11T10:30:00Z"},  // 2nd Sunday of March 2300
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(std::string(row.zone.name()) + " " + row.date + " +" +
                 std::to_string(row.time_of_day.count()) + "us");
    EXPECT_EQ(Utc(LocalToInstant(row.zone, D(row.date), row.time_of_day)), row.utc);
    EXPECT_EQ(Utc(reference::LocalToInstant(row.zone, D(row.date), row.time_of_day)), row.utc);
  }
  EXPECT_EQ(LocalToInstant(la, D("2026-01-05"), 7h - 1us), T("2026-01-05T14:59:59.999999Z"));
}

TEST(ZoneTest, LocalRoundTripEveryQuarterHour2026) {
  for (Zone zone : {Zone::LosAngeles(), Zone::NewYork()}) {
    for (Date d = Jan1(2026); d < Jan1(2027); d += days{1}) {
      for (Micros tod{0}; tod < 24h; tod += 15min) {
        Instant t = LocalToInstant(zone, d, tod);
        LocalDateTime back = InstantToLocal(zone, t);
        if (back.date == d && back.time_of_day == tod) continue;
        // Only a nonexistent wall time may fail to round-trip: it reads one hour later.
        ASSERT_EQ(Fmt(back), Fmt(LocalDateTime{d, tod + 1h}))
            << zone.name() << " " << FormatDate(d);
        ASSERT_EQ(std::chrono::month_day(std::chrono::year_month_day{d}.month(),
                                         std::chrono::year_month_day{d}.day()),
                  std::chrono::March / 8);
      }
    }
  }
}

// Transitions of `zone` in [from, to): UTC instants at which the offset changes.
std::vector<Instant> Transitions(Zone zone, Instant from, Instant to) {
  std::vector<Instant> out;
  seconds prev = reference::UtcOffset(zone, from);
  for (Instant t = from; t < to; t += 1h) {
    seconds off = reference::UtcOffset(zone, t);
    if (off != prev) {
      // Find the exact second by bisection in (t - 1h, t].
      Instant lo = t - 1h, hi = t;
      while (hi - lo > Micros{1s}) {
        Instant mid = lo + (hi - lo) / 2 / Micros{1s} * Micros{1s};
        if (mid == lo) mid = lo + 1s;
        (reference::UtcOffset(zone, mid) == off ? hi : lo) = mid;
      }
      out.push_back(hi);
      prev = off;
    }
  }
  return out;
}

// The fast offset table against date::tz (and the rule extension) for every hour
// of several years and every minute around every transition in them.
TEST(ZoneTest, FastPathMatchesReference) {
  std::vector<Zone> zones = {Zone::LosAngeles(), Zone::NewYork()};
  for (const char* name : {"Europe/London", "Australia/Sydney", "Asia/Kolkata", "America/Sao_Paulo",
                           "Asia/Jerusalem", "America/Chicago"}) {
    Result<Zone> zone = Zone::Find(name);
    ASSERT_TRUE(zone.ok()) << name;
    zones.push_back(*zone);
  }
  const int years[] = {1899, 1900, 1918, 1945, 1969, 1970, 2006, 2007,
                       2026, 2027, 2037, 2038, 2039, 2100, 2200, 2201};
  for (Zone zone : zones) {
    for (int year : years) {
      SCOPED_TRACE(std::string(zone.name()) + " " + std::to_string(year));
      Instant from = Instant{Jan1(year)};
      Instant to = Instant{Jan1(year + 1)};
      for (Instant t = from; t < to; t += 1h) {
        ASSERT_EQ(UtcOffset(zone, t), reference::UtcOffset(zone, t)) << Utc(t);
      }
      for (Date d = Jan1(year); d < Jan1(year + 1); d += days{1}) {
        for (Micros tod{0}; tod < 24h; tod += 1h) {
          ASSERT_EQ(LocalToInstant(zone, d, tod), reference::LocalToInstant(zone, d, tod))
              << FormatDate(d) << " " << tod.count();
        }
      }
      for (Instant tr : Transitions(zone, from, to)) {
        for (Instant t = tr - 3h; t <= tr + 3h; t += 1min) {
          ASSERT_EQ(UtcOffset(zone, t), reference::UtcOffset(zone, t)) << Utc(t);
          ASSERT_EQ(UtcOffset(zone, t - 1us), reference::UtcOffset(zone, t - 1us)) << Utc(t);
        }
        LocalDateTime local = InstantToLocal(zone, tr);
        for (Micros tod = local.time_of_day - 4h; tod <= local.time_of_day + 4h; tod += 1min) {
          ASSERT_EQ(LocalToInstant(zone, local.date, tod),
                    reference::LocalToInstant(zone, local.date, tod))
              << FormatDate(local.date) << " " << tod.count();
          ASSERT_EQ(LocalToInstant(zone, local.date, tod - 1us),
                    reference::LocalToInstant(zone, local.date, tod - 1us))
              << FormatDate(local.date) << " " << tod.count();
        }
      }
    }
  }
}

TEST(ZoneTest, UsRuleContinuesAfter2037) {
  // Every year from 2026 to 2200: DST from the second Sunday of March 02:00 to the
  // first Sunday of November 02:00, in both zones.
  for (Zone zone : {Zone::LosAngeles(), Zone::NewYork()}) {
    seconds std_offset = zone == Zone::LosAngeles() ? seconds{-8h} : seconds{-5h};
    for (int year = 2026; year <= 2200; ++year) {
      SCOPED_TRACE(std::string(zone.name()) + " " + std::to_string(year));
      std::chrono::year y{year};
      Date start = Date{y / std::chrono::March / std::chrono::Sunday[2]};
      Date end = Date{y / std::chrono::November / std::chrono::Sunday[1]};
      Instant start_at = Instant{start} + 2h - std_offset;
      Instant end_at = Instant{end} + 2h - (std_offset + 1h);
      EXPECT_EQ(UtcOffset(zone, start_at - 1s), std_offset);
      EXPECT_EQ(UtcOffset(zone, start_at), std_offset + 1h);
      EXPECT_EQ(UtcOffset(zone, end_at - 1s), std_offset + 1h);
      EXPECT_EQ(UtcOffset(zone, end_at), std_offset);
    }
  }
}

TEST(ZoneTest, OtherZonesFollowTheDatabaseAsIs) {
  Result<Zone> london = Zone::Find("Europe/London");
  ASSERT_TRUE(london.ok());
  EXPECT_EQ(UtcOffset(*london, T("2026-07-01T12:00:00Z")), 1h);
  // The OS database has no explicit transitions after 2037 and the date library
  // ignores the files' rule footer: documented limitation for zones without a rule.
  EXPECT_EQ(UtcOffset(*london, T("2040-07-01T12:00:00Z")), 0h);
  Result<Zone> kolkata = Zone::Find("Asia/Kolkata");
  ASSERT_TRUE(kolkata.ok());
  EXPECT_EQ(UtcOffset(*kolkata, T("2026-07-01T12:00:00Z")), 5h + 30min);
}

// ===========================================================================
// Working hours

WorkingSchedule NySchedule() {
  return WorkingSchedule{};
}

TEST(WorkingHoursTest, EssentialsMediumFridayAfternoonAcrossDst) {
  // 9 working hours from Friday 16:00 EST: 1 h on Friday, 8 h on Monday (now EDT).
  Result<Instant> due = AddWorkingMinutes(NySchedule(), T("2026-03-06T16:00:00-05:00"), 540);
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(Utc(*due), Utc(T("2026-03-09T16:00:00-04:00")));
  EXPECT_EQ(Utc(*due), "2026-03-09T20:00:00Z");
}

TEST(WorkingHoursTest, AddWorkingMinutes) {
  WorkingSchedule ny = NySchedule();
  WorkingSchedule extra = NySchedule();
  extra.holidays = HolidayCalendar({D("2026-03-05")});
  WorkingSchedule la;
  la.zone = Zone::LosAngeles();
  la.open_minute_of_day = 9 * 60 + 30;
  la.close_minute_of_day = 18 * 60;
  WorkingSchedule always = WorkingSchedule::AlwaysOpen();
  struct Row {
    const char* what;
    const WorkingSchedule* schedule;
    const char* start;
    int64_t minutes;
    const char* due;
  } rows[] = {
      {"at open", &ny, "2026-03-04T08:00:00-05:00", 540, "2026-03-04T17:00:00-05:00"},
      {"reaching close exactly", &ny, "2026-03-04T16:00:00-05:00", 60, "2026-03-04T17:00:00-05:00"},
      {"at close", &ny, "2026-03-04T17:00:00-05:00", 60, "2026-03-05T09:00:00-05:00"},
      {"at close, 9 h", &ny, "2026-03-04T17:00:00-05:00", 540, "2026-03-05T17:00:00-05:00"},
      {"before open", &ny, "2026-03-04T06:00:00-05:00", 60, "2026-03-04T09:00:00-05:00"},
      {"after close", &ny, "2026-03-04T21:00:00-05:00", 1, "2026-03-05T08:01:00-05:00"},
      {"mid-window", &ny, "2026-03-04T10:15:00-05:00", 30, "2026-03-04T10:45:00-05:00"},
      {"sub-minute start", &ny, "2026-03-04T16:59:30-05:00", 1, "2026-03-05T08:00:30-05:00"},
      {"Saturday start", &ny, "2026-03-07T12:00:00-05:00", 1, "2026-03-09T08:01:00-04:00"},
      {"Friday 16:00 + 60 = Friday close", &ny, "2026-03-06T16:00:00-05:00", 60,
       "2026-03-06T17:00:00-05:00"},
      {"2 days (18 h)", &ny, "2026-03-02T10:00:00-05:00", 1080, "2026-03-04T10:00:00-05:00"},
      {"5 days (45 h) from Monday open", &ny, "2026-03-02T08:00:00-05:00", 2700,
       "2026-03-06T17:00:00-05:00"},
      {"over Thanksgiving", &ny, "2026-11-25T16:00:00-05:00", 120, "2026-11-27T09:00:00-05:00"},
      {"over July 4 on Sunday (Monday observed)", &ny, "2027-07-02T16:30:00-04:00", 60,
       "2027-07-06T08:30:00-04:00"},
      {"over Christmas on Sunday", &ny, "2022-12-23T16:00:00-05:00", 540,
       "2022-12-27T16:00:00-05:00"},
      {"over New Year on Sunday", &ny, "2022-12-30T17:00:00-05:00", 1, "2023-01-03T08:01:00-05:00"},
      {"July 4 on Saturday: Friday works", &ny, "2026-07-02T16:00:00-04:00", 120,
       "2026-07-03T09:00:00-04:00"},
      {"across fall back", &ny, "2026-10-30T16:00:00-04:00", 540, "2026-11-02T16:00:00-05:00"},
      {"extra holiday", &extra, "2026-03-04T16:00:00-05:00", 120, "2026-03-06T09:00:00-05:00"},
      {"other hours and zone", &la, "2026-03-06T17:00:00-08:00", 120, "2026-03-09T10:30:00-07:00"},
      {"other hours, before open", &la, "2026-03-09T09:00:00-07:00", 510,
       "2026-03-09T18:00:00-07:00"},
      {"24x7", &always, "2026-03-07T12:00:00Z", 60, "2026-03-07T13:00:00Z"},
      {"24x7 across DST", &always, "2026-03-08T06:00:00Z", 180, "2026-03-08T09:00:00Z"},
      {"24x7 on a holiday", &always, "2026-12-25T23:30:00Z", 45, "2026-12-26T00:15:00Z"},
      {"zero minutes, outside hours", &ny, "2026-03-07T12:00:00-05:00", 0,
       "2026-03-07T12:00:00-05:00"},
      {"zero minutes, inside hours", &ny, "2026-03-04T10:00:00-05:00", 0,
       "2026-03-04T10:00:00-05:00"},
      {"zero minutes, 24x7", &always, "2026-03-04T10:00:00Z", 0, "2026-03-04T10:00:00Z"},
      {"one working year", &ny, "2026-01-02T08:00:00-05:00", 251 * 540,
       "2026-12-31T17:00:00-05:00"},  // Jan 2 .. Dec 31: all 251 business days of 2026
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    Result<Instant> due = AddWorkingMinutes(*row.schedule, T(row.start), row.minutes);
    ASSERT_TRUE(due.ok()) << due.error().message;
    EXPECT_EQ(Utc(*due), Utc(T(row.due)));
    Result<int64_t> back = WorkingMinutesBetween(*row.schedule, T(row.start), *due);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, row.minutes);
  }
}

TEST(WorkingHoursTest, WorkingMinutesBetween) {
  WorkingSchedule ny = NySchedule();
  WorkingSchedule always = WorkingSchedule::AlwaysOpen();
  struct Row {
    const char* what;
    const WorkingSchedule* schedule;
    const char* from;
    const char* to;
    int64_t minutes;
  } rows[] = {
      {"empty", &ny, "2026-03-04T10:00:00-05:00", "2026-03-04T10:00:00-05:00", 0},
      {"reversed", &ny, "2026-03-04T12:00:00-05:00", "2026-03-04T10:00:00-05:00", 0},
      {"inside one window", &ny, "2026-03-04T10:00:00-05:00", "2026-03-04T12:30:00-05:00", 150},
      {"whole day", &ny, "2026-03-04T00:00:00-05:00", "2026-03-05T00:00:00-05:00", 540},
      {"evening only", &ny, "2026-03-04T17:00:00-05:00", "2026-03-05T08:00:00-05:00", 0},
      {"weekend only", &ny, "2026-03-06T17:00:00-05:00", "2026-03-09T08:00:00-04:00", 0},
      {"week", &ny, "2026-03-02T00:00:00-05:00", "2026-03-09T00:00:00-05:00", 2700},
      {"Thanksgiving week", &ny, "2026-11-23T00:00:00-05:00", "2026-11-30T00:00:00-05:00", 2160},
      {"partial minute floors", &ny, "2026-03-04T10:00:00-05:00", "2026-03-04T10:00:59-05:00", 0},
      {"partial minutes floor", &ny, "2026-03-04T10:00:30-05:00", "2026-03-04T10:02:29-05:00", 1},
      {"24x7", &always, "2026-03-07T00:00:00Z", "2026-03-08T00:00:00Z", 1440},
      {"24x7 across spring forward (23 h local day)", &always, "2026-03-08T00:00:00-05:00",
       "2026-03-09T00:00:00-04:00", 1380},
      {"24x7 reversed", &always, "2026-03-08T00:00:00Z", "2026-03-07T00:00:00Z", 0},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.what);
    Result<int64_t> minutes = WorkingMinutesBetween(*row.schedule, T(row.from), T(row.to));
    ASSERT_TRUE(minutes.ok());
    EXPECT_EQ(*minutes, row.minutes);
  }
  Result<Micros> exact =
      WorkingTimeBetween(ny, T("2026-03-04T16:59:59.25-05:00"), T("2026-03-05T08:00:01Z"));
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(*exact, 750ms);
}

// Asia/Jerusalem changes clocks on a Friday (a business day here), so windows that
// contain a transition are exercised: they are measured in real elapsed time.
TEST(WorkingHoursTest, WindowContainingADstTransition) {
  Result<Zone> jerusalem = Zone::Find("Asia/Jerusalem");
  ASSERT_TRUE(jerusalem.ok());
  WorkingSchedule all_day;
  all_day.zone = *jerusalem;
  all_day.open_minute_of_day = 0;
  all_day.close_minute_of_day = 24 * 60;
  all_day.holidays = HolidayCalendar({}, HolidayCalendar::Federal::kExclude);
  // Friday 2026-03-27 02:00 → 03:00: a 23-hour day.
  Instant thu = LocalToInstant(*jerusalem, D("2026-03-26"), 0h);
  Instant fri = LocalToInstant(*jerusalem, D("2026-03-27"), 0h);
  Instant sat = LocalToInstant(*jerusalem, D("2026-03-28"), 0h);
  EXPECT_EQ(*WorkingMinutesBetween(all_day, thu, fri), 1440);
  EXPECT_EQ(*WorkingMinutesBetween(all_day, fri, sat), 1380);
  Result<Instant> end = AddWorkingMinutes(all_day, fri, 1380);
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, sat);
  Result<Instant> next = AddWorkingMinutes(all_day, fri, 1381);
  ASSERT_TRUE(next.ok());
  EXPECT_EQ(Utc(*next), Utc(LocalToInstant(*jerusalem, D("2026-03-30"), 1min)));  // Monday

  // A window inside the gap is empty: 02:30 maps to 03:30 but 03:00 to 03:00.
  WorkingSchedule in_gap = all_day;
  in_gap.open_minute_of_day = 2 * 60 + 30;
  in_gap.close_minute_of_day = 3 * 60;
  EXPECT_EQ(*WorkingMinutesBetween(in_gap, thu, sat), 30);  // Thursday's only
  Result<Instant> gap_due = AddWorkingMinutes(in_gap, fri, 10);
  ASSERT_TRUE(gap_due.ok());
  EXPECT_EQ(Utc(*gap_due), Utc(LocalToInstant(*jerusalem, D("2026-03-30"), 2h + 40min)));
}

TEST(WorkingHoursTest, Errors) {
  WorkingSchedule ny = NySchedule();
  Instant t = T("2026-03-04T10:00:00Z");
  struct Row {
    int open;
    int close;
  } invalid[] = {{8 * 60, 8 * 60}, {17 * 60, 8 * 60}, {-1, 60}, {0, 24 * 60 + 1}};
  for (const Row& row : invalid) {
    WorkingSchedule s = ny;
    s.open_minute_of_day = row.open;
    s.close_minute_of_day = row.close;
    EXPECT_EQ(ValidateWorkingSchedule(s).error().code, "invalid_working_hours");
    EXPECT_EQ(AddWorkingMinutes(s, t, 10).error().code, "invalid_working_hours");
    EXPECT_EQ(WorkingMinutesBetween(s, t, t + 1h).error().code, "invalid_working_hours");
  }
  EXPECT_TRUE(ValidateWorkingSchedule(ny).ok());
  Result<Instant> negative = AddWorkingMinutes(ny, t, -1);
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.error().code, "invalid_minutes");
  EXPECT_EQ(negative.error().kind, ErrorKind::kInvalid);

  // Ten years of working minutes is fine; 100+ years of them is not.
  Result<Instant> ten_years = AddWorkingMinutes(ny, t, 10 * 251 * 540);
  ASSERT_TRUE(ten_years.ok());
  EXPECT_EQ(*WorkingMinutesBetween(ny, t, *ten_years), 10 * 251 * 540);
  EXPECT_EQ(AddWorkingMinutes(ny, t, 110 * 251 * 540).error().code, "working_time_out_of_range");
  EXPECT_EQ(AddWorkingMinutes(ny, t, INT64_MAX).error().code, "working_time_out_of_range");
  EXPECT_EQ(AddWorkingMinutes(WorkingSchedule::AlwaysOpen(), t, INT64_MAX).error().code,
            "working_time_out_of_range");
  EXPECT_EQ(WorkingMinutesBetween(ny, t, t + days{kMaxWorkingSpanDays + 1}).error().code,
            "working_time_out_of_range");
  EXPECT_TRUE(WorkingMinutesBetween(ny, t, t + days{kMaxWorkingSpanDays}).ok());
  EXPECT_EQ(AddWorkingMinutes(ny, Instant::max(), 1).error().code, "working_time_out_of_range");
  EXPECT_EQ(AddWorkingMinutes(ny, Instant::min(), 1).error().code, "working_time_out_of_range");
  EXPECT_EQ(WorkingMinutesBetween(ny, Instant::min(), Instant::max()).error().code,
            "working_time_out_of_range");
}

// Property: for random starts and amounts, WorkingMinutesBetween(a, Add(a, n)) == n,
// the deadline lies in (open, close] of a business day, and Add is monotonic in n.
TEST(WorkingHoursTest, RoundTripProperty) {
  WorkingSchedule ny = NySchedule();
  WorkingSchedule la;
  la.zone = Zone::LosAngeles();
  la.open_minute_of_day = 6 * 60 + 30;
  la.close_minute_of_day = 15 * 60 + 45;
  la.holidays = HolidayCalendar({D("2026-03-10"), D("2027-11-29"), D("2028-01-03")});
  WorkingSchedule always = WorkingSchedule::AlwaysOpen();
  std::mt19937_64 rng(20260306);
  const int64_t from_us = T("2025-01-01T00:00:00Z").time_since_epoch().count();
  const int64_t to_us = T("2030-12-31T00:00:00Z").time_since_epoch().count();
  std::uniform_int_distribution<int64_t> start_dist(from_us, to_us);
  std::uniform_int_distribution<int64_t> small(0, 3000);
  std::uniform_int_distribution<int64_t> large(0, 400'000);
  for (const WorkingSchedule* s : {&ny, &la, &always}) {
    for (int i = 0; i < 3000; ++i) {
      Instant a{Micros{start_dist(rng)}};
      if (i % 3 == 0) a = std::chrono::floor<std::chrono::minutes>(a);
      int64_t n = (i % 10 == 0) ? large(rng) : small(rng);
      Result<Instant> b = AddWorkingMinutes(*s, a, n);
      ASSERT_TRUE(b.ok());
      ASSERT_GE(*b, a);
      Result<Micros> between = WorkingTimeBetween(*s, a, *b);
      ASSERT_TRUE(between.ok());
      ASSERT_EQ(*between, minutes{n}) << Utc(a) << " + " << n;
      ASSERT_EQ(*WorkingMinutesBetween(*s, a, *b), n);
      Result<Instant> b1 = AddWorkingMinutes(*s, a, n + 1);
      ASSERT_TRUE(b1.ok());
      ASSERT_GT(*b1, *b);
      if (n > 0 && !s->always_open) {
        LocalDateTime local = InstantToLocal(s->zone, *b);
        ASSERT_TRUE(IsBusinessDay(local.date, s->holidays)) << Utc(*b);
        ASSERT_GT(local.time_of_day, minutes{s->open_minute_of_day}) << Utc(*b);
        ASSERT_LE(local.time_of_day, minutes{s->close_minute_of_day}) << Utc(*b);
      }
    }
  }
}

// ===========================================================================
// ACH and debit-card schedule

struct AchRow {
  const char* pending_at;
  const char* batch_date;
};

void ExpectAch(const AchRow& row, const HolidayCalendar& calendar = HolidayCalendar{}) {
  SCOPED_TRACE(row.pending_at);
  Instant pending = T(row.pending_at);
  AchBatchSchedule s = AchSchedule(pending, calendar);
  EXPECT_EQ(FormatDate(s.batch_date), row.batch_date);
  EXPECT_EQ(s.settlement_date, s.batch_date);
  Date batch = D(row.batch_date);
  EXPECT_EQ(s.cutoff_at, LocalToInstant(Zone::LosAngeles(), batch, 7h));
  EXPECT_EQ(s.settlement_at, LocalToInstant(Zone::LosAngeles(), batch, 12h));
  EXPECT_LT(pending, s.cutoff_at);
  EXPECT_TRUE(IsBusinessDay(s.batch_date, calendar));
  EXPECT_EQ(s, reference::AchSchedule(pending, calendar));
}

// The seed's table, row by row, in a PST week (2026-01-04 .. 01-10, no holiday):
// Sunday → Monday; Monday before → Monday, after → Tuesday; ... Friday after →
// Monday; Saturday → Monday.
TEST(AchTest, SeedTablePstWeek) {
  const AchRow rows[] = {
      {"2026-01-04T06:59:59-08:00", "2026-01-05"},  // Sunday, before
      {"2026-01-04T07:00:00-08:00", "2026-01-05"},  // Sunday, after
      {"2026-01-04T23:59:59-08:00", "2026-01-05"},
      {"2026-01-05T00:00:00-08:00", "2026-01-05"},  // Monday, before
      {"2026-01-05T06:59:59.999999-08:00", "2026-01-05"},
      {"2026-01-05T07:00:00-08:00", "2026-01-06"},  // Monday, at cutoff → after
      {"2026-01-05T15:30:00-08:00", "2026-01-06"},
      {"2026-01-06T06:00:00-08:00", "2026-01-06"},  // Tuesday
      {"2026-01-06T07:00:00-08:00", "2026-01-07"},
      {"2026-01-07T06:00:00-08:00", "2026-01-07"},  // Wednesday
      {"2026-01-07T07:00:01-08:00", "2026-01-08"},
      {"2026-01-08T06:00:00-08:00", "2026-01-08"},  // Thursday
      {"2026-01-08T12:00:00-08:00", "2026-01-09"},
      {"2026-01-09T06:59:00-08:00", "2026-01-09"},  // Friday
      {"2026-01-09T07:00:00-08:00", "2026-01-12"},
      {"2026-01-09T23:59:59-08:00", "2026-01-12"},
      {"2026-01-10T06:00:00-08:00", "2026-01-12"},  // Saturday, before
      {"2026-01-10T08:00:00-08:00", "2026-01-12"},  // Saturday, after
      // Given in UTC: the Los Angeles date decides.
      {"2026-01-06T03:00:00Z", "2026-01-06"},  // Monday 19:00 PST
      {"2026-01-10T05:00:00Z", "2026-01-12"},  // Friday 21:00 PST
      {"2026-01-05T14:59:59Z", "2026-01-05"},
      {"2026-01-05T15:00:00Z", "2026-01-06"},
  };
  for (const AchRow& row : rows) ExpectAch(row);
  AchBatchSchedule monday = AchSchedule(T("2026-01-05T06:00:00-08:00"), HolidayCalendar{});
  EXPECT_EQ(Utc(monday.cutoff_at), "2026-01-05T15:00:00Z");
  EXPECT_EQ(Utc(monday.settlement_at), "2026-01-05T20:00:00Z");
}

// The same table in a PDT week (2026-06-07 .. 06-13, no holiday).
TEST(AchTest, SeedTablePdtWeek) {
  const AchRow rows[] = {
      {"2026-06-07T06:59:59-07:00", "2026-06-08"},  // Sunday
      {"2026-06-07T07:00:00-07:00", "2026-06-08"},
      {"2026-06-08T06:59:59-07:00", "2026-06-08"},  // Monday
      {"2026-06-08T07:00:00-07:00", "2026-06-09"},
      {"2026-06-09T06:00:00-07:00", "2026-06-09"},  // Tuesday
      {"2026-06-09T09:00:00-07:00", "2026-06-10"},
      {"2026-06-10T06:00:00-07:00", "2026-06-10"},  // Wednesday
      {"2026-06-10T07:00:00-07:00", "2026-06-11"},
      {"2026-06-11T06:00:00-07:00", "2026-06-11"},  // Thursday
      {"2026-06-11T17:00:00-07:00", "2026-06-12"},
      {"2026-06-12T06:59:59-07:00", "2026-06-12"},  // Friday
      {"2026-06-12T07:00:00-07:00", "2026-06-15"},
      {"2026-06-13T05:00:00-07:00", "2026-06-15"},  // Saturday
      {"2026-06-13T20:00:00-07:00", "2026-06-15"},
      // 06:30 PST would be before the cutoff; it is 07:30 PDT: after.
      {"2026-06-08T06:30:00-08:00", "2026-06-09"},
      {"2026-06-08T13:59:59Z", "2026-06-08"},
      {"2026-06-08T14:00:00Z", "2026-06-09"},
  };
  for (const AchRow& row : rows) ExpectAch(row);
  AchBatchSchedule monday = AchSchedule(T("2026-06-08T06:00:00-07:00"), HolidayCalendar{});
  EXPECT_EQ(Utc(monday.cutoff_at), "2026-06-08T14:00:00Z");
  EXPECT_EQ(Utc(monday.settlement_at), "2026-06-08T19:00:00Z");
}

TEST(AchTest, HolidaysAndDstDays) {
  const AchRow rows[] = {
      // July 4 2026 is a Saturday: Friday July 3 is a business day.
      {"2026-07-03T06:00:00-07:00", "2026-07-03"},
      {"2026-07-03T08:00:00-07:00", "2026-07-06"},
      // July 4 2027 is a Sunday: Monday July 5 is observed.
      {"2027-07-02T06:59:00-07:00", "2027-07-02"},
      {"2027-07-02T08:00:00-07:00", "2027-07-06"},
      {"2027-07-05T06:00:00-07:00", "2027-07-06"},
      // Thanksgiving 2026.
      {"2026-11-25T06:00:00-08:00", "2026-11-25"},
      {"2026-11-25T07:00:00-08:00", "2026-11-27"},
      {"2026-11-26T06:00:00-08:00", "2026-11-27"},
      {"2026-11-26T12:00:00-08:00", "2026-11-27"},
      {"2026-11-27T06:59:59-08:00", "2026-11-27"},
      // Christmas 2022 on Sunday; New Year 2023 on Sunday.
      {"2022-12-23T09:00:00-08:00", "2022-12-27"},
      {"2022-12-30T09:00:00-08:00", "2023-01-03"},
      // MLK 2026, Juneteenth 2026 (Friday).
      {"2026-01-16T08:00:00-08:00", "2026-01-20"},
      {"2026-01-19T06:00:00-08:00", "2026-01-20"},
      {"2026-06-18T07:30:00-07:00", "2026-06-22"},
      {"2026-06-19T06:00:00-07:00", "2026-06-22"},
      // Spring forward Sunday 2026-03-08, and the Monday after.
      {"2026-03-08T01:30:00-08:00", "2026-03-09"},
      {"2026-03-08T03:30:00-07:00", "2026-03-09"},
      {"2026-03-09T06:59:59-07:00", "2026-03-09"},
      {"2026-03-09T07:00:00-07:00", "2026-03-10"},
      {"2026-03-09T06:30:00-08:00", "2026-03-10"},  // = 07:30 PDT
      {"2026-03-06T07:00:00-08:00", "2026-03-09"},
      // Fall back Sunday 2026-11-01 (01:30 happens twice), and the Monday after.
      {"2026-11-01T01:30:00-07:00", "2026-11-02"},
      {"2026-11-01T01:30:00-08:00", "2026-11-02"},
      {"2026-11-02T06:59:59-08:00", "2026-11-02"},
      {"2026-11-02T06:30:00-07:00", "2026-11-02"},  // = 05:30 PST
      {"2026-10-30T06:00:00-07:00", "2026-10-30"},
      {"2026-10-30T07:00:00-07:00", "2026-11-02"},
  };
  for (const AchRow& row : rows) ExpectAch(row);
  AchBatchSchedule after_spring = AchSchedule(T("2026-03-08T12:00:00-07:00"), HolidayCalendar{});
  EXPECT_EQ(Utc(after_spring.cutoff_at), "2026-03-09T14:00:00Z");
  EXPECT_EQ(Utc(after_spring.settlement_at), "2026-03-09T19:00:00Z");
  AchBatchSchedule after_fall = AchSchedule(T("2026-11-01T12:00:00-08:00"), HolidayCalendar{});
  EXPECT_EQ(Utc(after_fall.cutoff_at), "2026-11-02T15:00:00Z");
  EXPECT_EQ(Utc(after_fall.settlement_at), "2026-11-02T20:00:00Z");
  AchBatchSchedule before_fall = AchSchedule(T("2026-10-30T06:00:00-07:00"), HolidayCalendar{});
  EXPECT_EQ(Utc(before_fall.cutoff_at), "2026-10-30T14:00:00Z");
}

TEST(AchTest, ExtraHolidays) {
  HolidayCalendar cal({D("2026-01-06"), D("2026-01-07")});
  ExpectAch({"2026-01-05T08:00:00-08:00", "2026-01-08"}, cal);
  ExpectAch({"2026-01-06T06:00:00-08:00", "2026-01-08"}, cal);
  ExpectAch({"2026-01-05T06:00:00-08:00", "2026-01-05"}, cal);
}

TEST(DebitCardTest, Schedule) {
  struct Row {
    const char* pending_at;
    const char* processing_date;
    const char* processed_at;
  } rows[] = {
      {"2026-01-05T09:00:00-08:00", "2026-01-05", "2026-01-06T01:00:00Z"},
      {"2026-01-05T16:59:59.999999-08:00", "2026-01-05", "2026-01-06T01:00:00Z"},
      {"2026-01-05T17:00:00-08:00", "2026-01-06", "2026-01-07T01:00:00Z"},
      {"2026-01-05T23:00:00-08:00", "2026-01-06", "2026-01-07T01:00:00Z"},
      {"2026-01-09T17:30:00-08:00", "2026-01-12", "2026-01-13T01:00:00Z"},  // Friday
      {"2026-01-10T10:00:00-08:00", "2026-01-12", "2026-01-13T01:00:00Z"},  // Saturday
      {"2026-01-11T10:00:00-08:00", "2026-01-12", "2026-01-13T01:00:00Z"},  // Sunday
      {"2026-06-08T16:00:00-07:00", "2026-06-08", "2026-06-09T00:00:00Z"},  // PDT
      {"2026-07-03T10:00:00-07:00", "2026-07-03", "2026-07-04T00:00:00Z"},
      {"2027-07-02T18:00:00-07:00", "2027-07-06", "2027-07-07T00:00:00Z"},
      {"2026-11-26T10:00:00-08:00", "2026-11-27", "2026-11-28T01:00:00Z"},
      {"2026-03-08T10:00:00-07:00", "2026-03-09", "2026-03-10T00:00:00Z"},
      {"2026-10-30T18:00:00-07:00", "2026-11-02", "2026-11-03T01:00:00Z"},
      {"2026-01-06T00:59:59Z", "2026-01-05", "2026-01-06T01:00:00Z"},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.pending_at);
    DebitCardSchedule s = DebitCardProcessing(T(row.pending_at), HolidayCalendar{});
    EXPECT_EQ(FormatDate(s.processing_date), row.processing_date);
    EXPECT_EQ(Utc(s.processed_at), row.processed_at);
    EXPECT_EQ(s, reference::DebitCardProcessing(T(row.pending_at), HolidayCalendar{}));
  }
}

// The fast schedule against the slow one for every hour of several years, and
// around every day's cutoff, settlement and debit-card time.
TEST(AchTest, FastPathMatchesReference) {
  HolidayCalendar federal;
  HolidayCalendar extra({D("2026-03-10"), D("2026-12-24"), D("2037-07-03"), D("2038-03-15")});
  struct Span {
    const char* from;
    const char* to;
  } spans[] = {{"2025-01-01T00:00:00Z", "2028-01-01T00:00:00Z"},
               {"2037-06-01T00:00:00Z", "2038-12-31T00:00:00Z"},
               {"1999-12-01T00:00:00Z", "2000-01-15T00:00:00Z"},
               {"2199-12-01T00:00:00Z", "2201-02-01T00:00:00Z"}};
  for (const HolidayCalendar* cal : {&federal, &extra}) {
    for (const Span& span : spans) {
      for (Instant t = T(span.from); t < T(span.to); t += 1h) {
        ASSERT_EQ(AchSchedule(t, *cal), reference::AchSchedule(t, *cal)) << Utc(t);
        ASSERT_EQ(DebitCardProcessing(t, *cal), reference::DebitCardProcessing(t, *cal)) << Utc(t);
      }
    }
    for (Date d = D("2026-01-01"); d < D("2027-01-01"); d += days{1}) {
      for (Micros tod : {Micros{7h}, Micros{12h}, Micros{17h}}) {
        Instant at = LocalToInstant(Zone::LosAngeles(), d, tod);
        for (Instant t : {at - 1us, at, at + 1us}) {
          ASSERT_EQ(AchSchedule(t, *cal), reference::AchSchedule(t, *cal)) << Utc(t);
          ASSERT_EQ(DebitCardProcessing(t, *cal), reference::DebitCardProcessing(t, *cal))
              << Utc(t);
        }
      }
    }
  }
}

}  // namespace
}  // namespace payops::calendar
