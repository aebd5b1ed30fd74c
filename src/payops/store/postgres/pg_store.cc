#include "payops/store/postgres/pg_store.h"

#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "payops/store/tx_nesting.h"

namespace payops::store {
namespace {

constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// Rewrites `?` placeholders to $1..$n.
std::string Rewrite(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  for (char c : sql) {
    if (c == '?') {
      out += '$';
      out += std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

class Conn final : public Tx {
 public:
  explicit Conn(PGconn* pg) : pg_(pg) {}
  ~Conn() override { PQfinish(pg_); }

  bool healthy() const { return PQstatus(pg_) == CONNECTION_OK; }
  // Reconnects (blocking up to the connect timeout) and sets the session up
  // again; the cached statements died with the old session.
  Status Reset(const std::string& setup) {
    PQreset(pg_);
    stmts_.clear();
    pending_begin_.clear();
    if (!healthy()) {
      return Error{ErrorKind::kUnavailable,
                   "store_unreachable",
                   std::string("cannot reconnect to PostgreSQL: ") + PQerrorMessage(pg_),
                   {}};
    }
    return Plain(setup);
  }

  // Runs a statement without parameters or caching (COMMIT, SAVEPOINT, ...).
  // A COMMIT or ROLLBACK of a transaction whose BEGIN is still deferred
  // sends nothing: nothing was run.
  Status Plain(const std::string& sql) {
    if (!pending_begin_.empty()) {
      if (sql == "COMMIT" || sql == "ROLLBACK") {
        pending_begin_.clear();
        return Status::Ok();
      }
      PAYOPS_TRY(FlushBegin());
    }
    PgResult r(PQexec(pg_, sql.c_str()));
    return Check(r.get(), sql);
  }

  // The transaction's BEGIN goes with its first statement, in one round trip
  // (libpq's pipeline mode), or by itself before a statement not yet
  // prepared on this session.
  void DeferBegin(std::string begin) { pending_begin_ = std::move(begin); }

  Result<Rows> Query(std::string_view sql, std::span<const Value> params) override {
    PAYOPS_ASSIGN_OR_RETURN(PgResult r, Run(sql, params));
    Rows rows;
    int nrows = PQntuples(r.get());
    int ncols = PQnfields(r.get());
    rows.reserve(nrows);
    for (int i = 0; i < nrows; ++i) {
      std::vector<Value> values;
      values.reserve(ncols);
      for (int c = 0; c < ncols; ++c) {
        if (PQgetisnull(r.get(), i, c)) {
          values.emplace_back(Null{});
          continue;
        }
        const char* text = PQgetvalue(r.get(), i, c);
        Oid type = PQftype(r.get(), c);
        if (type == kInt8Oid || type == kInt4Oid || type == kInt2Oid) {
          values.emplace_back(static_cast<int64_t>(std::strtoll(text, nullptr, 10)));
        } else if (type == kBoolOid) {
          values.emplace_back(static_cast<int64_t>(text[0] == 't' ? 1 : 0));
        } else {
          values.emplace_back(std::string(text, PQgetlength(r.get(), i, c)));
        }
      }
      rows.emplace_back(std::move(values));
    }
    return rows;
  }

  Result<int64_t> Exec(std::string_view sql, std::span<const Value> params) override {
    if (params.empty() && (sql.starts_with("SAVEPOINT") || sql.starts_with("ROLLBACK") ||
                           sql.starts_with("RELEASE"))) {
      PAYOPS_TRY(Plain(std::string(sql)));
      return int64_t{0};
    }
    PAYOPS_ASSIGN_OR_RETURN(PgResult r, Run(sql, params));
    const char* affected = PQcmdTuples(r.get());
    return static_cast<int64_t>(affected[0] ? std::strtoll(affected, nullptr, 10) : 0);
  }

  Dialect dialect() const override { return Dialect::kPostgres; }

  static bool IsRetryable(const Error& e) { return e.code == "serialization_failure"; }
  static bool IsConnectionLost(const Error& e) { return e.code == "connection_lost"; }

 private:
  static constexpr size_t kMaxCachedStatements = 512;

  Status Check(PGresult* r, std::string_view what) {
    ExecStatusType st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return Status::Ok();
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string msg = std::string(what.substr(0, 120)) + ": " + PQerrorMessage(pg_);
    std::string_view code = state ? state : "";
    if (code == "23505") return Error::Conflict("duplicate", msg);
    if (code == "40001" || code == "40P01") {
      return Error{ErrorKind::kUnavailable, "serialization_failure", msg, {}};
    }
    // The session ended under the statement (server restart, network, an
    // administrator's pg_terminate_backend): nothing of the transaction is kept.
    if (!healthy() || code.starts_with("08") || code == "57P01" || code == "57P02" ||
        code == "57P03") {
      return Error{ErrorKind::kUnavailable, "connection_lost", msg, {}};
    }
    if (code == "57014") return Error{ErrorKind::kUnavailable, "statement_timeout", msg, {}};
    if (code == "53300" || code == "53200") {
      return Error{ErrorKind::kUnavailable, "store_busy", msg, {}};
    }
    return Error::Internal(msg);
  }

  Status FlushBegin() {
    std::string begin = std::move(pending_begin_);
    pending_begin_.clear();
    PgResult r(PQexec(pg_, begin.c_str()));
    return Check(r.get(), begin);
  }

  // BEGIN and the prepared statement `name` in one pipeline: both sent, then
  // both results read, through the sync that ends the pipeline.
  Result<PgResult> BeginAndRun(const std::string& name, int n, const char* const* values) {
    if (PQenterPipelineMode(pg_) != 1) {
      PAYOPS_TRY(FlushBegin());
      return PgResult(PQexecPrepared(pg_, name.c_str(), n, values, nullptr, nullptr, 0));
    }
    std::string begin = std::move(pending_begin_);
    pending_begin_.clear();
    const bool sent =
        PQsendQueryParams(pg_, begin.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0) == 1 &&
        PQsendQueryPrepared(pg_, name.c_str(), n, values, nullptr, nullptr, 0) == 1 &&
        PQpipelineSync(pg_) == 1;
    PgResult begin_result, result;
    if (sent) {
      // Each query's results end with a null; the sync's own result ends all.
      int query = 0;
      for (int guard = 0; guard < 16 && healthy(); ++guard) {
        PGresult* got = PQgetResult(pg_);
        if (got == nullptr) {
          ++query;
          continue;
        }
        if (PQresultStatus(got) == PGRES_PIPELINE_SYNC) {
          PQclear(got);
          break;
        }
        PgResult& slot = query == 0 ? begin_result : result;
        if (!slot) {
          slot.reset(got);
        } else {
          PQclear(got);
        }
      }
    }
    (void)PQexitPipelineMode(pg_);
    PAYOPS_TRY(Check(begin_result.get(), begin));
    return result;
  }

  Result<PgResult> Run(std::string_view sql, std::span<const Value> params) {
    std::string key(sql);
    auto it = stmts_.find(key);
    std::string name;
    if (it == stmts_.end()) {
      if (!pending_begin_.empty()) PAYOPS_TRY(FlushBegin());
      name.append("s").append(std::to_string(next_stmt_++));
      PgResult prep(PQprepare(pg_, name.c_str(), Rewrite(sql).c_str(), 0, nullptr));
      PAYOPS_TRY(Check(prep.get(), sql));
      if (stmts_.size() < kMaxCachedStatements) stmts_.emplace(key, name);
    } else {
      name = it->second;
    }
    std::vector<std::string> texts(params.size());
    std::vector<const char*> ptrs(params.size(), nullptr);
    for (size_t i = 0; i < params.size(); ++i) {
      if (auto* n = std::get_if<int64_t>(&params[i])) {
        texts[i] = std::to_string(*n);
        ptrs[i] = texts[i].c_str();
      } else if (auto* s = std::get_if<std::string>(&params[i])) {
        ptrs[i] = s->c_str();
      }
    }
    PgResult r;
    if (!pending_begin_.empty()) {
      PAYOPS_ASSIGN_OR_RETURN(r, BeginAndRun(name, static_cast<int>(params.size()), ptrs.data()));
    } else {
      r.reset(PQexecPrepared(pg_, name.c_str(), static_cast<int>(params.size()), ptrs.data(),
                             nullptr, nullptr, 0));
    }
    if (!stmts_.contains(key)) (void)Plain("DEALLOCATE " + name);
    PAYOPS_TRY(Check(r.get(), sql));
    return r;
  }

  PGconn* pg_;
  std::string pending_begin_;  // a BEGIN not sent yet (DeferBegin)
  std::unordered_map<std::string, std::string> stmts_;
  int64_t next_stmt_ = 0;
};

// Connects with the URL's settings plus explicit timeouts and TCP keepalives
// (a peer that vanished without closing is noticed within a minute).
PGconn* Connect(const std::string& url, int connect_timeout_s) {
  const std::string timeout = std::to_string(connect_timeout_s);
  const char* keys[] = {"dbname",
                        "connect_timeout",
                        "keepalives",
                        "keepalives_idle",
                        "keepalives_interval",
                        "keepalives_count",
                        "application_name",
                        nullptr};
  const char* values[] = {url.c_str(), timeout.c_str(), "1", "30", "10", "3", "payops", nullptr};
  return PQconnectdbParams(keys, values, /*expand_dbname=*/1);
}

class PgStore final : public Store {
 public:
  PgStore(std::string url, StoreOptions options) : url_(std::move(url)), options_(options) {
    setup_ = "SET client_min_messages = warning; SET statement_timeout = " +
             std::to_string(options_.statement_timeout_ms);
  }

  Status Init() {
    int n = std::max(1, options_.read_connections);
    for (int i = 0; i < n; ++i) {
      PGconn* pg = Connect(url_, options_.connect_timeout_s);
      if (PQstatus(pg) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(pg);
        PQfinish(pg);
        return Error{ErrorKind::kUnavailable,
                     "store_unreachable",
                     "cannot connect to PostgreSQL: " + msg,
                     {}};
      }
      auto c = std::make_unique<Conn>(pg);
      PAYOPS_TRY(c->Plain(setup_));
      idle_.push_back(c.get());
      all_.push_back(std::move(c));
    }
    return Status::Ok();
  }

  Status Write(const TxFn& fn) override {
    if (auto nested = RunNested(this, fn, /*write=*/true)) return *nested;
    return Run(fn, "BEGIN ISOLATION LEVEL SERIALIZABLE", /*read_only=*/false);
  }

  Status WriteSnapshot(const TxFn& fn) override {
    if (auto nested = RunNested(this, fn, /*write=*/true)) return *nested;
    return Run(fn, "BEGIN ISOLATION LEVEL REPEATABLE READ", /*read_only=*/false);
  }

  Status WriteAfterLock(const TxFn& fn) override {
    if (auto nested = RunNested(this, fn, /*write=*/true)) return *nested;
    return Run(fn, "BEGIN ISOLATION LEVEL READ COMMITTED", /*read_only=*/false);
  }

  Status Read(const TxFn& fn) override {
    if (auto nested = RunNested(this, fn, /*write=*/false)) return *nested;
    return Run(fn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", /*read_only=*/true);
  }

  Status Ping() override {
    return Read([](Tx& tx) -> Status {
      PAYOPS_TRY(tx.Query("SELECT 1", {}));
      return Status::Ok();
    });
  }

  Status Exclusively(int64_t lock_key, const std::function<Status()>& fn) override {
    // A session lock on a connection of its own: the pool's connections run
    // fn's transactions, and the lock ends with this session if the process dies.
    PGconn* pg = Connect(url_, options_.connect_timeout_s);
    Conn lock_conn(pg);
    if (!lock_conn.healthy()) {
      return Error{ErrorKind::kUnavailable,
                   "store_unreachable",
                   std::string("cannot connect to PostgreSQL: ") + PQerrorMessage(pg),
                   {}};
    }
    PAYOPS_TRY(lock_conn.Plain("SET statement_timeout = 0"));
    PAYOPS_TRY(lock_conn.Plain("SELECT pg_advisory_lock(" + std::to_string(lock_key) + ")"));
    Status s = fn();
    (void)lock_conn.Plain("SELECT pg_advisory_unlock(" + std::to_string(lock_key) + ")");
    return s;
  }

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string url() const override { return url_; }

 private:
  // How long after a failed reconnect the store answers "unreachable" at
  // once instead of trying again (every request would wait for the connect
  // timeout while the database is down).
  static constexpr int64_t kReconnectBackoffMs = 500;

  static int64_t SteadyMs() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  // A broken connection is reconnected before use; while the database is
  // unreachable this fails fast.
  Status EnsureConnected(Conn& c) {
    if (c.healthy()) return Status::Ok();
    if (SteadyMs() < down_until_ms_.load()) {
      return Error{
          ErrorKind::kUnavailable, "store_unreachable", "PostgreSQL is unreachable; retrying", {}};
    }
    Status s = c.Reset(setup_);
    if (!s.ok()) down_until_ms_.store(SteadyMs() + kReconnectBackoffMs);
    return s;
  }

  // Retries: a serialization failure, and a session lost before COMMIT was
  // sent (nothing was applied, so fn runs again on a new session). A session
  // lost during COMMIT leaves the outcome unknown: a read-only transaction
  // retries, a write answers 503 (the client retries with its key).
  Status Run(const TxFn& fn, const std::string& begin, bool read_only) {
    PAYOPS_ASSIGN_OR_RETURN(Conn * c, Acquire());
    Status s;
    for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
      s = EnsureConnected(*c);
      if (!s.ok()) break;
      c->DeferBegin(begin);
      {
        ActiveTxScope scope(this, c, read_only);
        s = RunGuarded(fn, *c);
      }
      bool committing = false;
      if (s.ok()) {
        committing = true;
        s = c->Plain("COMMIT");
      } else if (c->healthy()) {
        (void)c->Plain("ROLLBACK");
      } else {
        // fn's error came from the lost session, whatever fn made of it.
        s = Error{ErrorKind::kUnavailable, "connection_lost", s.error().message, {}};
      }
      if (s.ok()) break;
      if (Conn::IsConnectionLost(s.error())) {
        if (committing && !read_only) {
          s = Error{ErrorKind::kUnavailable,
                    "commit_unknown",
                    "the connection to PostgreSQL was lost during COMMIT; retry the request "
                    "with its Idempotency-Key",
                    {}};
          break;
        }
        continue;  // reconnect and run again
      }
      if (!Conn::IsRetryable(s.error())) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1 << attempt));
    }
    Release(c);
    return s;
  }

  Result<Conn*> Acquire() {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::milliseconds(options_.acquire_timeout_ms),
                      [&] { return !idle_.empty(); })) {
      return Error{ErrorKind::kUnavailable,
                   "store_busy",
                   "every PostgreSQL connection of the pool is busy",
                   {}};
    }
    Conn* c = idle_.back();
    idle_.pop_back();
    return c;
  }
  void Release(Conn* c) {
    {
      std::lock_guard lock(mu_);
      idle_.push_back(c);
    }
    cv_.notify_one();
  }

  std::string url_;
  StoreOptions options_;
  std::string setup_;
  std::atomic<int64_t> down_until_ms_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Conn*> idle_;
  std::vector<std::unique_ptr<Conn>> all_;
};

}  // namespace

Result<std::unique_ptr<Store>> OpenPostgres(std::string_view url, const StoreOptions& options) {
  auto store = std::make_unique<PgStore>(std::string(url), options);
  PAYOPS_TRY(store->Init());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace payops::store
