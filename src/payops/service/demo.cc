#include "payops/service/demo.h"

#include "payops/service/api_keys.h"

#include <map>

#include "payops/service/ach.h"
#include "payops/service/end_users.h"
#include "payops/service/funding.h"
#include "payops/service/identity.h"
#include "payops/service/orgs.h"
#include "payops/service/tickets.h"
#include "payops/service/tier_upgrades.h"
#include "payops/service/transactions.h"
#include "payops/store/identity.h"
#include "payops/store/kv.h"

namespace payops::service {
namespace {

// The demo's working operation: transactions in every status and on every
// hold reason, a closed and settled ACH batch, and tickets in several queues.
// It is written as it would have happened over the last week: a second Env
// on a settable clock shares the store and the adapters, and the sandbox
// risk override (device "sandbox-risk-N") picks each risk band.
class Story {
 public:
  Story(Env& env, const std::string& org_id, Actor partner, Actor agent)
      : now_(env.clock.Now()),
        clock_(now_ - std::chrono::hours(24 * 6)),
        env_(env.store, clock_, true),
        org_id_(org_id),
        partner_(std::move(partner)),
        agent_(std::move(agent)) {
    env_.holidays = env.holidays;
    env_.tier_limits = env.tier_limits;
    env_.risk = env.risk;
    env_.high_risk_action = env.high_risk_action;
    env_.ach = env.ach;
    env_.desk = env.desk;
    env_.sla_rules = env.sla_rules;
    env_.geoip = env.geoip;
    env_.balance = env.balance;
    env_.secrets = env.secrets;
  }

  Status Run() {
    // A week ago: a verified tier-3 sender, paid out and settled.
    PAYOPS_ASSIGN_OR_RETURN(std::string carlos, User("Carlos Diaz", KycStatus::kVerified, 3));
    PAYOPS_ASSIGN_OR_RETURN(std::string elena, User("Elena Ruiz", KycStatus::kVerified, 3));
    PAYOPS_ASSIGN_OR_RETURN(std::string john, User("Jorge Pending", KycStatus::kPending, 2));
    PAYOPS_ASSIGN_OR_RETURN(std::string to_carlos, Recipient(carlos, "Rosa Diaz"));
    PAYOPS_ASSIGN_OR_RETURN(std::string to_elena, Recipient(elena, "Pablo Ruiz"));
    PAYOPS_ASSIGN_OR_RETURN(std::string to_john, Recipient(john, "Lucia Pending"));
    PAYOPS_ASSIGN_OR_RETURN(std::string bank, Bank(carlos, 5'000'000, std::nullopt));
    PAYOPS_ASSIGN_OR_RETURN(auto card, CreateCard(env_, partner_, carlos, "tok_demo_visa", "4242"));
    PAYOPS_ASSIGN_OR_RETURN(auto john_card,
                            CreateCard(env_, partner_, john, "tok_demo_mc", "5454"));

    PAYOPS_ASSIGN_OR_RETURN(auto settled, Send(carlos, to_carlos, "ach", bank, 25'000, 0));
    PAYOPS_ASSIGN_OR_RETURN(auto returned, Send(carlos, to_carlos, "ach", bank, 18'000, 1));
    PAYOPS_ASSIGN_OR_RETURN(auto refunded,
                            Send(carlos, to_carlos, "debit_card", card.id, 9'500, 2));
    clock_.Advance(std::chrono::hours(24));
    if (settled.txn.batch_date) {
      PAYOPS_TRY(CloseAchBatch(env_, *settled.txn.batch_date));
      PAYOPS_TRY(SettleAchBatch(env_, *settled.txn.batch_date));
    }
    if (refunded.txn.settlement_date) {
      PAYOPS_TRY(ProcessDebitCards(env_, *refunded.txn.settlement_date));
    }
    clock_.Advance(std::chrono::hours(24));
    PAYOPS_TRY(ReturnTransaction(env_, agent_, returned.txn.id, "R01"));
    PAYOPS_TRY(
        RefundTransaction(env_, agent_, refunded.txn.id, "The customer asked for the money back"));

    // Four days ago: an outage ticket made urgent at triage and never
    // answered, now past both its SLA targets.
    NewTicketInput late;
    late.requester_name = partner_.name;
    late.requester_email = partner_.email;
    late.category = "server_error";
    late.subject = "Every POST /v1/transactions answers 500 since 10:00";
    late.description =
        "None of our customers can send money. Request ids: req-demo-500-a, req-demo-500-b.";
    late.request_id = "req-demo-500-a";
    late.channel = "portal";
    PAYOPS_ASSIGN_OR_RETURN(auto outage, CreateTicket(env_, partner_, late));
    TicketPatch urgent;
    urgent.priority = "urgent";
    PAYOPS_TRY(PatchTicket(env_, agent_, outage.ticket.id, urgent));

    // Today: one hold for every hold reason, a cancel, and payments on their way.
    clock_.Set(now_ - std::chrono::hours(3));
    PAYOPS_TRY(Send(john, to_john, "debit_card", john_card.id, 12'000, 0));  // KYC_NOT_VERIFIED
    PAYOPS_TRY(Send(elena, to_elena, "debit_card", "", 15'000, 0, "81.2.69.160"));  // GEOIP_FAILED
    PAYOPS_ASSIGN_OR_RETURN(auto moderate,
                            Send(carlos, to_carlos, "debit_card", card.id, 40'000, 30));
    PAYOPS_TRY(Send(carlos, to_carlos, "debit_card", card.id, 90'000, 85));  // RISK_HIGH
    const std::pair<const char*, int64_t> bank_errors[] = {
        {"ITEM_LOGIN_REQUIRED", 32'000},         // BANK_LOGIN_REQUIRED
        {"INSTITUTION_NOT_RESPONDING", 21'000},  // INSTITUTION_NOT_RESPONDING
        {"ITEM_LOCKED", 27'500},                 // BANK_ACCOUNT_LOCKED
        {"USER_SETUP_REQUIRED", 11'000},         // BANK_SETUP_REQUIRED
        {"INVALID_CREDENTIALS", 8'000},          // CANCELED BANK_CREDENTIALS_INVALID
    };
    for (const auto& [error, amount] : bank_errors) {
      PAYOPS_ASSIGN_OR_RETURN(std::string b, Bank(elena, 1'000'000, std::string(error)));
      PAYOPS_TRY(Send(elena, to_elena, "ach", b, amount, 0));
    }
    PAYOPS_ASSIGN_OR_RETURN(std::string poor, Bank(elena, 1'000, std::nullopt));
    PAYOPS_TRY(Send(elena, to_elena, "ach", poor, 30'000, 0));    // CANCELED INSUFFICIENT_FUNDS
    PAYOPS_TRY(Send(carlos, to_carlos, "ach", bank, 20'000, 0));  // PENDING (ACH)
    PAYOPS_TRY(Send(carlos, to_carlos, "debit_card", card.id, 7'500, 0));  // PENDING (card)

    // The partner asks for the moderate-risk hold to be released: a ticket
    // linked to the held transaction.
    PAYOPS_TRY(RequestTransactionReview(env_, partner_, moderate.txn.id, "release",
                                        "Known customer: pays his family every month."));
    // An EMI escalation: a payment the recipient never saw, with the proof.
    NewTicketInput missing;
    missing.requester_name = partner_.name;
    missing.requester_email = partner_.email;
    missing.cc = {"finance@acme.example"};
    missing.category = "missing_transaction";
    missing.subject = "Recipient never received 250.00 USD sent last week";
    missing.description = "Rosa Diaz says the money never arrived. Bank statement attached.";
    missing.transaction_id = settled.txn.id;
    missing.channel = "portal";
    // "Statement: 250.00 USD debited" as plain text.
    missing.attachments.push_back(
        AttachmentInput{"statement.txt", "text/plain", "U3RhdGVtZW50OiAyNTAuMDAgVVNEIGRlYml0ZWQK"});
    PAYOPS_ASSIGN_OR_RETURN(auto emi, CreateTicket(env_, partner_, missing));
    NewMessageInput note;
    note.body = "Checked the batch: the entry went out with its trace number. Waiting on the EMI.";
    note.internal = true;
    PAYOPS_TRY(AddTicketMessage(env_, agent_, emi.ticket.id, note));
    NewMessageInput reply;
    reply.body = "Thank you: we asked the EMI to trace the payment and will write back today.";
    PAYOPS_TRY(AddTicketMessage(env_, agent_, emi.ticket.id, reply));
    // A tier upgrade waiting for an agent: the partner attached an ID.
    PAYOPS_ASSIGN_OR_RETURN(std::string tina, User("Tina Upgrade", KycStatus::kVerified, 1));
    PAYOPS_ASSIGN_OR_RETURN(auto upgrade, OpenTierUpgrade(env_, partner_, tina, 2));
    // "%PDF-1.4 demo ID" as base64.
    PAYOPS_TRY(AddUpgradeDocument(env_, partner_, upgrade.upgrade.id, "passport.pdf",
                                  "application/pdf", "JVBERi0xLjQgZGVtbyBJRAo="));
    PAYOPS_TRY(SubmitTierUpgrade(env_, partner_, upgrade.upgrade.id));
    clock_.Set(now_);
    PAYOPS_TRY(SweepSla(env_, now_));
    return Status::Ok();
  }

 private:
  Result<std::string> User(const char* name, KycStatus kyc, int64_t tier) {
    EndUser u;
    u.org_id = org_id_;
    u.name = name;
    u.email = "user" + std::to_string(++users_ + 3) + "@customers.example";
    u.country = "US";
    u.state = "CA";
    u.kyc_status = kyc;
    u.tier = tier;
    PAYOPS_ASSIGN_OR_RETURN(EndUser created, CreateEndUser(env_, Actor::System(), u));
    return created.id;
  }
  Result<std::string> Recipient(const std::string& user_id, const char* name) {
    PAYOPS_ASSIGN_OR_RETURN(auto r,
                            CreateRecipient(env_, partner_, user_id, name, "MX", "bank_deposit"));
    return r.id;
  }
  Result<std::string> Bank(const std::string& user_id, int64_t balance,
                           std::optional<std::string> error) {
    NewBankAccount in;
    in.routing_number = "011000015";
    in.account_number = "00012345" + std::to_string(++banks_);
    in.sandbox_balance = balance;
    PAYOPS_ASSIGN_OR_RETURN(auto b, CreateBankAccount(env_, partner_, user_id, in));
    if (error) {
      BankAccountPatch p;
      p.set_sandbox_error = true;
      p.sandbox_error = std::move(error);
      PAYOPS_TRY(PatchBankAccount(env_, Actor::System(), b.id, p));
    }
    return b.id;
  }
  // A transaction of `amount` cents; `funding_id` "" takes the user's first card.
  Result<TransactionView> Send(const std::string& user_id, const std::string& recipient_id,
                               const char* type, std::string funding_id, int64_t amount, int risk,
                               const char* ip = "8.8.8.8") {
    if (funding_id.empty()) {
      std::string token = "tok_demo_" + std::to_string(++banks_);
      PAYOPS_ASSIGN_OR_RETURN(auto c, CreateCard(env_, partner_, user_id, token, "1881"));
      funding_id = c.id;
    }
    NewTransaction t{
        user_id, recipient_id, type,    funding_id, amount,
        "USD",   "MXN",        "US-MX", ip,         "sandbox-risk-" + std::to_string(risk)};
    clock_.Advance(std::chrono::minutes(7));
    return CreateTransaction(env_, partner_, t);
  }

  Instant now_;
  ManualClock clock_;
  Env env_;
  std::string org_id_;
  Actor partner_;
  Actor agent_;
  int users_ = 0;
  int banks_ = 0;
};

}  // namespace

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
  Actor agent{member_of[Role::kAgent], Role::kAgent, std::nullopt, "Sam Agent",
              "agent@payops.example",  false};
  PAYOPS_TRY(Story(env, *org_id, partner, agent).Run());
  return out;
}

}  // namespace payops::service
