#include "payops/service/idempotency.h"

#include <charconv>

#include "payops/store/kv.h"

namespace payops::service {

Result<StoredAnswer> RunIdempotent(Env& env, const std::string& scope, const std::string& key,
                                   const std::string& request_hash,
                                   const std::function<StoredAnswer()>& produce, bool after_lock) {
  constexpr int kAttempts = 2;  // a lost insert race is answered from the winner's row
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::optional<store::StoredResponse> prior;
    StoredAnswer fresh;
    const store::TxFn run = [&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(prior, store::FindIdempotentResponse(tx, scope, key));
      if (prior) return Status::Ok();
      fresh = produce();
      if (fresh.status >= 500) return Status::Ok();
      return store::InsertIdempotentResponse(
          tx, scope, key, store::StoredResponse{request_hash, fresh.status, fresh.body},
          env.clock.Now());
    };
    Status s = after_lock ? env.store.WriteAfterLock(run) : env.store.Write(run);
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

namespace {

constexpr const char* kSandboxClockSetting = "sandbox_clock_us";

std::optional<Instant> ParseStoredClock(const std::optional<std::string>& text) {
  if (!text) return std::nullopt;
  int64_t us = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), us);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  return FromMicros(us);
}

}  // namespace

Status SaveSandboxClock(Env& env, Instant now) {
  return env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto stored, store::GetSetting(tx, kSandboxClockSetting));
    auto at = ParseStoredClock(stored);
    if (at && *at >= now) return Status::Ok();
    return store::PutSetting(tx, kSandboxClockSetting, std::to_string(ToMicros(now)));
  });
}

Result<std::optional<Instant>> LoadSandboxClock(Env& env) {
  std::optional<std::string> stored;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(stored, store::GetSetting(tx, kSandboxClockSetting));
    return Status::Ok();
  }));
  return ParseStoredClock(stored);
}

Status RefreshSandboxClock(Env& env, ManualClock& clock) {
  PAYOPS_ASSIGN_OR_RETURN(auto at, LoadSandboxClock(env));
  if (at) clock.AdvanceTo(*at);
  return Status::Ok();
}

}  // namespace payops::service
