#include "payops/store/funding.h"

#include <cassert>

namespace payops::store {
namespace {

constexpr const char* kBankColumns =
    "id, org_id, user_id, routing_number, account_sealed, account_last4, account_type, "
    "bank_status, sandbox_balance, sandbox_error, created_at, updated_at";
constexpr const char* kCardColumns = "id, org_id, user_id, token, last4, created_at";
constexpr const char* kRecipientColumns =
    "id, org_id, user_id, name, country, payout_method, created_at";
constexpr size_t kBankColumnCount = 12, kCardColumnCount = 6, kRecipientColumnCount = 7;

// "a, b" as "t.a, t.b".
std::string Qualified(std::string_view columns, std::string_view table) {
  std::string out(table);
  out += '.';
  for (char c : columns) {
    out += c;
    if (c == ' ') (out += table) += '.';
  }
  return out;
}

BankAccount BankFromRow(const Row& r) {
  return BankAccount{r.Text(0),
                     r.Text(1),
                     r.Text(2),
                     r.Text(3),
                     r.Text(4),
                     r.Text(5),
                     r.Text(6),
                     r.Text(7),
                     r.Int(8),
                     r.OptText(9),
                     FromMicros(r.Int(10)),
                     FromMicros(r.Int(11))};
}
Card CardFromRow(const Row& r) {
  return Card{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), FromMicros(r.Int(5))};
}
Recipient RecipientFromRow(const Row& r) {
  return Recipient{r.Text(0), r.Text(1), r.Text(2),           r.Text(3),
                   r.Text(4), r.Text(5), FromMicros(r.Int(6))};
}

// SELECT <columns> FROM <table> WHERE id = ? [AND org_id = ?]
Result<std::optional<Row>> FindById(Tx& tx, const char* columns, const char* table,
                                    const std::string& id,
                                    const std::optional<std::string>& tenant) {
  std::string sql = std::string("SELECT ") + columns + " FROM " + table + " WHERE id = ?";
  if (tenant) return tx.QueryOne(sql + " AND org_id = ?", {id, *tenant});
  return tx.QueryOne(sql, {id});
}

// One page of a user's rows of `table` in id order.
template <class T>
Result<Page<T>> ListByUser(Tx& tx, const char* columns, const char* table,
                           const std::string& user_id, const PageRequest& page,
                           T (*from_row)(const Row&)) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows,
                          tx.Query(std::string("SELECT ") + columns + " FROM " + table +
                                       " WHERE user_id = ? AND id > ? ORDER BY id LIMIT ?",
                                   {user_id, page.after_id.value_or(""), int64_t{page.limit} + 1}));
  return ToPage<T>(rows, page.limit, from_row);
}

}  // namespace

Result<PaymentParties> FindPaymentParties(Tx& tx, const std::string& org_id,
                                          const std::string& recipient_id,
                                          const std::string& funding_type,
                                          const std::string& funding_id) {
  const bool ach = funding_type == "ach";
  static const std::string kWithBank =
      "SELECT " + Qualified(kRecipientColumns, "r") + ", " + Qualified(kBankColumns, "f") +
      " FROM (SELECT 1 AS one) AS o LEFT JOIN recipients r ON r.id = ? AND r.org_id = ? "
      "LEFT JOIN bank_accounts f ON f.id = ? AND f.org_id = ?";
  static const std::string kWithCard =
      "SELECT " + Qualified(kRecipientColumns, "r") + ", " + Qualified(kCardColumns, "f") +
      " FROM (SELECT 1 AS one) AS o LEFT JOIN recipients r ON r.id = ? AND r.org_id = ? "
      "LEFT JOIN cards f ON f.id = ? AND f.org_id = ?";
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(ach ? kWithBank : kWithCard,
                                                {recipient_id, org_id, funding_id, org_id}));
  PaymentParties out;
  if (!row) return out;
  const size_t f = kRecipientColumnCount;
  assert(row->size() == f + (ach ? kBankColumnCount : kCardColumnCount));
  if (!row->IsNull(0)) out.recipient = RecipientFromRow(row->Columns(0, f));
  if (!row->IsNull(f)) {
    if (ach) {
      out.bank = BankFromRow(row->Columns(f, kBankColumnCount));
    } else {
      out.card = CardFromRow(row->Columns(f, kCardColumnCount));
    }
  }
  return out;
}

Status InsertBankAccount(Tx& tx, const BankAccount& a) {
  PAYOPS_TRY(tx.Exec(std::string("INSERT INTO bank_accounts (") + kBankColumns +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {a.id, a.org_id, a.user_id, a.routing_number, a.account_sealed,
                      a.account_last4, a.account_type, a.bank_status, a.sandbox_balance,
                      Opt(a.sandbox_error), ToMicros(a.created_at), ToMicros(a.updated_at)}));
  return Status::Ok();
}

Result<std::optional<BankAccount>> FindBankAccount(Tx& tx, const std::string& id,
                                                   const std::optional<std::string>& tenant) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, FindById(tx, kBankColumns, "bank_accounts", id, tenant));
  if (!row) return std::optional<BankAccount>();
  return std::optional<BankAccount>(BankFromRow(*row));
}

Status UpdateBankAccount(Tx& tx, const BankAccount& a) {
  PAYOPS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE bank_accounts SET bank_status = ?, "
                                             "sandbox_balance = ?, sandbox_error = ?, "
                                             "updated_at = ? WHERE id = ?",
                                             {a.bank_status, a.sandbox_balance,
                                              Opt(a.sandbox_error), ToMicros(a.updated_at), a.id}));
  if (n != 1) return Error::NotFound("bank account");
  return Status::Ok();
}

Result<Page<BankAccount>> ListBankAccounts(Tx& tx, const std::string& user_id,
                                           const PageRequest& page) {
  return ListByUser<BankAccount>(tx, kBankColumns, "bank_accounts", user_id, page, BankFromRow);
}

Result<std::vector<SealedAccountNumber>> ListSealedAccountNumbers(Tx& tx,
                                                                  const std::string& after_id,
                                                                  int limit) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT id, account_sealed FROM bank_accounts "
                                              "WHERE id > ? ORDER BY id LIMIT ?",
                                              {after_id, int64_t{limit}}));
  std::vector<SealedAccountNumber> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(SealedAccountNumber{r.Text(0), r.Text(1)});
  return out;
}

Status UpdateSealedAccountNumber(Tx& tx, const std::string& bank_account_id,
                                 const std::string& sealed) {
  PAYOPS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE bank_accounts SET account_sealed = ? "
                                             "WHERE id = ?",
                                             {sealed, bank_account_id}));
  if (n != 1) return Error::Internal("bank account " + bank_account_id + " vanished");
  return Status::Ok();
}

Status InsertCard(Tx& tx, const Card& c) {
  PAYOPS_TRY(
      tx.Exec(std::string("INSERT INTO cards (") + kCardColumns + ") VALUES (?, ?, ?, ?, ?, ?)",
              {c.id, c.org_id, c.user_id, c.token, c.last4, ToMicros(c.created_at)}));
  return Status::Ok();
}

Result<std::optional<Card>> FindCard(Tx& tx, const std::string& id,
                                     const std::optional<std::string>& tenant) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, FindById(tx, kCardColumns, "cards", id, tenant));
  if (!row) return std::optional<Card>();
  return std::optional<Card>(CardFromRow(*row));
}

Result<Page<Card>> ListCards(Tx& tx, const std::string& user_id, const PageRequest& page) {
  return ListByUser<Card>(tx, kCardColumns, "cards", user_id, page, CardFromRow);
}

Status InsertRecipient(Tx& tx, const Recipient& r) {
  PAYOPS_TRY(tx.Exec(
      std::string("INSERT INTO recipients (") + kRecipientColumns +
          ") VALUES (?, ?, ?, ?, ?, ?, ?)",
      {r.id, r.org_id, r.user_id, r.name, r.country, r.payout_method, ToMicros(r.created_at)}));
  return Status::Ok();
}

Result<std::optional<Recipient>> FindRecipient(Tx& tx, const std::string& id,
                                               const std::optional<std::string>& tenant) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, FindById(tx, kRecipientColumns, "recipients", id, tenant));
  if (!row) return std::optional<Recipient>();
  return std::optional<Recipient>(RecipientFromRow(*row));
}

Result<Page<Recipient>> ListRecipients(Tx& tx, const std::string& user_id,
                                       const PageRequest& page) {
  return ListByUser<Recipient>(tx, kRecipientColumns, "recipients", user_id, page,
                               RecipientFromRow);
}

}  // namespace payops::store
