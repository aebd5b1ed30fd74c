// The outbox: emails, pages and notices written in the same commit as the
// change that causes them; delivery reads them from here.
#pragma once

#include "payops/core/clock.h"
#include "payops/store/page.h"
#include "payops/store/store.h"

namespace payops::store {

struct OutboxMessage {
  std::string id;
  std::string kind;   // email | page
  std::string event;  // ticket_created, ticket_assigned, public_reply, ...
  std::string to_address;
  std::optional<std::string> to_member_id;
  std::string subject;
  std::string body;
  std::optional<std::string> ticket_id;
  std::string status = "queued";  // queued | sent | failed
  int64_t attempts = 0;
  Instant created_at;
  std::optional<int64_t> sent_at_us;
};

Status InsertOutbox(Tx& tx, const OutboxMessage& m);

struct OutboxFilter {
  std::optional<std::string> to;  // ASCII case-insensitive address
  std::optional<std::string> ticket_id;
};
// In id (creation) order.
Result<Page<OutboxMessage>> ListOutbox(Tx& tx, const OutboxFilter& filter, const PageRequest& page);

}  // namespace payops::store
