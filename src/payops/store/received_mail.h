// Inbound mail already applied (mail ingest), so that a message delivered
// twice opens one ticket or adds one reply.
#pragma once

#include "payops/core/clock.h"
#include "payops/store/store.h"

namespace payops::store {

// The ticket a message with this key (service/mail_ingest.cc: a hash of the
// sender and the Message-ID) went to, or nullopt.
Result<std::optional<std::string>> FindReceivedMail(Tx& tx, const std::string& key);
// Records the message. Error kConflict "duplicate" when the key is stored.
Status InsertReceivedMail(Tx& tx, const std::string& key, const std::string& ticket_id,
                          Instant received_at);

// Forgets the messages received before `cutoff` (mail::kReceivedMailRetention);
// returns how many.
Result<int64_t> DeleteReceivedMailBefore(Tx& tx, Instant cutoff);

}  // namespace payops::store
