// JSON in and out of the API: strict body parsing with typed field readers,
// the error shape, and list pagination.
#pragma once

#include <boost/json.hpp>
#include <map>
#include <optional>

#include "payops/core/clock.h"
#include "payops/core/result.h"
#include "payops/http/message.h"
#include "payops/store/page.h"

namespace payops::http {

namespace json = boost::json;

constexpr size_t kMaxJsonDepth = 32;
constexpr int kDefaultPageLimit = 50;
constexpr int kMaxPageLimit = 500;

int HttpStatusFor(ErrorKind kind);
HttpResponse JsonResponse(int status, const json::value& v);
// {"error": {"code", "message", "field"?, "request_id"}}
HttpResponse ErrorResponse(const Error& e, const std::string& request_id);

// Parses a request body that must be one JSON object (UTF-8 validated, depth
// limited). Errors: invalid_json, expected_object.
Result<json::object> ParseObject(std::string_view body);

// Typed, strict access to an object's fields. Every reader errors with the
// field named: missing_field, invalid_type, number_out_of_range, too_long.
class Fields {
 public:
  explicit Fields(const json::object& o, std::string prefix = {})
      : o_(o), prefix_(std::move(prefix)) {}
  // unknown_field for any key not listed.
  Status AllowOnly(std::initializer_list<std::string_view> names) const;
  bool Has(std::string_view name) const;

  Result<std::string> Str(std::string_view name, size_t max_bytes = 1000) const;
  Result<std::optional<std::string>> OptStr(std::string_view name, size_t max_bytes = 1000) const;
  Result<int64_t> Int(std::string_view name) const;
  Result<std::optional<int64_t>> OptInt(std::string_view name) const;
  Result<std::optional<bool>> OptBool(std::string_view name) const;
  Result<const json::object*> OptObject(std::string_view name) const;
  Result<const json::array*> OptArray(std::string_view name, size_t max_items) const;
  // An array of strings, each at most max_bytes.
  Result<std::vector<std::string>> StrArray(std::string_view name, size_t max_items,
                                            size_t max_bytes) const;

  std::string FieldName(std::string_view name) const;

 private:
  const json::object& o_;
  std::string prefix_;
};

// ?limit= (1..500, default 50) and ?cursor=. Errors: invalid_limit, invalid_cursor.
Result<store::PageRequest> ParsePage(const HttpRequest& req);
// {"data": [...], "next_cursor": "..." | null}
std::string EncodeCursor(std::string_view last_id);

// A list body from already-converted items; the cursor is the last item's id.
json::object ListBody(json::array data, bool has_more, const std::string& last_id);

inline json::value OptJson(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}
// The name by which `names` knows `id`, else null.
inline json::value NameOf(const std::map<std::string, std::string>& names, const std::string& id) {
  auto it = names.find(id);
  return it == names.end() ? json::value(nullptr) : json::value(it->second);
}
inline std::string TimeJson(Instant t) {
  return FormatRfc3339(t);
}

}  // namespace payops::http
