// The mail templates' language: `{{name}}` is replaced by the value of
// `name`; nothing else is syntax. In an HTML template every value is
// HTML-escaped, so text a customer typed never becomes markup.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "payops/core/result.h"

namespace payops::mail {

enum class Escape { kNone, kHtml };

using TemplateValues = std::map<std::string, std::string, std::less<>>;

inline constexpr size_t kMaxTemplateBytes = 64 * 1024;
inline constexpr size_t kMaxRenderedBytes = 256 * 1024;

// The template with every `{{name}}` (name: letters, digits, '_', optional
// spaces around it) replaced. kInvalid "unknown_template_value" for a name
// without a value, "bad_template" for an unclosed `{{` or a template past
// kMaxTemplateBytes, kTooLarge past kMaxRenderedBytes.
Result<std::string> RenderTemplate(std::string_view tmpl, const TemplateValues& values,
                                   Escape escape);

// &, <, >, " and ' as entities.
std::string HtmlEscape(std::string_view text);

}  // namespace payops::mail
