#include "payops/service/ledger.h"
#include "payops/service/audit.h"

#include "payops/core/org.h"
#include "payops/service/statements.h"
#include "payops/store/orgs.h"

namespace payops::service {
namespace {

// The balance of an account before the posting at hand: its running balance,
// or (first posting since running balances were kept) the sum of its entries.
Result<int64_t> BalanceBefore(store::Tx& tx, const std::string& account_id,
                              const std::string& currency) {
  PAYOPS_ASSIGN_OR_RETURN(auto kept, store::FindRunningBalance(tx, account_id, currency));
  if (kept) return *kept;
  return store::SumOfEntries(tx, account_id, currency);
}

// Moves the running balance of every account the posting touches; error
// kRefused "balance_limit" (nothing written) when one would pass ±kMaxBalanceMinor.
Status MoveBalances(store::Tx& tx, const Posting& p) {
  for (const LedgerEntry& e : p.entries) {
    const std::string currency(e.currency.code());
    PAYOPS_ASSIGN_OR_RETURN(int64_t before, BalanceBefore(tx, e.account_id, currency));
    auto after = AddToBalance(before, e.amount_minor);
    if (!after.ok()) {
      Error err = after.take_error();
      err.message = "account " + e.account_id + ": " + err.message;
      return err;
    }
    PAYOPS_TRY(store::PutRunningBalance(tx, e.account_id, currency, *after));
  }
  return Status::Ok();
}

// `corridor`: the transaction's or payout's, for the monthly statement.
Status Insert(Env& env, store::Tx& tx, const std::string& org_id, const Posting& p, Instant at,
              const std::string& corridor) {
  PAYOPS_TRY(ValidatePosting(p));
  PAYOPS_TRY(MoveBalances(tx, p));
  PAYOPS_TRY(RecordPosting(tx, org_id, corridor, p, at));
  std::vector<std::string> ids;
  for (size_t i = 0; i < p.entries.size(); ++i) ids.push_back(env.ids.New("le"));
  return store::InsertPosting(tx, env.ids.New("pst"), org_id, p, at, ids);
}

// The org a request acts on: a partner's own, or the one staff name.
Result<std::string> OrgOf(const Actor& actor, const std::optional<std::string>& org_id) {
  if (actor.tenant()) {
    if (org_id && *org_id != *actor.tenant()) return Error::NotFound("org");
    return *actor.tenant();
  }
  if (actor.role == Role::kEmi) return Error::Forbidden("EMI users do not read accounts");
  if (!org_id) return Error::Invalid("missing_field", "org_id is required", "org_id");
  return *org_id;
}

// "<org>:<CUR>:<kind>" → its org id, when the account is one of the org's.
std::optional<std::string> AccountOrg(const std::string& account_id) {
  size_t a = account_id.find(':');
  if (a == std::string::npos || a == 0) return std::nullopt;
  return account_id.substr(0, a);
}

}  // namespace

Status PostProcessed(Env& env, store::Tx& tx, const store::TransactionRecord& t) {
  PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, t.org_id));
  PAYOPS_ASSIGN_OR_RETURN(Currency currency, Currency::Parse(t.currency));
  if (!org) return Error::Internal("transaction " + t.id + " lost its org");
  PAYOPS_ASSIGN_OR_RETURN(ProcessedPostings p,
                          BuildProcessedPostings(OrgAccounts::For(t.org_id, currency), org->fees,
                                                 TransactionAmount{t.id, t.amount, t.corridor}));
  Instant now = env.clock.Now();
  PAYOPS_TRY(Insert(env, tx, t.org_id, p.payin, now, t.corridor));
  return Insert(env, tx, t.org_id, p.payout, now, t.corridor);
}

Status PostReversal(Env& env, store::Tx& tx, const store::TransactionRecord& t, PostingKind kind) {
  PAYOPS_ASSIGN_OR_RETURN(Posting payin, store::FindPosting(tx, t.id, PostingKind::kPayin));
  if (payin.entries.empty())
    return Error::Internal("transaction " + t.id + " has no payin posting");
  PAYOPS_ASSIGN_OR_RETURN(Posting reversal, BuildReversal(payin, kind));
  return Insert(env, tx, t.org_id, reversal, env.clock.Now(), t.corridor);
}

Result<std::vector<store::AccountBalance>> ListAccounts(Env& env, const Actor& actor,
                                                        const std::optional<std::string>& org_id) {
  PAYOPS_ASSIGN_OR_RETURN(std::string org, OrgOf(actor, org_id));
  std::vector<store::AccountBalance> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::OrgBalances(tx, org));
    return Status::Ok();
  }));
  return out;
}

Result<store::Page<store::AccountBalance>> ListAccounts(Env& env, const Actor& actor,
                                                        const std::optional<std::string>& org_id,
                                                        const store::PageRequest& page) {
  PAYOPS_ASSIGN_OR_RETURN(std::string org, OrgOf(actor, org_id));
  store::Page<store::AccountBalance> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::OrgBalances(tx, org, page));
    return Status::Ok();
  }));
  return out;
}

Result<store::Page<store::PostingLine>> ListPayins(Env& env, const Actor& actor,
                                                   const std::string& account_id,
                                                   const store::PageRequest& page) {
  auto org = AccountOrg(account_id);
  if (!org) return Error::NotFound("account");
  PAYOPS_TRY(OrgOf(actor, org));
  store::Page<store::PostingLine> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::AccountLines(tx, account_id, {"payin", "deposit"}, page));
    return Status::Ok();
  }));
  return out;
}

Result<PayoutView> CreatePayout(Env& env, const Actor& actor, const NewPayout& in) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kPartner}));
  PAYOPS_ASSIGN_OR_RETURN(std::string org_id, OrgOf(actor, in.org_id));
  PAYOPS_ASSIGN_OR_RETURN(Currency currency, Currency::Parse(in.currency));
  PAYOPS_TRY(CheckAmount(in.amount, "amount"));
  if (!IsCorridor(in.corridor)) {
    return Error::Invalid("invalid_value", "corridor must look like US-MX", "corridor");
  }
  PayoutView v{env.ids.New("po"), org_id, in.currency, in.corridor, in.amount, 0, env.clock.Now()};
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, org_id));
    if (!org) return Error::NotFound("org");
    PAYOPS_ASSIGN_OR_RETURN(v.fee,
                            FindFee(org->fees, FeeDirection::kPayout, in.currency, in.corridor));
    OrgAccounts accounts = OrgAccounts::For(org_id, currency);
    PAYOPS_ASSIGN_OR_RETURN(int64_t balance, BalanceBefore(tx, accounts.org, in.currency));
    PAYOPS_ASSIGN_OR_RETURN(int64_t needed, CheckedAdd(in.amount, v.fee));
    if (balance < needed) {
      return Error::Refused("insufficient_funds",
                            "the org account holds " + Money(balance, currency).ToString() +
                                "; the payout needs " + Money(needed, currency).ToString(),
                            "amount");
    }
    PAYOPS_ASSIGN_OR_RETURN(Posting p, BuildOrgPayout(accounts, v.id, in.amount, v.fee));
    PAYOPS_TRY(Insert(env, tx, org_id, p, v.created_at, in.corridor));
    return RecordAudit(env, tx, actor, "payout.create", "payout", v.id, nullptr,
                       boost::json::object{{"org_id", org_id},
                                           {"currency", v.currency},
                                           {"corridor", v.corridor},
                                           {"amount", v.amount},
                                           {"fee", v.fee}});
  }));
  return v;
}

Result<store::Page<store::PostingLine>> ListPayouts(Env& env, const Actor& actor,
                                                    const std::optional<std::string>& org_id,
                                                    const std::string& currency,
                                                    const store::PageRequest& page) {
  PAYOPS_ASSIGN_OR_RETURN(std::string org, OrgOf(actor, org_id));
  PAYOPS_ASSIGN_OR_RETURN(Currency c, Currency::Parse(currency));
  store::Page<store::PostingLine> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::AccountLines(tx, OrgAccounts::For(org, c).payout_clearing,
                                                     {"payout", "org_payout"}, page));
    return Status::Ok();
  }));
  return out;
}

Result<store::PostingLine> SandboxDeposit(Env& env, const Actor& actor,
                                          const std::string& account_id, int64_t amount) {
  if (!env.sandbox) return Error::NotFound("route");
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kPartner}));
  auto org = AccountOrg(account_id);
  size_t second = account_id.find(':', org ? org->size() + 1 : 0);
  if (!org || second == std::string::npos || account_id.substr(second + 1) != "org") {
    return Error::Invalid("invalid_value", "account_id must be an org account <org>:<CUR>:org",
                          "account_id");
  }
  PAYOPS_TRY(OrgOf(actor, org));
  PAYOPS_ASSIGN_OR_RETURN(Currency currency,
                          Currency::Parse(account_id.substr(org->size() + 1, 3)));
  PAYOPS_TRY(CheckAmount(amount, "amount"));
  std::string id = env.ids.New("dep");
  Instant now = env.clock.Now();
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto o, store::FindOrg(tx, *org));
    if (!o) return Error::NotFound("account");
    PAYOPS_ASSIGN_OR_RETURN(Posting p, BuildDeposit(OrgAccounts::For(*org, currency), id, amount));
    return Insert(env, tx, *org, p, now, "");
  }));
  return store::PostingLine{"",     "", "deposit", id, account_id, std::string(currency.code()),
                            amount, now};
}

}  // namespace payops::service
