#include "payops/store/postgres/pg_store.h"

#include <libpq-fe.h>

#include <cassert>
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
  void Reset() {
    PQreset(pg_);
    stmts_.clear();
  }

  // Runs a statement without parameters or caching (BEGIN, COMMIT, ...).
  Status Plain(const std::string& sql) {
    PgResult r(PQexec(pg_, sql.c_str()));
    return Check(r.get(), sql);
  }

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
    if (!healthy()) return Error::Unavailable(msg);
    return Error::Internal(msg);
  }

  Result<PgResult> Run(std::string_view sql, std::span<const Value> params) {
    std::string key(sql);
    auto it = stmts_.find(key);
    std::string name;
    if (it == stmts_.end()) {
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
    PgResult r(PQexecPrepared(pg_, name.c_str(), static_cast<int>(params.size()), ptrs.data(),
                              nullptr, nullptr, 0));
    if (!stmts_.contains(key)) (void)Plain("DEALLOCATE " + name);
    PAYOPS_TRY(Check(r.get(), sql));
    return r;
  }

  PGconn* pg_;
  std::unordered_map<std::string, std::string> stmts_;
  int64_t next_stmt_ = 0;
};

class PgStore final : public Store {
 public:
  PgStore(std::string url, StoreOptions options) : url_(std::move(url)), options_(options) {}

  Status Init() {
    int n = std::max(1, options_.read_connections);
    for (int i = 0; i < n; ++i) {
      PGconn* pg = PQconnectdb(url_.c_str());
      if (PQstatus(pg) != CONNECTION_OK) {
        std::string msg = PQerrorMessage(pg);
        PQfinish(pg);
        return Error::Unavailable("cannot connect to PostgreSQL: " + msg);
      }
      auto c = std::make_unique<Conn>(pg);
      PAYOPS_TRY(c->Plain("SET client_min_messages = warning"));
      idle_.push_back(c.get());
      all_.push_back(std::move(c));
    }
    return Status::Ok();
  }

  Status Write(const TxFn& fn) override {
    if (auto nested = RunNested(this, fn, /*write=*/true)) return *nested;
    return Run(fn, "BEGIN ISOLATION LEVEL SERIALIZABLE", /*read_only=*/false);
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

  Dialect dialect() const override { return Dialect::kPostgres; }
  std::string url() const override { return url_; }

 private:
  Status Run(const TxFn& fn, const std::string& begin, bool read_only) {
    Conn* c = Acquire();
    Status s;
    for (int attempt = 0; attempt <= options_.max_retries; ++attempt) {
      if (!c->healthy()) c->Reset();
      s = c->Plain(begin);
      if (!s.ok()) break;
      {
        ActiveTxScope scope(this, c, read_only);
        s = RunGuarded(fn, *c);
      }
      if (s.ok()) {
        s = c->Plain("COMMIT");
      } else {
        (void)c->Plain("ROLLBACK");
      }
      if (s.ok() || !Conn::IsRetryable(s.error())) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1 << attempt));
    }
    Release(c);
    return s;
  }

  Conn* Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty(); });
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
