#include "payops/core/mail_ids.h"

#include <gtest/gtest.h>

namespace payops::mail {
namespace {

TEST(MailIds, OutboundIdsParseBack) {
  std::string id = OutboundMessageId("tkt_01abc", "msg_01xyz", "example.com");
  EXPECT_EQ(id, "<payops.tkt_01abc.msg_01xyz@example.com>");
  auto parsed = ParseOurMessageId(id, "EXAMPLE.com");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->ticket_id, "tkt_01abc");
  EXPECT_EQ(parsed->outbox_id, "msg_01xyz");
}

TEST(MailIds, ThreadRootNamesTheTicket) {
  std::string root = TicketThreadId("tkt_01abc", "example.com");
  EXPECT_EQ(root, "<payops.tkt_01abc@example.com>");
  auto parsed = ParseOurMessageId(root, "example.com");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->ticket_id, "tkt_01abc");
  EXPECT_EQ(parsed->outbox_id, "");
}

TEST(MailIds, MailAboutNoTicket) {
  std::string id = OutboundMessageId("", "msg_01xyz", "example.com");
  EXPECT_EQ(id, "<payops.msg_01xyz@example.com>");
  auto parsed = ParseOurMessageId(id, "example.com");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->ticket_id, "");
  EXPECT_EQ(parsed->outbox_id, "msg_01xyz");
}

TEST(MailIds, OtherIdsAreNotOurs) {
  for (const char* id :
       {"<payops.tkt_1.msg_2@other.example>", "<abc@example.com>", "<payops.@example.com>",
        "<payops.tkt_1.msg 2@example.com>", "<payops.a.b.c@example.com>", "payops.tkt_1", "", "<>",
        "<payops.tkt_1.msg_2@example.com.evil>"}) {
    EXPECT_FALSE(ParseOurMessageId(id, "example.com")) << id;
  }
}

TEST(MailIds, MessageIdsInAHeader) {
  auto ids = MessageIdsIn(" <a@x>\r\n\t<payops.tkt_1@example.com> junk <b@y>");
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[1], "<payops.tkt_1@example.com>");
  EXPECT_EQ(MessageIdsIn("<a@x> <b@y> <c@z>", 2).size(), 2u);
  EXPECT_TRUE(MessageIdsIn("no ids").empty());
  EXPECT_TRUE(MessageIdsIn("<unclosed").empty());
}

}  // namespace
}  // namespace payops::mail
