#include "payops/service/mail_ingest.h"

#include <sodium.h>

#include <algorithm>

#include "payops/core/ticket.h"
#include "payops/core/validate.h"
#include "payops/service/tickets.h"
#include "payops/store/orgs.h"
#include "payops/store/received_mail.h"
#include "payops/store/tickets.h"

namespace payops::service {
namespace {

using mail::InboundMail;

constexpr std::string_view kNoText = "(no text)";
constexpr std::string_view kNoSubject = "(no subject)";
constexpr std::string_view kCutNote = "\n[\xE2\x80\xA6 the rest of the message was cut]";

struct Sender {
  std::string name;  // may be empty
  std::string address;
  std::string address_lc;
};

Result<Sender> SenderOf(const InboundMail& mail) {
  if (!mail.has_from) return Error::Invalid("no_from", "the message has no From header", "from");
  if (!mail.from || !IsEmail(mail.from->address)) {
    return Error::Invalid("invalid_from", "the message's From is not an email address", "from");
  }
  return Sender{mail::HeaderText(mail.from->name, desk::kMaxRequesterNameBytes), mail.from->address,
                ToLowerAscii(mail.from->address)};
}

// The sender as the desk sees a customer: a partner whose verified address is
// the From address (so it sees the tickets it is requester or CC of), in the
// org of its email domain.
Actor SenderActor(const Sender& s, std::optional<std::string> org_id) {
  Actor a;
  a.member_id = "mail:" + s.address_lc;
  a.role = Role::kPartner;
  a.org_id = std::move(org_id);
  a.name = s.name.empty() ? s.address : s.name;
  a.email = s.address;
  a.org_admin = false;
  return a;
}

std::string Base64(std::string_view bytes) {
  const size_t len = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), len, reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(len - 1);  // the terminating NUL
  return out;
}

// The text within the desk's limit, the attachments left out listed after it.
std::string Compose(std::string_view text, const std::vector<std::string>& notes,
                    size_t max_bytes) {
  std::string tail;
  if (!notes.empty()) {
    tail = "\n\n[Attachments not kept:";
    for (const std::string& n : notes) tail += "\n- " + n;
    tail += "]";
    tail = std::string(mail::CutUtf8(tail, max_bytes / 4));
  }
  std::string body(text.empty() ? kNoText : text);
  if (body.size() + tail.size() > max_bytes) {
    body = std::string(mail::CutUtf8(body, max_bytes - tail.size() - kCutNote.size())) +
           std::string(kCutNote);
  }
  return body + tail;
}

std::vector<AttachmentInput> Attachments(const InboundMail& mail,
                                         const mail::AttachmentChoice& choice) {
  std::vector<AttachmentInput> out;
  for (size_t i : choice.kept) {
    const mail::MailAttachment& a = mail.attachments[i];
    std::string name = mail::HeaderText(a.filename, desk::kMaxFilenameBytes);
    out.push_back(
        AttachmentInput{name.empty() ? "attachment" : name, a.content_type, Base64(a.bytes)});
  }
  return out;
}

bool IsEnvelopeRecipient(const InboundMail& mail, std::string_view address_lc) {
  return std::any_of(mail.envelope_recipients.begin(), mail.envelope_recipients.end(),
                     [&](const std::string& r) { return ToLowerAscii(r) == address_lc; });
}

bool IsOurs(const MailIngestSettings& settings, const InboundMail& mail,
            std::string_view address_lc) {
  if (mail::DomainPartOf(address_lc) == settings.our_domain) return true;
  if (IsEnvelopeRecipient(mail, address_lc)) return true;
  if (std::find(settings.our_addresses.begin(), settings.our_addresses.end(), address_lc) !=
      settings.our_addresses.end()) {
    return true;
  }
  return std::any_of(settings.address_categories.begin(), settings.address_categories.end(),
                     [&](const auto& e) { return e.first == address_lc; });
}

// Every recipient other than us and the sender, each once, at most kMaxCcs.
std::vector<std::string> CcsOf(const MailIngestSettings& settings, const InboundMail& mail,
                               const Sender& sender) {
  std::vector<std::string> out, seen;
  for (const auto* list : {&mail.to, &mail.cc}) {
    for (const mail::MailAddress& r : *list) {
      if (out.size() >= desk::kMaxCcs) return out;
      std::string lc = ToLowerAscii(r.address);
      if (!IsEmail(r.address) || lc == sender.address_lc || IsOurs(settings, mail, lc)) continue;
      if (std::find(seen.begin(), seen.end(), lc) != seen.end()) continue;
      seen.push_back(lc);
      out.push_back(r.address);
    }
  }
  return out;
}

// The category of the first envelope recipient listed in [mail.addresses],
// else of the first To or Cc recipient listed there, else other.
std::string CategoryOf(const MailIngestSettings& settings, const InboundMail& mail) {
  for (const std::string& r : mail.envelope_recipients) {
    std::string lc = ToLowerAscii(r);
    for (const auto& [address, category] : settings.address_categories) {
      if (address == lc) return category;
    }
  }
  for (const auto* list : {&mail.to, &mail.cc}) {
    for (const mail::MailAddress& r : *list) {
      std::string lc = ToLowerAscii(r.address);
      for (const auto& [address, category] : settings.address_categories) {
        if (address == lc) return category;
      }
    }
  }
  return std::string(desk::CategoryName(desk::Category::kOther));
}

bool OnTicket(const store::TicketRecord& t, std::string_view address) {
  if (desk::EqualsIgnoreCase(t.requester_email, address)) return true;
  return std::any_of(t.cc.begin(), t.cc.end(),
                     [&](const std::string& cc) { return desk::EqualsIgnoreCase(cc, address); });
}

// The ticket a reply names: a Message-ID of ours in In-Reply-To or
// References, else "[#number]" in the subject; nullopt when none exists.
Result<std::optional<store::TicketRecord>> RepliedTicket(store::Tx& tx,
                                                         const MailIngestSettings& settings,
                                                         const InboundMail& mail) {
  for (const std::string& id : mail::OurTicketIdsIn(mail, settings.our_domain)) {
    PAYOPS_ASSIGN_OR_RETURN(auto t, store::FindTicketById(tx, id));
    if (t) return t;
  }
  if (auto number = mail::TicketNumberInSubject(mail.subject)) {
    return store::FindTicketByNumber(tx, *number);
  }
  return std::optional<store::TicketRecord>();
}

}  // namespace

std::string DescribeMailIngest(const MailIngestResult& r) {
  const std::string number = std::to_string(r.ticket_number);
  switch (r.outcome) {
    case MailOutcome::kCreated:
      if (r.follow_up) {
        return "ticket " + number + " created (follow-up of closed " +
               std::to_string(r.replied_to_number) + ")";
      }
      if (r.replied_to_number != 0) {
        return "ticket " + number + " created (reply to " + std::to_string(r.replied_to_number) +
               " by someone not on it)";
      }
      return "ticket " + number + " created";
    case MailOutcome::kReplied:
      return "reply added to " + number + (r.reopened ? " (reopened)" : "");
    case MailOutcome::kIgnored:
      if (r.ticket_number != 0) return "ignored: " + r.ignored_reason + " (ticket " + number + ")";
      return "ignored: " + r.ignored_reason;
  }
  return "ignored";
}

Result<MailIngestResult> IngestMail(Env& env, const MailIngestSettings& settings,
                                    const InboundMail& mail) {
  if (auto loop = mail::LoopReason(mail, settings.our_domain, settings.our_addresses)) {
    MailIngestResult r;
    r.ignored_reason = *loop;
    return r;
  }
  PAYOPS_ASSIGN_OR_RETURN(Sender sender, SenderOf(mail));
  std::string subject = mail::HeaderText(mail.subject, desk::kMaxSubjectBytes);
  if (subject.empty()) subject = kNoSubject;
  const mail::AttachmentChoice choice = mail::ChooseAttachments(mail.attachments);
  const std::vector<AttachmentInput> attachments = Attachments(mail, choice);
  const std::string dedupe_key =
      mail.message_id.empty() ? "" : Sha256Hex(sender.address_lc + "\n" + mail.message_id);
  const desk::MailHeaders priority_headers{{"Importance", mail.importance},
                                           {"X-Priority", mail.x_priority}};
  const bool marked_high = desk::EmailMarksHighPriority(mail.subject, priority_headers);

  MailIngestResult result;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    result = MailIngestResult{};
    if (!dedupe_key.empty()) {
      PAYOPS_ASSIGN_OR_RETURN(auto earlier, store::FindReceivedMail(tx, dedupe_key));
      if (earlier) {
        PAYOPS_ASSIGN_OR_RETURN(auto t, store::FindTicketById(tx, *earlier));
        result.ignored_reason = "already received";
        result.ticket_id = *earlier;
        result.ticket_number = t ? t->number : 0;
        return Status::Ok();
      }
    }
    PAYOPS_ASSIGN_OR_RETURN(
        auto org, store::FindOrgByDomain(tx, std::string(mail::DomainPartOf(sender.address_lc))));
    const Actor actor = SenderActor(
        sender, org ? std::optional<std::string>(org->id) : std::optional<std::string>());
    PAYOPS_ASSIGN_OR_RETURN(auto target, RepliedTicket(tx, settings, mail));
    if (target && OnTicket(*target, sender.address)) {
      // The ticket holds the conversation: the reply keeps only what it adds.
      const mail::ReplyText added = mail::NewTextOfReply(mail.text);
      NewMessageInput reply{Compose(added.text, choice.notes, kMaxMessageBytes), false,
                            attachments};
      PAYOPS_ASSIGN_OR_RETURN(TicketView v, AddTicketMessage(env, actor, target->id, reply));
      result.ticket_id = v.ticket.id;
      result.ticket_number = v.ticket.number;
      if (v.ticket.id != target->id) {
        result.outcome = MailOutcome::kCreated;
        result.follow_up = true;
        result.replied_to_number = target->number;
      } else {
        result.outcome = MailOutcome::kReplied;
        result.reopened = target->status == "solved";
      }
    } else {
      NewTicketInput in;
      in.requester_name = sender.name;
      in.requester_email = sender.address;
      in.cc = CcsOf(settings, mail, sender);
      in.category = CategoryOf(settings, mail);
      in.subject = subject;
      in.description = Compose(mail.text, choice.notes, desk::kMaxDescriptionBytes);
      in.attachments = attachments;
      in.by_email = NewTicketInput::ByEmail{marked_high, std::nullopt};
      if (target) in.by_email->reply_to_ticket_id = target->id;
      PAYOPS_ASSIGN_OR_RETURN(TicketView v, CreateTicket(env, actor, in));
      result.outcome = MailOutcome::kCreated;
      result.ticket_id = v.ticket.id;
      result.ticket_number = v.ticket.number;
      result.replied_to_number = target ? target->number : 0;
    }
    if (!dedupe_key.empty()) {
      PAYOPS_TRY(store::InsertReceivedMail(tx, dedupe_key, result.ticket_id, env.clock.Now()));
    }
    return Status::Ok();
  }));
  return result;
}

}  // namespace payops::service
