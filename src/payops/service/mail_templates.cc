#include "payops/service/mail_templates.h"

#include <map>

namespace payops::service {
namespace {

struct Pair {
  std::string_view text;
  std::string_view html;
};

const std::map<std::string, Pair, std::less<>>& Templates() {
  static const auto* kByEvent = [] {
    auto* m = new std::map<std::string, Pair, std::less<>>();
    for (const MailTemplateFile& f : MailTemplateFiles()) {
      std::string_view name(f.name);
      size_t dot = name.rfind('.');
      std::string event(name.substr(0, dot));
      if (name.substr(dot) == ".txt") {
        (*m)[event].text = f.text;
      } else {
        (*m)[event].html = f.text;
      }
    }
    return m;
  }();
  return *kByEvent;
}

}  // namespace

Result<RenderedMail> RenderMail(std::string_view event, const mail::TemplateValues& values) {
  auto it = Templates().find(event);
  if (it == Templates().end() || it->second.text.empty()) {
    return Error::Internal("no mail template for " + std::string(event));
  }
  RenderedMail out;
  auto text = mail::RenderTemplate(it->second.text, values, mail::Escape::kNone);
  if (!text.ok()) return Error::Internal(std::string(event) + ".txt: " + text.error().message);
  out.text = std::move(*text);
  if (!it->second.html.empty()) {
    auto html = mail::RenderTemplate(it->second.html, values, mail::Escape::kHtml);
    if (!html.ok()) return Error::Internal(std::string(event) + ".html: " + html.error().message);
    out.html = std::move(*html);
  }
  return out;
}

}  // namespace payops::service
