#include "payops/core/mime.h"

#include <array>
#include <cctype>
#include <chrono>

namespace payops::mail {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr size_t kFoldAt = 76;
// "=?UTF-8?B?" + base64 + "?=" in 75 characters: 60 base64 characters, 45 bytes.
constexpr size_t kEncodedWordBytes = 45;

bool IsAtext(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

bool IsPrintableAscii(std::string_view s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7e) return false;
  }
  return true;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// local@domain with printable ASCII and no specials that would end it.
bool IsAddrSpec(std::string_view a) {
  if (a.empty() || a.size() > 254) return false;
  size_t at = a.rfind('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == a.size()) return false;
  for (char c : a) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    if (std::string_view("<>()[]\\,;:\"").find(c) != std::string_view::npos) return false;
  }
  return true;
}

bool IsIdText(std::string_view s) {
  if (s.empty() || s.size() > 200) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// "<left@right>" with printable ASCII and no spaces or angle brackets inside.
bool IsMessageId(std::string_view id) {
  if (id.size() < 5 || id.size() > 250 || id.front() != '<' || id.back() != '>') return false;
  std::string_view inner = id.substr(1, id.size() - 2);
  if (inner.find('@') == std::string_view::npos) return false;
  for (char c : inner) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '<' || c == '>') return false;
  }
  return true;
}

std::string Base64(std::string_view data) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    uint32_t n = (static_cast<uint32_t>(static_cast<unsigned char>(data[i])) << 16) |
                 (static_cast<uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8) |
                 static_cast<uint32_t>(static_cast<unsigned char>(data[i + 2]));
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint32_t>(static_cast<unsigned char>(data[i])) << 16;
    if (rest == 2) n |= static_cast<uint32_t>(static_cast<unsigned char>(data[i + 1])) << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += rest == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// The length of the UTF-8 sequence starting with `lead` (1 for a stray byte).
size_t Utf8Length(unsigned char lead) {
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xe0) return 3;
  if (lead >= 0xc0) return 2;
  return 1;
}

// Encoded words for `text`, separated by CRLF SP.
std::string EncodedWords(std::string_view text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = pos;
    while (end < text.size()) {
      size_t len = Utf8Length(static_cast<unsigned char>(text[end]));
      if (end + len > text.size()) len = text.size() - end;
      if (end + len - pos > kEncodedWordBytes) break;
      end += len;
    }
    if (end == pos) end = pos + 1;  // unreachable with sequences of at most 4 bytes
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(pos, end - pos)) + "?=";
    pos = end;
  }
  return out;
}

// Folds ASCII words so that lines stay near 78 characters (a word longer than
// a line stays whole: RFC 5322 allows 998).
std::string FoldAscii(std::string_view text, size_t first_line_used) {
  std::string out;
  size_t line = first_line_used;
  size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    size_t space = text.find(' ', pos);
    std::string_view word =
        text.substr(pos, space == std::string_view::npos ? std::string_view::npos : space - pos);
    if (!first && line + 1 + word.size() > 78) {
      out += "\r\n ";
      line = 1;
    } else if (!first) {
      out += ' ';
      ++line;
    }
    out += word;
    line += word.size();
    first = false;
    if (space == std::string_view::npos) break;
    pos = space + 1;
  }
  return out;
}

}  // namespace

Result<Mailbox> ParseMailbox(std::string_view text) {
  std::string t = Trim(text);
  Mailbox m;
  size_t open = t.rfind('<');
  if (open == std::string::npos) {
    m.address = t;
  } else {
    if (t.back() != '>') return Error::Invalid("invalid_address", "unclosed <address>");
    m.address = t.substr(open + 1, t.size() - open - 2);
    std::string name = Trim(std::string_view(t).substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      std::string unq;
      for (size_t i = 1; i + 1 < name.size(); ++i) {
        if (name[i] == '\\' && i + 2 < name.size()) ++i;
        unq += name[i];
      }
      name = unq;
    }
    m.name = OneLine(name);
  }
  if (!IsAddrSpec(m.address)) {
    return Error::Invalid("invalid_address", "not an address: " + OneLine(m.address));
  }
  return m;
}

std::string DomainOf(std::string_view address) {
  size_t at = address.rfind('@');
  if (at == std::string_view::npos) return "";
  std::string d(address.substr(at + 1));
  if (!d.empty() && d.back() == '>') d.pop_back();
  for (char& c : d) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return d;
}

std::string OneLine(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    bool blank = u < 0x20 || u == 0x7f || c == ' ';
    if (blank) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string EncodeUnstructured(std::string_view text, size_t name_len) {
  std::string line = OneLine(text);
  // "=?" in plain text could be read as an encoded word: encode it too.
  if (IsPrintableAscii(line) && line.find("=?") == std::string::npos) {
    return FoldAscii(line, name_len);
  }
  return EncodedWords(line);
}

Result<std::string> FormatMailbox(const Mailbox& m) {
  if (!IsAddrSpec(m.address)) {
    return Error::Invalid("invalid_address", "not an address: " + OneLine(m.address));
  }
  std::string name = OneLine(m.name);
  if (name.empty()) return m.address;
  bool atoms = true;
  for (char c : name) atoms = atoms && (IsAtext(c) || c == ' ');
  std::string shown;
  if (atoms) {
    shown = name;
  } else if (IsPrintableAscii(name) && name.find("=?") == std::string::npos) {
    shown = "\"";
    for (char c : name) {
      if (c == '"' || c == '\\') shown += '\\';
      shown += c;
    }
    shown += '"';
  } else {
    shown = EncodedWords(name);
  }
  return shown + " <" + m.address + ">";
}

std::string FormatRfc5322Date(Instant t) {
  using namespace std::chrono;
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto day = floor<days>(t);
  year_month_day ymd{day};
  weekday wd{day};
  hh_mm_ss<seconds> hms{floor<seconds>(t - day)};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buf;
}

std::string Base64Lines(std::string_view data) {
  std::string b = Base64(data);
  std::string out;
  out.reserve(b.size() + b.size() / kFoldAt * 2 + 2);
  for (size_t i = 0; i < b.size(); i += kFoldAt) {
    out.append(b, i, kFoldAt);
    out += kCrlf;
  }
  return out;
}

namespace {

constexpr std::string_view kTextPart =
    "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
constexpr std::string_view kHtmlPart =
    "Content-Type: text/html; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";

// A file name or MIME type of an attachment: [A-Za-z0-9._-] (and one '/' in a
// type), 1..100 characters, not starting with '.'.
bool IsFileToken(std::string_view s, bool type) {
  if (s.empty() || s.size() > 100 || s[0] == '.') return false;
  int slashes = 0;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (c == '/' && type) {
      ++slashes;
      continue;
    }
    if (!ok) return false;
  }
  return type ? slashes == 1 && s.back() != '/' : true;
}

// The text and HTML as one multipart/alternative part of a multipart/mixed body.
void AppendAlternative(std::string& out, const MimeMail& m) {
  const std::string boundary = "=_payops_alt_" + m.boundary_seed;
  out += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  out += "--" + boundary + "\r\n";
  out += kTextPart;
  out += Base64Lines(m.text);
  out += "\r\n--" + boundary + "\r\n";
  out += kHtmlPart;
  out += Base64Lines(m.html);
  out += "\r\n--" + boundary + "--\r\n";
}

}  // namespace

Result<std::string> BuildMime(const MimeMail& m) {
  if (m.to.empty() || m.to.size() > kMaxRecipients) {
    return Error::Invalid("invalid_recipients", "a message has 1 to 100 recipients");
  }
  if (!IsMessageId(m.message_id)) return Error::Invalid("invalid_message_id", "bad Message-ID");
  for (const auto* ids : {&m.in_reply_to, &m.references}) {
    for (const std::string& id : *ids) {
      if (!IsMessageId(id)) return Error::Invalid("invalid_message_id", "bad referenced id");
    }
  }
  if (!IsIdText(m.boundary_seed)) return Error::Invalid("invalid_boundary", "bad boundary seed");
  std::string out;
  out.reserve(512 + m.text.size() * 4 / 3 + m.html.size() * 4 / 3);
  auto header = [&](std::string_view name, std::string_view value) {
    out += name;
    out += ": ";
    out += value;
    out += kCrlf;
  };
  PAYOPS_ASSIGN_OR_RETURN(std::string from, FormatMailbox(m.from));
  header("From", from);
  std::string to;
  for (const Mailbox& r : m.to) {
    PAYOPS_ASSIGN_OR_RETURN(std::string one, FormatMailbox(r));
    if (!to.empty()) to += ",\r\n ";
    to += one;
  }
  header("To", to);
  if (m.reply_to) {
    PAYOPS_ASSIGN_OR_RETURN(std::string reply_to, FormatMailbox(*m.reply_to));
    header("Reply-To", reply_to);
  }
  header("Subject", EncodeUnstructured(m.subject, 9));
  header("Date", FormatRfc5322Date(m.date));
  header("Message-ID", m.message_id);
  auto join = [](const std::vector<std::string>& ids) {
    std::string v;
    for (const std::string& id : ids) v += (v.empty() ? "" : "\r\n ") + id;
    return v;
  };
  if (!m.in_reply_to.empty()) header("In-Reply-To", join(m.in_reply_to));
  if (!m.references.empty()) header("References", join(m.references));
  if (!m.auto_submitted.empty()) header("Auto-Submitted", OneLine(m.auto_submitted));
  header("MIME-Version", "1.0");
  if (m.attachments.size() > kMaxAttachments) {
    return Error::Invalid("invalid_attachment", "at most 10 attachments");
  }
  for (const MimeAttachment& a : m.attachments) {
    if (!IsFileToken(a.filename, false) || !IsFileToken(a.content_type, true)) {
      return Error::Invalid("invalid_attachment", "bad attachment name or type");
    }
  }
  if (!m.attachments.empty()) {
    // Base64 never produces "=_", so no boundary can occur inside a part.
    const std::string mixed = "=_payops_mixed_" + m.boundary_seed;
    header("Content-Type", "multipart/mixed; boundary=\"" + mixed + "\"");
    out += kCrlf;
    out += "This is a multi-part message in MIME format.\r\n";
    out += "\r\n--" + mixed + "\r\n";
    if (m.html.empty()) {
      out += kTextPart;
      out += Base64Lines(m.text);
    } else {
      AppendAlternative(out, m);
    }
    for (const MimeAttachment& a : m.attachments) {
      out += "\r\n--" + mixed + "\r\n";
      out += "Content-Type: " + a.content_type + "; name=\"" + a.filename + "\"\r\n";
      out += "Content-Disposition: attachment; filename=\"" + a.filename + "\"\r\n";
      out += "Content-Transfer-Encoding: base64\r\n\r\n";
      out += Base64Lines(a.data);
    }
    out += "\r\n--" + mixed + "--\r\n";
    return out;
  }
  if (m.html.empty()) {
    out += kTextPart;
    out += Base64Lines(m.text);
    return out;
  }
  // Base64 never produces "=_", so the boundary cannot occur inside a part.
  const std::string boundary = "=_payops_" + m.boundary_seed;
  header("Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
  out += kCrlf;
  out += "This is a multi-part message in MIME format.\r\n";
  out += "\r\n--" + boundary + "\r\n";
  out += kTextPart;
  out += Base64Lines(m.text);
  out += "\r\n--" + boundary + "\r\n";
  out += kHtmlPart;
  out += Base64Lines(m.html);
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

}  // namespace payops::mail
