// Crash safety: clients drive transactions, tickets, deposits and payouts at
// full speed with Idempotency-Keys while the server (SQLite) or the database
// (PostgreSQL, `pg_ctl -m immediate`) is killed at random moments. After each
// crash, on the same store:
//   - every request answered 2xx is there, and a retry with its key returns
//     the same object;
//   - a request that got no answer, retried with its key, is created once
//     (or refused as it would have been), never twice;
//   - every ledger posting balances per currency, the running balances are
//     the sums of the entries, and GET /v1/accounts shows those sums;
//   - every transaction's history is a path of the transition table
//     (core/transaction.h) ending in its status.
// Rounds: PAYOPS_CRASH_ROUNDS (default 3); `make crash-long` runs 20.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "payops/core/clock.h"
#include "payops/core/transaction.h"
#include "payops/store/store.h"

namespace payops::testing {
namespace {

namespace json = boost::json;

int Rounds() {
  const char* v = std::getenv("PAYOPS_CRASH_ROUNDS");
  int n = v ? std::atoi(v) : 0;
  return n > 0 ? n : 3;
}

std::string Field(const std::string& body, const char* name) {
  try {
    auto v = json::parse(body);
    if (const auto* f = v.as_object().if_contains(name); f && f->is_string()) {
      return std::string(f->as_string());
    }
  } catch (...) {
  }
  return "";
}

enum class Kind { kTransaction, kTicket, kDeposit, kPayout };
const char* KindName(Kind k) {
  switch (k) {
    case Kind::kTransaction:
      return "transaction";
    case Kind::kTicket:
      return "ticket";
    case Kind::kDeposit:
      return "deposit";
    case Kind::kPayout:
      return "payout";
  }
  return "?";
}

// One request sent with an Idempotency-Key. `marker` makes what it creates
// findable in the store (a unique amount or subject).
struct Op {
  Kind kind;
  std::string key;
  std::string path;
  std::string body;
  int64_t marker = 0;
  int status = 0;  // 0: no answer (the server or the database went away)
  std::string id;
  // A 5xx answer as the client saw it: the body and its Retry-After.
  std::string server_error_body;
  std::string retry_after;
};

// The world the clients work in: keys, an org, users with cards and
// recipients, and the org's USD account.
struct World {
  std::string admin, partner, org;
  std::vector<std::pair<std::string, std::string>> payers;  // user, card
  std::vector<std::string> recipients;
};

std::vector<std::pair<std::string, std::string>> Auth(const std::string& key) {
  return {{"Authorization", "Bearer " + key}};
}

std::string MustCreate(int port, const std::string& path, const std::string& body,
                       const std::string& key) {
  auto r = Request(port, "POST", path, body, Auth(key));
  if (r.status != 201) throw std::runtime_error("POST " + path + ": " + r.body);
  return Field(r.body, "id");
}

World MakeWorld(ServerProcess& s, const std::string& admin_key) {
  World w;
  w.admin = admin_key;
  const int port = s.port();
  w.org =
      MustCreate(port, "/v1/orgs",
                 R"({"name":"Crash Co","domain":"crash.example","sla_plan":"essentials",)"
                 R"("hypercare_plan":"standard","bau_plan":"standard","go_live_date":"2026-01-05",)"
                 R"("allowed_countries":["US","MX"],)"
                 R"("fees":[{"direction":"payin","currency":"USD","corridor":"US-MX","fee":150},)"
                 R"({"direction":"payout","currency":"USD","corridor":"US-MX","fee":100}]})",
                 admin_key);
  auto key = Request(port, "POST", "/v1/api-keys",
                     R"({"role":"partner","name":"Crash partner","email":"ops@crash.example",)"
                     R"("org_id":")" +
                         w.org + "\"}",
                     Auth(admin_key));
  if (key.status != 201) throw std::runtime_error("api key: " + key.body);
  w.partner = Field(key.body, "key");
  for (int i = 0; i < 6; ++i) {
    std::string user =
        MustCreate(port, "/v1/users",
                   R"({"org_id":")" + w.org + R"(","name":"Payer )" + std::to_string(i) +
                       R"(","email":"payer)" + std::to_string(i) +
                       R"(@customers.example","country":"US","kyc_status":"VERIFIED","tier":3})",
                   admin_key);
    std::string card =
        MustCreate(port, "/v1/users/" + user + "/cards",
                   R"({"token":"tok_)" + std::to_string(i) + R"(","last4":"4242"})", w.partner);
    std::string rcp =
        MustCreate(port, "/v1/users/" + user + "/recipients",
                   R"({"name":"Payee","country":"MX","payout_method":"bank_deposit"})", w.partner);
    w.payers.emplace_back(user, card);
    w.recipients.push_back(rcp);
  }
  return w;
}

// Makes the next request of a client.
class OpFactory {
 public:
  explicit OpFactory(const World& w) : w_(w) {}

  Op Next(std::mt19937& rng) {
    const int64_t n = seq_.fetch_add(1);
    Op op;
    op.key = "crash-" + std::to_string(n);
    switch (rng() % 4) {
      case 0: {
        size_t p = rng() % w_.payers.size();
        op.kind = Kind::kTransaction;
        op.path = "/v1/transactions";
        op.marker = 1000 + n;  // cents: unique per request
        op.body = R"({"user_id":")" + w_.payers[p].first + R"(","recipient_id":")" +
                  w_.recipients[p] + R"(","funding":{"type":"debit_card","id":")" +
                  w_.payers[p].second + R"("},"amount":)" + std::to_string(op.marker) +
                  R"(,"currency":"USD","payout_currency":"MXN","corridor":"US-MX",)"
                  R"("ip_address":"8.8.8.8","device_id":"sandbox-risk-0"})";
        break;
      }
      case 1:
        op.kind = Kind::kTicket;
        op.path = "/v1/tickets";
        op.marker = n;
        op.body = R"({"requester":{"name":"Pat","email":"ops@crash.example"},"category":"other",)"
                  R"("subject":"crash-)" +
                  std::to_string(n) + R"(","description":"Round trip."})";
        break;
      case 2:
        op.kind = Kind::kDeposit;
        op.path = "/v1/sandbox/deposits";
        op.marker = 1'000'000 + n;
        op.body = R"({"account_id":")" + w_.org + R"(:USD:org","amount":)" +
                  std::to_string(op.marker) + "}";
        break;
      default:
        op.kind = Kind::kPayout;
        op.path = "/v1/payouts";
        op.marker = 1'000 * n;  // the fee (100) never makes another payout's amount
        op.body =
            R"({"currency":"USD","corridor":"US-MX","amount":)" + std::to_string(op.marker) + "}";
        break;
    }
    return op;
  }

  // The org's partner sends every request.
  const std::string& KeyFor(const Op&) const { return w_.partner; }

 private:
  const World& w_;
  std::atomic<int64_t> seq_{1};
};

Op Send(int port, Op op, const std::string& key) {
  try {
    auto r = Request(port, "POST", op.path, op.body,
                     {{"Authorization", "Bearer " + key}, {"Idempotency-Key", op.key}});
    op.status = r.status;
    if (r.status >= 200 && r.status < 300) op.id = Field(r.body, "id");
    if (r.status >= 500) {
      op.server_error_body = r.body;
      op.retry_after = r.headers["retry-after"];
    }
  } catch (const std::exception&) {
    op.status = 0;  // refused connection: the server is gone
  }
  return op;
}

// Clients at full speed until `stop`; the sandbox clock moves on once a
// round, so that the timed jobs (debit-card processing) post to the ledger.
class Load {
 public:
  Load(int port, OpFactory& f, const World& w) : port_(port), f_(f), w_(w) {}

  void Start(int clients) {
    for (int i = 0; i < clients; ++i) {
      threads_.emplace_back([this, i] {
        std::mt19937 rng(static_cast<unsigned>(i * 7919 + time(nullptr)));
        // The first client moves the clock once per round, after a few
        // requests: six hours, so that the debit-card end of day (17:00
        // Pacific) runs during the third round, and the keys of a round stay
        // well inside their 24 hours.
        int advance_after = i == 0 ? 5 + static_cast<int>(rng() % 30) : -1;
        while (!stop_) {
          if (advance_after-- == 0) {
            AdvanceClock();
            continue;
          }
          Op op = Send(port_, f_.Next(rng), w_.partner);
          std::lock_guard<std::mutex> lock(mu_);
          ops_.push_back(std::move(op));
        }
      });
    }
  }
  std::vector<Op> Stop() {
    stop_ = true;
    for (auto& t : threads_) t.join();
    threads_.clear();
    stop_ = false;
    return std::move(ops_);
  }

 private:
  void AdvanceClock() {
    try {
      auto now = Request(port_, "GET", "/v1/sandbox/clock", "", Auth(w_.admin));
      auto t = ParseRfc3339(Field(now.body, "now"));
      if (!t) return;
      Request(port_, "POST", "/v1/sandbox/clock",
              R"({"now":")" + FormatRfc3339(*t + std::chrono::hours(6)) + "\"}", Auth(w_.admin));
    } catch (...) {
    }
  }

  int port_;
  OpFactory& f_;
  const World& w_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::vector<Op> ops_;
};

int64_t Count(store::Store& st, const std::string& sql, std::initializer_list<store::Value> args) {
  int64_t n = -1;
  std::vector<store::Value> params(args);
  Status s = st.Read([&](store::Tx& tx) -> Status {
    auto rows = tx.Query(sql, std::span<const store::Value>(params));
    if (!rows.ok()) return rows.error();
    n = rows->empty() ? 0 : (*rows)[0].Int(0);
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << sql << ": " << (s.ok() ? "" : s.error().message);
  return n;
}

// How many objects the request `op` created, found by its marker.
int64_t Created(store::Store& st, const Op& op) {
  switch (op.kind) {
    case Kind::kTransaction:
      return Count(st, "SELECT COUNT(*) FROM transactions WHERE amount = ?", {op.marker});
    case Kind::kTicket:
      return Count(st, "SELECT COUNT(*) FROM tickets WHERE subject = ?",
                   {"crash-" + std::to_string(op.marker)});
    case Kind::kDeposit:
      return Count(st,
                   "SELECT COUNT(DISTINCT posting_id) FROM ledger_entries WHERE posting_kind = "
                   "'deposit' AND amount = ?",
                   {op.marker});
    case Kind::kPayout:
      return Count(st,
                   "SELECT COUNT(DISTINCT posting_id) FROM ledger_entries WHERE posting_kind = "
                   "'org_payout' AND (amount = ? OR amount = ?)",
                   {op.marker, -op.marker});
  }
  return -1;
}

struct Tally {
  int acknowledged = 0, lost = 0, interrupted = 0, duplicated = 0, retried_differently = 0;
  int imbalanced_postings = 0, balance_mismatches = 0, illegal_histories = 0, api_mismatches = 0;
  int transactions = 0, entries = 0;
  int unavailable = 0, other_server_errors = 0;  // answers while the database was down
};

// The ledger: every posting sums to zero per currency; every running balance
// is the sum of its account's entries; the API shows those sums.
void CheckLedger(store::Store& st, int port, const World& w, Tally& t) {
  std::map<std::string, int64_t> sums;  // account → sum of entries
  Status s = st.Read([&](store::Tx& tx) -> Status {
    auto bad = tx.Query(
        "SELECT posting_id, currency, SUM(amount) FROM ledger_entries GROUP BY posting_id, "
        "currency HAVING SUM(amount) <> 0",
        std::span<const store::Value>());
    if (!bad.ok()) return bad.error();
    t.imbalanced_postings += static_cast<int>(bad->size());
    for (const auto& r : *bad) ADD_FAILURE() << "posting " << r.Text(0) << " sums to " << r.Int(2);
    auto acc = tx.Query(
        "SELECT account_id, SUM(amount), COUNT(*) FROM ledger_entries GROUP BY "
        "account_id",
        std::span<const store::Value>());
    if (!acc.ok()) return acc.error();
    for (const auto& r : *acc) {
      sums[r.Text(0)] = r.Int(1);
      t.entries += static_cast<int>(r.Int(2));
    }
    auto running = tx.Query("SELECT account_id, balance FROM ledger_balances",
                            std::span<const store::Value>());
    if (!running.ok()) return running.error();
    for (const auto& r : *running) {
      if (sums[r.Text(0)] != r.Int(1)) {
        ++t.balance_mismatches;
        ADD_FAILURE() << "running balance of " << r.Text(0) << " is " << r.Int(1)
                      << ", its entries sum to " << sums[r.Text(0)];
      }
    }
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  auto r = Request(port, "GET", "/v1/accounts?org_id=" + w.org, "", Auth(w.admin));
  ASSERT_EQ(r.status, 200) << r.body;
  const json::value accounts = json::parse(r.body);
  for (const auto& a : accounts.at("data").as_array()) {
    std::string id(a.at("id").as_string());
    if (a.at("balance").as_int64() != sums[id]) {
      ++t.api_mismatches;
      ADD_FAILURE() << "GET /v1/accounts shows " << id << " at " << a.at("balance").as_int64()
                    << ", its entries sum to " << sums[id];
    }
  }
}

// Every transaction's history starts from nothing, moves only along the
// transition table, and ends in the transaction's status.
void CheckHistories(store::Store& st, Tally& t) {
  std::map<std::string, std::string> status;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> steps;
  Status s = st.Read([&](store::Tx& tx) -> Status {
    auto txns = tx.Query("SELECT id, status FROM transactions", std::span<const store::Value>());
    if (!txns.ok()) return txns.error();
    for (const auto& r : *txns) status[r.Text(0)] = r.Text(1);
    auto h = tx.Query(
        "SELECT transaction_id, from_status, to_status FROM transaction_history ORDER BY "
        "transaction_id, at, id",
        std::span<const store::Value>());
    if (!h.ok()) return h.error();
    for (const auto& r : *h) steps[r.Text(0)].emplace_back(r.Text(1), r.Text(2));
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.error().message;
  t.transactions = static_cast<int>(status.size());
  for (const auto& [id, st_now] : status) {
    const auto& path = steps[id];
    std::string why;
    if (path.empty()) why = "no history";
    std::string at;  // the status reached so far
    for (size_t i = 0; i < path.size() && why.empty(); ++i) {
      const auto& [from, to] = path[i];
      if (i == 0) {
        if (!from.empty()) why = "starts from " + from;
      } else if (from != at) {
        why = "step " + std::to_string(i) + " leaves " + from + " but the transaction was " + at;
      } else {
        auto f = ParseTxnStatus(from), tt = ParseTxnStatus(to);
        if (!f || !tt || FindTxnTransition(*f, *tt) == nullptr) {
          why = from + " -> " + to + " is not in the transition table";
        }
      }
      at = to;
    }
    if (why.empty() && at != st_now) why = "history ends in " + at + ", status is " + st_now;
    if (!why.empty()) {
      ++t.illegal_histories;
      ADD_FAILURE() << "transaction " << id << ": " << why;
    }
  }
}

// Retries and checks one round's requests against the store.
void CheckRound(store::Store& st, int port, const OpFactory& f, std::vector<Op>& ops,
                const World& w, Tally& t) {
  for (Op& op : ops) {
    SCOPED_TRACE(std::string(KindName(op.kind)) + " " + op.key);
    const bool acked = op.status >= 200 && op.status < 300;
    if (op.status >= 500 || op.status == 0) {
      // No answer, or the database went away under it: the retry with the
      // key finishes the work or gives the original answer.
      ++t.interrupted;
      if (op.status == 503) {
        ++t.unavailable;
        // The database's own words stay in the log: the client reads a plain
        // message and when to retry.
        EXPECT_NE(op.server_error_body.find("payops cannot serve this request right now"),
                  std::string::npos)
            << op.server_error_body;
        EXPECT_FALSE(op.retry_after.empty());
      }
      if (op.status >= 500 && op.status != 503) ++t.other_server_errors;
      Op again = Send(port, op, f.KeyFor(op));
      EXPECT_NE(again.status, 0);
      EXPECT_LT(again.status, 500) << "retry of an interrupted request";
      int64_t n = Created(st, op);
      if (again.status >= 200 && again.status < 300) {
        if (n != 1) {
          ++t.duplicated;
          ADD_FAILURE() << "retried request exists " << n << " times";
        }
        Op third = Send(port, op, f.KeyFor(op));
        if (third.id != again.id || third.status != again.status) ++t.retried_differently;
        EXPECT_EQ(third.id, again.id);
      } else if (n != 0) {
        ++t.duplicated;
        ADD_FAILURE() << "refused retry (" << again.status << ") but " << n << " exist";
      }
      continue;
    }
    if (!acked) {
      EXPECT_EQ(Created(st, op), 0) << "refused with " << op.status << " but stored";
      continue;
    }
    ++t.acknowledged;
    int64_t n = Created(st, op);
    if (n != 1) {
      ++t.lost;
      ADD_FAILURE() << "acknowledged (" << op.status << ", id " << op.id << ") but found " << n;
    }
    if (op.kind == Kind::kTransaction || op.kind == Kind::kTicket) {
      auto got = Request(port, "GET", op.path + "/" + op.id, "", Auth(f.KeyFor(op)));
      if (got.status != 200) {
        ++t.lost;
        ADD_FAILURE() << "GET " << op.path << "/" << op.id << " answered " << got.status;
      }
    }
    // The key answers with the original object.
    Op again = Send(port, op, f.KeyFor(op));
    if (again.id != op.id || again.status != op.status) {
      ++t.retried_differently;
      ADD_FAILURE() << "retry with the key answered " << again.status << " " << again.id
                    << " instead of " << op.status << " " << op.id;
    }
  }
  CheckLedger(st, port, w, t);
  CheckHistories(st, t);
}

void Report(const char* backend, int rounds, const Tally& t) {
  std::printf(
      "crash-safety %s: rounds=%d acknowledged=%d interrupted=%d lost=%d duplicated=%d "
      "retried_differently=%d imbalanced_postings=%d balance_mismatches=%d api_mismatches=%d "
      "illegal_histories=%d transactions=%d ledger_entries=%d answered_503=%d other_5xx=%d\n",
      backend, rounds, t.acknowledged, t.interrupted, t.lost, t.duplicated, t.retried_differently,
      t.imbalanced_postings, t.balance_mismatches, t.api_mismatches, t.illegal_histories,
      t.transactions, t.entries, t.unavailable, t.other_server_errors);
  EXPECT_EQ(t.lost, 0);
  EXPECT_EQ(t.duplicated, 0);
  EXPECT_EQ(t.retried_differently, 0);
  EXPECT_EQ(t.imbalanced_postings + t.balance_mismatches + t.api_mismatches, 0);
  EXPECT_EQ(t.illegal_histories, 0);
  EXPECT_GT(t.acknowledged, 0);
}

std::string AdminKey(ServerProcess& s) {
  int rc = 0;
  std::string key = s.RunCli({"key", "create", "--store", s.store_url(), "--role", "admin",
                              "--name", "Crash admin", "--email", "admin@payops.test"},
                             &rc);
  if (rc != 0) throw std::runtime_error("key create failed");
  key.erase(key.find_last_not_of('\n') + 1);
  return key;
}

TEST(CrashSafety, SigkillOfTheServerOnSqliteLosesNoAcknowledgedWrite) {
  char tmpl[] = "/tmp/payops-crash-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string url = "sqlite://" + dir + "/payops.db";
  auto server = std::make_unique<ServerProcess>(url);
  const World w = MakeWorld(*server, AdminKey(*server));
  OpFactory factory(w);
  auto st = store::Open(url);
  ASSERT_TRUE(st.ok());
  std::mt19937 rng(static_cast<unsigned>(time(nullptr)));
  Tally t;
  const int rounds = Rounds();
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Load load(server->port(), factory, w);
    load.Start(4);
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 1500));
    server->Kill();
    std::vector<Op> ops = load.Stop();
    server = std::make_unique<ServerProcess>(url);
    CheckRound(**st, server->port(), factory, ops, w, t);
  }
  Report("sqlite", rounds, t);
  server.reset();
  std::string rm = "rm -rf '" + dir + "'";
  EXPECT_EQ(std::system(rm.c_str()), 0);
}

// A private PostgreSQL cluster: restarting it must not disturb the shared
// test cluster the other tests use.
class PrivateCluster {
 public:
  PrivateCluster() {
    char tmpl[] = "/tmp/payops-crash-pg-XXXXXX";
    dir_ = mkdtemp(tmpl);
    Run(std::string(PAYOPS_SCRIPTS_DIR) + "/pg-test-cluster.sh start '" + dir_ + "' >/dev/null");
    std::ifstream u(dir_ + "/url"), d(dir_ + "/data_path");
    std::getline(u, url_);
    std::getline(d, data_);
  }
  ~PrivateCluster() {
    Run(std::string(PAYOPS_SCRIPTS_DIR) + "/pg-test-cluster.sh stop '" + dir_ + "' >/dev/null");
    Run("rm -rf '" + dir_ + "'");
  }
  const std::string& url() const { return url_; }
  // The crash of the database: no checkpoint, no shutdown; then it starts
  // again with its previous options and recovers from its WAL.
  void ImmediateRestart() {
    Run(AsPostgres() + "/usr/lib/postgresql/15/bin/pg_ctl -D '" + data_ + "/db' -m immediate -w " +
        "-t 60 -l '" + data_ + "/server.log' restart >/dev/null");
  }

 private:
  static std::string AsPostgres() { return getuid() == 0 ? "runuser -u postgres -- " : ""; }
  static void Run(const std::string& cmd) {
    if (std::system(cmd.c_str()) != 0) throw std::runtime_error("failed: " + cmd);
  }
  std::string dir_, url_, data_;
};

TEST(CrashSafety, ImmediateRestartOfPostgresqlLosesNoAcknowledgedWrite) {
  PrivateCluster pg;
  auto server = std::make_unique<ServerProcess>(pg.url());
  const World w = MakeWorld(*server, AdminKey(*server));
  OpFactory factory(w);
  auto st = store::Open(pg.url());
  ASSERT_TRUE(st.ok()) << st.error().message;
  std::mt19937 rng(static_cast<unsigned>(time(nullptr)));
  Tally t;
  const int rounds = Rounds();
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    Load load(server->port(), factory, w);
    load.Start(4);
    std::this_thread::sleep_for(std::chrono::milliseconds(300 + rng() % 1500));
    pg.ImmediateRestart();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    std::vector<Op> ops = load.Stop();
    // The same server serves on once the database is back.
    for (int i = 0; i < 100 && Request(server->port(), "GET", "/readyz").status != 200; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    // The test's own connections broke with the database: a fresh store.
    st = store::Open(pg.url());
    ASSERT_TRUE(st.ok()) << st.error().message;
    CheckRound(**st, server->port(), factory, ops, w, t);
  }
  Report("postgresql", rounds, t);
}

}  // namespace
}  // namespace payops::testing
