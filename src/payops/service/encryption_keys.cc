#include "payops/service/encryption_keys.h"

#include <sodium.h>

#include "payops/adapters/key_file.h"
#include "payops/store/funding.h"
#include "payops/store/kv.h"

namespace payops::service {
namespace {

constexpr std::string_view kCheckText = "payops account number key check";
constexpr int kResealBatch = 1000;  // account numbers read per query of a rotation

std::string Lower(std::string hex) {
  for (char& c : hex) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return hex;
}

Error WrongKey(const std::string& source) {
  return Error::Refused("wrong_encryption_key",
                        "the encryption key from " + source +
                            " does not open this store's account numbers: they are sealed under "
                            "another key",
                        "encryption_key");
}

Result<std::optional<std::string>> ReadSetting(store::Store& store, std::string_view name) {
  std::optional<std::string> value;
  PAYOPS_TRY(store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(value, store::GetSetting(tx, std::string(name)));
    return Status::Ok();
  }));
  return value;
}

// Writes `hex` to a new key file at `path`. A file that appeared meanwhile
// (another payops process) is taken when it holds the same key.
Status WriteKeyFile(const std::string& path, const std::string& hex) {
  PAYOPS_TRY(adapters::EnsureKeyDirectory(adapters::DirectoryOf(path)));
  Status created = adapters::CreateKeyFile(path, hex);
  if (created.ok() || created.error().code != "key_file_exists") return created;
  PAYOPS_ASSIGN_OR_RETURN(auto on_file, adapters::ReadKeyFile(path));
  if (on_file && Lower(*on_file) == Lower(hex)) return Status::Ok();
  return created;
}

// Step 1 of OpenEncryptionKey.
Status MoveLegacyKeyOut(store::Store& store, const KeySettings& s,
                        std::vector<std::string>& notes) {
  PAYOPS_ASSIGN_OR_RETURN(auto legacy, ReadSetting(store, kLegacyKeySetting));
  if (!legacy) return Status::Ok();
  if (!adapters::SecretBox::FromHexKey(*legacy).ok()) {
    return Error::Refused("invalid_key_file",
                          std::string("the store's ") + std::string(kLegacyKeySetting) +
                              " setting is not a key of 64 hex digits",
                          "encryption_key");
  }
  PAYOPS_ASSIGN_OR_RETURN(auto on_file, adapters::ReadKeyFile(s.key_file));
  if (on_file && Lower(*on_file) != Lower(*legacy)) {
    return Error::Refused("key_conflict",
                          "the store keeps a generated encryption key that differs "
                          "from the key in " +
                              s.key_file +
                              ": find out which one seals the account numbers and "
                              "remove the other (nothing was changed)",
                          "key_file");
  }
  if (!on_file) {
    PAYOPS_TRY(WriteKeyFile(s.key_file, Lower(*legacy)));
    notes.push_back("moved the encryption key kept in the store to the key file " + s.key_file +
                    " (mode 0600)");
  }
  PAYOPS_TRY(store.Write([&](store::Tx& tx) -> Status {
    return store::DeleteSetting(tx, std::string(kLegacyKeySetting));
  }));
  notes.push_back(
      "deleted the encryption key from the store; copies of the database made before still hold "
      "it: run `payops key rotate-encryption` to retire it");
  return Status::Ok();
}

// Step 2 of OpenEncryptionKey.
Status FinishInterruptedRotation(store::Store& store, const KeySettings& s,
                                 std::vector<std::string>& notes) {
  const std::string pending = s.key_file + ".new";
  PAYOPS_ASSIGN_OR_RETURN(auto next_hex, adapters::ReadKeyFile(pending));
  if (!next_hex) return Status::Ok();
  PAYOPS_ASSIGN_OR_RETURN(adapters::SecretBox next, adapters::SecretBox::FromHexKey(*next_hex));
  PAYOPS_ASSIGN_OR_RETURN(auto check, ReadSetting(store, kKeyCheckSetting));
  // A rotation writes the check value under the new key in its commit, and
  // starts only once the check value under the old key exists.
  if (check && next.Open(*check).ok()) {
    PAYOPS_TRY(adapters::ReplaceKeyFile(pending, s.key_file));
    notes.push_back("finished an interrupted key rotation: " + pending + " replaced " + s.key_file);
  } else {
    PAYOPS_TRY(adapters::RemoveKeyFile(pending));
    notes.push_back("removed " + pending + ", the new key of a key rotation that did not commit");
  }
  return Status::Ok();
}

struct KeyText {
  std::string hex;
  std::string source;
};

// Step 3 of OpenEncryptionKey.
Result<KeyText> FindKey(store::Store& store, const KeySettings& s,
                        std::vector<std::string>& notes) {
  if (!s.configured_hex.empty()) return KeyText{s.configured_hex, "configuration"};
  PAYOPS_TRY(FinishInterruptedRotation(store, s, notes));
  PAYOPS_ASSIGN_OR_RETURN(auto on_file, adapters::ReadKeyFile(s.key_file));
  if (on_file) return KeyText{*on_file, s.key_file};
  if (!s.create_if_missing) {
    return Error::Refused("no_encryption_key",
                          "no encryption key for account numbers: set encryption_key (64 hex "
                          "digits, or PAYOPS_ENCRYPTION_KEY), or put the key in " +
                              s.key_file +
                              " (mode 0600); `payops serve --sandbox` and `payops demo` create "
                              "that file",
                          "encryption_key");
  }
  KeyText made{adapters::SecretBox::NewHexKey(), s.key_file};
  PAYOPS_TRY(WriteKeyFile(s.key_file, made.hex));
  PAYOPS_ASSIGN_OR_RETURN(auto written, adapters::ReadKeyFile(s.key_file));
  if (!written) return Error::Internal("the key file " + s.key_file + " vanished");
  made.hex = *written;  // another process's, when it created the file first
  notes.push_back("created the key file " + s.key_file +
                  " (mode 0600) with a new encryption key: back it up, apart from the database");
  return made;
}

// Step 4 of OpenEncryptionKey.
Status VerifyKey(store::Store& store, const adapters::SecretBox& box, const std::string& source) {
  return store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto check, store::GetSetting(tx, std::string(kKeyCheckSetting)));
    if (check) return box.Open(*check).ok() ? Status::Ok() : Status(WrongKey(source));
    PAYOPS_ASSIGN_OR_RETURN(auto sample, store::ListSealedAccountNumbers(tx, "", 1));
    if (!sample.empty() && !box.Open(sample.front().sealed).ok()) return WrongKey(source);
    return store::PutSetting(tx, std::string(kKeyCheckSetting), box.Seal(kCheckText));
  });
}

}  // namespace

Result<OpenedKey> OpenEncryptionKey(store::Store& store, const KeySettings& settings) {
  std::vector<std::string> notes;
  PAYOPS_TRY(MoveLegacyKeyOut(store, settings, notes));
  PAYOPS_ASSIGN_OR_RETURN(KeyText key, FindKey(store, settings, notes));
  PAYOPS_ASSIGN_OR_RETURN(adapters::SecretBox box, adapters::SecretBox::FromHexKey(key.hex));
  sodium_memzero(key.hex.data(), key.hex.size());
  PAYOPS_TRY(VerifyKey(store, box, key.source));
  return OpenedKey{std::move(box), std::move(key.source), std::move(notes)};
}

Status CheckSealingKey(store::Tx& tx, const adapters::SecretBox& box) {
  PAYOPS_ASSIGN_OR_RETURN(auto check, store::GetSetting(tx, std::string(kKeyCheckSetting)));
  if (!check || box.Open(*check).ok()) return Status::Ok();
  return Error{ErrorKind::kUnavailable,
               "encryption_key_changed",
               "the store's account numbers are sealed under a new key: restart payops with it",
               {}};
}

Result<Rotation> RotateEncryptionKey(store::Store& store, const KeySettings& settings,
                                     const std::string& new_hex) {
  KeySettings existing = settings;
  existing.create_if_missing = false;
  PAYOPS_ASSIGN_OR_RETURN(OpenedKey current, OpenEncryptionKey(store, existing));
  PAYOPS_ASSIGN_OR_RETURN(adapters::SecretBox next, adapters::SecretBox::FromHexKey(new_hex));
  PAYOPS_ASSIGN_OR_RETURN(auto check, ReadSetting(store, kKeyCheckSetting));
  if (check && next.Open(*check).ok()) {
    return Error::Invalid("same_key", "the new key is the current key", "new-key");
  }
  Rotation out;
  out.notes = std::move(current.notes);
  const bool from_file = settings.configured_hex.empty();
  const std::string pending = settings.key_file + ".new";
  // The new key is on disk before any account number is sealed under it.
  if (from_file) PAYOPS_TRY(adapters::CreateKeyFile(pending, Lower(new_hex)));
  Status resealed = store.Write([&](store::Tx& tx) -> Status {
    out.resealed = 0;
    std::string after;
    for (;;) {
      PAYOPS_ASSIGN_OR_RETURN(auto batch, store::ListSealedAccountNumbers(tx, after, kResealBatch));
      for (const store::SealedAccountNumber& a : batch) {
        auto plain = current.box.Open(a.sealed);
        if (!plain.ok()) {
          return Error::Refused("decryption_failed",
                                "the account number of bank account " + a.bank_account_id +
                                    " does not open with the current key; nothing was re-sealed",
                                "encryption_key");
        }
        PAYOPS_TRY(store::UpdateSealedAccountNumber(tx, a.bank_account_id, next.Seal(*plain)));
        sodium_memzero(plain->data(), plain->size());
        ++out.resealed;
      }
      if (batch.size() < static_cast<size_t>(kResealBatch)) break;
      after = batch.back().bank_account_id;
    }
    return store::PutSetting(tx, std::string(kKeyCheckSetting), next.Seal(kCheckText));
  });
  // On an error "<key_file>.new" stays: whether the transaction committed is
  // the store's to say (a failed sync may leave it either way), and the next
  // OpenEncryptionKey reads that from the key check value.
  if (!resealed.ok()) return resealed.take_error();
  if (from_file) {
    PAYOPS_TRY(adapters::ReplaceKeyFile(pending, settings.key_file));
    out.key_file_replaced = true;
  }
  return out;
}

}  // namespace payops::service
