#include "payops/core/inbound_mail.h"

#include <gtest/gtest.h>

#include "payops/core/mail_ids.h"
#include "payops/core/ticket.h"

namespace payops::mail {
namespace {

InboundMail FromPerson() {
  InboundMail m;
  m.has_from = true;
  m.from = MailAddress{"Pat", "pat@acme.example"};
  m.subject = "Help";
  m.message_id = "abc@acme.example";
  m.content_type = "text/plain";
  return m;
}

const std::vector<std::string> kOurs{"support@payops.example", "billing@payops.example"};

TEST(InboundMail, LoopReasons) {
  EXPECT_FALSE(LoopReason(FromPerson(), "payops.example", kOurs));

  InboundMail m = FromPerson();
  m.auto_submitted = "auto-replied; owner-email=\"pat@acme.example\"";
  EXPECT_EQ(LoopReason(m, "payops.example", kOurs), "auto-submitted");
  m.auto_submitted = " No ";
  EXPECT_FALSE(LoopReason(m, "payops.example", kOurs));
  m.auto_submitted = "auto-generated";
  EXPECT_EQ(LoopReason(m, "payops.example", kOurs), "auto-submitted");

  m = FromPerson();
  m.x_autoreply = "yes";
  EXPECT_EQ(LoopReason(m, "payops.example", kOurs), "auto-submitted");

  for (const char* p : {"bulk", "Junk", "list"}) {
    m = FromPerson();
    m.precedence = p;
    EXPECT_EQ(LoopReason(m, "payops.example", kOurs), "precedence: " + LowerAscii(p));
  }
  m.precedence = "first-class";
  EXPECT_FALSE(LoopReason(m, "payops.example", kOurs));

  m = FromPerson();
  m.content_type = "multipart/report";
  EXPECT_EQ(LoopReason(m, "payops.example", kOurs), "bounce");
  m = FromPerson();
  m.return_path = "< >";
  EXPECT_EQ(LoopReason(m, "payops.example", kOurs), "bounce");
  m.return_path = "<pat@acme.example>";
  EXPECT_FALSE(LoopReason(m, "payops.example", kOurs));
  m = FromPerson();
  m.from->address = "MAILER-DAEMON@mx.acme.example";
  EXPECT_EQ(LoopReason(m, "payops.example", kOurs), "bounce");

  m = FromPerson();
  m.message_id = "payops.tkt_01abc.msg_01def@PAYOPS.example";
  EXPECT_EQ(LoopReason(m, "payops.example", kOurs), "our own message");
  EXPECT_FALSE(LoopReason(m, "elsewhere.example", kOurs));

  m = FromPerson();
  m.from->address = "Support@Payops.Example";
  EXPECT_EQ(LoopReason(m, "payops.example", kOurs), "sent from our own address");
}

TEST(InboundMail, TicketNumberInSubject) {
  EXPECT_EQ(TicketNumberInSubject("Re: [#1042] Payout"), 1042);
  EXPECT_EQ(TicketNumberInSubject("[#1043] Re: [#1042] x"), 1043);
  EXPECT_EQ(TicketNumberInSubject("[#] [#x1] [#12a] then [#7]"), 7);
  EXPECT_FALSE(TicketNumberInSubject("#1042 without brackets"));
  EXPECT_FALSE(TicketNumberInSubject("[#1234567890123456789]"));  // 19 digits
  EXPECT_EQ(TicketNumberInSubject("[#123456789012345678]"), 123456789012345678);
  EXPECT_EQ(TicketNumberInSubject("[#999999999999999999]"), 999999999999999999);
  // Nineteen nines and more are past int64_t: no number, no overflow (found by
  // the mime fuzz target).
  EXPECT_FALSE(TicketNumberInSubject("[#9999999999999999999]"));
  EXPECT_FALSE(TicketNumberInSubject("[#99994444444444444444444444] then nothing"));
  EXPECT_EQ(TicketNumberInSubject("[#99999999999999999999] [#5]"), 5);
  EXPECT_FALSE(TicketNumberInSubject(""));
}

TEST(InboundMail, OurTicketIdsInReplyToFirstThenLatestReferences) {
  InboundMail m = FromPerson();
  m.in_reply_to = OutboundMessageId("tkt_b", "msg_2", "payops.example");
  m.references = "<x@acme.example> " + TicketThreadId("tkt_a", "payops.example") + " " +
                 OutboundMessageId("tkt_c", "msg_1", "payops.example") + " " +
                 OutboundMessageId("tkt_b", "msg_2", "payops.example") +
                 " <payops.msg_9@payops.example>";
  EXPECT_EQ(OurTicketIdsIn(m, "payops.example"),
            (std::vector<std::string>{"tkt_b", "tkt_c", "tkt_a"}));
  EXPECT_TRUE(OurTicketIdsIn(m, "other.example").empty());
}

TEST(InboundMail, OurMailDomain) {
  EXPECT_EQ(OurMailDomain("support@Payops.Example", ""), "payops.example");
  EXPECT_EQ(OurMailDomain("Desk <desk@mail.example.com>", "https://x.example"), "mail.example.com");
  EXPECT_EQ(OurMailDomain("", "https://Desk.Example.com:8443/app?x=1"), "desk.example.com");
  EXPECT_EQ(OurMailDomain("", "http://user@host.example/"), "host.example");
  EXPECT_EQ(OurMailDomain("", "http://[::1]:8080"), "::1");
  EXPECT_EQ(OurMailDomain("", ""), "payops.invalid");
}

TEST(InboundMail, HeaderTextIsOneSafeLine) {
  EXPECT_EQ(HeaderText("Refund\r\nBcc: x@y.example", 200), "Refund Bcc: x@y.example");
  EXPECT_EQ(HeaderText("  a \t\t b\x7f c  ", 200), "a b c");
  EXPECT_EQ(HeaderText("a\xC2\x85"
                       "b\xE2\x80\xA8"
                       "c",
                       200),
            "a b c");  // NEL, LINE SEPARATOR
  EXPECT_EQ(HeaderText("bad \xC3\x28", 200), "bad \xEF\xBF\xBD(");
  // Cut at a character boundary: "é" is two bytes.
  EXPECT_EQ(HeaderText("\xC3\xA9\xC3\xA9\xC3\xA9", 5), "\xC3\xA9\xC3\xA9");
  EXPECT_EQ(HeaderText("", 10), "");
}

TEST(InboundMail, ValidUtf8ReplacesEveryInvalidSequence) {
  EXPECT_EQ(ValidUtf8("ok \xE2\x82\xAC"), "ok \xE2\x82\xAC");
  EXPECT_EQ(ValidUtf8("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(ValidUtf8("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(ValidUtf8("\xE2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // cut short
  EXPECT_EQ(ValidUtf8("\xF4\x90\x80\x80").substr(0, 3), "\xEF\xBF\xBD");         // past U+10FFFF
}

TEST(InboundMail, BodyTextNormalizesLineEndsAndControls) {
  EXPECT_EQ(BodyText("\r\n\r\n  \nHello\r\nworld\rbye\x01!\t \n\n\n"), "Hello\nworld\nbye!");
  EXPECT_EQ(BodyText(std::string("a\0b", 3)), "ab");
  EXPECT_EQ(BodyText("   "), "");
}

TEST(InboundMail, HtmlToText) {
  EXPECT_EQ(HtmlToText("<p>One</p><p>Two<br>Three</p>"), "One\n\nTwo\nThree");
  EXPECT_EQ(HtmlToText("<div>a   b\n c</div><div>d</div>"), "a b c\nd");
  EXPECT_EQ(HtmlToText("<ul><li>x</li><li>y</li></ul>after"), "- x\n- y\n\nafter");
  EXPECT_EQ(HtmlToText("<p>x</p><pre>  keep\n    this</pre>"), "x\n\n  keep\n    this");
  EXPECT_EQ(HtmlToText("&lt;b&gt; &amp;amp; &#x41;&#66; &nbsp;x &unknown; & alone"),
            "<b> &amp; AB  x &unknown; & alone");
  EXPECT_EQ(HtmlToText("<a href=\"x>y\" title='>'>link</a> 1 < 2"), "link 1 < 2");
  EXPECT_EQ(HtmlToText("<SCRIPT>var a = '<p>';</SCRIPT><Style>p{}</STYLE>ok"), "ok");
  EXPECT_EQ(HtmlToText("<!DOCTYPE html><!-- <p>hidden</p> -->shown"), "shown");
  EXPECT_EQ(HtmlToText("<br><br><br><br>x<br><br><br><br>y"), "x\n\ny");
  EXPECT_EQ(HtmlToText("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"),
            "a b\nc");
  EXPECT_EQ(HtmlToText("&#0; &#xD800; &#99999999;"), "\xEF\xBF\xBD \xEF\xBF\xBD \xEF\xBF\xBD");
  EXPECT_EQ(HtmlToText("cut <b"), "cut");
  EXPECT_EQ(HtmlToText("<p>" + std::string(100, 'x') + "</p>", 10), std::string(10, 'x'));
  // Quotes read as in a text mail; a rule as Outlook's text separator.
  EXPECT_EQ(HtmlToText("new<blockquote><p>old</p><blockquote>older<br>still</blockquote>"
                       "back</blockquote>end"),
            "new\n\n> old\n\n>> older\n>> still\n\n> back\n\nend");
  EXPECT_EQ(HtmlToText("<pre>a\nb</pre>"), "a\nb");
  EXPECT_EQ(HtmlToText("<blockquote><pre>a\nb</pre></blockquote>"), "> a\n> b");
  EXPECT_EQ(HtmlToText("x<hr>y"), "x\n________________________________\ny");
  // Unbalanced quoting is bounded and never negative.
  EXPECT_EQ(HtmlToText("</blockquote></blockquote>a"), "a");
  std::string deep;
  for (int i = 0; i < 20; ++i) deep += "<blockquote>";
  EXPECT_EQ(HtmlToText(deep + "deep"), std::string(8, '>') + " deep");
}

TEST(InboundMail, HtmlRepliesLoseTheirQuotesLikeTextOnes) {
  // Gmail: the attribution in a div, then the quote.
  std::string gmail = HtmlToText(
      "<div dir=\"ltr\">Arrived, thanks!</div><br><div class=\"gmail_quote\">"
      "<div class=\"gmail_attr\">On Mon, Jan 7, 2030 at 4:12 PM Payops Support "
      "&lt;support@payops.example&gt; wrote:<br></div><blockquote><p>Hello Pat,</p>"
      "<p>Sent again.</p></blockquote></div>");
  EXPECT_EQ(NewTextOfReply(gmail).text, "Arrived, thanks!");
  // Outlook: a rule, then From:/Sent:/Subject: and the old message unquoted.
  std::string outlook = HtmlToText(
      "<div>Returned again: R03.</div><hr><div><b>From:</b> Payops Support<br><b>Sent:</b> "
      "Monday</div><div>Hello Pat</div>");
  EXPECT_EQ(NewTextOfReply(outlook).text, "Returned again: R03.");
  // An answer written between quoted lines keeps both.
  std::string inline_answer =
      HtmlToText("<blockquote>Which batch?</blockquote><p>The 2pm one.</p>");
  EXPECT_EQ(NewTextOfReply(inline_answer).text, "> Which batch?\n\nThe 2pm one.");
}

TEST(InboundMail, ChooseAttachmentsUnderTheApiLimits) {
  std::vector<MailAttachment> atts;
  atts.push_back({"a.pdf", "application/pdf", "x"});
  atts.push_back({"virus.exe", "application/octet-stream", "MZ"});
  atts.push_back({"empty.txt", "text/plain", ""});
  atts.push_back({"huge.png", "image/png", std::string(desk::kMaxAttachmentBytes + 1, 'p')});
  for (int i = 0; i < 10; ++i) atts.push_back({"n.csv", "text/csv", "1"});
  auto c = ChooseAttachments(atts);
  EXPECT_EQ(c.kept.size(), desk::kMaxAttachments);
  EXPECT_EQ(c.kept.front(), 0u);
  ASSERT_EQ(c.notes.size(), 4u);
  EXPECT_EQ(c.notes[0], "virus.exe (application/octet-stream, 2 bytes): type not accepted");
  EXPECT_EQ(c.notes[1], "empty.txt (text/plain, 0 bytes): empty");
  EXPECT_NE(c.notes[2].find("larger than 10 MiB"), std::string::npos);
  EXPECT_NE(c.notes[3].find("more than 10 attachments"), std::string::npos);

  std::vector<MailAttachment> big;
  for (int i = 0; i < 3; ++i)
    big.push_back({"b.pdf", "application/pdf", std::string(9 << 20, 'b')});
  auto t = ChooseAttachments(big);
  EXPECT_EQ(t.kept, (std::vector<size_t>{0, 1}));
  ASSERT_EQ(t.notes.size(), 1u);
  EXPECT_NE(t.notes[0].find("over 25 MiB"), std::string::npos);
}

TEST(InboundMail, NewTextOfReplyDropsTheTrailingQuoteAndItsAttribution) {
  auto r = NewTextOfReply(
      "Thanks, the payout arrived.\n\nOn Mon, 7 Jan 2030 at 09:00, Support "
      "<support@payops.example> "
      "wrote:\n> We sent it on Friday.\n>\n> > Where is my payout?");
  EXPECT_EQ(r.text, "Thanks, the payout arrived.");
  EXPECT_TRUE(r.cut);
  // Wrapped over two lines by the sender's client.
  r = NewTextOfReply(
      "Still missing.\n\nOn Mon, 7 Jan 2030 at 09:00, Support <\nsupport@payops.example> "
      "wrote:\n\n> Sent.");
  EXPECT_EQ(r.text, "Still missing.");
  // German and French clients.
  EXPECT_EQ(NewTextOfReply("Danke.\nAm 07.01.2030 um 09:00 schrieb Support:\n> Erledigt.").text,
            "Danke.");
  EXPECT_EQ(NewTextOfReply("Merci.\nLe lun. 7 janv. 2030, Support a \xC3\xA9"
                           "crit :\n> Fait.")
                .text,
            "Merci.");
  // Without an attribution line, only the quote goes.
  EXPECT_EQ(NewTextOfReply("Yes.\n> Shall we refund it?").text, "Yes.");
}

TEST(InboundMail, NewTextOfReplyDropsSignaturesAndOutlookHistory) {
  auto r =
      NewTextOfReply("It works now.\n-- \nPat Doe\nAcme Payments\n\nOn Mon, Support wrote:\n> x");
  EXPECT_EQ(r.text, "It works now.");
  EXPECT_TRUE(r.cut);
  EXPECT_EQ(
      NewTextOfReply("Done.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\n\nOld")
          .text,
      "Done.");
  EXPECT_EQ(
      NewTextOfReply("Done.\n\n________________________________\nFrom: Support\nSent: Monday").text,
      "Done.");
  // A line of underscores that is not a header block stays.
  EXPECT_EQ(NewTextOfReply("Sign here: ____________________\nThanks").text,
            "Sign here: ____________________\nThanks");
}

TEST(InboundMail, NewTextOfReplyKeepsInlineAnswersAndAllQuotedMessages) {
  // Bottom-posted and inline answers: the quotes are context of what follows.
  const std::string inline_answer =
      "On Mon, Support wrote:\n> Which account?\nThe savings account.\n> Which date?\nFriday.";
  auto r = NewTextOfReply(inline_answer);
  EXPECT_EQ(r.text, inline_answer);
  EXPECT_FALSE(r.cut);
  // A signature delimiter inside a quote is the quoted message's.
  EXPECT_EQ(NewTextOfReply("> -- \n> Support\nThanks").text, "> -- \n> Support\nThanks");
  // Nothing but a quote (a forward without a word): kept whole.
  r = NewTextOfReply("On Mon, Support wrote:\n> Your payout was sent.");
  EXPECT_EQ(r.text, "On Mon, Support wrote:\n> Your payout was sent.");
  EXPECT_FALSE(r.cut);
  EXPECT_EQ(NewTextOfReply("").text, "");
  // "wrote:" in the text itself, not before a quote, stays.
  EXPECT_EQ(NewTextOfReply("My colleague wrote:\nthe payout is late.").text,
            "My colleague wrote:\nthe payout is late.");
}

}  // namespace
}  // namespace payops::mail
