#include "payops/core/mail_template.h"

#include <cctype>

namespace payops::mail {
namespace {

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

Result<std::string> RenderTemplate(std::string_view tmpl, const TemplateValues& values,
                                   Escape escape) {
  if (tmpl.size() > kMaxTemplateBytes) {
    return Error::Invalid("bad_template", "template past 64 KiB");
  }
  std::string out;
  out.reserve(tmpl.size() * 2);
  size_t pos = 0;
  while (pos < tmpl.size()) {
    size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(tmpl.substr(pos));
      break;
    }
    out.append(tmpl.substr(pos, open - pos));
    size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return Error::Invalid("bad_template", "unclosed {{ in template");
    }
    std::string_view name = Trim(tmpl.substr(open + 2, close - open - 2));
    bool valid = !name.empty();
    for (char c : name) valid = valid && IsNameChar(c);
    if (!valid) return Error::Invalid("bad_template", "bad name in {{...}}");
    auto it = values.find(name);
    if (it == values.end()) {
      return Error::Invalid("unknown_template_value", "no value for {{" + std::string(name) + "}}");
    }
    out += escape == Escape::kHtml ? HtmlEscape(it->second) : it->second;
    if (out.size() > kMaxRenderedBytes) {
      return Error{ErrorKind::kTooLarge, "too_large", "rendered mail past 256 KiB", {}};
    }
    pos = close + 2;
  }
  if (out.size() > kMaxRenderedBytes) {
    return Error{ErrorKind::kTooLarge, "too_large", "rendered mail past 256 KiB", {}};
  }
  return out;
}

}  // namespace payops::mail
