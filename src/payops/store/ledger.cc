#include "payops/store/ledger.h"

#include <cassert>

namespace payops::store {

Status InsertPosting(Tx& tx, const std::string& posting_id, const std::string& org_id,
                     const Posting& p, Instant at, const std::vector<std::string>& entry_ids) {
  assert(entry_ids.size() == p.entries.size());
  for (size_t i = 0; i < p.entries.size(); ++i) {
    const LedgerEntry& e = p.entries[i];
    PAYOPS_TRY(tx.Exec(
        "INSERT INTO ledger_entries (id, posting_id, posting_kind, reference, "
        "org_id, account_id, currency, amount, at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {entry_ids[i], posting_id, std::string(PostingKindName(p.kind)), p.reference, org_id,
         e.account_id, std::string(e.currency.code()), e.amount_minor, ToMicros(at)}));
  }
  return Status::Ok();
}

Result<Posting> FindPosting(Tx& tx, const std::string& reference, PostingKind kind) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT account_id, currency, amount FROM "
                                              "ledger_entries WHERE reference = ? AND "
                                              "posting_kind = ? ORDER BY id",
                                              {reference, std::string(PostingKindName(kind))}));
  Posting p;
  p.kind = kind;
  p.reference = reference;
  for (const Row& r : rows) {
    auto currency = Currency::Parse(r.Text(1));
    if (!currency.ok()) return Error::Internal("ledger entry with currency " + r.Text(1));
    p.entries.push_back(LedgerEntry{r.Text(0), *currency, r.Int(2)});
  }
  return p;
}

namespace {

// SQLite's SUM fails ("integer overflow") as soon as a partial sum leaves
// int64, which depends on the order it reads the rows in. Each amount is split
// into a quotient and a remainder of kSplit instead: the two sums of small
// parts cannot overflow for any realistic count of rows, and
// amount = quotient × kSplit + remainder (both SQL dialects truncate toward
// zero) puts the balance together with checked arithmetic.
constexpr int64_t kSplit = 1'000'000;
constexpr const char* kSplitSums = "SUM(amount / 1000000), SUM(amount % 1000000)";

Result<int64_t> Combine(const Row& r, size_t quotient_column) {
  PAYOPS_ASSIGN_OR_RETURN(int64_t high, CheckedMul(r.Int(quotient_column), kSplit));
  return CheckedAdd(high, r.Int(quotient_column + 1));
}

}  // namespace

Result<std::vector<AccountBalance>> OrgBalances(Tx& tx, const std::string& org_id) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows,
                          tx.Query(std::string("SELECT account_id, currency, ") + kSplitSums +
                                       " FROM ledger_entries WHERE org_id = ? "
                                       "GROUP BY account_id, currency "
                                       "ORDER BY account_id",
                                   {org_id}));
  std::vector<AccountBalance> out;
  for (const Row& r : rows) {
    PAYOPS_ASSIGN_OR_RETURN(int64_t balance, Combine(r, 2));
    out.push_back(AccountBalance{r.Text(0), r.Text(1), balance});
  }
  return out;
}

Result<Page<AccountBalance>> OrgBalances(Tx& tx, const std::string& org_id,
                                         const PageRequest& page) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows,
                          tx.Query(std::string("SELECT account_id, currency, ") + kSplitSums +
                                       " FROM ledger_entries WHERE org_id = ? AND account_id > ? "
                                       "GROUP BY account_id, currency "
                                       "ORDER BY account_id, currency LIMIT ?",
                                   {org_id, page.after_id.value_or(""), int64_t{page.limit} + 1}));
  Page<AccountBalance> out;
  for (const Row& r : rows) {
    if (static_cast<int>(out.items.size()) == page.limit) {
      out.has_more = true;
      break;
    }
    PAYOPS_ASSIGN_OR_RETURN(int64_t balance, Combine(r, 2));
    out.items.push_back(AccountBalance{r.Text(0), r.Text(1), balance});
  }
  return out;
}

Result<int64_t> SumOfEntries(Tx& tx, const std::string& account_id, const std::string& currency) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT COUNT(*), ") + kSplitSums +
                                                    " FROM ledger_entries WHERE account_id = ? "
                                                    "AND currency = ?",
                                                {account_id, currency}));
  if (!row || row->Int(0) == 0) return int64_t{0};
  return Combine(*row, 1);
}

Result<std::optional<int64_t>> FindRunningBalance(Tx& tx, const std::string& account_id,
                                                  const std::string& currency) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT balance FROM ledger_balances WHERE "
                                                "account_id = ? AND currency = ?",
                                                {account_id, currency}));
  if (!row) return std::optional<int64_t>();
  return std::optional<int64_t>(row->Int(0));
}

Status PutRunningBalance(Tx& tx, const std::string& account_id, const std::string& currency,
                         int64_t balance_minor) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO ledger_balances (account_id, currency, balance) "
              "VALUES (?, ?, ?) ON CONFLICT (account_id, currency) "
              "DO UPDATE SET balance = excluded.balance",
              {account_id, currency, balance_minor}));
  return Status::Ok();
}

Result<Page<PostingLine>> AccountLines(Tx& tx, const std::string& account_id,
                                       const std::vector<std::string>& kinds,
                                       const PageRequest& page) {
  assert(!kinds.empty() && kinds.size() <= 8);
  std::string sql =
      "SELECT id, posting_id, posting_kind, reference, account_id, currency, amount, at FROM "
      "ledger_entries WHERE account_id = ? AND id > ? AND posting_kind IN (";
  std::vector<Value> params{account_id, page.after_id.value_or("")};
  for (size_t i = 0; i < kinds.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.emplace_back(kinds[i]);
  }
  sql += ") ORDER BY id LIMIT ?";
  params.emplace_back(int64_t{page.limit + 1});
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  return ToPage<PostingLine>(rows, page.limit, [](const Row& r) {
    return PostingLine{r.Text(0), r.Text(1), r.Text(2), r.Text(3),
                       r.Text(4), r.Text(5), r.Int(6),  FromMicros(r.Int(7))};
  });
}

}  // namespace payops::store
