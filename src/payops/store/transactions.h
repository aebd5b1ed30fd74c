// Transactions and their history.
#pragma once

#include "payops/core/clock.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

struct TransactionRecord {
  std::string id;
  std::string org_id;
  std::string user_id;
  std::string recipient_id;
  std::string funding_type;  // ach | debit_card
  std::string funding_id;
  int64_t amount = 0;
  std::string currency;
  std::string payout_currency;
  std::string corridor;
  int64_t fee = 0;
  std::string ip_address;
  std::optional<std::string> ip_country;
  std::string device_id;
  std::string status;
  std::optional<std::string> hold_reason;
  std::optional<std::string> cancel_reason;
  std::optional<std::string> resume_from;  // pipeline step to start from after a release
  std::optional<int64_t> risk_score;
  std::optional<std::string> risk_band;
  std::optional<std::string> risk_reasons;  // JSON [{code, points}]
  std::optional<std::string> batch_date;
  std::optional<std::string> settlement_date;
  std::optional<std::string> return_code;
  std::optional<int64_t> pending_at_us;
  std::optional<int64_t> processed_at_us;
  std::optional<std::string> trace_number;  // set when its ACH batch closes
  Instant created_at;
  Instant updated_at;
};

struct HistoryEntry {
  std::string id;
  std::string transaction_id;
  Instant at;
  std::optional<std::string> from_status;  // null for the creation
  std::string to_status;
  std::string actor;   // member id or "system"
  std::string reason;  // a reason code or short fact
  std::optional<std::string> note;
};

// Stores a new transaction with its first `history` entries (on PostgreSQL
// in one statement with them, its first uses and its usage buckets).
Status InsertTransaction(Tx& tx, const TransactionRecord& t,
                         std::span<const HistoryEntry> history = {});
// Writes every mutable column of `t` (status, reasons, risk, dates, updated_at).
Status UpdateTransaction(Tx& tx, const TransactionRecord& t);
Result<std::optional<TransactionRecord>> FindTransaction(Tx& tx, const std::string& id,
                                                         const std::optional<std::string>& tenant);

struct TransactionFilter {
  std::optional<std::string> org_id;
  std::optional<std::string> status;
  std::optional<std::string> user_id;
  std::optional<std::string> hold_reason;  // "GEOIP_FAILED": only HOLD transactions held for it
  std::optional<Instant> created_from;     // inclusive
  std::optional<Instant> created_to;       // exclusive
};
Result<Page<TransactionRecord>> ListTransactions(Tx& tx, const PageRequest& page,
                                                 const TransactionFilter& filter);

// How many transactions are HOLD for each hold reason (only reasons with at
// least one), in the org `org_id` or in every org; sorted by reason code.
struct HoldCount {
  std::string reason;
  int64_t count = 0;
  friend bool operator==(const HoldCount&, const HoldCount&) = default;
};
Result<std::vector<HoldCount>> CountHolds(Tx& tx, const std::optional<std::string>& org_id);

// The user's transactions of the last 24 h and 30 days: how many were created
// after `day_since` (every status: the risk score's velocity), and the amounts
// that count toward limits (CANCELED excluded) after `day_since` and after
// `month_since`. Requires month_since <= day_since. The cost does not grow with
// the user's history: whole days and hours come from the usage buckets that
// InsertTransaction and UpdateTransaction keep, and only the part of the
// window's first hour is read from the transactions themselves.
struct RecentActivity {
  int64_t count_since_day = 0;
  int64_t usage_since_day_minor = 0;
  int64_t usage_since_month_minor = 0;
};
Result<RecentActivity> UserRecentActivity(Tx& tx, const std::string& user_id, Instant day_since,
                                          Instant month_since);
// What the risk score knows of the user's past: whether the user already
// sent to the recipient, already used the device, and how many of the user's
// transactions were returned.
struct UserPast {
  bool used_recipient = false;
  bool used_device = false;
  int64_t returns = 0;
};
// What an initiation reads of the user's past, in one query: the recent
// activity (UserRecentActivity) and the risk facts (UserPast).
struct InitiationFacts {
  RecentActivity recent;
  UserPast past;
};
Result<InitiationFacts> UserInitiationFacts(Tx& tx, const std::string& user_id,
                                            const std::string& recipient_id,
                                            const std::string& device_id, Instant day_since,
                                            Instant month_since);
Result<int64_t> UserReturnCount(Tx& tx, const std::string& user_id);

// The holds an event lifts by itself: a user's KYC_NOT_VERIFIED holds (its
// KYC became VERIFIED) or a bank account's BANK_LOGIN_REQUIRED holds (its
// status is VERIFIED again). Each is read through a partial index that holds
// only those transactions. In id order, at most `limit`.
enum class HeldFor { kUserKyc, kBankLogin };
Result<std::vector<TransactionRecord>> HeldTransactions(Tx& tx, HeldFor what, const std::string& id,
                                                        int limit);
// The user's transactions in INITIATED, HOLD or PENDING.
Result<std::vector<TransactionRecord>> OpenTransactionsOfUser(Tx& tx, const std::string& user_id,
                                                              int limit);

// SELECT <all columns> FROM transactions WHERE <where> (with `?` params), for
// the other repositories that read transactions.
Result<std::vector<TransactionRecord>> SelectTransactions(Tx& tx, const std::string& where,
                                                          std::span<const Value> params);

// Appends the entries in one statement.
Status AppendHistory(Tx& tx, std::span<const HistoryEntry> entries);
inline Status AppendHistory(Tx& tx, const HistoryEntry& h) {
  return AppendHistory(tx, std::span<const HistoryEntry>(&h, 1));
}
Result<std::vector<HistoryEntry>> ListHistory(Tx& tx, const std::string& transaction_id, int limit);

}  // namespace payops::store
