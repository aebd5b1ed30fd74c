// Key files: the key that seals account numbers (SecretBox) when it does not
// come from the configuration. A key file lives outside the store, so that a
// copy of the database alone opens nothing: beside an SQLite file
// ("<db>.key"), or in the state directory for PostgreSQL. It holds the key as
// 64 hex digits and a newline, and only its owner may read it (mode 0600).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "payops/core/result.h"

namespace payops::adapters {

// The key file of a store: "<path>.key" for "sqlite://<path>";
// "<state_dir>/encryption.key" for PostgreSQL. Error kInvalid
// "invalid_store_url" for any other URL, or an empty path or state_dir.
Result<std::string> KeyFileFor(std::string_view store_url, std::string_view state_dir);

// The key in the file at `path` (64 hex digits, as written), or nullopt when
// no such file exists. Errors, kRefused: "key_file_permissions" when it is not
// a regular file or its group or others have any permission on it;
// "invalid_key_file" when it holds anything but 64 hex digits and at most one
// newline; "key_file_unreadable" when it cannot be read.
Result<std::optional<std::string>> ReadKeyFile(const std::string& path);

// Creates the file at `path` (O_CREAT | O_EXCL, mode 0600) holding `hex` and a
// newline, and syncs it and its directory before returning. Errors: kConflict
// "key_file_exists" when a file is already there (it is left alone); kRefused
// "key_file_unwritable" when it cannot be written (nothing is left behind).
Status CreateKeyFile(const std::string& path, std::string_view hex);

// Renames `from` over `to` (atomic on one file system) and syncs the
// directory. Error kRefused "key_file_unwritable".
Status ReplaceKeyFile(const std::string& from, const std::string& to);

// Removes the file and syncs the directory; a missing file is no error.
// Error kRefused "key_file_unwritable".
Status RemoveKeyFile(const std::string& path);

// Creates the directory `dir` with mode 0700 when it does not exist (its
// parent must). Error kRefused "key_file_unwritable".
Status EnsureKeyDirectory(const std::string& dir);

// The directory part of `path` ("." when it has none).
std::string DirectoryOf(const std::string& path);

}  // namespace payops::adapters
