#include "payops/adapters/secret_box.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace payops::adapters {
namespace {

constexpr const char* kKeyA = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr const char* kKeyB = "f0e0d0c0b0a090807060504030201000ffeeddccbbaa99887766554433221100";

SecretBox Box(const char* hex) {
  auto b = SecretBox::FromHexKey(hex);
  EXPECT_TRUE(b.ok()) << (b.ok() ? "" : b.error().message);
  return std::move(b).value();
}

// Standard base64 alphabet, for the tests that rewrite a sealed text.
std::string Base64Decode(std::string_view s) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<unsigned>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}
std::string Base64Encode(std::string_view bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    for (int k = 18; k >= 0; k -= 6) out.push_back(kAlphabet[(v >> k) & 63]);
  }
  if (i + 1 == bytes.size()) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], '='};
  }
  return out;
}

void ExpectDecryptionFailed(const Result<std::string>& r, const std::string& what) {
  ASSERT_FALSE(r.ok()) << what << " opened as '" << *r << "'";
  EXPECT_EQ(r.error().code, "decryption_failed") << what;
  EXPECT_EQ(r.error().kind, ErrorKind::kInternal) << what;
}

// ----- keys -----

TEST(SecretBoxKeyTest, AcceptsSixtyFourHexDigitsInEitherCase) {
  EXPECT_TRUE(SecretBox::FromHexKey(kKeyA).ok());
  std::string upper = kKeyB;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto lower_box = SecretBox::FromHexKey(kKeyB);
  auto upper_box = SecretBox::FromHexKey(upper);
  ASSERT_TRUE(lower_box.ok());
  ASSERT_TRUE(upper_box.ok());
  // The same key: what one seals the other opens.
  auto r = upper_box->Open(lower_box->Seal("021000021"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "021000021");
}

TEST(SecretBoxKeyTest, RefusesMalformedKeys) {
  const std::string good = kKeyA;
  const std::vector<std::string> bad = {
      "",
      good.substr(0, 62),
      good + "00",
      good.substr(0, 63) + "g",
      " " + good.substr(1),
      good.substr(0, 63) + " ",
      "0x" + good.substr(2),
      std::string(64, 'z'),
      std::string(32, '0'),  // 16 bytes
      std::string("00112233445566778899aabbccddeeff00112233445566778899aabbccddee\0f", 64),
  };
  for (const auto& k : bad) {
    auto b = SecretBox::FromHexKey(k);
    ASSERT_FALSE(b.ok()) << "accepted '" << k << "'";
    EXPECT_EQ(b.error().kind, ErrorKind::kInvalid) << k;
    EXPECT_EQ(b.error().code, "invalid_encryption_key") << k;
    EXPECT_EQ(b.error().field, "encryption_key") << k;
  }
}

TEST(SecretBoxKeyTest, NewHexKeyIsUsableAndRandom) {
  std::set<std::string> keys;
  for (int i = 0; i < 20; ++i) {
    std::string k = SecretBox::NewHexKey();
    ASSERT_EQ(k.size(), 64u);
    EXPECT_EQ(k.find_first_not_of("0123456789abcdef"), std::string::npos) << k;
    auto b = SecretBox::FromHexKey(k);
    ASSERT_TRUE(b.ok()) << k;
    auto r = b->Open(b->Seal("x"));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, "x");
    keys.insert(k);
  }
  EXPECT_EQ(keys.size(), 20u);
}

// ----- sealing -----

TEST(SecretBoxSealTest, RoundTrip) {
  SecretBox box = Box(kKeyA);
  for (const std::string& plain : std::vector<std::string>{
           "123456789", "000123456789012345", "x", std::string(1000, 'a'), std::string("a\0b", 3),
           std::string("\xff\xfe\x00\x01", 4), std::string("ünïcødé"), std::string(70000, '7')}) {
    std::string sealed = box.Seal(plain);
    auto r = box.Open(sealed);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(*r, plain);
  }
}

TEST(SecretBoxSealTest, EmptyPlaintext) {
  SecretBox box = Box(kKeyA);
  std::string sealed = box.Seal("");
  // nonce (24) + tag (16) = 40 bytes → 56 base64 characters.
  EXPECT_EQ(sealed.size(), 3u + 56u) << sealed;
  auto r = box.Open(sealed);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, "");
}

TEST(SecretBoxSealTest, FormatIsV1Base64OfNonceAndCiphertext) {
  SecretBox box = Box(kKeyA);
  const std::string plain = "123456789012";
  std::string sealed = box.Seal(plain);
  ASSERT_EQ(sealed.rfind("v1:", 0), 0u) << sealed;
  std::string b64 = sealed.substr(3);
  EXPECT_EQ(
      b64.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
      std::string::npos)
      << b64;
  EXPECT_EQ(b64.size() % 4, 0u);
  EXPECT_EQ(Base64Decode(b64).size(), 24u + 16u + plain.size());
  EXPECT_EQ(sealed.find(plain), std::string::npos);  // the plaintext does not show
}

TEST(SecretBoxSealTest, SamePlaintextSealsDifferently) {
  SecretBox box = Box(kKeyA);
  std::set<std::string> seen;
  std::set<std::string> nonces;
  for (int i = 0; i < 50; ++i) {
    std::string sealed = box.Seal("123456789");
    seen.insert(sealed);
    nonces.insert(Base64Decode(sealed.substr(3)).substr(0, 24));
  }
  EXPECT_EQ(seen.size(), 50u);
  EXPECT_EQ(nonces.size(), 50u);
}

TEST(SecretBoxSealTest, EveryFlippedByteIsDetected) {
  SecretBox box = Box(kKeyA);
  std::string sealed = box.Seal("123456789");
  std::string raw = Base64Decode(sealed.substr(3));
  ASSERT_EQ(box.Open("v1:" + Base64Encode(raw)).value(), "123456789");  // the helpers agree
  for (size_t i = 0; i < raw.size(); ++i) {
    for (unsigned char mask : {0x01, 0x80, 0xff}) {
      std::string tampered = raw;
      tampered[i] = static_cast<char>(tampered[i] ^ mask);
      ExpectDecryptionFailed(box.Open("v1:" + Base64Encode(tampered)),
                             "byte " + std::to_string(i) + " ^ " + std::to_string(mask));
    }
  }
}

TEST(SecretBoxSealTest, TruncatedOrExtendedCiphertextIsDetected) {
  SecretBox box = Box(kKeyA);
  std::string raw = Base64Decode(box.Seal("123456789").substr(3));
  for (size_t n = 0; n < raw.size(); ++n) {
    ExpectDecryptionFailed(box.Open("v1:" + Base64Encode(raw.substr(0, n))),
                           "first " + std::to_string(n) + " bytes");
  }
  ExpectDecryptionFailed(box.Open("v1:" + Base64Encode(raw + "x")), "one byte more");
  // Another sealed value's nonce with this ciphertext.
  std::string other = Base64Decode(box.Seal("123456789").substr(3));
  ExpectDecryptionFailed(box.Open("v1:" + Base64Encode(other.substr(0, 24) + raw.substr(24))),
                         "swapped nonce");
}

TEST(SecretBoxSealTest, WrongKeyFails) {
  SecretBox a = Box(kKeyA);
  SecretBox b = Box(kKeyB);
  ExpectDecryptionFailed(b.Open(a.Seal("123456789")), "sealed under key A, opened with B");
  ExpectDecryptionFailed(a.Open(b.Seal("")), "sealed under key B, opened with A");
}

TEST(SecretBoxSealTest, MalformedTextFails) {
  SecretBox box = Box(kKeyA);
  std::string good = box.Seal("123456789");
  const std::vector<std::string> bad = {
      "",
      "v1:",
      "v1",
      "123456789",             // a clear account number
      good.substr(3),          // no prefix
      "v2:" + good.substr(3),  // unknown version
      "V1:" + good.substr(3),
      " " + good,
      good + " ",
      good + "\n",
      good + "=",
      good + "AAAA",
      "v1:" + std::string(80, '*'),
      "v1:" + good.substr(4),  // base64 shifted by one character
      good.substr(0, good.size() - 1),
      "v1:" + std::string(56, 'A'),  // all-zero nonce and tag
  };
  for (const auto& text : bad) ExpectDecryptionFailed(box.Open(text), "'" + text + "'");
  // Base64url characters are not accepted in place of + and /.
  std::string url = good;
  for (char& c : url) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  if (url != good) ExpectDecryptionFailed(box.Open(url), "base64url");
}

TEST(SecretBoxSealTest, CopiesShareTheKeyAndConcurrentUseIsSafe) {
  SecretBox box = Box(kKeyA);
  SecretBox copy = box;
  ASSERT_EQ(copy.Open(box.Seal("42")).value(), "42");
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        std::string plain = std::to_string(t * 1000 + i);
        auto r = box.Open(box.Seal(plain));
        if (!r.ok() || *r != plain) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// ----- MaskAccountNumber -----

TEST(SecretBoxMaskTest, ShowsOnlyTheLastFour) {
  EXPECT_EQ(MaskAccountNumber("000123456789"), "****6789");
  EXPECT_EQ(MaskAccountNumber("12345"), "****2345");
  EXPECT_EQ(MaskAccountNumber("12345678901234567"), "****4567");
  EXPECT_EQ(MaskAccountNumber("1234-5678 9012"), "****9012");
  EXPECT_EQ(MaskAccountNumber("GB29NWBK60161331926819"), "****6819");
  EXPECT_EQ(MaskAccountNumber("ABCDE12xy"), "****12xy");
}

TEST(SecretBoxMaskTest, ShortValuesAreMaskedWhole) {
  EXPECT_EQ(MaskAccountNumber(""), "****");
  EXPECT_EQ(MaskAccountNumber("1"), "****");
  EXPECT_EQ(MaskAccountNumber("1234"), "****");
  EXPECT_EQ(MaskAccountNumber("12-34"), "****");
  EXPECT_EQ(MaskAccountNumber(" 1 2 3 4 "), "****");
  EXPECT_EQ(MaskAccountNumber("----"), "****");
}

TEST(SecretBoxMaskTest, NeverShowsMoreThanFourCharacters) {
  for (const std::string account : {"98765432109876543210", "1234 5678 9012 3456", "\x01\x02 9"}) {
    std::string masked = MaskAccountNumber(account);
    ASSERT_EQ(masked.rfind("****", 0), 0u) << masked;
    EXPECT_LE(masked.size(), 8u) << masked;
  }
  EXPECT_EQ(MaskAccountNumber("12345\n6789\t"), "****6789");
  EXPECT_EQ(MaskAccountNumber("\xc3\xa9"
                              "12345"),
            "****2345");  // non-ASCII ignored
}

// ----- LooksLikeCardNumber -----

TEST(SecretBoxCardTest, FindsCardNumbers) {
  for (const std::string s : {
           "4111111111111111",           // Visa test number (16)
           "4111 1111 1111 1111",        // grouped with spaces
           "4111-1111-1111-1111",        // grouped with dashes
           "4111 - 1111 - 1111 - 1111",  // several separators
           "5555555555554444",           // Mastercard
           "378282246310005",            // Amex (15)
           "3782 822463 10005",          // Amex grouping
           "4222222222222",              // 13 digits
           "6011111111111117",           // Discover
           "4000000000000000006",        // 19 digits
           "card: 4111111111111111, exp 12/29", "tok_4111111111111111", "x4111111111111111y",
           "ref 12 4111 1111 1111 1111",  // other numbers before it in the same run
           "4111 1111 1111 1111 99",      // and after it
       }) {
    EXPECT_TRUE(LooksLikeCardNumber(s)) << s;
  }
}

TEST(SecretBoxCardTest, IgnoresWhatIsNotACardNumber) {
  for (const std::string s : {
           "",
           "1111",
           "4242",
           "4111111111111112",  // Luhn fails
           "4111 1111 1111 1112",
           "411111111111",          // 12 digits, Luhn-valid
           "41111111111111111111",  // 20 digits in one group
           "021000021",             // a routing number
           "000123456789",          // an account number (12 digits)
           "4111.1111.1111.1111",   // dots separate runs: four groups of four
           "4111_1111_1111_1111",
           "4111\t1111\t1111\t1111",
           "order 4111111-111111112",
           "tok_abcdef",
           "+1 555 0100",
       }) {
    EXPECT_FALSE(LooksLikeCardNumber(s)) << s;
  }
}

TEST(SecretBoxCardTest, LongTextsAreScannedEntirely) {
  std::string text(100000, 'a');
  EXPECT_FALSE(LooksLikeCardNumber(text));
  text += " paid with 5555 5555 5555 4444 yesterday";
  EXPECT_TRUE(LooksLikeCardNumber(text));
  // One long run of tiny groups: no 13 to 19 consecutive ones pass Luhn.
  std::string ones;
  for (int i = 0; i < 20000; ++i) ones += "1 ";
  EXPECT_FALSE(LooksLikeCardNumber(ones));
  EXPECT_TRUE(LooksLikeCardNumber(ones + "4111 1111 1111 1111"));
}

}  // namespace
}  // namespace payops::adapters
