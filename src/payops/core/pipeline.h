// Initiation limits (SPEC §2.1, §2.2 step 1) and the checks pipeline (SPEC §2.2
// steps 2–6) as pure functions.
//
// The pipeline is one function from the facts about a transaction to an
// outcome: KYC gate → GeoIP → risk score → balance check (ACH only) → PENDING.
// It does no I/O: the IP country is looked up by the caller, and the balance
// provider's answer is supplied by the caller, lazily (RunPipeline stops with
// kNeedsBalanceCheck when it reaches the balance step without an answer; the
// caller asks the provider and calls ContinueWithBalance), so debit cards, held
// transactions and unverified users never cost a provider call.
//
// No clock reads, no threads, no allocation (the outcome has fixed-size arrays
// and string_views into static data). Thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "payops/core/clock.h"
#include "payops/core/end_user.h"
#include "payops/core/money.h"
#include "payops/core/result.h"
#include "payops/core/risk.h"
#include "payops/core/transaction.h"

namespace payops {

// ---------------------------------------------------------------------------
// Tier limits and the initiation check.

struct TierLimit {
  int64_t per_transaction_minor = 0;
  int64_t daily_minor = 0;            // over the 24 h ending at the initiation
  int64_t rolling_30_days_minor = 0;  // over the 30 × 24 h ending at the initiation
};

// Configurable limits per tier (index tier - 1), in `currency` minor units.
struct TierLimits {
  std::string_view currency = "USD";  // a static or config-owned string
  std::array<TierLimit, kMaxTier> by_tier = {{
      {99'900, 99'900, 299'900},      // tier 1:   999.00 /   999.00 /  2,999.00
      {299'900, 299'900, 999'900},    // tier 2: 2,999.00 / 2,999.00 /  9,999.00
      {999'900, 999'900, 3'000'000},  // tier 3: 9,999.00 / 9,999.00 / 30,000.00
  }};
};

// OK when currency is an ISO 4217 code and, for every tier,
// 0 < per_transaction ≤ daily ≤ rolling_30_days, per_transaction ≤
// kMaxAmountMinor and rolling_30_days ≤ kMaxBalanceMinor. Error kInvalid
// "invalid_tier_limits" (field "tier_limits").
Status ValidateTierLimits(const TierLimits& limits);

// The limits of `tier` (kMinTier..kMaxTier); error kInvalid "invalid_tier"
// (field "tier") otherwise.
Result<TierLimit> LimitForTier(const TierLimits& limits, int64_t tier);

// The windows of the daily and 30-day limits. Decision: rolling windows ending
// at the initiation instant, not calendar days (no time zone can make a user's
// "day" ambiguous, and a limit cannot be doubled around midnight).
inline constexpr Micros kDailyLimitWindow = std::chrono::hours(24);
inline constexpr Micros kRolling30DaysLimitWindow = std::chrono::hours(24 * 30);

// What the user has already used of the windowed limits, in limit-currency
// minor units. Gathered by the caller (e.g. SumLimitUsage) and passed in.
struct LimitUsage {
  int64_t last_24h_minor = 0;
  int64_t last_30_days_minor = 0;
};

// Whether a transaction in `status` uses up limit: every status but CANCELED (a
// refunded or returned transfer still moved money when it was sent).
bool CountsTowardLimits(TxnStatus status);

// One of the user's earlier transactions, for SumLimitUsage.
struct LimitUsageItem {
  Instant created_at;
  int64_t amount_minor = 0;  // ≥ 0
  TxnStatus status = TxnStatus::kInitiated;
};

// Sums the items that count toward limits into the two windows: an item is in a window
// when created_at > now - window (items stamped after `now`, e.g. after the sandbox
// clock went back, count: limits err on the safe side). Errors: kInvalid
// "invalid_amount" for a negative item; "amount_overflow" (kRefused) on overflow.
Result<LimitUsage> SumLimitUsage(std::span<const LimitUsageItem> items, Instant now);

struct InitiationRequest {
  KycStatus kyc_status = KycStatus::kUnverified;
  int64_t tier = kMinTier;
  int64_t amount_minor = 0;
  std::string_view currency;  // the send currency, ISO 4217
  LimitUsage used;
};

// SPEC §2.2 step 1, in this order:
// - amount_minor ≤ 0: kInvalid "invalid_amount" (field "amount"); past
//   kMaxAmountMinor: kRefused "amount_too_large";
// - a SUSPENDED user: kRefused "user_suspended";
// - tier outside the table: kInvalid "invalid_tier" (field "tier");
// - currency other than the limits' currency: kRefused "currency_not_supported" (field
//   "currency");
// - per_transaction, then daily, then rolling_30_days: the first exceeded gives kRefused
//   "limit_exceeded", field "amount", with a message naming the limit and what remains
//   of it ("amount 500.00 USD exceeds the daily limit of 999.00 USD for tier 1;
//   249.00 USD remains"). An amount equal to what remains is allowed.
// Any other KYC status may initiate (the KYC gate holds it later).
Status CheckInitiation(const InitiationRequest& request, const TierLimits& limits);

// ---------------------------------------------------------------------------
// Funding and the balance provider's vocabulary.

enum class FundingType : uint8_t { kAch, kDebitCard };
// "ach", "debit_card".
std::string_view FundingTypeName(FundingType type);
// The inverse of FundingTypeName; nullopt for anything else.
std::optional<FundingType> ParseFundingType(std::string_view name);

// A bank account's status (SPEC §2.1).
enum class BankStatus : uint8_t { kVerified, kLoginRequired, kLocked, kSetupRequired, kInvalid };
// "VERIFIED", "LOGIN_REQUIRED", "LOCKED", "SETUP_REQUIRED", "INVALID".
std::string_view BankStatusName(BankStatus status);
// The inverse of BankStatusName; nullopt for anything else.
std::optional<BankStatus> ParseBankStatus(std::string_view name);

// The aggregator's error answers (SPEC §2.2 step 5).
enum class BalanceError : uint8_t {
  kItemLoginRequired,
  kInstitutionNotResponding,
  kItemLocked,
  kUserSetupRequired,
  kInvalidCredentials,
  kInvalidMfa,
  kInvalidSendMethod,
};
// "ITEM_LOGIN_REQUIRED", … (the aggregator's spelling, also the sandbox_error).
std::string_view BalanceErrorName(BalanceError error);
// The inverse of BalanceErrorName; nullopt for anything else.
std::optional<BalanceError> ParseBalanceError(std::string_view name);

// The balance provider's answer: a balance (may be negative) or an error.
struct BalanceAnswer {
  bool has_balance = false;
  int64_t balance_minor = 0;                                     // when has_balance
  BalanceError error = BalanceError::kInstitutionNotResponding;  // otherwise

  // The provider's balance; or its error.
  static BalanceAnswer Balance(int64_t balance_minor) { return {true, balance_minor, {}}; }
  static BalanceAnswer Failed(BalanceError e) { return {false, 0, e}; }
};

// ---------------------------------------------------------------------------
// The pipeline.

enum class HighRiskAction : uint8_t { kHold, kCancel };  // risk.high_action

struct PipelineOptions {
  HighRiskAction high_action = HighRiskAction::kHold;
  bool skip_balance_check = false;  // set by an agent's release (with a note)
  bool sandbox = false;             // enables the sandbox-risk-N device override
};

// The steps, in SPEC order. kDone: all checks passed (PENDING).
enum class PipelineStep : uint8_t { kKycGate, kGeoip, kRisk, kBalance, kDone };
// "kyc_gate", "geoip", "risk", "balance_check", "done".
std::string_view PipelineStepName(PipelineStep step);
// The inverse of PipelineStepName; nullopt for anything else.
std::optional<PipelineStep> ParsePipelineStep(std::string_view name);

struct PipelineInput {
  KycStatus kyc_status = KycStatus::kUnverified;
  std::string_view user_country;                   // ISO 3166 alpha-2
  std::span<const std::string> allowed_countries;  // the org's list
  std::string_view ip_country;                     // looked up by the caller; "" unknown
  FundingType funding = FundingType::kAch;
  RiskInput risk;
  int64_t amount_minor = 0;  // > 0
  int64_t fee_minor = 0;     // ≥ 0; the balance must cover amount + fee
  PipelineOptions options;
  // The first check after the KYC gate: kGeoip on the first run; on a re-run
  // the ResumePlan's start (the resume_from stored with the hold).
  PipelineStep start = PipelineStep::kGeoip;
};

enum class StepResult : uint8_t { kPassed, kSkipped, kHeld, kCanceled, kWaiting };
// "passed", "skipped", "held", "canceled", "waiting".
std::string_view StepResultName(StepResult result);

// One line of the steps taken, for the transaction's history.
struct StepRecord {
  PipelineStep step = PipelineStep::kKycGate;
  StepResult result = StepResult::kPassed;
  std::string_view detail;  // a reason code or a short snake_case fact
};

enum class PipelineVerdict : uint8_t {
  kPending,            // all checks passed
  kHold,               // hold_reason says why
  kCanceled,           // cancel_reason says why
  kNeedsBalanceCheck,  // ask the provider, then ContinueWithBalance
};

struct PipelineOutcome {
  PipelineVerdict verdict = PipelineVerdict::kPending;
  // PENDING, HOLD or CANCELED; kInitiated (nothing decided) for
  // kNeedsBalanceCheck.
  TxnStatus status = TxnStatus::kInitiated;
  std::optional<HoldReason> hold_reason;
  std::optional<CancelReason> cancel_reason;
  // Set when this run scored the transaction. A run that starts after the risk
  // step leaves it empty: the caller keeps the earlier breakdown.
  std::optional<RiskAssessment> risk;
  // The bank account status to record after an aggregator error, if any.
  std::optional<BankStatus> new_bank_status;
  // The step that decided (kDone when PENDING; kBalance while waiting).
  PipelineStep decided_at = PipelineStep::kDone;
  // For a hold: where the next run starts once the hold is released (store it with
  // the transaction). KYC hold: the run's own start; GEOIP_FAILED: kRisk; RISK_*:
  // kBalance (no re-score); bank holds: kBalance (the check runs again).
  PipelineStep resume_from = PipelineStep::kDone;
  std::array<StepRecord, 4> step_storage{};
  uint8_t step_count = 0;

  std::span<const StepRecord> steps() const { return {step_storage.data(), step_count}; }
  // The hold or cancel reason code ("RISK_MODERATE"), or "" for PENDING / waiting.
  std::string_view reason_code() const;
};

// Runs the checks of SPEC §2.2 from the KYC gate:
// 1. KYC gate (always runs, also on a re-run): SUSPENDED → CANCELED USER_SUSPENDED;
//    any other status but VERIFIED → HOLD KYC_NOT_VERIFIED.
// 2. GeoIP (from input.start ≤ kGeoip): ip_country unknown (""), not in
//    allowed_countries, or not the user's country → HOLD GEOIP_FAILED.
// 3. Risk (start ≤ kRisk): ScoreRisk; moderate → HOLD RISK_MODERATE; high → HOLD
//    RISK_HIGH, or CANCELED RISK_HIGH when high_action is kCancel.
// 4. Balance (ACH only; skipped for debit cards and with skip_balance_check):
//    without `balance` → kNeedsBalanceCheck; else see ContinueWithBalance.
// 5. PENDING.
// Preconditions (asserted): amount_minor > 0, fee_minor ≥ 0, start ≠ kKycGate.
PipelineOutcome RunPipeline(const PipelineInput& input, const RiskConfig& risk_config,
                            const BalanceAnswer* balance = nullptr);

// Finishes a run that stopped with kNeedsBalanceCheck (asserted), appending the
// balance step to `waiting`'s steps:
// - a balance ≥ amount + fee → PENDING; less (or amount + fee overflows) →
//   CANCELED INSUFFICIENT_FUNDS;
// - ITEM_LOGIN_REQUIRED → HOLD BANK_LOGIN_REQUIRED, bank LOGIN_REQUIRED;
// - INSTITUTION_NOT_RESPONDING → HOLD INSTITUTION_NOT_RESPONDING;
// - ITEM_LOCKED → HOLD BANK_ACCOUNT_LOCKED, bank LOCKED;
// - USER_SETUP_REQUIRED → HOLD BANK_SETUP_REQUIRED, bank SETUP_REQUIRED;
// - INVALID_CREDENTIALS / INVALID_MFA / INVALID_SEND_METHOD → CANCELED
//   BANK_CREDENTIALS_INVALID, bank INVALID.
PipelineOutcome ContinueWithBalance(const PipelineOutcome& waiting, const PipelineInput& input,
                                    const BalanceAnswer& balance);

// How the pipeline re-runs after a release.
struct ResumePlan {
  PipelineStep start = PipelineStep::kGeoip;  // PipelineInput::start
  bool skip_balance_check = false;            // PipelineOptions::skip_balance_check
};

// Checks the release (CheckRelease: path allowed by the hold, actor, note) and
// says how to re-run: from `resume_from` (the outcome's, stored with the hold),
// skipping only the balance step for kAgentReleaseSkipBalanceCheck. So: after a
// KYC hold the checks run from GeoIP on; after GEOIP_FAILED from the risk
// score; after RISK_* only the balance check (no re-score); after a bank hold
// the balance check runs again, or is skipped. The KYC gate always runs first.
Result<ResumePlan> PlanRelease(HoldReason reason, ReleasePath path, TxnActor actor,
                               std::string_view note, PipelineStep resume_from);

}  // namespace payops
