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

Result<std::vector<AccountBalance>> OrgBalances(Tx& tx, const std::string& org_id) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT account_id, currency, SUM(amount) FROM "
                                              "ledger_entries WHERE org_id = ? GROUP BY "
                                              "account_id, currency ORDER BY account_id",
                                              {org_id}));
  std::vector<AccountBalance> out;
  for (const Row& r : rows) out.push_back(AccountBalance{r.Text(0), r.Text(1), r.Int(2)});
  return out;
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
