// GET /v1/calendar/settlement, /v1/calendar/business-days, /v1/calendar/holidays:
// the business calendar of core/calendar.h, for any authenticated caller.
#include "payops/core/calendar.h"
#include "payops/http/api.h"

namespace payops::http {
namespace {

Result<std::string> RequiredQuery(const HttpRequest& req, const char* name) {
  const std::string* v = req.Query(name);
  if (v == nullptr || v->empty()) {
    return Error::Invalid("missing_field", std::string(name) + " is required", name);
  }
  return *v;
}

Result<calendar::Date> DateQuery(const HttpRequest& req, const char* name) {
  PAYOPS_ASSIGN_OR_RETURN(std::string text, RequiredQuery(req, name));
  auto d = calendar::ParseDate(text);
  if (!d.ok())
    return Error::Invalid("invalid_date", std::string(name) + " must be YYYY-MM-DD", name);
  return *d;
}

Result<json::object> Settlement(const HttpRequest& req, const calendar::HolidayCalendar& cal) {
  PAYOPS_ASSIGN_OR_RETURN(std::string created, RequiredQuery(req, "created_at"));
  auto at = ParseRfc3339(created);
  if (!at) {
    return Error::Invalid("invalid_time", "created_at must be RFC 3339 with an offset",
                          "created_at");
  }
  const std::string* funding = req.Query("funding");
  std::string kind = funding ? *funding : "ach";
  if (kind == "ach") {
    calendar::AchBatchSchedule s = calendar::AchSchedule(*at, cal);
    return json::object{{"funding", "ach"},
                        {"batch_date", calendar::FormatDate(s.batch_date)},
                        {"settlement_date", calendar::FormatDate(s.settlement_date)},
                        {"cutoff_at", FormatRfc3339(s.cutoff_at)},
                        {"settles_at", FormatRfc3339(s.settlement_at)}};
  }
  if (kind == "debit_card") {
    calendar::DebitCardSchedule s = calendar::DebitCardProcessing(*at, cal);
    return json::object{{"funding", "debit_card"},
                        {"batch_date", nullptr},
                        {"settlement_date", calendar::FormatDate(s.processing_date)},
                        {"processed_at", FormatRfc3339(s.processed_at)}};
  }
  return Error::Invalid("invalid_value", "funding must be ach or debit_card", "funding");
}

Result<json::object> BusinessDays(const HttpRequest& req, const calendar::HolidayCalendar& cal) {
  PAYOPS_ASSIGN_OR_RETURN(calendar::Date from, DateQuery(req, "from"));
  PAYOPS_ASSIGN_OR_RETURN(calendar::Date to, DateQuery(req, "to"));
  if (to < from) return Error::Invalid("invalid_range", "to is before from", "to");
  auto days = calendar::ListBusinessDays(from, to, cal);
  if (!days.ok()) return Error::Invalid(days.error().code, days.error().message, "to");
  json::array data;
  for (calendar::Date d : *days) data.emplace_back(calendar::FormatDate(d));
  return json::object{{"from", calendar::FormatDate(from)},
                      {"to", calendar::FormatDate(to)},
                      {"count", static_cast<int64_t>(days->size())},
                      {"data", std::move(data)}};
}

Result<json::object> Holidays(const HttpRequest& req, const calendar::HolidayCalendar& cal) {
  PAYOPS_ASSIGN_OR_RETURN(std::string text, RequiredQuery(req, "year"));
  bool digits = text.size() == 4;
  for (char c : text) digits = digits && c >= '0' && c <= '9';
  int year = digits ? std::stoi(text) : 0;
  if (year < calendar::kTableFirstYear || year > calendar::kTableLastYear) {
    return Error::Invalid("invalid_value", "year must be from 1900 to 2200", "year");
  }
  json::array data;
  if (cal.includes_federal()) {
    for (const auto& h : calendar::FederalReserveHolidays(year)) {
      data.emplace_back(json::object{{"name", h.name},
                                     {"date", calendar::FormatDate(h.date)},
                                     {"observed", calendar::FormatDate(h.observed)},
                                     {"source", "federal_reserve"}});
    }
  }
  for (calendar::Date d : cal.extra_holidays()) {
    std::string text_date = calendar::FormatDate(d);
    if (text_date.substr(0, 4) != text) continue;
    data.emplace_back(json::object{{"name", "configured holiday"},
                                   {"date", text_date},
                                   {"observed", text_date},
                                   {"source", "configuration"}});
  }
  return json::object{{"year", year}, {"data", std::move(data)}};
}

}  // namespace

void RegisterCalendar(Api& api) {
  auto add = [&api](const char* path, Result<json::object> (*fn)(
                                          const HttpRequest&, const calendar::HolidayCalendar&)) {
    api.router().Add("GET", path, [&api, fn](HttpRequest& req) {
      return Respond(req, fn(req, api.env().holidays), 200,
                     [](const json::object& o) { return o; });
    });
  };
  add("/v1/calendar/settlement", Settlement);
  add("/v1/calendar/business-days", BusinessDays);
  add("/v1/calendar/holidays", Holidays);
}

}  // namespace payops::http
