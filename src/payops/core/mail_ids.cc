#include "payops/core/mail_ids.h"

#include <cctype>

namespace payops::mail {
namespace {

constexpr std::string_view kPrefix = "payops.";

bool IsIdText(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

bool SameDomain(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string TicketThreadId(std::string_view ticket_id, std::string_view domain) {
  std::string out = "<";
  out += kPrefix;
  out += ticket_id;
  out += '@';
  out += domain;
  out += '>';
  return out;
}

std::string OutboundMessageId(std::string_view ticket_id, std::string_view outbox_id,
                              std::string_view domain) {
  std::string out = "<";
  out += kPrefix;
  if (!ticket_id.empty()) {
    out += ticket_id;
    out += '.';
  }
  out += outbox_id;
  out += '@';
  out += domain;
  out += '>';
  return out;
}

std::optional<OurMessageId> ParseOurMessageId(std::string_view id, std::string_view domain) {
  while (!id.empty() && (id.front() == ' ' || id.front() == '\t')) id.remove_prefix(1);
  while (!id.empty() && (id.back() == ' ' || id.back() == '\t')) id.remove_suffix(1);
  if (id.size() >= 2 && id.front() == '<' && id.back() == '>') id = id.substr(1, id.size() - 2);
  size_t at = id.rfind('@');
  if (at == std::string_view::npos || !SameDomain(id.substr(at + 1), domain)) return std::nullopt;
  std::string_view local = id.substr(0, at);
  if (local.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  local.remove_prefix(kPrefix.size());
  size_t dot = local.find('.');
  OurMessageId out;
  if (dot == std::string_view::npos) {
    if (!IsIdText(local)) return std::nullopt;
    // A thread root names a ticket; a lone outbox id names no ticket.
    if (local.substr(0, 4) == "tkt_") {
      out.ticket_id = std::string(local);
    } else {
      out.outbox_id = std::string(local);
    }
    return out;
  }
  std::string_view ticket = local.substr(0, dot), outbox = local.substr(dot + 1);
  if (!IsIdText(ticket) || !IsIdText(outbox)) return std::nullopt;
  out.ticket_id = std::string(ticket);
  out.outbox_id = std::string(outbox);
  return out;
}

std::vector<std::string> MessageIdsIn(std::string_view value, size_t max_ids) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (out.size() < max_ids) {
    size_t open = value.find('<', pos);
    if (open == std::string_view::npos) break;
    size_t close = value.find('>', open + 1);
    if (close == std::string_view::npos) break;
    out.emplace_back(value.substr(open, close - open + 1));
    pos = close + 1;
  }
  return out;
}

}  // namespace payops::mail
