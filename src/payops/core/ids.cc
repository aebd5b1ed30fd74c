#include "payops/core/ids.h"

namespace payops {
namespace {
constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford base32
constexpr int kBodyLen = 20;
}  // namespace

std::string MakeId(std::string_view prefix, int64_t now_ms, uint64_t random) {
  std::string out;
  out.reserve(prefix.size() + 1 + kBodyLen);
  out.append(prefix);
  out.push_back('_');
  auto ms = static_cast<uint64_t>(now_ms);
  for (int i = 9; i >= 0; --i) out.push_back(kAlphabet[(ms >> (5 * i)) & 31]);
  for (int i = 9; i >= 0; --i) out.push_back(kAlphabet[(random >> (5 * i)) & 31]);
  return out;
}

bool IsIdOf(std::string_view id, std::string_view prefix) {
  if (id.size() != prefix.size() + 1 + kBodyLen) return false;
  if (id.substr(0, prefix.size()) != prefix || id[prefix.size()] != '_') return false;
  for (char c : id.substr(prefix.size() + 1)) {
    bool ok = (c >= '0' && c <= '9') ||
              (c >= 'a' && c <= 'z' && c != 'i' && c != 'l' && c != 'o' && c != 'u');
    if (!ok) return false;
  }
  return true;
}

}  // namespace payops
