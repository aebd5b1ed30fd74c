// Reference for the store benchmarks: raw SQLite inserts of one user row,
// WAL + synchronous=FULL like payops, one transaction per row (no group commit)
// and 64 rows per transaction. Prints rows/s for each.
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace {

double Run(const char* path, int rows, int per_tx) {
  sqlite3* db = nullptr;
  sqlite3_open(path, &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
               "CREATE TABLE IF NOT EXISTS u (id TEXT PRIMARY KEY, org_id TEXT, name TEXT,"
               " email TEXT, country TEXT, kyc TEXT, tier INTEGER, created_at INTEGER,"
               " UNIQUE(org_id, email))",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db,
                     "INSERT INTO u VALUES (?, 'org_1', 'Bench User', ?, 'US', 'VERIFIED', 1, ?)",
                     -1, &st, nullptr);
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < rows; i += per_tx) {
    sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
    for (int j = i; j < i + per_tx && j < rows; ++j) {
      std::string id = "usr_" + std::to_string(per_tx) + "_" + std::to_string(j);
      std::string email = id + "@bench.example";
      sqlite3_bind_text(st, 1, id.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 2, email.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(st, 3, j);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows / secs;
}

}  // namespace

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/tmp/payops-sqlite-reference.db";
  std::printf("raw_sqlite_one_row_per_tx %.0f\n", Run(path, 3000, 1));
  std::printf("raw_sqlite_64_rows_per_tx %.0f\n", Run(path, 200000, 64));
  return 0;
}
