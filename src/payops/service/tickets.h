// The support desk's application service (SPEC §3.1–3.3, §3.5): tickets with
// routing, priorities, the lifecycle, the conversation, attachments, SLA
// clocks and the notifications outbox. Every change is one commit holding the
// ticket, its history event and the outbox rows it causes; the rules come
// from core/ticket.h and core/sla.h.
#pragma once

#include "payops/core/ticket.h"
#include "payops/service/env.h"
#include "payops/service/statements.h"
#include "payops/store/members.h"
#include "payops/store/outbox.h"
#include "payops/store/tickets.h"
#include "payops/store/transactions.h"

namespace payops::service {

inline constexpr int kMaxTicketMessages = 1000;  // shown per ticket
inline constexpr int kMaxTicketEvents = 2000;    // history shown per ticket
inline constexpr int kMaxSweepBatch = 500;       // tickets one sweep query takes
inline constexpr int kMaxSweepBatches = 200;     // batches one job run takes at most
inline constexpr int kMaxTeamSize = 200;         // members notified per queue
inline constexpr size_t kMaxMessageBytes = 20000;

struct AttachmentInput {
  std::string filename;
  std::string content_type;
  std::string content_base64;
};

struct NewTicketInput {
  std::string requester_name;
  std::string requester_email;
  std::vector<std::string> cc;
  std::string category;
  std::string subject;
  std::string description;
  std::optional<std::string> priority;
  std::optional<std::string> transaction_id;
  std::optional<std::string> request_id;
  // The end user an account ticket is about; for pending_account while the
  // user's KYC is PENDING, the ticket opens one week after it became so.
  std::optional<std::string> user_id;
  std::optional<std::string> org_id;   // staff only; partners open tickets in their org
  std::optional<std::string> channel;  // portal | api (default api)
  std::vector<AttachmentInput> attachments;
  // A billing or report ticket may name a statement of its org and its lines.
  std::optional<std::string> statement_id;
  std::vector<std::string> line_ids;
  // Set by mail ingest only, never from the API: the ticket came by email
  // (channel email; priority high when the message marks itself so, else
  // medium) and, for a reply by someone not on a ticket, the ticket it named
  // (follow_up_of, and a "follow_up" line in that ticket's history).
  struct ByEmail {
    bool marked_high = false;
    std::optional<std::string> reply_to_ticket_id;
  };
  std::optional<ByEmail> by_email;
};

struct TicketView {
  store::TicketRecord ticket;  // ticket.sla as of now
  std::vector<store::TicketMessage> messages;
  std::vector<store::TicketAttachment> attachments;  // metadata
  std::vector<store::TicketEvent> history;
  // The names of the members in `history` by id (filled by GetTicket).
  std::map<std::string, std::string> actor_names;
  // The linked transaction, live.
  std::optional<store::TransactionRecord> transaction;
  // The statement the ticket names and the corrections issued from it.
  std::optional<DisputedStatement> statement;
  // Fields the category asks for that the ticket lacks (core MissingRecommendedFields).
  std::vector<std::string> warnings;
};

// Opens a ticket: validated (core ValidateNewTicket), routed, prioritised,
// numbered, SLA targets set, acknowledgement queued to requester and CCs;
// urgent pages the operations managers and notifies the queue's team.
// Errors: 400 naming the field, 404 transaction_id, 422
// proof_of_claim_required / escalation_too_early.
Result<TicketView> CreateTicket(Env& env, const Actor& actor, const NewTicketInput& in);
// 404 unless the actor may see it; internal notes only for staff and EMI users.
Result<TicketView> GetTicket(Env& env, const Actor& actor, const std::string& id);

struct TicketListQuery {
  store::TicketFilter filter;
  store::PageRequest page;
  std::optional<store::TicketCursor> after;  // for filter.order == kSlaDue
};
// The visible tickets; each ticket's sla as of now.
Result<store::Page<store::TicketRecord>> ListTickets(Env& env, const Actor& actor,
                                                     const TicketListQuery& query);

struct TicketPatch {
  std::optional<std::string> priority;
  bool set_assignee = false;
  std::optional<std::string> assignee_id;  // with set_assignee: nullopt unassigns
  std::optional<std::string> status;
  std::optional<std::string> queue;
};
// Triage and lifecycle. Customers may only change the status (solve, reopen);
// priority and assignee are for staff and EMI users. Errors: 400, 403, 409
// illegal_transition / ticket_closed, 422 invalid_assignee.
Result<TicketView> PatchTicket(Env& env, const Actor& actor, const std::string& id,
                               const TicketPatch& patch);

struct NewMessageInput {
  std::string body;
  bool internal = false;
  std::vector<AttachmentInput> attachments;
};
// A public reply or an internal note. A customer's reply resumes a pending
// ticket, reopens a solved one and, on a closed one, opens a follow-up (the
// answer is then the new ticket). Returns the ticket the message landed on.
Result<TicketView> AddTicketMessage(Env& env, const Actor& actor, const std::string& ticket_id,
                                    const NewMessageInput& in);
// With the content; 404 unless the ticket is visible.
struct AttachmentContent {
  store::TicketAttachment meta;
  std::string bytes;
};
Result<AttachmentContent> GetTicketAttachment(Env& env, const Actor& actor,
                                              const std::string& ticket_id,
                                              const std::string& attachment_id);

// The sla of a stored ticket as of `now` without reading its history:
// running clocks count down from their stored due instant.
store::TicketSla LiveSla(const Env& env, const store::TicketRecord& t, Instant now);

// Partner review of a held transaction (SPEC §2.2): opens a linked ticket in
// the transaction category that an agent carries out.
struct ReviewRequestView {
  store::ReviewRequest request;
  int64_t ticket_number = 0;
  std::string ticket_status;
};
Result<ReviewRequestView> RequestTransactionReview(Env& env, const Actor& actor,
                                                   const std::string& txn_id,
                                                   const std::string& action,
                                                   const std::string& note);

// The operations team asks the owning org's partner staff to review a held
// transaction (seed 002: "SMP needs to review the transaction and request
// Inyo to either process or cancel"): opens a transaction ticket linked to it
// to the org's partner staff (its first administrator as requester, the other
// administrators as CCs; without administrators, its partner members),
// carrying the hold reason, its explanation and the next action; the request
// is recorded in the transaction's history (HOLD → HOLD, reason
// partner_review_requested). Staff only; 409 not_on_hold; 422
// no_partner_staff when the org has no partner member.
struct PartnerReviewView {
  std::string transaction_id;
  std::string ticket_id;
  int64_t ticket_number = 0;
  std::string ticket_status;
  std::string requester_email;
  std::string note;
  Instant created_at;
};
Result<PartnerReviewView> RequestPartnerReview(Env& env, const Actor& actor,
                                               const std::string& txn_id, const std::string& note);

// Inside the transaction engine's commit: a status change of a transaction
// adds an internal note to its open tickets.
Status NoteTransactionStatusChange(Env& env, store::Tx& tx, const std::string& txn_id,
                                   std::string_view from, std::string_view to,
                                   std::string_view reason, Instant now);

// Jobs, each inside the job's transaction, as of `at`.
// Warnings and breaches that became due: flags set, notifications queued.
Result<int> SweepSla(Env& env, Instant at);
// Solved tickets 7 days after solving become closed.
Result<int> AutoCloseSolvedTickets(Env& env, Instant at);
// PENDING transactions past 24 h open their EMI escalation, once.
Result<int> EscalatePendingTransactions(Env& env, Instant at);

// Monitors (SPEC §3.6), inside the caller's transaction, as of `at`.
// Opens the urgent ticket of an incident: channel monitor, category
// server_error, no org, requested by the operations address; the operations
// managers are paged and the queue's team notified.
Result<store::TicketRecord> OpenMonitorTicket(Env& env, store::Tx& tx, const std::string& subject,
                                              const std::string& description, Instant at);
enum class MonitorPage { kNone, kPageAgain, kResolve };
// Adds an internal note by the system to the ticket and, as asked, pages the
// operations managers again or resolves their page. Returns false (nothing
// written) when the ticket is solved or closed.
Result<bool> NoteMonitorTicket(Env& env, store::Tx& tx, const std::string& ticket_id,
                               const std::string& body, MonitorPage page, Instant at);

// Queue teams (who is notified for a queue, and its lead).
struct QueueView {
  std::string name;
  std::vector<store::QueueMember> members;
};
// One page of the queues in their fixed order (delivery, customer_service,
// emi); the page key is the queue's name.
Result<store::Page<QueueView>> ListQueues(Env& env, const Actor& actor,
                                          const store::PageRequest& page);
Result<QueueView> PutQueueMember(Env& env, const Actor& actor, const std::string& queue,
                                 const std::string& member_id, bool lead);
Result<QueueView> RemoveQueueMember(Env& env, const Actor& actor, const std::string& queue,
                                    const std::string& member_id);

// GET /v1/outbox: admin, sandbox only (404 otherwise).
Result<store::Page<store::OutboxMessage>> ListOutbox(Env& env, const Actor& actor,
                                                     const store::OutboxFilter& filter,
                                                     const store::PageRequest& page);

}  // namespace payops::service
