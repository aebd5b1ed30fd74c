#include "payops/service/demo.h"

#include "payops/service/api_keys.h"

#include <map>

#include "payops/service/end_users.h"
#include "payops/service/identity.h"
#include "payops/service/orgs.h"
#include "payops/service/tickets.h"
#include "payops/store/identity.h"
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
  std::map<Role, std::string> member_of;
  PasswordHasher hasher;
  for (const Who& w : people) {
    NewApiKey in{w.role, w.in_org ? org_id : std::nullopt, w.name, w.email,
                 w.role == Role::kPartner};
    PAYOPS_ASSIGN_OR_RETURN(CreatedApiKey k, CreateApiKey(env, system, in));
    const std::string password = "payops-demo-" + std::string(RoleName(w.role));
    out.keys.push_back(DemoKey{std::string(RoleName(w.role)), w.name, k.key, w.email, password});
    member_of[w.role] = k.member_id;
    std::optional<store::Credential> credential;
    std::optional<store::Member> member;
    PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(credential, store::FindCredentialOfMember(tx, k.member_id));
      PAYOPS_ASSIGN_OR_RETURN(member, store::FindMember(tx, k.member_id));
      return Status::Ok();
    }));
    if (!credential && member) PAYOPS_TRY(CreateSignIn(env, hasher, *member, password));
  }
  if (!out.created) return out;
  // The desk: queue teams and a few tickets to triage.
  PAYOPS_TRY(PutQueueMember(env, system, "delivery", member_of[Role::kAgent], true));
  PAYOPS_TRY(PutQueueMember(env, system, "customer_service", member_of[Role::kAgent], true));
  PAYOPS_TRY(PutQueueMember(env, system, "emi", member_of[Role::kEmi], true));
  Actor partner{
      member_of[Role::kPartner], Role::kPartner, org_id, "Pat Partner", "pat@acme.example", true};
  NewTicketInput a;
  a.requester_name = "Pat Partner";
  a.requester_email = "pat@acme.example";
  a.cc = {"ops@acme.example"};
  a.category = "server_error";
  a.subject = "POST /v1/transactions answered 503 twice this morning";
  a.description = "Two calls failed around 09:10; request ids attached in the thread.";
  a.request_id = "req-demo-503";
  a.channel = "portal";
  PAYOPS_TRY(CreateTicket(env, partner, a));
  NewTicketInput b;
  b.requester_name = "Pat Partner";
  b.requester_email = "pat@acme.example";
  b.category = "closed_account";
  b.subject = "Recipient bank reports the account as closed";
  b.description = "A payout to a recipient came back: the bank says the account is closed.";
  b.channel = "portal";
  PAYOPS_TRY(CreateTicket(env, partner, b));
  return out;
}

}  // namespace payops::service
