#include "payops/service/idempotency.h"

#include "payops/store/kv.h"

namespace payops::service {

Result<StoredAnswer> RunIdempotent(Env& env, const std::string& scope, const std::string& key,
                                   const std::string& request_hash,
                                   const std::function<StoredAnswer()>& produce) {
  constexpr int kAttempts = 2;  // a lost insert race is answered from the winner's row
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::optional<store::StoredResponse> prior;
    StoredAnswer fresh;
    Status s = env.store.Write([&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(prior, store::FindIdempotentResponse(tx, scope, key));
      if (prior) return Status::Ok();
      fresh = produce();
      if (fresh.status >= 500) return Status::Ok();
      return store::InsertIdempotentResponse(
          tx, scope, key, store::StoredResponse{request_hash, fresh.status, fresh.body},
          env.clock.Now());
    });
    if (s.ok() && !prior) return fresh;
    if (s.ok()) {
      if (prior->request_hash != request_hash) {
        return Error::Conflict("idempotency_key_reused",
                               "this Idempotency-Key was used with another request");
      }
      return StoredAnswer{prior->status, prior->body, true};
    }
    if (s.error().code != "duplicate") return s.take_error();
  }
  return Error::Conflict("idempotency_key_in_use", "retry the request");
}

Status SaveSandboxClock(Env& env, Instant now) {
  return env.store.Write([&](store::Tx& tx) {
    return store::PutSetting(tx, "sandbox_clock_us", std::to_string(ToMicros(now)));
  });
}

}  // namespace payops::service
