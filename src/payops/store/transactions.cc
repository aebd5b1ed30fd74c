#include "payops/store/transactions.h"

#include <cassert>

#include "payops/core/money.h"

namespace payops::store {
namespace {

constexpr const char* kColumns =
    "id, org_id, user_id, recipient_id, funding_type, funding_id, amount, currency, "
    "payout_currency, corridor, fee, ip_address, ip_country, device_id, status, hold_reason, "
    "cancel_reason, resume_from, risk_score, risk_band, risk_reasons, batch_date, "
    "settlement_date, return_code, pending_at, processed_at, created_at, updated_at, trace_number";

TransactionRecord FromRow(const Row& r) {
  TransactionRecord t;
  t.id = r.Text(0);
  t.org_id = r.Text(1);
  t.user_id = r.Text(2);
  t.recipient_id = r.Text(3);
  t.funding_type = r.Text(4);
  t.funding_id = r.Text(5);
  t.amount = r.Int(6);
  t.currency = r.Text(7);
  t.payout_currency = r.Text(8);
  t.corridor = r.Text(9);
  t.fee = r.Int(10);
  t.ip_address = r.Text(11);
  t.ip_country = r.OptText(12);
  t.device_id = r.Text(13);
  t.status = r.Text(14);
  t.hold_reason = r.OptText(15);
  t.cancel_reason = r.OptText(16);
  t.resume_from = r.OptText(17);
  t.risk_score = r.OptInt(18);
  t.risk_band = r.OptText(19);
  t.risk_reasons = r.OptText(20);
  t.batch_date = r.OptText(21);
  t.settlement_date = r.OptText(22);
  t.return_code = r.OptText(23);
  t.pending_at_us = r.OptInt(24);
  t.processed_at_us = r.OptInt(25);
  t.created_at = FromMicros(r.Int(26));
  t.updated_at = FromMicros(r.Int(27));
  t.trace_number = r.OptText(28);
  return t;
}

Result<std::vector<TransactionRecord>> Many(Tx& tx, const std::string& sql,
                                            std::span<const Value> params) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  std::vector<TransactionRecord> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(FromRow(r));
  return out;
}

// Usage buckets: per user and per hour / per day (UTC, by created_at), the
// number of transactions and the sum of the amounts of those not CANCELED.
constexpr int64_t kHourUs = int64_t{3600} * 1000 * 1000;
constexpr int64_t kDayUs = 24 * kHourUs;

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

struct UsageBucket {
  const char* upsert;
  int64_t width_us;
};
constexpr UsageBucket kUsageBuckets[] = {
    {"INSERT INTO user_usage_hours (user_id, bucket, tx_count, amount) VALUES (?, ?, ?, ?) "
     "ON CONFLICT (user_id, bucket) DO UPDATE SET tx_count = user_usage_hours.tx_count + "
     "excluded.tx_count, amount = user_usage_hours.amount + excluded.amount",
     kHourUs},
    {"INSERT INTO user_usage_days (user_id, bucket, tx_count, amount) VALUES (?, ?, ?, ?) "
     "ON CONFLICT (user_id, bucket) DO UPDATE SET tx_count = user_usage_days.tx_count + "
     "excluded.tx_count, amount = user_usage_days.amount + excluded.amount",
     kDayUs}};

std::vector<Value> UsageParams(const UsageBucket& b, const std::string& user_id, Instant created_at,
                               int64_t count, int64_t amount) {
  return {user_id, FloorDiv(ToMicros(created_at), b.width_us), count, amount};
}

Status AddUsage(Tx& tx, const std::string& user_id, Instant created_at, int64_t count,
                int64_t amount) {
  for (const UsageBucket& b : kUsageBuckets) {
    PAYOPS_TRY(tx.Exec(b.upsert, UsageParams(b, user_id, created_at, count, amount)));
  }
  return Status::Ok();
}

// The parts of a usage window after `since`, tagged `tag`, for one UNION ALL
// query: the rest of since's hour from the transactions (covering index), the
// rest of its day from hour buckets, the days after from day buckets. Each
// part gives (tag, count, amount).
void AppendUsageParts(std::string& sql, std::vector<Value>& params, int64_t tag,
                      const std::string& user_id, Instant since) {
  const int64_t s = ToMicros(since);
  const int64_t hour = FloorDiv(s, kHourUs);
  const int64_t day = FloorDiv(s, kDayUs);
  const std::string t = std::to_string(tag);
  if (!sql.empty()) sql += " UNION ALL ";
  sql += "SELECT " + t +
         ", COUNT(*), COALESCE(SUM(CASE WHEN status <> 'CANCELED' THEN amount ELSE 0 END), 0) "
         "FROM transactions WHERE user_id = ? AND created_at > ? AND created_at < ? "
         "UNION ALL SELECT " +
         t +
         ", COALESCE(SUM(tx_count), 0), COALESCE(SUM(amount), 0) FROM user_usage_hours WHERE "
         "user_id = ? AND bucket > ? AND bucket < ? "
         "UNION ALL SELECT " +
         t +
         ", COALESCE(SUM(tx_count), 0), COALESCE(SUM(amount), 0) FROM user_usage_days WHERE "
         "user_id = ? AND bucket > ?";
  for (Value v : std::initializer_list<Value>{user_id, s, (hour + 1) * kHourUs, user_id, hour,
                                              (day + 1) * 24, user_id, day}) {
    params.push_back(std::move(v));
  }
}

// The usage parts of the day window (tag 0) and the month window (tag 1).
void AppendBothWindows(std::string& sql, std::vector<Value>& params, const std::string& user_id,
                       Instant day_since, Instant month_since) {
  assert(month_since <= day_since);
  AppendUsageParts(sql, params, 0, user_id, day_since);
  AppendUsageParts(sql, params, 1, user_id, month_since);
}

// Adds a row (tag, count, amount) of AppendUsageParts to `out`: tag 0 the day
// window, tag 1 the month window.
Status AddUsageRow(RecentActivity& out, const Row& r) {
  if (r.Int(0) == 0) {
    out.count_since_day += r.Int(1);
    PAYOPS_ASSIGN_OR_RETURN(out.usage_since_day_minor,
                            CheckedAdd(out.usage_since_day_minor, r.Int(2)));
  } else {
    PAYOPS_ASSIGN_OR_RETURN(out.usage_since_month_minor,
                            CheckedAdd(out.usage_since_month_minor, r.Int(2)));
  }
  return Status::Ok();
}

// One INSERT of the entries: its SQL and parameters.
std::pair<std::string, std::vector<Value>> HistoryInsert(std::span<const HistoryEntry> entries) {
  std::string sql =
      "INSERT INTO transaction_history (id, transaction_id, at, from_status, to_status, actor, "
      "reason, note) VALUES ";
  std::vector<Value> params;
  params.reserve(entries.size() * 8);
  for (const HistoryEntry& h : entries) {
    sql += params.empty() ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)";
    for (Value v :
         std::initializer_list<Value>{h.id, h.transaction_id, ToMicros(h.at), Opt(h.from_status),
                                      h.to_status, h.actor, h.reason, Opt(h.note)}) {
      params.push_back(std::move(v));
    }
  }
  return {std::move(sql), std::move(params)};
}

}  // namespace

Status InsertTransaction(Tx& tx, const TransactionRecord& t,
                         std::span<const HistoryEntry> history) {
  // The row, the first uses (a row exists already for all but the first
  // transaction, and then nothing is written) and the usage buckets.
  std::vector<std::pair<std::string, std::vector<Value>>> statements;
  statements.push_back(
      {std::string("INSERT INTO transactions (") + kColumns +
           ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
           "?, ?, ?, ?)",
       {t.id,
        t.org_id,
        t.user_id,
        t.recipient_id,
        t.funding_type,
        t.funding_id,
        t.amount,
        t.currency,
        t.payout_currency,
        t.corridor,
        t.fee,
        t.ip_address,
        Opt(t.ip_country),
        t.device_id,
        t.status,
        Opt(t.hold_reason),
        Opt(t.cancel_reason),
        Opt(t.resume_from),
        Opt(t.risk_score),
        Opt(t.risk_band),
        Opt(t.risk_reasons),
        Opt(t.batch_date),
        Opt(t.settlement_date),
        Opt(t.return_code),
        Opt(t.pending_at_us),
        Opt(t.processed_at_us),
        ToMicros(t.created_at),
        ToMicros(t.updated_at),
        Opt(t.trace_number)}});
  statements.push_back(
      {"INSERT INTO user_recipients_used (user_id, recipient_id) VALUES (?, ?) "
       "ON CONFLICT (user_id, recipient_id) DO NOTHING",
       {t.user_id, t.recipient_id}});
  statements.push_back(
      {"INSERT INTO user_devices_used (user_id, device_id) VALUES (?, ?) "
       "ON CONFLICT (user_id, device_id) DO NOTHING",
       {t.user_id, t.device_id}});
  for (const UsageBucket& b : kUsageBuckets) {
    statements.push_back({b.upsert, UsageParams(b, t.user_id, t.created_at, 1,
                                                t.status == "CANCELED" ? 0 : t.amount)});
  }
  if (!history.empty()) statements.push_back(HistoryInsert(history));
  if (tx.dialect() != Dialect::kPostgres) {
    for (const auto& [sql, params] : statements) PAYOPS_TRY(tx.Exec(sql, params));
    return Status::Ok();
  }
  // PostgreSQL: one round trip, the first ones as data-modifying WITH
  // clauses of the last (different tables: no row is touched twice).
  std::string sql = "WITH ";
  std::vector<Value> params;
  for (size_t i = 0; i < statements.size(); ++i) {
    if (i + 1 < statements.size()) {
      sql += (i ? ", w" : "w") + std::to_string(i) + " AS (" + statements[i].first + ")";
    } else {
      sql += " " + statements[i].first;
    }
    for (Value& v : statements[i].second) params.push_back(std::move(v));
  }
  PAYOPS_TRY(tx.Exec(sql, params));
  return Status::Ok();
}

Status UpdateTransaction(Tx& tx, const TransactionRecord& t) {
  // CANCELED is final: a transaction becoming CANCELED stops counting toward limits.
  bool newly_canceled = false;
  if (t.status == "CANCELED") {
    PAYOPS_ASSIGN_OR_RETURN(auto was,
                            tx.QueryOne("SELECT status FROM transactions WHERE id = ?", {t.id}));
    newly_canceled = was && was->Text(0) != "CANCELED";
  }
  PAYOPS_ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec("UPDATE transactions SET status = ?, hold_reason = ?, cancel_reason = ?, "
              "resume_from = ?, risk_score = ?, risk_band = ?, risk_reasons = ?, batch_date = ?, "
              "settlement_date = ?, return_code = ?, pending_at = ?, processed_at = ?, "
              "ip_country = ?, updated_at = ? WHERE id = ?",
              {t.status, Opt(t.hold_reason), Opt(t.cancel_reason), Opt(t.resume_from),
               Opt(t.risk_score), Opt(t.risk_band), Opt(t.risk_reasons), Opt(t.batch_date),
               Opt(t.settlement_date), Opt(t.return_code), Opt(t.pending_at_us),
               Opt(t.processed_at_us), Opt(t.ip_country), ToMicros(t.updated_at), t.id}));
  if (n != 1) return Error::NotFound("transaction");
  if (newly_canceled) PAYOPS_TRY(AddUsage(tx, t.user_id, t.created_at, 0, -t.amount));
  return Status::Ok();
}

Result<std::optional<TransactionRecord>> FindTransaction(Tx& tx, const std::string& id,
                                                         const std::optional<std::string>& tenant) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM transactions WHERE id = ?";
  std::optional<Row> row;
  if (tenant) {
    PAYOPS_ASSIGN_OR_RETURN(row, tx.QueryOne(sql + " AND org_id = ?", {id, *tenant}));
  } else {
    PAYOPS_ASSIGN_OR_RETURN(row, tx.QueryOne(sql, {id}));
  }
  if (!row) return std::optional<TransactionRecord>();
  return std::optional<TransactionRecord>(FromRow(*row));
}

Result<Page<TransactionRecord>> ListTransactions(Tx& tx, const PageRequest& page,
                                                 const TransactionFilter& f) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM transactions WHERE id > ?";
  std::vector<Value> params{page.after_id.value_or("")};
  auto add = [&](const char* clause, Value v) {
    sql += clause;
    params.push_back(std::move(v));
  };
  if (f.org_id) add(" AND org_id = ?", *f.org_id);
  if (f.status) add(" AND status = ?", *f.status);
  if (f.user_id) add(" AND user_id = ?", *f.user_id);
  if (f.hold_reason) add(" AND status = 'HOLD' AND hold_reason = ?", *f.hold_reason);
  if (f.created_from) add(" AND created_at >= ?", ToMicros(*f.created_from));
  if (f.created_to) add(" AND created_at < ?", ToMicros(*f.created_to));
  add(" ORDER BY id LIMIT ?", int64_t{page.limit + 1});
  PAYOPS_ASSIGN_OR_RETURN(auto all, Many(tx, sql, params));
  Page<TransactionRecord> out;
  out.has_more = static_cast<int>(all.size()) > page.limit;
  if (out.has_more) all.resize(page.limit);
  out.items = std::move(all);
  return out;
}

Result<std::vector<HoldCount>> CountHolds(Tx& tx, const std::optional<std::string>& org_id) {
  std::string sql = "SELECT hold_reason, COUNT(*) FROM transactions WHERE status = 'HOLD'";
  std::vector<Value> params;
  if (org_id) {
    sql += " AND org_id = ?";
    params.emplace_back(*org_id);
  }
  sql += " GROUP BY hold_reason ORDER BY hold_reason";
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  std::vector<HoldCount> out;
  for (const Row& r : rows) {
    if (auto reason = r.OptText(0)) out.push_back(HoldCount{*reason, r.Int(1)});
  }
  return out;
}

Result<RecentActivity> UserRecentActivity(Tx& tx, const std::string& user_id, Instant day_since,
                                          Instant month_since) {
  // Both windows in one round trip.
  std::string sql;
  std::vector<Value> params;
  AppendBothWindows(sql, params, user_id, day_since, month_since);
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  RecentActivity out;
  for (const Row& r : rows) PAYOPS_TRY(AddUsageRow(out, r));
  return out;
}

Result<InitiationFacts> UserInitiationFacts(Tx& tx, const std::string& user_id,
                                            const std::string& recipient_id,
                                            const std::string& device_id, Instant day_since,
                                            Instant month_since) {
  // Rows (tag, a, b): the usage parts of both windows (tags 0 and 1, as in
  // UserRecentActivity), the first uses (tag 2) and the returns (tag 3).
  std::string sql;
  std::vector<Value> params;
  AppendBothWindows(sql, params, user_id, day_since, month_since);
  sql +=
      " UNION ALL SELECT 2, CASE WHEN EXISTS (SELECT 1 FROM user_recipients_used WHERE user_id = ? "
      "AND recipient_id = ?) THEN 1 ELSE 0 END, CASE WHEN EXISTS (SELECT 1 FROM user_devices_used "
      "WHERE user_id = ? AND device_id = ?) THEN 1 ELSE 0 END UNION ALL SELECT 3, COUNT(*), 0 FROM "
      "transactions WHERE user_id = ? AND status = 'RETURNED'";
  for (Value v : std::initializer_list<Value>{user_id, recipient_id, user_id, device_id, user_id}) {
    params.push_back(std::move(v));
  }
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  InitiationFacts out;
  bool saw_past = false;
  for (const Row& r : rows) {
    const int64_t tag = r.Int(0);
    if (tag <= 1) {
      PAYOPS_TRY(AddUsageRow(out.recent, r));
    } else if (tag == 2) {
      out.past.used_recipient = r.Int(1) != 0;
      out.past.used_device = r.Int(2) != 0;
      saw_past = true;
    } else {
      out.past.returns = r.Int(1);
    }
  }
  if (!saw_past) return Error::Internal("the initiation facts query returned no risk row");
  return out;
}

Result<int64_t> UserReturnCount(Tx& tx, const std::string& user_id) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT COUNT(*) FROM transactions WHERE "
                                                "user_id = ? AND status = 'RETURNED'",
                                                {user_id}));
  return row->Int(0);
}

Result<std::vector<TransactionRecord>> HeldTransactions(Tx& tx, HeldFor what, const std::string& id,
                                                        int limit) {
  // The conditions are spelled as the partial indexes of migration 14 are,
  // so that the planner may use them.
  static const std::string kByUser = std::string("SELECT ") + kColumns +
                                     " FROM transactions WHERE user_id = ? AND status = 'HOLD' AND "
                                     "hold_reason = 'KYC_NOT_VERIFIED' ORDER BY id LIMIT ?";
  static const std::string kByFunding =
      std::string("SELECT ") + kColumns +
      " FROM transactions WHERE funding_id = ? AND status = 'HOLD' AND "
      "hold_reason = 'BANK_LOGIN_REQUIRED' ORDER BY id LIMIT ?";
  std::vector<Value> params{id, int64_t{limit}};
  return Many(tx, what == HeldFor::kUserKyc ? kByUser : kByFunding, params);
}

Result<std::vector<TransactionRecord>> OpenTransactionsOfUser(Tx& tx, const std::string& user_id,
                                                              int limit) {
  std::vector<Value> params{user_id, int64_t{limit}};
  return Many(tx,
              std::string("SELECT ") + kColumns +
                  " FROM transactions WHERE user_id = ? AND status IN ('INITIATED', 'HOLD', "
                  "'PENDING') ORDER BY id LIMIT ?",
              params);
}

Result<std::vector<TransactionRecord>> SelectTransactions(Tx& tx, const std::string& where,
                                                          std::span<const Value> params) {
  return Many(tx, std::string("SELECT ") + kColumns + " FROM transactions WHERE " + where, params);
}

Status AppendHistory(Tx& tx, std::span<const HistoryEntry> entries) {
  if (entries.empty()) return Status::Ok();
  auto [sql, params] = HistoryInsert(entries);
  PAYOPS_TRY(tx.Exec(sql, params));
  return Status::Ok();
}

Result<std::vector<HistoryEntry>> ListHistory(Tx& tx, const std::string& transaction_id,
                                              int limit) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows,
                          tx.Query("SELECT id, transaction_id, at, from_status, to_status, actor, "
                                   "reason, note FROM transaction_history WHERE transaction_id = ? "
                                   "ORDER BY at, id LIMIT ?",
                                   {transaction_id, int64_t{limit}}));
  std::vector<HistoryEntry> out;
  for (const Row& r : rows) {
    out.push_back(HistoryEntry{r.Text(0), r.Text(1), FromMicros(r.Int(2)), r.OptText(3), r.Text(4),
                               r.Text(5), r.Text(6), r.OptText(7)});
  }
  return out;
}

}  // namespace payops::store
