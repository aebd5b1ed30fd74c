#include "payops/service/orgs.h"
#include "payops/service/audit.h"

#include <boost/json.hpp>

#include "payops/core/validate.h"
#include "payops/store/kv.h"
#include "payops/store/orgs.h"

namespace payops::service {

Result<Org> CreateOrg(Env& env, const Actor& actor, Org input) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin}));
  input.domain = ToLowerAscii(input.domain);
  PAYOPS_TRY(ValidateOrg(input));
  input.id = env.ids.New("org");
  input.created_at = input.updated_at = env.clock.Now();
  Status s = env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_TRY(store::InsertOrg(tx, input));
    return RecordAudit(env, tx, actor, "org.create", "org", input.id, nullptr,
                       boost::json::object{{"name", input.name},
                                           {"domain", input.domain},
                                           {"kyc_by_partner", input.kyc_by_partner}});
  });
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

Result<Org> PatchOrg(Env& env, const Actor& actor, const std::string& id, const OrgPatch& patch,
                     const std::string& reason) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin}));
  std::optional<Org> result;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, id));
    if (!org) return Error::NotFound("org");
    if (patch.kyc_by_partner && *patch.kyc_by_partner != org->kyc_by_partner) {
      Instant now = env.clock.Now();
      boost::json::object change{{"field", "kyc_by_partner"},
                                 {"from", org->kyc_by_partner},
                                 {"to", *patch.kyc_by_partner},
                                 {"reason", reason}};
      PAYOPS_TRY(store::UpdateOrgKycByPartner(tx, id, *patch.kyc_by_partner, now));
      PAYOPS_TRY(store::AppendAudit(
          tx, store::AuditEntry{env.ids.New("aud"), "org", id, now, actor.member_id, "update",
                                boost::json::serialize(change)}));
      PAYOPS_TRY(RecordAudit(
          env, tx, actor, "org.update", "org", id,
          boost::json::object{{"kyc_by_partner", org->kyc_by_partner}},
          boost::json::object{{"kyc_by_partner", *patch.kyc_by_partner}, {"reason", reason}}));
      org->kyc_by_partner = *patch.kyc_by_partner;
      org->updated_at = now;
    }
    if (patch.billing_emails && *patch.billing_emails != org->billing_emails) {
      PAYOPS_TRY(ValidateBillingEmails(*patch.billing_emails));
      Instant now = env.clock.Now();
      boost::json::array from, to;
      for (const auto& e : org->billing_emails) from.emplace_back(e);
      for (const auto& e : *patch.billing_emails) to.emplace_back(e);
      boost::json::object change{
          {"field", "billing_emails"}, {"from", from}, {"to", to}, {"reason", reason}};
      PAYOPS_TRY(store::UpdateOrgBillingEmails(tx, id, *patch.billing_emails, now));
      PAYOPS_TRY(store::AppendAudit(
          tx, store::AuditEntry{env.ids.New("aud"), "org", id, now, actor.member_id, "update",
                                boost::json::serialize(change)}));
      org->billing_emails = *patch.billing_emails;
      org->updated_at = now;
    }
    result = std::move(org);
    return Status::Ok();
  }));
  return std::move(*result);
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
