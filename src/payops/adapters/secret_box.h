// Encryption at rest of account numbers (libsodium secretbox, key from the
// configuration), and the guards that keep card numbers out of payops.
#pragma once

#include <string>
#include <string_view>

#include "payops/core/result.h"

namespace payops::adapters {

class SecretBox {
 public:
  // A 32-byte key written as 64 hex digits. Error "invalid_encryption_key".
  static Result<SecretBox> FromHexKey(std::string_view hex);
  // A new random key, as 64 hex digits.
  static std::string NewHexKey();
  // "v1:" + base64(nonce ‖ ciphertext); a fresh random nonce every time.
  std::string Seal(std::string_view plaintext) const;
  // The plaintext, or Error "decryption_failed" for tampered or foreign text.
  Result<std::string> Open(std::string_view sealed) const;

 private:
  std::string key_;  // 32 bytes
};

// True when `s` holds a run of 13 to 19 digits (spaces and dashes between
// digits ignored) that passes the Luhn check: a full card number.
bool LooksLikeCardNumber(std::string_view s);

}  // namespace payops::adapters
