#include "payops/store/orgs.h"

#include <boost/json.hpp>

namespace payops::store {
namespace {

constexpr const char* kOrgColumns =
    "id, name, domain, sla_plan, hypercare_plan, bau_plan, go_live_date, allowed_countries, "
    "emi_name, emi_contact_email, emi_escalation_procedure, created_at, updated_at, "
    "kyc_by_partner, "
    "billing_emails";

std::string CountriesJson(const std::vector<std::string>& countries) {
  boost::json::array a;
  for (const auto& c : countries) a.emplace_back(c);
  return boost::json::serialize(a);
}

std::vector<std::string> ParseCountries(const std::string& text) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& c : v.as_array()) {
    if (c.is_string()) out.emplace_back(c.as_string());
  }
  return out;
}

Org FromRow(const Row& r) {
  Org o;
  o.id = r.Text(0);
  o.name = r.Text(1);
  o.domain = r.Text(2);
  o.sla_plan = r.Text(3);
  o.hypercare_plan = r.Text(4);
  o.bau_plan = r.Text(5);
  o.go_live_date = r.Text(6);
  o.allowed_countries = ParseCountries(r.Text(7));
  if (!r.IsNull(8)) o.emi = EmiInfo{r.Text(8), r.Text(9), r.Text(10)};
  o.created_at = FromMicros(r.Int(11));
  o.updated_at = FromMicros(r.Int(12));
  o.kyc_by_partner = r.Int(13) != 0;
  o.billing_emails = ParseCountries(r.Text(14));
  return o;
}

Status LoadFees(Tx& tx, Org& org) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT direction, currency, corridor, fee_minor "
                                              "FROM org_fees WHERE org_id = ? "
                                              "ORDER BY direction, currency, corridor",
                                              {org.id}));
  for (const Row& r : rows) org.fees.push_back(Fee{r.Text(0), r.Text(1), r.Text(2), r.Int(3)});
  return Status::Ok();
}

}  // namespace

Status InsertOrg(Tx& tx, const Org& o) {
  Value emi_name = o.emi ? Value(o.emi->name) : Value(Null{});
  Value emi_email = o.emi ? Value(o.emi->contact_email) : Value(Null{});
  Value emi_proc = o.emi ? Value(o.emi->escalation_procedure) : Value(Null{});
  PAYOPS_TRY(tx.Exec(
      std::string("INSERT INTO orgs (") + kOrgColumns +
          ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {o.id, o.name, o.domain, o.sla_plan, o.hypercare_plan, o.bau_plan, o.go_live_date,
       CountriesJson(o.allowed_countries), emi_name, emi_email, emi_proc, ToMicros(o.created_at),
       ToMicros(o.updated_at), int64_t{o.kyc_by_partner}, CountriesJson(o.billing_emails)}));
  for (const Fee& f : o.fees) {
    PAYOPS_TRY(
        tx.Exec("INSERT INTO org_fees (org_id, direction, currency, corridor, fee_minor) "
                "VALUES (?, ?, ?, ?, ?)",
                {o.id, f.direction, f.currency, f.corridor, f.fee_minor}));
  }
  return Status::Ok();
}

Status UpdateOrgKycByPartner(Tx& tx, const std::string& id, bool kyc_by_partner,
                             Instant updated_at) {
  PAYOPS_TRY(tx.Exec("UPDATE orgs SET kyc_by_partner = ?, updated_at = ? WHERE id = ?",
                     {int64_t{kyc_by_partner}, ToMicros(updated_at), id}));
  return Status::Ok();
}

Status UpdateOrgBillingEmails(Tx& tx, const std::string& id, const std::vector<std::string>& emails,
                              Instant updated_at) {
  PAYOPS_TRY(tx.Exec("UPDATE orgs SET billing_emails = ?, updated_at = ? WHERE id = ?",
                     {CountriesJson(emails), ToMicros(updated_at), id}));
  return Status::Ok();
}

Result<std::optional<Org>> FindOrg(Tx& tx, const std::string& id) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryOne(std::string("SELECT ") + kOrgColumns + " FROM orgs WHERE id = ?", {id}));
  if (!row) return std::optional<Org>();
  Org org = FromRow(*row);
  PAYOPS_TRY(LoadFees(tx, org));
  return std::optional<Org>(std::move(org));
}

Result<std::optional<Org>> FindOrgByDomain(Tx& tx, const std::string& domain) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row,
      tx.QueryOne(std::string("SELECT ") + kOrgColumns + " FROM orgs WHERE domain = ?", {domain}));
  if (!row) return std::optional<Org>();
  Org org = FromRow(*row);
  PAYOPS_TRY(LoadFees(tx, org));
  return std::optional<Org>(std::move(org));
}

Result<Page<Org>> ListOrgs(Tx& tx, const PageRequest& page,
                           const std::optional<std::string>& only_id) {
  std::string sql = std::string("SELECT ") + kOrgColumns + " FROM orgs WHERE id > ?";
  std::vector<Value> params{page.after_id.value_or("")};
  if (only_id) {
    sql += " AND id = ?";
    params.emplace_back(*only_id);
  }
  sql += " ORDER BY id LIMIT ?";
  params.emplace_back(int64_t{page.limit + 1});
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  Page<Org> out = ToPage<Org>(rows, page.limit, FromRow);
  for (Org& o : out.items) PAYOPS_TRY(LoadFees(tx, o));
  return out;
}

}  // namespace payops::store
