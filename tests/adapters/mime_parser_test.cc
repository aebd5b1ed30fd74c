// The GMime adapter over the real messages of tests/mail/.
#include "payops/adapters/mime_parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace payops::adapters {
namespace {

// GMime's global caches are freed once every test ran (LeakSanitizer).
class MimeEnvironment : public ::testing::Environment {
 public:
  void TearDown() override { ShutdownMime(); }
};
const auto* const kMimeEnvironment = ::testing::AddGlobalTestEnvironment(new MimeEnvironment);

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(PAYOPS_MAIL_DIR) + "/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

mail::InboundMail Parse(const std::string& name) {
  auto m = ParseMimeMessage(Fixture(name));
  EXPECT_TRUE(m.ok()) << name << ": " << (m.ok() ? "" : m.error().message);
  return m.ok() ? *m : mail::InboundMail{};
}

TEST(MimeParser, MultipartAlternativeTakesThePlainTextQuotedPrintable) {
  auto m = Parse("multipart_alternative.eml");
  ASSERT_TRUE(m.from);
  EXPECT_EQ(m.from->name, "Pat Doe");
  EXPECT_EQ(m.from->address, "pat@acme.example");
  ASSERT_EQ(m.to.size(), 1u);
  EXPECT_EQ(m.to[0].address, "support@payops.example");
  ASSERT_EQ(m.cc.size(), 1u);
  EXPECT_EQ(m.cc[0].name, "Carla Ruiz");
  EXPECT_EQ(m.cc[0].address, "carla@customer.example");
  EXPECT_EQ(m.subject, "Payout to Mercado Pago not received");
  EXPECT_EQ(m.message_id, "alt-1@mail.acme.example");
  EXPECT_EQ(m.content_type, "multipart/alternative");
  ASSERT_TRUE(m.return_path);
  EXPECT_EQ(*m.return_path, "<pat@acme.example>");
  EXPECT_EQ(m.text,
            "Hello,\n\nOur payout of \xE2\x82\xAC"
            "1,250.00 sent on Friday has not arrived. The reference is PO-2030-0107.\n\n"
            "Thanks,\nPat");
  EXPECT_EQ(m.text.find("HTML version"), std::string::npos);
  EXPECT_TRUE(m.attachments.empty());
}

TEST(MimeParser, Base64BodyAndEncodedWordsWithCrlfLineEnds) {
  auto m = Parse("base64_body.eml");
  ASSERT_TRUE(m.from);
  EXPECT_EQ(m.from->name, "\xC3\x89lodie Martin");
  EXPECT_EQ(m.subject, "Virement bloqu\xC3\xA9");
  EXPECT_EQ(m.text,
            "Bonjour,\n\nLe virement n\xC2\xB0 4411 est bloqu\xC3\xA9 depuis mardi.\n\n"
            "Merci,\n\xC3\x89lodie");
}

TEST(MimeParser, Iso88591BodyAndHeadersBecomeUtf8) {
  auto m = Parse("iso_8859_1.eml");
  ASSERT_TRUE(m.from);
  EXPECT_EQ(m.from->name, "Jos\xC3\xA9 Mu\xC3\xB1oz");
  EXPECT_EQ(m.subject, "Transacci\xC3\xB3n rechazada");
  EXPECT_EQ(m.text,
            "Buenos d\xC3\xAD"
            "as,\n\nLa transacci\xC3\xB3n del se\xC3\xB1or M\xC3\xBCller fue rechazada.\n\n"
            "Saludos,\nJos\xC3\xA9");
}

TEST(MimeParser, Windows1252QuotedPrintableBecomesUtf8) {
  auto m = Parse("windows_1252.eml");
  EXPECT_EQ(m.subject, "Fee \xE2\x82\xAC 0.35 \xE2\x80\x93 why?");
  EXPECT_EQ(m.text,
            "We were charged a fee of \xE2\x82\xAC"
            "0.35 \xE2\x80\x93 the contract says \xE2\x80\x9Cno fees\xE2\x80\x9D.");
}

TEST(MimeParser, AttachmentsAreDecodedWithTheirNamesAndTypes) {
  auto m = Parse("attachment.eml");
  EXPECT_EQ(m.text, "The attached statement shows two debits we never made.");
  ASSERT_EQ(m.attachments.size(), 3u);
  EXPECT_EQ(m.attachments[0].filename, "statement-2029-12.pdf");
  EXPECT_EQ(m.attachments[0].content_type, "application/pdf");
  EXPECT_TRUE(m.attachments[0].bytes.starts_with("%PDF-1.4\n"));
  EXPECT_TRUE(m.attachments[0].bytes.ends_with("%%EOF\n"));
  EXPECT_EQ(m.attachments[1].filename,
            "d\xC3\xA9"
            "bits.csv");  // RFC 2231 filename*
  EXPECT_EQ(m.attachments[1].content_type, "text/csv");
  EXPECT_EQ(m.attachments[1].bytes, "date,amount\n2029-12-03,120.00\n2029-12-04,120.00\n");
  EXPECT_EQ(m.attachments[2].filename, "setup.exe");
  EXPECT_EQ(m.attachments[2].bytes.substr(0, 2), "MZ");
  EXPECT_EQ(m.attachments[2].bytes.size(), 16u);
  // The desk keeps the PDF and the CSV, and says why not the program.
  auto choice = mail::ChooseAttachments(m.attachments);
  EXPECT_EQ(choice.kept, (std::vector<size_t>{0, 1}));
  ASSERT_EQ(choice.notes.size(), 1u);
  EXPECT_EQ(choice.notes[0], "setup.exe (application/x-msdownload, 16 bytes): type not accepted");
}

TEST(MimeParser, HtmlOnlyMailBecomesReadableText) {
  auto m = Parse("html_only.eml");
  EXPECT_EQ(m.content_type, "text/html");
  EXPECT_EQ(m.text,
            "Refund request\n\nHi team,\nplease refund order #1234 & confirm.\n\n"
            "- Amount: \xE2\x82\xAC"
            "40\n- Date: 2030\xE2\x80\x93"
            "01\xE2\x80\x93"
            "05\n\nKind regards,\nAna");
}

TEST(MimeParser, LoopHeadersAreRead) {
  auto bounce = Parse("bounce.eml");
  EXPECT_EQ(bounce.content_type, "multipart/report");
  ASSERT_TRUE(bounce.return_path);
  EXPECT_EQ(*bounce.return_path, "<>");
  EXPECT_EQ(bounce.auto_submitted, "auto-replied");
  auto ooo = Parse("out_of_office.eml");
  EXPECT_EQ(ooo.auto_submitted, "auto-replied");
  EXPECT_EQ(ooo.in_reply_to, "<payops.tkt_01abc.msg_01def@payops.example>");
  auto bulk = Parse("list_bulk.eml");
  EXPECT_EQ(bulk.precedence, "bulk");
  const std::vector<std::string> ours{"support@payops.example"};
  EXPECT_EQ(mail::LoopReason(bounce, "payops.example", ours), "bounce");
  EXPECT_EQ(mail::LoopReason(ooo, "payops.example", ours), "auto-submitted");
  EXPECT_EQ(mail::LoopReason(bulk, "payops.example", ours), "precedence: bulk");
  EXPECT_FALSE(mail::LoopReason(Parse("reply_stranger.eml"), "payops.example", ours));
}

TEST(MimeParser, ThreadHeadersNameOurTicket) {
  std::string raw = Fixture("reply_in_reply_to.eml");
  for (size_t at; (at = raw.find("{{TICKET_ID}}")) != std::string::npos;) {
    raw.replace(at, 13, "tkt_01m91e4nt04czx8ygwf0");
  }
  auto m = ParseMimeMessage(raw);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->subject, "Re: your request");
  EXPECT_EQ(mail::OurTicketIdsIn(*m, "payops.example"),
            (std::vector<std::string>{"tkt_01m91e4nt04czx8ygwf0"}));
  EXPECT_TRUE(mail::OurTicketIdsIn(*m, "elsewhere.example").empty());
}

TEST(MimeParser, PriorityHeaders) {
  auto m = Parse("high_priority.eml");
  EXPECT_EQ(m.importance, "high");
  EXPECT_EQ(m.x_priority, "1 (Highest)");
}

TEST(MimeParser, RecipientsOfEveryKind) {
  auto m = Parse("to_billing.eml");
  ASSERT_EQ(m.to.size(), 1u);
  EXPECT_EQ(m.to[0].address, "Billing@Payops.Example");
  ASSERT_EQ(m.cc.size(), 2u);
  EXPECT_EQ(m.cc[0].address, "finance@acme.example");
  EXPECT_EQ(m.cc[1].address, "support@payops.example");
}

TEST(MimeParser, CrLfInEncodedHeadersIsDecodedAndLeftToHeaderText) {
  auto m = Parse("header_injection.eml");
  ASSERT_TRUE(m.from);
  EXPECT_EQ(m.from->address, "eve@acme.example");
  // The parser gives the decoded text; mail::HeaderText makes it one line.
  EXPECT_NE(m.subject.find('\n'), std::string::npos);
  EXPECT_EQ(mail::HeaderText(m.subject, 200), "Refund now Bcc: victim@acme.example X-Evil: 1");
  EXPECT_EQ(mail::HeaderText(m.from->name, 200), "Eve Bcc: victim@acme.example");
}

TEST(MimeParser, MissingOrUnusableFrom) {
  auto none = Parse("no_from.eml");
  EXPECT_FALSE(none.has_from);
  EXPECT_FALSE(none.from);
  auto name_only = Parse("from_not_email.eml");
  EXPECT_TRUE(name_only.has_from);
  EXPECT_TRUE(!name_only.from || name_only.from->address.find('@') == std::string::npos);
}

TEST(MimeParser, BrokenMimeIsRefused) {
  auto m = ParseMimeMessage(Fixture("broken_mime.eml"));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, "malformed_mime");
  EXPECT_NE(m.error().message.find("boundary"), std::string::npos) << m.error().message;
}

TEST(MimeParser, EmptyAndOversizedMessagesAreRefused) {
  auto empty = ParseMimeMessage(" \r\n\r\n");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, "empty_message");
  std::string big(mail::kMaxMessageBytes + 1, 'x');
  auto large = ParseMimeMessage(big);
  ASSERT_FALSE(large.ok());
  EXPECT_EQ(large.error().code, "message_too_large");
}

TEST(MimeParser, MboxFromLineIsSkipped) {
  auto m = ParseMimeMessage("From pat@acme.example  Mon Jan  7 09:00:00 2030\n" +
                            Fixture("reply_solved.eml"));
  ASSERT_TRUE(m.ok());
  ASSERT_TRUE(m->from);
  EXPECT_EQ(m->from->address, "pat@acme.example");
}

TEST(MimeParser, NestingPastTheLimitIsRefused) {
  std::string raw =
      "From: a@acme.example\nSubject: deep\nContent-Type: multipart/mixed; boundary=b0\n\n";
  const int levels = mail::kMaxMimeDepth + 2;
  for (int i = 1; i < levels; ++i) {
    raw += "--b" + std::to_string(i - 1) + "\nContent-Type: multipart/mixed; boundary=b" +
           std::to_string(i) + "\n\n";
  }
  raw += "--b" + std::to_string(levels - 1) + "\nContent-Type: text/plain\n\ndeep\n";
  for (int i = levels - 1; i >= 0; --i) raw += "--b" + std::to_string(i) + "--\n";
  auto m = ParseMimeMessage(raw);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, "malformed_mime");
}

TEST(MimeParser, TooManyPartsAreRefused) {
  std::string raw =
      "From: a@acme.example\nSubject: many\nContent-Type: multipart/mixed; boundary=b\n\n";
  for (size_t i = 0; i < mail::kMaxMimeParts + 1; ++i)
    raw += "--b\nContent-Type: text/plain\n\nx\n";
  raw += "--b--\n";
  auto m = ParseMimeMessage(raw);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code, "malformed_mime");
  EXPECT_NE(m.error().message.find("parts"), std::string::npos);
}

TEST(MimeParser, UndeclaredEightBitTextIsReadAsWindows1252UnlessUtf8) {
  auto latin = ParseMimeMessage(std::string("From: a@acme.example\nSubject: s\n\ncaf\xE9 \x80\n"));
  ASSERT_TRUE(latin.ok());
  EXPECT_EQ(latin->text, "caf\xC3\xA9 \xE2\x82\xAC");
  auto utf8 = ParseMimeMessage(std::string("From: a@acme.example\nSubject: s\n\ncaf\xC3\xA9\n"));
  ASSERT_TRUE(utf8.ok());
  EXPECT_EQ(utf8->text, "caf\xC3\xA9");
}

}  // namespace
}  // namespace payops::adapters
