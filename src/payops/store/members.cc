#include "payops/store/members.h"

namespace payops::store {
namespace {

Member FromRow(const Row& r) {
  Member m;
  m.id = r.Text(0);
  m.role = ParseRole(r.Text(1)).value_or(Role::kPartner);
  m.org_id = r.OptText(2);
  m.name = r.Text(3);
  m.email = r.Text(4);
  m.created_at = FromMicros(r.Int(5));
  return m;
}

}  // namespace

Status InsertMember(Tx& tx, const Member& m) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO members (id, role, org_id, name, email, created_at) "
              "VALUES (?, ?, ?, ?, ?, ?)",
              {m.id, std::string(RoleName(m.role)), Opt(m.org_id), m.name, m.email,
               ToMicros(m.created_at)}));
  return Status::Ok();
}

Result<std::optional<Member>> FindMemberByEmail(Tx& tx, Role role,
                                                const std::optional<std::string>& org_id,
                                                const std::string& email) {
  std::optional<Row> row;
  const char* base =
      "SELECT id, role, org_id, name, email, created_at FROM members WHERE role = ? AND "
      "email = ? AND ";
  if (org_id) {
    PAYOPS_ASSIGN_OR_RETURN(row, tx.QueryOne(std::string(base) + "org_id = ?",
                                             {std::string(RoleName(role)), email, *org_id}));
  } else {
    PAYOPS_ASSIGN_OR_RETURN(row, tx.QueryOne(std::string(base) + "org_id IS NULL",
                                             {std::string(RoleName(role)), email}));
  }
  if (!row) return std::optional<Member>();
  return std::optional<Member>(FromRow(*row));
}

Status InsertApiKey(Tx& tx, const ApiKeyRecord& k) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO api_keys (id, member_id, key_hash, name, created_at) "
              "VALUES (?, ?, ?, ?, ?)",
              {k.id, k.member_id, k.key_hash, k.name, ToMicros(k.created_at)}));
  return Status::Ok();
}

Result<std::optional<Member>> FindMemberByKeyHash(Tx& tx, const std::string& key_hash) {
  PAYOPS_ASSIGN_OR_RETURN(
      auto row, tx.QueryOne("SELECT m.id, m.role, m.org_id, m.name, m.email, m.created_at "
                            "FROM api_keys k JOIN members m ON m.id = k.member_id "
                            "WHERE k.key_hash = ? AND k.revoked_at IS NULL",
                            {key_hash}));
  if (!row) return std::optional<Member>();
  return std::optional<Member>(FromRow(*row));
}

}  // namespace payops::store
