// Inbound email (SPEC §3.2, §4 "Email"): a received message as payops reads
// it, and the pure rules of mail ingest — which messages are mail loops, which
// ticket a reply names, how HTML becomes text, how header text is made safe to
// store and to send again, which attachments are kept.
//
// Pure computation: no I/O, no clock reads, no threads. The MIME parsing that
// fills InboundMail lives in adapters/mime_parser.h.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace payops::mail {

// The largest message `payops mail-ingest` accepts (read from standard input).
inline constexpr size_t kMaxMessageBytes = size_t{25} << 20;
// MIME structure limits: parts in all, nesting depth.
inline constexpr size_t kMaxMimeParts = 200;
inline constexpr int kMaxMimeDepth = 16;
// To and Cc addresses read from one message.
inline constexpr size_t kMaxInboundRecipients = 200;
// Message-IDs read from In-Reply-To and References together.
inline constexpr size_t kMaxThreadIds = 100;
// Bytes of any one header value kept (subject and names are cut further).
inline constexpr size_t kMaxHeaderBytes = 4096;
// Envelope recipients the mail server may name for one message (--recipient).
inline constexpr size_t kMaxEnvelopeRecipients = 50;
// How long a received message's key is kept to recognise a second delivery
// of it. Mail servers give up retrying long before (Postfix: 5 days).
inline constexpr std::chrono::hours kReceivedMailRetention{24 * 30};

struct MailAddress {
  std::string name;     // display name, decoded (may be empty)
  std::string address;  // as written, without angle brackets
};

struct MailAttachment {
  std::string filename;      // decoded; may be empty
  std::string content_type;  // lowercase media type, e.g. "application/pdf"
  std::string bytes;         // the decoded content
};

// One received message, every text in UTF-8.
struct InboundMail {
  bool has_from = false;            // a From header was present
  std::optional<MailAddress> from;  // its first mailbox; nullopt when none could be read
  std::vector<MailAddress> to;
  std::vector<MailAddress> cc;
  std::string subject;      // decoded (RFC 2047), unfolded
  std::string message_id;   // without angle brackets; empty when absent
  std::string in_reply_to;  // raw header values
  std::string references;
  std::string auto_submitted;  // RFC 3834
  std::string precedence;
  std::string importance;
  std::string x_priority;
  std::string x_autoreply;   // X-Autoreply or X-Autorespond, older vacation programs
  std::string content_type;  // the top-level media type, lowercase: "multipart/report"
  std::optional<std::string> return_path;  // present only when the header was
  std::string text;                        // the body as plain text (HTML-only mail converted)
  std::vector<MailAttachment> attachments;
  // The envelope recipients the mail server delivered the message to (its
  // RCPT TO, Postfix's ${recipient}), not read from the message: they choose
  // the category before To and Cc, and are never a ticket's CCs.
  std::vector<std::string> envelope_recipients;
};

// Why a message is a mail loop that must open no ticket and send no
// acknowledgement, or nullopt for a message from a person; the first that
// applies:
// - "bounce": a multipart/report (delivery and disposition notifications),
//   an empty return path "<>", or a From of MAILER-DAEMON;
// - "sent from our own address": its From is one of `our_addresses`
//   (lowercase);
// - "auto-submitted": Auto-Submitted other than "no" (RFC 3834), or an
//   X-Autoreply / X-Autorespond header (vacation programs);
// - "precedence: bulk" | "precedence: junk" | "precedence: list";
// - "our own message": its Message-ID is one payops generated for `our_domain`.
std::optional<std::string> LoopReason(const InboundMail& mail, std::string_view our_domain,
                                      std::span<const std::string> our_addresses);

// The first "[#NUMBER]" in a subject (1 to 18 digits), or nullopt.
std::optional<int64_t> TicketNumberInSubject(std::string_view subject);

// The ticket ids named by the message's In-Reply-To and References that are
// Message-IDs payops generated for `our_domain` (core/mail_ids.h): In-Reply-To
// first, then References from the last (the most recent) to the first; each
// once, at most kMaxThreadIds ids read.
std::vector<std::string> OurTicketIdsIn(const InboundMail& mail, std::string_view our_domain);

// The domain payops writes into its Message-IDs: the domain of the configured
// sender address ("Desk <support@example.com>" or "support@example.com"),
// else the host of the public URL ("https://desk.example.com:8443/x" →
// "desk.example.com"), else "payops.invalid". Lowercase.
std::string OurMailDomain(std::string_view smtp_from, std::string_view public_url);
// The address inside "Name <addr>" or the text itself, trimmed.
std::string_view AddressOf(std::string_view from);
// The part after the last '@', or "" when there is none.
std::string_view DomainPartOf(std::string_view address);
// ASCII lowercase.
std::string LowerAscii(std::string_view s);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD.
std::string ValidUtf8(std::string_view s);
// At most `max_bytes` bytes of valid UTF-8 `s`, cut at a character boundary.
std::string_view CutUtf8(std::string_view s, size_t max_bytes);
// A header value made safe to store and to write into a mail header again:
// valid UTF-8; CR, LF, tabs and every other control character become spaces
// (no header injection); runs of spaces collapse; trimmed; cut to `max_bytes`.
std::string HeaderText(std::string_view s, size_t max_bytes);
// A body made safe to store: valid UTF-8, CRLF and lone CR become LF, control
// characters other than LF and tab are dropped, trailing blank lines trimmed.
std::string BodyText(std::string_view s);

// What a reply adds to the conversation: `text` (BodyText) without what it
// repeats and without the sender's signature. Cut, in this order:
// - from the first signature delimiter line ("-- ", or "--") that is not in a
//   quote;
// - from an Outlook-style separator ("-----Original Message-----", or a line
//   of underscores followed by "From:") that is not in a quote;
// - the trailing block of quoted lines (">" first) and blank lines, with the
//   attribution line(s) just before it ("On <date>, <name> wrote:", also the
//   German, French and Spanish forms, wrapped over up to 3 lines).
// Quoted lines followed by the sender's own text (an inline or bottom-posted
// answer) are kept. When nothing would be left, `text` is returned whole.
struct ReplyText {
  std::string text;
  bool cut = false;  // something was left out
};
ReplyText NewTextOfReply(std::string_view text);

// Readable text from HTML: tags stripped; <script>, <style>, <head> and
// comments dropped; entities decoded (the common named ones, decimal and hex);
// runs of white space collapsed as a browser does, except inside <pre>; line
// breaks for <br> and block elements (p, div, h1–h6, li, tr, ...), "- "
// before list items, at most one blank line in a row; the lines inside
// <blockquote> start with ">" per level (so that NewTextOfReply sees an HTML
// reply's quote as it sees a text one) and <hr> is a line of underscores (as
// Outlook writes its reply separator in text). At most
// `max_output_bytes` bytes are produced.
std::string HtmlToText(std::string_view html, size_t max_output_bytes = size_t{1} << 20);

// Which attachments of a message the ticket keeps, under the API's limits
// (core/ticket.h): allowed media types, at most kMaxAttachments, each at most
// kMaxAttachmentBytes, kMaxTotalAttachmentBytes in all, in message order.
struct AttachmentChoice {
  std::vector<size_t> kept;        // indexes into the message's attachments
  std::vector<std::string> notes;  // one line per attachment left out, with why
};
AttachmentChoice ChooseAttachments(std::span<const MailAttachment> attachments);

}  // namespace payops::mail
