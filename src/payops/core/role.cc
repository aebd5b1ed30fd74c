#include "payops/core/role.h"

namespace payops {

std::optional<Role> ParseRole(std::string_view s) {
  if (s == "admin") return Role::kAdmin;
  if (s == "agent") return Role::kAgent;
  if (s == "ops_manager") return Role::kOpsManager;
  if (s == "emi") return Role::kEmi;
  if (s == "partner") return Role::kPartner;
  return std::nullopt;
}

std::string_view RoleName(Role r) {
  switch (r) {
    case Role::kAdmin:
      return "admin";
    case Role::kAgent:
      return "agent";
    case Role::kOpsManager:
      return "ops_manager";
    case Role::kEmi:
      return "emi";
    case Role::kPartner:
      return "partner";
  }
  return "unknown";
}

}  // namespace payops
