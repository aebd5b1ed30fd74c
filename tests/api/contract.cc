#include "contract.h"

#include <yaml-cpp/yaml.h>

#include <boost/json.hpp>
#include <charconv>
#include <set>
#include <sstream>
#include <stdexcept>

#include "harness.h"

namespace payops::testing {
namespace {

namespace json = boost::json;

constexpr int kMaxDepth = 64;  // nesting of schemas ($ref chains included)

// A YAML scalar as the JSON value it stands for: quoted scalars are strings;
// plain ones may be booleans, null or numbers.
json::value ScalarJson(const YAML::Node& n) {
  const std::string& s = n.Scalar();
  if (n.Tag() == "!") return json::value(s);
  if (s == "true") return json::value(true);
  if (s == "false") return json::value(false);
  if (s == "null" || s == "~") return json::value(nullptr);
  int64_t i = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
  if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return json::value(i);
  return json::value(s);
}

json::value ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json::object o;
      for (const auto& kv : n) o[kv.first.Scalar()] = ToJson(kv.second);
      return o;
    }
    case YAML::NodeType::Sequence: {
      json::array a;
      for (const auto& item : n) a.push_back(ToJson(item));
      return a;
    }
    case YAML::NodeType::Scalar:
      return ScalarJson(n);
    default:
      return nullptr;
  }
}

// The whole file as JSON, read once (the tests may call from several threads).
const json::object& Document() {
  static const json::object doc = [] {
    YAML::Node root = YAML::LoadFile(PAYOPS_OPENAPI_FILE);
    json::value v = ToJson(root);
    if (!v.is_object() || !v.get_object().contains("paths")) {
      throw std::runtime_error(std::string(PAYOPS_OPENAPI_FILE) + " has no paths");
    }
    return v.get_object();
  }();
  return doc;
}

std::vector<std::string> Segments(std::string_view path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsParam(const std::string& seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

// The documented path that `path` matches, the one with the most literal
// segments when several do; "" when none does.
std::string MatchPath(const std::string& path) {
  std::vector<std::string> segs = Segments(path);
  std::string best;
  int best_literals = -1;
  for (const auto& kv : Document().at("paths").as_object()) {
    std::vector<std::string> tpl = Segments(kv.key());
    if (tpl.size() != segs.size()) continue;
    int literals = 0;
    bool ok = true;
    for (size_t i = 0; i < tpl.size() && ok; ++i) {
      if (IsParam(tpl[i])) {
        ok = !segs[i].empty();
      } else {
        ok = tpl[i] == segs[i];
        ++literals;
      }
    }
    if (ok && literals > best_literals) {
      best = kv.key();
      best_literals = literals;
    }
  }
  return best;
}

// "#/components/schemas/Name" → the object it names.
const json::object* Resolve(const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  const json::value* cur = nullptr;
  const json::object* obj = &Document();
  std::stringstream ss(ref.substr(2));
  for (std::string part; std::getline(ss, part, '/');) {
    if (!obj) return nullptr;
    cur = obj->if_contains(part);
    if (!cur) return nullptr;
    obj = cur->if_object();
  }
  return obj;
}

const json::object* Deref(const json::object* o, int depth = 0) {
  while (o && depth++ < kMaxDepth) {
    const json::value* ref = o->if_contains("$ref");
    if (!ref || !ref->is_string()) return o;
    o = Resolve(std::string(ref->get_string()));
  }
  return o;
}

class Checker {
 public:
  std::vector<std::string> problems;

  // `extra`: property names that a sibling of an allOf declares.
  void Check(const json::object* schema, const json::value& v, const std::string& at, int depth,
             const std::set<std::string>& extra = {}) {
    schema = Deref(schema);
    if (!schema || depth > kMaxDepth) return;
    const json::value* nullable = schema->if_contains("nullable");
    if (v.is_null() && nullable && nullable->is_bool() && nullable->get_bool()) return;
    if (const json::value* all = schema->if_contains("allOf"); all && all->is_array()) {
      std::set<std::string> names = extra;
      for (const auto& part : all->get_array()) CollectNames(part.if_object(), names, depth);
      for (const auto& part : all->get_array()) Check(part.if_object(), v, at, depth + 1, names);
    }
    if (v.is_null()) {
      if (schema->contains("type")) Problem(at, "is null but not nullable");
      return;
    }
    if (const json::value* t = schema->if_contains("type"); t && t->is_string()) {
      if (!HasType(v, t->get_string())) {
        Problem(at, "is " + TypeName(v) + ", documented " + std::string(t->get_string()));
        return;
      }
    }
    if (const json::value* e = schema->if_contains("enum"); e && e->is_array()) {
      bool found = false;
      for (const auto& option : e->get_array()) found = found || option == v;
      if (!found) Problem(at, "is " + json::serialize(v) + ", not one of " + json::serialize(*e));
    }
    if (v.is_object()) CheckObject(*schema, v.get_object(), at, depth, extra);
    if (v.is_array()) {
      const json::value* items = schema->if_contains("items");
      if (items && items->is_object()) {
        size_t i = 0;
        for (const auto& item : v.get_array()) {
          Check(&items->get_object(), item, at + "[" + std::to_string(i++) + "]", depth + 1);
        }
      }
    }
  }

 private:
  void Problem(const std::string& at, const std::string& what) {
    problems.push_back((at.empty() ? "the body" : at) + " " + what);
  }

  static void CollectNames(const json::object* schema, std::set<std::string>& names, int depth) {
    schema = Deref(schema);
    if (!schema || depth > kMaxDepth) return;
    if (const json::value* p = schema->if_contains("properties"); p && p->is_object()) {
      for (const auto& kv : p->get_object()) names.insert(kv.key());
    }
    if (const json::value* all = schema->if_contains("allOf"); all && all->is_array()) {
      for (const auto& part : all->get_array()) CollectNames(part.if_object(), names, depth + 1);
    }
  }

  static bool HasType(const json::value& v, std::string_view type) {
    if (type == "object") return v.is_object();
    if (type == "array") return v.is_array();
    if (type == "string") return v.is_string();
    if (type == "boolean") return v.is_bool();
    if (type == "integer") return v.is_int64() || v.is_uint64();
    if (type == "number") return v.is_number();
    return true;
  }
  static std::string TypeName(const json::value& v) {
    switch (v.kind()) {
      case json::kind::object:
        return "an object";
      case json::kind::array:
        return "an array";
      case json::kind::string:
        return "a string";
      case json::kind::bool_:
        return "a boolean";
      case json::kind::double_:
        return "a fractional number";
      case json::kind::null:
        return "null";
      default:
        return "an integer";
    }
  }

  void CheckObject(const json::object& schema, const json::object& o, const std::string& at,
                   int depth, const std::set<std::string>& extra) {
    const json::object* props = nullptr;
    if (const json::value* p = schema.if_contains("properties"); p) props = p->if_object();
    if (const json::value* req = schema.if_contains("required"); req && req->is_array()) {
      for (const auto& name : req->get_array()) {
        if (name.is_string() && !o.contains(name.get_string())) {
          Problem(at, "lacks required " + std::string(name.get_string()));
        }
      }
    }
    const json::value* additional = schema.if_contains("additionalProperties");
    for (const auto& kv : o) {
      std::string here = at.empty() ? std::string(kv.key()) : at + "." + std::string(kv.key());
      const json::value* prop = props ? props->if_contains(kv.key()) : nullptr;
      if (prop && prop->is_object()) {
        Check(&prop->get_object(), kv.value(), here, depth + 1);
      } else if (!prop && additional && !extra.count(std::string(kv.key()))) {
        if (additional->is_bool() && !additional->get_bool()) {
          Problem(here, "is not documented (additionalProperties: false)");
        } else if (additional->is_object()) {
          Check(&additional->get_object(), kv.value(), here, depth + 1);
        }
      }
    }
  }
};

std::string Lowercase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::vector<std::string> ContractViolations(const std::string& method, const std::string& target,
                                            const HttpResult& response) {
  std::vector<std::string> out;
  if (response.status == 0) return out;  // no answer: the test itself says why
  std::string path = target.substr(0, target.find('?'));
  std::string documented = MatchPath(path);
  if (documented.empty()) return out;
  std::string where = method + " " + documented + " (" + target + ")";
  const json::object& item = Document().at("paths").at(documented).as_object();
  const json::value* op = item.if_contains(Lowercase(method));
  if (!op || !op->is_object()) {
    if (response.status != 405) {
      out.push_back(where + ": the method is not documented, yet answered " +
                    std::to_string(response.status));
    }
    return out;
  }
  const json::object* responses = op->get_object().at("responses").if_object();
  const json::value* resp =
      responses ? responses->if_contains(std::to_string(response.status)) : nullptr;
  if (!resp && responses) resp = responses->if_contains("default");
  if (!resp || !resp->is_object()) {
    out.push_back(where + ": status " + std::to_string(response.status) +
                  " is not documented (body " + response.body.substr(0, 200) + ")");
    return out;
  }
  const json::object* r = Deref(&resp->get_object());
  const json::value* content = r ? r->if_contains("content") : nullptr;
  if (!content || !content->is_object()) return out;
  auto ct = response.headers.find("content-type");
  std::string type = ct == response.headers.end() ? "" : ct->second.substr(0, ct->second.find(';'));
  const json::value* media = content->get_object().if_contains(type);
  if (!media) {
    out.push_back(where + ": status " + std::to_string(response.status) + " answered " +
                  (type.empty() ? "no Content-Type" : type) + ", documented " +
                  json::serialize(*content));
    return out;
  }
  const json::value* schema =
      media->is_object() ? media->get_object().if_contains("schema") : nullptr;
  if (!schema || !schema->is_object() || type != "application/json") return out;
  boost::system::error_code ec;
  json::value body = json::parse(response.body, ec);
  if (ec) {
    out.push_back(where + ": the body is not JSON: " + response.body.substr(0, 200));
    return out;
  }
  Checker checker;
  checker.Check(&schema->get_object(), body, "", 0);
  for (const auto& p : checker.problems) {
    out.push_back(where + " " + std::to_string(response.status) + ": " + p);
  }
  return out;
}

std::vector<std::string> DocumentedOperations() {
  std::vector<std::string> out;
  for (const auto& path : Document().at("paths").as_object()) {
    if (!path.value().is_object()) continue;
    for (const auto& op : path.value().get_object()) {
      std::string m(op.key());
      if (m != "get" && m != "post" && m != "patch" && m != "put" && m != "delete") continue;
      for (char& c : m) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.push_back(m + " " + std::string(path.key()));
    }
  }
  return out;
}

}  // namespace payops::testing
