#include "payops/store/sqlite_backup.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>

namespace payops::store {
namespace {

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

constexpr int kBusyTimeoutMs = 10000;

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

Result<std::string> SqlitePath(const std::string& url) {
  constexpr std::string_view kPrefix = "sqlite://";
  if (!url.starts_with(kPrefix) || url.size() == kPrefix.size() ||
      url.substr(kPrefix.size()) == ":memory:") {
    return Error::Invalid("invalid_store_url",
                          "backup and restore take an SQLite file store (sqlite:///path.db); "
                          "for PostgreSQL use pg_dump",
                          "store");
  }
  return url.substr(kPrefix.size());
}

Result<Db> OpenDb(const std::string& path, int flags) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_NOMUTEX, nullptr);
  Db db(raw);
  if (rc != SQLITE_OK) {
    return Error::Unavailable("cannot open " + path + ": " +
                              (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
  }
  sqlite3_busy_timeout(db.get(), kBusyTimeoutMs);
  return db;
}

// Copies every page of `from` into `to` in one step: one read transaction on
// `from`, so the copy is a single snapshot.
Result<int64_t> CopyAll(sqlite3* from, sqlite3* to, const std::string& what) {
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (b == nullptr) return Error::Unavailable(what + ": " + sqlite3_errmsg(to));
  int rc;
  // A busy or locked database is waited for (bounded), never half-copied.
  for (int attempt = 0; attempt < 100; ++attempt) {
    rc = sqlite3_backup_step(b, -1);
    if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
    sqlite3_sleep(100);
  }
  int64_t pages = sqlite3_backup_pagecount(b);
  int finish = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE || finish != SQLITE_OK) {
    return Error::Unavailable(what + " failed: " + sqlite3_errstr(rc != SQLITE_DONE ? rc : finish));
  }
  return pages;
}

Status IntegrityOk(sqlite3* db, const std::string& path) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, nullptr) != SQLITE_OK) {
    return Error::Invalid("invalid_backup", path + " is not an SQLite database", "file");
  }
  std::string first;
  if (sqlite3_step(st) == SQLITE_ROW) {
    const unsigned char* t = sqlite3_column_text(st, 0);
    first = t ? reinterpret_cast<const char*>(t) : "";
  }
  sqlite3_finalize(st);
  if (first != "ok") {
    return Error::Invalid("invalid_backup", path + " fails its integrity check: " + first, "file");
  }
  return Status::Ok();
}

}  // namespace

Result<int64_t> BackupSqlite(const std::string& url, const std::string& file) {
  PAYOPS_ASSIGN_OR_RETURN(std::string path, SqlitePath(url));
  if (!Exists(path)) return Error::NotFound("store " + path);
  if (Exists(file)) return Error::Conflict("exists", file + " exists; back up into a new file");
  PAYOPS_ASSIGN_OR_RETURN(Db from, OpenDb(path, SQLITE_OPEN_READONLY));
  PAYOPS_ASSIGN_OR_RETURN(Db to, OpenDb(file, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  auto pages = CopyAll(from.get(), to.get(), "backup of " + path);
  if (!pages.ok()) {
    to.reset();
    std::remove(file.c_str());
  }
  return pages;
}

Result<int64_t> RestoreSqlite(const std::string& file, const std::string& url, bool force) {
  PAYOPS_ASSIGN_OR_RETURN(std::string path, SqlitePath(url));
  if (!Exists(file)) return Error::NotFound("backup " + file);
  if (Exists(path) && !force) {
    return Error::Conflict("store_exists", path +
                                               " exists: restore into a new location, or stop "
                                               "every server using it and pass --force");
  }
  // Read-write: a copy of a WAL-mode store is itself in WAL mode, whose
  // index file a read-only connection may not be able to create.
  PAYOPS_ASSIGN_OR_RETURN(Db from, OpenDb(file, SQLITE_OPEN_READWRITE));
  PAYOPS_TRY(IntegrityOk(from.get(), file));
  PAYOPS_ASSIGN_OR_RETURN(Db to, OpenDb(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE));
  return CopyAll(from.get(), to.get(), "restore into " + path);
}

}  // namespace payops::store
