// Message-IDs of the mail payops sends, and how a reply is traced back to
// its ticket: outbound mail carries `<payops.TICKET_ID.OUTBOX_ID@DOMAIN>` and
// threads under the ticket's root `<payops.TICKET_ID@DOMAIN>` (In-Reply-To and
// References), so that a customer's mail client groups every mail about one
// ticket and a reply names the ticket even without "[#number]" in its subject.
// DOMAIN is the domain of the configured sender address.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace payops::mail {

// `<payops.TICKET_ID@DOMAIN>`: the thread root of a ticket (never sent as a
// Message-ID itself, only named in In-Reply-To and References).
std::string TicketThreadId(std::string_view ticket_id, std::string_view domain);
// `<payops.TICKET_ID.OUTBOX_ID@DOMAIN>`, or `<payops.OUTBOX_ID@DOMAIN>` for
// mail about no ticket.
std::string OutboundMessageId(std::string_view ticket_id, std::string_view outbox_id,
                              std::string_view domain);

struct OurMessageId {
  std::string ticket_id;  // empty for mail about no ticket
  std::string outbox_id;  // empty for a thread root
};
// The parts of a Message-ID that payops generated for `domain` (ASCII
// case-insensitive domain, with or without angle brackets); nullopt for any
// other id. Ids are made of [A-Za-z0-9_] only, which keeps the dots unambiguous.
std::optional<OurMessageId> ParseOurMessageId(std::string_view id, std::string_view domain);

// Every `<...>` id in a header value such as References or In-Reply-To, in
// order, at most `max_ids` of them.
std::vector<std::string> MessageIdsIn(std::string_view header_value, size_t max_ids = 100);

}  // namespace payops::mail
