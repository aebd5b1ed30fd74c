// The explainable risk score (SPEC §2.2 step 4): an integer 0–100 from named,
// configurable rules; every point of the score is attributed to a reason code.
//
// Pure code: no I/O, no clock, no allocation. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "payops/core/result.h"

namespace payops {

inline constexpr int32_t kMaxRiskScore = 100;

enum class RiskBand : uint8_t { kSafe, kModerate, kHigh };
// "safe", "moderate", "high".
std::string_view RiskBandName(RiskBand band);

// Reason codes, one per rule (stable: shown by the API and the console).
inline constexpr std::string_view kRiskAmountVsTierLimit = "amount_vs_tier_limit";
inline constexpr std::string_view kRiskVelocity24h = "velocity_24h";
inline constexpr std::string_view kRiskNewRecipient = "new_recipient";
inline constexpr std::string_view kRiskNewDevice = "new_device";
inline constexpr std::string_view kRiskYoungAccount = "young_account";
inline constexpr std::string_view kRiskEarlierReturns = "earlier_returns";
inline constexpr std::string_view kRiskSandboxOverride = "sandbox_override";

// What the rules look at. Counts are of the user's own history, gathered by the
// caller; a negative count or age counts as 0.
struct RiskInput {
  int64_t amount_minor = 0;                 // the send amount
  int64_t per_transaction_limit_minor = 0;  // the user's tier limit (0: rule off)
  int64_t transactions_last_24h = 0;        // created in the 24 h before this one
  bool new_recipient = false;               // the user's first transaction to it
  bool new_device = false;                  // device id never seen for this user
  int64_t account_age_days = 0;             // whole days since the user was created
  int64_t earlier_returns = 0;              // the user's RETURNED transactions
  std::string_view device_id;               // read only for the sandbox override
};

// Weights and thresholds (settings). Every *_points is 0..100.
struct RiskConfig {
  // Amount against the tier's per-transaction limit, in basis points of it:
  // amount ≥ high ratio → high points, else amount ≥ mid ratio → mid points.
  int64_t amount_high_ratio_bp = 9'000;
  int64_t amount_high_points = 10;
  int64_t amount_mid_ratio_bp = 5'000;
  int64_t amount_mid_points = 3;
  // Velocity: each transaction in the last 24 h beyond the free count.
  int64_t velocity_free_count = 5;
  int64_t velocity_points_each = 10;
  int64_t velocity_max_points = 50;
  int64_t new_recipient_points = 2;
  int64_t new_device_points = 2;
  // An account younger than young_account_days days.
  int64_t young_account_days = 7;
  int64_t young_account_points = 2;
  // Each earlier return.
  int64_t earlier_return_points_each = 25;
  int64_t earlier_returns_max_points = 75;
  // Bands, half-open: [0, moderate_from) safe, [moderate_from, high_from)
  // moderate, [high_from, 100] high.
  int64_t moderate_from = 7;
  int64_t high_from = 70;
};

// OK when every *_points is in 0..100, 1 ≤ amount_mid_ratio_bp ≤
// amount_high_ratio_bp ≤ 10000, the counts and days are ≥ 0, and
// 0 ≤ moderate_from ≤ high_from ≤ 101 (101 turns the high band off). Error
// kInvalid "invalid_risk_config" naming the setting in `field`.
Status ValidateRiskConfig(const RiskConfig& config);

// The band of `score` (0..100) under `config`'s half-open boundaries.
RiskBand RiskBandOf(int32_t score, const RiskConfig& config);

struct RiskReason {
  std::string_view code;  // one of the kRisk* codes
  int32_t points = 0;     // > 0
};

// Rules that can fire at once (the six rules; the sandbox override is alone).
inline constexpr size_t kMaxRiskReasons = 6;

struct RiskAssessment {
  int32_t score = 0;  // 0..100 = the sum of reasons' points
  RiskBand band = RiskBand::kSafe;
  int32_t uncapped_points = 0;  // the rules' total before the cap at 100
  std::array<RiskReason, kMaxRiskReasons> reason_storage{};
  uint8_t reason_count = 0;

  std::span<const RiskReason> reasons() const { return {reason_storage.data(), reason_count}; }
};

// N when `device_id` is exactly "sandbox-risk-N" with N a decimal integer
// 0..100 written without sign, spaces or leading zeros ("sandbox-risk-0",
// "sandbox-risk-100"; not "sandbox-risk-07", "sandbox-risk-+7",
// "x-sandbox-risk-7", "sandbox-risk-7 "); nullopt otherwise.
std::optional<int32_t> ParseSandboxRiskDevice(std::string_view device_id);

// Scores `input`. With `sandbox` and a sandbox device id (see above): score N
// with the single reason {sandbox_override, N}. Otherwise the rules run in the
// order amount_vs_tier_limit, velocity_24h, new_recipient, new_device,
// young_account, earlier_returns; each that fires adds its points; the score is
// the total capped at 100, and when the cap bites the reasons are attributed in
// that order until the 100 points are used up (a rule left with 0 points is not
// listed), so the listed points always sum to the score. `config` must be valid
// (asserted in debug builds).
RiskAssessment ScoreRisk(const RiskInput& input, const RiskConfig& config, bool sandbox);

}  // namespace payops
