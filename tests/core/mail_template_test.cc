#include "payops/core/mail_template.h"

#include <gtest/gtest.h>

namespace payops::mail {
namespace {

TEST(MailTemplate, SubstitutesNamesWithOrWithoutSpaces) {
  auto r = RenderTemplate("Hello {{name}}, ticket #{{ number }}.",
                          {{"name", "Pat"}, {"number", "1001"}}, Escape::kNone);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "Hello Pat, ticket #1001.");
}

TEST(MailTemplate, HtmlEscapesEveryValueButNotTheTemplate) {
  auto r = RenderTemplate("<p>{{subject}}</p>",
                          {{"subject", "<script>alert('x')</script> & \"q\""}}, Escape::kHtml);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;</p>");
  auto plain = RenderTemplate("{{subject}}", {{"subject", "<b>"}}, Escape::kNone);
  EXPECT_EQ(*plain, "<b>");
}

TEST(MailTemplate, AValueIsNeverReadAsTemplate) {
  auto r = RenderTemplate("{{a}}", {{"a", "{{b}}"}, {"b", "no"}}, Escape::kNone);
  EXPECT_EQ(*r, "{{b}}");
}

TEST(MailTemplate, UnknownNamesAndBadSyntaxAreErrors) {
  EXPECT_EQ(RenderTemplate("{{missing}}", {}, Escape::kNone).error().code,
            "unknown_template_value");
  EXPECT_EQ(RenderTemplate("{{open", {}, Escape::kNone).error().code, "bad_template");
  EXPECT_EQ(RenderTemplate("{{a-b}}", {}, Escape::kNone).error().code, "bad_template");
  EXPECT_EQ(RenderTemplate("{{}}", {}, Escape::kNone).error().code, "bad_template");
}

TEST(MailTemplate, OutputIsBounded) {
  std::string big(100 * 1024, 'x');
  auto r = RenderTemplate("{{a}}{{a}}{{a}}", {{"a", big}}, Escape::kNone);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kTooLarge);
}

}  // namespace
}  // namespace payops::mail
