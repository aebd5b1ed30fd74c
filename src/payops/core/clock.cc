#include "payops/core/clock.h"

#include <date/date.h>

#include <sstream>

namespace payops {

Instant RealClock::Now() const {
  return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
}

namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

// The shape RFC 3339 fixes (four-digit year, two-digit fields, a zone) is
// checked here; the calendar library reads the values and checks their ranges.
std::optional<Instant> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (s.size() < 20 || s.size() > 40) return std::nullopt;
  std::string t(s);
  if (t[10] == 't') t[10] = 'T';
  if (t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (!IsDigit(t[i])) return std::nullopt;
  }
  size_t pos = 19;
  if (t[pos] == '.') {
    // At most nine digits, read to the microsecond.
    const size_t start = ++pos;
    while (pos < t.size() && IsDigit(t[pos])) ++pos;
    const size_t n = pos - start;
    if (n == 0 || n > 9) return std::nullopt;
    if (n > 6) {
      t.erase(start + 6, n - 6);
      pos = start + 6;
    }
  }
  if (pos >= t.size()) return std::nullopt;
  if (t[pos] == 'Z' || t[pos] == 'z') {
    if (pos + 1 != t.size()) return std::nullopt;
    t.replace(pos, 1, "+00:00");
  } else if (t[pos] != '+' && t[pos] != '-') {
    return std::nullopt;
  }
  if (t.size() != pos + 6 || t[pos + 3] != ':' || !IsDigit(t[pos + 1]) || !IsDigit(t[pos + 2]) ||
      !IsDigit(t[pos + 4]) || !IsDigit(t[pos + 5])) {
    return std::nullopt;
  }
  if ((t[pos + 1] - '0') * 10 + (t[pos + 2] - '0') > 23 || t[pos + 4] > '5') return std::nullopt;
  std::istringstream in(t);
  Instant out;
  in >> date::parse("%FT%T%Ez", out);
  if (in.fail() || in.peek() != std::char_traits<char>::eof()) return std::nullopt;
  // An offset can carry a four-digit local year past 9999 (or before 0000)
  // in UTC, which payops could not write back: such instants are refused.
  using namespace std::chrono;
  const int utc_year = static_cast<int>(year_month_day{floor<days>(out)}.year());
  if (utc_year < 0 || utc_year > 9999) return std::nullopt;
  return out;
}

std::string FormatRfc3339(Instant t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{sys_days(day)};
  const int y = static_cast<int>(ymd.year());
  if (y < 0 || y > 9999) {
    // Outside four digits: the general formatter (rare; never on a live path).
    auto secs = floor<seconds>(t);
    return date::format("%Y-%m-%dT%H:%M:%SZ", secs);
  }
  // Every response carries several instants: written digit by digit, not
  // through a stream.
  const int64_t us_of_day = (t - day).count();
  const int64_t sec_of_day = us_of_day / 1'000'000;
  const int frac_ms = static_cast<int>((us_of_day % 1'000'000) / 1000);
  const bool has_frac = us_of_day % 1'000'000 != 0;
  char buf[24];
  auto put = [&buf](size_t at, int v, int width) {
    for (int i = width - 1; i >= 0; --i, v /= 10) buf[at + i] = static_cast<char>('0' + v % 10);
  };
  put(0, y, 4);
  buf[4] = '-';
  put(5, static_cast<int>(static_cast<unsigned>(ymd.month())), 2);
  buf[7] = '-';
  put(8, static_cast<int>(static_cast<unsigned>(ymd.day())), 2);
  buf[10] = 'T';
  put(11, static_cast<int>(sec_of_day / 3600), 2);
  buf[13] = ':';
  put(14, static_cast<int>(sec_of_day / 60 % 60), 2);
  buf[16] = ':';
  put(17, static_cast<int>(sec_of_day % 60), 2);
  size_t n = 19;
  if (has_frac) {
    buf[19] = '.';
    put(20, frac_ms, 3);
    n = 23;
  }
  buf[n++] = 'Z';
  return std::string(buf, n);
}

}  // namespace payops
