#include "payops/service/tickets.h"

#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <span>

#include "payops/core/mail_ids.h"
#include "payops/core/transaction.h"
#include "payops/core/validate.h"
#include "payops/service/mail_templates.h"
#include "payops/service/webhooks.h"
#include "payops/store/end_users.h"
#include "payops/store/kv.h"
#include "payops/store/members.h"
#include "payops/store/orgs.h"

namespace payops::service {
namespace {

using desk::ActorKind;
using desk::Priority;
using desk::TicketStatus;

// --------------------------------------------------------------------------
// Small conversions.

TicketStatus StatusOf(const store::TicketRecord& t) {
  auto s = desk::ParseTicketStatus(t.status);
  assert(s.ok());
  return s.ok() ? *s : TicketStatus::kOpen;
}

Priority PriorityOf(const std::string& text) {
  auto p = desk::ParsePriority(text);
  assert(p.ok());
  return p.ok() ? *p : Priority::kMedium;
}

bool SeesInternalNotes(const Actor& a) {
  return desk::ReadsInternalNotes(a.role);
}

bool IsOutsider(const Actor& a, const store::TicketRecord& t) {
  const std::string_view viewer_org = a.org_id ? std::string_view(*a.org_id) : std::string_view();
  const std::string_view ticket_org = t.org_id ? std::string_view(*t.org_id) : std::string_view();
  desk::DeskViewer viewer{a.role, a.member_id, viewer_org, a.email, a.org_admin};
  return !desk::SeesTicketOrgObjects(viewer, ticket_org);
}

// What an outsider is shown of the ticket's own fields.
void HideOrgObjects(store::TicketRecord& t) {
  t.org_id.reset();
  t.transaction_id.reset();
  t.user_id.reset();
}

std::string TicketLink(const Env& env, const store::TicketRecord& t) {
  return env.desk.base_url + "/#/tickets/" + t.id;
}

// At most `max_bytes` of `text`, never ending inside a UTF-8 sequence (the
// excerpt goes into mail and JSON).
std::string Utf8Prefix(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return text.substr(0, cut);
}

// "[#1001] subject": the number in the subject threads replies (mail ingest).
std::string MailSubject(const store::TicketRecord& t, std::string_view prefix = {}) {
  return std::string(prefix) + "[#" + std::to_string(t.number) + "] " + t.subject;
}

// --------------------------------------------------------------------------
// The outbox.

struct Recipient {
  std::string address;
  std::optional<std::string> member_id;
};

// Queues one email or page about `t`, its text (and HTML for emails) rendered
// from templates/mail/<event> with the ticket's values and `extra`.
Status Queue(Env& env, store::Tx& tx, const store::TicketRecord& t, std::string_view kind,
             std::string_view event, const Recipient& to, std::string subject,
             mail::TemplateValues extra = {}) {
  mail::TemplateValues values = std::move(extra);
  values.emplace("number", std::to_string(t.number));
  values.emplace("subject", t.subject);
  values.emplace("priority", t.priority);
  values.emplace("queue", t.queue);
  values.emplace("link", TicketLink(env, t));
  values.emplace("requester_name", t.requester_name);
  values.emplace("support_name", env.mail.support_name);
  PAYOPS_ASSIGN_OR_RETURN(RenderedMail rendered, RenderMail(event, values));
  store::OutboxMessage m;
  m.id = env.ids.New("msg");
  m.kind = std::string(kind);
  m.event = std::string(event);
  m.to_address = to.address;
  m.to_member_id = to.member_id;
  m.subject = std::move(subject);
  m.body = std::move(rendered.text);
  m.ticket_id = t.id;
  m.created_at = env.clock.Now();
  m.next_attempt_at_us = ToMicros(m.created_at);
  if (kind == "email") {
    m.html_body = std::move(rendered.html);
    m.message_id = mail::OutboundMessageId(t.id, m.id, env.mail.domain);
  }
  PAYOPS_TRY(EnqueueOutbox(env, tx, std::move(m)));
  return Status::Ok();
}

// The requester and every CC, each once.
std::vector<Recipient> RequesterAndCcs(const store::TicketRecord& t) {
  std::vector<Recipient> out{{t.requester_email, std::nullopt}};
  for (const std::string& cc : t.cc) out.push_back({cc, std::nullopt});
  return out;
}

Result<std::optional<Recipient>> MemberRecipient(store::Tx& tx,
                                                 const std::optional<std::string>& member_id) {
  if (!member_id) return std::optional<Recipient>();
  PAYOPS_ASSIGN_OR_RETURN(auto m, store::FindMember(tx, *member_id));
  if (!m) return std::optional<Recipient>();
  return std::optional<Recipient>(Recipient{m->email, m->id});
}

Result<std::optional<Recipient>> QueueLead(store::Tx& tx, const std::string& queue) {
  PAYOPS_ASSIGN_OR_RETURN(auto team, store::QueueTeam(tx, queue, 1));
  if (team.empty() || !team.front().lead) return std::optional<Recipient>();
  return std::optional<Recipient>(Recipient{team.front().member.email, team.front().member.id});
}

// Urgent (SPEC §3.2): a page to every operations manager and a notice to every
// member of the queue's team.
Status QueueUrgent(Env& env, store::Tx& tx, const store::TicketRecord& t, std::string_view why) {
  PAYOPS_ASSIGN_OR_RETURN(auto managers,
                          store::MembersWithRole(tx, Role::kOpsManager, kMaxTeamSize));
  for (const auto& m : managers) {
    PAYOPS_TRY(Queue(env, tx, t, "page", "urgent_page", {m.email, m.id}, MailSubject(t, "URGENT "),
                     {{"why", std::string(why)}}));
  }
  PAYOPS_ASSIGN_OR_RETURN(auto team, store::QueueTeam(tx, t.queue, kMaxTeamSize));
  for (const auto& qm : team) {
    PAYOPS_TRY(Queue(env, tx, t, "email", "urgent_notice", {qm.member.email, qm.member.id},
                     MailSubject(t, "URGENT "), {{"why", std::string(why)}}));
  }
  return Status::Ok();
}

// Solving an urgent ticket resolves its page (the incident is keyed by the
// ticket, so one resolve per operations manager paged closes it).
Status QueuePageResolve(Env& env, store::Tx& tx, const store::TicketRecord& t) {
  PAYOPS_ASSIGN_OR_RETURN(auto managers,
                          store::MembersWithRole(tx, Role::kOpsManager, kMaxTeamSize));
  for (const auto& m : managers) {
    PAYOPS_TRY(
        Queue(env, tx, t, "page", "page_resolve", {m.email, m.id}, MailSubject(t, "Solved: ")));
  }
  return Status::Ok();
}

// --------------------------------------------------------------------------
// History.

Status Record(Env& env, store::Tx& tx, const store::TicketRecord& t, const Actor& actor,
              std::string field, std::optional<std::string> from, std::optional<std::string> to,
              std::string reason, Instant at) {
  return store::AppendTicketEvent(
      tx, store::TicketEvent{env.ids.New("tev"), t.id, at, actor.member_id, std::move(field),
                             std::move(from), std::move(to), std::move(reason)});
}

// --------------------------------------------------------------------------
// SLA.

std::string_view ClockStateText(desk::SlaClockState s) {
  return desk::SlaClockStateName(s);
}

// The SLA input of a ticket from its stored history of status and priority
// changes (the creation event is not a change).
Result<desk::SlaInput> SlaInputOf(store::Tx& tx, const store::TicketRecord& t) {
  desk::SlaInput in;
  auto plan = desk::ParseSlaPlan(t.sla_plan);
  in.plan = plan.ok() ? *plan : desk::SlaPlan::kEssentials;
  in.created_at = t.created_at;
  in.initial_priority = PriorityOf(t.initial_priority);
  in.initial_status = TicketStatus::kNew;
  if (t.first_agent_reply_at_us)
    in.first_public_agent_reply_at = FromMicros(*t.first_agent_reply_at_us);
  PAYOPS_ASSIGN_OR_RETURN(auto events,
                          store::ListTicketEvents(tx, t.id, {"status", "priority"},
                                                  static_cast<int>(desk::kMaxSlaHistory)));
  for (const auto& e : events) {
    if (!e.from_value || !e.to_value) continue;  // the creation
    if (e.field == "status") {
      auto s = desk::ParseTicketStatus(*e.to_value);
      if (s.ok()) in.status_changes.push_back({e.at, *s});
    } else {
      auto p = desk::ParsePriority(*e.to_value);
      if (p.ok()) in.priority_changes.push_back({e.at, *p});
    }
  }
  return in;
}

void StoreSlaState(store::TicketSla& out, const desk::SlaState& s) {
  out.fr_state = std::string(ClockStateText(s.first_response.state));
  out.fr_due = s.first_response.due;
  out.fr_left_us = s.first_response.time_left.count();
  out.fr_warned = s.first_response.warned;
  out.res_state = std::string(ClockStateText(s.resolution.state));
  out.res_due = s.resolution.due;
  out.res_left_us = s.resolution.time_left.count();
  out.res_warned = s.resolution.warned;
  out.clock_kind = std::string(desk::SlaClockKindName(s.target.clock));
  int64_t due = store::kNoSlaDue;
  if (s.first_response.state == desk::SlaClockState::kRunning)
    due = std::min(due, ToMicros(s.first_response.due));
  if (s.resolution.state == desk::SlaClockState::kRunning)
    due = std::min(due, ToMicros(s.resolution.due));
  out.sla_due_at_us = due;
  auto next = desk::NextSlaEvent(s);
  out.sla_next_at_us = next ? std::optional<int64_t>(ToMicros(next->at)) : std::nullopt;
}

struct SlaChange {
  bool fr_warning = false, fr_breach = false, res_warning = false, res_breach = false;
  bool any() const { return fr_warning || fr_breach || res_warning || res_breach; }
};

// Recomputes t.sla as of `now` and says which warnings and breaches are new.
Result<SlaChange> RefreshSla(const Env& env, store::Tx& tx, store::TicketRecord& t, Instant now) {
  PAYOPS_ASSIGN_OR_RETURN(desk::SlaInput in, SlaInputOf(tx, t));
  PAYOPS_ASSIGN_OR_RETURN(desk::SlaState s, desk::ComputeSlaState(SlaRulesOf(env), in, now));
  SlaChange c;
  c.fr_warning = s.first_response.warned && !t.sla.fr_warned;
  c.fr_breach = s.first_response.breached() && t.sla.fr_state != "breached";
  c.res_warning = s.resolution.warned && !t.sla.res_warned;
  c.res_breach = s.resolution.breached() && t.sla.res_state != "breached";
  StoreSlaState(t.sla, s);
  return c;
}

// Warnings to the assignee (the queue's lead when nobody is assigned);
// breaches to the assignee and the lead, and an urgent breach pages.
Status NotifySla(Env& env, store::Tx& tx, const store::TicketRecord& t, const SlaChange& c) {
  if (!c.any()) return Status::Ok();
  PAYOPS_ASSIGN_OR_RETURN(auto assignee, MemberRecipient(tx, t.assignee_id));
  PAYOPS_ASSIGN_OR_RETURN(auto lead, QueueLead(tx, t.queue));
  auto send = [&](bool fired, const char* event, const char* what, Instant due,
                  bool breach) -> Status {
    if (!fired) return Status::Ok();
    std::vector<Recipient> to;
    if (assignee) to.push_back(*assignee);
    if ((breach || !assignee) && lead && (!assignee || lead->address != assignee->address))
      to.push_back(*lead);
    for (const auto& r : to) {
      PAYOPS_TRY(Queue(env, tx, t, "email", event, r,
                       MailSubject(t, breach ? "SLA breached: " : "SLA warning: "),
                       {{"what", what}, {"due", FormatRfc3339(due)}}));
    }
    if (breach && t.priority == "urgent") {
      PAYOPS_TRY(QueueUrgent(env, tx, t, std::string(what) + " breached"));
    }
    return Status::Ok();
  };
  const bool warned = (c.fr_warning && !c.fr_breach) || (c.res_warning && !c.res_breach);
  if (warned) PAYOPS_TRY(QueueTicketEvent(env, tx, "ticket.sla_warning", t));
  if (c.fr_breach || c.res_breach) PAYOPS_TRY(QueueTicketEvent(env, tx, "ticket.sla_breached", t));
  PAYOPS_TRY(
      send(c.fr_warning && !c.fr_breach, "sla_warning", "First response", t.sla.fr_due, false));
  PAYOPS_TRY(send(c.fr_breach, "sla_breach", "First response", t.sla.fr_due, true));
  PAYOPS_TRY(
      send(c.res_warning && !c.res_breach, "sla_warning", "Resolution", t.sla.res_due, false));
  PAYOPS_TRY(send(c.res_breach, "sla_breach", "Resolution", t.sla.res_due, true));
  return Status::Ok();
}

// Records SLA events in the history too, so that the ticket shows them.
Status RecordSla(Env& env, store::Tx& tx, const store::TicketRecord& t, const SlaChange& c,
                 Instant at) {
  const Actor system = Actor::System();
  if (c.fr_warning)
    PAYOPS_TRY(Record(env, tx, t, system, "sla", std::nullopt, "first_response_warning",
                      "80% of the first-response target", at));
  if (c.fr_breach)
    PAYOPS_TRY(Record(env, tx, t, system, "sla", std::nullopt, "first_response_breach",
                      "first-response target reached", at));
  if (c.res_warning)
    PAYOPS_TRY(Record(env, tx, t, system, "sla", std::nullopt, "resolution_warning",
                      "80% of the resolution target", at));
  if (c.res_breach)
    PAYOPS_TRY(Record(env, tx, t, system, "sla", std::nullopt, "resolution_breach",
                      "resolution target reached", at));
  return Status::Ok();
}

// After any change: recompute, notify what became due, store.
Status SaveWithSla(Env& env, store::Tx& tx, store::TicketRecord& t, Instant now) {
  PAYOPS_ASSIGN_OR_RETURN(SlaChange c, RefreshSla(env, tx, t, now));
  PAYOPS_TRY(RecordSla(env, tx, t, c, now));
  PAYOPS_TRY(NotifySla(env, tx, t, c));
  t.updated_at = now;
  PAYOPS_TRY(store::UpdateTicket(tx, t));
  return QueueTicketEvent(env, tx, "ticket.updated", t);
}

// --------------------------------------------------------------------------
// Attachments.

struct DecodedAttachment {
  desk::AttachmentMeta meta;
  std::string base64;
  std::string sha256;
};

Result<std::vector<DecodedAttachment>> Decode(const std::vector<AttachmentInput>& in) {
  if (in.size() > desk::kMaxAttachments) {
    return Error::Invalid("too_many_items",
                          "at most " + std::to_string(desk::kMaxAttachments) + " attachments",
                          "attachments");
  }
  std::vector<DecodedAttachment> out;
  for (size_t i = 0; i < in.size(); ++i) {
    const AttachmentInput& a = in[i];
    std::string bytes(a.content_base64.size(), '\0');
    size_t len = 0;
    if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(),
                          a.content_base64.data(), a.content_base64.size(), nullptr, &len, nullptr,
                          sodium_base64_VARIANT_ORIGINAL) != 0) {
      return Error::Invalid("invalid_base64", "content_base64 is not base64",
                            "attachments[" + std::to_string(i) + "].content_base64");
    }
    bytes.resize(len);
    out.push_back(DecodedAttachment{
        desk::AttachmentMeta{a.filename, a.content_type, static_cast<int64_t>(len)},
        a.content_base64, Sha256Hex(bytes)});
  }
  return out;
}

Status StoreAttachments(Env& env, store::Tx& tx, const std::string& ticket_id,
                        const std::optional<std::string>& message_id,
                        const std::vector<DecodedAttachment>& atts, Instant now) {
  for (const auto& a : atts) {
    PAYOPS_TRY(store::InsertTicketAttachment(
        tx,
        store::TicketAttachment{env.ids.New("att"), ticket_id, message_id,
                                desk::SanitizeAttachmentFilename(a.meta.filename),
                                a.meta.content_type, a.meta.size_bytes, a.sha256, a.base64, now}));
  }
  return Status::Ok();
}

// --------------------------------------------------------------------------
// Creation.

struct Opening {
  desk::NewTicket ticket;
  std::vector<DecodedAttachment> attachments;
  std::optional<Priority> requested;
  bool email_marked_high = false;
  std::optional<std::string> follow_up_of;
  bool skip_escalation_gate = false;
  std::optional<std::string> statement_id;
  std::vector<std::string> line_ids;
};

Result<Opening> Prepare(const NewTicketInput& in) {
  Opening o;
  PAYOPS_ASSIGN_OR_RETURN(o.ticket.category, desk::ParseCategory(in.category));
  o.ticket.channel = desk::Channel::kApi;
  if (in.channel) {
    if (*in.channel != "portal" && *in.channel != "api") {
      return Error::Invalid("invalid_value", "channel must be portal or api", "channel");
    }
    PAYOPS_ASSIGN_OR_RETURN(o.ticket.channel, desk::ParseChannel(*in.channel));
  }
  if (in.priority) {
    PAYOPS_ASSIGN_OR_RETURN(Priority p, desk::ParsePriority(*in.priority));
    o.requested = p;
  }
  if (in.by_email) {
    o.ticket.channel = desk::Channel::kEmail;
    o.email_marked_high = in.by_email->marked_high;
    o.follow_up_of = in.by_email->reply_to_ticket_id;
  }
  o.ticket.requester_name = in.requester_name;
  o.ticket.requester_email = in.requester_email;
  o.ticket.cc = in.cc;
  o.ticket.subject = in.subject;
  o.ticket.description = in.description;
  o.ticket.transaction_id = in.transaction_id;
  o.ticket.request_id = in.request_id;
  o.ticket.user_id = in.user_id;
  PAYOPS_ASSIGN_OR_RETURN(o.attachments, Decode(in.attachments));
  for (const auto& a : o.attachments) o.ticket.attachments.push_back(a.meta);
  PAYOPS_TRY(desk::ValidateNewTicket(o.ticket));
  if (!in.line_ids.empty() && !in.statement_id) {
    return Error::Invalid("missing_field", "line_ids needs statement_id", "statement_id");
  }
  o.statement_id = in.statement_id;
  o.line_ids = in.line_ids;
  return o;
}

// Opens the ticket inside `tx` as `actor`.
Result<store::TicketRecord> Open(Env& env, store::Tx& tx, const Actor& actor, Opening o,
                                 std::optional<std::string> org_id, Instant now,
                                 std::optional<store::TransactionRecord>* linked,
                                 const Org* known_org = nullptr) {
  if (o.ticket.transaction_id) {
    PAYOPS_ASSIGN_OR_RETURN(auto txn,
                            store::FindTransaction(tx, *o.ticket.transaction_id, actor.tenant()));
    if (!txn) {
      return Error{ErrorKind::kNotFound, "not_found", "transaction not found", "transaction_id"};
    }
    if (!org_id) org_id = txn->org_id;
    if (!o.skip_escalation_gate && txn->status == "PENDING" && txn->pending_at_us) {
      PAYOPS_TRY(
          desk::CheckEscalationThreshold(o.ticket.category, FromMicros(*txn->pending_at_us), now));
    }
    if (linked) *linked = std::move(txn);
  }
  if (o.ticket.user_id) {
    PAYOPS_ASSIGN_OR_RETURN(auto user, store::FindEndUser(tx, *o.ticket.user_id, actor.tenant()));
    if (!user) return Error{ErrorKind::kNotFound, "not_found", "user not found", "user_id"};
    if (org_id && *org_id != user->org_id) {
      return Error::Refused("user_not_in_org", "the user belongs to another org", "user_id");
    }
    if (!org_id) org_id = user->org_id;
    if (!o.skip_escalation_gate && user->kyc_status == KycStatus::kPending) {
      PAYOPS_TRY(desk::CheckEscalationThreshold(o.ticket.category, user->kyc_status_since, now));
    }
  }
  std::optional<Org> org;
  if (org_id && known_org && known_org->id == *org_id) {
    org = *known_org;
  } else if (org_id) {
    PAYOPS_ASSIGN_OR_RETURN(org, store::FindOrg(tx, *org_id));
    if (!org) return Error{ErrorKind::kNotFound, "not_found", "org not found", "org_id"};
  }
  std::optional<desk::HypercareInfo> hypercare;
  if (org) {
    auto h = desk::MakeHypercareInfo(org->hypercare_plan, org->go_live_date);
    if (h.ok()) hypercare = *h;
  }
  store::TicketRecord t;
  t.id = env.ids.New("tkt");
  t.number = 0;  // assigned by InsertTicket
  t.org_id = org_id;
  t.requester_name = o.ticket.requester_name;
  t.requester_email = o.ticket.requester_email;
  PAYOPS_ASSIGN_OR_RETURN(t.cc, desk::NormalizeCcList(o.ticket.cc, o.ticket.requester_email));
  t.category = std::string(desk::CategoryName(o.ticket.category));
  t.subject = o.ticket.subject;
  t.description = o.ticket.description;
  Priority priority = desk::InitialPriority(
      desk::PriorityRequest{o.ticket.category, o.ticket.channel, desk::DeskActorKind(actor),
                            o.requested, o.email_marked_high});
  t.priority = t.initial_priority = std::string(desk::PriorityName(priority));
  t.status = "new";
  t.queue = std::string(desk::QueueName(desk::Route(o.ticket.category, hypercare, now)));
  t.channel = std::string(desk::ChannelName(o.ticket.channel));
  t.transaction_id = o.ticket.transaction_id;
  t.request_id = o.ticket.request_id;
  t.user_id = o.ticket.user_id;
  t.follow_up_of = o.follow_up_of;
  t.created_by = actor.member_id;
  t.sla_plan = org ? org->sla_plan : "essentials";
  t.created_at = t.updated_at = now;
  // A new ticket has no history: its SLA is a function of the creation alone.
  desk::SlaInput in;
  auto plan = desk::ParseSlaPlan(t.sla_plan);
  in.plan = plan.ok() ? *plan : desk::SlaPlan::kEssentials;
  in.created_at = now;
  in.initial_priority = priority;
  PAYOPS_ASSIGN_OR_RETURN(desk::SlaState s, desk::ComputeSlaState(SlaRulesOf(env), in, now));
  StoreSlaState(t.sla, s);
  PAYOPS_TRY(store::InsertTicket(tx, t));
  PAYOPS_TRY(Record(env, tx, t, actor, "status", std::nullopt, "new",
                    o.follow_up_of ? "follow-up of " + *o.follow_up_of : "created", now));
  PAYOPS_TRY(StoreAttachments(env, tx, t.id, std::nullopt, o.attachments, now));
  if (o.statement_id) {
    PAYOPS_TRY(LinkTicketStatement(tx, t.id, t.org_id, t.category, *o.statement_id, o.line_ids));
    std::string named = *o.statement_id;
    if (!o.line_ids.empty()) named += " lines " + std::to_string(o.line_ids.size());
    PAYOPS_TRY(Record(env, tx, t, actor, "statement", std::nullopt, named,
                      "the ticket challenges this statement", now));
  }
  PAYOPS_TRY(QueueTicketEvent(env, tx, "ticket.created", t));
  // The acknowledgement, at once, to the requester and the CCs.
  for (const Recipient& r : RequesterAndCcs(t)) {
    PAYOPS_TRY(Queue(env, tx, t, "email", "ticket_created", r, MailSubject(t)));
  }
  if (priority == Priority::kUrgent) PAYOPS_TRY(QueueUrgent(env, tx, t, "opened as urgent"));
  return t;
}

// The fields the ticket's category asks for that it lacks.
std::vector<std::string> Warnings(const store::TicketRecord& t) {
  std::vector<std::string> out;
  auto category = desk::ParseCategory(t.category);
  if (!category.ok()) return out;
  for (auto f : desk::MissingRecommendedFields(*category, t.request_id.has_value(),
                                               t.transaction_id.has_value(), t.user_id.has_value()))
    out.emplace_back(f);
  return out;
}

Result<TicketView> ViewOf(Env& env, store::Tx& tx, const Actor& actor, store::TicketRecord t,
                          Instant now) {
  TicketView v;
  const bool staff_view = SeesInternalNotes(actor);
  PAYOPS_ASSIGN_OR_RETURN(v.messages,
                          store::ListTicketMessages(tx, t.id, staff_view, kMaxTicketMessages));
  PAYOPS_ASSIGN_OR_RETURN(v.attachments,
                          store::ListTicketAttachments(tx, t.id, staff_view, kMaxTicketMessages));
  PAYOPS_ASSIGN_OR_RETURN(v.history, store::ListTicketEvents(tx, t.id, {}, kMaxTicketEvents));
  if (IsOutsider(actor, t)) {
    // The linked transaction's moves are recorded on the ticket too.
    std::erase_if(v.history, [](const store::TicketEvent& e) { return e.field == "transaction"; });
    HideOrgObjects(t);
  }
  if (t.transaction_id) {
    PAYOPS_ASSIGN_OR_RETURN(v.transaction,
                            store::FindTransaction(tx, *t.transaction_id, std::nullopt));
  }
  if (!IsOutsider(actor, t)) {
    PAYOPS_ASSIGN_OR_RETURN(v.statement, TicketStatement(tx, t.id));
  }
  // The SLA exactly as of now (the stored one is as of the last change).
  PAYOPS_ASSIGN_OR_RETURN(desk::SlaInput in, SlaInputOf(tx, t));
  auto s = desk::ComputeSlaState(SlaRulesOf(env), in, now);
  if (s.ok()) StoreSlaState(t.sla, *s);
  v.warnings = Warnings(t);
  v.ticket = std::move(t);
  return v;
}

Result<store::TicketRecord> Visible(store::Tx& tx, const Actor& actor, const std::string& id) {
  PAYOPS_ASSIGN_OR_RETURN(auto t, store::FindTicket(tx, id, store::ViewerOf(actor)));
  if (!t) return Error::NotFound("ticket");
  return std::move(*t);
}

// Moves the ticket's status (checked against the lifecycle) and records it.
Status MoveStatus(Env& env, store::Tx& tx, store::TicketRecord& t, const Actor& actor,
                  TicketStatus to, ActorKind kind, const std::string& reason, Instant now) {
  TicketStatus from = StatusOf(t);
  if (from == to) return Status::Ok();
  PAYOPS_TRY(desk::CheckTransition(from, to, kind));
  PAYOPS_TRY(Record(env, tx, t, actor, "status", t.status, std::string(desk::TicketStatusName(to)),
                    reason, now));
  t.status = std::string(desk::TicketStatusName(to));
  if (to == TicketStatus::kSolved) t.solved_at_us = ToMicros(now);
  if (from == TicketStatus::kSolved && to == TicketStatus::kOpen) t.solved_at_us.reset();
  if (to == TicketStatus::kClosed) t.closed_at_us = ToMicros(now);
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------------------

Result<TicketView> CreateTicket(Env& env, const Actor& actor, const NewTicketInput& in) {
  PAYOPS_TRY(RequireRole(
      actor, {Role::kAdmin, Role::kAgent, Role::kOpsManager, Role::kEmi, Role::kPartner}));
  if (actor.role == Role::kPartner && in.org_id && in.org_id != actor.org_id) {
    return Error{ErrorKind::kNotFound, "not_found", "org not found", "org_id"};
  }
  PAYOPS_ASSIGN_OR_RETURN(Opening o, Prepare(in));
  const std::optional<std::string> org_id = actor.role == Role::kPartner ? actor.org_id : in.org_id;
  // The org (plan, hypercare) from the cache or a committed snapshot, off the writer.
  std::shared_ptr<const Org> org;
  if (org_id) {
    org = env.orgs.Find(*org_id);
    if (!org) {
      PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
        PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindOrg(tx, *org_id));
        if (found) org = std::make_shared<const Org>(std::move(*found));
        return Status::Ok();
      }));
      if (org) env.orgs.Put(org);
    }
  }
  const std::optional<std::string> replied_to = o.follow_up_of;
  // A ticket that links no transaction, user, earlier ticket or statement
  // only adds rows (the ticket, its events, mail and webhook deliveries) on
  // top of its org and the webhook endpoints, which no concurrent write
  // changes after reading tickets: a snapshot suffices. A linked one reads
  // what a concurrent status change or note decides from (the transaction's
  // status notes its open tickets), so it stays serializable.
  const bool links_nothing =
      !o.ticket.transaction_id && !o.ticket.user_id && !replied_to && !o.statement_id;
  auto write = [&](const store::TxFn& fn) {
    return links_nothing ? env.store.WriteSnapshot(fn) : env.store.Write(fn);
  };
  std::optional<TicketView> view;
  PAYOPS_TRY(write([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    std::optional<store::TransactionRecord> linked;
    PAYOPS_ASSIGN_OR_RETURN(auto t, Open(env, tx, actor, o, org_id, now, &linked, org.get()));
    if (replied_to) {
      // The ticket the mail replied to notes the new one.
      PAYOPS_ASSIGN_OR_RETURN(auto original, store::FindTicketById(tx, *replied_to));
      if (original) {
        PAYOPS_TRY(Record(
            env, tx, *original, actor, "follow_up", std::nullopt, t.id,
            "reply by email from " + t.requester_email + ", who is not the requester or a CC",
            now));
      }
    }
    // The answer is built from what was just written: no reads back.
    TicketView v;
    v.warnings = Warnings(t);
    v.transaction = std::move(linked);
    if (o.statement_id) {
      PAYOPS_ASSIGN_OR_RETURN(v.statement, TicketStatement(tx, t.id));
    }
    v.ticket = std::move(t);
    view = std::move(v);
    return Status::Ok();
  }));
  return std::move(*view);
}

Result<TicketView> GetTicket(Env& env, const Actor& actor, const std::string& id) {
  std::optional<TicketView> view;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto t, Visible(tx, actor, id));
    PAYOPS_ASSIGN_OR_RETURN(view, ViewOf(env, tx, actor, std::move(t), env.clock.Now()));
    std::vector<std::string> actors;
    for (const auto& e : view->history) actors.push_back(e.actor);
    PAYOPS_ASSIGN_OR_RETURN(view->actor_names, store::MemberNames(tx, actors));
    return Status::Ok();
  }));
  return std::move(*view);
}

store::TicketSla LiveSla(const Env& env, const store::TicketRecord& t, Instant now) {
  store::TicketSla s = t.sla;
  const auto& w = SlaRulesOf(env).working_time();
  const bool working = s.clock_kind == "working";
  auto left = [&](Instant due) -> int64_t {
    if (!working) return ToMicros(due) - ToMicros(now);
    auto r = now < due ? w.WorkingTimeBetween(now, due) : w.WorkingTimeBetween(due, now);
    if (!r.ok()) return 0;
    return now < due ? r->count() : -r->count();
  };
  if (s.fr_state == "running") {
    s.fr_left_us = left(s.fr_due);
    if (now >= s.fr_due) s.fr_state = "breached";
  }
  if (s.res_state == "running") {
    s.res_left_us = left(s.res_due);
    if (now >= s.res_due) s.res_state = "breached";
  }
  return s;
}

Result<store::Page<store::TicketRecord>> ListTickets(Env& env, const Actor& actor,
                                                     const TicketListQuery& query) {
  TicketListQuery q = query;
  if (actor.role == Role::kPartner && (q.filter.org_id || q.filter.transaction_id)) {
    // Filters on an org's objects never match another org's tickets that a
    // partner is CC'd on: they would tell what those tickets link to.
    if (q.filter.org_id && q.filter.org_id != actor.org_id)
      return store::Page<store::TicketRecord>{};
    q.filter.org_id = actor.org_id;
  }
  std::optional<store::Page<store::TicketRecord>> page;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(
        page, store::ListTickets(tx, store::ViewerOf(actor), q.filter, q.page, q.after));
    return Status::Ok();
  }));
  Instant now = env.clock.Now();
  for (auto& t : page->items) {
    t.sla = LiveSla(env, t, now);
    if (IsOutsider(actor, t)) HideOrgObjects(t);
  }
  return std::move(*page);
}

Result<TicketView> PatchTicket(Env& env, const Actor& actor, const std::string& id,
                               const TicketPatch& p) {
  const ActorKind kind = desk::DeskActorKind(actor);
  std::optional<Priority> priority;
  if (p.priority) {
    PAYOPS_ASSIGN_OR_RETURN(priority, desk::ParsePriority(*p.priority));
  }
  std::optional<TicketStatus> status;
  if (p.status) {
    PAYOPS_ASSIGN_OR_RETURN(status, desk::ParseTicketStatus(*p.status));
  }
  std::optional<desk::Queue> queue;
  if (p.queue) {
    PAYOPS_ASSIGN_OR_RETURN(queue, desk::ParseQueue(*p.queue));
  }
  if (kind == ActorKind::kCustomer && (p.set_assignee || p.queue)) {
    return Error::Forbidden("only agents assign tickets and move them between queues");
  }
  if (queue && !IsStaff(actor.role)) return Error::Forbidden("only staff move tickets");
  std::optional<TicketView> view;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    PAYOPS_ASSIGN_OR_RETURN(auto t, Visible(tx, actor, id));
    const TicketStatus before = StatusOf(t);
    if (before == TicketStatus::kClosed && (priority || p.set_assignee || queue)) {
      return Error::Conflict("ticket_closed", "ticket #" + std::to_string(t.number) +
                                                  " is closed; reply to open a follow-up");
    }
    bool raised_to_urgent = false;
    // Who may set a priority does not depend on its value: the same one is refused too.
    if (priority) PAYOPS_TRY(desk::CheckPriorityChange(kind, before));
    if (priority && desk::PriorityName(*priority) != t.priority) {
      raised_to_urgent = *priority == Priority::kUrgent;
      std::string to(desk::PriorityName(*priority));
      PAYOPS_TRY(Record(env, tx, t, actor, "priority", t.priority, to, "triage", now));
      t.priority = to;
    }
    if (queue && desk::QueueName(*queue) != t.queue) {
      std::string to(desk::QueueName(*queue));
      PAYOPS_TRY(Record(env, tx, t, actor, "queue", t.queue, to, "triage", now));
      t.queue = to;
    }
    bool newly_assigned = false;
    if (p.set_assignee && p.assignee_id != t.assignee_id) {
      if (p.assignee_id) {
        PAYOPS_ASSIGN_OR_RETURN(auto m, store::FindMember(tx, *p.assignee_id));
        if (!m || m->role == Role::kPartner) {
          return Error::Refused("invalid_assignee", "assignee_id must be a staff or EMI member",
                                "assignee_id");
        }
        if (t.queue != "emi" && m->role == Role::kEmi) {
          return Error::Refused("invalid_assignee", "an EMI member works EMI-queue tickets only",
                                "assignee_id");
        }
      }
      PAYOPS_TRY(
          Record(env, tx, t, actor, "assignee", t.assignee_id, p.assignee_id, "triage", now));
      t.assignee_id = p.assignee_id;
      newly_assigned = p.assignee_id.has_value();
    }
    if (status) {
      const std::string was = t.status;
      PAYOPS_TRY(MoveStatus(env, tx, t, actor, *status, kind, "status set", now));
      if (*status == TicketStatus::kSolved && was != "solved" && t.priority == "urgent") {
        PAYOPS_TRY(QueuePageResolve(env, tx, t));
      }
    } else if (newly_assigned && before == TicketStatus::kNew) {
      // Triage opens a new ticket.
      PAYOPS_TRY(MoveStatus(env, tx, t, Actor::System(), TicketStatus::kOpen, ActorKind::kSystem,
                            "assigned", now));
    }
    if (newly_assigned) {
      PAYOPS_ASSIGN_OR_RETURN(auto to, MemberRecipient(tx, t.assignee_id));
      if (to) {
        PAYOPS_TRY(
            Queue(env, tx, t, "email", "ticket_assigned", *to, MailSubject(t, "Assigned: ")));
      }
    }
    if (raised_to_urgent) PAYOPS_TRY(QueueUrgent(env, tx, t, "priority raised to urgent"));
    PAYOPS_TRY(SaveWithSla(env, tx, t, now));
    PAYOPS_ASSIGN_OR_RETURN(view, ViewOf(env, tx, actor, std::move(t), now));
    return Status::Ok();
  }));
  return std::move(*view);
}

Result<TicketView> AddTicketMessage(Env& env, const Actor& actor, const std::string& ticket_id,
                                    const NewMessageInput& in) {
  const ActorKind kind = desk::DeskActorKind(actor);
  if (in.body.empty() || in.body.size() > kMaxMessageBytes) {
    return Error::Invalid("invalid_value", "body must be 1 to 20000 bytes", "body");
  }
  if (in.internal && !SeesInternalNotes(actor)) {
    return Error::Forbidden("internal notes are for staff");
  }
  PAYOPS_ASSIGN_OR_RETURN(auto atts, Decode(in.attachments));
  {
    std::vector<desk::AttachmentMeta> metas;
    for (const auto& a : atts) metas.push_back(a.meta);
    PAYOPS_TRY(desk::ValidateAttachments(metas));
  }
  std::optional<TicketView> view;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    PAYOPS_ASSIGN_OR_RETURN(auto t, Visible(tx, actor, ticket_id));
    const TicketStatus before = StatusOf(t);
    if (kind == ActorKind::kCustomer && before == TicketStatus::kClosed) {
      // A reply to a closed ticket opens a linked follow-up.
      Opening o;
      auto category = desk::ParseCategory(t.category);
      o.ticket.category = category.ok() ? *category : desk::Category::kOther;
      o.ticket.channel =
          desk::ParseChannel(t.channel).ok() ? *desk::ParseChannel(t.channel) : desk::Channel::kApi;
      if (o.ticket.channel == desk::Channel::kMonitor) o.ticket.channel = desk::Channel::kApi;
      o.ticket.requester_name = t.requester_name;
      o.ticket.requester_email = t.requester_email;
      o.ticket.cc = t.cc;
      o.ticket.subject =
          t.subject.size() + 4 <= desk::kMaxSubjectBytes && t.subject.rfind("Re: ", 0)
              ? "Re: " + t.subject
              : t.subject;
      o.ticket.description = in.body;
      o.ticket.transaction_id = t.transaction_id;
      o.ticket.request_id = t.request_id;
      o.ticket.user_id = t.user_id;
      o.attachments = atts;
      o.follow_up_of = t.id;
      o.skip_escalation_gate = true;
      PAYOPS_ASSIGN_OR_RETURN(auto f, Open(env, tx, actor, std::move(o), t.org_id, now, nullptr));
      PAYOPS_TRY(Record(env, tx, t, actor, "follow_up", std::nullopt, f.id,
                        "customer replied to the closed ticket", now));
      PAYOPS_ASSIGN_OR_RETURN(view, ViewOf(env, tx, actor, std::move(f), now));
      return Status::Ok();
    }
    if (kind != ActorKind::kCustomer && before == TicketStatus::kClosed) {
      return Error::Conflict("ticket_closed", "ticket #" + std::to_string(t.number) + " is closed");
    }
    store::TicketMessage m{env.ids.New("tmsg"),
                           t.id,
                           actor.member_id,
                           actor.name,
                           std::string(desk::ActorKindName(kind)),
                           in.body,
                           in.internal,
                           now};
    PAYOPS_TRY(store::InsertTicketMessage(tx, m));
    PAYOPS_TRY(StoreAttachments(env, tx, t.id, m.id, atts, now));
    std::string excerpt = Utf8Prefix(in.body, 2000);
    if (kind == ActorKind::kCustomer) {
      desk::ReplyEffect effect = desk::CustomerReplyEffect(before);
      if (effect == desk::ReplyEffect::kResume || effect == desk::ReplyEffect::kReopen) {
        PAYOPS_TRY(MoveStatus(env, tx, t, actor, TicketStatus::kOpen, kind,
                              effect == desk::ReplyEffect::kReopen ? "reopened by customer reply"
                                                                   : "customer replied",
                              now));
      }
      PAYOPS_ASSIGN_OR_RETURN(auto to, MemberRecipient(tx, t.assignee_id));
      if (to) {
        PAYOPS_TRY(Queue(env, tx, t, "email", "customer_reply", *to, MailSubject(t, "Re: "),
                         {{"author", actor.name}, {"message", excerpt}}));
      }
    } else if (!in.internal) {
      if (!t.first_agent_reply_at_us) t.first_agent_reply_at_us = ToMicros(now);
      if (before == TicketStatus::kNew) {
        PAYOPS_TRY(MoveStatus(env, tx, t, actor, TicketStatus::kOpen, kind, "agent replied", now));
      }
      for (const Recipient& r : RequesterAndCcs(t)) {
        PAYOPS_TRY(Queue(env, tx, t, "email", "public_reply", r, MailSubject(t, "Re: "),
                         {{"author", actor.name}, {"message", excerpt}}));
      }
    }
    PAYOPS_TRY(SaveWithSla(env, tx, t, now));
    PAYOPS_ASSIGN_OR_RETURN(view, ViewOf(env, tx, actor, std::move(t), now));
    return Status::Ok();
  }));
  return std::move(*view);
}

Result<AttachmentContent> GetTicketAttachment(Env& env, const Actor& actor,
                                              const std::string& ticket_id,
                                              const std::string& attachment_id) {
  std::optional<store::TicketAttachment> found;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_TRY(Visible(tx, actor, ticket_id));
    PAYOPS_ASSIGN_OR_RETURN(
        found, store::FindTicketAttachment(tx, ticket_id, attachment_id, SeesInternalNotes(actor)));
    return found ? Status::Ok() : Status(Error::NotFound("attachment"));
  }));
  AttachmentContent out;
  const std::string& b64 = found->content_base64;
  out.bytes.resize(b64.size());
  size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.bytes.data()), out.bytes.size(),
                        b64.data(), b64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return Error::Internal("stored attachment is not base64");
  }
  out.bytes.resize(len);
  found->content_base64.clear();
  out.meta = std::move(*found);
  return out;
}

// ---------------------------------------------------------------------------
// Transactions.

Result<ReviewRequestView> RequestTransactionReview(Env& env, const Actor& actor,
                                                   const std::string& txn_id,
                                                   const std::string& action,
                                                   const std::string& note) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kPartner}));
  if (action != "release" && action != "cancel") {
    return Error::Invalid("invalid_value", "action must be release or cancel", "action");
  }
  if (note.empty() || note.size() > 2000) {
    return Error::Invalid("missing_field", "note (1 to 2000 bytes) is required", "note");
  }
  std::optional<ReviewRequestView> out;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    PAYOPS_ASSIGN_OR_RETURN(auto txn, store::FindTransaction(tx, txn_id, actor.tenant()));
    if (!txn) return Error::NotFound("transaction");
    if (txn->status != "HOLD") {
      return Error::Conflict("not_on_hold", "transaction " + txn->id + " is " + txn->status +
                                                ": only a held transaction can be reviewed");
    }
    std::string hold = txn->hold_reason.value_or("");
    std::string explanation;
    if (auto r = ParseHoldReason(hold)) explanation = std::string(HoldInfo(*r).explanation);
    Opening o;
    o.ticket.category = desk::Category::kTransaction;
    o.ticket.channel = desk::Channel::kApi;
    o.ticket.requester_name = actor.name;
    o.ticket.requester_email = actor.email.empty() ? env.desk.operations_email : actor.email;
    o.ticket.subject = "Review request: " + action + " " + txn->id + " (" + hold + ")";
    o.ticket.description = "The partner asks to " + action + " transaction " + txn->id +
                           ", held for " + hold + ".\n" + explanation + "\n\nNote: " + note;
    o.ticket.transaction_id = txn->id;
    o.skip_escalation_gate = true;
    PAYOPS_TRY(desk::ValidateNewTicket(o.ticket));
    PAYOPS_ASSIGN_OR_RETURN(auto t, Open(env, tx, actor, std::move(o), txn->org_id, now, nullptr));
    store::ReviewRequest r{env.ids.New("rvw"), txn->id, txn->org_id, action, note, t.id,
                           actor.member_id,    now};
    PAYOPS_TRY(store::InsertReviewRequest(tx, r));
    out = ReviewRequestView{std::move(r), t.number, t.status};
    return Status::Ok();
  }));
  return std::move(*out);
}

// "123.45 USD" from minor units (two decimals, as every payops currency).
static std::string MinorUnits(int64_t amount, const std::string& currency) {
  std::string cents = std::to_string(amount % 100);
  if (cents.size() == 1) cents = "0" + cents;
  return std::to_string(amount / 100) + "." + cents + " " + currency;
}

Result<PartnerReviewView> RequestPartnerReview(Env& env, const Actor& actor,
                                               const std::string& txn_id, const std::string& note) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent, Role::kOpsManager}));
  if (note.size() > 2000) {
    return Error::Invalid("too_long", "note holds at most 2000 bytes", "note");
  }
  constexpr int kMaxPartnerMembers = 500;
  constexpr size_t kMaxReviewCcs = 10;
  std::optional<PartnerReviewView> out;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    PAYOPS_ASSIGN_OR_RETURN(auto txn, store::FindTransaction(tx, txn_id, std::nullopt));
    if (!txn) return Error::NotFound("transaction");
    if (txn->status != "HOLD") {
      return Error::Conflict("not_on_hold", "transaction " + txn->id + " is " + txn->status +
                                                ": only a held transaction goes to partner review");
    }
    PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, txn->org_id));
    if (!org) return Error::NotFound("org");
    std::string hold = txn->hold_reason.value_or("");
    std::string explanation, next_action;
    if (auto r = ParseHoldReason(hold)) {
      explanation = std::string(HoldInfo(*r).explanation);
      next_action = std::string(HoldInfo(*r).next_action);
    }
    Opening o;
    o.ticket.category = desk::Category::kTransaction;
    o.ticket.channel = desk::Channel::kApi;
    // To the org's partner staff: its administrators first (the first one is
    // the requester, the others CCs), else its other partner members.
    PAYOPS_ASSIGN_OR_RETURN(auto partners,
                            store::MembersWithRole(tx, Role::kPartner, kMaxPartnerMembers));
    std::erase_if(partners, [&](const store::Member& m) { return m.org_id != txn->org_id; });
    std::stable_partition(partners.begin(), partners.end(),
                          [](const store::Member& m) { return m.org_admin; });
    if (partners.empty()) {
      return Error::Refused("no_partner_staff", "org " + org->id +
                                                    " has no partner staff to review the "
                                                    "transaction: invite one first");
    }
    o.ticket.requester_name = partners.front().name;
    o.ticket.requester_email = partners.front().email;
    for (size_t i = 1; i < partners.size() && o.ticket.cc.size() < kMaxReviewCcs; ++i) {
      if (partners[i].org_admin || !partners.front().org_admin) {
        o.ticket.cc.push_back(partners[i].email);
      }
    }
    o.ticket.subject = "Please review held transaction " + txn->id + " (" + hold + ")";
    o.ticket.description =
        "Transaction " + txn->id + " of " + MinorUnits(txn->amount, txn->currency) +
        " is on hold for " + hold + ".\n" + explanation + "\nNext action: " + next_action +
        "\n\nPlease review it and reply whether payops should process (release) or cancel it." +
        (note.empty() ? std::string() : "\n\nNote from the operations team: " + note);
    o.ticket.transaction_id = txn->id;
    o.skip_escalation_gate = true;
    PAYOPS_TRY(desk::ValidateNewTicket(o.ticket));
    PAYOPS_ASSIGN_OR_RETURN(auto t,
                            Open(env, tx, actor, std::move(o), txn->org_id, now, nullptr, &*org));
    PAYOPS_TRY(store::AppendHistory(
        tx, store::HistoryEntry{env.ids.New("th"), txn->id, now, txn->status, txn->status,
                                actor.member_id, "partner_review_requested",
                                "ticket #" + std::to_string(t.number) +
                                    (note.empty() ? std::string() : ": " + note)}));
    out = PartnerReviewView{txn->id, t.id, t.number, t.status, t.requester_email, note, now};
    return Status::Ok();
  }));
  return std::move(*out);
}

Status NoteTransactionStatusChange(Env& env, store::Tx& tx, const std::string& txn_id,
                                   std::string_view from, std::string_view to,
                                   std::string_view reason, Instant now) {
  constexpr int kMaxLinkedTickets = 100;
  PAYOPS_ASSIGN_OR_RETURN(auto tickets,
                          store::OpenTicketsOfTransaction(tx, txn_id, kMaxLinkedTickets));
  for (auto& t : tickets) {
    std::string body = "Transaction " + txn_id + " moved " + std::string(from) + " → " +
                       std::string(to) + " (" + std::string(reason) + ").";
    PAYOPS_TRY(
        store::InsertTicketMessage(tx, store::TicketMessage{env.ids.New("tmsg"), t.id, "system",
                                                            "system", "system", body, true, now}));
    PAYOPS_TRY(Record(env, tx, t, Actor::System(), "transaction", std::string(from),
                      std::string(to), std::string(reason), now));
    t.updated_at = now;
    PAYOPS_TRY(store::UpdateTicket(tx, t));
    PAYOPS_TRY(QueueTicketEvent(env, tx, "ticket.updated", t));
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Jobs.

Result<int> SweepSla(Env& env, Instant at) {
  int done = 0;
  for (int batch = 0; batch < kMaxSweepBatches; ++batch) {
    int n = 0;
    PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(auto due, store::TicketsWithSlaEventDue(tx, at, kMaxSweepBatch));
      n = static_cast<int>(due.size());
      for (auto& t : due) {
        auto refreshed = RefreshSla(env, tx, t, at);
        if (!refreshed.ok()) {
          // One ticket the engine cannot compute (e.g. outside the timeline)
          // must not stop the sweep, nor every job after it: park it, say why.
          t.sla.sla_next_at_us.reset();
          PAYOPS_TRY(Record(env, tx, t, Actor::System(), "sla", std::nullopt, "not_computed",
                            refreshed.error().message, at));
          PAYOPS_TRY(store::UpdateTicketSla(tx, t));
          continue;
        }
        const SlaChange& c = *refreshed;
        // Each due event is strictly after the state it came from: progress.
        assert(!t.sla.sla_next_at_us || *t.sla.sla_next_at_us > ToMicros(at));
        if (c.any()) {
          PAYOPS_TRY(store::LoadTicketCcs(tx, t));
          PAYOPS_TRY(RecordSla(env, tx, t, c, at));
          PAYOPS_TRY(NotifySla(env, tx, t, c));
        }
        PAYOPS_TRY(store::UpdateTicketSla(tx, t));
      }
      return Status::Ok();
    }));
    done += n;
    if (n < kMaxSweepBatch) break;
  }
  return done;
}

Result<int> AutoCloseSolvedTickets(Env& env, Instant at) {
  int done = 0;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto solved,
                            store::SolvedTicketsBefore(tx, at - desk::kAutoCloseAfter,
                                                       kMaxSweepBatch * kMaxSweepBatches));
    for (auto& t : solved) {
      Instant when = desk::AutoCloseDue(FromMicros(*t.solved_at_us));
      PAYOPS_TRY(MoveStatus(env, tx, t, Actor::System(), TicketStatus::kClosed, ActorKind::kSystem,
                            "closed 7 days after solved", when));
      t.updated_at = when;
      PAYOPS_TRY(store::UpdateTicket(tx, t));
      PAYOPS_TRY(QueueTicketEvent(env, tx, "ticket.updated", t));
      ++done;
    }
    return Status::Ok();
  }));
  return done;
}

Result<int> EscalatePendingTransactions(Env& env, Instant at) {
  int done = 0;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto pending,
                            store::UnescalatedPendingTransactions(
                                tx, at - desk::kPendingTransactionEscalationAfter, kMaxSweepBatch));
    const Actor system = Actor::System();
    for (const auto& p : pending) {
      PAYOPS_ASSIGN_OR_RETURN(auto txn, store::FindTransaction(tx, p.transaction_id, std::nullopt));
      Instant since = FromMicros(p.pending_at_us);
      if (!desk::ShouldAutoEscalatePendingTransaction(since, at, false)) continue;
      Opening o;
      o.ticket.category = desk::Category::kPendingTransaction;
      o.ticket.channel = desk::Channel::kApi;
      o.ticket.requester_name = env.desk.operations_name;
      o.ticket.requester_email = env.desk.operations_email;
      o.ticket.subject = "Transaction " + p.transaction_id + " pending for more than 24 hours";
      o.ticket.description =
          "Transaction " + p.transaction_id + " has been PENDING since " + FormatRfc3339(since) +
          (txn && txn->settlement_date ? "; expected settlement " + *txn->settlement_date : "") +
          ". Opened automatically for the EMI.";
      o.ticket.transaction_id = p.transaction_id;
      o.skip_escalation_gate = true;
      std::optional<std::string> org;
      if (txn) org = txn->org_id;
      PAYOPS_ASSIGN_OR_RETURN(auto t, Open(env, tx, system, std::move(o), org,
                                           desk::AutoEscalationDueAt(since), nullptr));
      PAYOPS_TRY(store::InsertTransactionEscalation(tx, p.transaction_id, t.id, at));
      ++done;
    }
    return Status::Ok();
  }));
  return done;
}

Result<store::TicketRecord> OpenMonitorTicket(Env& env, store::Tx& tx, const std::string& subject,
                                              const std::string& description, Instant at) {
  Opening o;
  o.ticket.category = desk::Category::kServerError;
  o.ticket.channel = desk::Channel::kMonitor;
  o.ticket.requester_name = env.desk.operations_name;
  o.ticket.requester_email = env.desk.operations_email;
  o.ticket.subject = Utf8Prefix(subject, desk::kMaxSubjectBytes);
  o.ticket.description = Utf8Prefix(description, desk::kMaxDescriptionBytes);
  o.requested = Priority::kUrgent;
  o.skip_escalation_gate = true;
  PAYOPS_TRY(desk::ValidateNewTicket(o.ticket));
  return Open(env, tx, Actor::System(), std::move(o), std::nullopt, at, nullptr);
}

Result<bool> NoteMonitorTicket(Env& env, store::Tx& tx, const std::string& ticket_id,
                               const std::string& body, MonitorPage page, Instant at) {
  PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindTicketById(tx, ticket_id));
  if (!found || found->status == "solved" || found->status == "closed") return false;
  store::TicketRecord& t = *found;
  const Actor system = Actor::System();
  PAYOPS_TRY(store::InsertTicketMessage(
      tx, store::TicketMessage{env.ids.New("tmsg"), t.id, system.member_id, system.name,
                               std::string(desk::ActorKindName(ActorKind::kSystem)),
                               Utf8Prefix(body, kMaxMessageBytes), true, at}));
  if (page == MonitorPage::kPageAgain) {
    PAYOPS_TRY(store::LoadTicketCcs(tx, t));
    PAYOPS_TRY(QueueUrgent(env, tx, t, "the monitor is down again"));
  } else if (page == MonitorPage::kResolve) {
    PAYOPS_TRY(QueuePageResolve(env, tx, t));
  }
  t.updated_at = at;
  PAYOPS_TRY(store::UpdateTicket(tx, t));
  return true;
}

// ---------------------------------------------------------------------------
// Queues and the outbox.

namespace {
Result<QueueView> TeamOf(store::Tx& tx, desk::Queue q) {
  QueueView v{std::string(desk::QueueName(q)), {}};
  PAYOPS_ASSIGN_OR_RETURN(v.members, store::QueueTeam(tx, v.name, kMaxTeamSize));
  return v;
}
}  // namespace

Result<store::Page<QueueView>> ListQueues(Env& env, const Actor& actor,
                                          const store::PageRequest& page) {
  if (actor.role == Role::kPartner) return Error::Forbidden("queues are for staff");
  static constexpr desk::Queue kAll[] = {desk::Queue::kDelivery, desk::Queue::kCustomerService,
                                         desk::Queue::kEmi};
  // EMI users work their own queue only: they see its team, not payops's.
  static constexpr desk::Queue kEmiOnly[] = {desk::Queue::kEmi};
  const std::span<const desk::Queue> kOrder =
      actor.role == Role::kEmi ? std::span<const desk::Queue>(kEmiOnly) : kAll;
  size_t start = 0;
  if (page.after_id) {
    while (start < kOrder.size() && desk::QueueName(kOrder[start]) != *page.after_id) ++start;
    if (start == kOrder.size()) {
      return Error::Invalid("invalid_cursor", "cursor is not one this server issued", "cursor");
    }
    ++start;
  }
  store::Page<QueueView> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    out = {};
    for (size_t i = start; i < kOrder.size(); ++i) {
      if (static_cast<int>(out.items.size()) == page.limit) {
        out.has_more = true;
        break;
      }
      PAYOPS_ASSIGN_OR_RETURN(auto v, TeamOf(tx, kOrder[i]));
      out.items.push_back(std::move(v));
    }
    return Status::Ok();
  }));
  return out;
}

Result<QueueView> PutQueueMember(Env& env, const Actor& actor, const std::string& queue,
                                 const std::string& member_id, bool lead) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin}));
  PAYOPS_ASSIGN_OR_RETURN(desk::Queue q, desk::ParseQueue(queue));
  std::optional<QueueView> out;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto m, store::FindMember(tx, member_id));
    if (!m) return Error{ErrorKind::kNotFound, "not_found", "member not found", "member_id"};
    if (m->role == Role::kPartner || (m->role == Role::kEmi && q != desk::Queue::kEmi)) {
      return Error::Refused(
          "invalid_member",
          "a " + std::string(RoleName(m->role)) + " cannot work the " + queue + " queue",
          "member_id");
    }
    PAYOPS_TRY(store::PutQueueMember(tx, queue, member_id, lead));
    PAYOPS_TRY(store::AppendAudit(
        tx,
        store::AuditEntry{
            env.ids.New("aud"), "queue", queue, env.clock.Now(), actor.member_id, "member_put",
            "{\"member_id\":\"" + member_id + "\",\"lead\":" + (lead ? "true" : "false") + "}"}));
    PAYOPS_ASSIGN_OR_RETURN(out, TeamOf(tx, q));
    return Status::Ok();
  }));
  return std::move(*out);
}

Result<QueueView> RemoveQueueMember(Env& env, const Actor& actor, const std::string& queue,
                                    const std::string& member_id) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin}));
  PAYOPS_ASSIGN_OR_RETURN(desk::Queue q, desk::ParseQueue(queue));
  std::optional<QueueView> out;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(bool removed, store::DeleteQueueMember(tx, queue, member_id));
    if (!removed) return Error::NotFound("queue member");
    PAYOPS_TRY(store::AppendAudit(
        tx, store::AuditEntry{env.ids.New("aud"), "queue", queue, env.clock.Now(), actor.member_id,
                              "member_removed", "{\"member_id\":\"" + member_id + "\"}"}));
    PAYOPS_ASSIGN_OR_RETURN(out, TeamOf(tx, q));
    return Status::Ok();
  }));
  return std::move(*out);
}

Result<store::Page<store::OutboxMessage>> ListOutbox(Env& env, const Actor& actor,
                                                     const store::OutboxFilter& filter,
                                                     const store::PageRequest& page) {
  if (!env.sandbox) return Error::NotFound("route");
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin}));
  std::optional<store::Page<store::OutboxMessage>> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListOutbox(tx, filter, page));
    return Status::Ok();
  }));
  return std::move(*out);
}

}  // namespace payops::service
