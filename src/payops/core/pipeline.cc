#include "payops/core/pipeline.h"

#include <algorithm>
#include <cassert>
#include <string>

namespace payops {
namespace {

constexpr std::string_view kLimitNames[] = {"per_transaction", "daily", "rolling_30_days"};

std::string Amount(int64_t minor_units, const Currency& currency) {
  return Money(minor_units, currency).ToString();
}

void AddStep(PipelineOutcome& out, PipelineStep step, StepResult result, std::string_view detail) {
  assert(out.step_count < out.step_storage.size());
  out.step_storage[out.step_count++] = StepRecord{step, result, detail};
}

void Hold(PipelineOutcome& out, PipelineStep step, HoldReason reason, PipelineStep resume_from) {
  out.verdict = PipelineVerdict::kHold;
  out.status = TxnStatus::kHold;
  out.hold_reason = reason;
  out.decided_at = step;
  out.resume_from = resume_from;
  AddStep(out, step, StepResult::kHeld, HoldReasonCode(reason));
}

void Cancel(PipelineOutcome& out, PipelineStep step, CancelReason reason) {
  out.verdict = PipelineVerdict::kCanceled;
  out.status = TxnStatus::kCanceled;
  out.cancel_reason = reason;
  out.decided_at = step;
  AddStep(out, step, StepResult::kCanceled, CancelReasonCode(reason));
}

void Pass(PipelineOutcome& out) {
  out.verdict = PipelineVerdict::kPending;
  out.status = TxnStatus::kPending;
  out.decided_at = PipelineStep::kDone;
}

bool Contains(std::span<const std::string> list, std::string_view s) {
  for (const std::string& x : list) {
    if (x == s) return true;
  }
  return false;
}

}  // namespace

// ---- Limits ----

Status ValidateTierLimits(const TierLimits& limits) {
  if (!Currency::Parse(limits.currency).ok()) {
    return Error::Invalid("invalid_tier_limits", "tier limit currency is not an ISO 4217 code",
                          "tier_limits");
  }
  for (size_t i = 0; i < limits.by_tier.size(); ++i) {
    const TierLimit& t = limits.by_tier[i];
    if (!(t.per_transaction_minor > 0 && t.per_transaction_minor <= t.daily_minor &&
          t.daily_minor <= t.rolling_30_days_minor)) {
      return Error::Invalid(
          "invalid_tier_limits",
          "tier " + std::to_string(i + 1) +
              " limits must satisfy 0 < per_transaction <= daily <= rolling_30_days",
          "tier_limits");
    }
    if (t.per_transaction_minor > kMaxAmountMinor || t.rolling_30_days_minor > kMaxBalanceMinor) {
      return Error::Invalid(
          "invalid_tier_limits",
          "tier " + std::to_string(i + 1) +
              " limits must satisfy per_transaction <= " + std::to_string(kMaxAmountMinor) +
              " and rolling_30_days <= " + std::to_string(kMaxBalanceMinor) + " (minor units)",
          "tier_limits");
    }
  }
  return Status::Ok();
}

Result<TierLimit> LimitForTier(const TierLimits& limits, int64_t tier) {
  if (tier < kMinTier || tier > kMaxTier) {
    return Error::Invalid("invalid_tier", "tier must be 1, 2 or 3", "tier");
  }
  return limits.by_tier[static_cast<size_t>(tier - kMinTier)];
}

bool CountsTowardLimits(TxnStatus status) {
  return status != TxnStatus::kCanceled;
}

Result<LimitUsage> SumLimitUsage(std::span<const LimitUsageItem> items, Instant now) {
  LimitUsage used;
  const Instant day_start = now - kDailyLimitWindow;
  const Instant month_start = now - kRolling30DaysLimitWindow;
  for (const LimitUsageItem& item : items) {
    if (item.amount_minor < 0) {
      return Error::Invalid("invalid_amount", "a transaction amount is negative", "amount");
    }
    if (!CountsTowardLimits(item.status)) continue;
    if (item.created_at > month_start) {
      PAYOPS_ASSIGN_OR_RETURN(used.last_30_days_minor,
                              CheckedAdd(used.last_30_days_minor, item.amount_minor));
    }
    if (item.created_at > day_start) {
      PAYOPS_ASSIGN_OR_RETURN(used.last_24h_minor,
                              CheckedAdd(used.last_24h_minor, item.amount_minor));
    }
  }
  assert(used.last_24h_minor <= used.last_30_days_minor);
  return used;
}

Status CheckInitiation(const InitiationRequest& req, const TierLimits& limits) {
  PAYOPS_TRY(CheckAmount(req.amount_minor, "amount"));
  if (req.kyc_status == KycStatus::kSuspended) {
    return Error::Refused("user_suspended",
                          "the user is suspended and cannot initiate transactions");
  }
  PAYOPS_ASSIGN_OR_RETURN(const TierLimit tier, LimitForTier(limits, req.tier));
  if (req.currency != limits.currency) {
    return Error::Refused("currency_not_supported",
                          "tier limits are in " + std::string(limits.currency) +
                              "; transactions in " + std::string(req.currency) +
                              " are not supported",
                          "currency");
  }
  auto currency = Currency::Parse(limits.currency);
  assert(currency.ok());
  // remaining = limit - used, floored at 0; used ≥ 0 keeps this from
  // overflowing.
  auto remaining = [](int64_t limit_minor, int64_t used_minor) {
    return used_minor >= limit_minor ? int64_t{0} : limit_minor - std::max<int64_t>(used_minor, 0);
  };
  const int64_t limit_minor[] = {tier.per_transaction_minor, tier.daily_minor,
                                 tier.rolling_30_days_minor};
  const int64_t remaining_minor[] = {
      tier.per_transaction_minor, remaining(tier.daily_minor, req.used.last_24h_minor),
      remaining(tier.rolling_30_days_minor, req.used.last_30_days_minor)};
  for (size_t i = 0; i < std::size(limit_minor); ++i) {
    if (req.amount_minor > remaining_minor[i]) {
      return Error::Refused("limit_exceeded",
                            "amount " + Amount(req.amount_minor, *currency) + " exceeds the " +
                                std::string(kLimitNames[i]) + " limit of " +
                                Amount(limit_minor[i], *currency) + " for tier " +
                                std::to_string(req.tier) + "; " +
                                Amount(remaining_minor[i], *currency) + " remains",
                            "amount");
    }
  }
  return Status::Ok();
}

// ---- Names ----

std::string_view FundingTypeName(FundingType type) {
  return type == FundingType::kAch ? "ach" : "debit_card";
}

std::optional<FundingType> ParseFundingType(std::string_view name) {
  if (name == "ach") return FundingType::kAch;
  if (name == "debit_card") return FundingType::kDebitCard;
  return std::nullopt;
}

namespace {
constexpr std::string_view kBankStatusNames[] = {"VERIFIED", "LOGIN_REQUIRED", "LOCKED",
                                                 "SETUP_REQUIRED", "INVALID"};
constexpr std::string_view kBalanceErrorNames[] = {
    "ITEM_LOGIN_REQUIRED", "INSTITUTION_NOT_RESPONDING", "ITEM_LOCKED",
    "USER_SETUP_REQUIRED", "INVALID_CREDENTIALS",        "INVALID_MFA",
    "INVALID_SEND_METHOD"};
constexpr std::string_view kStepNames[] = {"kyc_gate", "geoip", "risk", "balance_check", "done"};
constexpr std::string_view kStepResultNames[] = {"passed", "skipped", "held", "canceled",
                                                 "waiting"};

template <class E, size_t N>
std::optional<E> ParseName(const std::string_view (&names)[N], std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<E>(i);
  }
  return std::nullopt;
}
}  // namespace

std::string_view BankStatusName(BankStatus s) {
  return kBankStatusNames[static_cast<size_t>(s)];
}
std::optional<BankStatus> ParseBankStatus(std::string_view name) {
  return ParseName<BankStatus>(kBankStatusNames, name);
}
std::string_view BalanceErrorName(BalanceError e) {
  return kBalanceErrorNames[static_cast<size_t>(e)];
}
std::optional<BalanceError> ParseBalanceError(std::string_view name) {
  return ParseName<BalanceError>(kBalanceErrorNames, name);
}
std::string_view PipelineStepName(PipelineStep s) {
  return kStepNames[static_cast<size_t>(s)];
}
std::optional<PipelineStep> ParsePipelineStep(std::string_view name) {
  return ParseName<PipelineStep>(kStepNames, name);
}
std::string_view StepResultName(StepResult r) {
  return kStepResultNames[static_cast<size_t>(r)];
}

std::string_view PipelineOutcome::reason_code() const {
  if (hold_reason) return HoldReasonCode(*hold_reason);
  if (cancel_reason) return CancelReasonCode(*cancel_reason);
  return {};
}

// ---- The pipeline ----

PipelineOutcome RunPipeline(const PipelineInput& in, const RiskConfig& risk_config,
                            const BalanceAnswer* balance) {
  assert(in.amount_minor > 0 && in.fee_minor >= 0);
  assert(in.start != PipelineStep::kKycGate);
  PipelineOutcome out;

  // 1. KYC gate.
  if (in.kyc_status == KycStatus::kSuspended) {
    Cancel(out, PipelineStep::kKycGate, CancelReason::kUserSuspended);
    return out;
  }
  if (in.kyc_status != KycStatus::kVerified) {
    Hold(out, PipelineStep::kKycGate, HoldReason::kKycNotVerified, in.start);
    return out;
  }
  AddStep(out, PipelineStep::kKycGate, StepResult::kPassed, "kyc_verified");

  // 2. GeoIP.
  if (in.start <= PipelineStep::kGeoip) {
    std::string_view problem;
    if (in.ip_country.empty()) {
      problem = "ip_country_unknown";
    } else if (!Contains(in.allowed_countries, in.ip_country)) {
      problem = "ip_country_not_allowed";
    } else if (in.ip_country != in.user_country) {
      problem = "ip_country_not_user_country";
    }
    if (!problem.empty()) {
      Hold(out, PipelineStep::kGeoip, HoldReason::kGeoipFailed, PipelineStep::kRisk);
      out.step_storage[out.step_count - 1].detail = problem;
      return out;
    }
    AddStep(out, PipelineStep::kGeoip, StepResult::kPassed, "ip_country_ok");
  }

  // 3. Risk score.
  if (in.start <= PipelineStep::kRisk) {
    out.risk = ScoreRisk(in.risk, risk_config, in.options.sandbox);
    switch (out.risk->band) {
      case RiskBand::kSafe:
        AddStep(out, PipelineStep::kRisk, StepResult::kPassed, RiskBandName(RiskBand::kSafe));
        break;
      case RiskBand::kModerate:
        Hold(out, PipelineStep::kRisk, HoldReason::kRiskModerate, PipelineStep::kBalance);
        return out;
      case RiskBand::kHigh:
        if (in.options.high_action == HighRiskAction::kCancel) {
          Cancel(out, PipelineStep::kRisk, CancelReason::kRiskHigh);
        } else {
          Hold(out, PipelineStep::kRisk, HoldReason::kRiskHigh, PipelineStep::kBalance);
        }
        return out;
    }
  }

  // 4. Balance check: ACH only (the KYC gate passed, so the user is verified).
  if (in.start <= PipelineStep::kBalance) {
    if (in.funding != FundingType::kAch) {
      AddStep(out, PipelineStep::kBalance, StepResult::kSkipped, "debit_card");
    } else if (in.options.skip_balance_check) {
      AddStep(out, PipelineStep::kBalance, StepResult::kSkipped, "skip_balance_check");
    } else {
      out.verdict = PipelineVerdict::kNeedsBalanceCheck;
      out.status = TxnStatus::kInitiated;
      out.decided_at = PipelineStep::kBalance;
      if (balance == nullptr) return out;
      return ContinueWithBalance(out, in, *balance);
    }
  }

  // 5. All checks passed.
  Pass(out);
  return out;
}

PipelineOutcome ContinueWithBalance(const PipelineOutcome& waiting, const PipelineInput& in,
                                    const BalanceAnswer& balance) {
  assert(waiting.verdict == PipelineVerdict::kNeedsBalanceCheck);
  assert(in.funding == FundingType::kAch && in.kyc_status == KycStatus::kVerified);
  PipelineOutcome out = waiting;
  constexpr PipelineStep kStep = PipelineStep::kBalance;
  if (balance.has_balance) {
    auto needed = CheckedAdd(in.amount_minor, in.fee_minor);
    if (needed.ok() && balance.balance_minor >= *needed) {
      AddStep(out, kStep, StepResult::kPassed, "balance_sufficient");
      Pass(out);
    } else {
      Cancel(out, kStep, CancelReason::kInsufficientFunds);
    }
    return out;
  }
  switch (balance.error) {
    case BalanceError::kItemLoginRequired:
      Hold(out, kStep, HoldReason::kBankLoginRequired, kStep);
      out.new_bank_status = BankStatus::kLoginRequired;
      break;
    case BalanceError::kInstitutionNotResponding:
      Hold(out, kStep, HoldReason::kInstitutionNotResponding, kStep);
      break;
    case BalanceError::kItemLocked:
      Hold(out, kStep, HoldReason::kBankAccountLocked, kStep);
      out.new_bank_status = BankStatus::kLocked;
      break;
    case BalanceError::kUserSetupRequired:
      Hold(out, kStep, HoldReason::kBankSetupRequired, kStep);
      out.new_bank_status = BankStatus::kSetupRequired;
      break;
    case BalanceError::kInvalidCredentials:
    case BalanceError::kInvalidMfa:
    case BalanceError::kInvalidSendMethod:
      Cancel(out, kStep, CancelReason::kBankCredentialsInvalid);
      out.new_bank_status = BankStatus::kInvalid;
      break;
  }
  return out;
}

Result<ResumePlan> PlanRelease(HoldReason reason, ReleasePath path, TxnActor actor,
                               std::string_view note, PipelineStep resume_from) {
  PAYOPS_TRY(CheckRelease(reason, path, actor, note));
  assert(resume_from != PipelineStep::kKycGate);
  return ResumePlan{resume_from, path == ReleasePath::kAgentReleaseSkipBalanceCheck};
}

}  // namespace payops
