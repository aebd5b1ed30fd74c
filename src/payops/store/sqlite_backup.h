// Online backup and restore of an SQLite store, through SQLite's backup API
// (sqlite3_backup_*): the copy is one consistent snapshot of the database,
// taken while a server goes on reading and writing it (WAL mode: the copy
// holds a read transaction, which blocks no writer).
//
// Only the database is copied. The store's encryption key (the "<db>.key"
// file beside it, or the configured encryption_key) is kept separately: a
// backup without its key cannot open the account numbers it holds.
#pragma once

#include <string>

#include "payops/core/result.h"

namespace payops::store {

// Copies the store at `url` ("sqlite://...") into `file`, which must not
// exist. Returns the number of database pages copied. Errors:
// invalid_store_url (not SQLite), exists, kUnavailable on I/O failure.
Result<int64_t> BackupSqlite(const std::string& url, const std::string& file);

// Puts the backup `file` into the store at `url`. Refuses (conflict
// "store_exists") when the store's database file exists, unless `force`:
// a store a server is using must not be replaced under it (stop the server
// first). The backup is checked (PRAGMA integrity_check) before it is used.
Result<int64_t> RestoreSqlite(const std::string& file, const std::string& url, bool force);

}  // namespace payops::store
