// The double-entry ledger: postings as rows of entries. Balances are sums of
// entries, never stored.
#pragma once

#include "payops/core/clock.h"
#include "payops/core/ledger.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

// Appends the posting's entries (the caller validated it) under `posting_id`.
Status InsertPosting(Tx& tx, const std::string& posting_id, const std::string& org_id,
                     const Posting& p, Instant at, const std::vector<std::string>& entry_ids);
// The entries of the `kind` posting with this reference, as a Posting (empty if none).
Result<Posting> FindPosting(Tx& tx, const std::string& reference, PostingKind kind);

struct AccountBalance {
  std::string account_id;
  std::string currency;
  int64_t balance_minor = 0;
};
// Every account of the org with its balance, in account order. The sums are
// taken so that no partial sum can overflow, whatever the order of the rows;
// error kRefused "amount_overflow" when a balance itself is past int64 (only
// entries written before amounts were bounded can make one).
Result<std::vector<AccountBalance>> OrgBalances(Tx& tx, const std::string& org_id);
// One page of them, in account id order (an account holds one currency).
Result<Page<AccountBalance>> OrgBalances(Tx& tx, const std::string& org_id,
                                         const PageRequest& page);

// The sum of the entries of (account_id, currency), taken as OrgBalances takes it.
Result<int64_t> SumOfEntries(Tx& tx, const std::string& account_id, const std::string& currency);
// The running balance kept for (account_id, currency) (ledger_balances), or
// nullopt when none is kept yet.
Result<std::optional<int64_t>> FindRunningBalance(Tx& tx, const std::string& account_id,
                                                  const std::string& currency);
// Sets the running balance of (account_id, currency).
Status PutRunningBalance(Tx& tx, const std::string& account_id, const std::string& currency,
                         int64_t balance_minor);

struct PostingLine {
  std::string entry_id;
  std::string posting_id;
  std::string kind;
  std::string reference;
  std::string account_id;
  std::string currency;
  int64_t amount_minor = 0;
  Instant at;
};
// The account's entries of the given posting kinds, in id order.
Result<Page<PostingLine>> AccountLines(Tx& tx, const std::string& account_id,
                                       const std::vector<std::string>& kinds,
                                       const PageRequest& page);

}  // namespace payops::store
