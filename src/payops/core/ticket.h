// Support desk rules (SPEC §3.1, §3.2, §3.5): categories and queues, routing
// (hypercare), priorities, category rules, the ticket lifecycle, visibility and
// the validation of a new ticket.
//
// Pure computation: no I/O, no clock reads, no threads. Every function is
// thread-safe. The store and the HTTP layer enforce these rules; the functions
// here are the oracle their tests compare against.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "payops/core/calendar.h"
#include "payops/core/clock.h"
#include "payops/core/result.h"
#include "payops/core/role.h"

namespace payops::desk {

// ---------------------------------------------------------------------------
// Categories and queues (SPEC §3.1).

// Declaration order is the SPEC's order: the six technical categories, then the
// seven EMI categories.
enum class Category : uint8_t {
  kBalance,
  kTransaction,
  kBilling,
  kReport,
  kServerError,
  kOther,
  kMissingTransaction,
  kPendingTransaction,
  kRejectedTransaction,
  kRefundedTransaction,
  kClosedAccount,
  kSuspendedAccount,
  kPendingAccount,
};
inline constexpr size_t kCategoryCount = 13;

// Every category, in declaration order.
std::span<const Category> AllCategories();
// "balance", "server_error", "missing_transaction", ... Exact, lowercase.
// Error invalid_value (field "category") for anything else.
Result<Category> ParseCategory(std::string_view text);
// The API name of `category`, e.g. "pending_account".
std::string_view CategoryName(Category category);

// What the category is for, in the words the portal shows beside it (SPEC
// §3.1), e.g. "Any 5XX response from the API." for server_error.
std::string_view CategoryDefinition(Category category);
// A short title for a picker, e.g. "Server error (5XX)".
std::string_view CategoryTitle(Category category);

// The family a category belongs to: technical support or the EMI.
enum class QueueFamily : uint8_t { kTechnical, kEmi };
// kEmi for the seven EMI categories, kTechnical for the six others.
QueueFamily CategoryFamily(Category category);
// True for the seven EMI categories.
inline bool IsEmiCategory(Category category) {
  return CategoryFamily(category) == QueueFamily::kEmi;
}

// The queue a ticket sits in. Names: "delivery", "customer_service", "emi".
enum class Queue : uint8_t { kDelivery, kCustomerService, kEmi };
// Exact name; error invalid_value (field "queue").
Result<Queue> ParseQueue(std::string_view text);
// The API name of `queue`.
std::string_view QueueName(Queue queue);

// ---------------------------------------------------------------------------
// Routing and hypercare (SPEC §3.1, §3.4).

// An org's hypercare plan (the org's `hypercare_plan`).
enum class HypercarePlan : uint8_t { kStandard, kPlus, kPro };
// "standard" | "plus" | "pro"; error invalid_value (field "hypercare_plan").
Result<HypercarePlan> ParseHypercarePlan(std::string_view text);
// "standard" | "plus" | "pro".
std::string_view HypercarePlanName(HypercarePlan plan);
// Length of the hypercare period in weeks: 2 for standard and plus, 4 for pro.
int HypercareWeeks(HypercarePlan plan);

// What routing needs to know about the ticket's org.
struct HypercareInfo {
  HypercarePlan plan = HypercarePlan::kStandard;
  calendar::Date go_live_date;  // a civil date, read in America/New_York
};
// Builds HypercareInfo from the org's stored strings ("pro", "2026-03-02").
// Errors invalid_value with field "hypercare_plan" or "go_live_date".
Result<HypercareInfo> MakeHypercareInfo(std::string_view hypercare_plan,
                                        std::string_view go_live_date);

// A half-open interval of instants [begin, end).
struct InstantRange {
  Instant begin;
  Instant end;
  bool Contains(Instant t) const { return begin <= t && t < end; }
  friend bool operator==(const InstantRange&, const InstantRange&) = default;
};
// The hypercare window: [go-live 00:00, go-live + HypercareWeeks 00:00), both
// midnights America/New_York (so the window is 14 or 28 calendar days long and
// follows daylight saving).
InstantRange HypercareWindow(const HypercareInfo& info);

// The queue of a new ticket: kEmi for EMI categories; for technical categories
// kDelivery when `created_at` lies in the org's hypercare window, otherwise
// kCustomerService. `hypercare` nullopt (no org, e.g. a monitor ticket, or no
// go-live date) means never in hypercare.
Queue Route(Category category, const std::optional<HypercareInfo>& hypercare, Instant created_at);

// ---------------------------------------------------------------------------
// Priorities, statuses, channels (SPEC §3.1, §3.2).

// Declaration order is ascending urgency: `a < b` means a is less urgent.
enum class Priority : uint8_t { kLow, kMedium, kHigh, kUrgent };
inline constexpr size_t kPriorityCount = 4;
// "urgent" | "high" | "medium" | "low"; error invalid_value (field "priority").
Result<Priority> ParsePriority(std::string_view text);
// The API name of `priority`.
std::string_view PriorityName(Priority priority);

enum class TicketStatus : uint8_t { kNew, kOpen, kPending, kSolved, kClosed };
inline constexpr size_t kTicketStatusCount = 5;
// "new" | "open" | "pending" | "solved" | "closed"; error invalid_value
// (field "status").
Result<TicketStatus> ParseTicketStatus(std::string_view text);
// The API name of `status`.
std::string_view TicketStatusName(TicketStatus status);

enum class Channel : uint8_t { kPortal, kEmail, kApi, kMonitor };
// "portal" | "email" | "api" | "monitor"; error invalid_value (field "channel").
Result<Channel> ParseChannel(std::string_view text);
// The API name of `channel`.
std::string_view ChannelName(Channel channel);

// Who performs a change, as far as the desk rules care.
enum class ActorKind : uint8_t {
  kAgent,     // staff and EMI users working a queue
  kCustomer,  // partners (requesters, CCs, org admins)
  kSystem,    // jobs: auto-close, monitors, escalations, mail ingest
};
// "agent" | "customer" | "system".
std::string_view ActorKindName(ActorKind kind);
// kSystem for Actor::System() (member_id "system"), kCustomer for partners,
// kAgent for every other role (admin, agent, ops_manager, emi).
ActorKind DeskActorKind(const Actor& actor);

// The priority a category suggests (SPEC §3.2). Never urgent (triage decides
// urgent): server_error → high; balance, transaction, report and every EMI
// category → medium; billing, other → low.
Priority DefaultPriority(Category category);

// One mail header as received; names compare case-insensitively.
using MailHeaders = std::vector<std::pair<std::string, std::string>>;
// True when an email marks itself high priority (SPEC §3.2): its subject
// contains "[High]" or "[Urgent]" (ASCII case-insensitive), or a header
// `Importance: high` (value trimmed, case-insensitive) or `X-Priority: 1` (the
// value's first token is "1", e.g. "1 (Highest)").
bool EmailMarksHighPriority(std::string_view subject, const MailHeaders& headers);

// What decides the priority of a new ticket.
struct PriorityRequest {
  Category category = Category::kOther;
  Channel channel = Channel::kPortal;
  ActorKind created_by = ActorKind::kCustomer;
  std::optional<Priority> requested;  // the request's `priority`, if any
  bool email_marked_high = false;     // EmailMarksHighPriority of the message
};
// The priority of a new ticket, first rule that applies:
// 1. `requested` by staff (created_by agent or system): it wins, urgent included;
// 2. channel email: high when email_marked_high, otherwise medium ("all tickets
//    from email start here"); a requested priority is ignored;
// 3. channel monitor: urgent (SPEC §3.6);
// 4. `requested` by a customer: taken, but capped at high (triage decides urgent);
// 5. DefaultPriority(category).
Priority InitialPriority(const PriorityRequest& request);

// Triage (PATCH priority): OK for agents and the system; Forbidden for
// customers; Conflict "ticket_closed" on a closed ticket.
Status CheckPriorityChange(ActorKind actor, TicketStatus status);

// ---------------------------------------------------------------------------
// Category rules (SPEC §3.1).

// OK unless the category requires something the ticket lacks: a
// missing_transaction ticket needs at least one attachment, the proof of claim
// (Error refused "proof_of_claim_required", field "attachments").
Status CheckCategoryRequirements(Category category, size_t attachment_count);

// The fields a category asks for but does not require, which the ticket lacks;
// the caller shows them (the portal asks, the API answers with a warning) but
// never refuses the ticket for them:
// - server_error: "request_id";
// - pending_transaction, rejected_transaction, refunded_transaction:
//   "transaction_id";
// - pending_account, suspended_account, closed_account: "user_id" (the end
//   user whose account it is).
std::vector<std::string_view> MissingRecommendedFields(Category category, bool has_request_id,
                                                       bool has_transaction_id, bool has_user_id);

// How long something must have been pending before the EMI escalation opens.
inline constexpr std::chrono::hours kPendingTransactionEscalationAfter{24};
inline constexpr std::chrono::hours kPendingAccountEscalationAfter{24 * 7};

// Whether a customer may escalate yet, and from when.
struct EscalationGate {
  bool allowed = false;  // now >= allowed_at
  Instant allowed_at;    // pending_since + threshold
  friend bool operator==(const EscalationGate&, const EscalationGate&) = default;
};
// A pending transaction may be escalated once it has been pending 24 h:
// allowed iff now >= pending_since + 24 h.
EscalationGate PendingTransactionEscalation(Instant pending_since, Instant now);
// A pending account may be escalated once it has been pending one week (168 h).
EscalationGate PendingAccountEscalation(Instant pending_since, Instant now);
// The same gate as a Status for ticket creation: for pending_transaction and
// pending_account, Error refused "escalation_too_early" (field "category", the
// message names the instant it opens) until the threshold; OK for every other
// category, and when `pending_since` is unknown (nullopt).
Status CheckEscalationThreshold(Category category, std::optional<Instant> pending_since,
                                Instant now);

// The automatic EMI escalation of a transaction left PENDING (SPEC §3.1): true
// iff it is not escalated yet and now >= pending_since + 24 h (the same
// threshold as the customer's). Opens once: already_escalated makes it false.
bool ShouldAutoEscalatePendingTransaction(Instant pending_since, Instant now,
                                          bool already_escalated);
// When the automatic escalation becomes due: pending_since + 24 h.
Instant AutoEscalationDueAt(Instant pending_since);

// ---------------------------------------------------------------------------
// Lifecycle (SPEC §3.1).

// The lifecycle as one table. A row lets `from` → `to` for the actor kinds
// whose bit is set in actors_mask (bit = 1 << ActorKind).
struct TicketTransition {
  TicketStatus from;
  TicketStatus to;
  uint8_t actors_mask;
};
// The rows:
//   new → open        agent, system
//   new → pending     agent
//   new → solved      agent, customer, system
//   open → pending    agent
//   open → solved     agent, customer, system
//   pending → open    agent, customer, system
//   pending → solved  agent, customer, system
//   solved → open     agent, customer, system   (reopen)
//   solved → closed   system                    (auto-close)
// closed is final.
std::span<const TicketTransition> TicketTransitions();

// OK when `actor` may move a ticket from `from` to `to`, and when from == to
// (no change: nothing to record). Otherwise Error conflict "illegal_transition"
// naming the current status when no row allows from → to, or forbidden when a
// row exists but not for this actor kind (e.g. a customer setting pending, an
// agent closing).
Status CheckTransition(TicketStatus from, TicketStatus to, ActorKind actor);

// What a customer's reply does to a ticket.
enum class ReplyEffect : uint8_t {
  kNone,      // new or open: recorded, status unchanged
  kResume,    // pending → open (the customer answered)
  kReopen,    // solved → open
  kFollowUp,  // closed: a new ticket linked to this one is opened instead
};
// "none" | "resume" | "reopen" | "follow_up".
std::string_view ReplyEffectName(ReplyEffect effect);
// What a customer's reply to a ticket in `status` does: new, open → none;
// pending → resume; solved → reopen; closed → follow_up.
ReplyEffect CustomerReplyEffect(TicketStatus status);

// A solved ticket closes automatically 7 days (168 h) after it was solved.
inline constexpr std::chrono::hours kAutoCloseAfter{24 * 7};
// solved_at + kAutoCloseAfter.
Instant AutoCloseDue(Instant solved_at);

// ---------------------------------------------------------------------------
// Visibility (SPEC §3.5).

// What the visibility rule reads of a ticket.
struct TicketAudience {
  std::string_view org_id;
  Queue queue = Queue::kCustomerService;
  std::string_view requester_email;
  std::span<const std::string> cc_emails;
  std::string_view assignee_id;  // member id; empty when unassigned
};

// Who is looking.
struct DeskViewer {
  Role role = Role::kPartner;
  std::string_view member_id;
  std::string_view org_id;          // a partner's org
  std::string_view verified_email;  // empty when the caller has none verified
  bool org_admin = false;           // a partner administering its org
};

// True when the viewer may see the ticket:
// - staff (admin, agent, ops_manager): every ticket;
// - EMI users: exactly the tickets in the EMI queue;
// - partners: tickets whose requester email or one of whose CCs equals their
//   verified email (ASCII case-insensitive; never with an empty email), plus,
//   for an org admin, every ticket of its own org.
bool CanViewTicket(const DeskViewer& viewer, const TicketAudience& ticket);

// Internal notes (and their attachments) are for staff alone: admin, agent,
// ops_manager. The EMI is an outside bank and reads public replies only.
bool ReadsInternalNotes(Role role);

// False for a partner looking at a ticket of another org (a CC from outside,
// as email CCs are): it sees the conversation, never the org's objects (the
// linked transaction, the end user, the org). True for everyone else.
bool SeesTicketOrgObjects(const DeskViewer& viewer, std::string_view ticket_org_id);

// GET /v1/tickets?view=
enum class TicketListView : uint8_t { kMine, kCc, kAll };
// "mine" | "cc" | "all"; error invalid_value (field "view").
Result<TicketListView> ParseTicketListView(std::string_view text);
// "mine" | "cc" | "all".
std::string_view TicketListViewName(TicketListView view);
// True when the ticket belongs in the viewer's list: CanViewTicket, and
// - mine: the requester email equals the viewer's verified email, or (staff and
//   EMI users) the ticket is assigned to the viewer;
// - cc: one of the CCs equals the viewer's verified email;
// - all: no further condition (for a partner who is not an org admin this is
//   the union of mine and cc).
bool InTicketList(const DeskViewer& viewer, const TicketAudience& ticket, TicketListView view);

// ASCII case-insensitive equality (emails).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// ---------------------------------------------------------------------------
// A new ticket.

inline constexpr size_t kMaxCcs = 50;
inline constexpr size_t kMaxRequesterNameBytes = 200;
inline constexpr size_t kMaxSubjectBytes = 200;
inline constexpr size_t kMaxDescriptionBytes = 20000;
inline constexpr size_t kMaxReferenceBytes = 128;  // transaction_id, request_id
inline constexpr size_t kMaxAttachments = 10;
inline constexpr int64_t kMaxAttachmentBytes = int64_t{10} << 20;       // 10 MiB each
inline constexpr int64_t kMaxTotalAttachmentBytes = int64_t{25} << 20;  // 25 MiB in all
inline constexpr size_t kMaxFilenameBytes = 255;

// What is known of an attachment before it is stored.
struct AttachmentMeta {
  std::string filename;      // as supplied; store SanitizeAttachmentFilename(filename)
  std::string content_type;  // media type, parameters allowed ("text/plain; charset=utf-8")
  int64_t size_bytes = 0;
};

// The media types accepted: application/pdf, image/png, image/jpeg, image/gif,
// text/plain, text/csv.
std::span<const std::string_view> AllowedAttachmentTypes();
// True when the media type of `content_type` (before any ';', trimmed, ASCII
// case-insensitive) is one of AllowedAttachmentTypes().
bool IsAllowedAttachmentType(std::string_view content_type);
// A filename safe to store and to show in a Content-Disposition header: '/',
// '\\', '"', ASCII control characters and DEL become '_'; leading '.' become
// '_' (no hidden files, never "." or ".."); cut to at most kMaxFilenameBytes
// bytes at a UTF-8 character boundary; "attachment" when nothing is left.
std::string SanitizeAttachmentFilename(std::string_view filename);

// Validates one attachment list (count, each size, total size, type, filename
// 1..255 bytes). Errors name the field, e.g. "attachments[2].content_type":
// too_many_items (count), invalid_value (empty file, filename), attachment_too_large
// and attachments_too_large (kTooLarge), unsupported_content_type.
Status ValidateAttachments(std::span<const AttachmentMeta> attachments);

// The CC list to store: each address checked with IsEmail (error invalid_email,
// field "cc[i]"), at most kMaxCcs entries as supplied (error too_many_items,
// field "cc"), duplicates and the requester's own address dropped (ASCII
// case-insensitive; the first spelling is kept), order preserved.
Result<std::vector<std::string>> NormalizeCcList(std::span<const std::string> cc,
                                                 std::string_view requester_email);

struct NewTicket {
  std::string requester_name;  // may be empty (email channel)
  std::string requester_email;
  std::vector<std::string> cc;
  Category category = Category::kOther;
  Channel channel = Channel::kPortal;
  std::string subject;
  std::string description;
  std::optional<std::string> transaction_id;
  std::optional<std::string> request_id;
  std::optional<std::string> user_id;  // the end user of an account category
  std::vector<AttachmentMeta> attachments;
};

// Checks a new ticket, in this order, the error naming the field:
// requester.email (IsEmail; missing_field when empty), requester.name (≤ 200
// bytes, no control characters), cc (NormalizeCcList), subject (1..200 bytes,
// no control characters: it becomes a mail header), description (1..20000
// bytes), transaction_id, request_id and user_id (1..128 printable ASCII bytes when
// present), attachments (ValidateAttachments), then CheckCategoryRequirements.
Status ValidateNewTicket(const NewTicket& ticket);

}  // namespace payops::desk
