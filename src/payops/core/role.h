// Who a caller is. Roles are fixed by the API contract.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace payops {

enum class Role { kAdmin, kAgent, kOpsManager, kEmi, kPartner };

std::optional<Role> ParseRole(std::string_view s);
std::string_view RoleName(Role r);
// Staff of the platform (admin, agent, ops_manager) see every org.
inline bool IsStaff(Role r) {
  return r == Role::kAdmin || r == Role::kAgent || r == Role::kOpsManager;
}

// The authenticated caller of a request or the system itself for jobs.
struct Actor {
  std::string member_id;  // "system" for jobs
  Role role = Role::kAdmin;
  std::optional<std::string> org_id;  // set for partners
  std::string name;
  std::string email{};       // the member's verified address (keys are issued by admins)
  bool org_admin = false;    // a partner who administers its org (sees all its tickets)
  std::string request_id{};  // the request acting ("" for jobs and commands): the audit trail

  static Actor System() { return Actor{"system", Role::kAdmin, std::nullopt, "system", "", false}; }
  // The org a partner is confined to; nullopt for everyone else.
  const std::optional<std::string>& tenant() const { return org_id; }
};

}  // namespace payops
