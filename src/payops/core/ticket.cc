#include "payops/core/ticket.h"

#include <algorithm>
#include <array>
#include <string>

#include "payops/core/validate.h"

namespace payops::desk {

namespace {

// Looks `text` up in a name table indexed by enum value.
template <class E, size_t N>
std::optional<E> Lookup(const std::array<std::string_view, N>& names, std::string_view text) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

// "a", "b" or "c" for an error message.
template <size_t N>
std::string Alternatives(const std::array<std::string_view, N>& names) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i > 0) out += i + 1 == N ? " or " : ", ";
    out += names[i];
  }
  return out;
}

template <class E, size_t N>
Result<E> ParseName(const std::array<std::string_view, N>& names, std::string_view text,
                    const char* field) {
  if (std::optional<E> v = Lookup<E>(names, text)) return *v;
  return Error::Invalid("invalid_value", std::string(field) + " must be " + Alternatives(names),
                        field);
}

constexpr std::array<std::string_view, kCategoryCount> kCategoryNames = {
    "balance",
    "transaction",
    "billing",
    "report",
    "server_error",
    "other",
    "missing_transaction",
    "pending_transaction",
    "rejected_transaction",
    "refunded_transaction",
    "closed_account",
    "suspended_account",
    "pending_account",
};

constexpr std::array<Category, kCategoryCount> kAllCategories = {
    Category::kBalance,
    Category::kTransaction,
    Category::kBilling,
    Category::kReport,
    Category::kServerError,
    Category::kOther,
    Category::kMissingTransaction,
    Category::kPendingTransaction,
    Category::kRejectedTransaction,
    Category::kRefundedTransaction,
    Category::kClosedAccount,
    Category::kSuspendedAccount,
    Category::kPendingAccount,
};

// The default priority of each category, indexed by Category.
constexpr std::array<Priority, kCategoryCount> kDefaultPriority = {
    Priority::kMedium,  // balance: records disagree, a data issue
    Priority::kMedium,  // transaction
    Priority::kLow,     // billing
    Priority::kMedium,  // report
    Priority::kHigh,    // server_error
    Priority::kLow,     // other: information requests
    Priority::kMedium,  // missing_transaction
    Priority::kMedium,  // pending_transaction
    Priority::kMedium,  // rejected_transaction
    Priority::kMedium,  // refunded_transaction
    Priority::kMedium,  // closed_account
    Priority::kMedium,  // suspended_account
    Priority::kMedium,  // pending_account
};

struct CategoryText {
  std::string_view title;
  std::string_view definition;
};
constexpr std::array<CategoryText, kCategoryCount> kCategoryTexts = {{
    {"Balance", "The account balance does not match the records."},
    {"Transaction", "An API call succeeded but the function did not work."},
    {"Billing", "Challenge the volume or the amount invoiced."},
    {"Report", "A discrepancy between the volumes and amounts in the records."},
    {"Server error (5XX)", "Any 5XX response from the API: give the request id of the call."},
    {"Other", "Anything else: questions, information, documentation."},
    {"Missing transaction",
     "A transaction the user made is not in the records: a proof of claim (bank statement, "
     "receipt or screenshot with the date, amount and reference) is required."},
    {"Pending transaction",
     "A transaction has stayed pending: escalated to the EMI once pending 24 hours."},
    {"Rejected transaction", "A transaction was cancelled by the ODFI or the RDFI."},
    {"Refunded transaction", "A transaction was returned by the RDFI."},
    {"Closed account", "The user's bank account is reported closed."},
    {"Suspended account", "The user's account is suspended."},
    {"Pending account",
     "The user's verification is still pending: escalated to the EMI once pending one week."},
}};

constexpr std::array<std::string_view, 3> kQueueNames = {"delivery", "customer_service", "emi"};
constexpr std::array<std::string_view, 3> kHypercarePlanNames = {"standard", "plus", "pro"};
constexpr std::array<std::string_view, kPriorityCount> kPriorityNames = {"low", "medium", "high",
                                                                         "urgent"};
constexpr std::array<std::string_view, kTicketStatusCount> kStatusNames = {"new", "open", "pending",
                                                                           "solved", "closed"};
constexpr std::array<std::string_view, 4> kChannelNames = {"portal", "email", "api", "monitor"};
constexpr std::array<std::string_view, 3> kActorKindNames = {"agent", "customer", "system"};
constexpr std::array<std::string_view, 4> kReplyEffectNames = {"none", "resume", "reopen",
                                                               "follow_up"};
constexpr std::array<std::string_view, 3> kListViewNames = {"mine", "cc", "all"};

constexpr uint8_t Bit(ActorKind kind) {
  return static_cast<uint8_t>(1u << static_cast<int>(kind));
}
constexpr uint8_t kAgentBit = Bit(ActorKind::kAgent);
constexpr uint8_t kCustomerBit = Bit(ActorKind::kCustomer);
constexpr uint8_t kSystemBit = Bit(ActorKind::kSystem);

using S = TicketStatus;
// The lifecycle (SPEC §3.1): the only table of it.
constexpr std::array<TicketTransition, 9> kTransitions = {{
    {S::kNew, S::kOpen, kAgentBit | kSystemBit},
    {S::kNew, S::kPending, kAgentBit},
    {S::kNew, S::kSolved, kAgentBit | kCustomerBit | kSystemBit},
    {S::kOpen, S::kPending, kAgentBit},
    {S::kOpen, S::kSolved, kAgentBit | kCustomerBit | kSystemBit},
    {S::kPending, S::kOpen, kAgentBit | kCustomerBit | kSystemBit},
    {S::kPending, S::kSolved, kAgentBit | kCustomerBit | kSystemBit},
    {S::kSolved, S::kOpen, kAgentBit | kCustomerBit | kSystemBit},
    {S::kSolved, S::kClosed, kSystemBit},
}};

constexpr std::array<std::string_view, 6> kAllowedTypes = {
    "application/pdf", "image/png", "image/jpeg", "image/gif", "text/plain", "text/csv"};

char LowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool IsControl(unsigned char c) {
  return c < 0x20 || c == 0x7f;
}

bool HasControlChar(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return IsControl(static_cast<unsigned char>(c)); });
}

// Trims ASCII spaces and tabs at both ends.
std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True if `needle` occurs in `haystack`, ASCII case-insensitively.
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle) {
  if (needle.size() > haystack.size()) return false;
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    if (EqualsIgnoreCase(haystack.substr(i, needle.size()), needle)) return true;
  }
  return false;
}

bool IsUtf8Continuation(unsigned char c) {
  return (c & 0xC0) == 0x80;
}

std::string IndexedField(std::string_view base, size_t i, std::string_view member = {}) {
  std::string out(base);
  out += '[';
  out += std::to_string(i);
  out += ']';
  if (!member.empty()) {
    out += '.';
    out += member;
  }
  return out;
}

// 1..kMaxReferenceBytes printable ASCII bytes.
bool IsReference(std::string_view s) {
  if (s.empty() || s.size() > kMaxReferenceBytes) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

EscalationGate Gate(Instant pending_since, Instant now, std::chrono::hours threshold) {
  Instant at = pending_since + threshold;
  return EscalationGate{now >= at, at};
}

}  // namespace

// ---------------------------------------------------------------------------
// Categories and queues.

std::span<const Category> AllCategories() {
  return kAllCategories;
}

Result<Category> ParseCategory(std::string_view text) {
  return ParseName<Category>(kCategoryNames, text, "category");
}

std::string_view CategoryName(Category category) {
  return kCategoryNames[static_cast<size_t>(category)];
}

QueueFamily CategoryFamily(Category category) {
  return category >= Category::kMissingTransaction ? QueueFamily::kEmi : QueueFamily::kTechnical;
}

Result<Queue> ParseQueue(std::string_view text) {
  return ParseName<Queue>(kQueueNames, text, "queue");
}

std::string_view QueueName(Queue queue) {
  return kQueueNames[static_cast<size_t>(queue)];
}

// ---------------------------------------------------------------------------
// Routing.

Result<HypercarePlan> ParseHypercarePlan(std::string_view text) {
  return ParseName<HypercarePlan>(kHypercarePlanNames, text, "hypercare_plan");
}

std::string_view HypercarePlanName(HypercarePlan plan) {
  return kHypercarePlanNames[static_cast<size_t>(plan)];
}

int HypercareWeeks(HypercarePlan plan) {
  return plan == HypercarePlan::kPro ? 4 : 2;
}

Result<HypercareInfo> MakeHypercareInfo(std::string_view hypercare_plan,
                                        std::string_view go_live_date) {
  PAYOPS_ASSIGN_OR_RETURN(HypercarePlan plan, ParseHypercarePlan(hypercare_plan));
  Result<calendar::Date> date = calendar::ParseDate(go_live_date);
  if (!date.ok()) {
    return Error::Invalid("invalid_value", "go_live_date must be YYYY-MM-DD", "go_live_date");
  }
  return HypercareInfo{plan, *date};
}

InstantRange HypercareWindow(const HypercareInfo& info) {
  const calendar::Zone zone = calendar::Zone::NewYork();
  const calendar::Date end_date =
      info.go_live_date + std::chrono::days{7 * HypercareWeeks(info.plan)};
  return InstantRange{calendar::LocalToInstant(zone, info.go_live_date, Micros{0}),
                      calendar::LocalToInstant(zone, end_date, Micros{0})};
}

Queue Route(Category category, const std::optional<HypercareInfo>& hypercare, Instant created_at) {
  if (IsEmiCategory(category)) return Queue::kEmi;
  if (hypercare.has_value() && HypercareWindow(*hypercare).Contains(created_at)) {
    return Queue::kDelivery;
  }
  return Queue::kCustomerService;
}

// ---------------------------------------------------------------------------
// Priorities, statuses, channels.

Result<Priority> ParsePriority(std::string_view text) {
  return ParseName<Priority>(kPriorityNames, text, "priority");
}
std::string_view PriorityName(Priority priority) {
  return kPriorityNames[static_cast<size_t>(priority)];
}

Result<TicketStatus> ParseTicketStatus(std::string_view text) {
  return ParseName<TicketStatus>(kStatusNames, text, "status");
}
std::string_view TicketStatusName(TicketStatus status) {
  return kStatusNames[static_cast<size_t>(status)];
}

Result<Channel> ParseChannel(std::string_view text) {
  return ParseName<Channel>(kChannelNames, text, "channel");
}
std::string_view ChannelName(Channel channel) {
  return kChannelNames[static_cast<size_t>(channel)];
}

std::string_view ActorKindName(ActorKind kind) {
  return kActorKindNames[static_cast<size_t>(kind)];
}

bool ReadsInternalNotes(Role role) {
  return IsStaff(role);
}

bool SeesTicketOrgObjects(const DeskViewer& viewer, std::string_view ticket_org_id) {
  if (viewer.role != Role::kPartner) return true;
  return !viewer.org_id.empty() && viewer.org_id == ticket_org_id;
}

ActorKind DeskActorKind(const Actor& actor) {
  if (actor.member_id == "system") return ActorKind::kSystem;
  if (actor.role == Role::kPartner) return ActorKind::kCustomer;
  return ActorKind::kAgent;
}

std::string_view CategoryDefinition(Category category) {
  return kCategoryTexts[static_cast<size_t>(category)].definition;
}

std::string_view CategoryTitle(Category category) {
  return kCategoryTexts[static_cast<size_t>(category)].title;
}

Priority DefaultPriority(Category category) {
  return kDefaultPriority[static_cast<size_t>(category)];
}

bool EmailMarksHighPriority(std::string_view subject, const MailHeaders& headers) {
  if (ContainsIgnoreCase(subject, "[high]") || ContainsIgnoreCase(subject, "[urgent]")) return true;
  for (const auto& [name, raw_value] : headers) {
    std::string_view value = Trim(raw_value);
    if (EqualsIgnoreCase(Trim(name), "importance") && EqualsIgnoreCase(value, "high")) return true;
    if (EqualsIgnoreCase(Trim(name), "x-priority")) {
      size_t end = value.find_first_of(" \t(");
      if (value.substr(0, end) == "1") return true;
    }
  }
  return false;
}

Priority InitialPriority(const PriorityRequest& request) {
  if (request.requested.has_value() && request.created_by != ActorKind::kCustomer) {
    return *request.requested;
  }
  if (request.channel == Channel::kEmail) {
    return request.email_marked_high ? Priority::kHigh : Priority::kMedium;
  }
  if (request.channel == Channel::kMonitor) return Priority::kUrgent;
  if (request.requested.has_value()) return std::min(*request.requested, Priority::kHigh);
  return DefaultPriority(request.category);
}

Status CheckPriorityChange(ActorKind actor, TicketStatus status) {
  if (actor == ActorKind::kCustomer) {
    return Error::Forbidden("only the desk's agents set a ticket's priority");
  }
  if (status == TicketStatus::kClosed) {
    return Error::Conflict("ticket_closed", "the ticket is closed; its priority cannot change");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// Category rules.

Status CheckCategoryRequirements(Category category, size_t attachment_count) {
  if (category == Category::kMissingTransaction && attachment_count == 0) {
    return Error::Refused("proof_of_claim_required",
                          "a missing_transaction ticket needs the proof of claim as an attachment",
                          "attachments");
  }
  return Status::Ok();
}

std::vector<std::string_view> MissingRecommendedFields(Category category, bool has_request_id,
                                                       bool has_transaction_id, bool has_user_id) {
  std::vector<std::string_view> out;
  if (category == Category::kServerError && !has_request_id) out.push_back("request_id");
  if ((category == Category::kPendingTransaction || category == Category::kRejectedTransaction ||
       category == Category::kRefundedTransaction) &&
      !has_transaction_id) {
    out.push_back("transaction_id");
  }
  if ((category == Category::kPendingAccount || category == Category::kSuspendedAccount ||
       category == Category::kClosedAccount) &&
      !has_user_id) {
    out.push_back("user_id");
  }
  return out;
}

EscalationGate PendingTransactionEscalation(Instant pending_since, Instant now) {
  return Gate(pending_since, now, kPendingTransactionEscalationAfter);
}

EscalationGate PendingAccountEscalation(Instant pending_since, Instant now) {
  return Gate(pending_since, now, kPendingAccountEscalationAfter);
}

Status CheckEscalationThreshold(Category category, std::optional<Instant> pending_since,
                                Instant now) {
  if (!pending_since.has_value()) return Status::Ok();
  EscalationGate gate;
  const char* what = nullptr;
  if (category == Category::kPendingTransaction) {
    gate = PendingTransactionEscalation(*pending_since, now);
    what = "a transaction can be escalated once it has been pending 24 hours";
  } else if (category == Category::kPendingAccount) {
    gate = PendingAccountEscalation(*pending_since, now);
    what = "an account can be escalated once it has been pending one week";
  } else {
    return Status::Ok();
  }
  if (gate.allowed) return Status::Ok();
  return Error::Refused("escalation_too_early",
                        std::string(what) + ": from " + FormatRfc3339(gate.allowed_at), "category");
}

bool ShouldAutoEscalatePendingTransaction(Instant pending_since, Instant now,
                                          bool already_escalated) {
  return !already_escalated && now >= AutoEscalationDueAt(pending_since);
}

Instant AutoEscalationDueAt(Instant pending_since) {
  return pending_since + kPendingTransactionEscalationAfter;
}

// ---------------------------------------------------------------------------
// Lifecycle.

std::span<const TicketTransition> TicketTransitions() {
  return kTransitions;
}

Status CheckTransition(TicketStatus from, TicketStatus to, ActorKind actor) {
  if (from == to) return Status::Ok();
  for (const TicketTransition& t : kTransitions) {
    if (t.from != from || t.to != to) continue;
    if ((t.actors_mask & Bit(actor)) != 0) return Status::Ok();
    return Error::Forbidden(std::string("a ") + std::string(ActorKindName(actor)) +
                            " cannot move a ticket from " + std::string(TicketStatusName(from)) +
                            " to " + std::string(TicketStatusName(to)));
  }
  return Error::Conflict("illegal_transition",
                         "the ticket is " + std::string(TicketStatusName(from)) +
                             "; it cannot become " + std::string(TicketStatusName(to)));
}

std::string_view ReplyEffectName(ReplyEffect effect) {
  return kReplyEffectNames[static_cast<size_t>(effect)];
}

ReplyEffect CustomerReplyEffect(TicketStatus status) {
  switch (status) {
    case TicketStatus::kPending:
      return ReplyEffect::kResume;
    case TicketStatus::kSolved:
      return ReplyEffect::kReopen;
    case TicketStatus::kClosed:
      return ReplyEffect::kFollowUp;
    case TicketStatus::kNew:
    case TicketStatus::kOpen:
      break;
  }
  return ReplyEffect::kNone;
}

Instant AutoCloseDue(Instant solved_at) {
  return solved_at + kAutoCloseAfter;
}

// ---------------------------------------------------------------------------
// Visibility.

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
  }
  return true;
}

namespace {

bool IsRequester(const DeskViewer& viewer, const TicketAudience& ticket) {
  return !viewer.verified_email.empty() &&
         EqualsIgnoreCase(ticket.requester_email, viewer.verified_email);
}

bool IsCc(const DeskViewer& viewer, const TicketAudience& ticket) {
  if (viewer.verified_email.empty()) return false;
  return std::any_of(ticket.cc_emails.begin(), ticket.cc_emails.end(), [&](const std::string& cc) {
    return EqualsIgnoreCase(cc, viewer.verified_email);
  });
}

}  // namespace

bool CanViewTicket(const DeskViewer& viewer, const TicketAudience& ticket) {
  switch (viewer.role) {
    case Role::kAdmin:
    case Role::kAgent:
    case Role::kOpsManager:
      return true;
    case Role::kEmi:
      return ticket.queue == Queue::kEmi;
    case Role::kPartner:
      if (viewer.org_admin && !viewer.org_id.empty() && ticket.org_id == viewer.org_id) return true;
      return IsRequester(viewer, ticket) || IsCc(viewer, ticket);
  }
  return false;
}

Result<TicketListView> ParseTicketListView(std::string_view text) {
  return ParseName<TicketListView>(kListViewNames, text, "view");
}

std::string_view TicketListViewName(TicketListView view) {
  return kListViewNames[static_cast<size_t>(view)];
}

bool InTicketList(const DeskViewer& viewer, const TicketAudience& ticket, TicketListView view) {
  if (!CanViewTicket(viewer, ticket)) return false;
  switch (view) {
    case TicketListView::kMine:
      return IsRequester(viewer, ticket) ||
             (viewer.role != Role::kPartner && !viewer.member_id.empty() &&
              ticket.assignee_id == viewer.member_id);
    case TicketListView::kCc:
      return IsCc(viewer, ticket);
    case TicketListView::kAll:
      return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// A new ticket.

std::span<const std::string_view> AllowedAttachmentTypes() {
  return kAllowedTypes;
}

bool IsAllowedAttachmentType(std::string_view content_type) {
  std::string_view media = Trim(content_type.substr(0, content_type.find(';')));
  return std::any_of(kAllowedTypes.begin(), kAllowedTypes.end(),
                     [&](std::string_view t) { return EqualsIgnoreCase(media, t); });
}

std::string SanitizeAttachmentFilename(std::string_view filename) {
  std::string out;
  out.reserve(std::min(filename.size(), kMaxFilenameBytes));
  bool leading = true;
  for (char c : filename) {
    unsigned char u = static_cast<unsigned char>(c);
    bool unsafe = c == '/' || c == '\\' || c == '"' || IsControl(u) || (leading && c == '.');
    if (c != '.') leading = false;
    out.push_back(unsafe ? '_' : c);
  }
  if (out.size() > kMaxFilenameBytes) {
    size_t cut = kMaxFilenameBytes;
    // Do not split a UTF-8 sequence: back up to the start of the cut character.
    while (cut > 0 && IsUtf8Continuation(static_cast<unsigned char>(out[cut]))) --cut;
    out.resize(cut);
  }
  if (out.empty()) out = "attachment";
  return out;
}

Status ValidateAttachments(std::span<const AttachmentMeta> attachments) {
  if (attachments.size() > kMaxAttachments) {
    return Error::Invalid("too_many_items",
                          "at most " + std::to_string(kMaxAttachments) + " attachments",
                          "attachments");
  }
  int64_t total_bytes = 0;
  for (size_t i = 0; i < attachments.size(); ++i) {
    const AttachmentMeta& a = attachments[i];
    if (a.filename.empty() || a.filename.size() > kMaxFilenameBytes) {
      return Error::Invalid("invalid_value", "an attachment's filename must be 1 to 255 bytes",
                            IndexedField("attachments", i, "filename"));
    }
    if (!IsAllowedAttachmentType(a.content_type)) {
      return Error::Invalid("unsupported_content_type",
                            "attachments must be PDF, PNG, JPEG, GIF, plain text or CSV",
                            IndexedField("attachments", i, "content_type"));
    }
    if (a.size_bytes <= 0) {
      return Error::Invalid("invalid_value", "an attachment must not be empty",
                            IndexedField("attachments", i, "size_bytes"));
    }
    if (a.size_bytes > kMaxAttachmentBytes) {
      return Error{ErrorKind::kTooLarge, "attachment_too_large",
                   "an attachment may hold at most 10 MiB",
                   IndexedField("attachments", i, "size_bytes")};
    }
    total_bytes += a.size_bytes;  // ≤ 10 × 10 MiB: no overflow
  }
  if (total_bytes > kMaxTotalAttachmentBytes) {
    return Error{ErrorKind::kTooLarge, "attachments_too_large",
                 "the attachments may hold at most 25 MiB in all", "attachments"};
  }
  return Status::Ok();
}

Result<std::vector<std::string>> NormalizeCcList(std::span<const std::string> cc,
                                                 std::string_view requester_email) {
  if (cc.size() > kMaxCcs) {
    return Error::Invalid("too_many_items", "at most " + std::to_string(kMaxCcs) + " CCs", "cc");
  }
  std::vector<std::string> out;
  out.reserve(cc.size());
  for (size_t i = 0; i < cc.size(); ++i) {
    if (!IsEmail(cc[i])) {
      return Error::Invalid("invalid_email", "a CC is not an email address", IndexedField("cc", i));
    }
    if (EqualsIgnoreCase(cc[i], requester_email)) continue;
    bool seen = std::any_of(out.begin(), out.end(),
                            [&](const std::string& kept) { return EqualsIgnoreCase(kept, cc[i]); });
    if (!seen) out.push_back(cc[i]);
  }
  return out;
}

Status ValidateNewTicket(const NewTicket& ticket) {
  if (ticket.requester_email.empty()) {
    return Error::Invalid("missing_field", "requester.email is required", "requester.email");
  }
  if (!IsEmail(ticket.requester_email)) {
    return Error::Invalid("invalid_email", "requester.email is not an email address",
                          "requester.email");
  }
  if (ticket.requester_name.size() > kMaxRequesterNameBytes ||
      HasControlChar(ticket.requester_name)) {
    return Error::Invalid("invalid_value",
                          "requester.name must be at most 200 bytes without control characters",
                          "requester.name");
  }
  PAYOPS_TRY(NormalizeCcList(ticket.cc, ticket.requester_email));
  if (ticket.subject.empty() || ticket.subject.size() > kMaxSubjectBytes ||
      HasControlChar(ticket.subject)) {
    return Error::Invalid("invalid_value",
                          "subject must be 1 to 200 bytes without control characters", "subject");
  }
  if (ticket.description.empty() || ticket.description.size() > kMaxDescriptionBytes) {
    return Error::Invalid("invalid_value", "description must be 1 to 20000 bytes", "description");
  }
  if (ticket.transaction_id.has_value() && !IsReference(*ticket.transaction_id)) {
    return Error::Invalid("invalid_value", "transaction_id must be 1 to 128 printable ASCII bytes",
                          "transaction_id");
  }
  if (ticket.user_id.has_value() && !IsReference(*ticket.user_id)) {
    return Error::Invalid("invalid_value", "user_id must be 1 to 128 printable ASCII bytes",
                          "user_id");
  }
  if (ticket.request_id.has_value() && !IsReference(*ticket.request_id)) {
    return Error::Invalid("invalid_value", "request_id must be 1 to 128 printable ASCII bytes",
                          "request_id");
  }
  PAYOPS_TRY(ValidateAttachments(ticket.attachments));
  return CheckCategoryRequirements(ticket.category, ticket.attachments.size());
}

}  // namespace payops::desk
