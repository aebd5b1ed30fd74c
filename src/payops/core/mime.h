// Outbound MIME messages (RFC 5322, 2045–2047), built as bytes ready for
// SMTP: CRLF line ends, header values folded, non-ASCII header text as
// RFC 2047 encoded words, bodies as base64 UTF-8 parts of one
// multipart/alternative. Nothing a caller passes can add a header: CR, LF
// and other control characters in names and subjects become spaces before
// they reach one, and addresses must be plain addr-specs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "payops/core/clock.h"
#include "payops/core/result.h"

namespace payops::mail {

struct Mailbox {
  std::string name;     // display name, may be empty
  std::string address;  // local@domain
};

// "Name <local@domain>", "\"Name, Inc.\" <local@domain>" or "local@domain".
// kInvalid "invalid_address" otherwise.
Result<Mailbox> ParseMailbox(std::string_view text);
// The part after the last '@' (lowercase), or "".
std::string DomainOf(std::string_view address);

// The text on one line: every control character (CR, LF, TAB, ...) becomes a
// space, runs of spaces become one, ends trimmed.
std::string OneLine(std::string_view text);
// An unstructured header value (Subject): OneLine, then plain folded ASCII
// when the text is printable ASCII, else RFC 2047 "=?UTF-8?B?...?=" words of
// at most 75 characters that never split a UTF-8 sequence, folded with
// CRLF SP. `name_len` is the length of "Name: " already on the first line.
std::string EncodeUnstructured(std::string_view text, size_t name_len);
// A mailbox for From, To, Reply-To: the display name as an atom, a quoted
// string or encoded words. kInvalid when the address is not a plain addr-spec.
Result<std::string> FormatMailbox(const Mailbox& m);
// "Mon, 07 Jan 2030 13:00:00 +0000".
std::string FormatRfc5322Date(Instant t);
// Standard base64 in lines of 76 characters, each ended by CRLF.
std::string Base64Lines(std::string_view data);

// A file sent with the message: a base64 part of a multipart/mixed body,
// "Content-Disposition: attachment". The name is [A-Za-z0-9._-], 1..100
// characters, the type "type/subtype" of the same characters.
struct MimeAttachment {
  std::string filename;
  std::string content_type;
  std::string data;
};

struct MimeMail {
  Mailbox from;
  std::vector<Mailbox> to;
  std::optional<Mailbox> reply_to;
  std::string subject;
  std::string message_id;                // "<...>"
  std::vector<std::string> in_reply_to;  // "<...>" each
  std::vector<std::string> references;
  Instant date;
  std::string auto_submitted;  // "" (a person wrote it), "auto-replied", "auto-generated"
  std::string text;            // UTF-8
  std::string html;            // UTF-8; empty: a text/plain message alone
  std::string boundary_seed;   // [A-Za-z0-9_] text that makes the boundary unique
  std::vector<MimeAttachment> attachments;
};

inline constexpr size_t kMaxRecipients = 100;

inline constexpr size_t kMaxAttachments = 10;

// The whole message. kInvalid on a bad address, message id or boundary seed,
// no recipient or more than kMaxRecipients, a bad attachment name or type or
// more than kMaxAttachments. With attachments the body is multipart/mixed:
// the text (or the text/HTML alternative) first, then each file.
Result<std::string> BuildMime(const MimeMail& m);

}  // namespace payops::mail
