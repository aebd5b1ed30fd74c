#include "payops/core/mime.h"

#include <gtest/gtest.h>

namespace payops::mail {
namespace {

// The header block of a message (up to the first empty line), unfolded.
std::string Headers(const std::string& msg) {
  std::string head = msg.substr(0, msg.find("\r\n\r\n") + 2);
  std::string out;
  for (size_t i = 0; i < head.size(); ++i) {
    if (head.compare(i, 3, "\r\n ") == 0) {
      i += 2;
      continue;
    }
    out += head[i];
  }
  return out;
}

MimeMail Sample() {
  MimeMail m;
  m.from = {"Support", "support@example.com"};
  m.to = {{"", "pat@acme.example"}};
  m.reply_to = m.from;
  m.subject = "[#1001] Hello";
  m.message_id = "<payops.tkt_1.msg_1@example.com>";
  m.in_reply_to = {"<payops.tkt_1@example.com>"};
  m.references = m.in_reply_to;
  m.date = *ParseRfc3339("2030-01-07T13:00:05Z");
  m.text = "plain";
  m.html = "<p>html</p>";
  m.boundary_seed = "msg_1";
  return m;
}

TEST(Mime, ParsesMailboxes) {
  auto a = ParseMailbox("Support <support@example.com>");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->name, "Support");
  EXPECT_EQ(a->address, "support@example.com");
  auto b = ParseMailbox("\"Acme, Inc.\" <help@acme.example>");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->name, "Acme, Inc.");
  EXPECT_EQ(ParseMailbox("bare@example.com")->address, "bare@example.com");
  EXPECT_FALSE(ParseMailbox("no at sign").ok());
  EXPECT_FALSE(ParseMailbox("x <a@b.c\r\nBcc: evil@x.y>").ok());
  EXPECT_EQ(DomainOf("support@Example.COM"), "example.com");
}

TEST(Mime, DateIsRfc5322InUtc) {
  EXPECT_EQ(FormatRfc5322Date(*ParseRfc3339("2030-01-07T13:00:05Z")),
            "Mon, 07 Jan 2030 13:00:05 +0000");
  EXPECT_EQ(FormatRfc5322Date(*ParseRfc3339("2024-02-29T23:59:59.9Z")),
            "Thu, 29 Feb 2024 23:59:59 +0000");
}

TEST(Mime, NonAsciiSubjectBecomesEncodedWordsThatNeverSplitACharacter) {
  std::string subject = "[#1001] Überweisung fehlgeschlagen — 払い戻し をお願いします ça va";
  std::string enc = EncodeUnstructured(subject, 9);
  EXPECT_EQ(enc.rfind("=?UTF-8?B?", 0), 0u);
  // Decode each word back and concatenate.
  std::string decoded;
  size_t pos = 0;
  while ((pos = enc.find("=?UTF-8?B?", pos)) != std::string::npos) {
    size_t end = enc.find("?=", pos + 10);
    std::string b64 = enc.substr(pos + 10, end - pos - 10);
    EXPECT_LE(end + 2 - pos, 75u);
    static const std::string kAlpha =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string word;
    uint32_t buf = 0;
    int bits = 0;
    for (char c : b64) {
      if (c == '=') break;
      buf = (buf << 6) | static_cast<uint32_t>(kAlpha.find(c));
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        word += static_cast<char>((buf >> bits) & 0xff);
      }
    }
    // Each word is whole UTF-8: it never ends inside a sequence.
    unsigned char last = static_cast<unsigned char>(word.back());
    EXPECT_TRUE(last < 0x80 || (last & 0xc0) == 0x80);
    decoded += word;
    pos = end + 2;
  }
  EXPECT_EQ(decoded, subject);
  for (size_t i = 0; i + 1 < enc.size(); ++i) {
    if (enc[i] == '\r') {
      EXPECT_EQ(enc.compare(i, 3, "\r\n "), 0);
    }
  }
}

TEST(Mime, LongAsciiSubjectsAreFolded) {
  std::string subject;
  for (int i = 0; i < 30; ++i) subject += "word" + std::to_string(i) + " ";
  std::string enc = EncodeUnstructured(subject, 9);
  EXPECT_NE(enc.find("\r\n "), std::string::npos);
  size_t start = 0;
  while (true) {
    size_t end = enc.find("\r\n", start);
    EXPECT_LE((end == std::string::npos ? enc.size() : end) - start, 78u);
    if (end == std::string::npos) break;
    start = end + 2;
  }
}

TEST(Mime, CrLfInSubjectAndNamesCannotAddHeaders) {
  MimeMail m = Sample();
  m.subject = "hi\r\nBcc: victim@example.org\r\n\r\nbody";
  m.from.name = "Support\r\nX-Injected: 1";
  m.to = {{"Pat\nCc: other@example.org", "pat@acme.example"}};
  auto msg = BuildMime(m);
  ASSERT_TRUE(msg.ok()) << msg.error().message;
  std::string h = Headers(*msg);
  EXPECT_EQ(h.find("\r\nBcc:"), std::string::npos) << h;
  EXPECT_EQ(h.find("\r\nX-Injected:"), std::string::npos) << h;
  EXPECT_EQ(h.find("\r\nCc:"), std::string::npos) << h;
  EXPECT_NE(h.find("Subject: hi Bcc: victim@example.org body\r\n"), std::string::npos) << h;
  // Every line of the header block starts a known header.
  for (const char* bad : {"\nBcc", "\nX-Injected", "\nCc"}) {
    EXPECT_EQ(msg->substr(0, msg->find("\r\n\r\n")).find(bad), std::string::npos);
  }
  MimeMail evil = Sample();
  evil.to = {{"", "a@b.c>\r\nBcc: x@y.z"}};
  EXPECT_FALSE(BuildMime(evil).ok());
  evil = Sample();
  evil.message_id = "<a@b>\r\nX: y";
  EXPECT_FALSE(BuildMime(evil).ok());
}

TEST(Mime, MultipartAlternativeWithThreadingHeaders) {
  MimeMail m = Sample();
  m.auto_submitted = "auto-replied";
  m.from.name = "Support, Desk";
  auto msg = BuildMime(m);
  ASSERT_TRUE(msg.ok());
  std::string h = Headers(*msg);
  EXPECT_NE(h.find("From: \"Support, Desk\" <support@example.com>\r\n"), std::string::npos) << h;
  EXPECT_NE(h.find("To: pat@acme.example\r\n"), std::string::npos);
  EXPECT_NE(h.find("Message-ID: <payops.tkt_1.msg_1@example.com>\r\n"), std::string::npos);
  EXPECT_NE(h.find("In-Reply-To: <payops.tkt_1@example.com>\r\n"), std::string::npos);
  EXPECT_NE(h.find("References: <payops.tkt_1@example.com>\r\n"), std::string::npos);
  EXPECT_NE(h.find("Auto-Submitted: auto-replied\r\n"), std::string::npos);
  EXPECT_NE(h.find("Date: Mon, 07 Jan 2030 13:00:05 +0000\r\n"), std::string::npos);
  EXPECT_NE(h.find("Content-Type: multipart/alternative; boundary=\"=_payops_msg_1\""),
            std::string::npos);
  EXPECT_NE(msg->find("--=_payops_msg_1\r\nContent-Type: text/plain; charset=UTF-8"),
            std::string::npos);
  EXPECT_NE(msg->find("--=_payops_msg_1\r\nContent-Type: text/html; charset=UTF-8"),
            std::string::npos);
  EXPECT_NE(msg->find("cGxhaW4=\r\n"), std::string::npos);  // "plain"
  EXPECT_EQ(msg->substr(msg->size() - 22), "\r\n--=_payops_msg_1--\r\n");
  // Every line ends in CRLF.
  for (size_t i = 0; i < msg->size(); ++i) {
    if ((*msg)[i] == '\n') {
      EXPECT_EQ((*msg)[i - 1], '\r');
    }
  }
}

TEST(Mime, NonAsciiDisplayNamesAreEncoded) {
  auto s = FormatMailbox({"Zoë Support", "support@example.com"});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rfind("=?UTF-8?B?", 0), 0u);
  EXPECT_NE(s->find(" <support@example.com>"), std::string::npos);
}

TEST(Mime, Base64LinesAre76Wide) {
  std::string data(200, 'a');
  std::string b = Base64Lines(data);
  EXPECT_EQ(b.find("\r\n"), 76u);
  EXPECT_EQ(Base64Lines(""), "");
  EXPECT_EQ(Base64Lines("ab"), "YWI=\r\n");
}

}  // namespace
}  // namespace payops::mail
