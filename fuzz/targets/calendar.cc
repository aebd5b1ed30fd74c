// RFC 3339 timestamps (core/clock.h) and calendar dates and zones
// (core/calendar.h). A timestamp that parses formats and parses back to the
// same instant.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "payops/core/calendar.h"
#include "payops/core/clock.h"

using namespace payops;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto t = ParseRfc3339(text)) {
    // What payops writes (UTC, milliseconds) reads back as the instant cut
    // to the millisecond.
    std::string again = FormatRfc3339(*t);
    auto back = ParseRfc3339(again);
    if (!back || *back != std::chrono::floor<std::chrono::milliseconds>(*t)) std::abort();
  }
  if (auto d = calendar::ParseDate(text); d.ok()) {
    if (calendar::FormatDate(*d) != text) std::abort();
    calendar::HolidayCalendar federal;
    (void)calendar::IsBusinessDay(*d, federal);
    (void)calendar::NextBusinessDay(*d, federal);
  }
  if (size <= 64) (void)calendar::Zone::Find(text);
  return 0;
}
