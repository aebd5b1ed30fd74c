#include "payops/http/json_io.h"

#include <sodium.h>

#include <boost/json/basic_parser_impl.hpp>
#include <set>
#include <string>
#include <vector>

namespace payops::http {

int HttpStatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalid:
      return 400;
    case ErrorKind::kUnauthenticated:
      return 401;
    case ErrorKind::kForbidden:
      return 403;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kConflict:
      return 409;
    case ErrorKind::kTooLarge:
      return 413;
    case ErrorKind::kRefused:
      return 422;
    case ErrorKind::kRateLimited:
      return 429;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse JsonResponse(int status, const json::value& v) {
  HttpResponse r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}

HttpResponse ErrorResponse(const Error& e, const std::string& request_id) {
  json::object err;
  err["code"] = e.code;
  err["message"] = e.message;
  if (!e.field.empty()) err["field"] = e.field;
  err["request_id"] = request_id;
  json::object body;
  body["error"] = std::move(err);
  HttpResponse r = JsonResponse(HttpStatusFor(e.kind), body);
  // The store busy or unreachable: the client is told when to come back
  // (a POST repeated with its Idempotency-Key is applied at most once).
  if (e.kind == ErrorKind::kUnavailable) r.headers.emplace_back("Retry-After", "1");
  return r;
}

namespace {

// A pass over a body that the value parser accepted: finds an object that
// names one key twice (after unescaping: "a" and "\u0061" are one key), which
// json::parse would silently collapse to the last value.
class DuplicateKeyFinder {
 public:
  static constexpr std::size_t max_array_size = -1;
  static constexpr std::size_t max_object_size = -1;
  static constexpr std::size_t max_string_size = -1;
  static constexpr std::size_t max_key_size = -1;

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code&) { return true; }
  bool on_array_end(std::size_t, boost::system::error_code&) { return true; }
  bool on_object_begin(boost::system::error_code&) {
    keys_.emplace_back();
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    keys_.pop_back();
    return true;
  }
  bool on_string_part(json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_string(json::string_view, std::size_t, boost::system::error_code&) { return true; }
  bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, boost::system::error_code& ec) {
    key_.append(s.data(), s.size());
    if (!keys_.back().insert(std::move(key_)).second) {
      duplicate = true;
      ec = json::error::syntax;  // stops the pass
      return false;
    }
    key_.clear();
    return true;
  }
  bool on_number_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(int64_t, json::string_view, boost::system::error_code&) { return true; }
  bool on_uint64(uint64_t, json::string_view, boost::system::error_code&) { return true; }
  bool on_double(double, json::string_view, boost::system::error_code&) { return true; }
  bool on_bool(bool, boost::system::error_code&) { return true; }
  bool on_null(boost::system::error_code&) { return true; }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

  bool duplicate = false;

 private:
  std::vector<std::set<std::string>> keys_;  // one set per open object
  std::string key_;
};

}  // namespace

Result<json::object> ParseObject(std::string_view body) {
  json::parse_options opt;
  opt.max_depth = kMaxJsonDepth;
  opt.allow_comments = false;
  opt.allow_trailing_commas = false;
  opt.allow_invalid_utf8 = false;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec, json::storage_ptr(), opt);
  if (ec) return Error::Invalid("invalid_json", "request body is not valid JSON: " + ec.message());
  // A key given twice is refused: which value would count is a guess that
  // another reader of the same body (a proxy, a signature check) may make
  // differently.
  json::basic_parser<DuplicateKeyFinder> keys(opt);
  keys.write_some(false, body.data(), body.size(), ec);
  if (keys.handler().duplicate) {
    return Error::Invalid("duplicate_key", "request body names a key more than once");
  }
  if (!v.is_object())
    return Error::Invalid("expected_object", "request body must be a JSON object");
  return std::move(v.as_object());
}

std::string Fields::FieldName(std::string_view name) const {
  return prefix_.empty() ? std::string(name) : prefix_ + "." + std::string(name);
}

Status Fields::AllowOnly(std::initializer_list<std::string_view> names) const {
  for (const auto& kv : o_) {
    bool known = false;
    for (std::string_view n : names) known = known || kv.key() == n;
    if (!known) {
      return Error::Invalid("unknown_field", "unknown field '" + std::string(kv.key()) + "'",
                            FieldName(kv.key()));
    }
  }
  return Status::Ok();
}

bool Fields::Has(std::string_view name) const {
  return o_.contains(name);
}

Result<std::optional<std::string>> Fields::OptStr(std::string_view name, size_t max_bytes) const {
  auto it = o_.find(name);
  if (it == o_.end() || it->value().is_null()) return std::optional<std::string>();
  if (!it->value().is_string()) {
    return Error::Invalid("invalid_type", FieldName(name) + " must be a string", FieldName(name));
  }
  const json::string& s = it->value().get_string();
  if (s.size() > max_bytes) {
    return Error::Invalid(
        "too_long", FieldName(name) + " is longer than " + std::to_string(max_bytes) + " bytes",
        FieldName(name));
  }
  // U+0000 is no text: PostgreSQL cannot store it and C strings end at it.
  if (std::string_view(s.data(), s.size()).find('\0') != std::string_view::npos) {
    return Error::Invalid("invalid_character", FieldName(name) + " contains a NUL character",
                          FieldName(name));
  }
  return std::optional<std::string>(std::string(s));
}

Result<std::string> Fields::Str(std::string_view name, size_t max_bytes) const {
  PAYOPS_ASSIGN_OR_RETURN(auto s, OptStr(name, max_bytes));
  if (!s) return Error::Invalid("missing_field", FieldName(name) + " is required", FieldName(name));
  return std::move(*s);
}

Result<std::optional<int64_t>> Fields::OptInt(std::string_view name) const {
  auto it = o_.find(name);
  if (it == o_.end() || it->value().is_null()) return std::optional<int64_t>();
  const json::value& v = it->value();
  if (v.is_int64()) return std::optional<int64_t>(v.get_int64());
  if (v.is_uint64()) {
    return Error::Invalid("number_out_of_range", FieldName(name) + " is larger than 2^63-1",
                          FieldName(name));
  }
  if (v.is_double()) {
    double d = v.get_double();
    if (d > 9.2e18 || d < -9.2e18) {
      return Error::Invalid("number_out_of_range", FieldName(name) + " is out of range",
                            FieldName(name));
    }
    return Error::Invalid("invalid_type", FieldName(name) + " must be an integer", FieldName(name));
  }
  return Error::Invalid("invalid_type", FieldName(name) + " must be an integer", FieldName(name));
}

Result<int64_t> Fields::Int(std::string_view name) const {
  PAYOPS_ASSIGN_OR_RETURN(auto v, OptInt(name));
  if (!v) return Error::Invalid("missing_field", FieldName(name) + " is required", FieldName(name));
  return *v;
}

Result<std::optional<bool>> Fields::OptBool(std::string_view name) const {
  auto it = o_.find(name);
  if (it == o_.end() || it->value().is_null()) return std::optional<bool>();
  if (!it->value().is_bool()) {
    return Error::Invalid("invalid_type", FieldName(name) + " must be true or false",
                          FieldName(name));
  }
  return std::optional<bool>(it->value().get_bool());
}

Result<const json::object*> Fields::OptObject(std::string_view name) const {
  auto it = o_.find(name);
  if (it == o_.end() || it->value().is_null()) return static_cast<const json::object*>(nullptr);
  if (!it->value().is_object()) {
    return Error::Invalid("invalid_type", FieldName(name) + " must be an object", FieldName(name));
  }
  return &it->value().get_object();
}

Result<const json::array*> Fields::OptArray(std::string_view name, size_t max_items) const {
  auto it = o_.find(name);
  if (it == o_.end() || it->value().is_null()) return static_cast<const json::array*>(nullptr);
  if (!it->value().is_array()) {
    return Error::Invalid("invalid_type", FieldName(name) + " must be an array", FieldName(name));
  }
  if (it->value().get_array().size() > max_items) {
    return Error::Invalid(
        "too_many_items",
        FieldName(name) + " holds more than " + std::to_string(max_items) + " items",
        FieldName(name));
  }
  return &it->value().get_array();
}

Result<std::vector<std::string>> Fields::StrArray(std::string_view name, size_t max_items,
                                                  size_t max_bytes) const {
  PAYOPS_ASSIGN_OR_RETURN(const json::array* a, OptArray(name, max_items));
  std::vector<std::string> out;
  if (!a) return out;
  for (const json::value& v : *a) {
    if (!v.is_string() || v.get_string().size() > max_bytes) {
      return Error::Invalid(
          "invalid_type",
          FieldName(name) + " must hold strings of at most " + std::to_string(max_bytes) + " bytes",
          FieldName(name));
    }
    if (std::string_view(v.get_string()).find('\0') != std::string_view::npos) {
      return Error::Invalid("invalid_character", FieldName(name) + " contains a NUL character",
                            FieldName(name));
    }
    out.emplace_back(v.get_string());
  }
  return out;
}

// Cursors are base64url without padding (libsodium), of the last id of a page.
constexpr int kCursorVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

std::string EncodeCursor(std::string_view last_id) {
  std::string out(sodium_base64_encoded_len(last_id.size(), kCursorVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(last_id.data()),
                    last_id.size(), kCursorVariant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

namespace {

std::optional<std::string> DecodeCursor(const std::string& s) {
  if (s.empty() || s.size() > 200) return std::nullopt;
  std::string out(s.size(), '\0');
  size_t written = 0;
  // Without an end pointer, anything but a whole canonical encoding is refused.
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(),
                        s.size(), nullptr, &written, nullptr, kCursorVariant) != 0) {
    return std::nullopt;
  }
  out.resize(written);
  for (char c : out) {
    // Ids, page keys ("<micros>_<id>") and ledger account ids ("<org>:<CUR>:org").
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':';
    if (!ok) return std::nullopt;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace

Result<store::PageRequest> ParsePage(const HttpRequest& req) {
  store::PageRequest page;
  page.limit = kDefaultPageLimit;
  if (const std::string* l = req.Query("limit")) {
    int64_t v = 0;
    bool digits = !l->empty() && l->size() <= 4;
    for (char c : *l) {
      digits = digits && c >= '0' && c <= '9';
      if (digits) v = v * 10 + (c - '0');
    }
    if (!digits || v < 1 || v > kMaxPageLimit) {
      return Error::Invalid("invalid_limit", "limit must be an integer from 1 to 500", "limit");
    }
    page.limit = static_cast<int>(v);
  }
  if (const std::string* c = req.Query("cursor")) {
    auto id = DecodeCursor(*c);
    if (!id)
      return Error::Invalid("invalid_cursor", "cursor is not one this server issued", "cursor");
    page.after_id = *id;
  }
  return page;
}

json::object ListBody(json::array data, bool has_more, const std::string& last_id) {
  json::object o;
  o["data"] = std::move(data);
  o["next_cursor"] = has_more ? json::value(EncodeCursor(last_id)) : json::value(nullptr);
  return o;
}

}  // namespace payops::http
