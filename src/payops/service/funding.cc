#include "payops/service/funding.h"

#include "payops/adapters/secret_box.h"
#include "payops/core/nacha.h"
#include "payops/core/org.h"
#include "payops/core/pipeline.h"
#include "payops/core/validate.h"
#include "payops/service/encryption_keys.h"
#include "payops/service/transactions.h"
#include "payops/store/end_users.h"

namespace payops::service {
namespace {

constexpr size_t kMaxTokenBytes = 200;

Status CanWrite(const Actor& actor) {
  return RequireRole(actor, {Role::kAdmin, Role::kPartner});
}
Status CanRead(const Actor& actor) {
  if (actor.role == Role::kEmi) return Error::Forbidden("EMI users do not read funding sources");
  return Status::Ok();
}

// The user, or 404 (unknown, or another tenant's).
Result<EndUser> UserIn(store::Tx& tx, const Actor& actor, const std::string& user_id) {
  PAYOPS_ASSIGN_OR_RETURN(auto u, store::FindEndUser(tx, user_id, actor.tenant()));
  if (!u) return Error::NotFound("user");
  return std::move(*u);
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status ValidateBankStatus(const std::string& s) {
  if (!ParseBankStatus(s)) {
    return Error::Invalid("invalid_value",
                          "bank_status must be VERIFIED, LOGIN_REQUIRED, LOCKED, SETUP_REQUIRED or "
                          "INVALID",
                          "bank_status");
  }
  return Status::Ok();
}

}  // namespace

std::string MaskedAccount(const store::BankAccount& a) {
  return "****" + a.account_last4;
}
// (The stored last4 comes from the account number, which is 4 to 17 digits.)

Result<store::BankAccount> CreateBankAccount(Env& env, const Actor& actor,
                                             const std::string& user_id, const NewBankAccount& in) {
  PAYOPS_TRY(CanWrite(actor));
  if (in.routing_number.size() != 9 || !nacha::IsValidRoutingNumber(in.routing_number)) {
    return Error::Invalid("invalid_routing_number",
                          "routing_number must be 9 digits with a valid ABA check digit",
                          "routing_number");
  }
  if (in.account_number.size() < 4 || in.account_number.size() > 17 ||
      !AllDigits(in.account_number)) {
    return Error::Invalid("invalid_account_number", "account_number must be 4 to 17 digits",
                          "account_number");
  }
  if (in.account_type != "checking" && in.account_type != "savings") {
    return Error::Invalid("invalid_value", "account_type must be checking or savings",
                          "account_type");
  }
  PAYOPS_TRY(ValidateBankStatus(in.bank_status));
  PAYOPS_TRY(CheckBalance(in.sandbox_balance, "sandbox_balance"));
  if (env.secrets == nullptr) return Error::Unavailable("no encryption key configured");
  store::BankAccount a;
  a.id = env.ids.New("ba");
  a.routing_number = in.routing_number;
  a.account_sealed = env.secrets->Seal(in.account_number);
  a.account_last4 = in.account_number.substr(in.account_number.size() - 4);
  a.account_type = in.account_type;
  a.bank_status = in.bank_status;
  a.sandbox_balance = in.sandbox_balance;
  a.created_at = a.updated_at = env.clock.Now();
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_TRY(CheckSealingKey(tx, *env.secrets));
    PAYOPS_ASSIGN_OR_RETURN(EndUser u, UserIn(tx, actor, user_id));
    a.org_id = u.org_id;
    a.user_id = u.id;
    return store::InsertBankAccount(tx, a);
  }));
  return a;
}

Result<store::BankAccount> PatchBankAccount(Env& env, const Actor& actor, const std::string& id,
                                            const BankAccountPatch& patch) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent, Role::kPartner}));
  if (patch.bank_status) PAYOPS_TRY(ValidateBankStatus(*patch.bank_status));
  if (patch.sandbox_balance) PAYOPS_TRY(CheckBalance(*patch.sandbox_balance, "sandbox_balance"));
  if (patch.sandbox_error && !ParseBalanceError(*patch.sandbox_error)) {
    return Error::Invalid("invalid_value",
                          "sandbox_error must be an aggregator error code such as "
                          "ITEM_LOGIN_REQUIRED, or null",
                          "sandbox_error");
  }
  if ((patch.sandbox_balance || patch.set_sandbox_error) && !env.sandbox) {
    return Error::Refused("sandbox_only", "sandbox_balance and sandbox_error are for sandbox mode");
  }
  std::optional<store::BankAccount> result;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    // A bank account's status decides initiations, and its verification
    // releases the user's held transactions: ordered with initiations by the
    // user's lock (service/transactions.cc, CreateTransaction), taken first
    // (see PatchEndUser). Another org's account is locked, then not found.
    PAYOPS_TRY(store::LockBankAccountOwner(tx, id));
    PAYOPS_ASSIGN_OR_RETURN(auto a, store::FindBankAccount(tx, id, actor.tenant()));
    if (!a) return Error::NotFound("bank account");
    bool now_verified =
        patch.bank_status && *patch.bank_status == "VERIFIED" && a->bank_status != "VERIFIED";
    if (patch.bank_status) a->bank_status = *patch.bank_status;
    if (patch.sandbox_balance) a->sandbox_balance = *patch.sandbox_balance;
    if (patch.set_sandbox_error) a->sandbox_error = patch.sandbox_error;
    a->updated_at = env.clock.Now();
    PAYOPS_TRY(store::UpdateBankAccount(tx, *a));
    if (now_verified) PAYOPS_TRY(OnBankVerified(env, tx, a->id));
    PAYOPS_ASSIGN_OR_RETURN(result, store::FindBankAccount(tx, id, std::nullopt));
    return Status::Ok();
  }));
  return std::move(*result);
}

Result<store::Page<store::BankAccount>> ListBankAccounts(Env& env, const Actor& actor,
                                                         const std::string& user_id,
                                                         const store::PageRequest& page) {
  PAYOPS_TRY(CanRead(actor));
  store::Page<store::BankAccount> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_TRY(UserIn(tx, actor, user_id));
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListBankAccounts(tx, user_id, page));
    return Status::Ok();
  }));
  return out;
}

Result<store::Card> CreateCard(Env& env, const Actor& actor, const std::string& user_id,
                               const std::string& token, const std::string& last4) {
  PAYOPS_TRY(CanWrite(actor));
  if (adapters::LooksLikeCardNumber(token) || adapters::LooksLikeCardNumber(last4)) {
    return Error::Invalid("card_number_refused",
                          "a full card number is never accepted: send the processor's token and "
                          "the last four digits",
                          "token");
  }
  if (token.empty() || token.size() > kMaxTokenBytes) {
    return Error::Invalid("invalid_value", "token must be 1 to 200 bytes", "token");
  }
  if (last4.size() != 4 || !AllDigits(last4)) {
    return Error::Invalid("invalid_value", "last4 must be four digits", "last4");
  }
  store::Card c{env.ids.New("card"), "", "", token, last4, env.clock.Now()};
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(EndUser u, UserIn(tx, actor, user_id));
    c.org_id = u.org_id;
    c.user_id = u.id;
    return store::InsertCard(tx, c);
  }));
  return c;
}

Result<store::Page<store::Card>> ListCards(Env& env, const Actor& actor, const std::string& user_id,
                                           const store::PageRequest& page) {
  PAYOPS_TRY(CanRead(actor));
  store::Page<store::Card> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_TRY(UserIn(tx, actor, user_id));
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListCards(tx, user_id, page));
    return Status::Ok();
  }));
  return out;
}

Result<store::Recipient> CreateRecipient(Env& env, const Actor& actor, const std::string& user_id,
                                         const std::string& name, const std::string& country,
                                         const std::string& payout_method) {
  PAYOPS_TRY(CanWrite(actor));
  if (name.empty() || name.size() > kMaxNameBytes) {
    return Error::Invalid("invalid_value", "name must be 1 to 200 bytes", "name");
  }
  if (!IsCountryCode(country)) {
    return Error::Invalid("invalid_value", "country must be an ISO 3166 alpha-2 code", "country");
  }
  if (payout_method != "bank_deposit" && payout_method != "cash_pickup" &&
      payout_method != "mobile_wallet" && payout_method != "debit_card") {
    return Error::Invalid("invalid_value",
                          "payout_method must be bank_deposit, cash_pickup, mobile_wallet or "
                          "debit_card",
                          "payout_method");
  }
  store::Recipient r{env.ids.New("rcp"), "", "", name, country, payout_method, env.clock.Now()};
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(EndUser u, UserIn(tx, actor, user_id));
    r.org_id = u.org_id;
    r.user_id = u.id;
    return store::InsertRecipient(tx, r);
  }));
  return r;
}

Result<store::Page<store::Recipient>> ListRecipients(Env& env, const Actor& actor,
                                                     const std::string& user_id,
                                                     const store::PageRequest& page) {
  PAYOPS_TRY(CanRead(actor));
  store::Page<store::Recipient> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_TRY(UserIn(tx, actor, user_id));
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListRecipients(tx, user_id, page));
    return Status::Ok();
  }));
  return out;
}

}  // namespace payops::service
