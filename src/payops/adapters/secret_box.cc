#include "payops/adapters/secret_box.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

namespace payops::adapters {
namespace {

static_assert(SecretBox::kKeyBytes == crypto_secretbox_KEYBYTES);
constexpr size_t kNonceBytes = crypto_secretbox_NONCEBYTES;
constexpr size_t kMacBytes = crypto_secretbox_MACBYTES;
constexpr int kBase64Variant = sodium_base64_VARIANT_ORIGINAL;
constexpr std::string_view kMask = "****";
constexpr size_t kShownChars = 4;
constexpr size_t kMinCardDigits = 13;
constexpr size_t kMaxCardDigits = 19;

// Initialises libsodium once (sodium_init is itself thread safe and
// idempotent). False when it cannot be initialised.
bool SodiumReady() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

Error InvalidKey() {
  return Error::Invalid("invalid_encryption_key",
                        "encryption_key must be 64 hex digits (a 32-byte key)", "encryption_key");
}

Error DecryptionFailed() {
  return Error{ErrorKind::kInternal,
               "decryption_failed",
               "sealed value cannot be opened: malformed, altered or sealed under another key",
               {}};
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
bool IsAsciiAlnum(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsCardSeparator(char c) {
  return c == ' ' || c == '-';
}

// The Luhn (mod 10) check over a string of digits.
bool PassesLuhn(std::string_view digits) {
  int sum = 0;
  bool doubled = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int v = *it - '0';
    if (doubled) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
    doubled = !doubled;
  }
  return sum % 10 == 0;
}

// True when some consecutive groups of `groups` (one run of digit groups)
// hold 13 to 19 digits in all that pass the Luhn check.
bool RunHoldsCardNumber(const std::vector<std::string_view>& groups) {
  std::string digits;
  for (size_t i = 0; i < groups.size(); ++i) {
    digits.clear();
    for (size_t j = i; j < groups.size(); ++j) {
      digits += groups[j];
      if (digits.size() > kMaxCardDigits) break;
      if (digits.size() >= kMinCardDigits && PassesLuhn(digits)) return true;
    }
  }
  return false;
}

}  // namespace

Result<SecretBox> SecretBox::FromHexKey(std::string_view hex) {
  if (!SodiumReady()) return Error::Internal("libsodium cannot be initialised");
  if (hex.size() != 2 * kKeyBytes) return InvalidKey();
  SecretBox box;
  for (size_t i = 0; i < kKeyBytes; ++i) {
    int hi = HexDigit(hex[2 * i]);
    int lo = HexDigit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return InvalidKey();
    box.key_[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return box;
}

std::string SecretBox::NewHexKey() {
  if (!SodiumReady()) {
    // No source of randomness: no key can be made safely, and there is no
    // error value in this contract. Stop rather than hand out a weak key.
    std::fputs("payops: libsodium cannot be initialised\n", stderr);
    std::abort();
  }
  unsigned char key[kKeyBytes];
  crypto_secretbox_keygen(key);
  char hex[2 * kKeyBytes + 1];
  sodium_bin2hex(hex, sizeof hex, key, sizeof key);
  sodium_memzero(key, sizeof key);
  std::string out(hex, 2 * kKeyBytes);
  sodium_memzero(hex, sizeof hex);
  return out;
}

SecretBox::~SecretBox() {
  sodium_memzero(key_.data(), key_.size());
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::vector<unsigned char> box(kNonceBytes + kMacBytes + plaintext.size());
  randombytes_buf(box.data(), kNonceBytes);
  crypto_secretbox_easy(box.data() + kNonceBytes,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        box.data(), key_.data());
  std::string b64(sodium_base64_ENCODED_LEN(box.size(), kBase64Variant), '\0');
  sodium_bin2base64(b64.data(), b64.size(), box.data(), box.size(), kBase64Variant);
  b64.resize(b64.size() - 1);  // ENCODED_LEN counts the terminating NUL
  return std::string(kVersionPrefix) + b64;
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (!sealed.starts_with(kVersionPrefix)) return DecryptionFailed();
  std::string_view b64 = sealed.substr(kVersionPrefix.size());
  std::vector<unsigned char> box(b64.size() / 4 * 3 + 3);
  size_t box_len = 0;
  if (sodium_base642bin(box.data(), box.size(), b64.data(), b64.size(), nullptr, &box_len, nullptr,
                        kBase64Variant) != 0 ||
      box_len < kNonceBytes + kMacBytes) {
    return DecryptionFailed();
  }
  std::string plain(box_len - kNonceBytes - kMacBytes, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 box.data() + kNonceBytes, box_len - kNonceBytes, box.data(),
                                 key_.data()) != 0) {
    return DecryptionFailed();
  }
  return plain;
}

std::string MaskAccountNumber(std::string_view account) {
  std::string kept;
  for (char c : account) {
    if (IsAsciiAlnum(c)) kept.push_back(c);
  }
  if (kept.size() <= kShownChars) return std::string(kMask);
  return std::string(kMask) + kept.substr(kept.size() - kShownChars);
}

bool LooksLikeCardNumber(std::string_view s) {
  std::vector<std::string_view> groups;  // the digit groups of the current run
  size_t i = 0;
  while (i < s.size()) {
    if (!IsDigit(s[i])) {
      ++i;
      continue;
    }
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    groups.push_back(s.substr(start, i - start));
    size_t next = i;
    while (next < s.size() && IsCardSeparator(s[next])) ++next;
    if (next > i && next < s.size() && IsDigit(s[next])) {
      i = next;  // the run goes on after the separators
      continue;
    }
    if (RunHoldsCardNumber(groups)) return true;
    groups.clear();
    i = next;
  }
  return false;
}

}  // namespace payops::adapters
