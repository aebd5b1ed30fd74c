// Idempotency-Key: a retried request with the same key and body gets the first
// answer again; the answer is stored in the same transaction as the request's
// own changes, so concurrent retries cannot both apply.
#pragma once

#include <functional>
#include <string>

#include "payops/service/env.h"

namespace payops::service {

struct StoredAnswer {
  int status = 0;
  std::string body;
  bool replayed = false;  // true: an earlier request's answer
};

// Runs `produce` (which may write through env.store, joining this transaction)
// unless `key` was seen in `scope`: then answers the stored response, or
// kConflict "idempotency_key_reused" when the stored request hash differs.
// Answers with status ≥ 500 are not stored (a retry runs again).
// `after_lock`: produce's write is a Store::WriteAfterLock, and this
// transaction runs as one so that it keeps that isolation (the key's row is
// unique: a concurrent request with the same key fails its insert, and is
// answered from the winner's row).
Result<StoredAnswer> RunIdempotent(Env& env, const std::string& scope, const std::string& key,
                                   const std::string& request_hash,
                                   const std::function<StoredAnswer()>& produce,
                                   bool after_lock = false);

// The sandbox clock lives in the store, shared by every server on it (and by
// `payops mail-ingest --sandbox`). SaveSandboxClock records `now` unless the
// store already holds a later reading (the clock never goes back), so that
// a restarted server resumes it and the other servers read it.
Status SaveSandboxClock(Env& env, Instant now);
// The stored reading, or nullopt when none was saved.
Result<std::optional<Instant>> LoadSandboxClock(Env& env);
// Moves `clock` forward to the stored reading (another server moved it).
Status RefreshSandboxClock(Env& env, ManualClock& clock);

}  // namespace payops::service
