// Every notification the outbox holds has its templates, and they render
// with the values the desk gives them; HTML escapes every value.
#include "payops/service/mail_templates.h"

#include <gtest/gtest.h>

namespace payops::service {
namespace {

mail::TemplateValues AllValues(const std::string& hostile) {
  return {{"number", "1001"},
          {"subject", hostile},
          {"priority", "urgent"},
          {"queue", "delivery"},
          {"link", "https://desk.example/#/tickets/tkt_1"},
          {"requester_name", hostile},
          {"support_name", "Support"},
          {"why", hostile},
          {"what", "First response"},
          {"due", "2030-01-07T17:00:00Z"},
          {"author", hostile},
          {"message", hostile}};
}

TEST(MailTemplates, EveryEventRendersTextAndEmailsHtml) {
  const std::string hostile = "<script>alert('x')</script> & \"q\"";
  for (const char* event : {"ticket_created", "public_reply", "customer_reply", "ticket_assigned",
                            "sla_warning", "sla_breach", "urgent_notice"}) {
    auto r = RenderMail(event, AllValues(hostile));
    ASSERT_TRUE(r.ok()) << event << ": " << r.error().message;
    EXPECT_NE(r->text.find("1001"), std::string::npos) << event;
    ASSERT_FALSE(r->html.empty()) << event;
    EXPECT_EQ(r->html.find("<script>"), std::string::npos) << event;
    EXPECT_EQ(r->html.find("& \""), std::string::npos) << event;
    EXPECT_NE(r->html.find("&lt;script&gt;"), std::string::npos) << event;
  }
  for (const char* page : {"urgent_page", "page_resolve"}) {
    auto r = RenderMail(page, AllValues("x"));
    ASSERT_TRUE(r.ok()) << page;
    EXPECT_TRUE(r->html.empty()) << page;
  }
}

TEST(MailTemplates, UnknownEventOrMissingValueIsAnInternalError) {
  auto unknown = RenderMail("no_such_event", {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kInternal);
  auto missing = RenderMail("ticket_created", {{"number", "1"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kInternal);
}

}  // namespace
}  // namespace payops::service
