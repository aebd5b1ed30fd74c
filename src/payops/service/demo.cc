#include "payops/service/demo.h"

#include "payops/service/api_keys.h"
#include "payops/service/end_users.h"
#include "payops/service/orgs.h"
#include "payops/store/kv.h"

namespace payops::service {

Result<DemoResult> SeedDemo(Env& env) {
  Actor system = Actor::System();
  DemoResult out;
  std::optional<std::string> org_id;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(org_id, store::GetSetting(tx, "demo_org_id"));
    return Status::Ok();
  }));
  if (!org_id) {
    Org org;
    org.name = "Acme Remit";
    org.domain = "acme.example";
    org.sla_plan = "essentials";
    org.hypercare_plan = "plus";
    org.bau_plan = "standard";
    org.go_live_date = "2026-11-02";
    org.allowed_countries = {"US", "MX"};
    org.fees = {{"payin", "USD", "US-MX", 150}, {"payout", "USD", "US-MX", 100}};
    org.emi = EmiInfo{"First Demo EMI", "escalations@emi.example",
                      "Email escalations@emi.example with the transaction id; urgent: call the "
                      "EMI duty desk."};
    PAYOPS_ASSIGN_OR_RETURN(Org created, CreateOrg(env, system, org));
    org_id = created.id;
    out.created = true;
    const std::pair<const char*, KycStatus> users[] = {
        {"Maria Lopez", KycStatus::kVerified},
        {"John Carter", KycStatus::kPending},
        {"Ana Gomez", KycStatus::kUnverified},
    };
    int i = 0;
    for (const auto& [name, kyc] : users) {
      EndUser u;
      u.org_id = *org_id;
      u.name = name;
      u.email = "user" + std::to_string(++i) + "@customers.example";
      u.country = "US";
      u.state = "CA";
      u.kyc_status = kyc;
      u.tier = i;
      PAYOPS_TRY(CreateEndUser(env, system, u));
    }
    PAYOPS_TRY(env.store.Write(
        [&](store::Tx& tx) { return store::PutSetting(tx, "demo_org_id", *org_id); }));
  }
  out.org_id = *org_id;
  struct Who {
    Role role;
    const char* name;
    const char* email;
    bool in_org;
  };
  const Who people[] = {
      {Role::kAdmin, "Ada Admin", "admin@payops.example", false},
      {Role::kAgent, "Sam Agent", "agent@payops.example", false},
      {Role::kOpsManager, "Olga Ops", "ops@payops.example", false},
      {Role::kEmi, "Eli EMI", "staff@emi.example", false},
      {Role::kPartner, "Pat Partner", "pat@acme.example", true},
  };
  for (const Who& w : people) {
    NewApiKey in{w.role, w.in_org ? org_id : std::nullopt, w.name, w.email};
    PAYOPS_ASSIGN_OR_RETURN(CreatedApiKey k, CreateApiKey(env, system, in));
    out.keys.push_back(DemoKey{std::string(RoleName(w.role)), w.name, k.key});
  }
  return out;
}

}  // namespace payops::service
