// RFC 5322 / MIME messages read with GMime 3 into core's InboundMail
// (core/inbound_mail.h): headers decoded (RFC 2047), bodies decoded (base64,
// quoted-printable) and converted to UTF-8 from their charset (ISO-8859-1,
// Windows-1252, ...; undeclared 8-bit text is read as Windows-1252 when it is
// not UTF-8), the text of multipart/alternative taken from text/plain or,
// for HTML-only mail, converted from text/html, and every other leaf part an
// attachment.
#pragma once

#include <string_view>

#include "payops/core/inbound_mail.h"
#include "payops/core/result.h"

namespace payops::adapters {

// Parses one message (an mbox "From " first line is skipped). Errors, all
// kInvalid: "empty_message"; "message_too_large" past mail::kMaxMessageBytes;
// "malformed_mime" for what the parser reports as critical (a multipart
// without a boundary, conflicting headers, a part with neither headers nor
// content, nesting past its limit) and for more than mail::kMaxMimeParts parts
// or mail::kMaxMimeDepth levels. Thread-safe.
Result<mail::InboundMail> ParseMimeMessage(std::string_view raw);

// Frees GMime's global state (charset and iconv caches). Call once at exit,
// after the last ParseMimeMessage; a no-op when nothing was parsed.
void ShutdownMime();

}  // namespace payops::adapters
