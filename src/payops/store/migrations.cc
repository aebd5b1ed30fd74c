// Versioned schema migrations. A migration is applied once, in order, in one
// transaction, and recorded in schema_migrations. Never edit a released
// migration: add a new one. Types are chosen to mean the same on both
// backends: TEXT, BIGINT (instants in UTC microseconds, money in minor units).
#include <array>
#include <string>

#include "payops/store/store.h"

namespace payops::store {
namespace {

struct Migration {
  int version;
  const char* name;
  const char* sql;           // statements separated by ";\n"
  const char* sqlite_extra;  // backend-specific, may be empty
  const char* postgres_extra;
};

constexpr Migration kMigrations[] = {
    {1, "foundation",
     R"SQL(
CREATE TABLE orgs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  domain TEXT NOT NULL UNIQUE,
  sla_plan TEXT NOT NULL,
  hypercare_plan TEXT NOT NULL,
  bau_plan TEXT NOT NULL,
  go_live_date TEXT NOT NULL,
  allowed_countries TEXT NOT NULL,
  emi_name TEXT,
  emi_contact_email TEXT,
  emi_escalation_procedure TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE org_fees (
  org_id TEXT NOT NULL REFERENCES orgs(id),
  direction TEXT NOT NULL,
  currency TEXT NOT NULL,
  corridor TEXT NOT NULL,
  fee_minor BIGINT NOT NULL,
  PRIMARY KEY (org_id, direction, currency, corridor)
);
CREATE TABLE members (
  id TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  org_id TEXT REFERENCES orgs(id),
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX members_org ON members(org_id);
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES members(id),
  key_hash TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  revoked_at BIGINT
);
CREATE TABLE end_users (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  name TEXT NOT NULL,
  email TEXT NOT NULL,
  country TEXT NOT NULL,
  state TEXT,
  kyc_status TEXT NOT NULL,
  tier BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (org_id, email)
);
CREATE INDEX end_users_org ON end_users(org_id, id);
CREATE TABLE audit_log (
  id TEXT PRIMARY KEY,
  entity_type TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id, at);
CREATE TABLE idempotency_keys (
  scope TEXT NOT NULL,
  idem_key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status BIGINT NOT NULL,
  body TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (scope, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
CREATE TABLE job_runs (
  name TEXT PRIMARY KEY,
  last_run_at BIGINT NOT NULL
);
CREATE TABLE settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
)
)SQL",
     "", ""},
    {2, "funding_and_transactions",
     R"SQL(
CREATE TABLE bank_accounts (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES end_users(id),
  routing_number TEXT NOT NULL,
  account_sealed TEXT NOT NULL,
  account_last4 TEXT NOT NULL,
  account_type TEXT NOT NULL,
  bank_status TEXT NOT NULL,
  sandbox_balance BIGINT NOT NULL,
  sandbox_error TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX bank_accounts_user ON bank_accounts(user_id);
CREATE TABLE cards (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES end_users(id),
  token TEXT NOT NULL,
  last4 TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX cards_user ON cards(user_id);
CREATE TABLE recipients (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES end_users(id),
  name TEXT NOT NULL,
  country TEXT NOT NULL,
  payout_method TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX recipients_user ON recipients(user_id);
CREATE TABLE transactions (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES end_users(id),
  recipient_id TEXT NOT NULL REFERENCES recipients(id),
  funding_type TEXT NOT NULL,
  funding_id TEXT NOT NULL,
  amount BIGINT NOT NULL,
  currency TEXT NOT NULL,
  payout_currency TEXT NOT NULL,
  corridor TEXT NOT NULL,
  fee BIGINT NOT NULL,
  ip_address TEXT NOT NULL,
  ip_country TEXT,
  device_id TEXT NOT NULL,
  status TEXT NOT NULL,
  hold_reason TEXT,
  cancel_reason TEXT,
  resume_from TEXT,
  risk_score BIGINT,
  risk_band TEXT,
  risk_reasons TEXT,
  batch_date TEXT,
  settlement_date TEXT,
  return_code TEXT,
  pending_at BIGINT,
  processed_at BIGINT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX transactions_org ON transactions(org_id, id);
CREATE INDEX transactions_user ON transactions(user_id, created_at);
CREATE INDEX transactions_status ON transactions(status, id);
CREATE INDEX transactions_funding ON transactions(funding_id, status);
CREATE TABLE transaction_history (
  id TEXT PRIMARY KEY,
  transaction_id TEXT NOT NULL REFERENCES transactions(id),
  at BIGINT NOT NULL,
  from_status TEXT,
  to_status TEXT NOT NULL,
  actor TEXT NOT NULL,
  reason TEXT NOT NULL,
  note TEXT
);
CREATE INDEX transaction_history_txn ON transaction_history(transaction_id, at, id)
)SQL",
     "", ""},
    {3, "ach_batches",
     R"SQL(
CREATE TABLE ach_batches (
  id TEXT PRIMARY KEY,
  batch_date TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL,
  cutoff_at BIGINT NOT NULL,
  settles_at BIGINT NOT NULL,
  closed_at BIGINT NOT NULL,
  settled_at BIGINT,
  entry_count BIGINT NOT NULL,
  total_debit BIGINT NOT NULL
);
ALTER TABLE transactions ADD COLUMN trace_number TEXT;
CREATE UNIQUE INDEX transactions_trace ON transactions(trace_number);
CREATE INDEX transactions_batch ON transactions(batch_date, funding_type, status)
)SQL",
     "", ""},
    {4, "transaction_lookup_indexes",
     R"SQL(
CREATE INDEX transactions_user_recipient ON transactions(user_id, recipient_id);
CREATE INDEX transactions_user_device ON transactions(user_id, device_id)
)SQL",
     "", ""},
    {5, "transaction_usage_index",
     R"SQL(
CREATE INDEX transactions_user_usage ON transactions(user_id, created_at, status, amount)
)SQL",
     "", ""},
    {6, "ledger",
     R"SQL(
CREATE TABLE ledger_entries (
  id TEXT PRIMARY KEY,
  posting_id TEXT NOT NULL,
  posting_kind TEXT NOT NULL,
  reference TEXT NOT NULL,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  account_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  amount BIGINT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries(account_id, posting_kind, id);
CREATE INDEX ledger_entries_org ON ledger_entries(org_id, account_id);
CREATE INDEX ledger_entries_reference ON ledger_entries(reference, posting_kind)
)SQL",
     "", ""},
    {7, "tier_upgrades",
     R"SQL(
CREATE TABLE tier_upgrades (
  id TEXT PRIMARY KEY,
  org_id TEXT NOT NULL REFERENCES orgs(id),
  user_id TEXT NOT NULL REFERENCES end_users(id),
  from_tier BIGINT NOT NULL,
  target_tier BIGINT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT,
  decided_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX tier_upgrades_user ON tier_upgrades(user_id, status);
CREATE TABLE tier_upgrade_documents (
  id TEXT PRIMARY KEY,
  upgrade_id TEXT NOT NULL REFERENCES tier_upgrades(id),
  name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size_bytes BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  content_base64 TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX tier_upgrade_documents_upgrade ON tier_upgrade_documents(upgrade_id)
)SQL",
     "", ""},
    // Initiation writes every index of transactions once per request: the risk
    // score's count of returns becomes a seek over the few returned rows; the
    // (user_id, created_at) index goes, transactions_user_usage starts with the
    // same columns; trace numbers and batch dates, NULL until a batch, are
    // indexed only once set (every query on them is an equality).
    {8, "transaction_write_indexes",
     R"SQL(
CREATE INDEX transactions_user_returned ON transactions(user_id, status) WHERE status = 'RETURNED';
DROP INDEX transactions_user;
DROP INDEX transactions_trace;
CREATE UNIQUE INDEX transactions_trace ON transactions(trace_number)
  WHERE trace_number IS NOT NULL;
DROP INDEX transactions_batch;
CREATE INDEX transactions_batch ON transactions(batch_date, funding_type, status)
  WHERE batch_date IS NOT NULL
)SQL",
     "", ""},
};

std::vector<std::string> Split(const char* sql) {
  std::vector<std::string> out;
  std::string s(sql);
  size_t start = 0;
  while (start < s.size()) {
    size_t end = s.find(";\n", start);
    if (end == std::string::npos) end = s.size();
    std::string stmt = s.substr(start, end - start);
    if (stmt.find_first_not_of(" \n\t") != std::string::npos) out.push_back(stmt);
    start = end + 2;
  }
  return out;
}

}  // namespace

int LatestSchemaVersion() {
  return kMigrations[std::size(kMigrations) - 1].version;
}

Result<int> Migrate(Store& store) {
  PAYOPS_TRY(store.Write([](Tx& tx) -> Status {
    PAYOPS_TRY(
        tx.Exec("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, "
                "name TEXT NOT NULL, applied_at_unix BIGINT NOT NULL)",
                {}));
    return Status::Ok();
  }));
  int reached = 0;
  for (const Migration& m : kMigrations) {
    bool applied = false;
    PAYOPS_TRY(store.Write([&](Tx& tx) -> Status {
      if (tx.dialect() == Dialect::kPostgres) {
        // Several servers may start at once: serialize their migrations.
        PAYOPS_TRY(tx.Query("SELECT pg_advisory_xact_lock(7252011)", {}));
      }
      PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT version FROM schema_migrations "
                                                    "WHERE version = ?",
                                                    {int64_t{m.version}}));
      if (row) {
        applied = true;
        return Status::Ok();
      }
      for (const std::string& stmt : Split(m.sql)) PAYOPS_TRY(tx.Exec(stmt, {}));
      const char* extra = tx.dialect() == Dialect::kSqlite ? m.sqlite_extra : m.postgres_extra;
      for (const std::string& stmt : Split(extra)) PAYOPS_TRY(tx.Exec(stmt, {}));
      // Recorded with the wall time of the schema change, informational only.
      PAYOPS_TRY(
          tx.Exec("INSERT INTO schema_migrations (version, name, applied_at_unix) "
                  "VALUES (?, ?, 0)",
                  {int64_t{m.version}, std::string(m.name)}));
      return Status::Ok();
    }));
    (void)applied;
    reached = m.version;
  }
  return reached;
}

}  // namespace payops::store
