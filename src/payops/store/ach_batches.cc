#include "payops/store/ach_batches.h"

namespace payops::store {
namespace {

constexpr const char* kColumns =
    "id, batch_date, status, cutoff_at, settles_at, closed_at, settled_at, entry_count, "
    "total_debit";

AchBatch FromRow(const Row& r) {
  AchBatch b;
  b.id = r.Text(0);
  b.batch_date = r.Text(1);
  b.status = r.Text(2);
  b.cutoff_at = FromMicros(r.Int(3));
  b.settles_at = FromMicros(r.Int(4));
  b.closed_at = FromMicros(r.Int(5));
  if (!r.IsNull(6)) b.settled_at = FromMicros(r.Int(6));
  b.entry_count = r.Int(7);
  b.total_debit = r.Int(8);
  return b;
}

}  // namespace

Status InsertAchBatch(Tx& tx, const AchBatch& b) {
  PAYOPS_TRY(tx.Exec(
      std::string("INSERT INTO ach_batches (") + kColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {b.id, b.batch_date, b.status, ToMicros(b.cutoff_at), ToMicros(b.settles_at),
       ToMicros(b.closed_at), b.settled_at ? Value(ToMicros(*b.settled_at)) : Value(Null{}),
       b.entry_count, b.total_debit}));
  return Status::Ok();
}

Status MarkAchBatchSettled(Tx& tx, const std::string& id, Instant at) {
  PAYOPS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE ach_batches SET status = 'settled', "
                                             "settled_at = ? WHERE id = ? AND status = 'closed'",
                                             {ToMicros(at), id}));
  if (n != 1) return Error::Conflict("batch_not_closed", "batch " + id + " is not closed");
  return Status::Ok();
}

Result<std::optional<AchBatch>> FindAchBatch(Tx& tx, const std::string& id) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryOne(std::string("SELECT ") + kColumns + " FROM ach_batches WHERE id = ?", {id}));
  if (!row) return std::optional<AchBatch>();
  return std::optional<AchBatch>(FromRow(*row));
}

Result<Page<AchBatch>> ListAchBatches(Tx& tx, const PageRequest& page,
                                      const std::optional<std::string>& date) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM ach_batches WHERE id > ?";
  std::vector<Value> params{page.after_id.value_or("")};
  if (date) {
    sql += " AND batch_date = ?";
    params.emplace_back(*date);
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(int64_t{page.limit + 1});
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  return ToPage<AchBatch>(rows, page.limit, FromRow);
}

Result<std::vector<TransactionRecord>> PendingFor(Tx& tx, const std::string& funding_type,
                                                  const std::string& date, int limit) {
  std::vector<Value> params{funding_type, date, int64_t{limit}};
  const char* where = funding_type == "ach"
                          ? "status = 'PENDING' AND funding_type = ? AND batch_date <= ? "
                            "AND trace_number IS NULL ORDER BY id LIMIT ?"
                          : "funding_type = ? AND status = 'PENDING' AND settlement_date <= ? "
                            "ORDER BY id LIMIT ?";
  return SelectTransactions(tx, where, params);
}

Result<std::vector<TransactionRecord>> BatchTransactions(Tx& tx, const std::string& batch_date,
                                                         int limit) {
  std::vector<Value> params{batch_date, int64_t{limit}};
  return SelectTransactions(tx,
                            "funding_type = 'ach' AND batch_date = ? AND trace_number IS NOT NULL "
                            "ORDER BY trace_number LIMIT ?",
                            params);
}

Status AddToBatch(Tx& tx, const std::string& transaction_id, const std::string& trace,
                  const std::string& batch_date) {
  PAYOPS_TRY(tx.Exec(
      "UPDATE transactions SET trace_number = ?, batch_date = ?, settlement_date = ? WHERE id = ?",
      {trace, batch_date, batch_date, transaction_id}));
  return Status::Ok();
}

Result<std::optional<TransactionRecord>> FindByTrace(Tx& tx, const std::string& trace) {
  std::vector<Value> params{trace};
  PAYOPS_ASSIGN_OR_RETURN(auto rows, SelectTransactions(tx, "trace_number = ?", params));
  if (rows.empty()) return std::optional<TransactionRecord>();
  return std::optional<TransactionRecord>(std::move(rows.front()));
}

}  // namespace payops::store
