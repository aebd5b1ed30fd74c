// JSON request bodies: ParseObject (UTF-8, depth) and every typed field
// reader the resources decode with (http/json_io.h).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "payops/http/json_io.h"

using payops::http::Fields;
using payops::http::ParseObject;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  auto o = ParseObject(body);
  if (!o.ok()) return 0;
  Fields f(*o);
  (void)f.AllowOnly({"name", "amount_minor", "currency", "note", "tags", "metadata", "active"});
  for (const auto& [k, v] : *o) {
    std::string_view name(k.data(), k.size());
    (void)f.Has(name);
    (void)f.Str(name, 64);
    (void)f.OptStr(name);
    (void)f.Int(name);
    (void)f.OptInt(name);
    (void)f.OptBool(name);
    auto sub = f.OptObject(name);
    if (sub.ok() && *sub) {
      Fields inner(**sub, f.FieldName(name));
      for (const auto& [ik, iv] : **sub) (void)inner.OptInt(std::string_view(ik.data(), ik.size()));
    }
    (void)f.OptArray(name, 10);
    (void)f.StrArray(name, 10, 32);
  }
  // What a refused body is answered with serializes.
  auto err = payops::http::ErrorResponse(
      payops::Error::Invalid("x", std::string(body.substr(0, 64))), "req_1");
  if (err.status != 400) std::abort();
  return 0;
}
