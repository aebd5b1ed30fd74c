#include "payops/core/logfmt.h"

#include <gtest/gtest.h>

namespace payops {
namespace {

using namespace std::string_literals;

TEST(LogValue, PlainTokensStayBare) {
  EXPECT_EQ(LogValue("GET"), "GET");
  EXPECT_EQ(LogValue("/v1/users/usr_01jd8m3k2v9x0q7f5c4b"), "/v1/users/usr_01jd8m3k2v9x0q7f5c4b");
  EXPECT_EQ(LogValue("req_0001-a:b,c;d"), "req_0001-a:b,c;d");
}

TEST(LogValue, EmptyIsQuoted) {
  EXPECT_EQ(LogValue(""), "\"\"");
}

TEST(LogValue, SpacesEqualsQuotesAndBackslashesAreQuoted) {
  EXPECT_EQ(LogValue("two words"), "\"two words\"");
  EXPECT_EQ(LogValue("a=b"), "\"a=b\"");
  EXPECT_EQ(LogValue("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(LogValue("C:\\dir"), "\"C:\\\\dir\"");
  EXPECT_EQ(LogValue("\""), "\"\\\"\"");
}

TEST(LogValue, ControlBytesAreEscaped) {
  EXPECT_EQ(LogValue("a\r\nb"), "\"a\\r\\nb\"");
  EXPECT_EQ(LogValue("\t"), "\"\\t\"");
  EXPECT_EQ(LogValue("a\0b"s), "\"a\\x00b\"");
  EXPECT_EQ(LogValue("\x1b[31m"), "\"\\x1b[31m\"");
  EXPECT_EQ(LogValue("\x7f"), "\"\\x7f\"");
}

TEST(LogValue, BytesAboveAsciiAreEscaped) {
  EXPECT_EQ(LogValue("S\xc3\xa3o"), "\"S\\xc3\\xa3o\"");
  EXPECT_EQ(LogValue("\xff"), "\"\\xff\"");
}

TEST(LogValue, ForgedRecordStaysInsideOneValue) {
  std::string v = LogValue("x\r\nts=2030-01-07T13:00:00.000Z level=error msg=\"FORGED\"");
  EXPECT_EQ(v, "\"x\\r\\nts=2030-01-07T13:00:00.000Z level=error msg=\\\"FORGED\\\"\"");
  EXPECT_EQ(v.find('\n'), std::string::npos);
  EXPECT_EQ(v.find('\r'), std::string::npos);
}

TEST(LogValue, EveryByteRoundTripsUnambiguously) {
  // Unescaping the quoted form gives back the input, for every byte value.
  for (int b = 0; b < 256; ++b) {
    std::string in(1, static_cast<char>(b));
    in = "k" + in + "v";
    std::string out = LogValue(in);
    ASSERT_FALSE(out.empty());
    for (char c : out) {
      auto u = static_cast<unsigned char>(c);
      ASSERT_TRUE(u >= ' ' && u < 0x7f) << "byte " << b;
    }
    if (out.front() != '"') {
      EXPECT_EQ(out, in);
      continue;
    }
    std::string back;
    for (size_t i = 1; i + 1 < out.size(); ++i) {
      if (out[i] != '\\') {
        ASSERT_NE(out[i], '"') << "byte " << b;
        back += out[i];
        continue;
      }
      char e = out[++i];
      if (e == 'r') {
        back += '\r';
      } else if (e == 'n') {
        back += '\n';
      } else if (e == 't') {
        back += '\t';
      } else if (e == 'x') {
        back += static_cast<char>(std::stoi(out.substr(i + 1, 2), nullptr, 16));
        i += 2;
      } else {
        back += e;
      }
    }
    EXPECT_EQ(back, in) << "byte " << b;
  }
}

}  // namespace
}  // namespace payops
