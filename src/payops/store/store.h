// The Store: one interface over SQLite and PostgreSQL. Services run their
// work as one atomic transaction through Write() or Read(); the SQL itself
// lives in the repository files of this folder and is shared by both backends.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "payops/core/result.h"

namespace payops::store {

struct Null {
  friend bool operator==(Null, Null) { return true; }
};
// A parameter or a column value. Booleans are stored as 0/1 integers, instants
// as UTC microseconds, money as minor units.
using Value = std::variant<Null, int64_t, std::string>;

inline Value Opt(const std::optional<std::string>& s) {
  return s ? Value(*s) : Value(Null{});
}
inline Value Opt(const std::optional<int64_t>& v) {
  return v ? Value(*v) : Value(Null{});
}

class Row {
 public:
  explicit Row(std::vector<Value> values) : values_(std::move(values)) {}
  size_t size() const { return values_.size(); }
  bool IsNull(size_t i) const { return std::holds_alternative<Null>(values_.at(i)); }
  // Integer column; text holding digits is converted. Asserts on other types.
  int64_t Int(size_t i) const;
  // Text column; integers are formatted. Null becomes "".
  std::string Text(size_t i) const;
  std::optional<std::string> OptText(size_t i) const;
  std::optional<int64_t> OptInt(size_t i) const;
  // The `n` columns from `from` on, as a row of their own (one table's part
  // of a joined row).
  Row Columns(size_t from, size_t n) const {
    return Row(std::vector<Value>(values_.begin() + from, values_.begin() + from + n));
  }

 private:
  std::vector<Value> values_;
};

using Rows = std::vector<Row>;

enum class Dialect { kSqlite, kPostgres };

// One open transaction. SQL uses `?` placeholders (never inside literals);
// the PostgreSQL backend rewrites them to $1..$n.
class Tx {
 public:
  virtual ~Tx() = default;
  virtual Result<Rows> Query(std::string_view sql, std::span<const Value> params) = 0;
  // Returns the number of rows changed. A unique-constraint violation is
  // returned as ErrorKind::kConflict with code "duplicate".
  virtual Result<int64_t> Exec(std::string_view sql, std::span<const Value> params) = 0;
  virtual Dialect dialect() const = 0;

  Result<Rows> Query(std::string_view sql, std::initializer_list<Value> params) {
    return Query(sql, std::span<const Value>(params.begin(), params.size()));
  }
  Result<int64_t> Exec(std::string_view sql, std::initializer_list<Value> params) {
    return Exec(sql, std::span<const Value>(params.begin(), params.size()));
  }
  // First row or nullopt.
  Result<std::optional<Row>> QueryOne(std::string_view sql, std::initializer_list<Value> params);
};

struct StoreOptions {
  int read_connections = 4;    // pooled read connections (SQLite) / pool size (PostgreSQL)
  int busy_timeout_ms = 5000;  // SQLite busy timeout
  int max_group_size = 256;    // SQLite: write jobs committed together at most
  int max_write_queue = 8192;  // queued write jobs before Write() answers kUnavailable
  int max_retries = 5;         // PostgreSQL serialization-failure retries
  // PostgreSQL: a statement running longer is cancelled (the request answers
  // 503); connecting gives up after connect_timeout_s; a transaction waits at
  // most acquire_timeout_ms for a pooled connection, then answers 503.
  int statement_timeout_ms = 30000;
  int connect_timeout_s = 5;
  int acquire_timeout_ms = 10000;
  bool synchronous_full = true;  // SQLite: fsync every commit (durable)
  // SQLite with synchronous_full: the writer commits a group and goes on with
  // the next one while a second thread fsyncs the WAL (one call covers every
  // group committed since the last). A write is answered only after the fsync
  // that follows its commit, and a read returns only once everything its
  // snapshot could see is durable, so nothing that a crash could lose is ever
  // shown. If an fsync fails, the store refuses every later read and write.
  bool pipelined_sync = true;
  // How the WAL file is made durable: returns 0 or an errno. Null: fdatasync.
  // Tests inject a slow or failing sync here.
  std::function<int(int fd)> sync_file;
  // SQLite page cache of the write connection (grows on use). Small on
  // purpose: a commit after a b-tree page split walks every page the cache
  // holds (SQLite parks a moved page on the pending-byte page number, past
  // the end of the file, and drops pages past the end at commit), so a 64 MiB
  // cache cost the ticket write path ~10 % more writer time than 8 MiB, which
  // still holds the interior pages of every index.
  int writer_cache_kib = 8192;
  int reader_cache_kib = 16384;  // and of each read connection
  // SQLite: the WAL is copied back into the database once it holds this many
  // pages (40 MiB at 4 KiB). Larger than SQLite's 1000: a page rewritten by
  // many commits (the tail of an index) is copied once per checkpoint.
  int wal_autocheckpoint_pages = 10000;
};

using TxFn = std::function<Status(Tx&)>;

class Store {
 public:
  virtual ~Store() = default;
  // Runs fn in one read-write transaction: committed when fn returns ok,
  // rolled back when it returns an error (which Write returns). A Write or
  // Read called from inside fn joins the enclosing transaction (as a
  // savepoint for Write), so services compose into one commit.
  virtual Status Write(const TxFn& fn) = 0;
  // Write, for fn that only adds rows on top of what it reads: nothing it
  // reads is changed by a concurrent write that decides anything from what fn
  // writes, so no write skew can arise and a snapshot serves as well as full
  // serializability. PostgreSQL runs it at REPEATABLE READ (a concurrent
  // update of a row fn updates still fails and is retried), without the
  // predicate locks of SERIALIZABLE; SQLite has one writer: Write.
  virtual Status WriteSnapshot(const TxFn& fn) { return Write(fn); }
  // Write, for fn whose first statement locks a row by updating it (e.g.
  // LockEndUser), where every write that could change what fn decides on
  // updates that row too, and what else fn reads only informs it (a write
  // that fn's reads miss leaves its decision as valid as if fn had run
  // first). PostgreSQL runs it at READ COMMITTED: each statement after the
  // lock sees every write committed before it, fn waits for a concurrent
  // holder instead of failing, and no predicate locks are taken. SQLite: Write.
  virtual Status WriteAfterLock(const TxFn& fn) { return Write(fn); }
  // Runs fn in a read-only snapshot.
  virtual Status Read(const TxFn& fn) = 0;
  // True when the store answers a trivial query.
  virtual Status Ping() = 0;
  virtual Dialect dialect() const = 0;
  virtual std::string url() const = 0;
  // Whether Write and Read, called from a fiber (wait.h), give its thread
  // back while they wait rather than block it. A store that talks to its
  // database on the calling thread (PostgreSQL) blocks.
  virtual bool SuspendsFibers() const { return false; }
  // Runs fn while holding the store-wide lock `lock_key` (PostgreSQL: a
  // session advisory lock, released if the process dies), so that several
  // processes starting at once migrate one after another. SQLite runs fn
  // directly (its writes are serialized by the file's lock).
  virtual Status Exclusively(int64_t lock_key, const std::function<Status()>& fn) {
    (void)lock_key;
    return fn();
  }
};

// Opens "sqlite:///abs/path.db", "sqlite://./rel.db", "sqlite://:memory:" or
// "postgresql://user@host:port/db". Does not migrate.
Result<std::unique_ptr<Store>> Open(std::string_view url, const StoreOptions& options = {});

// Applies pending migrations in order; each migration is one transaction.
// Returns the schema version reached.
Result<int> Migrate(Store& store);
// The latest schema version this build knows.
int LatestSchemaVersion();
// True when every migration is applied (one read); false when some is not, or
// the store cannot tell (no schema_migrations table yet, or unreachable):
// then Migrate. For short-lived commands that must not pay a write per
// migration on every run.
bool SchemaIsCurrent(Store& store);

}  // namespace payops::store
