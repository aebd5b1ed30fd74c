// Support-desk tickets: the ticket row with its stored SLA state, CCs,
// conversation, attachments and the history of every change. Visibility
// (SPEC §3.5) is part of the list and find queries, never filtered afterwards.
#pragma once

#include "payops/core/clock.h"
#include "payops/core/role.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

// The SLA state as last computed (service/tickets.cc), so lists and the sweep
// need no recomputation.
struct TicketSla {
  std::string fr_state = "running";  // core SlaClockStateName
  Instant fr_due;
  int64_t fr_left_us = 0;  // time left when last computed (paused/stopped clocks keep it)
  bool fr_warned = false;
  std::string res_state = "running";
  Instant res_due;
  int64_t res_left_us = 0;
  bool res_warned = false;
  std::string clock_kind = "working";  // "working" | "24x7"
  // The earliest due instant of a running clock (sorting by time left);
  // kNoSlaDue when none runs.
  int64_t sla_due_at_us = 0;
  // When the sweep must look at the ticket next (warning or breach); null: never.
  std::optional<int64_t> sla_next_at_us;
};
inline constexpr int64_t kNoSlaDue = INT64_MAX;

struct TicketRecord {
  std::string id;
  int64_t number = 0;
  std::optional<std::string> org_id;
  std::string requester_name;
  std::string requester_email;
  std::string category;
  std::string subject;
  std::string description;
  std::string priority;
  std::string initial_priority;
  std::string status;
  std::string queue;
  std::optional<std::string> assignee_id;
  std::string channel;
  std::optional<std::string> transaction_id;
  std::optional<std::string> request_id;
  std::optional<std::string> follow_up_of;
  std::optional<std::string> user_id;  // the end user an account ticket is about
  std::string created_by;
  std::string sla_plan;
  std::optional<int64_t> first_agent_reply_at_us;
  std::optional<int64_t> solved_at_us;
  std::optional<int64_t> closed_at_us;
  TicketSla sla;
  Instant created_at;
  Instant updated_at;
  std::vector<std::string> cc;  // loaded with the ticket, in the order given
};

struct TicketMessage {
  std::string id;
  std::string ticket_id;
  std::string author_id;
  std::string author_name;
  std::string author_kind;  // agent | customer | system
  std::string body;
  bool internal = false;
  Instant created_at;
};

struct TicketAttachment {
  std::string id;
  std::string ticket_id;
  std::optional<std::string> message_id;
  std::string filename;  // sanitized
  std::string content_type;
  int64_t size_bytes = 0;
  std::string sha256;
  std::string content_base64;  // empty unless asked for
  Instant created_at;
};

// One change: field "status", "priority", "assignee", "queue", "sla", ...
struct TicketEvent {
  std::string id;
  std::string ticket_id;
  Instant at;
  std::string actor;  // member id or "system"
  std::string field;
  std::optional<std::string> from_value;
  std::optional<std::string> to_value;
  std::string reason;
};

// The next ticket number (1001, 1002, …): a sequence on PostgreSQL, a counter
// row on SQLite (single writer).
Result<int64_t> NextTicketNumber(Tx& tx);
// Inserts the ticket and its CCs. A number of 0 is assigned the next one
// (NextTicketNumber; on PostgreSQL in the INSERT itself) and set in `t`.
Status InsertTicket(Tx& tx, TicketRecord& t);
// Writes every mutable column (status, priority, assignee, dates, SLA).
Status UpdateTicket(Tx& tx, const TicketRecord& t);
// Writes the SLA columns only (the sweep): no other index is touched.
Status UpdateTicketSla(Tx& tx, const TicketRecord& t);

// Who is looking, for the store's visibility filter (core/ticket.h
// CanViewTicket is the oracle): staff see every ticket, EMI users the EMI
// queue, partners the tickets where their email is requester or CC (ASCII
// case-insensitive) and, as org admins, their org's.
struct TicketViewer {
  Role role = Role::kPartner;
  std::string member_id;
  std::optional<std::string> org_id;
  std::string email_lc;  // lowercase; empty never matches
  bool org_admin = false;
};
TicketViewer ViewerOf(const Actor& actor);

// nullopt when the ticket does not exist or the viewer may not see it.
Result<std::optional<TicketRecord>> FindTicket(Tx& tx, const std::string& id,
                                               const TicketViewer& viewer);
// Fills t.cc.
Status LoadTicketCcs(Tx& tx, TicketRecord& t);
// Without visibility, for jobs and hooks.
Result<std::optional<TicketRecord>> FindTicketById(Tx& tx, const std::string& id);
// By its number, without visibility (mail ingest: "[#1042]" in a subject).
Result<std::optional<TicketRecord>> FindTicketByNumber(Tx& tx, int64_t number);

enum class TicketListKind { kMine, kCc, kAll };
enum class TicketOrder { kId, kSlaDue };
struct TicketFilter {
  TicketListKind view = TicketListKind::kAll;
  std::vector<std::string> statuses;  // empty: any
  std::optional<std::string> queue;
  std::optional<std::string> org_id;
  std::optional<std::string> assignee_id;
  std::optional<std::string> transaction_id;
  TicketOrder order = TicketOrder::kId;
};
// A page in id order, or in (sla_due_at, id) order; `after` is the cursor's
// (sla_due_at, id) for kSlaDue and page.after_id for kId.
struct TicketCursor {
  int64_t sla_due_at_us = 0;
  std::string id;
};
Result<Page<TicketRecord>> ListTickets(Tx& tx, const TicketViewer& viewer,
                                       const TicketFilter& filter, const PageRequest& page,
                                       const std::optional<TicketCursor>& after);

Status InsertTicketMessage(Tx& tx, const TicketMessage& m);
// Oldest first; internal notes only when `with_internal`.
Result<std::vector<TicketMessage>> ListTicketMessages(Tx& tx, const std::string& ticket_id,
                                                      bool with_internal, int limit);

Status InsertTicketAttachment(Tx& tx, const TicketAttachment& a);
// Metadata only (content_base64 empty). Without `with_internal`, the
// attachments of internal notes are left out.
Result<std::vector<TicketAttachment>> ListTicketAttachments(Tx& tx, const std::string& ticket_id,
                                                            bool with_internal, int limit);
// With the content; nullopt for an internal note's attachment unless `with_internal`.
Result<std::optional<TicketAttachment>> FindTicketAttachment(Tx& tx, const std::string& ticket_id,
                                                             const std::string& id,
                                                             bool with_internal);

Status AppendTicketEvent(Tx& tx, const TicketEvent& e);
// Oldest first; only the given fields when `fields` is not empty.
Result<std::vector<TicketEvent>> ListTicketEvents(Tx& tx, const std::string& ticket_id,
                                                  const std::vector<std::string>& fields,
                                                  int limit);

// Tickets whose SLA needs the sweep at or before `at`, earliest first.
Result<std::vector<TicketRecord>> TicketsWithSlaEventDue(Tx& tx, Instant at, int limit);
// Solved tickets solved at or before `solved_before`.
Result<std::vector<TicketRecord>> SolvedTicketsBefore(Tx& tx, Instant solved_before, int limit);
// Tickets linked to the transaction that are not solved or closed.
Result<std::vector<TicketRecord>> OpenTicketsOfTransaction(Tx& tx, const std::string& txn_id,
                                                           int limit);

// The automatic EMI escalation of a transaction left PENDING (once each).
struct PendingSince {
  std::string transaction_id;
  int64_t pending_at_us = 0;
};
// PENDING transactions pending since `pending_before` or earlier with no
// escalation yet, oldest first.
Result<std::vector<PendingSince>> UnescalatedPendingTransactions(Tx& tx, Instant pending_before,
                                                                 int limit);
Status InsertTransactionEscalation(Tx& tx, const std::string& txn_id, const std::string& ticket_id,
                                   Instant at);

struct ReviewRequest {
  std::string id;
  std::string transaction_id;
  std::string org_id;
  std::string action;  // release | cancel
  std::string note;
  std::string ticket_id;
  std::string requested_by;
  Instant created_at;
};
Status InsertReviewRequest(Tx& tx, const ReviewRequest& r);

}  // namespace payops::store
