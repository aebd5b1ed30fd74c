// The support desk: POST/GET /v1/tickets, GET/PATCH /v1/tickets/{id},
// POST /v1/tickets/{id}/messages, GET /v1/tickets/{id}/attachments/{att},
// POST /v1/transactions/{id}/review-requests, the queue teams
// (/v1/queues...) and GET /v1/outbox (admin, sandbox).
#include "payops/service/tickets.h"
#include "payops/http/api.h"

namespace payops::http {
namespace {

constexpr size_t kMaxCcItems = 200;  // parsed; core refuses more than 50

json::value Micros(Instant t) {
  return json::value(TimeJson(t));
}

json::object SlaJson(const store::TicketSla& s) {
  auto minutes = [](int64_t us) {
    // Towards minus infinity, as core's time_left_minutes.
    int64_t m = us / 60000000;
    if (us % 60000000 != 0 && us < 0) --m;
    return m;
  };
  return json::object{{"first_response_due", Micros(s.fr_due)},
                      {"resolution_due", Micros(s.res_due)},
                      {"first_response_breached", s.fr_state == "breached"},
                      {"resolution_breached", s.res_state == "breached"},
                      {"first_response_state", s.fr_state},
                      {"resolution_state", s.res_state},
                      {"first_response_minutes_left", minutes(s.fr_left_us)},
                      {"resolution_minutes_left", minutes(s.res_left_us)},
                      {"first_response_warned", s.fr_warned},
                      {"resolution_warned", s.res_warned},
                      {"clock", s.clock_kind}};
}

json::value OptTime(const std::optional<int64_t>& us) {
  return us ? json::value(TimeJson(FromMicros(*us))) : json::value(nullptr);
}

}  // namespace

json::object TicketJson(const store::TicketRecord& t) {
  json::array cc;
  for (const auto& c : t.cc) cc.emplace_back(c);
  return json::object{
      {"id", t.id},
      {"number", t.number},
      {"org_id", OptJson(t.org_id)},
      {"requester", json::object{{"name", t.requester_name}, {"email", t.requester_email}}},
      {"cc", std::move(cc)},
      {"category", t.category},
      {"subject", t.subject},
      {"description", t.description},
      {"priority", t.priority},
      {"status", t.status},
      {"queue", t.queue},
      {"assignee_id", OptJson(t.assignee_id)},
      {"channel", t.channel},
      {"transaction_id", OptJson(t.transaction_id)},
      {"request_id", OptJson(t.request_id)},
      {"user_id", OptJson(t.user_id)},
      {"follow_up_of", OptJson(t.follow_up_of)},
      {"sla_plan", t.sla_plan},
      {"sla", SlaJson(t.sla)},
      {"solved_at", OptTime(t.solved_at_us)},
      {"closed_at", OptTime(t.closed_at_us)},
      {"created_at", TimeJson(t.created_at)},
      {"updated_at", TimeJson(t.updated_at)}};
}

namespace {

json::object AttachmentJson(const store::TicketAttachment& a) {
  return json::object{{"id", a.id},
                      {"filename", a.filename},
                      {"content_type", a.content_type},
                      {"size_bytes", a.size_bytes},
                      {"sha256", a.sha256},
                      {"message_id", OptJson(a.message_id)},
                      {"created_at", TimeJson(a.created_at)}};
}

json::object ViewJson(const service::TicketView& v) {
  json::object o = TicketJson(v.ticket);
  json::array messages;
  for (const auto& m : v.messages) {
    messages.emplace_back(json::object{{"id", m.id},
                                       {"author_id", m.author_id},
                                       {"author_name", m.author_name},
                                       {"author_kind", m.author_kind},
                                       {"body", m.body},
                                       {"internal", m.internal},
                                       {"created_at", TimeJson(m.created_at)}});
  }
  o["messages"] = std::move(messages);
  json::array attachments;
  for (const auto& a : v.attachments) attachments.emplace_back(AttachmentJson(a));
  o["attachments"] = std::move(attachments);
  json::array history;
  for (const auto& e : v.history) {
    history.emplace_back(json::object{{"at", TimeJson(e.at)},
                                      {"actor", e.actor},
                                      {"actor_name", NameOf(v.actor_names, e.actor)},
                                      {"field", e.field},
                                      {"from", OptJson(e.from_value)},
                                      {"to", OptJson(e.to_value)},
                                      {"reason", e.reason}});
  }
  o["history"] = std::move(history);
  o["transaction"] =
      v.transaction ? json::value(TransactionSummaryJson(*v.transaction)) : json::value(nullptr);
  json::array warnings;
  for (const auto& w : v.warnings) warnings.emplace_back(w);
  o["warnings"] = std::move(warnings);
  o["statement"] =
      v.statement ? json::value(DisputedStatementJson(*v.statement)) : json::value(nullptr);
  return o;
}

Result<std::vector<service::AttachmentInput>> ParseAttachments(const Fields& f) {
  std::vector<service::AttachmentInput> out;
  PAYOPS_ASSIGN_OR_RETURN(const json::array* list, f.OptArray("attachments", 64));
  if (!list) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    std::string name = "attachments[" + std::to_string(i) + "]";
    if (!(*list)[i].is_object()) {
      return Error::Invalid("invalid_type", name + " must be an object", name);
    }
    Fields af((*list)[i].as_object(), name);
    PAYOPS_TRY(af.AllowOnly({"filename", "content_type", "content_base64"}));
    service::AttachmentInput a;
    PAYOPS_ASSIGN_OR_RETURN(a.filename, af.Str("filename", 1024));
    PAYOPS_ASSIGN_OR_RETURN(a.content_type, af.Str("content_type", 255));
    PAYOPS_ASSIGN_OR_RETURN(a.content_base64, af.Str("content_base64", 2 << 20));
    out.push_back(std::move(a));
  }
  return out;
}

Result<service::NewTicketInput> ParseNewTicket(const json::object& body) {
  Fields f(body);
  PAYOPS_TRY(f.AllowOnly({"requester", "cc", "category", "subject", "description", "priority",
                          "transaction_id", "request_id", "user_id", "org_id", "channel",
                          "attachments", "statement_id", "line_ids"}));
  service::NewTicketInput in;
  PAYOPS_ASSIGN_OR_RETURN(const json::object* requester, f.OptObject("requester"));
  if (!requester) {
    return Error::Invalid("missing_field", "requester {name, email} is required",
                          "requester.email");
  }
  Fields rf(*requester, "requester");
  PAYOPS_TRY(rf.AllowOnly({"name", "email"}));
  PAYOPS_ASSIGN_OR_RETURN(auto name, rf.OptStr("name", 1000));
  in.requester_name = name.value_or("");
  PAYOPS_ASSIGN_OR_RETURN(auto email, rf.OptStr("email", 1000));
  in.requester_email = email.value_or("");
  if (f.Has("cc")) {
    PAYOPS_ASSIGN_OR_RETURN(in.cc, f.StrArray("cc", kMaxCcItems, 320));
  }
  PAYOPS_ASSIGN_OR_RETURN(in.category, f.Str("category", 64));
  PAYOPS_ASSIGN_OR_RETURN(in.subject, f.Str("subject", 4000));
  PAYOPS_ASSIGN_OR_RETURN(in.description, f.Str("description", 100000));
  PAYOPS_ASSIGN_OR_RETURN(in.priority, f.OptStr("priority", 32));
  PAYOPS_ASSIGN_OR_RETURN(in.transaction_id, f.OptStr("transaction_id", 1000));
  PAYOPS_ASSIGN_OR_RETURN(in.user_id, f.OptStr("user_id", 1000));
  PAYOPS_ASSIGN_OR_RETURN(in.request_id, f.OptStr("request_id", 1000));
  PAYOPS_ASSIGN_OR_RETURN(in.org_id, f.OptStr("org_id", 64));
  PAYOPS_ASSIGN_OR_RETURN(in.channel, f.OptStr("channel", 32));
  PAYOPS_ASSIGN_OR_RETURN(in.attachments, ParseAttachments(f));
  PAYOPS_ASSIGN_OR_RETURN(in.statement_id, f.OptStr("statement_id", 64));
  if (f.Has("line_ids")) {
    PAYOPS_ASSIGN_OR_RETURN(in.line_ids, f.StrArray("line_ids", statement::kMaxDisputedLines, 64));
  }
  return in;
}

Result<service::TicketListQuery> ParseList(const HttpRequest& req) {
  service::TicketListQuery q;
  PAYOPS_ASSIGN_OR_RETURN(q.page, ParsePage(req));
  if (auto* v = req.Query("view")) {
    PAYOPS_ASSIGN_OR_RETURN(auto view, desk::ParseTicketListView(*v));
    q.filter.view = view == desk::TicketListView::kMine ? store::TicketListKind::kMine
                    : view == desk::TicketListView::kCc ? store::TicketListKind::kCc
                                                        : store::TicketListKind::kAll;
  }
  if (auto* s = req.Query("status")) {
    // One status or several, comma-separated; "active" = new, open, pending.
    size_t start = 0;
    constexpr size_t kMaxStatuses = 8;
    while (start <= s->size() && q.filter.statuses.size() < kMaxStatuses) {
      size_t end = s->find(',', start);
      if (end == std::string::npos) end = s->size();
      std::string one = s->substr(start, end - start);
      if (one == "active") {
        q.filter.statuses.insert(q.filter.statuses.end(), {"new", "open", "pending"});
      } else {
        PAYOPS_ASSIGN_OR_RETURN(auto st, desk::ParseTicketStatus(one));
        q.filter.statuses.emplace_back(desk::TicketStatusName(st));
      }
      start = end + 1;
    }
  }
  if (auto* v = req.Query("queue")) {
    PAYOPS_ASSIGN_OR_RETURN(auto queue, desk::ParseQueue(*v));
    q.filter.queue = std::string(desk::QueueName(queue));
  }
  if (auto* v = req.Query("org_id")) q.filter.org_id = *v;
  if (auto* v = req.Query("assignee_id")) q.filter.assignee_id = *v;
  if (auto* v = req.Query("transaction_id")) q.filter.transaction_id = *v;
  if (auto* v = req.Query("sort")) {
    if (*v == "sla") {
      q.filter.order = store::TicketOrder::kSlaDue;
    } else if (*v != "id") {
      return Error::Invalid("invalid_value", "sort must be id or sla", "sort");
    }
  }
  if (q.filter.order == store::TicketOrder::kSlaDue && q.page.after_id) {
    // The cursor of the SLA order is "<due micros>_<id>".
    const std::string& c = *q.page.after_id;
    size_t colon = c.find('_');
    char* end = nullptr;
    long long due = colon == std::string::npos ? 0 : std::strtoll(c.c_str(), &end, 10);
    if (colon == std::string::npos || end != c.c_str() + colon) {
      return Error::Invalid("invalid_cursor", "cursor is not from this list", "cursor");
    }
    q.after = store::TicketCursor{due, c.substr(colon + 1)};
    q.page.after_id.reset();
  }
  return q;
}

json::object QueueJson(const service::QueueView& q) {
  json::array members;
  for (const auto& m : q.members) {
    members.emplace_back(json::object{{"member_id", m.member.id},
                                      {"name", m.member.name},
                                      {"email", m.member.email},
                                      {"role", RoleName(m.member.role)},
                                      {"lead", m.lead}});
  }
  return json::object{{"name", q.name}, {"members", std::move(members)}};
}

// Every ticket category with what it is for and what the form must ask:
// the rules of core/ticket.h as data for the portal's picker.
json::object CategoriesJson() {
  json::array data;
  for (desk::Category c : desk::AllCategories()) {
    json::array required;
    if (!desk::CheckCategoryRequirements(c, 0).ok()) required.emplace_back("attachments");
    json::array recommended;
    for (std::string_view f : desk::MissingRecommendedFields(c, false, false, false)) {
      recommended.emplace_back(f);
    }
    json::value wait_hours = nullptr;
    if (c == desk::Category::kPendingTransaction) {
      wait_hours = desk::kPendingTransactionEscalationAfter.count();
    } else if (c == desk::Category::kPendingAccount) {
      wait_hours = desk::kPendingAccountEscalationAfter.count();
    }
    data.emplace_back(
        json::object{{"name", desk::CategoryName(c)},
                     {"title", desk::CategoryTitle(c)},
                     {"definition", desk::CategoryDefinition(c)},
                     {"family", desk::IsEmiCategory(c) ? "emi" : "technical"},
                     {"default_priority", desk::PriorityName(desk::DefaultPriority(c))},
                     {"required", std::move(required)},
                     {"recommended", std::move(recommended)},
                     {"escalation_after_hours", wait_hours}});
  }
  return json::object{{"data", std::move(data)}};
}

}  // namespace

void RegisterTickets(Api& api) {
  Router& r = api.router();
  r.Add("GET", "/v1/ticket-categories",
        [](HttpRequest&) { return JsonResponse(200, CategoriesJson()); });
  r.Add(
      "POST", "/v1/tickets",
      [&api](HttpRequest& req) {
        auto body = ParseObject(req.body);
        if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
        auto in = ParseNewTicket(*body);
        if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
        return Respond(req, service::CreateTicket(api.env(), req.actor, *in), 201, ViewJson);
      },
      kShortWrite);
  r.Add("GET", "/v1/tickets", [&api](HttpRequest& req) {
    auto q = ParseList(req);
    if (!q.ok()) return ErrorResponse(q.error(), req.request_id);
    auto list = service::ListTickets(api.env(), req.actor, *q);
    if (!list.ok()) return ErrorResponse(list.error(), req.request_id);
    json::array data;
    for (const auto& t : list->items) data.emplace_back(TicketJson(t));
    std::string last;
    if (!list->items.empty()) {
      const auto& t = list->items.back();
      last = q->filter.order == store::TicketOrder::kSlaDue
                 ? std::to_string(t.sla.sla_due_at_us) + "_" + t.id
                 : t.id;
    }
    return JsonResponse(200, ListBody(std::move(data), list->has_more, last));
  });
  r.Add("GET", "/v1/tickets/{id}", [&api](HttpRequest& req) {
    return Respond(req, service::GetTicket(api.env(), req.actor, req.Param("id")), 200, ViewJson);
  });
  r.Add(
      "PATCH", "/v1/tickets/{id}",
      [&api](HttpRequest& req) {
        auto body = ParseObject(req.body);
        if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
        auto patch = [&]() -> Result<service::TicketPatch> {
          Fields f(*body);
          PAYOPS_TRY(f.AllowOnly({"priority", "assignee_id", "status", "queue"}));
          service::TicketPatch p;
          PAYOPS_ASSIGN_OR_RETURN(p.priority, f.OptStr("priority", 32));
          PAYOPS_ASSIGN_OR_RETURN(p.status, f.OptStr("status", 32));
          PAYOPS_ASSIGN_OR_RETURN(p.queue, f.OptStr("queue", 32));
          if (f.Has("assignee_id")) {
            p.set_assignee = true;
            PAYOPS_ASSIGN_OR_RETURN(p.assignee_id, f.OptStr("assignee_id", 64));
          }
          if (!p.priority && !p.status && !p.queue && !p.set_assignee) {
            return Error::Invalid("missing_field",
                                  "send at least one of priority, assignee_id, status, queue");
          }
          return p;
        }();
        if (!patch.ok()) return ErrorResponse(patch.error(), req.request_id);
        return Respond(req, service::PatchTicket(api.env(), req.actor, req.Param("id"), *patch),
                       200, ViewJson);
      },
      kShortWrite);
  r.Add(
      "POST", "/v1/tickets/{id}/messages",
      [&api](HttpRequest& req) {
        auto body = ParseObject(req.body);
        if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
        auto in = [&]() -> Result<service::NewMessageInput> {
          Fields f(*body);
          PAYOPS_TRY(f.AllowOnly({"body", "internal", "attachments"}));
          service::NewMessageInput m;
          PAYOPS_ASSIGN_OR_RETURN(m.body, f.Str("body", 100000));
          PAYOPS_ASSIGN_OR_RETURN(auto internal, f.OptBool("internal"));
          m.internal = internal.value_or(false);
          PAYOPS_ASSIGN_OR_RETURN(m.attachments, ParseAttachments(f));
          return m;
        }();
        if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
        return Respond(req, service::AddTicketMessage(api.env(), req.actor, req.Param("id"), *in),
                       201, ViewJson);
      },
      kShortWrite);
  r.Add("GET", "/v1/tickets/{id}/attachments/{attachment_id}", [&api](HttpRequest& req) {
    auto a = service::GetTicketAttachment(api.env(), req.actor, req.Param("id"),
                                          req.Param("attachment_id"));
    if (!a.ok()) return ErrorResponse(a.error(), req.request_id);
    HttpResponse res;
    // Served as a download, never rendered: the type was checked on upload,
    // the name sanitized, and sniffing is off.
    res.content_type = a->meta.content_type;
    res.body = std::move(a->bytes);
    res.headers.emplace_back("X-Content-Type-Options", "nosniff");
    res.headers.emplace_back("Content-Security-Policy", "sandbox");
    res.headers.emplace_back("Content-Disposition",
                             "attachment; filename=\"" + a->meta.filename + "\"");
    return res;
  });
  r.Add("POST", "/v1/transactions/{id}/review-requests", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    Fields f(*body);
    if (auto s = f.AllowOnly({"action", "note"}); !s.ok()) {
      return ErrorResponse(s.error(), req.request_id);
    }
    auto action = f.Str("action", 32);
    if (!action.ok()) return ErrorResponse(action.error(), req.request_id);
    auto note = f.Str("note", 2000);
    if (!note.ok()) return ErrorResponse(note.error(), req.request_id);
    return Respond(
        req,
        service::RequestTransactionReview(api.env(), req.actor, req.Param("id"), *action, *note),
        201, [](const service::ReviewRequestView& v) {
          return json::object{{"id", v.request.id},
                              {"transaction_id", v.request.transaction_id},
                              {"action", v.request.action},
                              {"note", v.request.note},
                              {"ticket_id", v.request.ticket_id},
                              {"ticket_number", v.ticket_number},
                              {"ticket_status", v.ticket_status},
                              {"created_at", TimeJson(v.request.created_at)}};
        });
  });
  r.Add("POST", "/v1/transactions/{id}/partner-review", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body.empty() ? "{}" : req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    Fields f(*body);
    if (auto s = f.AllowOnly({"note"}); !s.ok()) return ErrorResponse(s.error(), req.request_id);
    auto note = f.OptStr("note", 2000);
    if (!note.ok()) return ErrorResponse(note.error(), req.request_id);
    return Respond(
        req,
        service::RequestPartnerReview(api.env(), req.actor, req.Param("id"), note->value_or("")),
        201, [](const service::PartnerReviewView& v) {
          return json::object{
              {"transaction_id", v.transaction_id},   {"ticket_id", v.ticket_id},
              {"ticket_number", v.ticket_number},     {"ticket_status", v.ticket_status},
              {"requester_email", v.requester_email}, {"note", v.note},
              {"created_at", TimeJson(v.created_at)}};
        });
  });
  r.Add("GET", "/v1/queues", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    return Respond(req, service::ListQueues(api.env(), req.actor, *page), 200,
                   [](const store::Page<service::QueueView>& qs) {
                     json::array data;
                     for (const auto& q : qs.items) data.emplace_back(QueueJson(q));
                     return ListBody(std::move(data), qs.has_more,
                                     qs.items.empty() ? "" : qs.items.back().name);
                   });
  });
  r.Add("POST", "/v1/queues/{queue}/members", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    Fields f(*body);
    if (auto s = f.AllowOnly({"member_id", "lead"}); !s.ok()) {
      return ErrorResponse(s.error(), req.request_id);
    }
    auto member = f.Str("member_id", 64);
    if (!member.ok()) return ErrorResponse(member.error(), req.request_id);
    auto lead = f.OptBool("lead");
    if (!lead.ok()) return ErrorResponse(lead.error(), req.request_id);
    return Respond(req,
                   service::PutQueueMember(api.env(), req.actor, req.Param("queue"), *member,
                                           lead->value_or(false)),
                   200, QueueJson);
  });
  r.Add("DELETE", "/v1/queues/{queue}/members/{member_id}", [&api](HttpRequest& req) {
    return Respond(req,
                   service::RemoveQueueMember(api.env(), req.actor, req.Param("queue"),
                                              req.Param("member_id")),
                   200, QueueJson);
  });
  r.Add("GET", "/v1/outbox", [&api](HttpRequest& req) {
    auto page = ParsePage(req);
    if (!page.ok()) return ErrorResponse(page.error(), req.request_id);
    store::OutboxFilter filter;
    if (auto* v = req.Query("to")) filter.to = *v;
    if (auto* v = req.Query("ticket_id")) filter.ticket_id = *v;
    auto list = service::ListOutbox(api.env(), req.actor, filter, *page);
    if (!list.ok()) return ErrorResponse(list.error(), req.request_id);
    json::array data;
    for (const auto& m : list->items) {
      data.emplace_back(
          json::object{{"id", m.id},
                       {"kind", m.kind},
                       {"event", m.event},
                       {"to", m.to_address},
                       {"to_member_id", OptJson(m.to_member_id)},
                       {"subject", m.subject},
                       {"body", m.body},
                       {"ticket_id", OptJson(m.ticket_id)},
                       {"html", OptJson(m.html_body)},
                       {"message_id", OptJson(m.message_id)},
                       {"status", m.status},
                       {"attempts", m.attempts},
                       {"last_error", OptJson(m.last_error)},
                       {"next_attempt_at", TimeJson(FromMicros(m.next_attempt_at_us))},
                       {"sent_at", m.sent_at_us ? json::value(TimeJson(FromMicros(*m.sent_at_us)))
                                                : json::value(nullptr)},
                       {"created_at", TimeJson(m.created_at)}});
    }
    return JsonResponse(200, ListBody(std::move(data), list->has_more,
                                      list->items.empty() ? "" : list->items.back().id));
  });
}

}  // namespace payops::http
