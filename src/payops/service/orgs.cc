#include "payops/service/orgs.h"

#include "payops/core/validate.h"
#include "payops/store/orgs.h"

namespace payops::service {

Result<Org> CreateOrg(Env& env, const Actor& actor, Org input) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin}));
  input.domain = ToLowerAscii(input.domain);
  PAYOPS_TRY(ValidateOrg(input));
  input.id = env.ids.New("org");
  input.created_at = input.updated_at = env.clock.Now();
  Status s = env.store.Write([&](store::Tx& tx) { return store::InsertOrg(tx, input); });
  if (!s.ok() && s.error().code == "duplicate") {
    return Error::Conflict("domain_taken", "an org with domain " + input.domain + " exists");
  }
  PAYOPS_TRY(s);
  return input;
}

Result<Org> GetOrg(Env& env, const Actor& actor, const std::string& id) {
  if (actor.role == Role::kEmi) return Error::Forbidden("EMI users do not read orgs");
  if (actor.tenant() && *actor.tenant() != id) return Error::NotFound("org");
  std::optional<Org> org;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(org, store::FindOrg(tx, id));
    return Status::Ok();
  }));
  if (!org) return Error::NotFound("org");
  return std::move(*org);
}

Result<store::Page<Org>> ListOrgs(Env& env, const Actor& actor, const store::PageRequest& page) {
  if (actor.role == Role::kEmi) return Error::Forbidden("EMI users do not read orgs");
  store::Page<Org> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListOrgs(tx, page, actor.tenant()));
    return Status::Ok();
  }));
  return out;
}

}  // namespace payops::service
