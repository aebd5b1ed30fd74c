// Org administration. Admins create orgs; staff read all, partners their own.
#pragma once

#include "payops/core/org.h"
#include "payops/service/env.h"
#include "payops/store/page.h"

namespace payops::service {

// `input` carries every field but id and timestamps. Errors: forbidden,
// invalid_* (field named), duplicate domain (kConflict "domain_taken").
Result<Org> CreateOrg(Env& env, const Actor& actor, Org input);
// kNotFound for unknown ids and for another org of a partner.
Result<Org> GetOrg(Env& env, const Actor& actor, const std::string& id);
Result<store::Page<Org>> ListOrgs(Env& env, const Actor& actor, const store::PageRequest& page);

struct OrgPatch {
  std::optional<bool> kyc_by_partner;
  std::optional<std::vector<std::string>> billing_emails;
};
// Admins only. The change is kept in the org's history (who, when, why).
Result<Org> PatchOrg(Env& env, const Actor& actor, const std::string& id, const OrgPatch& patch,
                     const std::string& reason);

}  // namespace payops::service
