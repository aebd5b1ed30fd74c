#include "payops/core/clock.h"

#include <date/date.h>

#include <sstream>

namespace payops {

Instant RealClock::Now() const {
  return std::chrono::time_point_cast<Micros>(std::chrono::system_clock::now());
}

namespace {

bool Digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

}  // namespace

std::optional<Instant> ParseRfc3339(std::string_view s) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  int y, mo, d, h, mi, sec;
  if (s.size() < 20 || s.size() > 40) return std::nullopt;
  if (!Digits(s, 0, 4, y) || s[4] != '-' || !Digits(s, 5, 2, mo) || s[7] != '-' ||
      !Digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, h) ||
      s[13] != ':' || !Digits(s, 14, 2, mi) || s[16] != ':' || !Digits(s, 17, 2, sec)) {
    return std::nullopt;
  }
  size_t pos = 19;
  int64_t frac_us = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int n = 0;
    int64_t scale = 100000;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (n < 6) frac_us += (s[pos] - '0') * scale;
      scale /= 10;
      ++n;
      ++pos;
    }
    if (n == 0 || n > 9) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset_min = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!Digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  date::year_month_day ymd{date::year{y}, date::month{static_cast<unsigned>(mo)},
                           date::day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  auto local = date::sys_days(ymd) + std::chrono::hours(h) + std::chrono::minutes(mi) +
               std::chrono::seconds(sec);
  Instant t = std::chrono::time_point_cast<Micros>(local) + Micros(frac_us);
  return t - std::chrono::minutes(offset_min);
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
