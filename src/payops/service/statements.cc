#include "payops/service/statements.h"

#include <algorithm>
#include <set>

#include "payops/core/mail_ids.h"
#include "payops/core/money.h"
#include "payops/service/audit.h"
#include "payops/service/mail_templates.h"
#include "payops/store/orgs.h"
#include "payops/store/outbox.h"
#include "payops/store/tickets.h"

namespace payops::service {
namespace {

constexpr int kMaxListedStatements = 120;

// Where the statement of `org` is read: a partner's own org, or the one staff name.
Result<std::string> StatementOrg(const Actor& actor, const std::optional<std::string>& org_id) {
  if (actor.tenant()) {
    if (org_id && *org_id != *actor.tenant()) return Error::NotFound("statement");
    return *actor.tenant();
  }
  if (!IsStaff(actor.role))
    return Error::Forbidden("only staff and the org's partners read statements");
  if (!org_id || org_id->empty()) {
    return Error::Invalid("missing_field", "org_id is required", "org_id");
  }
  return *org_id;
}

std::string MoneyText(int64_t minor, const std::string& currency) {
  auto c = Currency::Parse(currency);
  return c.ok() ? Money(minor, *c).ToString() : std::to_string(minor) + " " + currency;
}

Result<StatementView> Load(store::Tx& tx, store::StatementRecord record, std::string org_name) {
  StatementView v;
  PAYOPS_ASSIGN_OR_RETURN(v.lines, store::StatementLines(tx, record.id));
  PAYOPS_ASSIGN_OR_RETURN(v.totals, statement::ComputeTotals(v.lines));
  v.record = std::move(record);
  v.org_name = std::move(org_name);
  return v;
}

Status QueueStatementMail(Env& env, store::Tx& tx, const Org& org, const StatementView& v) {
  if (org.billing_emails.empty()) return Status::Ok();
  std::string summary;
  for (const statement::Totals& t : v.totals) {
    summary += t.currency + ": fees " + MoneyText(t.fees, t.currency) + ", plan charges " +
               MoneyText(t.plan_charges, t.currency) + ", corrections " +
               MoneyText(t.corrections, t.currency) + ", total due " +
               MoneyText(t.total_due, t.currency) + "\n";
  }
  if (summary.empty()) summary = "No transactions and no charges this month.\n";
  mail::TemplateValues values;
  values.emplace("org_name", org.name);
  values.emplace("month", v.record.month);
  values.emplace("summary", summary);
  values.emplace("statement_id", v.record.id);
  values.emplace("link", env.desk.base_url + "/#statements");
  values.emplace("support_name", env.mail.support_name);
  PAYOPS_ASSIGN_OR_RETURN(RenderedMail rendered, RenderMail("monthly_statement", values));
  const std::string csv = v.Csv();
  for (const std::string& to : org.billing_emails) {
    store::OutboxMessage m;
    m.id = env.ids.New("msg");
    m.kind = "email";
    m.event = "monthly_statement";
    m.to_address = to;
    m.subject = "Your payops statement for " + v.record.month;
    m.body = rendered.text;
    m.html_body = rendered.html;
    m.message_id = mail::OutboundMessageId("", m.id, env.mail.domain);
    m.created_at = env.clock.Now();
    m.next_attempt_at_us = ToMicros(m.created_at);
    m.attachment_name = "statement-" + v.record.month + ".csv";
    m.attachment_type = "text/csv";
    m.attachment_body = csv;
    PAYOPS_TRY(EnqueueOutbox(env, tx, std::move(m)));
  }
  return Status::Ok();
}

}  // namespace

std::string StatementView::Csv() const {
  return statement::RenderCsv(
      statement::Header{record.id, record.org_id, org_name, record.month, record.issued_at}, lines,
      totals);
}

Status RecordPosting(store::Tx& tx, const std::string& org_id, const std::string& corridor,
                     const Posting& p, Instant at) {
  if (p.entries.empty()) return Status::Ok();
  auto d = statement::DeltaOf(p, OrgAccounts::For(org_id, p.entries.front().currency));
  if (!d) return Status::Ok();
  return store::AddToMonthlyAggregate(tx, org_id, statement::FormatMonth(statement::MonthOf(at)),
                                      *d, corridor);
}

Result<StatementView> IssueStatement(Env& env, store::Tx& tx, const std::string& org_id,
                                     statement::Month month, const std::string& issued_by) {
  const std::string month_text = statement::FormatMonth(month);
  const Instant now = env.clock.Now();
  PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, org_id));
  if (!org) return Error::NotFound("org");
  PAYOPS_ASSIGN_OR_RETURN(auto existing, store::FindStatement(tx, org_id, month_text));
  if (existing) return Load(tx, std::move(*existing), org->name);
  const Instant end = statement::MonthEnd(month);
  if (now < end) {
    return Error::Refused("month_not_ended",
                          month_text + " has not ended (it ends " + FormatRfc3339(end) + ")",
                          "month");
  }
  PAYOPS_ASSIGN_OR_RETURN(auto aggregates, store::MonthlyAggregates(tx, org_id, month_text));
  PAYOPS_ASSIGN_OR_RETURN(
      auto charges,
      statement::SupportPlanCharges(org->hypercare_plan, org->bau_plan, org->go_live_date, month));
  PAYOPS_ASSIGN_OR_RETURN(auto pending, store::PendingCorrections(tx, org_id, end));
  std::vector<statement::Correction> corrections;
  std::vector<std::string> applied;
  for (const store::CorrectionRecord& c : pending) {
    corrections.push_back(
        statement::Correction{c.id, c.currency, c.amount, c.reason,
                              c.ticket_number ? std::to_string(*c.ticket_number) : "",
                              c.statement_month.value_or(""), c.line_id.value_or("")});
    applied.push_back(c.id);
  }
  PAYOPS_ASSIGN_OR_RETURN(auto lines, statement::BuildLines(aggregates, charges, corrections));
  for (statement::Line& l : lines) l.id = env.ids.New("stl");
  StatementView v;
  v.record = store::StatementRecord{env.ids.New("stm"), org_id, month_text, now, issued_by};
  v.org_name = org->name;
  PAYOPS_ASSIGN_OR_RETURN(v.totals, statement::ComputeTotals(lines));
  v.lines = std::move(lines);
  v.issued_now = true;
  PAYOPS_TRY(store::InsertStatement(tx, v.record, v.lines));
  PAYOPS_TRY(store::MarkCorrectionsApplied(tx, applied, v.record.id));
  PAYOPS_TRY(QueueStatementMail(env, tx, *org, v));
  return v;
}

Result<StatementView> GetMonthlyStatement(Env& env, const Actor& actor,
                                          const std::optional<std::string>& org_id,
                                          const std::string& month) {
  PAYOPS_ASSIGN_OR_RETURN(std::string org, StatementOrg(actor, org_id));
  if (month.empty()) return Error::Invalid("missing_field", "month (YYYY-MM) is required", "month");
  PAYOPS_ASSIGN_OR_RETURN(statement::Month m, statement::ParseMonth(month));
  const Instant end = statement::MonthEnd(m);
  if (env.clock.Now() < end) {
    return Error::Refused("month_not_ended",
                          month + " has not ended (it ends " + FormatRfc3339(end) + ")", "month");
  }
  // Already issued: a read only.
  std::optional<StatementView> view;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto o, store::FindOrg(tx, org));
    if (!o) return Error::NotFound("org");
    PAYOPS_ASSIGN_OR_RETURN(auto existing, store::FindStatement(tx, org, month));
    if (existing) {
      PAYOPS_ASSIGN_OR_RETURN(view, Load(tx, std::move(*existing), o->name));
    }
    return Status::Ok();
  }));
  if (view) return std::move(*view);
  Status s = env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(view, IssueStatement(env, tx, org, m, actor.member_id));
    return Status::Ok();
  });
  if (!s.ok() && s.error().code == "duplicate") {
    // Issued at the same moment by the job or another server: read that one.
    PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(auto o, store::FindOrg(tx, org));
      PAYOPS_ASSIGN_OR_RETURN(auto existing, store::FindStatement(tx, org, month));
      if (!o || !existing) return Error::Internal("statement vanished");
      PAYOPS_ASSIGN_OR_RETURN(view, Load(tx, std::move(*existing), o->name));
      return Status::Ok();
    }));
    return std::move(*view);
  }
  PAYOPS_TRY(s);
  return std::move(*view);
}

Result<std::vector<StatementView>> ListStatements(Env& env, const Actor& actor,
                                                  const std::optional<std::string>& org_id) {
  PAYOPS_ASSIGN_OR_RETURN(std::string org, StatementOrg(actor, org_id));
  std::vector<StatementView> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto o, store::FindOrg(tx, org));
    if (!o) return Error::NotFound("org");
    PAYOPS_ASSIGN_OR_RETURN(auto records, store::ListStatements(tx, org, kMaxListedStatements));
    for (auto& r : records) {
      PAYOPS_ASSIGN_OR_RETURN(StatementView v, Load(tx, std::move(r), o->name));
      out.push_back(std::move(v));
    }
    return Status::Ok();
  }));
  return out;
}

Result<int> IssueMonthlyStatements(Env& env, Instant at) {
  const statement::Month month = statement::PreviousMonth(statement::MonthOf(at));
  const Instant end = statement::MonthEnd(month);
  int issued = 0;
  store::PageRequest page{500, std::nullopt};
  for (;;) {
    store::Page<Org> orgs;
    PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(orgs, store::ListOrgs(tx, page, std::nullopt));
      return Status::Ok();
    }));
    for (const Org& o : orgs.items) {
      if (o.created_at >= end) continue;
      PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
        PAYOPS_ASSIGN_OR_RETURN(StatementView v, IssueStatement(env, tx, o.id, month, "system"));
        if (v.issued_now) ++issued;
        return Status::Ok();
      }));
    }
    if (!orgs.has_more || orgs.items.empty()) break;
    page.after_id = orgs.items.back().id;
  }
  return issued;
}

// ---- Billing disputes ----

Status LinkTicketStatement(store::Tx& tx, const std::string& ticket_id,
                           const std::optional<std::string>& org_id, const std::string& category,
                           const std::string& statement_id,
                           const std::vector<std::string>& line_ids) {
  if (category != "billing" && category != "report") {
    return Error::Refused("category_not_billing",
                          "only billing and report tickets name a statement", "statement_id");
  }
  if (line_ids.size() > statement::kMaxDisputedLines) {
    return Error::Invalid("invalid_value", "line_ids names at most 50 lines", "line_ids");
  }
  PAYOPS_ASSIGN_OR_RETURN(auto s, store::FindStatementById(tx, statement_id));
  if (!s || !org_id || s->org_id != *org_id) {
    return Error::Refused("statement_not_found", "no statement " + statement_id + " of this org",
                          "statement_id");
  }
  PAYOPS_ASSIGN_OR_RETURN(auto lines, store::StatementLines(tx, statement_id));
  std::set<std::string> known;
  for (const auto& l : lines) known.insert(l.id);
  std::set<std::string> seen;
  for (const std::string& id : line_ids) {
    if (!known.contains(id)) {
      return Error::Refused("unknown_line", "statement " + statement_id + " has no line " + id,
                            "line_ids");
    }
    if (!seen.insert(id).second) {
      return Error::Invalid("invalid_value", "line_ids lists " + id + " twice", "line_ids");
    }
  }
  return store::InsertTicketStatement(tx,
                                      store::TicketStatementRef{ticket_id, statement_id, line_ids});
}

Result<std::optional<DisputedStatement>> TicketStatement(store::Tx& tx,
                                                         const std::string& ticket_id) {
  PAYOPS_ASSIGN_OR_RETURN(auto ref, store::FindTicketStatement(tx, ticket_id));
  PAYOPS_ASSIGN_OR_RETURN(auto corrections, store::TicketCorrections(tx, ticket_id));
  if (!ref && corrections.empty()) return std::optional<DisputedStatement>();
  DisputedStatement d;
  d.corrections = std::move(corrections);
  if (ref) {
    PAYOPS_ASSIGN_OR_RETURN(auto s, store::FindStatementById(tx, ref->statement_id));
    if (s) d.record = std::move(*s);
    PAYOPS_ASSIGN_OR_RETURN(auto lines, store::StatementLines(tx, ref->statement_id));
    for (auto& l : lines) {
      if (ref->line_ids.empty() ||
          std::find(ref->line_ids.begin(), ref->line_ids.end(), l.id) != ref->line_ids.end()) {
        d.lines.push_back(std::move(l));
      }
    }
  }
  return std::optional<DisputedStatement>(std::move(d));
}

Result<store::CorrectionRecord> IssueCorrection(Env& env, const Actor& actor,
                                                const std::string& ticket_id,
                                                const NewCorrection& in) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent, Role::kOpsManager}));
  if (in.amount == 0 || in.amount > statement::kMaxCorrectionMinor ||
      in.amount < -statement::kMaxCorrectionMinor) {
    return Error::Invalid("invalid_value", "amount must be non-zero minor units within ±1000000000",
                          "amount");
  }
  PAYOPS_TRY(Currency::Parse(in.currency));
  if (in.reason.empty() || in.reason.size() > statement::kMaxCorrectionReasonBytes) {
    return Error::Invalid("invalid_value", "reason must be 1 to 2000 bytes", "reason");
  }
  store::CorrectionRecord c;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto t, store::FindTicketById(tx, ticket_id));
    if (!t) return Error::NotFound("ticket");
    if (t->category != "billing" && t->category != "report") {
      return Error::Refused("category_not_billing",
                            "corrections are issued from billing and report tickets", "ticket");
    }
    if (!t->org_id) {
      return Error::Refused("no_org", "the ticket belongs to no org", "ticket");
    }
    PAYOPS_ASSIGN_OR_RETURN(auto ref, store::FindTicketStatement(tx, ticket_id));
    if (in.line_id) {
      bool named = false;
      if (ref) {
        PAYOPS_ASSIGN_OR_RETURN(auto lines, store::StatementLines(tx, ref->statement_id));
        for (const auto& l : lines) named = named || l.id == *in.line_id;
      }
      if (!named) {
        return Error::Refused("unknown_line", "the ticket's statement has no line " + *in.line_id,
                              "line_id");
      }
    }
    const Instant now = env.clock.Now();
    c.id = env.ids.New("cor");
    c.org_id = *t->org_id;
    c.ticket_id = t->id;
    c.statement_id = ref ? std::optional<std::string>(ref->statement_id) : std::nullopt;
    c.line_id = in.line_id;
    c.currency = in.currency;
    c.amount = in.amount;
    c.reason = in.reason;
    c.created_by = actor.member_id;
    c.created_at = now;
    c.ticket_number = t->number;
    PAYOPS_TRY(store::InsertCorrection(tx, c));
    PAYOPS_TRY(store::AppendTicketEvent(
        tx,
        store::TicketEvent{
            env.ids.New("tev"), t->id, now, actor.member_id, "statement_correction", std::nullopt,
            c.id + " " + MoneyText(c.amount, c.currency) + " on the next statement", in.reason}));
    return RecordAudit(env, tx, actor, "statement_correction.create", "statement_correction", c.id,
                       nullptr,
                       boost::json::object{{"org_id", c.org_id},
                                           {"ticket_id", t->id},
                                           {"currency", c.currency},
                                           {"amount", c.amount},
                                           {"reason", c.reason}});
  }));
  return c;
}

}  // namespace payops::service
