#include "payops/store/tickets.h"

#include <cassert>

#include "payops/core/validate.h"

namespace payops::store {
namespace {

constexpr const char* kColumns =
    "t.id, t.number, t.org_id, t.requester_name, t.requester_email, t.category, t.subject, "
    "t.description, t.priority, t.initial_priority, t.status, t.queue, t.assignee_id, t.channel, "
    "t.transaction_id, t.request_id, t.follow_up_of, t.created_by, t.sla_plan, "
    "t.first_agent_reply_at, t.solved_at, t.closed_at, t.fr_state, t.fr_due, t.fr_left_us, "
    "t.fr_warned, t.res_state, t.res_due, t.res_left_us, t.res_warned, t.clock_kind, "
    "t.sla_due_at, t.sla_next_at, t.created_at, t.updated_at, t.user_id";

TicketRecord FromRow(const Row& r) {
  TicketRecord t;
  t.id = r.Text(0);
  t.number = r.Int(1);
  t.org_id = r.OptText(2);
  t.requester_name = r.Text(3);
  t.requester_email = r.Text(4);
  t.category = r.Text(5);
  t.subject = r.Text(6);
  t.description = r.Text(7);
  t.priority = r.Text(8);
  t.initial_priority = r.Text(9);
  t.status = r.Text(10);
  t.queue = r.Text(11);
  t.assignee_id = r.OptText(12);
  t.channel = r.Text(13);
  t.transaction_id = r.OptText(14);
  t.request_id = r.OptText(15);
  t.follow_up_of = r.OptText(16);
  t.created_by = r.Text(17);
  t.sla_plan = r.Text(18);
  t.first_agent_reply_at_us = r.OptInt(19);
  t.solved_at_us = r.OptInt(20);
  t.closed_at_us = r.OptInt(21);
  t.sla.fr_state = r.Text(22);
  t.sla.fr_due = FromMicros(r.Int(23));
  t.sla.fr_left_us = r.Int(24);
  t.sla.fr_warned = r.Int(25) != 0;
  t.sla.res_state = r.Text(26);
  t.sla.res_due = FromMicros(r.Int(27));
  t.sla.res_left_us = r.Int(28);
  t.sla.res_warned = r.Int(29) != 0;
  t.sla.clock_kind = r.Text(30);
  t.sla.sla_due_at_us = r.Int(31);
  t.sla.sla_next_at_us = r.OptInt(32);
  t.created_at = FromMicros(r.Int(33));
  t.updated_at = FromMicros(r.Int(34));
  t.user_id = r.OptText(35);
  return t;
}

// Loads the CCs of every ticket in `tickets` with one query.
Status LoadCcs(Tx& tx, std::vector<TicketRecord>& tickets) {
  if (tickets.empty()) return Status::Ok();
  std::string sql = "SELECT ticket_id, email FROM ticket_ccs WHERE ticket_id IN (";
  std::vector<Value> params;
  for (size_t i = 0; i < tickets.size(); ++i) {
    sql += i ? ", ?" : "?";
    params.emplace_back(tickets[i].id);
  }
  sql += ") ORDER BY ticket_id, position";
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  for (const Row& r : rows) {
    std::string id = r.Text(0);
    for (TicketRecord& t : tickets) {
      if (t.id == id) {
        t.cc.push_back(r.Text(1));
        break;
      }
    }
  }
  return Status::Ok();
}

Result<std::vector<TicketRecord>> Many(Tx& tx, const std::string& sql,
                                       std::span<const Value> params, bool with_ccs = true) {
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  std::vector<TicketRecord> out;
  out.reserve(rows.size());
  for (const Row& r : rows) out.push_back(FromRow(r));
  if (with_ccs) PAYOPS_TRY(LoadCcs(tx, out));
  return out;
}

// Through the (email_lc, ticket_id) index: the CC'd tickets in id order.
const char* kCcMatch = "t.id IN (SELECT c.ticket_id FROM ticket_ccs c WHERE c.email_lc = ?)";

// The visibility condition of `v` as SQL over alias t, with its parameters.
void AddVisibility(const TicketViewer& v, std::string& sql, std::vector<Value>& params) {
  if (IsStaff(v.role)) return;
  if (v.role == Role::kEmi) {
    sql += " AND t.queue = 'emi'";
    return;
  }
  // Partners: their verified email as requester or CC; org admins their org too.
  sql += " AND (t.requester_email_lc = ? OR ";
  params.emplace_back(v.email_lc);
  sql += kCcMatch;
  params.emplace_back(v.email_lc);
  if (v.org_admin && v.org_id) {
    sql += " OR t.org_id = ?";
    params.emplace_back(*v.org_id);
  }
  sql += ")";
}

// The SLA columns, in the order of kSlaColumns.
constexpr const char* kSlaColumns =
    "fr_state = ?, fr_due = ?, fr_left_us = ?, fr_warned = ?, res_state = ?, res_due = ?, "
    "res_left_us = ?, res_warned = ?, clock_kind = ?, sla_due_at = ?, sla_next_at = ?";
void AppendSla(std::vector<Value>& v, const TicketSla& s) {
  v.insert(v.end(), {s.fr_state, ToMicros(s.fr_due), s.fr_left_us, int64_t{s.fr_warned},
                     s.res_state, ToMicros(s.res_due), s.res_left_us, int64_t{s.res_warned},
                     s.clock_kind, s.sla_due_at_us, Opt(s.sla_next_at_us)});
}

}  // namespace

TicketViewer ViewerOf(const Actor& actor) {
  TicketViewer v;
  v.role = actor.role;
  v.member_id = actor.member_id;
  v.org_id = actor.org_id;
  v.email_lc = ToLowerAscii(actor.email);
  v.org_admin = actor.org_admin;
  return v;
}

Result<int64_t> NextTicketNumber(Tx& tx) {
  if (tx.dialect() == Dialect::kPostgres) {
    PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT nextval('ticket_numbers')", {}));
    return row->Int(0);
  }
  // SQLite has one writer at a time (the store's write thread), so the next
  // number is the highest stored + 1, read from the end of the unique index on
  // number: no counter row to rewrite in every commit. Numbers start at 1001,
  // as the PostgreSQL sequence does.
  PAYOPS_ASSIGN_OR_RETURN(auto row,
                          tx.QueryOne("SELECT COALESCE(MAX(number), 1000) + 1 FROM tickets", {}));
  return row->Int(0);
}

Status InsertTicket(Tx& tx, TicketRecord& t) {
  const bool pg = tx.dialect() == Dialect::kPostgres;
  // On PostgreSQL a new number comes from the sequence in the INSERT itself.
  const bool number_from_sequence = pg && t.number == 0;
  if (t.number == 0 && !pg) {
    PAYOPS_ASSIGN_OR_RETURN(t.number, NextTicketNumber(tx));
  }
  std::vector<Value> v{t.id};
  if (!number_from_sequence) v.emplace_back(t.number);
  for (Value x : std::initializer_list<Value>{Opt(t.org_id),
                                              t.requester_name,
                                              t.requester_email,
                                              ToLowerAscii(t.requester_email),
                                              t.category,
                                              t.subject,
                                              t.description,
                                              t.priority,
                                              t.initial_priority,
                                              t.status,
                                              t.queue,
                                              Opt(t.assignee_id),
                                              t.channel,
                                              Opt(t.transaction_id),
                                              Opt(t.request_id),
                                              Opt(t.follow_up_of),
                                              t.created_by,
                                              t.sla_plan,
                                              Opt(t.first_agent_reply_at_us),
                                              Opt(t.solved_at_us),
                                              Opt(t.closed_at_us)}) {
    v.push_back(std::move(x));
  }
  AppendSla(v, t.sla);
  v.insert(v.end(), {ToMicros(t.created_at), ToMicros(t.updated_at), Opt(t.user_id)});
  std::string sql =
      "INSERT INTO tickets (id, number, org_id, requester_name, requester_email, "
      "requester_email_lc, category, subject, description, priority, initial_priority, status, "
      "queue, assignee_id, channel, transaction_id, request_id, follow_up_of, created_by, "
      "sla_plan, first_agent_reply_at, solved_at, closed_at, fr_state, fr_due, fr_left_us, "
      "fr_warned, res_state, res_due, res_left_us, res_warned, clock_kind, sla_due_at, "
      "sla_next_at, created_at, updated_at, user_id) VALUES (?, ";
  sql += number_from_sequence ? "nextval('ticket_numbers')" : "?";
  sql +=
      ", ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
      "?, ?, ?, ?, ?, ?)";
  std::vector<std::pair<std::string, std::vector<Value>>> ccs;
  int64_t position = 0;
  for (const std::string& cc : t.cc) {
    ccs.push_back(
        {"INSERT INTO ticket_ccs (ticket_id, email, email_lc, position) VALUES (?, ?, ?, ?)",
         {t.id, cc, ToLowerAscii(cc), position++}});
  }
  if (!pg) {
    PAYOPS_TRY(tx.Exec(sql, v));
    for (const auto& [cc_sql, params] : ccs) PAYOPS_TRY(tx.Exec(cc_sql, params));
    return Status::Ok();
  }
  // PostgreSQL: one round trip; the CCs as data-modifying WITH clauses
  // (their foreign key is checked at the end of the statement, when the
  // ticket row is there).
  std::string with;
  for (size_t i = 0; i < ccs.size(); ++i) {
    with += (i ? ", c" : "WITH c") + std::to_string(i) + " AS (" + ccs[i].first + ") ";
  }
  std::vector<Value> params;
  for (auto& [cc_sql, cc_params] : ccs) {
    for (Value& x : cc_params) params.push_back(std::move(x));
  }
  for (Value& x : v) params.push_back(std::move(x));
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(with + sql + " RETURNING number", params));
  if (rows.empty()) return Error::Internal("the ticket INSERT returned no row");
  t.number = rows[0].Int(0);
  return Status::Ok();
}

Status UpdateTicket(Tx& tx, const TicketRecord& t) {
  std::vector<Value> v{t.priority,
                       t.status,
                       t.queue,
                       Opt(t.assignee_id),
                       Opt(t.first_agent_reply_at_us),
                       Opt(t.solved_at_us),
                       Opt(t.closed_at_us)};
  AppendSla(v, t.sla);
  v.insert(v.end(), {ToMicros(t.updated_at), t.id});
  PAYOPS_ASSIGN_OR_RETURN(
      int64_t n, tx.Exec(std::string("UPDATE tickets SET priority = ?, status = ?, queue = ?, "
                                     "assignee_id = ?, first_agent_reply_at = ?, solved_at = ?, "
                                     "closed_at = ?, ") +
                             kSlaColumns + ", updated_at = ? WHERE id = ?",
                         v));
  if (n != 1) return Error::NotFound("ticket");
  return Status::Ok();
}

Status UpdateTicketSla(Tx& tx, const TicketRecord& t) {
  std::vector<Value> v;
  AppendSla(v, t.sla);
  v.emplace_back(t.id);
  PAYOPS_ASSIGN_OR_RETURN(
      int64_t n, tx.Exec(std::string("UPDATE tickets SET ") + kSlaColumns + " WHERE id = ?", v));
  if (n != 1) return Error::NotFound("ticket");
  return Status::Ok();
}

Result<std::optional<TicketRecord>> FindTicket(Tx& tx, const std::string& id,
                                               const TicketViewer& viewer) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM tickets t WHERE t.id = ?";
  std::vector<Value> params{id};
  AddVisibility(viewer, sql, params);
  PAYOPS_ASSIGN_OR_RETURN(auto all, Many(tx, sql, params));
  if (all.empty()) return std::optional<TicketRecord>();
  return std::optional<TicketRecord>(std::move(all.front()));
}

Status LoadTicketCcs(Tx& tx, TicketRecord& t) {
  std::vector<TicketRecord> one{std::move(t)};
  one.front().cc.clear();
  Status s = LoadCcs(tx, one);
  t = std::move(one.front());
  return s;
}

Result<std::optional<TicketRecord>> FindTicketById(Tx& tx, const std::string& id) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM tickets t WHERE t.id = ?";
  std::vector<Value> params{id};
  PAYOPS_ASSIGN_OR_RETURN(auto all, Many(tx, sql, params));
  if (all.empty()) return std::optional<TicketRecord>();
  return std::optional<TicketRecord>(std::move(all.front()));
}

Result<std::optional<TicketRecord>> FindTicketByNumber(Tx& tx, int64_t number) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM tickets t WHERE t.number = ?";
  std::vector<Value> params{number};
  PAYOPS_ASSIGN_OR_RETURN(auto all, Many(tx, sql, params));
  if (all.empty()) return std::optional<TicketRecord>();
  return std::optional<TicketRecord>(std::move(all.front()));
}

Result<Page<TicketRecord>> ListTickets(Tx& tx, const TicketViewer& viewer, const TicketFilter& f,
                                       const PageRequest& page,
                                       const std::optional<TicketCursor>& after) {
  std::string sql = std::string("SELECT ") + kColumns + " FROM tickets t WHERE ";
  std::vector<Value> params;
  if (f.order == TicketOrder::kSlaDue) {
    TicketCursor c = after.value_or(TicketCursor{INT64_MIN, ""});
    sql += "(t.sla_due_at > ? OR (t.sla_due_at = ? AND t.id > ?))";
    params.insert(params.end(), {c.sla_due_at_us, c.sla_due_at_us, c.id});
  } else {
    sql += "t.id > ?";
    params.emplace_back(page.after_id.value_or(""));
  }
  const bool staff_like = viewer.role != Role::kPartner;
  // A partner's own requests and CCs are visible by definition: the visibility
  // clause would only hide the requester index from the planner.
  if (staff_like || f.view == TicketListKind::kAll) AddVisibility(viewer, sql, params);
  switch (f.view) {
    case TicketListKind::kMine:
      // Requested by the viewer; for staff and EMI users also assigned to them.
      if (staff_like) {
        sql += " AND (t.requester_email_lc = ? OR t.assignee_id = ?)";
        params.emplace_back(viewer.email_lc);
        params.emplace_back(viewer.member_id);
      } else {
        sql += " AND t.requester_email_lc = ?";
        params.emplace_back(viewer.email_lc);
      }
      break;
    case TicketListKind::kCc:
      sql += std::string(" AND ") + kCcMatch;
      params.emplace_back(viewer.email_lc);
      break;
    case TicketListKind::kAll:
      break;
  }
  if (!f.statuses.empty()) {
    sql += " AND t.status IN (";
    for (size_t i = 0; i < f.statuses.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.emplace_back(f.statuses[i]);
    }
    sql += ")";
  }
  auto add = [&](const char* clause, const std::optional<std::string>& v) {
    if (!v) return;
    sql += clause;
    params.emplace_back(*v);
  };
  add(" AND t.queue = ?", f.queue);
  add(" AND t.org_id = ?", f.org_id);
  add(" AND t.assignee_id IS NOT NULL AND t.assignee_id = ?", f.assignee_id);
  add(" AND t.transaction_id IS NOT NULL AND t.transaction_id = ?", f.transaction_id);
  sql += f.order == TicketOrder::kSlaDue ? " ORDER BY t.sla_due_at, t.id" : " ORDER BY t.id";
  sql += " LIMIT ?";
  params.emplace_back(int64_t{page.limit + 1});
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  Page<TicketRecord> out = ToPage<TicketRecord>(rows, page.limit, FromRow);
  PAYOPS_TRY(LoadCcs(tx, out.items));
  return out;
}

Status InsertTicketMessage(Tx& tx, const TicketMessage& m) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO ticket_messages (id, ticket_id, author_id, author_name, author_kind, "
              "body, internal, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              {m.id, m.ticket_id, m.author_id, m.author_name, m.author_kind, m.body,
               int64_t{m.internal}, ToMicros(m.created_at)}));
  return Status::Ok();
}

Result<std::vector<TicketMessage>> ListTicketMessages(Tx& tx, const std::string& ticket_id,
                                                      bool with_internal, int limit) {
  std::string sql =
      "SELECT id, ticket_id, author_id, author_name, author_kind, body, internal, created_at "
      "FROM ticket_messages WHERE ticket_id = ?";
  if (!with_internal) sql += " AND internal = 0";
  sql += " ORDER BY id LIMIT ?";
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, {ticket_id, int64_t{limit}}));
  std::vector<TicketMessage> out;
  for (const Row& r : rows) {
    out.push_back(TicketMessage{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5),
                                r.Int(6) != 0, FromMicros(r.Int(7))});
  }
  return out;
}

Status InsertTicketAttachment(Tx& tx, const TicketAttachment& a) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO ticket_attachments (id, ticket_id, message_id, filename, content_type, "
              "size_bytes, sha256, content_base64, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {a.id, a.ticket_id, Opt(a.message_id), a.filename, a.content_type, a.size_bytes,
               a.sha256, a.content_base64, ToMicros(a.created_at)}));
  return Status::Ok();
}

namespace {
TicketAttachment AttachmentFromRow(const Row& r, bool with_content) {
  return TicketAttachment{
      r.Text(0),           r.Text(1), r.OptText(2), r.Text(3),
      r.Text(4),           r.Int(5),  r.Text(6),    with_content ? r.Text(8) : std::string(),
      FromMicros(r.Int(7))};
}
}  // namespace

// Attachments of internal notes, for the viewers who may not read them.
constexpr const char* kNotOfInternalNote =
    " AND (a.message_id IS NULL OR a.message_id NOT IN "
    "(SELECT m.id FROM ticket_messages m WHERE m.ticket_id = a.ticket_id AND m.internal <> 0))";

Result<std::vector<TicketAttachment>> ListTicketAttachments(Tx& tx, const std::string& ticket_id,
                                                            bool with_internal, int limit) {
  std::string sql =
      "SELECT a.id, a.ticket_id, a.message_id, a.filename, a.content_type, a.size_bytes, "
      "a.sha256, a.created_at FROM ticket_attachments a WHERE a.ticket_id = ?";
  if (!with_internal) sql += kNotOfInternalNote;
  sql += " ORDER BY a.id LIMIT ?";
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, {ticket_id, int64_t{limit}}));
  std::vector<TicketAttachment> out;
  for (const Row& r : rows) out.push_back(AttachmentFromRow(r, false));
  return out;
}

Result<std::optional<TicketAttachment>> FindTicketAttachment(Tx& tx, const std::string& ticket_id,
                                                             const std::string& id,
                                                             bool with_internal) {
  std::string sql =
      "SELECT a.id, a.ticket_id, a.message_id, a.filename, a.content_type, a.size_bytes, "
      "a.sha256, a.created_at, a.content_base64 FROM ticket_attachments a "
      "WHERE a.ticket_id = ? AND a.id = ?";
  if (!with_internal) sql += kNotOfInternalNote;
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(sql, {ticket_id, id}));
  if (!row) return std::optional<TicketAttachment>();
  return std::optional<TicketAttachment>(AttachmentFromRow(*row, true));
}

Status AppendTicketEvent(Tx& tx, const TicketEvent& e) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO ticket_events (id, ticket_id, at, actor, field, from_value, to_value, "
              "reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              {e.id, e.ticket_id, ToMicros(e.at), e.actor, e.field, Opt(e.from_value),
               Opt(e.to_value), e.reason}));
  return Status::Ok();
}

Result<std::vector<TicketEvent>> ListTicketEvents(Tx& tx, const std::string& ticket_id,
                                                  const std::vector<std::string>& fields,
                                                  int limit) {
  std::string sql =
      "SELECT id, ticket_id, at, actor, field, from_value, to_value, reason FROM ticket_events "
      "WHERE ticket_id = ?";
  std::vector<Value> params{ticket_id};
  if (!fields.empty()) {
    sql += " AND field IN (";
    for (size_t i = 0; i < fields.size(); ++i) {
      sql += i ? ", ?" : "?";
      params.emplace_back(fields[i]);
    }
    sql += ")";
  }
  sql += " ORDER BY at, id LIMIT ?";
  params.emplace_back(int64_t{limit});
  PAYOPS_ASSIGN_OR_RETURN(Rows rows, tx.Query(sql, params));
  std::vector<TicketEvent> out;
  for (const Row& r : rows) {
    out.push_back(TicketEvent{r.Text(0), r.Text(1), FromMicros(r.Int(2)), r.Text(3), r.Text(4),
                              r.OptText(5), r.OptText(6), r.Text(7)});
  }
  return out;
}

Result<std::vector<TicketRecord>> TicketsWithSlaEventDue(Tx& tx, Instant at, int limit) {
  std::string sql =
      std::string("SELECT ") + kColumns +
      " FROM tickets t WHERE t.sla_next_at IS NOT NULL AND t.sla_next_at <= ? ORDER BY "
      "t.sla_next_at LIMIT ?";
  std::vector<Value> params{ToMicros(at), int64_t{limit}};
  return Many(tx, sql, params, false);
}

Result<std::vector<TicketRecord>> SolvedTicketsBefore(Tx& tx, Instant solved_before, int limit) {
  std::string sql = std::string("SELECT ") + kColumns +
                    " FROM tickets t WHERE t.status = 'solved' AND t.solved_at <= ? ORDER BY "
                    "t.solved_at LIMIT ?";
  std::vector<Value> params{ToMicros(solved_before), int64_t{limit}};
  return Many(tx, sql, params);
}

Result<std::vector<TicketRecord>> OpenTicketsOfTransaction(Tx& tx, const std::string& txn_id,
                                                           int limit) {
  std::string sql =
      std::string("SELECT ") + kColumns +
      " FROM tickets t WHERE t.transaction_id IS NOT NULL AND t.transaction_id = ? AND "
      "t.status IN ('new', 'open', 'pending') ORDER BY t.id LIMIT ?";
  std::vector<Value> params{txn_id, int64_t{limit}};
  return Many(tx, sql, params);
}

Result<std::vector<PendingSince>> UnescalatedPendingTransactions(Tx& tx, Instant pending_before,
                                                                 int limit) {
  PAYOPS_ASSIGN_OR_RETURN(
      Rows rows,
      tx.Query("SELECT x.id, x.pending_at FROM transactions x WHERE x.status = 'PENDING' AND "
               "x.pending_at <= ? AND NOT EXISTS (SELECT 1 FROM transaction_escalations e WHERE "
               "e.transaction_id = x.id) ORDER BY x.pending_at, x.id LIMIT ?",
               {ToMicros(pending_before), int64_t{limit}}));
  std::vector<PendingSince> out;
  for (const Row& r : rows) out.push_back(PendingSince{r.Text(0), r.Int(1)});
  return out;
}

Status InsertTransactionEscalation(Tx& tx, const std::string& txn_id, const std::string& ticket_id,
                                   Instant at) {
  PAYOPS_TRY(tx.Exec(
      "INSERT INTO transaction_escalations (transaction_id, ticket_id, at) VALUES (?, ?, ?)",
      {txn_id, ticket_id, ToMicros(at)}));
  return Status::Ok();
}

Status InsertReviewRequest(Tx& tx, const ReviewRequest& r) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO review_requests (id, transaction_id, org_id, action, note, ticket_id, "
              "requested_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
              {r.id, r.transaction_id, r.org_id, r.action, r.note, r.ticket_id, r.requested_by,
               ToMicros(r.created_at)}));
  return Status::Ok();
}

}  // namespace payops::store
