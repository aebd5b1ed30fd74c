#include "payops/core/logfmt.h"

namespace payops {
namespace {

bool IsBare(char c) {
  return c > ' ' && c < 0x7f && c != '"' && c != '=' && c != '\\';
}

}  // namespace

std::string LogValue(std::string_view v) {
  bool bare = !v.empty();
  for (char c : v) bare = bare && IsBare(c);
  if (bare) return std::string(v);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(v.size() + 2);
  out += '"';
  for (char ch : v) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < ' ' || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    } else {
      out += ch;
    }
  }
  out += '"';
  return out;
}

}  // namespace payops
