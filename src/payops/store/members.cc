#include "payops/store/members.h"

#include <set>

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
  m.org_admin = r.Int(6) != 0;
  return m;
}

}  // namespace

Status InsertMember(Tx& tx, const Member& m) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO members (id, role, org_id, name, email, created_at, org_admin) "
              "VALUES (?, ?, ?, ?, ?, ?, ?)",
              {m.id, std::string(RoleName(m.role)), Opt(m.org_id), m.name, m.email,
               ToMicros(m.created_at), int64_t{m.org_admin}}));
  return Status::Ok();
}

Result<std::optional<Member>> FindMemberByEmail(Tx& tx, Role role,
                                                const std::optional<std::string>& org_id,
                                                const std::string& email) {
  std::optional<Row> row;
  const char* base =
      "SELECT id, role, org_id, name, email, created_at, org_admin FROM members WHERE role = ? AND "
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
      auto row,
      tx.QueryOne("SELECT m.id, m.role, m.org_id, m.name, m.email, m.created_at, m.org_admin "
                  "FROM api_keys k JOIN members m ON m.id = k.member_id "
                  "WHERE k.key_hash = ? AND k.revoked_at IS NULL",
                  {key_hash}));
  if (!row) return std::optional<Member>();
  return std::optional<Member>(FromRow(*row));
}

Result<std::map<std::string, std::string>> MemberNames(Tx& tx,
                                                       const std::vector<std::string>& actors) {
  std::map<std::string, std::string> names;
  std::set<std::string_view> asked;
  for (const auto& a : actors) {
    if (!a.starts_with("mem_") || !asked.insert(a).second) continue;
    PAYOPS_ASSIGN_OR_RETURN(auto m, FindMember(tx, a));
    if (m) names.emplace(a, m->name);
  }
  return names;
}

Result<std::optional<Member>> FindMember(Tx& tx, const std::string& id) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT id, role, org_id, name, email, created_at, "
                                                "org_admin FROM members WHERE id = ?",
                                                {id}));
  if (!row) return std::optional<Member>();
  return std::optional<Member>(FromRow(*row));
}

Status SetOrgAdmin(Tx& tx, const std::string& member_id, bool org_admin) {
  PAYOPS_TRY(
      tx.Exec("UPDATE members SET org_admin = ? WHERE id = ?", {int64_t{org_admin}, member_id}));
  return Status::Ok();
}

Result<std::vector<Member>> MembersWithRole(Tx& tx, Role role, int limit) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query("SELECT id, role, org_id, name, email, created_at, "
                                              "org_admin FROM members WHERE role = ? ORDER BY id "
                                              "LIMIT ?",
                                              {std::string(RoleName(role)), int64_t{limit}}));
  std::vector<Member> out;
  for (const Row& r : rows) out.push_back(FromRow(r));
  return out;
}

Status PutQueueMember(Tx& tx, const std::string& queue, const std::string& member_id, bool lead) {
  if (lead) PAYOPS_TRY(tx.Exec("UPDATE queue_members SET lead = 0 WHERE queue = ?", {queue}));
  PAYOPS_ASSIGN_OR_RETURN(int64_t n,
                          tx.Exec("UPDATE queue_members SET lead = ? WHERE queue = ? AND "
                                  "member_id = ?",
                                  {int64_t{lead}, queue, member_id}));
  if (n == 0) {
    PAYOPS_TRY(tx.Exec("INSERT INTO queue_members (queue, member_id, lead) VALUES (?, ?, ?)",
                       {queue, member_id, int64_t{lead}}));
  }
  return Status::Ok();
}

Result<bool> DeleteQueueMember(Tx& tx, const std::string& queue, const std::string& member_id) {
  PAYOPS_ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec("DELETE FROM queue_members WHERE queue = ? AND member_id = ?", {queue, member_id}));
  return n > 0;
}

Result<std::vector<QueueMember>> QueueTeam(Tx& tx, const std::string& queue, int limit) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows, tx.Query("SELECT m.id, m.role, m.org_id, m.name, m.email, m.created_at, "
                          "m.org_admin, q.lead FROM queue_members q JOIN members m ON "
                          "m.id = q.member_id WHERE q.queue = ? ORDER BY q.lead DESC, m.id LIMIT ?",
                          {queue, int64_t{limit}}));
  std::vector<QueueMember> out;
  for (const Row& r : rows) out.push_back(QueueMember{queue, FromRow(r), r.Int(7) != 0});
  return out;
}

}  // namespace payops::store
