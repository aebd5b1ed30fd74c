// The key that seals account numbers (SPEC §2.1): it comes from the
// configuration (encryption_key) or from a key file outside the store
// (adapters/key_file.h), never from the store, so that a copy of the database
// alone opens no account number.
//
// The store keeps a key check value instead (the setting encryption_key_check:
// a fixed text sealed under the key), so that a server started with another
// key refuses to start rather than sealing new account numbers under it, and a
// server still running on a rotated-out key refuses to seal more.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "payops/adapters/secret_box.h"
#include "payops/core/result.h"
#include "payops/store/store.h"

namespace payops::service {

// The setting where payops versions before key files kept a generated key.
inline constexpr std::string_view kLegacyKeySetting = "generated_encryption_key";
// The key check value.
inline constexpr std::string_view kKeyCheckSetting = "encryption_key_check";

struct KeySettings {
  std::string configured_hex;      // encryption_key; "" when none is configured
  std::string key_file;            // adapters::KeyFileFor(store URL, state_dir)
  bool create_if_missing = false;  // sandbox serve and demo create the key file
};

struct OpenedKey {
  adapters::SecretBox box;
  std::string source;              // "configuration", or the key file's path
  std::vector<std::string> notes;  // what was changed on the way, one log line each
};

// The key for the store, in this order:
// 1. a key kept in the store by an earlier version (kLegacyKeySetting) is
//    written to the key file (created, mode 0600, when missing; when present it
//    must hold the same key, else kRefused "key_conflict" and nothing changes),
//    then deleted from the store;
// 2. without a configured key, a rotation interrupted between writing
//    "<key_file>.new" and renaming it is finished (its commit made the new key
//    the store's: the file is renamed) or undone (the file is removed);
// 3. the configured key; else the key file; else, with create_if_missing, a
//    new random key in a new key file; else kRefused "no_encryption_key";
// 4. the key must open the store's key check value (or, before there is one,
//    a sealed account number, and then the check value is written); else
//    kRefused "wrong_encryption_key".
// Also the errors of adapters/key_file.h and SecretBox::FromHexKey.
Result<OpenedKey> OpenEncryptionKey(store::Store& store, const KeySettings& settings);

// Inside a write that seals with `box`: OK when `box` opens the store's key
// check value, or the store has none. Error kUnavailable "encryption_key_changed"
// when the account numbers have been re-sealed under another key since this
// process opened its key (it must be restarted with the new one).
Status CheckSealingKey(store::Tx& tx, const adapters::SecretBox& box);

struct Rotation {
  int64_t resealed = 0;            // account numbers re-sealed
  bool key_file_replaced = false;  // false: the key came from the configuration
  std::vector<std::string> notes;  // as OpenedKey::notes
};

// Re-seals every account number under `new_hex` (64 hex digits) in one store
// transaction, with the key check value. When the current key comes from the
// key file, the new key is first written to "<key_file>.new" (synced), and
// that file replaces the key file once the transaction has committed, so a
// crash or an error at any point leaves a key that opens the store (step 2 of
// OpenEncryptionKey finishes or undoes the rest; "<key_file>.new" is left to
// it when the transaction fails). When it comes from the configuration,
// the caller must have the new key configured before payops starts again.
// Every server on the store should be stopped first; one still running fails
// its next seal (CheckSealingKey) and its next NACHA export. Errors: those of
// OpenEncryptionKey (never creating a key); kInvalid "same_key"; kRefused
// "decryption_failed" when an account number does not open with the current
// key (nothing is re-sealed).
Result<Rotation> RotateEncryptionKey(store::Store& store, const KeySettings& settings,
                                     const std::string& new_hex);

}  // namespace payops::service
