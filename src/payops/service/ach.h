// ACH batches and NACHA files (SPEC §2.3): each business day's batch closes at
// the 07:00 Pacific cutoff (its PENDING ACH transactions get trace numbers),
// settles at 12:00 Pacific (they become PROCESSED), and exports as a NACHA
// file; returns files move the matching transactions to RETURNED. Debit cards
// are processed at 17:00 Pacific on business days.
#pragma once

#include "payops/service/env.h"
#include "payops/store/ach_batches.h"

namespace payops::service {

constexpr int kMaxBatchEntries = 100000;  // per batch and per job run

// Closes the batch of `batch_date` (YYYY-MM-DD) at `now`. Nothing to close is
// no error; returns the batch when one was created.
Result<std::optional<store::AchBatch>> CloseAchBatch(Env& env, const std::string& batch_date);
// Settles the closed batch of `batch_date`: its transactions → PROCESSED.
Status SettleAchBatch(Env& env, const std::string& batch_date);
// Debit-card transactions due by `date` → PROCESSED.
Status ProcessDebitCards(Env& env, const std::string& date);

Result<store::Page<store::AchBatch>> ListAchBatches(Env& env, const Actor& actor,
                                                    const store::PageRequest& page,
                                                    const std::optional<std::string>& date);
Result<store::AchBatch> GetAchBatch(Env& env, const Actor& actor, const std::string& id);
// The batch's NACHA file (94-character records, blocked by 10).
Result<std::string> ExportNacha(Env& env, const Actor& actor, const std::string& batch_id);

struct ReturnsReport {
  std::vector<std::pair<std::string, std::string>> returned;  // transaction id, R-code
  std::vector<std::string> unknown_traces;
};
// Applies a returns file: all matching transactions or none (any entry whose
// transaction cannot be returned fails the whole file). Traces that match no
// transaction are reported, not applied.
Result<ReturnsReport> ImportReturns(Env& env, const Actor& actor, std::string_view file_text);

}  // namespace payops::service
