#include "payops/adapters/mime_parser.h"

#include <gmime/gmime.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>

namespace payops::adapters {
namespace {

using mail::InboundMail;
using mail::MailAddress;
using mail::MailAttachment;

std::once_flag g_init_once;
std::atomic<bool> g_initialized{false};

void InitMime() {
  std::call_once(g_init_once, [] {
    g_mime_init();
    g_initialized = true;
  });
}

// Owns one GObject reference.
template <typename T>
struct GObjectRef {
  T* p = nullptr;
  explicit GObjectRef(T* ptr) : p(ptr) {}
  GObjectRef(const GObjectRef&) = delete;
  GObjectRef& operator=(const GObjectRef&) = delete;
  ~GObjectRef() {
    if (p) g_object_unref(p);
  }
};

struct GFreeString {
  char* p;
  explicit GFreeString(char* s) : p(s) {}
  GFreeString(const GFreeString&) = delete;
  GFreeString& operator=(const GFreeString&) = delete;
  ~GFreeString() { g_free(p); }
  std::string str() const { return p ? std::string(p) : std::string(); }
};

// What the parser reported as critical (the first such finding).
struct ParserFindings {
  int critical = 0;
};

void OnParserWarning(gint64 /*offset*/, GMimeParserWarning code, const gchar* /*item*/,
                     gpointer user_data) {
  auto* findings = static_cast<ParserFindings*>(user_data);
  switch (code) {
    case GMIME_CRIT_INVALID_HEADER_NAME:
    case GMIME_CRIT_CONFLICTING_HEADER:
    case GMIME_CRIT_CONFLICTING_PARAMETER:
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
    case GMIME_CRIT_NESTING_OVERFLOW:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      if (findings->critical == 0) findings->critical = static_cast<int>(code);
      break;
    default:
      break;
  }
}

std::string_view CriticalName(int code) {
  switch (code) {
    case GMIME_CRIT_INVALID_HEADER_NAME:
      return "an invalid header name";
    case GMIME_CRIT_CONFLICTING_HEADER:
      return "conflicting headers";
    case GMIME_CRIT_CONFLICTING_PARAMETER:
      return "conflicting header parameters";
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
      return "a multipart without a boundary";
    case GMIME_CRIT_NESTING_OVERFLOW:
      return "MIME parts nested too deep";
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
      return "a MIME part with neither headers nor content";
    default:
      return "a critical MIME error";
  }
}

Error Malformed(std::string why) {
  return Error::Invalid("malformed_mime", "malformed MIME: " + std::move(why), "message");
}

std::string Header(GMimeObject* object, const char* name, size_t max_bytes) {
  const char* v = g_mime_object_get_header(object, name);
  if (!v) return {};
  return std::string(mail::CutUtf8(mail::ValidUtf8(v), max_bytes));
}

std::string MediaType(GMimeObject* object) {
  GMimeContentType* ct = g_mime_object_get_content_type(object);
  if (!ct) return "text/plain";
  GFreeString type(g_mime_content_type_get_mime_type(ct));
  return mail::LowerAscii(type.str());
}

void AddMailboxes(InternetAddressList* list, std::vector<MailAddress>& out, int depth = 0) {
  if (!list || depth > 1) return;
  const int n = internet_address_list_length(list);
  for (int i = 0; i < n && out.size() < mail::kMaxInboundRecipients; ++i) {
    InternetAddress* a = internet_address_list_get_address(list, i);
    if (INTERNET_ADDRESS_IS_GROUP(a)) {
      AddMailboxes(internet_address_group_get_members(INTERNET_ADDRESS_GROUP(a)), out, depth + 1);
      continue;
    }
    if (!INTERNET_ADDRESS_IS_MAILBOX(a)) continue;
    const char* name = internet_address_get_name(a);
    const char* addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(a));
    out.push_back(MailAddress{name ? mail::ValidUtf8(name) : std::string(),
                              addr ? mail::ValidUtf8(addr) : std::string()});
  }
}

// The part's content, transfer encoding (base64, quoted-printable, ...) undone.
std::string DecodedBytes(GMimePart* part, const char* from_charset = nullptr) {
  GMimeDataWrapper* content = g_mime_part_get_content(part);
  if (!content) return {};
  GObjectRef<GMimeStream> mem(g_mime_stream_mem_new());
  if (from_charset) {
    GObjectRef<GMimeStream> filtered(g_mime_stream_filter_new(mem.p));
    GMimeFilter* convert = g_mime_filter_charset_new(from_charset, "UTF-8");
    if (!convert) return {};
    g_mime_stream_filter_add(GMIME_STREAM_FILTER(filtered.p), convert);
    g_object_unref(convert);
    g_mime_data_wrapper_write_to_stream(content, filtered.p);
    g_mime_stream_flush(filtered.p);
  } else {
    g_mime_data_wrapper_write_to_stream(content, mem.p);
  }
  GByteArray* bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.p));
  return std::string(reinterpret_cast<const char*>(bytes->data), bytes->len);
}

bool IsValidUtf8(std::string_view s) {
  return mail::ValidUtf8(s) == s;
}

// Windows-1252 (a superset of ISO-8859-1's printable characters) to UTF-8.
std::string FromWindows1252(std::string_view s) {
  static constexpr std::array<uint16_t, 32> kHigh = {
      0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    uint32_t cp = c >= 0x80 && c < 0xA0 ? kHigh[c - 0x80] : c;
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

// A text part's content as UTF-8: converted from its declared charset; text
// with no charset (or an unknown one) is taken as UTF-8 when it is valid
// UTF-8, else as Windows-1252.
std::string TextOf(GMimePart* part) {
  const char* declared = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
  std::string charset = declared ? mail::LowerAscii(declared) : std::string();
  std::string text;
  const bool plain_bytes = charset.empty() || charset == "utf-8" || charset == "utf8" ||
                           charset == "us-ascii" || charset == "ascii";
  if (!plain_bytes) {
    GMimeFilter* probe = g_mime_filter_charset_new(charset.c_str(), "UTF-8");
    if (probe) {
      g_object_unref(probe);
      text = DecodedBytes(part, charset.c_str());
    } else {
      text = DecodedBytes(part);
    }
  } else {
    text = DecodedBytes(part);
  }
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // a byte order mark
  if (!IsValidUtf8(text)) text = FromWindows1252(text);
  return text;
}

bool IsSignature(std::string_view type) {
  return type == "application/pgp-signature" || type == "application/pkcs7-signature" ||
         type == "application/x-pkcs7-signature";
}

// Walks the MIME tree: the body text and the attachments.
class Collector {
 public:
  explicit Collector(InboundMail& out) : out_(out) {}

  Status Walk(GMimeObject* object, int depth) {
    if (!object) return Status::Ok();
    if (depth > mail::kMaxMimeDepth) return Malformed("MIME parts nested too deep");
    if (++parts_ > mail::kMaxMimeParts) {
      return Malformed("more than " + std::to_string(mail::kMaxMimeParts) + " MIME parts");
    }
    if (GMIME_IS_MULTIPART(object)) return WalkMultipart(GMIME_MULTIPART(object), depth);
    if (GMIME_IS_MESSAGE_PART(object)) {
      AttachMessage(GMIME_MESSAGE_PART(object));
      return Status::Ok();
    }
    if (GMIME_IS_PART(object)) Leaf(GMIME_PART(object));
    return Status::Ok();
  }

  void Finish() {
    std::string text;
    for (const std::string& piece : texts_) {
      if (piece.empty()) continue;
      if (!text.empty()) text += "\n\n";
      text += piece;
    }
    out_.text = mail::BodyText(text);
  }

 private:
  Status WalkMultipart(GMimeMultipart* multipart, int depth) {
    const int n = g_mime_multipart_get_count(multipart);
    GMimeContentType* ct = g_mime_object_get_content_type(GMIME_OBJECT(multipart));
    if (ct && g_mime_content_type_is_type(ct, "multipart", "alternative")) {
      GMimeObject* best = BestAlternative(multipart);
      return best ? Walk(best, depth + 1) : Status::Ok();
    }
    for (int i = 0; i < n; ++i) {
      PAYOPS_TRY(Walk(g_mime_multipart_get_part(multipart, i), depth + 1));
    }
    return Status::Ok();
  }

  // text/plain, else a nested multipart (related HTML with its images), else
  // text/html, else the last part.
  static GMimeObject* BestAlternative(GMimeMultipart* multipart) {
    const int n = g_mime_multipart_get_count(multipart);
    GMimeObject *plain = nullptr, *nested = nullptr, *html = nullptr, *last = nullptr;
    for (int i = 0; i < n; ++i) {
      GMimeObject* part = g_mime_multipart_get_part(multipart, i);
      last = part;
      std::string type = MediaType(part);
      if (!plain && type == "text/plain") plain = part;
      if (!nested && GMIME_IS_MULTIPART(part)) nested = part;
      if (!html && type == "text/html") html = part;
    }
    if (plain) return plain;
    if (nested) return nested;
    if (html) return html;
    return last;
  }

  void Leaf(GMimePart* part) {
    const std::string type = MediaType(GMIME_OBJECT(part));
    const char* filename = g_mime_part_get_filename(part);
    const bool body_text = (type == "text/plain" || type == "text/html") &&
                           !g_mime_part_is_attachment(part) && (!filename || !*filename);
    if (body_text) {
      std::string text = TextOf(part);
      texts_.push_back(type == "text/html" ? mail::HtmlToText(text) : std::move(text));
      return;
    }
    if (IsSignature(type)) return;
    out_.attachments.push_back(MailAttachment{filename ? mail::ValidUtf8(filename) : std::string(),
                                              type, DecodedBytes(part)});
  }

  void AttachMessage(GMimeMessagePart* part) {
    GMimeMessage* inner = g_mime_message_part_get_message(part);
    std::string bytes;
    if (inner) {
      GObjectRef<GMimeStream> mem(g_mime_stream_mem_new());
      g_mime_object_write_to_stream(GMIME_OBJECT(inner), nullptr, mem.p);
      GByteArray* array = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem.p));
      bytes.assign(reinterpret_cast<const char*>(array->data), array->len);
    }
    out_.attachments.push_back(
        MailAttachment{"forwarded-message.eml", "message/rfc822", std::move(bytes)});
  }

  InboundMail& out_;
  size_t parts_ = 0;
  std::vector<std::string> texts_;
};

}  // namespace

Result<mail::InboundMail> ParseMimeMessage(std::string_view raw) {
  if (raw.size() > mail::kMaxMessageBytes) {
    return Error::Invalid(
        "message_too_large",
        "the message is larger than " + std::to_string(mail::kMaxMessageBytes >> 20) + " MiB",
        "message");
  }
  // Postfix's pipe flag F and mbox files start with a "From sender date" line.
  if (raw.starts_with("From ")) {
    size_t nl = raw.find('\n');
    raw.remove_prefix(nl == std::string_view::npos ? raw.size() : nl + 1);
  }
  if (raw.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Error::Invalid("empty_message", "the message is empty", "message");
  }
  InitMime();
  ParserFindings findings;
  GMimeParserOptions* options = g_mime_parser_options_new();
  const char* fallback[] = {"utf-8", "windows-1252", nullptr};
  g_mime_parser_options_set_fallback_charsets(options, fallback);
  g_mime_parser_options_set_rfc2047_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode(options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_allow_addresses_without_domain(options, FALSE);
  g_mime_parser_options_set_warning_callback(options, OnParserWarning, &findings);
  struct OptionsFree {
    GMimeParserOptions* p;
    ~OptionsFree() { g_mime_parser_options_free(p); }
  } options_free{options};

  GObjectRef<GMimeStream> stream(g_mime_stream_mem_new_with_buffer(raw.data(), raw.size()));
  GObjectRef<GMimeParser> parser(g_mime_parser_new_with_stream(stream.p));
  g_mime_parser_set_format(parser.p, GMIME_FORMAT_MESSAGE);
  g_mime_parser_set_persist_stream(parser.p, TRUE);
  GObjectRef<GMimeMessage> message(g_mime_parser_construct_message(parser.p, options));
  if (!message.p) return Malformed("no message could be read");
  if (findings.critical != 0) return Malformed(std::string(CriticalName(findings.critical)));

  InboundMail out;
  GMimeObject* top = GMIME_OBJECT(message.p);
  out.has_from = g_mime_object_get_header(top, "From") != nullptr;
  std::vector<MailAddress> from;
  AddMailboxes(g_mime_message_get_from(message.p), from);
  if (!from.empty()) out.from = std::move(from.front());
  AddMailboxes(g_mime_message_get_to(message.p), out.to);
  AddMailboxes(g_mime_message_get_cc(message.p), out.cc);
  const char* subject = g_mime_message_get_subject(message.p);
  out.subject =
      subject ? std::string(mail::CutUtf8(mail::ValidUtf8(subject), mail::kMaxHeaderBytes)) : "";
  const char* message_id = g_mime_message_get_message_id(message.p);
  out.message_id =
      message_id ? std::string(mail::CutUtf8(mail::ValidUtf8(message_id), 998)) : std::string();
  out.in_reply_to = Header(top, "In-Reply-To", mail::kMaxHeaderBytes);
  out.references = Header(top, "References", 4 * mail::kMaxHeaderBytes);
  out.auto_submitted = Header(top, "Auto-Submitted", mail::kMaxHeaderBytes);
  out.precedence = Header(top, "Precedence", mail::kMaxHeaderBytes);
  out.importance = Header(top, "Importance", mail::kMaxHeaderBytes);
  out.x_priority = Header(top, "X-Priority", mail::kMaxHeaderBytes);
  out.x_autoreply = Header(top, "X-Autoreply", mail::kMaxHeaderBytes);
  if (out.x_autoreply.empty())
    out.x_autoreply = Header(top, "X-Autorespond", mail::kMaxHeaderBytes);
  if (g_mime_object_get_header(top, "Return-Path")) {
    out.return_path = Header(top, "Return-Path", mail::kMaxHeaderBytes);
  }
  GMimeObject* body = g_mime_message_get_mime_part(message.p);
  out.content_type = body ? MediaType(body) : "text/plain";
  Collector collector(out);
  PAYOPS_TRY(collector.Walk(body, 0));
  collector.Finish();
  return out;
}

void ShutdownMime() {
  if (g_initialized.exchange(false)) g_mime_shutdown();
}

}  // namespace payops::adapters
