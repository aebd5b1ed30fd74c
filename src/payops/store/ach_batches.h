// ACH batches: one per business day, closed at the cutoff, settled at noon.
#pragma once

#include "payops/core/clock.h"
#include "payops/store/page.h"
#include "payops/store/store.h"
#include "payops/store/transactions.h"

namespace payops::store {

struct AchBatch {
  std::string id;          // "ach_YYYY-MM-DD"
  std::string batch_date;  // YYYY-MM-DD
  std::string status;      // closed | settled
  Instant cutoff_at;
  Instant settles_at;
  Instant closed_at;
  std::optional<Instant> settled_at;
  int64_t entry_count = 0;
  int64_t total_debit = 0;  // minor units: amounts + fees collected
};

// Error kConflict "duplicate" when the day's batch exists.
Status InsertAchBatch(Tx& tx, const AchBatch& b);
Status MarkAchBatchSettled(Tx& tx, const std::string& id, Instant at);
Result<std::optional<AchBatch>> FindAchBatch(Tx& tx, const std::string& id);
// Batches in id order; `date` filters to one day.
Result<Page<AchBatch>> ListAchBatches(Tx& tx, const PageRequest& page,
                                      const std::optional<std::string>& date);

// PENDING transactions of `funding_type` due by `date`, in id order. ACH:
// not yet in a batch (no trace number) with batch_date ≤ date, so that one
// that missed its batch (it became PENDING just before the cutoff and
// committed after the batch closed, or the batch was full) joins the next;
// debit cards: settlement_date ≤ date.
Result<std::vector<TransactionRecord>> PendingFor(Tx& tx, const std::string& funding_type,
                                                  const std::string& date, int limit);
// The transactions of a batch, in trace order.
Result<std::vector<TransactionRecord>> BatchTransactions(Tx& tx, const std::string& batch_date,
                                                         int limit);
// Puts a transaction in the batch of `batch_date` with its trace number; its
// batch and settlement dates become the batch's (they change only for a
// transaction that missed an earlier batch).
Status AddToBatch(Tx& tx, const std::string& transaction_id, const std::string& trace,
                  const std::string& batch_date);
Result<std::optional<TransactionRecord>> FindByTrace(Tx& tx, const std::string& trace);

}  // namespace payops::store
