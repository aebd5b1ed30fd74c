// The web page's gzip: a real gzip stream (magic bytes, deflate), smaller for
// text, and back to the same bytes.
#include "payops/adapters/gzip.h"

#include <gtest/gtest.h>

namespace payops::adapters {
namespace {

TEST(Gzip, RoundTripsAndShrinksText) {
  std::string text;
  for (int i = 0; i < 500; ++i) text += "<tr><td>row " + std::to_string(i) + "</td></tr>\n";
  std::string z = Gzip(text);
  ASSERT_GE(z.size(), 18u);
  EXPECT_EQ(static_cast<unsigned char>(z[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(z[1]), 0x8b);
  EXPECT_EQ(z[2], 8);  // deflate
  EXPECT_LT(z.size(), text.size() / 4);
  EXPECT_EQ(Gunzip(z), text);
}

TEST(Gzip, EmptyAndBinary) {
  EXPECT_EQ(Gunzip(Gzip("")), "");
  std::string bytes;
  for (int i = 0; i < 4096; ++i) bytes.push_back(static_cast<char>((i * 7919) & 0xff));
  EXPECT_EQ(Gunzip(Gzip(bytes)), bytes);
}

TEST(Gzip, CorruptStreamGivesEmpty) {
  std::string z = Gzip("hello hello hello");
  z[z.size() - 5] ^= 0x55;  // the CRC
  EXPECT_EQ(Gunzip(z), "");
  EXPECT_EQ(Gunzip("not gzip"), "");
}

}  // namespace
}  // namespace payops::adapters
