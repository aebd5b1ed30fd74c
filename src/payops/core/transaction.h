// The transaction state machine (SPEC §2.4) and the data behind holds and
// cancels (SPEC §2.2): statuses, the one transition table, hold reasons with
// the seed's explanation, the next action and the release paths each allows,
// cancel reasons, and the cancel / refund / return / chargeback rules.
//
// Pure code: no I/O, no clock reads (instants are passed in), no threads, no
// allocation on the success paths. Every function is thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "payops/core/clock.h"
#include "payops/core/result.h"

namespace payops {

// ---------------------------------------------------------------------------
// Statuses and actors.

enum class TxnStatus : uint8_t {
  kInitiated,
  kHold,
  kPending,
  kProcessed,
  kCanceled,
  kRefunded,
  kReturned,
};
inline constexpr int kTxnStatusCount = 7;

// "INITIATED", "HOLD", … (the API spelling).
std::string_view TxnStatusName(TxnStatus status);
// The inverse of TxnStatusName; nullopt for anything else (case-sensitive).
std::optional<TxnStatus> ParseTxnStatus(std::string_view name);
// CANCELED, REFUNDED and RETURNED: no transition leaves them.
bool IsFinalStatus(TxnStatus status);

// Who asks for a change. Bit values so that a set of kinds fits in a mask.
enum class TxnActor : uint8_t {
  kSystem = 1,   // the pipeline, timed jobs (batches, settlement), imports
  kAgent = 2,    // platform support (also an admin acting on a transaction)
  kPartner = 4,  // the org's own staff, through the API
};
using TxnActorMask = uint8_t;
inline constexpr TxnActorMask TxnActors(TxnActor a) {
  return static_cast<TxnActorMask>(a);
}
inline constexpr TxnActorMask operator|(TxnActor a, TxnActor b) {
  return static_cast<TxnActorMask>(TxnActors(a) | TxnActors(b));
}
inline constexpr TxnActorMask operator|(TxnActorMask a, TxnActor b) {
  return static_cast<TxnActorMask>(a | TxnActors(b));
}
inline constexpr bool TxnActorAllowed(TxnActorMask mask, TxnActor a) {
  return (mask & TxnActors(a)) != 0;
}

// "system", "agent", "partner".
std::string_view TxnActorName(TxnActor actor);

// ---------------------------------------------------------------------------
// The transition table: the only place that says which status changes exist.

struct TxnTransition {
  TxnStatus from;
  TxnStatus to;
  TxnActorMask actors;    // who may cause it
  std::string_view rule;  // what the change means, for documentation and errors
};

// Every allowed (from, to) pair exactly once. HOLD → HOLD is listed: a re-run
// of the checks after a release may hold again for another reason (the history
// records the new reason). Decisions: partners cancel INITIATED/PENDING
// transactions directly but act on holds only through review requests that an
// agent carries out (SPEC §2.2); refunds are done by agents; returns and
// chargebacks are recorded by the system (imports) or an agent.
std::span<const TxnTransition> TxnTransitionTable();

// The table row for (from, to), or nullptr when the change does not exist.
const TxnTransition* FindTxnTransition(TxnStatus from, TxnStatus to);

// OK when (from, to) is in the table and `actor` is one of its actors.
// Errors: kConflict "illegal_transition" whose message names the current status
// ("transaction is PROCESSED: it cannot become PENDING"); kForbidden
// "actor_not_allowed" when the change exists but not for this actor.
Status CheckTxnTransition(TxnStatus from, TxnStatus to, TxnActor actor);

// One line of a transaction's history (SPEC §2.4: time, actor and reason).
struct TxnTransitionRecord {
  Instant at;
  TxnStatus from;
  TxnStatus to;
  TxnActor actor;
  std::string reason;  // a reason code (HOLD / cancel reason, R-code, …) or a note
};

// CheckTxnTransition, then the history line to append. `reason` must not be empty
// (error kInvalid "reason_required").
Result<TxnTransitionRecord> RecordTxnTransition(TxnStatus from, TxnStatus to, TxnActor actor,
                                                std::string_view reason, Instant at);

// ---------------------------------------------------------------------------
// Hold reasons.

enum class HoldReason : uint8_t {
  kKycNotVerified,
  kGeoipFailed,
  kRiskModerate,
  kRiskHigh,
  kBankLoginRequired,
  kInstitutionNotResponding,
  kBankAccountLocked,
  kBankSetupRequired,
};
inline constexpr int kHoldReasonCount = 8;

// The ways a hold can be lifted. Bit values: a hold allows a set of them.
enum class ReleasePath : uint8_t {
  // Automatic, when the user's KYC status becomes VERIFIED.
  kAutoOnKycVerified = 1,
  // Automatic, when the funding bank account's status returns to VERIFIED; the
  // balance check is run again.
  kAutoOnBankVerified = 2,
  // An agent runs the balance check again.
  kAgentRetryBalanceCheck = 4,
  // An agent releases skipping the balance check (mandatory note: the
  // transaction
  // may come back as a return for insufficient funds).
  kAgentReleaseSkipBalanceCheck = 8,
  // An agent releases once the user has confirmed the account is usable again;
  // the balance check is run again.
  kAgentReleaseAfterUserConfirmation = 16,
  // An agent releases after reviewing the transaction (usually on the partner's
  // review request); the remaining checks run.
  kAgentReleaseAfterReview = 32,
};
using ReleaseMask = uint8_t;

// "auto_on_kyc_verified", "agent_release_skip_balance_check", …
std::string_view ReleasePathName(ReleasePath path);
// The inverse of ReleasePathName.
std::optional<ReleasePath> ParseReleasePath(std::string_view name);
// Who may take the path: kSystem for the automatic ones, kAgent for the others.
TxnActor ReleasePathActor(ReleasePath path);

struct HoldReasonInfo {
  HoldReason reason;
  std::string_view code;         // "KYC_NOT_VERIFIED", the API spelling
  std::string_view explanation;  // from the seed: why the transaction is held
  std::string_view next_action;  // what to do about it, and who does it
  ReleaseMask release_paths;     // the ReleasePath bits that may lift it
};

// The fixed data of `reason`.
const HoldReasonInfo& HoldInfo(HoldReason reason);
// All of them, in enum order.
std::span<const HoldReasonInfo> AllHoldReasons();
// The inverse of the code ("GEOIP_FAILED" → kGeoipFailed); nullopt for anything else.
std::optional<HoldReason> ParseHoldReason(std::string_view code);
// "KYC_NOT_VERIFIED", …
inline std::string_view HoldReasonCode(HoldReason r) {
  return HoldInfo(r).code;
}
// Whether a `r` hold may be lifted by `p` (HoldInfo(r).release_paths).
inline bool HoldAllows(HoldReason r, ReleasePath p) {
  return (HoldInfo(r).release_paths & static_cast<ReleaseMask>(p)) != 0;
}

// Whether `actor` may lift a `reason` hold by `path`. Errors: kConflict
// "release_not_allowed" (the hold does not allow that path; the message lists
// the ones it does), kForbidden "actor_not_allowed" (an agent path taken by the
// system or a partner, or an automatic one by a person), kInvalid
// "note_required" (field "note": every agent release carries a non-blank note).
Status CheckRelease(HoldReason reason, ReleasePath path, TxnActor actor, std::string_view note);

// ---------------------------------------------------------------------------
// Cancel reasons and rules.

enum class CancelReason : uint8_t {
  kInsufficientFunds,       // balance check: balance < amount + fee
  kBankCredentialsInvalid,  // aggregator: invalid credentials, MFA or send method
  kUserSuspended,           // the user was suspended
  kRiskHigh,                // high risk score with risk.high_action = cancel
  kAgentCanceled,           // an agent canceled (with a note)
  kPartnerRequested,        // the partner (for its end user) asked for it
};
inline constexpr int kCancelReasonCount = 6;

struct CancelReasonInfo {
  CancelReason reason;
  std::string_view code;         // "INSUFFICIENT_FUNDS"
  std::string_view explanation;  // for the console and the history
  TxnActorMask actors;           // who may cancel with this reason
};

// The fixed data of `reason`.
const CancelReasonInfo& CancelInfo(CancelReason reason);
// All of them, in enum order.
std::span<const CancelReasonInfo> AllCancelReasons();
// The inverse of the code ("USER_SUSPENDED"); nullopt for anything else.
std::optional<CancelReason> ParseCancelReason(std::string_view code);
// "INSUFFICIENT_FUNDS", …
inline std::string_view CancelReasonCode(CancelReason r) {
  return CancelInfo(r).code;
}

// A PENDING transaction can be canceled for this long after its creation.
inline constexpr Micros kCancelWindow = std::chrono::minutes(30);

struct CancelRequest {
  TxnStatus status;           // the transaction's current status
  Instant created_at;         // when the transaction was created
  Instant now;                // the instant of the request
  bool batch_closed = false;  // PENDING ACH: its batch passed its cutoff. Debit
                              // card: the caller passes false until processed.
  CancelReason reason = CancelReason::kAgentCanceled;
  TxnActor actor = TxnActor::kAgent;
};

// The cancel rules of SPEC §2.4:
// - INITIATED or HOLD: allowed at any time;
// - PENDING: allowed while the batch is open and now < created_at + 30 min
//   (half-open: at exactly 30:00 the window has closed). Exception: the
//   USER_SUSPENDED cancel ignores the 30-minute window (SPEC §2.2: suspension
//   cancels every transaction not yet in a closed batch);
// - PENDING outside that, or PROCESSED: kConflict "refund_required" with a message
//   that says a refund is needed;
// - CANCELED, REFUNDED, RETURNED: kConflict "illegal_transition".
// Then the actor checks: the reason's actors (e.g. AGENT_CANCELED needs an
// agent) and the table's (kForbidden "actor_not_allowed").
Status CheckCancel(const CancelRequest& request);

// PROCESSED → REFUNDED by `actor`. Errors as CheckTxnTransition, except that a
// transaction that is not PROCESSED yet gets kConflict "not_processed" telling
// to cancel instead when it still can be (INITIATED, HOLD, PENDING).
Status CheckRefund(TxnStatus status, TxnActor actor);

// ---------------------------------------------------------------------------
// Returns (ACH) and chargebacks (card): PROCESSED → RETURNED.

// "R01" … "R99": 'R' and two ASCII digits, not R00.
bool IsNachaReturnCode(std::string_view code);
// The description of a common return code (R01–R10, R16, R20, R29), or "" when
// the code is valid but not in the table.
std::string_view NachaReturnCodeDescription(std::string_view code);

inline constexpr size_t kMaxChargebackReasonBytes = 200;

// Checks a return with a NACHA R-code. Errors: kInvalid "invalid_return_code"
// (field "code"); then as CheckTxnTransition(status, RETURNED, actor).
Status CheckReturn(TxnStatus status, std::string_view r_code, TxnActor actor);
// Checks a card chargeback. `reason`: 1..kMaxChargebackReasonBytes bytes, not
// blank, no control characters; else kInvalid "invalid_chargeback_reason"
// (field "reason"). Then as CheckTxnTransition(status, RETURNED, actor).
Status CheckChargeback(TxnStatus status, std::string_view reason, TxnActor actor);

}  // namespace payops
