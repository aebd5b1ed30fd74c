#include "payops/service/transactions.h"

#include <cassert>
#include <memory>

#include "payops/adapters/balance_provider.h"
#include "payops/adapters/geoip.h"
#include "payops/core/calendar.h"
#include "payops/core/ledger.h"
#include "payops/core/money.h"
#include "payops/core/nacha.h"
#include "payops/core/org.h"
#include "payops/core/transaction.h"
#include "payops/core/validate.h"
#include "payops/service/audit.h"
#include "payops/service/ledger.h"
#include "payops/service/tickets.h"
#include "payops/service/webhooks.h"
#include "payops/store/end_users.h"
#include "payops/store/orgs.h"

namespace payops::service {
namespace {

constexpr int kMaxHistory = 500;     // history lines shown
constexpr int kMaxHookBatch = 1000;  // transactions one hook touches at most
constexpr size_t kMaxDeviceIdBytes = 200;

TxnActor ActorKind(const Actor& a) {
  if (a.member_id == "system") return TxnActor::kSystem;
  return a.role == Role::kPartner ? TxnActor::kPartner : TxnActor::kAgent;
}

TxnStatus StatusOf(const store::TransactionRecord& t) {
  auto s = ParseTxnStatus(t.status);
  assert(s.has_value());
  return s.value_or(TxnStatus::kInitiated);
}

std::string RiskText(const RiskAssessment& r) {
  std::string out;
  for (const RiskReason& reason : r.reasons()) {
    if (!out.empty()) out += ',';
    out += std::string(reason.code) + ":" + std::to_string(reason.points);
  }
  return out;
}

// Checks a status change against the table, applies it to `t` (in memory) and
// returns its history line, to be appended in the same commit.
Result<store::HistoryEntry> MakeTransition(Env& env, store::TransactionRecord& t, TxnStatus to,
                                           const Actor& actor, std::string_view reason,
                                           const std::optional<std::string>& note, Instant now) {
  PAYOPS_ASSIGN_OR_RETURN(auto rec,
                          RecordTxnTransition(StatusOf(t), to, ActorKind(actor), reason, now));
  store::HistoryEntry h{
      env.ids.New("th"), t.id,       now, std::string(t.status), std::string(TxnStatusName(to)),
      actor.member_id,   rec.reason, note};
  t.status = std::string(TxnStatusName(to));
  t.updated_at = now;
  return h;
}

// Appends a status change of a stored transaction to its history; its open
// tickets get an internal note in the same commit.
Status AppendChange(Env& env, store::Tx& tx, const store::TransactionRecord& t,
                    const store::HistoryEntry& h, Instant now) {
  PAYOPS_TRY(store::AppendHistory(tx, h));
  PAYOPS_TRY(QueueTransactionEvents(env, tx, t, h.from_status.value_or(""), h.to_status));
  // Tickets can only link to a committed transaction: none while INITIATED.
  const std::string from = h.from_status.value_or("");
  if (from == "INITIATED") return Status::Ok();
  return NoteTransactionStatusChange(env, tx, h.transaction_id, from, h.to_status, h.reason, now);
}

// Appends a status change to the history after checking it against the table.
Status Transition(Env& env, store::Tx& tx, store::TransactionRecord& t, TxnStatus to,
                  const Actor& actor, std::string_view reason,
                  const std::optional<std::string>& note, Instant now) {
  PAYOPS_ASSIGN_OR_RETURN(auto h, MakeTransition(env, t, to, actor, reason, note, now));
  return AppendChange(env, tx, t, h, now);
}

struct Context {
  EndUser user;
  std::shared_ptr<const Org> org;
  std::optional<store::BankAccount> bank;
};

Result<Context> LoadContext(store::Tx& tx, const store::TransactionRecord& t) {
  Context c;
  PAYOPS_ASSIGN_OR_RETURN(auto user, store::FindEndUser(tx, t.user_id, std::nullopt));
  PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, t.org_id));
  if (!user || !org) return Error::Internal("transaction " + t.id + " lost its user or org");
  c.user = std::move(*user);
  c.org = std::make_shared<const Org>(std::move(*org));
  if (t.funding_type == "ach") {
    PAYOPS_ASSIGN_OR_RETURN(c.bank, store::FindBankAccount(tx, t.funding_id, std::nullopt));
    if (!c.bank) return Error::Internal("transaction " + t.id + " lost its bank account");
  }
  return c;
}

// The facts of the risk score that need no query.
RiskInput RiskBase(const Env& env, const store::TransactionRecord& t, const EndUser& user,
                   Instant now) {
  RiskInput r;
  r.amount_minor = t.amount;
  auto limit = LimitForTier(env.tier_limits, user.tier);
  r.per_transaction_limit_minor = limit.ok() ? limit->per_transaction_minor : 0;
  r.account_age_days = std::max<int64_t>(
      0, std::chrono::duration_cast<std::chrono::hours>(now - user.created_at).count() / 24);
  r.device_id = t.device_id;
  return r;
}

// The risk facts of a stored transaction, for a re-run of its checks.
Result<RiskInput> RiskInputs(Env& env, store::Tx& tx, const store::TransactionRecord& t,
                             const EndUser& user, Instant now) {
  RiskInput r = RiskBase(env, t, user, now);
  // Velocity counts every transaction of the 24 h before this one, canceled or
  // not (a covering index scan; this transaction itself is taken off).
  Instant since = now - std::chrono::hours(24);
  PAYOPS_ASSIGN_OR_RETURN(auto recent, tx.QueryOne("SELECT COUNT(*) FROM transactions WHERE "
                                                   "user_id = ? AND created_at > ?",
                                                   {user.id, ToMicros(since)}));
  r.transactions_last_24h = std::max<int64_t>(0, recent->Int(0) - (t.created_at > since ? 1 : 0));
  PAYOPS_ASSIGN_OR_RETURN(r.earlier_returns, store::UserReturnCount(tx, user.id));
  return r;
}

// Runs the checks from `start` on the transaction's user, org and bank account
// `c` with the risk facts `risk`, and applies the outcome to `t` in memory:
// status, reasons, risk, expected settlement. Writes only the bank account when
// the balance check changed its status. Returns the history line of the
// change, for the caller to store with `t`.
Result<store::HistoryEntry> DecideChecks(Env& env, store::Tx& tx, store::TransactionRecord& t,
                                         Context c, const RiskInput& risk, const Actor& actor,
                                         PipelineStep start, bool skip_balance_check,
                                         const std::optional<std::string>& note, Instant now) {
  PipelineInput in;
  in.kyc_status = c.user.kyc_status;
  in.user_country = c.user.country;
  in.allowed_countries = c.org->allowed_countries;
  std::string ip_country = t.ip_country.value_or("");
  in.ip_country = ip_country;
  in.funding = t.funding_type == "ach" ? FundingType::kAch : FundingType::kDebitCard;
  in.risk = risk;
  in.amount_minor = t.amount;
  in.fee_minor = t.fee;
  in.options = PipelineOptions{env.high_risk_action, skip_balance_check, env.sandbox};
  in.start = start;
  PipelineOutcome out = RunPipeline(in, env.risk);
  if (out.verdict == PipelineVerdict::kNeedsBalanceCheck) {
    if (env.balance == nullptr || !c.bank) return Error::Unavailable("no balance provider");
    adapters::BankAccountRef ref{c.bank->id, c.bank->routing_number, c.bank->sandbox_balance,
                                 c.bank->sandbox_error};
    PAYOPS_ASSIGN_OR_RETURN(BalanceAnswer answer, env.balance->Balance(ref));
    out = ContinueWithBalance(out, in, answer);
  }
  if (out.risk) {
    t.risk_score = out.risk->score;
    t.risk_band = std::string(RiskBandName(out.risk->band));
    t.risk_reasons = RiskText(*out.risk);
  }
  if (out.new_bank_status && c.bank) {
    c.bank->bank_status = std::string(BankStatusName(*out.new_bank_status));
    c.bank->updated_at = now;
    PAYOPS_TRY(store::UpdateBankAccount(tx, *c.bank));
  }
  t.hold_reason.reset();
  t.resume_from.reset();
  std::string reason(out.reason_code());
  if (out.status == TxnStatus::kHold) {
    t.hold_reason = reason;
    t.resume_from = std::string(PipelineStepName(out.resume_from));
  } else if (out.status == TxnStatus::kCanceled) {
    t.cancel_reason = reason;
  } else {
    assert(out.status == TxnStatus::kPending);
    reason = skip_balance_check ? "checks_passed_balance_check_skipped" : "checks_passed";
    t.pending_at_us = ToMicros(now);
    if (t.funding_type == "ach") {
      calendar::AchBatchSchedule s = calendar::AchSchedule(now, env.holidays);
      t.batch_date = calendar::FormatDate(s.batch_date);
      t.settlement_date = calendar::FormatDate(s.settlement_date);
    } else {
      calendar::DebitCardSchedule s = calendar::DebitCardProcessing(now, env.holidays);
      t.settlement_date = calendar::FormatDate(s.processing_date);
    }
  }
  return MakeTransition(env, t, out.status, actor, reason, note, now);
}

// Re-runs the checks of a stored transaction from `start` and stores the outcome.
Status RunChecks(Env& env, store::Tx& tx, store::TransactionRecord& t, const Actor& actor,
                 PipelineStep start, bool skip_balance_check,
                 const std::optional<std::string>& note, Instant now) {
  PAYOPS_ASSIGN_OR_RETURN(Context c, LoadContext(tx, t));
  PAYOPS_ASSIGN_OR_RETURN(RiskInput risk, RiskInputs(env, tx, t, c.user, now));
  PAYOPS_ASSIGN_OR_RETURN(auto h, DecideChecks(env, tx, t, std::move(c), risk, actor, start,
                                               skip_balance_check, note, now));
  PAYOPS_TRY(AppendChange(env, tx, t, h, now));
  return store::UpdateTransaction(tx, t);
}

Result<TransactionView> View(store::Tx& tx, store::TransactionRecord t) {
  TransactionView v;
  PAYOPS_ASSIGN_OR_RETURN(v.history, store::ListHistory(tx, t.id, kMaxHistory));
  v.txn = std::move(t);
  return v;
}

// Loads the transaction (404 across tenants), lets `change` act on it in one
// write transaction, and answers with the result.
// What the audit trail keeps of a transaction before and after an action.
boost::json::value TransactionAuditJson(const store::TransactionRecord& t) {
  auto opt = [](const std::optional<std::string>& v) {
    return v ? boost::json::value(*v) : boost::json::value(nullptr);
  };
  return boost::json::object{{"status", t.status},
                             {"amount", t.amount},
                             {"currency", t.currency},
                             {"org_id", t.org_id},
                             {"hold_reason", opt(t.hold_reason)},
                             {"cancel_reason", opt(t.cancel_reason)},
                             {"return_code", opt(t.return_code)}};
}

template <class F>
Result<TransactionView> Mutate(Env& env, const Actor& actor, const std::string& id,
                               std::string_view action, F&& change) {
  if (actor.role == Role::kEmi || actor.role == Role::kOpsManager) {
    return Error::Forbidden("this role does not act on transactions");
  }
  std::optional<TransactionView> view;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto t, store::FindTransaction(tx, id, actor.tenant()));
    if (!t) return Error::NotFound("transaction");
    boost::json::value before = TransactionAuditJson(*t);
    PAYOPS_TRY(change(tx, *t, env.clock.Now()));
    PAYOPS_TRY(RecordAudit(env, tx, actor, action, "transaction", t->id, before,
                           TransactionAuditJson(*t)));
    PAYOPS_ASSIGN_OR_RETURN(view, View(tx, std::move(*t)));
    return Status::Ok();
  }));
  return std::move(*view);
}

// Whether the transaction is in a closed ACH batch: the batch's close gave it
// its trace number. Not the clock alone: one that became PENDING just before a
// cutoff and committed after its batch closed, or that a full batch left out,
// is in no batch yet and joins the next (store::PendingFor), so it can still be
// canceled, and a suspension cancels it. Between a cutoff and its close (the
// job runs at the cutoff) a cancel is still taken; the close leaves it out.
bool BatchClosed(const store::TransactionRecord& t) {
  return t.status == "PENDING" && t.funding_type == "ach" && t.trace_number.has_value();
}

Status ValidateNew(const NewTransaction& in) {
  PAYOPS_TRY(CheckAmount(in.amount, "amount"));
  PAYOPS_TRY(Currency::Parse(in.currency));
  auto payout = Currency::Parse(in.payout_currency);
  if (!payout.ok()) {
    return Error::Invalid("invalid_currency", "payout_currency must be an ISO 4217 code",
                          "payout_currency");
  }
  if (!IsCorridor(in.corridor)) {
    return Error::Invalid("invalid_value", "corridor must look like US-MX", "corridor");
  }
  if (in.funding_type != "ach" && in.funding_type != "debit_card") {
    return Error::Invalid("invalid_value", "funding.type must be ach or debit_card",
                          "funding.type");
  }
  if (in.device_id.empty() || in.device_id.size() > kMaxDeviceIdBytes) {
    return Error::Invalid("invalid_value", "device_id must be 1 to 200 bytes", "device_id");
  }
  return Status::Ok();
}

// The org with its fee schedule, from the cache or the store. Inside a write
// the org read may not be committed yet (a job of the same group that could
// still roll back), so it is cached only after the commit, by `to_cache`.
Result<std::shared_ptr<const Org>> CachedOrg(Env& env, store::Tx& tx, const std::string& id,
                                             std::shared_ptr<const Org>& to_cache) {
  if (auto cached = env.orgs.Find(id)) return cached;
  PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, id));
  if (!org) return Error::Internal("org " + id + " not found");
  to_cache = std::make_shared<const Org>(std::move(*org));
  return to_cache;
}

// What initiation reads first, in its write transaction: the parties (404s
// and the corridor), the org's fees, the user's usage of the limits, and the
// risk facts about the user's recent transactions, earlier recipients,
// devices and returns.
struct Initiation {
  EndUser user;
  std::optional<store::BankAccount> bank;  // ACH only
  std::string org_id;
  std::string recipient_id;
  std::shared_ptr<const Org> org;
  int64_t fee = 0;
  Instant now;
  store::InitiationFacts facts;
};

Result<Initiation> ReadInitiation(Env& env, store::Tx& tx, const Actor& actor,
                                  const NewTransaction& in, std::shared_ptr<const Org>& to_cache) {
  // First, the lock that orders initiations for one user with each other and
  // with the writes that change what they decide on (see CreateTransaction).
  PAYOPS_ASSIGN_OR_RETURN(auto user, store::LockEndUser(tx, in.user_id, actor.tenant()));
  if (!user) return Error{ErrorKind::kNotFound, "not_found", "user not found", "user_id"};
  PAYOPS_ASSIGN_OR_RETURN(auto parties, store::FindPaymentParties(tx, user->org_id, in.recipient_id,
                                                                  in.funding_type, in.funding_id));
  auto& recipient = parties.recipient;
  if (!recipient || recipient->user_id != user->id) {
    return Error{ErrorKind::kNotFound, "not_found", "recipient not found", "recipient_id"};
  }
  Initiation out;
  if (in.funding_type == "ach") {
    out.bank = std::move(parties.bank);
    if (!out.bank || out.bank->user_id != user->id) {
      return Error{ErrorKind::kNotFound, "not_found", "bank account not found", "funding.id"};
    }
  } else if (!parties.card || parties.card->user_id != user->id) {
    return Error{ErrorKind::kNotFound, "not_found", "card not found", "funding.id"};
  }
  std::string expected_corridor = user->country + "-" + recipient->country;
  if (in.corridor != expected_corridor) {
    return Error::Invalid(
        "corridor_mismatch",
        "corridor must be " + expected_corridor + " (the user's country, then the recipient's)",
        "corridor");
  }
  PAYOPS_ASSIGN_OR_RETURN(out.org, CachedOrg(env, tx, user->org_id, to_cache));
  PAYOPS_ASSIGN_OR_RETURN(out.fee,
                          FindFee(out.org->fees, FeeDirection::kPayin, in.currency, in.corridor));
  // The payout fee too, so that processing can always post to the ledger.
  PAYOPS_TRY(FindFee(out.org->fees, FeeDirection::kPayout, in.currency, in.corridor));
  // An ACH debit of amount + fee must fit the 10 digits of a NACHA entry.
  if (in.funding_type == "ach" && in.amount + out.fee > nacha::kMaxEntryAmountMinor) {
    return Error::Refused("amount_too_large",
                          "an ACH debit (amount + fee) is at most " +
                              std::to_string(nacha::kMaxEntryAmountMinor) +
                              " minor units, what the amount field of a NACHA entry holds",
                          "amount");
  }
  // Limits over the user's earlier transactions, read after the user's lock
  // so that concurrent initiations cannot exceed them together.
  static_assert(kRolling30DaysLimitWindow >= kDailyLimitWindow);
  out.now = env.clock.Now();
  PAYOPS_ASSIGN_OR_RETURN(
      out.facts,
      store::UserInitiationFacts(tx, user->id, recipient->id, in.device_id,
                                 out.now - kDailyLimitWindow, out.now - kRolling30DaysLimitWindow));
  out.org_id = user->org_id;
  out.recipient_id = recipient->id;
  out.user = std::move(*user);
  return out;
}

// Initiation's write: limits on current usage, the pipeline in memory, then the
// transaction stored once in its final state with its two history lines.
Result<TransactionView> WriteInitiation(Env& env, store::Tx& tx, const Actor& actor,
                                        const NewTransaction& in, Initiation& pre,
                                        const std::optional<std::string>& ip_country) {
  const Instant now = pre.now;
  const EndUser& user = pre.user;
  const store::RecentActivity& recent = pre.facts.recent;
  LimitUsage used{recent.usage_since_day_minor, recent.usage_since_month_minor};
  PAYOPS_TRY(
      CheckInitiation(InitiationRequest{user.kyc_status, user.tier, in.amount, in.currency, used},
                      env.tier_limits));

  store::TransactionRecord t;
  t.id = env.ids.New("txn");
  t.org_id = pre.org_id;
  t.user_id = user.id;
  t.recipient_id = pre.recipient_id;
  t.funding_type = in.funding_type;
  t.funding_id = in.funding_id;
  t.amount = in.amount;
  t.currency = in.currency;
  t.payout_currency = in.payout_currency;
  t.corridor = in.corridor;
  t.fee = pre.fee;
  t.ip_address = in.ip_address;
  t.ip_country = ip_country;
  t.device_id = in.device_id;
  t.status = "INITIATED";
  t.created_at = t.updated_at = now;
  store::HistoryEntry initiated{env.ids.New("th"), t.id,        now,
                                std::nullopt,      "INITIATED", actor.member_id,
                                "initiated",       std::nullopt};

  RiskInput risk = RiskBase(env, t, user, now);
  risk.transactions_last_24h = recent.count_since_day;
  risk.earlier_returns = pre.facts.past.returns;
  risk.new_recipient = !pre.facts.past.used_recipient;
  risk.new_device = !pre.facts.past.used_device;
  PAYOPS_ASSIGN_OR_RETURN(
      auto decided,
      DecideChecks(env, tx, t, Context{std::move(pre.user), pre.org, std::move(pre.bank)}, risk,
                   Actor::System(), PipelineStep::kGeoip, false, std::nullopt, now));
  const store::HistoryEntry both[] = {initiated, decided};
  PAYOPS_TRY(store::InsertTransaction(tx, t, both));
  PAYOPS_TRY(QueueTransactionEvents(env, tx, t, "INITIATED", decided.to_status));
  // The history as ListHistory would answer it: (at, id) order, ids increasing.
  TransactionView view;
  view.history.push_back(std::move(initiated));
  view.history.push_back(std::move(decided));
  view.txn = std::move(t);
  return view;
}

}  // namespace

Result<TransactionView> CreateTransaction(Env& env, const Actor& actor, const NewTransaction& in) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kPartner}));
  PAYOPS_TRY(ValidateNew(in));
  if (!IsIpAddress(in.ip_address)) {
    return Error::Invalid("invalid_ip_address", "ip_address must be an IPv4 or IPv6 address",
                          "ip_address");
  }
  std::optional<std::string> ip_country;
  if (env.geoip) {
    PAYOPS_ASSIGN_OR_RETURN(ip_country, env.geoip->CountryOf(in.ip_address));
  }
  // One write transaction reads and writes: the writer's page cache is warm,
  // while a read connection starts cold after every commit (SQLite drops a
  // reader's cache whenever the WAL has changed), which cost more CPU than
  // the lookups add to the writer.
  //
  // It runs after the user's lock (WriteAfterLock): every write that changes
  // what an initiation decides on (the user's KYC status and tier, the limits
  // used by their earlier initiations, their bank accounts' status) updates
  // the user's row too, so those are read as of the lock. The rest only
  // informs the risk score or the events (a return, a recipient or device
  // first used by another of the user's initiations is ordered by the lock
  // too; a webhook endpoint added meanwhile), and no write that acts on a
  // user's set of transactions does so without the lock (a suspension or a
  // KYC change updates the row; a change to a bank account locks it), so none
  // can miss the new transaction.
  std::optional<TransactionView> view;
  std::shared_ptr<const Org> to_cache;
  PAYOPS_TRY(env.store.WriteAfterLock([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(Initiation pre, ReadInitiation(env, tx, actor, in, to_cache));
    PAYOPS_ASSIGN_OR_RETURN(view, WriteInitiation(env, tx, actor, in, pre, ip_country));
    return Status::Ok();
  }));
  if (to_cache) env.orgs.Put(to_cache);
  return std::move(*view);
}

Result<TransactionView> GetTransaction(Env& env, const Actor& actor, const std::string& id) {
  // EMI staff answer payment escalations: they read transactions of every
  // org (actor.tenant() is empty for them).
  std::optional<TransactionView> view;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto t, store::FindTransaction(tx, id, actor.tenant()));
    if (!t) return Error::NotFound("transaction");
    PAYOPS_ASSIGN_OR_RETURN(view, View(tx, std::move(*t)));
    std::vector<std::string> actors;
    for (const auto& h : view->history) actors.push_back(h.actor);
    PAYOPS_ASSIGN_OR_RETURN(view->actor_names, store::MemberNames(tx, actors));
    return Status::Ok();
  }));
  return std::move(*view);
}

Result<store::Page<store::TransactionRecord>> ListTransactions(Env& env, const Actor& actor,
                                                               const store::PageRequest& page,
                                                               store::TransactionFilter filter) {
  if (actor.tenant()) filter.org_id = actor.tenant();
  store::Page<store::TransactionRecord> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListTransactions(tx, page, filter));
    return Status::Ok();
  }));
  return out;
}

Result<std::vector<store::HoldCount>> CountHolds(Env& env, const Actor& actor,
                                                 std::optional<std::string> org_id) {
  if (actor.tenant()) org_id = actor.tenant();
  std::vector<store::HoldCount> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::CountHolds(tx, org_id));
    return Status::Ok();
  }));
  return out;
}

Result<TransactionView> CancelTransaction(Env& env, const Actor& actor, const std::string& id,
                                          const std::string& note) {
  return Mutate(
      env, actor, id, "transaction.cancel",
      [&](store::Tx& tx, store::TransactionRecord& t, Instant now) -> Status {
        CancelReason reason = actor.role == Role::kPartner ? CancelReason::kPartnerRequested
                                                           : CancelReason::kAgentCanceled;
        if (ActorKind(actor) == TxnActor::kAgent && note.empty()) {
          return Status(
              Error::Invalid("note_required", "an agent's cancel carries a note", "note"));
        }
        PAYOPS_TRY(CheckCancel(CancelRequest{StatusOf(t), t.created_at, now, BatchClosed(t), reason,
                                             ActorKind(actor)}));
        t.cancel_reason = std::string(CancelReasonCode(reason));
        t.hold_reason.reset();
        PAYOPS_TRY(Transition(env, tx, t, TxnStatus::kCanceled, actor, CancelReasonCode(reason),
                              note.empty() ? std::nullopt : std::optional<std::string>(note), now));
        return store::UpdateTransaction(tx, t);
      });
}

namespace {

Result<TransactionView> Release(Env& env, const Actor& actor, const std::string& id,
                                const std::string& note, std::optional<ReleasePath> forced) {
  return Mutate(
      env, actor, id,
      forced == ReleasePath::kAgentRetryBalanceCheck ? "transaction.retry_balance_check"
                                                     : "transaction.release",
      [&](store::Tx& tx, store::TransactionRecord& t, Instant now) -> Status {
        if (t.status != "HOLD" || !t.hold_reason) {
          return Status(
              Error::Conflict("not_on_hold", "transaction is " + t.status + ", not on hold"));
        }
        HoldReason hold = ParseHoldReason(*t.hold_reason).value_or(HoldReason::kRiskModerate);
        ReleasePath path = forced.value_or(ReleasePath::kAgentReleaseAfterReview);
        if (!forced) {
          if (hold == HoldReason::kBankAccountLocked || hold == HoldReason::kBankSetupRequired) {
            path = ReleasePath::kAgentReleaseAfterUserConfirmation;
          } else if (hold == HoldReason::kBankLoginRequired ||
                     hold == HoldReason::kInstitutionNotResponding) {
            path = ReleasePath::kAgentRetryBalanceCheck;
          }
        }
        PipelineStep resume =
            ParsePipelineStep(t.resume_from.value_or("geoip")).value_or(PipelineStep::kGeoip);
        PAYOPS_ASSIGN_OR_RETURN(ResumePlan plan,
                                PlanRelease(hold, path, ActorKind(actor), note, resume));
        return RunChecks(env, tx, t, actor, plan.start, plan.skip_balance_check,
                         std::optional<std::string>(note), now);
      });
}

// Re-runs held transactions after an automatic release, as the system.
Status AutoRelease(Env& env, store::Tx& tx, store::HeldFor what, const std::string& id,
                   HoldReason reason, ReleasePath path) {
  PAYOPS_ASSIGN_OR_RETURN(auto held, store::HeldTransactions(tx, what, id, kMaxHookBatch));
  Instant now = env.clock.Now();
  for (auto& t : held) {
    PipelineStep resume =
        ParsePipelineStep(t.resume_from.value_or("geoip")).value_or(PipelineStep::kGeoip);
    PAYOPS_ASSIGN_OR_RETURN(ResumePlan plan,
                            PlanRelease(reason, path, TxnActor::kSystem, "", resume));
    PAYOPS_TRY(RunChecks(env, tx, t, Actor::System(), plan.start, plan.skip_balance_check,
                         std::string(ReleasePathName(path)), now));
  }
  return Status::Ok();
}

}  // namespace

Result<TransactionView> ReleaseTransaction(Env& env, const Actor& actor, const std::string& id,
                                           const std::string& note, bool skip_balance_check) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent}));
  return Release(env, actor, id, note,
                 skip_balance_check
                     ? std::optional<ReleasePath>(ReleasePath::kAgentReleaseSkipBalanceCheck)
                     : std::nullopt);
}

Result<TransactionView> RetryBalanceCheck(Env& env, const Actor& actor, const std::string& id,
                                          const std::string& note) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent}));
  return Release(env, actor, id, note.empty() ? "balance check retried" : note,
                 ReleasePath::kAgentRetryBalanceCheck);
}

Result<TransactionView> RefundTransaction(Env& env, const Actor& actor, const std::string& id,
                                          const std::string& note) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent}));
  return Mutate(
      env, actor, id, "transaction.refund",
      [&](store::Tx& tx, store::TransactionRecord& t, Instant now) -> Status {
        PAYOPS_TRY(CheckRefund(StatusOf(t), ActorKind(actor)));
        PAYOPS_TRY(Transition(env, tx, t, TxnStatus::kRefunded, actor, "refunded",
                              note.empty() ? std::nullopt : std::optional<std::string>(note), now));
        PAYOPS_TRY(PostReversal(env, tx, t, PostingKind::kRefund));
        return store::UpdateTransaction(tx, t);
      });
}

Result<TransactionView> ReturnTransaction(Env& env, const Actor& actor, const std::string& id,
                                          const std::string& r_code) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent}));
  return Mutate(env, actor, id, "transaction.return",
                [&](store::Tx& tx, store::TransactionRecord& t, Instant now) -> Status {
                  PAYOPS_TRY(CheckReturn(StatusOf(t), r_code, ActorKind(actor)));
                  t.return_code = r_code;
                  PAYOPS_TRY(Transition(env, tx, t, TxnStatus::kReturned, actor, r_code,
                                        std::string(NachaReturnCodeDescription(r_code)), now));
                  PAYOPS_TRY(PostReversal(env, tx, t, PostingKind::kReturn));
                  return store::UpdateTransaction(tx, t);
                });
}

Result<TransactionView> ChargebackTransaction(Env& env, const Actor& actor, const std::string& id,
                                              const std::string& reason) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent}));
  return Mutate(env, actor, id, "transaction.chargeback",
                [&](store::Tx& tx, store::TransactionRecord& t, Instant now) -> Status {
                  PAYOPS_TRY(CheckChargeback(StatusOf(t), reason, ActorKind(actor)));
                  t.return_code = "chargeback";
                  PAYOPS_TRY(Transition(env, tx, t, TxnStatus::kReturned, actor, "chargeback",
                                        std::optional<std::string>(reason), now));
                  PAYOPS_TRY(PostReversal(env, tx, t, PostingKind::kReturn));
                  return store::UpdateTransaction(tx, t);
                });
}

Status MarkProcessed(Env& env, store::Tx& tx, store::TransactionRecord& t, std::string_view reason,
                     Instant now) {
  t.processed_at_us = ToMicros(now);
  PAYOPS_TRY(
      Transition(env, tx, t, TxnStatus::kProcessed, Actor::System(), reason, std::nullopt, now));
  PAYOPS_TRY(PostProcessed(env, tx, t));
  return store::UpdateTransaction(tx, t);
}

Status MarkReturned(Env& env, store::Tx& tx, store::TransactionRecord& t, const std::string& r_code,
                    const std::string& note, Instant now) {
  PAYOPS_TRY(CheckReturn(StatusOf(t), r_code, TxnActor::kSystem));
  t.return_code = r_code;
  PAYOPS_TRY(Transition(env, tx, t, TxnStatus::kReturned, Actor::System(), r_code, note, now));
  PAYOPS_TRY(PostReversal(env, tx, t, PostingKind::kReturn));
  return store::UpdateTransaction(tx, t);
}

Status OnKycVerified(Env& env, store::Tx& tx, const std::string& user_id) {
  return AutoRelease(env, tx, store::HeldFor::kUserKyc, user_id, HoldReason::kKycNotVerified,
                     ReleasePath::kAutoOnKycVerified);
}

Status OnBankVerified(Env& env, store::Tx& tx, const std::string& bank_account_id) {
  return AutoRelease(env, tx, store::HeldFor::kBankLogin, bank_account_id,
                     HoldReason::kBankLoginRequired, ReleasePath::kAutoOnBankVerified);
}

Status OnUserSuspended(Env& env, store::Tx& tx, const std::string& user_id) {
  PAYOPS_ASSIGN_OR_RETURN(auto open, store::OpenTransactionsOfUser(tx, user_id, kMaxHookBatch));
  Instant now = env.clock.Now();
  Actor system = Actor::System();
  for (auto& t : open) {
    Status allowed = CheckCancel(CancelRequest{StatusOf(t), t.created_at, now, BatchClosed(t),
                                               CancelReason::kUserSuspended, TxnActor::kSystem});
    if (!allowed.ok()) continue;  // already in a closed batch: it goes on
    t.cancel_reason = "USER_SUSPENDED";
    t.hold_reason.reset();
    PAYOPS_TRY(
        Transition(env, tx, t, TxnStatus::kCanceled, system, "USER_SUSPENDED", std::nullopt, now));
    PAYOPS_TRY(store::UpdateTransaction(tx, t));
  }
  return Status::Ok();
}

}  // namespace payops::service
