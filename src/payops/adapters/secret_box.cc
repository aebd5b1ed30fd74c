#include "payops/adapters/secret_box.h"

#include <sodium.h>

#include <vector>

namespace payops::adapters {
namespace {

constexpr std::string_view kPrefix = "v1:";

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool Luhn(const std::vector<int>& d) {
  int sum = 0;
  bool twice = false;
  for (auto it = d.rbegin(); it != d.rend(); ++it) {
    int v = *it;
    if (twice) v = v * 2 > 9 ? v * 2 - 9 : v * 2;
    sum += v;
    twice = !twice;
  }
  return sum % 10 == 0;
}

}  // namespace

Result<SecretBox> SecretBox::FromHexKey(std::string_view hex) {
  if (sodium_init() < 0) return Error::Internal("libsodium failed to initialise");
  if (hex.size() != 2 * crypto_secretbox_KEYBYTES) {
    return Error::Invalid("invalid_encryption_key", "encryption_key must be 64 hex digits",
                          "encryption_key");
  }
  SecretBox box;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = Hex(hex[i]), lo = Hex(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      return Error::Invalid("invalid_encryption_key", "encryption_key must be 64 hex digits",
                            "encryption_key");
    }
    box.key_.push_back(static_cast<char>(hi * 16 + lo));
  }
  return box;
}

std::string SecretBox::NewHexKey() {
  unsigned char key[crypto_secretbox_KEYBYTES];
  crypto_secretbox_keygen(key);
  char hex[2 * crypto_secretbox_KEYBYTES + 1];
  sodium_bin2hex(hex, sizeof hex, key, sizeof key);
  sodium_memzero(key, sizeof key);
  return hex;
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::vector<unsigned char> buf(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES +
                                 plaintext.size());
  randombytes_buf(buf.data(), crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(buf.data() + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        buf.data(), reinterpret_cast<const unsigned char*>(key_.data()));
  std::string out(sodium_base64_ENCODED_LEN(buf.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), buf.data(), buf.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return std::string(kPrefix) + out;
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  Error fail{ErrorKind::kInternal, "decryption_failed", "sealed value cannot be opened", {}};
  if (sealed.substr(0, kPrefix.size()) != kPrefix) return fail;
  std::string b64(sealed.substr(kPrefix.size()));
  std::vector<unsigned char> buf(b64.size());
  size_t len = 0;
  if (sodium_base642bin(buf.data(), buf.size(), b64.c_str(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
    return fail;
  }
  std::string plain(len - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 buf.data() + crypto_secretbox_NONCEBYTES,
                                 len - crypto_secretbox_NONCEBYTES, buf.data(),
                                 reinterpret_cast<const unsigned char*>(key_.data())) != 0) {
    return fail;
  }
  return plain;
}

bool LooksLikeCardNumber(std::string_view s) {
  std::vector<int> run;
  auto check = [&] { return run.size() >= 13 && run.size() <= 19 && Luhn(run); };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      run.push_back(c - '0');
      continue;
    }
    bool separator = (c == ' ' || c == '-') && !run.empty() && i + 1 < s.size() &&
                     s[i + 1] >= '0' && s[i + 1] <= '9';
    if (separator) continue;
    if (check()) return true;
    run.clear();
  }
  return check();
}

}  // namespace payops::adapters
