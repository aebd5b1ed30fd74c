#include "payops/store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cassert>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "payops/core/logfmt.h"
#include "payops/store/tx_nesting.h"
#include "payops/store/wait.h"

namespace payops::store {
namespace {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  int ext = db ? sqlite3_extended_errcode(db) : rc;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY) {
    return Error::Conflict("duplicate", msg);
  }
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return Error::Unavailable(msg);
  return Error::Internal(msg);
}

// One connection with its statement cache.
class Conn final : public Tx {
 public:
  ~Conn() override {
    for (auto& [sql, stmt] : stmts_) sqlite3_finalize(stmt);
    if (db_) sqlite3_close_v2(db_);
  }

  // `cache_kib`: this connection's page cache (it grows only as pages are used).
  // `fsync_commits`: each commit fsyncs the WAL itself (synchronous=FULL);
  // otherwise (NORMAL) only checkpoints sync and the store syncs behind.
  Status Open(const std::string& path, bool uri, const StoreOptions& o, int cache_kib,
              bool fsync_commits) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (uri) flags |= SQLITE_OPEN_URI;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc, "open " + path);
    sqlite3_busy_timeout(db_, o.busy_timeout_ms);
    sqlite3_extended_result_codes(db_, 1);
    PAYOPS_TRY(Plain("PRAGMA foreign_keys = ON"));
    if (!uri) {
      PAYOPS_ASSIGN_OR_RETURN(Rows mode, Query("PRAGMA journal_mode = WAL", {}));
      if (mode.empty() || mode[0].Text(0) != "wal") {
        return Error::Internal("SQLite refused WAL mode for " + path);
      }
    }
    PAYOPS_TRY(Plain(fsync_commits ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL"));
    PAYOPS_TRY(Plain(("PRAGMA cache_size = -" + std::to_string(cache_kib)).c_str()));
    PAYOPS_TRY(Plain("PRAGMA temp_store = MEMORY"));
    PAYOPS_TRY(Plain(
        ("PRAGMA wal_autocheckpoint = " + std::to_string(o.wal_autocheckpoint_pages)).c_str()));
    return Status::Ok();
  }

  // No transaction is open (SQLite rolls one back by itself after some
  // errors: a full disk, an I/O error, no memory).
  bool Autocommit() const { return sqlite3_get_autocommit(db_) != 0; }

  Status Plain(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      std::string msg = std::string(sql) + ": " + (err ? err : "error");
      sqlite3_free(err);
      if (rc == SQLITE_BUSY) return Error::Unavailable(msg);
      return Error::Internal(msg);
    }
    return Status::Ok();
  }

  // A statement without parameters through the statement cache (the
  // transaction control of every job: parsed once per connection).
  Status Control(std::string_view sql) {
    auto r = Exec(sql, std::span<const Value>());
    if (!r.ok()) return Status(r.take_error());
    return Status::Ok();
  }

  Result<Rows> Query(std::string_view sql, std::span<const Value> params) override {
    PAYOPS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    Rows rows;
    int cols = sqlite3_column_count(stmt);
    for (;;) {
      int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) {
        Error e = SqliteError(db_, rc, "query");
        sqlite3_reset(stmt);
        return e;
      }
      std::vector<Value> values;
      values.reserve(cols);
      for (int c = 0; c < cols; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL:
            values.emplace_back(Null{});
            break;
          case SQLITE_INTEGER:
            values.emplace_back(static_cast<int64_t>(sqlite3_column_int64(stmt, c)));
            break;
          default: {
            auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            values.emplace_back(std::string(text, sqlite3_column_bytes(stmt, c)));
          }
        }
      }
      rows.emplace_back(std::move(values));
    }
    sqlite3_reset(stmt);
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, std::span<const Value> params) override {
    PAYOPS_ASSIGN_OR_RETURN(sqlite3_stmt * stmt, Prepare(sql, params));
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    if (rc != SQLITE_DONE) {
      Error e = SqliteError(db_, rc, "exec");
      sqlite3_reset(stmt);
      return e;
    }
    sqlite3_reset(stmt);
    return static_cast<int64_t>(sqlite3_changes64(db_));
  }

  Dialect dialect() const override { return Dialect::kSqlite; }

  // The WAL file as SQLite names it (symbolic links resolved), or "".
  std::string WalPath() const {
    const char* db = sqlite3_db_filename(db_, "main");
    if (db == nullptr || *db == '\0') return "";
    const char* wal = sqlite3_filename_wal(db);
    return wal ? wal : "";
  }

 private:
  static constexpr size_t kMaxCachedStatements = 512;

  // The cached statement of `sql` (looked up without copying the text), with
  // `params` bound. Text is bound without a copy: Query and Exec step and reset
  // the statement before `params` go out of scope, and every use rebinds all.
  Result<sqlite3_stmt*> Prepare(std::string_view sql, std::span<const Value> params) {
    sqlite3_stmt* stmt = nullptr;
    auto it = stmts_.find(sql);
    if (it != stmts_.end()) {
      stmt = it->second;
    } else {
      int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                  SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
      if (rc != SQLITE_OK) return SqliteError(db_, rc, "prepare " + std::string(sql));
      if (stmts_.size() < kMaxCachedStatements)
        stmts_.emplace(std::string(sql), stmt);
      else
        transient_.reset(stmt);
    }
    if (static_cast<int>(params.size()) != sqlite3_bind_parameter_count(stmt)) {
      return Error::Internal("parameter count mismatch for: " + std::string(sql));
    }
    for (size_t i = 0; i < params.size(); ++i) {
      int idx = static_cast<int>(i) + 1;
      const Value& v = params[i];
      if (auto* n = std::get_if<int64_t>(&v)) {
        sqlite3_bind_int64(stmt, idx, *n);
      } else if (auto* s = std::get_if<std::string>(&v)) {
        sqlite3_bind_text(stmt, idx, s->data(), static_cast<int>(s->size()), SQLITE_STATIC);
      } else {
        sqlite3_bind_null(stmt, idx);
      }
    }
    return stmt;
  }

  struct Finalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };

  // Heterogeneous lookup: find() takes the string_view as it comes.
  struct SqlHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*, SqlHash, std::equal_to<>> stmts_;
  std::unique_ptr<sqlite3_stmt, Finalizer> transient_;
};

class SqliteStore final : public Store {
 public:
  SqliteStore(std::string url, StoreOptions options) : url_(std::move(url)), options_(options) {}

  ~SqliteStore() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (writer_.joinable()) writer_.join();
    {
      std::lock_guard lock(sync_mu_);
      sync_stopping_ = true;
    }
    sync_cv_.notify_all();
    if (syncer_.joinable()) syncer_.join();
    if (wal_fd_ >= 0) ::close(wal_fd_);
  }

  Status Init(std::string_view path) {
    std::string p(path);
    bool uri = false;
    if (p == ":memory:") {
      static std::atomic<int> counter{0};
      p = "file:payops_mem_" + std::to_string(counter++) + "?mode=memory&cache=shared";
      uri = true;
    }
    if (p.empty()) return Error::Invalid("invalid_store_url", "empty SQLite path", "store");
    // A memory database has no WAL to sync behind.
    pipelined_ = options_.synchronous_full && options_.pipelined_sync && !uri;
    const bool fsync_commits = options_.synchronous_full && !pipelined_;
    writer_conn_ = std::make_unique<Conn>();
    PAYOPS_TRY(writer_conn_->Open(p, uri, options_, options_.writer_cache_kib, fsync_commits));
    int readers = std::max(1, options_.read_connections);
    for (int i = 0; i < readers; ++i) {
      auto c = std::make_unique<Conn>();
      PAYOPS_TRY(c->Open(p, uri, options_, options_.reader_cache_kib, fsync_commits));
      idle_readers_.push_back(c.get());
      readers_.push_back(std::move(c));
    }
    if (pipelined_) {
      // The WAL exists once a transaction has run; the descriptor is opened
      // now so that it sees every write-back error from here on.
      PAYOPS_TRY(writer_conn_->Control("BEGIN"));
      (void)writer_conn_->Query("SELECT COUNT(*) FROM sqlite_schema", {});
      PAYOPS_TRY(writer_conn_->Control("COMMIT"));
      wal_path_ = writer_conn_->WalPath();
      if (wal_path_.empty()) return Error::Internal("SQLite names no WAL file for " + p);
      if (int err = OpenWal(); err != 0) {
        return Error::Unavailable("cannot open the WAL " + wal_path_ + ": " + std::strerror(err));
      }
      syncer_ = std::thread([this] {
        pthread_setname_np(pthread_self(), "sqlite-syncer");
        SyncerLoop();
      });
    }
    writer_ = std::thread([this] {
      // Named for top -H and perf: the one thread every SQLite write goes through.
      pthread_setname_np(pthread_self(), "sqlite-writer");
      WriterLoop();
    });
    return Status::Ok();
  }

  Status Write(const TxFn& fn) override {
    if (auto nested = RunNested(this, fn, /*write=*/true)) return *nested;
    if (sync_failed_.load()) return SyncFailure();
    Job job{&fn};
    {
      std::lock_guard lock(mu_);
      if (static_cast<int>(queue_.size()) >= options_.max_write_queue) {
        return Error::Unavailable("write queue is full");
      }
      queue_.push_back(&job);
    }
    cv_.notify_one();
    job.done.Wait();
    return std::move(job.result);
  }

  Status Read(const TxFn& fn) override {
    if (auto nested = RunNested(this, fn, /*write=*/false)) return *nested;
    if (sync_failed_.load()) return SyncFailure();
    Conn* conn = AcquireReader();
    Status s = conn->Control("BEGIN");
    if (s.ok()) {
      ActiveTxScope scope(this, conn, /*read_only=*/true);
      s = RunGuarded(fn, *conn);
      (void)conn->Control("COMMIT");
    }
    ReleaseReader(conn);
    if (pipelined_) PAYOPS_TRY(AwaitDurable());
    return s;
  }

  Status Ping() override {
    return Read([](Tx& tx) -> Status {
      PAYOPS_TRY(tx.Query("SELECT 1", {}));
      return Status::Ok();
    });
  }

  Dialect dialect() const override { return Dialect::kSqlite; }
  std::string url() const override { return url_; }
  // A fiber waits for the writer, the fsync and a free read connection
  // suspended; a read itself runs on its thread and is short.
  bool SuspendsFibers() const override { return true; }

 private:
  struct Job {
    explicit Job(const TxFn* f) : fn(f) {}
    const TxFn* fn;
    Status result;
    Completion done;  // the caller waits on it (a thread or a fiber)

    void Answer(Status s) {
      result = std::move(s);
      done.Done();  // the caller may return (and this be gone) from here on
    }
  };
  // A committed group waiting for the fsync that makes it durable.
  struct Committed {
    std::vector<Job*> jobs;
    std::vector<Status> results;
    uint64_t seq;  // the commit's number (committing_seq_ when it began)
  };

  static Error SyncFailure() {
    return Error::Unavailable(
        "the SQLite write-ahead log could not be made durable: the outcome of the writes in "
        "flight is unknown, and the store takes no more reads or writes until the server is "
        "restarted");
  }

  // Waits until every commit a snapshot taken before now could see is
  // durable. Commits are numbered before they start, so a commit visible to
  // the caller has a number at most the one read here.
  Status AwaitDurable() {
    const uint64_t seen = committing_seq_.load();
    if (synced_seq_.load() >= seen && !sync_failed_.load()) return Status::Ok();
    if (Waiter::Current() != nullptr) {
      // A fiber gives its thread back; the syncer wakes it (SyncerLoop).
      Completion done;
      bool wait = false;
      {
        std::lock_guard lock(sync_mu_);
        if (synced_seq_.load() < seen && !sync_failed_.load()) {
          durable_waiters_.push_back(DurableWaiter{seen, &done});
          wait = true;
        }
      }
      if (wait) done.Wait();
    } else {
      std::unique_lock lock(sync_mu_);
      durable_cv_.wait(lock, [&] { return synced_seq_.load() >= seen || sync_failed_.load(); });
    }
    if (sync_failed_.load()) return SyncFailure();
    return Status::Ok();
  }

  // fsyncs the WAL through its own descriptor (fsync is per file, not per
  // descriptor), reopened should the file ever be replaced. 0 or an errno.
  // Opens the syncer's descriptor of the WAL and makes its directory entry
  // durable (a new WAL's). 0 or an errno.
  int OpenWal() {
    struct stat st {};
    int fd = ::open(wal_path_.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return errno;
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return err;
    }
    std::string dir = wal_path_.substr(0, wal_path_.find_last_of('/') + 1);
    int dfd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    int err = dfd < 0 ? errno : (::fsync(dfd) == 0 ? 0 : errno);
    if (dfd >= 0) ::close(dfd);
    if (err != 0) {
      ::close(fd);
      return err;
    }
    if (wal_fd_ >= 0) ::close(wal_fd_);
    wal_fd_ = fd;
    wal_ino_ = st.st_ino;
    wal_dev_ = st.st_dev;
    return 0;
  }

  int SyncWal() {
    struct stat by_path {};
    if (::stat(wal_path_.c_str(), &by_path) != 0) return errno;
    if (wal_fd_ < 0 || by_path.st_ino != wal_ino_ || by_path.st_dev != wal_dev_) {
      if (int err = OpenWal(); err != 0) return err;
    }
    if (options_.sync_file) return options_.sync_file(wal_fd_);
    return ::fdatasync(wal_fd_) == 0 ? 0 : errno;
  }

  void SyncerLoop() {
    std::deque<Committed> batch;
    for (;;) {
      {
        std::unique_lock lock(sync_mu_);
        sync_cv_.wait(lock, [&] { return sync_stopping_ || !to_sync_.empty(); });
        if (to_sync_.empty()) return;
        batch.swap(to_sync_);
      }
      int err = sync_failed_.load() ? EIO : SyncWal();
      if (err != 0 && !sync_failed_.exchange(true)) {
        spdlog::critical(
            "msg=\"fsync of the SQLite WAL failed; refusing reads and writes\" wal={} error={}",
            LogValue(wal_path_), LogValue(std::strerror(err)));
      }
      std::vector<Completion*> durable;
      {
        std::lock_guard lock(sync_mu_);
        if (err == 0) synced_seq_.store(batch.back().seq);
        if (to_sync_.empty()) sync_idle_.store(true);
        // Fibers waiting for what they read to be durable (AwaitDurable).
        std::erase_if(durable_waiters_, [&](const DurableWaiter& w) {
          if (err == 0 && w.seq > synced_seq_.load()) return false;
          durable.push_back(w.done);
          return true;
        });
      }
      durable_cv_.notify_all();
      for (Completion* c : durable) c->Done();
      {
        // The writer may be holding a group open for this moment.
        std::lock_guard lock(mu_);
      }
      cv_.notify_one();
      for (Committed& c : batch) {
        for (size_t i = 0; i < c.jobs.size(); ++i) {
          if (err != 0 && c.results[i].ok()) c.results[i] = SyncFailure();
          c.jobs[i]->Answer(std::move(c.results[i]));
        }
      }
      batch.clear();
    }
  }

  // A read connection; a fiber that finds none idle gives its thread back
  // until one is handed to it.
  Conn* AcquireReader() {
    std::unique_lock lock(reader_mu_);
    if (idle_readers_.empty() && Waiter::Current() != nullptr) {
      ReaderWaiter w;
      reader_waiters_.push_back(&w);
      lock.unlock();
      w.done.Wait();
      return w.conn;
    }
    reader_cv_.wait(lock, [&] { return !idle_readers_.empty(); });
    Conn* c = idle_readers_.back();
    idle_readers_.pop_back();
    return c;
  }
  void ReleaseReader(Conn* c) {
    ReaderWaiter* handed = nullptr;
    {
      std::lock_guard lock(reader_mu_);
      if (!reader_waiters_.empty()) {
        handed = reader_waiters_.front();
        reader_waiters_.pop_front();
        handed->conn = c;
      } else {
        idle_readers_.push_back(c);
      }
    }
    if (handed != nullptr) return handed->done.Done();
    reader_cv_.notify_one();
  }

  // The writer runs each job as soon as it is taken, in a savepoint of the
  // group's transaction. With the sync pipelined, the group is committed once
  // the syncer is free (or the group is full): a commit made while an fsync
  // is running would wait for the next one anyway, so the jobs arriving
  // meanwhile join one commit, and the pages every commit rewrites (the last
  // leaf of each b-tree, the WAL header frames) are written once for them all.
  void WriterLoop() {
    std::vector<Job*> group;
    std::vector<Status> results;
    std::vector<Job*> taken;
    bool open = false;  // a transaction is open for `group`
    Status begun;
    for (;;) {
      bool stopping = false;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] {
          return stopping_ || !queue_.empty() || (!group.empty() && MayCommit(group.size()));
        });
        stopping = stopping_;
        if (queue_.empty() && stopping && group.empty()) return;
        while (!queue_.empty() &&
               static_cast<int>(group.size() + taken.size()) < options_.max_group_size) {
          taken.push_back(queue_.front());
          queue_.pop_front();
        }
      }
      if (sync_failed_.load()) {
        // After a failed fsync nothing more is committed.
        if (open) (void)writer_conn_->Plain("ROLLBACK");
        open = false;
        for (Job* job : group) job->Answer(SyncFailure());
        for (Job* job : taken) job->Answer(SyncFailure());
        group.clear();
        results.clear();
        taken.clear();
        continue;
      }
      for (Job* job : taken) {
        if (!open) {
          begun = writer_conn_->Control("BEGIN IMMEDIATE");
          open = begun.ok();
        }
        group.push_back(job);
        results.push_back(open ? RunJob(*job) : begun);
        if (open && writer_conn_->Autocommit()) {
          // SQLite rolled the whole transaction back: nothing of the group
          // stays, and the next job begins a new one.
          Error lost = Error::Unavailable(
              "the write was rolled back with its group by the store (see the server log)");
          spdlog::error("msg=\"SQLite rolled back a write group\" jobs={} error={}", group.size(),
                        LogValue(results.back().ok() ? "" : results.back().error().message));
          for (Status& r : results) {
            if (r.ok()) r = lost;
          }
          open = false;
          HandOn(group, results);
        }
      }
      taken.clear();
      if (group.empty() || !(stopping || !open || MayCommit(group.size()))) continue;
      if (open) Commit(results);
      open = false;
      HandOn(group, results);
    }
  }

  // Passes a finished group on: to the syncer, which answers it after the
  // fsync that follows (pipelined), or straight to its callers. Leaves both
  // vectors empty.
  void HandOn(std::vector<Job*>& group, std::vector<Status>& results) {
    if (pipelined_) {
      {
        std::lock_guard lock(sync_mu_);
        to_sync_.push_back(Committed{std::move(group), std::move(results), committing_seq_.load()});
        sync_idle_.store(false);
      }
      sync_cv_.notify_one();
    } else {
      for (size_t i = 0; i < group.size(); ++i) group[i]->Answer(std::move(results[i]));
    }
    group.clear();
    results.clear();
  }

  // Whether the open group is committed now rather than left open for more
  // jobs (see WriterLoop).
  bool MayCommit(size_t group_size) const {
    return !pipelined_ || sync_idle_.load() ||
           static_cast<int>(group_size) >= options_.max_group_size;
  }

  Status RunJob(Job& job) {
    Conn& c = *writer_conn_;
    (void)c.Control("SAVEPOINT job");
    Status s;
    {
      ActiveTxScope scope(this, &c, /*read_only=*/false);
      s = RunGuarded(*job.fn, c);
    }
    if (!s.ok()) (void)c.Control("ROLLBACK TO SAVEPOINT job");
    (void)c.Control("RELEASE SAVEPOINT job");
    return s;
  }

  void Commit(std::vector<Status>& results) {
    Conn& c = *writer_conn_;
    committing_seq_.fetch_add(1);
    Status committed = c.Control("COMMIT");
    if (!committed.ok()) {
      (void)c.Plain("ROLLBACK");
      for (Status& s : results) {
        if (s.ok()) s = committed;
      }
    }
  }

  std::string url_;
  StoreOptions options_;
  std::unique_ptr<Conn> writer_conn_;
  std::vector<std::unique_ptr<Conn>> readers_;

  std::mutex reader_mu_;
  std::condition_variable reader_cv_;
  std::vector<Conn*> idle_readers_;
  struct ReaderWaiter {
    Conn* conn = nullptr;
    Completion done;
  };
  std::deque<ReaderWaiter*> reader_waiters_;  // fibers, first come first served

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job*> queue_;
  bool stopping_ = false;
  std::thread writer_;

  // Syncing behind the writer (pipelined_).
  bool pipelined_ = false;
  std::string wal_path_;
  int wal_fd_ = -1;  // the syncer's own
  ino_t wal_ino_ = 0;
  dev_t wal_dev_ = 0;
  std::atomic<uint64_t> committing_seq_{0};  // commits begun
  std::atomic<uint64_t> synced_seq_{0};      // commits durable
  std::atomic<bool> sync_failed_{false};
  // No fsync is running or queued: the writer may commit its open group.
  std::atomic<bool> sync_idle_{true};
  std::mutex sync_mu_;
  std::condition_variable sync_cv_;     // the syncer waits for commits
  std::condition_variable durable_cv_;  // readers wait for the syncer
  std::deque<Committed> to_sync_;
  struct DurableWaiter {
    uint64_t seq;  // durable once synced_seq_ reaches it
    Completion* done;
  };
  std::vector<DurableWaiter> durable_waiters_;  // fibers in AwaitDurable
  bool sync_stopping_ = false;
  std::thread syncer_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqlite(std::string_view path, const StoreOptions& options) {
  // Memory statistics (unused here) put a process-wide mutex in every SQLite
  // allocation, which the writer and the readers then contend on. Must come
  // before SQLite initializes; later it is refused (SQLITE_MISUSE) and ignored.
  static const int kNoMemStatus = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)kNoMemStatus;
  auto store = std::make_unique<SqliteStore>("sqlite://" + std::string(path), options);
  PAYOPS_TRY(store->Init(path));
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace payops::store
