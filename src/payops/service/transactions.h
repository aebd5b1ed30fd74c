// The transaction engine's application service: initiation, the checks
// pipeline (KYC, GeoIP, risk, balance), holds and their releases, cancels,
// refunds, returns and chargebacks. Every status change goes through the
// transition table of core/transaction.h and is appended to the history with
// time, actor and reason, in the same commit as the change.
#pragma once

#include <map>

#include "payops/service/env.h"
#include "payops/store/funding.h"
#include "payops/store/transactions.h"

namespace payops::service {

struct NewTransaction {
  std::string user_id;
  std::string recipient_id;
  std::string funding_type;  // ach | debit_card
  std::string funding_id;
  int64_t amount = 0;
  std::string currency;
  std::string payout_currency;
  std::string corridor;
  std::string ip_address;
  std::string device_id;
};

struct TransactionView {
  store::TransactionRecord txn;
  std::vector<store::HistoryEntry> history;
  // The names of the members in `history` by id (filled by GetTransaction).
  std::map<std::string, std::string> actor_names;
};

// Validates, checks limits (422 limit_exceeded / user_suspended), stores the
// transaction INITIATED and runs the pipeline; answers with the result.
Result<TransactionView> CreateTransaction(Env& env, const Actor& actor, const NewTransaction& in);
Result<TransactionView> GetTransaction(Env& env, const Actor& actor, const std::string& id);
Result<store::Page<store::TransactionRecord>> ListTransactions(Env& env, const Actor& actor,
                                                               const store::PageRequest& page,
                                                               store::TransactionFilter filter);
// The held transactions counted per hold reason: a partner's of its own org,
// anyone else's of `org_id` or of every org.
Result<std::vector<store::HoldCount>> CountHolds(Env& env, const Actor& actor,
                                                 std::optional<std::string> org_id);

Result<TransactionView> CancelTransaction(Env& env, const Actor& actor, const std::string& id,
                                          const std::string& note);
// An agent lifts a hold; `skip_balance_check` skips only the balance step.
Result<TransactionView> ReleaseTransaction(Env& env, const Actor& actor, const std::string& id,
                                           const std::string& note, bool skip_balance_check);
Result<TransactionView> RetryBalanceCheck(Env& env, const Actor& actor, const std::string& id,
                                          const std::string& note);
Result<TransactionView> RefundTransaction(Env& env, const Actor& actor, const std::string& id,
                                          const std::string& note);
Result<TransactionView> ReturnTransaction(Env& env, const Actor& actor, const std::string& id,
                                          const std::string& r_code);
Result<TransactionView> ChargebackTransaction(Env& env, const Actor& actor, const std::string& id,
                                              const std::string& reason);

// Hooks called inside the transaction that changed the user or the account.
// KYC became VERIFIED: KYC holds of the user are released and re-checked.
Status OnKycVerified(Env& env, store::Tx& tx, const std::string& user_id);
// The user was suspended: INITIATED, HOLD and PENDING transactions whose batch
// is still open are canceled with USER_SUSPENDED.
Status OnUserSuspended(Env& env, store::Tx& tx, const std::string& user_id);
// The bank account is VERIFIED again: its BANK_LOGIN_REQUIRED holds re-run the
// balance check.
Status OnBankVerified(Env& env, store::Tx& tx, const std::string& bank_account_id);

// Batch processing, inside the caller's transaction, as the system:
// PENDING → PROCESSED (settled ACH batch, debit-card end of day).
Status MarkProcessed(Env& env, store::Tx& tx, store::TransactionRecord& t, std::string_view reason,
                     Instant now);
// PROCESSED → RETURNED with an R-code from an imported returns file.
Status MarkReturned(Env& env, store::Tx& tx, store::TransactionRecord& t, const std::string& r_code,
                    const std::string& note, Instant now);

}  // namespace payops::service
