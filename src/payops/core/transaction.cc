#include "payops/core/transaction.h"

#include <array>
#include <cassert>
#include <string>

namespace payops {
namespace {

using enum TxnStatus;
constexpr TxnActor kSys = TxnActor::kSystem;
constexpr TxnActor kAgt = TxnActor::kAgent;
constexpr TxnActor kPtn = TxnActor::kPartner;

constexpr std::array<std::string_view, kTxnStatusCount> kStatusNames = {
    "INITIATED", "HOLD", "PENDING", "PROCESSED", "CANCELED", "REFUNDED", "RETURNED"};

// THE transition table (SPEC §2.4). Any change not listed here is illegal.
constexpr TxnTransition kTransitions[] = {
    {kInitiated, kHold, TxnActors(kSys), "a check of the pipeline held it"},
    {kInitiated, kPending, TxnActors(kSys), "all checks passed"},
    {kInitiated, kCanceled, kSys | kAgt | kPtn, "canceled before or by the checks"},
    {kHold, kHold, kSys | kAgt, "a re-run of the checks held it for another reason"},
    {kHold, kPending, kSys | kAgt, "released and the remaining checks passed"},
    {kHold, kCanceled, kSys | kAgt, "canceled while held"},
    {kPending, kProcessed, TxnActors(kSys), "its batch settled / card processing ran"},
    {kPending, kCanceled, kSys | kAgt | kPtn,
     "canceled within 30 minutes of creation while its batch was open"},
    {kProcessed, kRefunded, TxnActors(kAgt), "refunded to the user"},
    {kProcessed, kReturned, kSys | kAgt, "ACH return or card chargeback"},
};

// A dense lookup [from][to] → index into kTransitions + 1 (0: no transition).
constexpr auto kTransitionIndex = [] {
  std::array<std::array<uint8_t, kTxnStatusCount>, kTxnStatusCount> idx{};
  for (size_t i = 0; i < std::size(kTransitions); ++i) {
    idx[static_cast<size_t>(kTransitions[i].from)][static_cast<size_t>(kTransitions[i].to)] =
        static_cast<uint8_t>(i + 1);
  }
  return idx;
}();

constexpr ReleaseMask Paths(ReleasePath a) {
  return static_cast<ReleaseMask>(a);
}
constexpr ReleaseMask Paths(ReleasePath a, ReleasePath b) {
  return static_cast<ReleaseMask>(Paths(a) | Paths(b));
}

constexpr HoldReasonInfo kHoldReasons[] = {
    {HoldReason::kKycNotVerified, "KYC_NOT_VERIFIED",
     "The user's KYC status is not VERIFIED. A user may initiate a transaction whatever their KYC "
     "status (unless suspended), but transactions are not processed until the user's KYC is "
     "verified.",
     "Complete the user's KYC verification. The transaction is released automatically, and the "
     "remaining checks run, when the KYC status becomes VERIFIED; it cannot be released by hand. "
     "Cancel it if the KYC will not be verified.",
     Paths(ReleasePath::kAutoOnKycVerified)},
    {HoldReason::kGeoipFailed, "GEOIP_FAILED",
     "GeoIP check failed: the client IP address is in a country outside the org's allowed "
     "countries, is not in the user's own country, or could not be located.",
     "The partner checks with the user (travel, VPN, a shared device) and sends a review request; "
     "an agent then releases the transaction (the risk score and the balance check run; the "
     "balance check may be skipped with a note) or cancels it.",
     Paths(ReleasePath::kAgentReleaseAfterReview, ReleasePath::kAgentReleaseSkipBalanceCheck)},
    {HoldReason::kRiskModerate, "RISK_MODERATE",
     "The transaction was assigned a moderate risk score (by default 7 to under 70) and is put on "
     "hold.",
     "The partner reviews the transaction and requests the platform to either process or cancel "
     "it; an agent carries out the request (a release does not score it again).",
     Paths(ReleasePath::kAgentReleaseAfterReview, ReleasePath::kAgentReleaseSkipBalanceCheck)},
    {HoldReason::kRiskHigh, "RISK_HIGH",
     "The transaction was assigned a high risk score (by default 70 or more): it is held for "
     "enhanced review.",
     "The partner reviews the transaction more diligently and requests the platform to either "
     "process or cancel it; an agent carries out the request (a release does not score it again).",
     Paths(ReleasePath::kAgentReleaseAfterReview, ReleasePath::kAgentReleaseSkipBalanceCheck)},
    {HoldReason::kBankLoginRequired, "BANK_LOGIN_REQUIRED",
     "Error in the balance enquiry: the login details of this bank item have changed (credentials, "
     "MFA, or a required user action). The user may have changed their bank login details.",
     "The partner asks the user to log in and update their bank details. When the bank status "
     "moves from LOGIN_REQUIRED to VERIFIED the transaction is released automatically and the "
     "balance check runs again. If the user stays stuck in LOGIN_REQUIRED, an agent may, after "
     "talking to the partner, release it skipping the balance check (with a note).",
     Paths(ReleasePath::kAutoOnBankVerified, ReleasePath::kAgentReleaseSkipBalanceCheck)},
    {HoldReason::kInstitutionNotResponding, "INSTITUTION_NOT_RESPONDING",
     "Error in the balance enquiry: this institution is not currently responding to this request "
     "(a process error at the user's bank).",
     "An agent retries the balance check once the error is resolved. If it is not fixed within a "
     "short time, the platform and the partner agree either to release skipping the balance check "
     "(the partner must confirm: the transaction may be returned for insufficient funds) or to "
     "cancel.",
     Paths(ReleasePath::kAgentRetryBalanceCheck, ReleasePath::kAgentReleaseSkipBalanceCheck)},
    {HoldReason::kBankAccountLocked, "BANK_ACCOUNT_LOCKED",
     "Error in the balance enquiry: ITEM_LOCKED. The financial institution indicated that the "
     "user's account is locked.",
     "The partner asks the user to work with their institution to unlock the account. Once the "
     "user confirms the account is active, an agent releases the transaction (the balance check "
     "runs again).",
     Paths(ReleasePath::kAgentReleaseAfterUserConfirmation)},
    {HoldReason::kBankSetupRequired, "BANK_SETUP_REQUIRED",
     "Error in the balance enquiry: user setup required. The user's bank account setup is not "
     "complete: the user must log in to the financial institution and take some action (e.g. agree "
     "to updated terms and conditions, change their password) before the account can be accessed.",
     "The partner asks the user to complete the setup at their bank. Once the user confirms the "
     "setup is complete, an agent releases the transaction (the balance check runs again).",
     Paths(ReleasePath::kAgentReleaseAfterUserConfirmation)},
};
static_assert(std::size(kHoldReasons) == kHoldReasonCount);

constexpr CancelReasonInfo kCancelReasons[] = {
    {CancelReason::kInsufficientFunds, "INSUFFICIENT_FUNDS",
     "The balance check found less than the amount plus fees in the user's bank account.",
     TxnActors(kSys)},
    {CancelReason::kBankCredentialsInvalid, "BANK_CREDENTIALS_INVALID",
     "The financial institution indicated that the credentials, the MFA response or the MFA send "
     "method were invalid; the user must add another bank to create a transaction.",
     TxnActors(kSys)},
    {CancelReason::kUserSuspended, "USER_SUSPENDED",
     "The user was suspended: their transactions not yet in a closed batch are canceled.",
     kSys | kAgt | kPtn},
    {CancelReason::kRiskHigh, "RISK_HIGH",
     "The transaction was assigned a high risk score and the risk.high_action setting is cancel.",
     TxnActors(kSys)},
    {CancelReason::kAgentCanceled, "AGENT_CANCELED", "Canceled by platform support.",
     TxnActors(kAgt)},
    {CancelReason::kPartnerRequested, "PARTNER_REQUESTED",
     "Canceled at the partner's request (for its user).", kAgt | kPtn},
};
static_assert(std::size(kCancelReasons) == kCancelReasonCount);

struct ReleasePathEntry {
  ReleasePath path;
  std::string_view name;
};
constexpr ReleasePathEntry kReleasePathNames[] = {
    {ReleasePath::kAutoOnKycVerified, "auto_on_kyc_verified"},
    {ReleasePath::kAutoOnBankVerified, "auto_on_bank_verified"},
    {ReleasePath::kAgentRetryBalanceCheck, "agent_retry_balance_check"},
    {ReleasePath::kAgentReleaseSkipBalanceCheck, "agent_release_skip_balance_check"},
    {ReleasePath::kAgentReleaseAfterUserConfirmation, "agent_release_after_user_confirmation"},
    {ReleasePath::kAgentReleaseAfterReview, "agent_release_after_review"},
};

struct ReturnCodeText {
  std::string_view code;
  std::string_view description;
};
// NACHA return reason codes most often seen on consumer debits.
constexpr ReturnCodeText kReturnCodes[] = {
    {"R01", "Insufficient funds"},
    {"R02", "Account closed"},
    {"R03", "No account / unable to locate account"},
    {"R04", "Invalid account number structure"},
    {"R05", "Unauthorized debit to consumer account using corporate SEC code"},
    {"R06", "Returned per ODFI's request"},
    {"R07", "Authorization revoked by customer"},
    {"R08", "Payment stopped"},
    {"R09", "Uncollected funds"},
    {"R10",
     "Customer advises unauthorized, improper, ineligible, or part of an incomplete transaction"},
    {"R16", "Account frozen / entry returned per OFAC instruction"},
    {"R20", "Non-transaction account"},
    {"R29", "Corporate customer advises not authorized"},
};

bool IsBlank(std::string_view s) {
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return true;
}

std::string StatusStr(TxnStatus s) {
  return std::string(TxnStatusName(s));
}

}  // namespace

std::string_view TxnStatusName(TxnStatus status) {
  auto i = static_cast<size_t>(status);
  assert(i < kStatusNames.size());
  return kStatusNames[i];
}

std::optional<TxnStatus> ParseTxnStatus(std::string_view name) {
  for (size_t i = 0; i < kStatusNames.size(); ++i) {
    if (kStatusNames[i] == name) return static_cast<TxnStatus>(i);
  }
  return std::nullopt;
}

bool IsFinalStatus(TxnStatus status) {
  return status == kCanceled || status == kRefunded || status == kReturned;
}

std::string_view TxnActorName(TxnActor actor) {
  switch (actor) {
    case TxnActor::kSystem:
      return "system";
    case TxnActor::kAgent:
      return "agent";
    case TxnActor::kPartner:
      return "partner";
  }
  return "system";
}

std::span<const TxnTransition> TxnTransitionTable() {
  return kTransitions;
}

const TxnTransition* FindTxnTransition(TxnStatus from, TxnStatus to) {
  uint8_t i = kTransitionIndex[static_cast<size_t>(from)][static_cast<size_t>(to)];
  return i == 0 ? nullptr : &kTransitions[i - 1];
}

Status CheckTxnTransition(TxnStatus from, TxnStatus to, TxnActor actor) {
  const TxnTransition* t = FindTxnTransition(from, to);
  if (t == nullptr) {
    return Error::Conflict("illegal_transition", "transaction is " + StatusStr(from) +
                                                     ": it cannot become " + StatusStr(to));
  }
  if (!TxnActorAllowed(t->actors, actor)) {
    return Error{ErrorKind::kForbidden,
                 "actor_not_allowed",
                 "transaction is " + StatusStr(from) + ": a " + std::string(TxnActorName(actor)) +
                     " cannot make it " + StatusStr(to),
                 {}};
  }
  return Status::Ok();
}

Result<TxnTransitionRecord> RecordTxnTransition(TxnStatus from, TxnStatus to, TxnActor actor,
                                                std::string_view reason, Instant at) {
  PAYOPS_TRY(CheckTxnTransition(from, to, actor));
  if (IsBlank(reason)) {
    return Error::Invalid("reason_required", "a status change needs a reason", "reason");
  }
  return TxnTransitionRecord{at, from, to, actor, std::string(reason)};
}

// ---- Holds ----

std::string_view ReleasePathName(ReleasePath path) {
  for (const auto& p : kReleasePathNames) {
    if (p.path == path) return p.name;
  }
  assert(false && "unknown release path");
  return "";
}

std::optional<ReleasePath> ParseReleasePath(std::string_view name) {
  for (const auto& p : kReleasePathNames) {
    if (p.name == name) return p.path;
  }
  return std::nullopt;
}

TxnActor ReleasePathActor(ReleasePath path) {
  return path == ReleasePath::kAutoOnKycVerified || path == ReleasePath::kAutoOnBankVerified
             ? TxnActor::kSystem
             : TxnActor::kAgent;
}

const HoldReasonInfo& HoldInfo(HoldReason reason) {
  auto i = static_cast<size_t>(reason);
  assert(i < std::size(kHoldReasons) && kHoldReasons[i].reason == reason);
  return kHoldReasons[i];
}

std::span<const HoldReasonInfo> AllHoldReasons() {
  return kHoldReasons;
}

std::optional<HoldReason> ParseHoldReason(std::string_view code) {
  for (const auto& h : kHoldReasons) {
    if (h.code == code) return h.reason;
  }
  return std::nullopt;
}

Status CheckRelease(HoldReason reason, ReleasePath path, TxnActor actor, std::string_view note) {
  const HoldReasonInfo& info = HoldInfo(reason);
  if (!HoldAllows(reason, path)) {
    std::string allowed;
    for (const auto& p : kReleasePathNames) {
      if (info.release_paths & static_cast<ReleaseMask>(p.path)) {
        if (!allowed.empty()) allowed += ", ";
        allowed += p.name;
      }
    }
    return Error::Conflict("release_not_allowed",
                           "a " + std::string(info.code) + " hold cannot be lifted by " +
                               std::string(ReleasePathName(path)) + "; it allows: " + allowed);
  }
  if (ReleasePathActor(path) != actor) {
    return Error{ErrorKind::kForbidden,
                 "actor_not_allowed",
                 std::string(ReleasePathName(path)) + " cannot be taken by a " +
                     std::string(TxnActorName(actor)),
                 {}};
  }
  if (actor == TxnActor::kAgent && IsBlank(note)) {
    return Error::Invalid("note_required", "a release by an agent needs a note", "note");
  }
  return CheckTxnTransition(kHold, kPending, actor);
}

// ---- Cancels and refunds ----

const CancelReasonInfo& CancelInfo(CancelReason reason) {
  auto i = static_cast<size_t>(reason);
  assert(i < std::size(kCancelReasons) && kCancelReasons[i].reason == reason);
  return kCancelReasons[i];
}

std::span<const CancelReasonInfo> AllCancelReasons() {
  return kCancelReasons;
}

std::optional<CancelReason> ParseCancelReason(std::string_view code) {
  for (const auto& c : kCancelReasons) {
    if (c.code == code) return c.reason;
  }
  return std::nullopt;
}

Status CheckCancel(const CancelRequest& r) {
  switch (r.status) {
    case kInitiated:
    case kHold:
      break;
    case kPending: {
      if (r.batch_closed) {
        return Error::Conflict("refund_required",
                               "transaction is PENDING and its batch is closed: it can no longer "
                               "be canceled; a refund is needed once it is processed");
      }
      const bool window_applies = r.reason != CancelReason::kUserSuspended;
      if (window_applies && r.now - r.created_at >= kCancelWindow) {
        return Error::Conflict(
            "refund_required",
            "transaction is PENDING and was created more than 30 minutes ago: it can no longer be "
            "canceled; a refund is needed once it is processed");
      }
      break;
    }
    case kProcessed:
      return Error::Conflict("refund_required",
                             "transaction is PROCESSED: it cannot be canceled; a refund is needed");
    case kCanceled:
    case kRefunded:
    case kReturned:
      return CheckTxnTransition(r.status, kCanceled, r.actor);
  }
  const CancelReasonInfo& info = CancelInfo(r.reason);
  if (!TxnActorAllowed(info.actors, r.actor)) {
    return Error{ErrorKind::kForbidden,
                 "actor_not_allowed",
                 "a " + std::string(TxnActorName(r.actor)) + " cannot cancel with reason " +
                     std::string(info.code),
                 {}};
  }
  return CheckTxnTransition(r.status, kCanceled, r.actor);
}

Status CheckRefund(TxnStatus status, TxnActor actor) {
  if (status == kInitiated || status == kHold || status == kPending) {
    return Error::Conflict("not_processed",
                           "transaction is " + StatusStr(status) +
                               ": only a PROCESSED transaction is refunded; cancel it instead");
  }
  return CheckTxnTransition(status, kRefunded, actor);
}

// ---- Returns and chargebacks ----

bool IsNachaReturnCode(std::string_view code) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  return code.size() == 3 && code[0] == 'R' && digit(code[1]) && digit(code[2]) &&
         !(code[1] == '0' && code[2] == '0');
}

std::string_view NachaReturnCodeDescription(std::string_view code) {
  for (const auto& r : kReturnCodes) {
    if (r.code == code) return r.description;
  }
  return {};
}

Status CheckReturn(TxnStatus status, std::string_view r_code, TxnActor actor) {
  if (!IsNachaReturnCode(r_code)) {
    return Error::Invalid("invalid_return_code", "code must be a NACHA return code R01 to R99",
                          "code");
  }
  return CheckTxnTransition(status, kReturned, actor);
}

Status CheckChargeback(TxnStatus status, std::string_view reason, TxnActor actor) {
  bool ok = !reason.empty() && reason.size() <= kMaxChargebackReasonBytes && !IsBlank(reason);
  for (char c : reason) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) ok = false;
  }
  if (!ok) {
    return Error::Invalid("invalid_chargeback_reason",
                          "reason must be 1 to 200 bytes of text without control characters",
                          "reason");
  }
  return CheckTxnTransition(status, kReturned, actor);
}

}  // namespace payops
