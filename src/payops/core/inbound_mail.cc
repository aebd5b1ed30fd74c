#include "payops/core/inbound_mail.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

#include "payops/core/mail_ids.h"
#include "payops/core/ticket.h"

namespace payops::mail {
namespace {

char LowerChar(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// The first word of a header value, lowercase: "auto-replied" of
// "Auto-Replied; owner-email=...".
std::string FirstToken(std::string_view value) {
  value = TrimSpace(value);
  size_t end = value.find_first_of(" \t;(");
  return LowerAscii(value.substr(0, end));
}

void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

constexpr uint32_t kReplacement = 0xFFFD;

// The length of the valid UTF-8 sequence at s[i], or 0 when it is invalid
// (overlong forms, surrogates and code points past U+10FFFF included).
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t len = 0;
  uint32_t min = 0, cp = 0;
  if ((c & 0xE0) == 0xC0) {
    len = 2, min = 0x80, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, min = 0x800, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

// ---------------------------------------------------------------------------
// HTML to text.

struct NamedEntity {
  std::string_view name;
  uint32_t code_point;
};
constexpr std::array<NamedEntity, 32> kEntities{{
    {"amp", '&'},      {"lt", '<'},       {"gt", '>'},       {"quot", '"'},     {"apos", '\''},
    {"nbsp", 0xA0},    {"copy", 0xA9},    {"reg", 0xAE},     {"trade", 0x2122}, {"hellip", 0x2026},
    {"mdash", 0x2014}, {"ndash", 0x2013}, {"lsquo", 0x2018}, {"rsquo", 0x2019}, {"ldquo", 0x201C},
    {"rdquo", 0x201D}, {"laquo", 0xAB},   {"raquo", 0xBB},   {"bull", 0x2022},  {"middot", 0xB7},
    {"euro", 0x20AC},  {"pound", 0xA3},   {"yen", 0xA5},     {"cent", 0xA2},    {"sect", 0xA7},
    {"deg", 0xB0},     {"times", 0xD7},   {"eacute", 0xE9},  {"egrave", 0xE8},  {"agrave", 0xE0},
    {"ccedil", 0xE7},  {"uuml", 0xFC},
}};

// Decodes the entity at html[i] == '&'; returns the bytes consumed (0 when
// it is no entity, and the '&' is then text).
size_t DecodeEntity(std::string_view html, size_t i, std::string& out) {
  size_t semi = html.find(';', i + 1);
  if (semi == std::string_view::npos || semi - i > 12) return 0;
  std::string_view body = html.substr(i + 1, semi - i - 1);
  if (body.size() >= 2 && body[0] == '#') {
    uint32_t cp = 0;
    const bool hex = body[1] == 'x' || body[1] == 'X';
    std::string_view digits = body.substr(hex ? 2 : 1);
    if (digits.empty()) return 0;
    for (char c : digits) {
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) return 0;
      cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(d);
      if (cp > 0x10FFFF) cp = 0x110000;  // stays out of range, no overflow
    }
    if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = kReplacement;
    AppendUtf8(out, cp);
    return semi - i + 1;
  }
  for (const NamedEntity& e : kEntities) {
    if (e.name == body) {
      AppendUtf8(out, e.code_point);
      return semi - i + 1;
    }
  }
  return 0;
}

// Writes text the way a browser lays it out, as far as plain text can.
class TextWriter {
 public:
  explicit TextWriter(size_t max_bytes) : max_bytes_(max_bytes) {}

  bool full() const { return out_.size() >= max_bytes_; }

  // Literal text from the document (white space collapses unless in <pre>).
  void Text(std::string_view s, bool preformatted) {
    for (char c : s) {
      if (!preformatted && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f')) {
        pending_space_ = true;
        continue;
      }
      if (preformatted && c == '\r') continue;
      if (preformatted && c == '\n') {
        RawNewline();
        continue;
      }
      if (AtLineStart()) {
        // A line inside <blockquote> reads as a quoted line of a text mail.
        if (quote_depth_ > 0) out_.append(static_cast<size_t>(quote_depth_), '>').append(" ");
      } else if (pending_space_) {
        out_ += ' ';
      }
      pending_space_ = false;
      out_ += c;
    }
  }
  // <br>: always a new line, at most one blank line in a row.
  void LineBreak() {
    TrimTrailingSpaces();
    RawNewline();
  }
  // The start or end of a block (div, li, tr): a new line unless at one.
  void Block() {
    TrimTrailingSpaces();
    if (!AtLineStart()) out_ += '\n';
    pending_space_ = false;
  }
  // Paragraph-like blocks (p, h1–h6, blockquote, table, lists): a blank line.
  void Paragraph() {
    Block();
    if (!out_.empty() && !out_.ends_with("\n\n")) out_ += '\n';
  }
  // <blockquote> opens (+1) or closes (-1) a level of quoting, at most kMaxQuoteDepth.
  void Quote(int delta) { quote_depth_ = std::clamp(quote_depth_ + delta, 0, kMaxQuoteDepth); }
  std::string Finish() {
    TrimTrailingSpaces();
    size_t end = out_.find_last_not_of(" \n");
    out_.erase(end == std::string::npos ? 0 : end + 1);
    size_t begin = out_.find_first_not_of('\n');
    return begin == std::string::npos ? std::string() : out_.substr(begin);
  }

 private:
  bool AtLineStart() const { return out_.empty() || out_.back() == '\n'; }
  void RawNewline() {
    if (!out_.ends_with("\n\n")) out_ += '\n';
    pending_space_ = false;
  }
  void TrimTrailingSpaces() {
    while (!out_.empty() && out_.back() == ' ') out_.pop_back();
  }

  static constexpr int kMaxQuoteDepth = 8;
  const size_t max_bytes_;
  std::string out_;
  bool pending_space_ = false;
  int quote_depth_ = 0;
};

bool IsTagNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// The end of the tag starting at html[i] == '<': the index of its '>' (quoted
// attribute values may hold '>'), or npos.
size_t TagEnd(std::string_view html, size_t i) {
  char quote = 0;
  for (size_t k = i + 1; k < html.size(); ++k) {
    char c = html[k];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return k;
    }
  }
  return std::string_view::npos;
}

// The index just past "</name ...>" from `from` on, case-insensitive; the
// end of the input when it never closes.
size_t SkipElement(std::string_view html, size_t from, std::string_view name) {
  for (size_t k = from; k < html.size(); ++k) {
    if (html[k] != '<' || k + 2 + name.size() > html.size() || html[k + 1] != '/') continue;
    bool same = true;
    for (size_t j = 0; j < name.size() && same; ++j) same = LowerChar(html[k + 2 + j]) == name[j];
    if (!same) continue;
    size_t end = TagEnd(html, k);
    return end == std::string_view::npos ? html.size() : end + 1;
  }
  return html.size();
}

bool OneOf(std::string_view name, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

// ---------------------------------------------------------------------------

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = LowerChar(c);
  return out;
}

std::string_view AddressOf(std::string_view from) {
  size_t open = from.rfind('<');
  if (open != std::string_view::npos) {
    size_t close = from.find('>', open);
    if (close != std::string_view::npos) return TrimSpace(from.substr(open + 1, close - open - 1));
  }
  return TrimSpace(from);
}

std::string_view DomainPartOf(std::string_view address) {
  size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

std::string OurMailDomain(std::string_view smtp_from, std::string_view public_url) {
  std::string_view domain = DomainPartOf(AddressOf(smtp_from));
  if (!domain.empty()) return LowerAscii(domain);
  std::string_view host = TrimSpace(public_url);
  size_t scheme = host.find("://");
  if (scheme != std::string_view::npos) host.remove_prefix(scheme + 3);
  host = host.substr(0, host.find_first_of("/?#"));
  size_t at = host.rfind('@');
  if (at != std::string_view::npos) host.remove_prefix(at + 1);
  if (host.starts_with('[')) {
    host = host.substr(
        1, host.find(']') == std::string_view::npos ? host.size() - 1 : host.find(']') - 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (!host.empty()) return LowerAscii(host);
  return "payops.invalid";
}

std::optional<std::string> LoopReason(const InboundMail& mail, std::string_view our_domain,
                                      std::span<const std::string> our_addresses) {
  if (mail.content_type == "multipart/report") return "bounce";
  if (mail.return_path) {
    std::string path;
    for (char c : *mail.return_path) {
      if (!std::isspace(static_cast<unsigned char>(c))) path += c;
    }
    if (path.empty() || path == "<>") return "bounce";
  }
  if (mail.from) {
    std::string address = LowerAscii(mail.from->address);
    if (address.substr(0, address.find('@')) == "mailer-daemon") return "bounce";
    if (std::find(our_addresses.begin(), our_addresses.end(), address) != our_addresses.end()) {
      return "sent from our own address";
    }
  }
  if (!TrimSpace(mail.auto_submitted).empty() && FirstToken(mail.auto_submitted) != "no") {
    return "auto-submitted";
  }
  if (!TrimSpace(mail.x_autoreply).empty() && FirstToken(mail.x_autoreply) != "no") {
    return "auto-submitted";
  }
  const std::string precedence = FirstToken(mail.precedence);
  if (precedence == "bulk" || precedence == "junk" || precedence == "list") {
    return "precedence: " + precedence;
  }
  if (!mail.message_id.empty() && ParseOurMessageId(mail.message_id, our_domain)) {
    return "our own message";
  }
  return std::nullopt;
}

std::optional<int64_t> TicketNumberInSubject(std::string_view subject) {
  for (size_t at = subject.find("[#"); at != std::string_view::npos;
       at = subject.find("[#", at + 1)) {
    size_t k = at + 2;
    int64_t n = 0;
    size_t digits = 0;
    // At most 18 digits are read (19 could overflow int64_t); a 19th digit
    // makes it no ticket number.
    while (k < subject.size() && subject[k] >= '0' && subject[k] <= '9' && digits < 18) {
      n = n * 10 + (subject[k] - '0');
      ++k, ++digits;
    }
    if (digits >= 1 && k < subject.size() && subject[k] == ']') return n;
  }
  return std::nullopt;
}

std::vector<std::string> OurTicketIdsIn(const InboundMail& mail, std::string_view our_domain) {
  std::vector<std::string> ids = MessageIdsIn(mail.in_reply_to, kMaxThreadIds);
  std::vector<std::string> refs = MessageIdsIn(mail.references, kMaxThreadIds - ids.size());
  ids.insert(ids.end(), refs.rbegin(), refs.rend());
  std::vector<std::string> out;
  for (const std::string& id : ids) {
    auto ours = ParseOurMessageId(id, our_domain);
    if (!ours || ours->ticket_id.empty()) continue;
    if (std::find(out.begin(), out.end(), ours->ticket_id) == out.end()) {
      out.push_back(ours->ticket_id);
    }
  }
  return out;
}

std::string ValidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      AppendUtf8(out, kReplacement);
      ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string_view CutUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return s;
  size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

std::string HeaderText(std::string_view s, size_t max_bytes) {
  std::string valid = ValidUtf8(s);
  std::string out;
  out.reserve(valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(valid[i]);
    bool space = c < 0x20 || c == 0x7F;
    // U+0085 (NEL), U+2028 and U+2029 end lines too.
    if (c == 0xC2 && i + 1 < valid.size() && static_cast<unsigned char>(valid[i + 1]) == 0x85) {
      space = true, ++i;
    } else if (c == 0xE2 && i + 2 < valid.size() &&
               static_cast<unsigned char>(valid[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(valid[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(valid[i + 2]) == 0xA9)) {
      space = true, i += 2;
    }
    if (space || c == ' ') {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  std::string_view cut = CutUtf8(out, max_bytes);
  while (!cut.empty() && cut.back() == ' ') cut.remove_suffix(1);
  return std::string(cut);
}

std::string BodyText(std::string_view s) {
  std::string valid = ValidUtf8(s);
  std::string out;
  out.reserve(valid.size());
  for (size_t i = 0; i < valid.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(valid[i]);
    if (c == '\r') {
      out += '\n';
      if (i + 1 < valid.size() && valid[i + 1] == '\n') ++i;
    } else if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7F)) {
      out += static_cast<char>(c);
    }
  }
  size_t end = out.find_last_not_of(" \t\n");
  out.erase(end == std::string::npos ? 0 : end + 1);
  size_t begin = 0;
  while (begin < out.size()) {
    size_t nl = out.find('\n', begin);
    if (nl == std::string::npos || out.find_first_not_of(" \t", begin) < nl) break;
    begin = nl + 1;
  }
  return out.substr(begin);
}

std::string HtmlToText(std::string_view html, size_t max_output_bytes) {
  TextWriter w(max_output_bytes);
  int preformatted = 0;
  size_t i = 0;
  while (i < html.size() && !w.full()) {
    const char c = html[i];
    if (c == '&') {
      std::string decoded;
      size_t used = DecodeEntity(html, i, decoded);
      if (used > 0) {
        // A no-break space is kept as a plain space that never collapses away.
        if (decoded == "\xC2\xA0") decoded = " ";
        w.Text(decoded, true);
        i += used;
        continue;
      }
      w.Text("&", preformatted > 0);
      ++i;
      continue;
    }
    if (c != '<') {
      size_t next = html.find_first_of("<&", i);
      if (next == std::string_view::npos) next = html.size();
      w.Text(html.substr(i, next - i), preformatted > 0);
      i = next;
      continue;
    }
    if (html.substr(i, 4) == "<!--") {
      size_t end = html.find("-->", i + 4);
      i = end == std::string_view::npos ? html.size() : end + 3;
      continue;
    }
    size_t j = i + 1;
    const bool closing = j < html.size() && html[j] == '/';
    if (closing) ++j;
    std::string name;
    while (j < html.size() && IsTagNameChar(html[j]) && name.size() < 16) {
      name += LowerChar(html[j++]);
    }
    const bool declaration = j < html.size() && (html[j] == '!' || html[j] == '?');
    if (name.empty() && !declaration) {
      w.Text("<", preformatted > 0);  // a lone '<' is text
      ++i;
      continue;
    }
    size_t end = TagEnd(html, i);
    if (end == std::string_view::npos) break;  // a tag cut off at the end
    i = end + 1;
    if (declaration) continue;
    if (!closing && OneOf(name, {"script", "style", "head", "title", "template"})) {
      i = SkipElement(html, i, name);
      continue;
    }
    if (name == "br") {
      w.LineBreak();
    } else if (name == "pre") {
      w.Paragraph();
      preformatted = std::max(0, preformatted + (closing ? -1 : 1));
    } else if (name == "li") {
      w.Block();
      if (!closing) w.Text("- ", true);
    } else if (name == "blockquote") {
      w.Paragraph();
      w.Quote(closing ? -1 : 1);
    } else if (name == "hr") {
      // As mail programs write it in text (Outlook's reply separator is one).
      w.Block();
      if (!closing) {
        w.Text("________________________________", true);
        w.Block();
      }
    } else if (OneOf(name, {"p", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "dl"})) {
      w.Paragraph();
    } else if (OneOf(name, {"div", "tr", "dt", "dd", "section", "article", "header", "footer",
                            "address", "form", "fieldset", "figure", "main", "nav", "center",
                            "caption", "tbody", "thead", "tfoot"})) {
      w.Block();
    } else if ((name == "td" || name == "th") && !closing) {
      w.Text(" ", false);
    }
  }
  return ValidUtf8(CutUtf8(w.Finish(), max_output_bytes));
}

AttachmentChoice ChooseAttachments(std::span<const MailAttachment> attachments) {
  AttachmentChoice choice;
  int64_t total = 0;
  for (size_t i = 0; i < attachments.size(); ++i) {
    const MailAttachment& a = attachments[i];
    const auto size = static_cast<int64_t>(a.bytes.size());
    std::string why;
    if (!desk::IsAllowedAttachmentType(a.content_type)) {
      why = "type not accepted";
    } else if (size == 0) {
      why = "empty";
    } else if (size > desk::kMaxAttachmentBytes) {
      why = "larger than 10 MiB";
    } else if (choice.kept.size() >= desk::kMaxAttachments) {
      why = "more than 10 attachments";
    } else if (total + size > desk::kMaxTotalAttachmentBytes) {
      why = "over 25 MiB of attachments in all";
    }
    if (why.empty()) {
      choice.kept.push_back(i);
      total += size;
      continue;
    }
    choice.notes.push_back(desk::SanitizeAttachmentFilename(a.filename) + " (" +
                           HeaderText(a.content_type, 100) + ", " + std::to_string(size) +
                           " bytes): " + why);
  }
  return choice;
}

namespace {

std::string_view TrimmedLine(std::string_view line) {
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
  return line;
}

bool IsQuoteLine(std::string_view line) {
  return TrimmedLine(line).starts_with('>');
}

bool IsBlankLine(std::string_view line) {
  return TrimmedLine(line).empty();
}

// "... wrote:", "... schrieb Name:", "... a \u00e9crit :", "... escribi\u00f3:".
bool EndsAttribution(std::string_view line) {
  line = TrimmedLine(line);
  if (!line.ends_with(':')) return false;
  for (std::string_view verb : {"wrote", "schrieb",
                                "a \xC3\xA9"
                                "crit",
                                "escribi\xC3\xB3"}) {
    if (line.find(verb) != std::string_view::npos) return true;
  }
  return false;
}

bool StartsAttribution(std::string_view line) {
  line = TrimmedLine(line);
  for (std::string_view start : {"On ", "Am ", "Le ", "El "}) {
    if (line.starts_with(start)) return true;
  }
  return false;
}

bool IsSeparatorLine(const std::vector<std::string_view>& lines, size_t i) {
  std::string_view line = TrimmedLine(lines[i]);
  if (line.starts_with("-----Original Message-----") ||
      line.starts_with("----- Original Message -----")) {
    return true;
  }
  if (line.size() >= 20 && line.find_first_not_of('_') == std::string_view::npos) {
    return i + 1 < lines.size() && TrimmedLine(lines[i + 1]).starts_with("From:");
  }
  return false;
}

}  // namespace

ReplyText NewTextOfReply(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start <= text.size();) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  size_t end = lines.size();
  // The signature, or the message below an Outlook separator.
  for (size_t i = 0; i < end; ++i) {
    std::string_view raw = lines[i];
    if (raw == "-- " || raw == "--" || IsSeparatorLine(lines, i)) {
      end = i;
      break;
    }
  }
  // The trailing quote and its attribution.
  size_t quote_start = end;
  bool quoted = false;
  while (quote_start > 0 &&
         (IsQuoteLine(lines[quote_start - 1]) || IsBlankLine(lines[quote_start - 1]))) {
    quoted = quoted || IsQuoteLine(lines[quote_start - 1]);
    --quote_start;
  }
  if (quoted) {
    end = quote_start;
    if (end > 0 && EndsAttribution(lines[end - 1])) {
      size_t first = end - 1;
      // Wrapped: "On Mon, 7 Jan 2030 at 09:00, Pat Doe <" / "pat@acme.example> wrote:".
      for (int back = 0; back < 2 && !StartsAttribution(lines[first]); ++back) {
        if (first == 0 || IsBlankLine(lines[first - 1])) break;
        --first;
      }
      end = StartsAttribution(lines[first]) ? first : end - 1;
    }
  }
  std::string out;
  for (size_t i = 0; i < end; ++i) {
    if (i > 0) out += '\n';
    out += lines[i];
  }
  size_t last = out.find_last_not_of(" \t\n");
  out.erase(last == std::string::npos ? 0 : last + 1);
  if (out.empty()) return ReplyText{std::string(text), false};
  std::string_view whole = text.substr(0, text.find_last_not_of(" \t\n") + 1);
  const bool cut = out.size() != whole.size();
  return ReplyText{std::move(out), cut};
}

}  // namespace payops::mail
