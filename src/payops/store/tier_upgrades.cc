#include "payops/store/tier_upgrades.h"

namespace payops::store {
namespace {

constexpr const char* kColumns =
    "id, org_id, user_id, from_tier, target_tier, status, reason, decided_by, created_at, "
    "updated_at";

TierUpgrade FromRow(const Row& r) {
  return TierUpgrade{r.Text(0),
                     r.Text(1),
                     r.Text(2),
                     r.Int(3),
                     r.Int(4),
                     r.Text(5),
                     r.OptText(6),
                     r.OptText(7),
                     FromMicros(r.Int(8)),
                     FromMicros(r.Int(9))};
}

Result<std::optional<TierUpgrade>> One(Result<std::optional<Row>> row) {
  if (!row.ok()) return row.take_error();
  if (!row.value()) return std::optional<TierUpgrade>();
  return std::optional<TierUpgrade>(FromRow(*row.value()));
}

}  // namespace

Status InsertTierUpgrade(Tx& tx, const TierUpgrade& u) {
  PAYOPS_TRY(
      tx.Exec(std::string("INSERT INTO tier_upgrades (") + kColumns +
                  ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {u.id, u.org_id, u.user_id, u.from_tier, u.target_tier, u.status, Opt(u.reason),
               Opt(u.decided_by), ToMicros(u.created_at), ToMicros(u.updated_at)}));
  return Status::Ok();
}

Status UpdateTierUpgrade(Tx& tx, const TierUpgrade& u) {
  PAYOPS_ASSIGN_OR_RETURN(int64_t n, tx.Exec("UPDATE tier_upgrades SET status = ?, reason = ?, "
                                             "decided_by = ?, updated_at = ? WHERE id = ?",
                                             {u.status, Opt(u.reason), Opt(u.decided_by),
                                              ToMicros(u.updated_at), u.id}));
  if (n != 1) return Error::NotFound("tier upgrade");
  return Status::Ok();
}

Result<std::optional<TierUpgrade>> FindTierUpgrade(Tx& tx, const std::string& id,
                                                   const std::optional<std::string>& tenant) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM tier_upgrades WHERE id = ?";
  if (tenant) return One(tx.QueryOne(sql + " AND org_id = ?", {id, *tenant}));
  return One(tx.QueryOne(sql, {id}));
}

Result<std::optional<TierUpgrade>> ActiveTierUpgrade(Tx& tx, const std::string& user_id) {
  return One(tx.QueryOne(std::string("SELECT ") + kColumns +
                             " FROM tier_upgrades WHERE user_id = ? AND status IN ('OPEN', "
                             "'SUBMITTED') LIMIT 1",
                         {user_id}));
}

Result<Page<TierUpgrade>> ListTierUpgrades(Tx& tx, const PageRequest& page,
                                           const TierUpgradeFilter& f) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM tier_upgrades WHERE id > ?";
  std::vector<Value> params{page.after_id.value_or("")};
  if (f.status) {
    sql += " AND status = ?";
    params.emplace_back(*f.status);
  }
  if (f.org_id) {
    sql += " AND org_id = ?";
    params.emplace_back(*f.org_id);
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(int64_t{page.limit + 1});
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  return ToPage<TierUpgrade>(rows, page.limit, FromRow);
}

Status InsertUpgradeDocument(Tx& tx, const UpgradeDocument& d) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO tier_upgrade_documents (id, upgrade_id, name, content_type, "
              "size_bytes, sha256, content_base64, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              {d.id, d.upgrade_id, d.name, d.content_type, d.size_bytes, d.sha256, d.content_base64,
               ToMicros(d.created_at)}));
  return Status::Ok();
}

Result<std::vector<UpgradeDocument>> ListUpgradeDocuments(Tx& tx, const std::string& upgrade_id,
                                                          int limit) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT id, upgrade_id, name, content_type, "
                                              "size_bytes, sha256, created_at FROM "
                                              "tier_upgrade_documents WHERE upgrade_id = ? "
                                              "ORDER BY id LIMIT ?",
                                              {upgrade_id, int64_t{limit}}));
  std::vector<UpgradeDocument> out;
  for (const Row& r : rows) {
    out.push_back(UpgradeDocument{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Text(5),
                                  "", FromMicros(r.Int(6))});
  }
  return out;
}

Result<std::optional<UpgradeDocument>> FindUpgradeDocument(Tx& tx, const std::string& upgrade_id,
                                                           const std::string& doc_id) {
  PAYOPS_ASSIGN_OR_RETURN(auto row,
                          tx.QueryOne("SELECT id, upgrade_id, name, content_type, size_bytes, "
                                      "sha256, content_base64, created_at FROM "
                                      "tier_upgrade_documents WHERE id = ? AND upgrade_id = ?",
                                      {doc_id, upgrade_id}));
  if (!row) return std::optional<UpgradeDocument>();
  const Row& r = *row;
  return std::optional<UpgradeDocument>(UpgradeDocument{r.Text(0), r.Text(1), r.Text(2), r.Text(3),
                                                        r.Int(4), r.Text(5), r.Text(6),
                                                        FromMicros(r.Int(7))});
}

}  // namespace payops::store
