// Inbound email (SPEC §3.1, §3.2, §4 "Email"): one received message becomes a
// new ticket or a customer reply on the ticket it names, in one store
// transaction; mail loops (auto-replies, bulk and list mail, bounces, our own
// mail) open nothing.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "payops/core/inbound_mail.h"
#include "payops/service/env.h"

namespace payops::service {

inline constexpr size_t kMaxMailAddressCategories = 100;

struct MailIngestSettings {
  // The domain of the Message-IDs payops generates (mail::OurMailDomain).
  std::string our_domain = "payops.invalid";
  // Our own addresses, lowercase: the configured sender and every address of
  // `address_categories`. Never a ticket's CC; mail from them is a loop.
  std::vector<std::string> our_addresses;
  // [mail.addresses]: recipient address (lowercase) → ticket category.
  std::vector<std::pair<std::string, std::string>> address_categories;
};

enum class MailOutcome {
  kCreated,  // a new ticket (a follow-up of a closed one, or a stranger's reply, included)
  kReplied,  // a customer reply on an existing ticket
  kIgnored,  // a mail loop or a message applied before: nothing changed
};

struct MailIngestResult {
  MailOutcome outcome = MailOutcome::kIgnored;
  std::string ticket_id;  // created or replied to; for a duplicate, where it went
  int64_t ticket_number = 0;
  // kCreated: the ticket the message replied to (closed, or the sender is not
  // on it); kReplied: unused.
  int64_t replied_to_number = 0;
  bool reopened = false;       // kReplied: the ticket was solved and is open again
  bool follow_up = false;      // kCreated: the ticket replied to was closed
  std::string ignored_reason;  // kIgnored: "auto-submitted", "bounce", ...
};

// One line for standard output: "ticket 1042 created", "reply added to 1037",
// "reply added to 1037 (reopened)", "ticket 1043 created (follow-up of closed
// 1037)", "ticket 1044 created (reply to 1037 by someone not on it)",
// "ignored: auto-submitted", "ignored: already received (ticket 1042)".
std::string DescribeMailIngest(const MailIngestResult& result);

// Applies one parsed message:
// - a mail loop (mail::LoopReason) is ignored;
// - a message with the same sender and Message-ID as one applied before is
//   ignored (the mail server delivered it twice);
// - a reply — In-Reply-To / References naming a Message-ID of ours, else
//   "[#number]" in the subject, naming an existing ticket — from the
//   requester or a CC (ASCII case-insensitive) is added to that ticket as the
//   customer's reply (AddTicketMessage: a pending ticket resumes, a solved
//   one reopens, a closed one gets a follow-up ticket), its text without the
//   quoted earlier messages and the signature (mail::NewTextOfReply); from anybody else it
//   opens a new ticket that follows up the one named;
// - anything else opens a ticket: channel email, priority high when the
//   message marks itself so (desk::EmailMarksHighPriority) else medium,
//   category from the first envelope recipient in `address_categories`, else
//   from the first To or Cc recipient there (else other),
//   the org whose domain is the sender's, the other recipients that are not
//   ours (nor envelope recipients) as CCs (at most 50), the kept attachments
//   (mail::ChooseAttachments; the others are listed at the end of the text).
// Errors: kInvalid "no_from" / "invalid_from" for a message without a usable
// sender; the store's errors (kUnavailable when it cannot be reached).
Result<MailIngestResult> IngestMail(Env& env, const MailIngestSettings& settings,
                                    const mail::InboundMail& mail);

}  // namespace payops::service
