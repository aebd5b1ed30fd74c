#include "payops/store/end_users.h"

namespace payops::store {
namespace {

constexpr const char* kColumns =
    "id, org_id, name, email, country, state, kyc_status, tier, created_at, updated_at, "
    "kyc_status_since";

EndUser FromRow(const Row& r) {
  EndUser u;
  u.id = r.Text(0);
  u.org_id = r.Text(1);
  u.name = r.Text(2);
  u.email = r.Text(3);
  u.country = r.Text(4);
  u.state = r.OptText(5);
  u.kyc_status = ParseKycStatus(r.Text(6)).value_or(KycStatus::kUnverified);
  u.tier = r.Int(7);
  u.created_at = FromMicros(r.Int(8));
  u.updated_at = FromMicros(r.Int(9));
  u.kyc_status_since = r.IsNull(10) ? u.created_at : FromMicros(r.Int(10));
  return u;
}

}  // namespace

Status InsertEndUser(Tx& tx, const EndUser& u) {
  PAYOPS_TRY(tx.Exec(std::string("INSERT INTO end_users (") + kColumns +
                         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     {u.id, u.org_id, u.name, u.email, u.country, Opt(u.state),
                      std::string(KycStatusName(u.kyc_status)), u.tier, ToMicros(u.created_at),
                      ToMicros(u.updated_at), ToMicros(u.kyc_status_since)}));
  return Status::Ok();
}

Result<std::optional<EndUser>> FindEndUser(Tx& tx, const std::string& id,
                                           const std::optional<std::string>& tenant) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM end_users WHERE id = ?";
  std::optional<Row> row;
  if (tenant) {
    PAYOPS_ASSIGN_OR_RETURN(row, tx.QueryOne(sql + " AND org_id = ?", {id, *tenant}));
  } else {
    PAYOPS_ASSIGN_OR_RETURN(row, tx.QueryOne(sql, {id}));
  }
  if (!row) return std::optional<EndUser>();
  return std::optional<EndUser>(FromRow(*row));
}

Result<std::optional<EndUser>> LockEndUser(Tx& tx, const std::string& id,
                                           const std::optional<std::string>& tenant) {
  if (tx.dialect() != Dialect::kPostgres) return FindEndUser(tx, id, tenant);
  std::string sql = "UPDATE end_users SET lock_seq = lock_seq + 1 WHERE id = ?";
  std::string returning = std::string(" RETURNING ") + kColumns;
  std::optional<Row> row;
  if (tenant) {
    PAYOPS_ASSIGN_OR_RETURN(row, tx.QueryOne(sql + " AND org_id = ?" + returning, {id, *tenant}));
  } else {
    PAYOPS_ASSIGN_OR_RETURN(row, tx.QueryOne(sql + returning, {id}));
  }
  if (!row) return std::optional<EndUser>();
  return std::optional<EndUser>(FromRow(*row));
}

Status LockBankAccountOwner(Tx& tx, const std::string& bank_account_id) {
  if (tx.dialect() != Dialect::kPostgres) return Status::Ok();
  PAYOPS_ASSIGN_OR_RETURN(
      int64_t n, tx.Exec("UPDATE end_users SET lock_seq = lock_seq + 1 WHERE id = (SELECT user_id "
                         "FROM bank_accounts WHERE id = ?)",
                         {bank_account_id}));
  if (n != 1) return Error::NotFound("bank account");
  return Status::Ok();
}

Status UpdateEndUser(Tx& tx, const EndUser& u) {
  PAYOPS_ASSIGN_OR_RETURN(int64_t n,
                          tx.Exec("UPDATE end_users SET kyc_status = ?, tier = ?, state = ?, "
                                  "updated_at = ?, kyc_status_since = ? WHERE id = ?",
                                  {std::string(KycStatusName(u.kyc_status)), u.tier, Opt(u.state),
                                   ToMicros(u.updated_at), ToMicros(u.kyc_status_since), u.id}));
  if (n != 1) return Error::NotFound("user");
  return Status::Ok();
}

Result<Page<EndUser>> ListEndUsers(Tx& tx, const PageRequest& page, const EndUserFilter& f) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM end_users WHERE id > ?";
  std::vector<Value> params{page.after_id.value_or("")};
  if (f.org_id) {
    sql += " AND org_id = ?";
    params.emplace_back(*f.org_id);
  }
  if (f.kyc_status) {
    sql += " AND kyc_status = ?";
    params.emplace_back(*f.kyc_status);
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(int64_t{page.limit + 1});
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  return ToPage<EndUser>(rows, page.limit, FromRow);
}

}  // namespace payops::store
