// The explainable risk score (SPEC §2.2 step 4, API.md sandbox override).
#include "payops/core/risk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <random>
#include <string>
#include <utility>

namespace payops {
namespace {

// A transaction that fires no rule under the default config.
RiskInput Quiet() {
  RiskInput in;
  in.amount_minor = 10'000;
  in.per_transaction_limit_minor = 99'900;
  in.transactions_last_24h = 0;
  in.account_age_days = 365;
  in.device_id = "device-abc";
  return in;
}

int32_t PointsOf(const RiskAssessment& a, std::string_view code) {
  for (const RiskReason& r : a.reasons()) {
    if (r.code == code) return r.points;
  }
  return 0;
}

int32_t SumOf(const RiskAssessment& a) {
  int32_t s = 0;
  for (const RiskReason& r : a.reasons()) s += r.points;
  return s;
}

TEST(RiskSandboxTest, DeviceIdParsing) {
  struct Case {
    const char* device;
    std::optional<int32_t> n;
  } cases[] = {
      {"sandbox-risk-0", 0},
      {"sandbox-risk-6", 6},
      {"sandbox-risk-7", 7},
      {"sandbox-risk-69", 69},
      {"sandbox-risk-70", 70},
      {"sandbox-risk-100", 100},
      {"sandbox-risk-101", {}},
      {"sandbox-risk-1000", {}},
      {"sandbox-risk-07", {}},
      {"sandbox-risk-00", {}},
      {"sandbox-risk-+7", {}},
      {"sandbox-risk--7", {}},
      {"sandbox-risk- 7", {}},
      {"sandbox-risk-7 ", {}},
      {"sandbox-risk-", {}},
      {"sandbox-risk-7a", {}},
      {"xsandbox-risk-7", {}},
      {" sandbox-risk-7", {}},
      {"SANDBOX-RISK-7", {}},
      {"sandbox-risk-99999999999", {}},
      {"", {}},
  };
  for (const Case& c : cases) EXPECT_EQ(ParseSandboxRiskDevice(c.device), c.n) << c.device;
}

TEST(RiskSandboxTest, OverrideGivesExactlyNWithOneReason) {
  RiskConfig config;
  for (int32_t n = 0; n <= 100; ++n) {
    std::string device = "sandbox-risk-" + std::to_string(n);
    RiskInput in = Quiet();
    in.new_device = true;  // ignored under the override
    in.earlier_returns = 3;
    in.device_id = device;
    RiskAssessment a = ScoreRisk(in, config, /*sandbox=*/true);
    EXPECT_EQ(a.score, n);
    ASSERT_EQ(a.reasons().size(), 1u);
    EXPECT_EQ(a.reasons()[0].code, "sandbox_override");
    EXPECT_EQ(a.reasons()[0].points, n);
    EXPECT_EQ(a.band, RiskBandOf(n, config));
  }
}

TEST(RiskSandboxTest, OverrideIsOffOutsideSandbox) {
  RiskInput in = Quiet();
  in.device_id = "sandbox-risk-90";
  RiskAssessment a = ScoreRisk(in, RiskConfig{}, /*sandbox=*/false);
  EXPECT_EQ(a.score, 0);
  EXPECT_TRUE(a.reasons().empty());
}

TEST(RiskBandTest, HalfOpenBoundaries) {
  RiskConfig c;
  struct Case {
    int32_t score;
    RiskBand band;
  } cases[] = {{0, RiskBand::kSafe},      {6, RiskBand::kSafe},  {7, RiskBand::kModerate},
               {69, RiskBand::kModerate}, {70, RiskBand::kHigh}, {100, RiskBand::kHigh}};
  for (const Case& k : cases) EXPECT_EQ(RiskBandOf(k.score, c), k.band) << k.score;
  EXPECT_EQ(RiskBandName(RiskBand::kModerate), "moderate");
}

TEST(RiskBandTest, ThresholdsAreSettings) {
  RiskConfig c;
  c.moderate_from = 20;
  c.high_from = 50;
  EXPECT_EQ(RiskBandOf(19, c), RiskBand::kSafe);
  EXPECT_EQ(RiskBandOf(20, c), RiskBand::kModerate);
  EXPECT_EQ(RiskBandOf(49, c), RiskBand::kModerate);
  EXPECT_EQ(RiskBandOf(50, c), RiskBand::kHigh);
  c.high_from = 101;  // the high band turned off
  EXPECT_EQ(RiskBandOf(100, c), RiskBand::kModerate);
}

TEST(RiskRuleTest, QuietTransactionScoresZero) {
  RiskAssessment a = ScoreRisk(Quiet(), RiskConfig{}, false);
  EXPECT_EQ(a.score, 0);
  EXPECT_EQ(a.band, RiskBand::kSafe);
  EXPECT_TRUE(a.reasons().empty());
}

TEST(RiskRuleTest, AmountAgainstTierLimit) {
  RiskConfig c;  // ≥ 90 % → 10, ≥ 50 % → 3
  struct Case {
    int64_t amount;
    int32_t points;
  } cases[] = {{1, 0},       {49'949, 0},  {49'950, 3},  {89'909, 3},
               {89'910, 10}, {99'900, 10}, {500'000, 10}};
  for (const Case& k : cases) {
    RiskInput in = Quiet();
    in.amount_minor = k.amount;  // limit 99,900: 50 % = 49,950, 90 % = 89,910
    EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskAmountVsTierLimit), k.points) << k.amount;
  }
  // Ratios are exact with odd limits and do not overflow with huge ones.
  RiskInput in = Quiet();
  in.per_transaction_limit_minor = 3;  // 50 % = 1.5 → 2 minor units needed
  in.amount_minor = 1;
  EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskAmountVsTierLimit), 0);
  in.amount_minor = 2;
  EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskAmountVsTierLimit), 3);
  in.per_transaction_limit_minor = INT64_MAX;
  in.amount_minor = INT64_MAX;
  EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskAmountVsTierLimit), 10);
  in.amount_minor = INT64_MAX / 10 * 9;  // just under 90 %
  EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskAmountVsTierLimit), 3);
  in.amount_minor = INT64_MAX / 2 - 1;
  EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskAmountVsTierLimit), 0);
  in.per_transaction_limit_minor = 0;  // no limit known: the rule is off
  EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskAmountVsTierLimit), 0);
}

TEST(RiskRuleTest, VelocityInTheLast24Hours) {
  RiskConfig c;  // 5 free, 10 each, max 50
  struct Case {
    int64_t count;
    int32_t points;
  } cases[] = {{-3, 0}, {0, 0}, {5, 0}, {6, 10}, {7, 20}, {10, 50}, {11, 50}, {INT64_MAX, 50}};
  for (const Case& k : cases) {
    RiskInput in = Quiet();
    in.transactions_last_24h = k.count;
    EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskVelocity24h), k.points) << k.count;
  }
}

TEST(RiskRuleTest, NewRecipientNewDeviceYoungAccountEarlierReturns) {
  RiskConfig c;
  RiskInput in = Quiet();
  in.new_recipient = true;
  EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskNewRecipient), 2);
  in = Quiet();
  in.new_device = true;
  EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskNewDevice), 2);
  for (auto [days, points] : {std::pair<int64_t, int32_t>{0, 2}, {6, 2}, {7, 0}, {-1, 2}}) {
    in = Quiet();
    in.account_age_days = days;
    EXPECT_EQ(PointsOf(ScoreRisk(in, c, false), kRiskYoungAccount), points) << days;
  }
  for (auto [n, points] : {std::pair<int64_t, int32_t>{0, 0}, {1, 25}, {2, 50}, {3, 75}, {9, 75}}) {
    in = Quiet();
    in.earlier_returns = n;
    RiskAssessment a = ScoreRisk(in, c, false);
    EXPECT_EQ(PointsOf(a, kRiskEarlierReturns), points) << n;
  }
  // A brand-new user's first transfer from a new device to a new recipient
  // stays safe by default (6 < 7); the same at ≥ 50 % of the limit is moderate.
  in = Quiet();
  in.new_recipient = in.new_device = true;
  in.account_age_days = 0;
  EXPECT_EQ(ScoreRisk(in, c, false).score, 6);
  EXPECT_EQ(ScoreRisk(in, c, false).band, RiskBand::kSafe);
  in.amount_minor = 50'000;
  EXPECT_EQ(ScoreRisk(in, c, false).score, 9);
  EXPECT_EQ(ScoreRisk(in, c, false).band, RiskBand::kModerate);
}

TEST(RiskRuleTest, WeightsAreSettings) {
  RiskConfig c;
  c.new_device_points = 40;
  c.new_recipient_points = 0;  // a rule with 0 points never shows
  RiskInput in = Quiet();
  in.new_device = in.new_recipient = true;
  RiskAssessment a = ScoreRisk(in, c, false);
  EXPECT_EQ(a.score, 40);
  ASSERT_EQ(a.reasons().size(), 1u);
  EXPECT_EQ(a.reasons()[0].code, "new_device");
}

TEST(RiskRuleTest, ScoreIsCappedAt100AndEveryPointAttributed) {
  RiskConfig c;
  RiskInput in = Quiet();
  in.amount_minor = 99'900;       // 10
  in.transactions_last_24h = 20;  // 50
  in.new_recipient = true;        // 2
  in.new_device = true;           // 2
  in.account_age_days = 1;        // 2
  in.earlier_returns = 3;         // 75 → only 34 fit
  RiskAssessment a = ScoreRisk(in, c, false);
  EXPECT_EQ(a.score, 100);
  EXPECT_EQ(a.uncapped_points, 141);
  EXPECT_EQ(a.band, RiskBand::kHigh);
  EXPECT_EQ(SumOf(a), 100);
  EXPECT_EQ(PointsOf(a, kRiskEarlierReturns), 34);
  ASSERT_EQ(a.reasons().size(), 6u);
  EXPECT_EQ(a.reasons()[0].code, "amount_vs_tier_limit");
  EXPECT_EQ(a.reasons()[5].code, "earlier_returns");
}

TEST(RiskRuleTest, RandomInputsAlwaysAttributeEveryPoint) {
  std::mt19937_64 rng(7);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int i = 0; i < 20'000; ++i) {
    RiskConfig c;
    c.amount_high_points = pick(0, 100);
    c.velocity_points_each = pick(0, 100);
    c.velocity_max_points = pick(0, 100);
    c.earlier_return_points_each = pick(0, 100);
    c.earlier_returns_max_points = pick(0, 100);
    c.new_device_points = pick(0, 100);
    c.moderate_from = pick(0, 101);
    c.high_from = pick(c.moderate_from, 101);
    ASSERT_TRUE(ValidateRiskConfig(c).ok());
    RiskInput in;
    in.amount_minor = pick(1, INT64_MAX);
    in.per_transaction_limit_minor = pick(0, INT64_MAX);
    in.transactions_last_24h = pick(-5, 1'000'000);
    in.new_recipient = pick(0, 1);
    in.new_device = pick(0, 1);
    in.account_age_days = pick(-5, 100);
    in.earlier_returns = pick(-5, INT64_MAX);
    RiskAssessment a = ScoreRisk(in, c, false);
    ASSERT_GE(a.score, 0);
    ASSERT_LE(a.score, 100);
    ASSERT_EQ(SumOf(a), a.score);
    ASSERT_EQ(a.score, std::min(a.uncapped_points, 100));
    ASSERT_EQ(a.band, RiskBandOf(a.score, c));
    for (const RiskReason& r : a.reasons()) ASSERT_GT(r.points, 0);
  }
}

TEST(RiskConfigTest, Validation) {
  EXPECT_TRUE(ValidateRiskConfig(RiskConfig{}).ok());
  struct Case {
    void (*mutate)(RiskConfig&);
    const char* field;
  } cases[] = {
      {[](RiskConfig& c) { c.new_device_points = 101; }, "new_device_points"},
      {[](RiskConfig& c) { c.new_device_points = -1; }, "new_device_points"},
      {[](RiskConfig& c) { c.amount_mid_ratio_bp = 0; }, "amount_mid_ratio_bp"},
      {[](RiskConfig& c) { c.amount_high_ratio_bp = 4'000; }, "amount_high_ratio_bp"},
      {[](RiskConfig& c) { c.amount_high_ratio_bp = 10'001; }, "amount_high_ratio_bp"},
      {[](RiskConfig& c) { c.velocity_free_count = -1; }, "velocity_free_count"},
      {[](RiskConfig& c) { c.high_from = 6; }, "high_from"},
      {[](RiskConfig& c) { c.high_from = 102; }, "high_from"},
      {[](RiskConfig& c) { c.moderate_from = -1; }, "moderate_from"},
      {[](RiskConfig& c) { c.young_account_days = -1; }, "young_account_days"},
  };
  for (const Case& k : cases) {
    RiskConfig c;
    k.mutate(c);
    Status s = ValidateRiskConfig(c);
    ASSERT_FALSE(s.ok()) << k.field;
    EXPECT_EQ(s.error().code, "invalid_risk_config");
    EXPECT_EQ(s.error().field, k.field);
  }
}

}  // namespace
}  // namespace payops
