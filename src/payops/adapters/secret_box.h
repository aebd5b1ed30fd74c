// Encryption at rest of account numbers (SPEC §2.1: libsodium, key from the
// configuration), and the helpers that keep account and card numbers out of
// everything payops shows or stores in clear.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "payops/core/result.h"

namespace payops::adapters {

// Authenticated symmetric encryption (libsodium crypto_secretbox:
// XSalsa20-Poly1305) under one 32-byte key. Immutable after creation: Seal and
// Open are safe from several threads at once.
class SecretBox {
 public:
  static constexpr size_t kKeyBytes = 32;
  static constexpr std::string_view kVersionPrefix = "v1:";

  // A box for the key written as exactly 64 hex digits (either case).
  // Otherwise Error kInvalid "invalid_encryption_key", field "encryption_key".
  // Error kInternal when libsodium cannot be initialised.
  static Result<SecretBox> FromHexKey(std::string_view hex);

  // A new random key, as 64 lowercase hex digits (for FromHexKey).
  static std::string NewHexKey();

  SecretBox(const SecretBox&) = default;
  SecretBox(SecretBox&&) = default;
  SecretBox& operator=(const SecretBox&) = default;
  SecretBox& operator=(SecretBox&&) = default;
  // Wipes the key.
  ~SecretBox();

  // "v1:" + standard padded base64 of (24-byte random nonce ‖ ciphertext with
  // its 16-byte tag). A fresh nonce every call, so sealing the same plaintext
  // twice gives different texts. Any plaintext, including the empty one.
  std::string Seal(std::string_view plaintext) const;

  // The plaintext of a text made by Seal under the same key. Error kInternal
  // "decryption_failed" when the text is malformed (no "v1:", bad base64, too
  // short), was altered, or was sealed under another key.
  Result<std::string> Open(std::string_view sealed) const;

 private:
  SecretBox() = default;
  std::array<unsigned char, kKeyBytes> key_{};
};

// An account number for display: "****" followed by its last four ASCII
// letters or digits ("000123456789" → "****6789"); every other character
// (spaces, dashes, …) is ignored. A value with fewer than five letters or
// digits is masked whole: "****" (its length is not shown either).
std::string MaskAccountNumber(std::string_view account);

// True when `s` holds a full card number: a run of 13 to 19 digits that
// passes the Luhn check. Within `s`, digit groups separated only by spaces
// and/or dashes ("4111 1111-1111 1111") count as one run, and any consecutive
// groups of such a run are tried, so a card number written after or before
// other numbers is still found ("ref 12 4111 1111 1111 1111"). A single
// unbroken group longer than 19 digits is not a card number.
bool LooksLikeCardNumber(std::string_view s);

}  // namespace payops::adapters
