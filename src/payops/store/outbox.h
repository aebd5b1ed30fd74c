// The outbox: emails, pages and notices written in the same commit as the
// change that causes them; delivery reads them from here. A delivery worker
// claims due rows with a lease (ClaimOutbox), sends them, and records each
// outcome (FinishOutbox) only while it still holds the lease.
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
  std::string body;  // text
  std::optional<std::string> ticket_id;
  std::string status = "queued";  // queued | sent | failed (will retry) | dead
  int64_t attempts = 0;
  Instant created_at;
  std::optional<int64_t> sent_at_us;
  std::optional<std::string> html_body;
  std::optional<std::string> message_id;  // "<...>" of the email
  int64_t next_attempt_at_us = 0;
  std::optional<std::string> last_error;
  // One attachment (the monthly statement's CSV): file name, MIME type and
  // content (text); all three or none.
  std::optional<std::string> attachment_name;
  std::optional<std::string> attachment_type;
  std::optional<std::string> attachment_body;
};

// next_attempt_at_us 0 means at once.
Status InsertOutbox(Tx& tx, const OutboxMessage& m);

struct OutboxFilter {
  std::optional<std::string> to;  // ASCII case-insensitive address
  std::optional<std::string> ticket_id;
};
// In id (creation) order.
Result<Page<OutboxMessage>> ListOutbox(Tx& tx, const OutboxFilter& filter, const PageRequest& page);

inline constexpr int kMaxOutboxClaim = 500;

// Rows queued or failed whose attempt is due at `now` (the backlog), counted
// up to `cap`.
Result<int64_t> CountOutboxBacklog(Tx& tx, Instant now, int64_t cap);
// Rows waiting to be sent (queued or failed, due or not), counted up to `cap`.
Result<int64_t> CountWaitingOutbox(Tx& tx, int64_t cap);

// Whether a row of `kind` is due at `now` and not leased at `lease_now`.
// Leases are on real time (Env::LeaseClock), due times on the clock (the
// sandbox's in sandbox mode): a dead worker's lease expires either way.
Result<bool> OutboxHasDue(Tx& tx, std::string_view kind, Instant now, Instant lease_now);
// Leases up to `limit` (1..kMaxOutboxClaim) due rows of `kind` (status queued
// or failed, next attempt at or before `now`, no lease or one expired at
// `lease_now`) to `worker` until `lease_until`, oldest due first. On
// PostgreSQL rows locked by a concurrent claim are skipped.
Result<std::vector<OutboxMessage>> ClaimOutbox(Tx& tx, std::string_view kind, Instant now,
                                               Instant lease_now, Instant lease_until,
                                               std::string_view worker, int limit);

struct OutboxOutcome {
  std::string id;
  enum class Kind { kSent, kFailed, kDead, kReleased } kind = Kind::kSent;
  Instant at;                             // of the attempt
  std::optional<std::string> message_id;  // kSent
  std::string error;                      // kFailed, kDead
  Instant next_attempt_at;                // kFailed
};
// Records an outcome of a row leased to `worker` and clears the lease. False
// when the lease was lost (expired and claimed by another worker): nothing
// is written. kReleased gives the row back untouched.
Result<bool> FinishOutbox(Tx& tx, std::string_view worker, const OutboxOutcome& outcome);

}  // namespace payops::store
