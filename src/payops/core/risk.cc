#include "payops/core/risk.h"

#include <algorithm>
#include <cassert>

namespace payops {
namespace {

constexpr int64_t kBasisPoints = 10'000;

// Adds a fired rule to `out`, giving it no more than what is left under the cap.
void Attribute(RiskAssessment& out, std::string_view code, int64_t points) {
  assert(points >= 0 && points <= kMaxRiskScore);
  if (points == 0) return;
  out.uncapped_points += static_cast<int32_t>(points);
  const int32_t room = kMaxRiskScore - out.score;
  const auto given = static_cast<int32_t>(std::min<int64_t>(points, room));
  if (given == 0) return;
  assert(out.reason_count < kMaxRiskReasons);
  out.reason_storage[out.reason_count++] = RiskReason{code, given};
  out.score += given;
}

// True when amount_minor ≥ limit_minor × ratio_bp / 10000, without overflow:
// the threshold is ⌈limit × bp / 10000⌉ = q·bp + ⌈r·bp / 10000⌉ with
// limit = q·10000 + r (and q·bp ≤ limit because bp ≤ 10000).
bool AtLeastRatio(int64_t amount_minor, int64_t limit_minor, int64_t ratio_bp) {
  assert(limit_minor > 0 && ratio_bp >= 1 && ratio_bp <= kBasisPoints);
  const int64_t q = limit_minor / kBasisPoints;
  const int64_t r = limit_minor % kBasisPoints;
  const int64_t threshold = q * ratio_bp + (r * ratio_bp + kBasisPoints - 1) / kBasisPoints;
  return amount_minor >= threshold;
}

// min(count, 100) × each, capped at max: no overflow since each ≤ 100.
int64_t PerCount(int64_t count, int64_t each, int64_t max_points) {
  if (count <= 0) return 0;
  return std::min(std::min<int64_t>(count, kMaxRiskScore) * each, max_points);
}

bool InRange(int64_t v, int64_t lo, int64_t hi) {
  return v >= lo && v <= hi;
}

}  // namespace

std::string_view RiskBandName(RiskBand band) {
  switch (band) {
    case RiskBand::kSafe:
      return "safe";
    case RiskBand::kModerate:
      return "moderate";
    case RiskBand::kHigh:
      return "high";
  }
  return "safe";
}

Status ValidateRiskConfig(const RiskConfig& c) {
  struct Check {
    bool ok;
    const char* field;
  };
  const Check checks[] = {
      {InRange(c.amount_mid_ratio_bp, 1, kBasisPoints), "amount_mid_ratio_bp"},
      {InRange(c.amount_high_ratio_bp, c.amount_mid_ratio_bp, kBasisPoints),
       "amount_high_ratio_bp"},
      {InRange(c.amount_high_points, 0, kMaxRiskScore), "amount_high_points"},
      {InRange(c.amount_mid_points, 0, kMaxRiskScore), "amount_mid_points"},
      {c.velocity_free_count >= 0, "velocity_free_count"},
      {InRange(c.velocity_points_each, 0, kMaxRiskScore), "velocity_points_each"},
      {InRange(c.velocity_max_points, 0, kMaxRiskScore), "velocity_max_points"},
      {InRange(c.new_recipient_points, 0, kMaxRiskScore), "new_recipient_points"},
      {InRange(c.new_device_points, 0, kMaxRiskScore), "new_device_points"},
      {c.young_account_days >= 0, "young_account_days"},
      {InRange(c.young_account_points, 0, kMaxRiskScore), "young_account_points"},
      {InRange(c.earlier_return_points_each, 0, kMaxRiskScore), "earlier_return_points_each"},
      {InRange(c.earlier_returns_max_points, 0, kMaxRiskScore), "earlier_returns_max_points"},
      {InRange(c.moderate_from, 0, kMaxRiskScore + 1), "moderate_from"},
      {InRange(c.high_from, c.moderate_from, kMaxRiskScore + 1), "high_from"},
  };
  for (const Check& ch : checks) {
    if (!ch.ok) {
      return Error::Invalid("invalid_risk_config",
                            std::string("risk setting ") + ch.field + " is out of range", ch.field);
    }
  }
  return Status::Ok();
}

RiskBand RiskBandOf(int32_t score, const RiskConfig& config) {
  assert(score >= 0 && score <= kMaxRiskScore);
  if (score >= config.high_from) return RiskBand::kHigh;
  if (score >= config.moderate_from) return RiskBand::kModerate;
  return RiskBand::kSafe;
}

std::optional<int32_t> ParseSandboxRiskDevice(std::string_view device_id) {
  constexpr std::string_view kPrefix = "sandbox-risk-";
  if (device_id.size() <= kPrefix.size() || device_id.substr(0, kPrefix.size()) != kPrefix) {
    return std::nullopt;
  }
  const std::string_view digits = device_id.substr(kPrefix.size());
  if (digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  int32_t n = 0;
  for (char ch : digits) {
    if (ch < '0' || ch > '9') return std::nullopt;
    n = n * 10 + (ch - '0');
  }
  if (n > kMaxRiskScore) return std::nullopt;
  return n;
}

RiskAssessment ScoreRisk(const RiskInput& in, const RiskConfig& c, bool sandbox) {
  assert(ValidateRiskConfig(c).ok());
  RiskAssessment out;
  if (sandbox) {
    if (auto n = ParseSandboxRiskDevice(in.device_id)) {
      out.score = *n;
      out.uncapped_points = *n;
      out.reason_storage[0] = RiskReason{kRiskSandboxOverride, *n};
      out.reason_count = 1;
      out.band = RiskBandOf(out.score, c);
      return out;
    }
  }
  if (in.per_transaction_limit_minor > 0 && in.amount_minor > 0) {
    if (AtLeastRatio(in.amount_minor, in.per_transaction_limit_minor, c.amount_high_ratio_bp)) {
      Attribute(out, kRiskAmountVsTierLimit, c.amount_high_points);
    } else if (AtLeastRatio(in.amount_minor, in.per_transaction_limit_minor,
                            c.amount_mid_ratio_bp)) {
      Attribute(out, kRiskAmountVsTierLimit, c.amount_mid_points);
    }
  }
  if (in.transactions_last_24h > c.velocity_free_count) {
    Attribute(out, kRiskVelocity24h,
              PerCount(in.transactions_last_24h - c.velocity_free_count, c.velocity_points_each,
                       c.velocity_max_points));
  }
  if (in.new_recipient) Attribute(out, kRiskNewRecipient, c.new_recipient_points);
  if (in.new_device) Attribute(out, kRiskNewDevice, c.new_device_points);
  if (std::max<int64_t>(in.account_age_days, 0) < c.young_account_days) {
    Attribute(out, kRiskYoungAccount, c.young_account_points);
  }
  Attribute(
      out, kRiskEarlierReturns,
      PerCount(in.earlier_returns, c.earlier_return_points_each, c.earlier_returns_max_points));
  out.band = RiskBandOf(out.score, c);

  int32_t sum = 0;
  for (const RiskReason& r : out.reasons()) sum += r.points;
  assert(sum == out.score && out.score <= kMaxRiskScore);
  (void)sum;
  return out;
}

}  // namespace payops
