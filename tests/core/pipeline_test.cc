// Initiation limits and the checks pipeline (SPEC §2.1, §2.2): one scenario per
// rule, table-driven where possible, and the re-run semantics after releases.
#include "payops/core/pipeline.h"

#include <gtest/gtest.h>

#include <chrono>
#include <climits>
#include <optional>
#include <string>
#include <vector>

namespace payops {
namespace {

using namespace std::chrono_literals;
const Instant kNow = FromMicros(1'773'000'000'000'000);

// ---------------------------------------------------------------------------
// Initiation.

InitiationRequest Req(int64_t tier, int64_t amount, int64_t used_day = 0, int64_t used_30 = 0) {
  InitiationRequest r;
  r.kyc_status = KycStatus::kVerified;
  r.tier = tier;
  r.amount_minor = amount;
  r.currency = "USD";
  r.used = {used_day, used_30};
  return r;
}

TEST(PipelineLimitsTest, DefaultsAreThoseOfTheSpec) {
  TierLimits l;
  EXPECT_TRUE(ValidateTierLimits(l).ok());
  EXPECT_EQ(l.currency, "USD");
  auto t1 = LimitForTier(l, 1).value();
  auto t2 = LimitForTier(l, 2).value();
  auto t3 = LimitForTier(l, 3).value();
  EXPECT_EQ(t1.per_transaction_minor, 99'900);
  EXPECT_EQ(t1.daily_minor, 99'900);
  EXPECT_EQ(t1.rolling_30_days_minor, 299'900);
  EXPECT_EQ(t2.per_transaction_minor, 299'900);
  EXPECT_EQ(t2.daily_minor, 299'900);
  EXPECT_EQ(t2.rolling_30_days_minor, 999'900);
  EXPECT_EQ(t3.per_transaction_minor, 999'900);
  EXPECT_EQ(t3.daily_minor, 999'900);
  EXPECT_EQ(t3.rolling_30_days_minor, 3'000'000);
  EXPECT_EQ(LimitForTier(l, 0).error().code, "invalid_tier");
  EXPECT_EQ(LimitForTier(l, 4).error().code, "invalid_tier");
}

TEST(PipelineLimitsTest, EachLimitOfEachTierAtItsEdge) {
  struct Case {
    const char* name;
    InitiationRequest req;
    const char* limit;      // "" = allowed
    const char* remaining;  // in the message
  } cases[] = {
      {"t1 per-tx at limit", Req(1, 99'900), "", ""},
      {"t1 per-tx over", Req(1, 99'901), "per_transaction", "999.00 USD remains"},
      {"t1 daily exactly used up", Req(1, 24'900, 75'000, 75'000), "", ""},
      {"t1 daily over", Req(1, 25'000, 75'000, 75'000), "daily", "249.00 USD remains"},
      {"t1 daily fully used", Req(1, 1, 99'900, 99'900), "daily", "0.00 USD remains"},
      {"t1 30d exactly", Req(1, 50'000, 0, 249'900), "", ""},
      {"t1 30d over", Req(1, 50'001, 0, 249'900), "rolling_30_days", "500.00 USD remains"},
      {"t2 per-tx at limit", Req(2, 299'900), "", ""},
      {"t2 per-tx over", Req(2, 299'901), "per_transaction", "2999.00 USD remains"},
      {"t2 daily over", Req(2, 100'000, 200'000, 200'000), "daily", "999.00 USD remains"},
      {"t2 30d over", Req(2, 100'000, 0, 900'000), "rolling_30_days", "999.00 USD remains"},
      {"t3 per-tx at limit", Req(3, 999'900), "", ""},
      {"t3 per-tx over", Req(3, 999'901), "per_transaction", "9999.00 USD remains"},
      {"t3 daily over", Req(3, 500'000, 500'000, 500'000), "daily", "4999.00 USD remains"},
      {"t3 30d exactly", Req(3, 999'900, 0, 2'000'100), "", ""},
      {"t3 30d over", Req(3, 999'900, 0, 2'000'101), "rolling_30_days", "9998.99 USD remains"},
      {"over-used daily (limit lowered)", Req(1, 1, 150'000, 150'000), "daily", "0.00 USD"},
  };
  TierLimits limits;
  for (const Case& c : cases) {
    Status s = CheckInitiation(c.req, limits);
    if (std::string(c.limit).empty()) {
      EXPECT_TRUE(s.ok()) << c.name << ": " << s.error().message;
      continue;
    }
    ASSERT_FALSE(s.ok()) << c.name;
    EXPECT_EQ(s.error().kind, ErrorKind::kRefused) << c.name;
    EXPECT_EQ(s.error().code, "limit_exceeded") << c.name;
    EXPECT_EQ(s.error().field, "amount") << c.name;
    EXPECT_NE(s.error().message.find(std::string(" ") + c.limit + " limit"), std::string::npos)
        << c.name << ": " << s.error().message;
    EXPECT_NE(s.error().message.find(c.remaining), std::string::npos)
        << c.name << ": " << s.error().message;
  }
}

TEST(PipelineLimitsTest, MessageNamesLimitAndRemainder) {
  Status s = CheckInitiation(Req(1, 50'000, 75'000, 75'000), TierLimits{});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(
      s.error().message,
      "amount 500.00 USD exceeds the daily limit of 999.00 USD for tier 1; 249.00 USD remains");
}

TEST(PipelineLimitsTest, SuspendedAndOtherRefusals) {
  TierLimits limits;
  for (KycStatus k :
       {KycStatus::kUnverified, KycStatus::kPending, KycStatus::kVerified, KycStatus::kRejected}) {
    InitiationRequest r = Req(1, 100);
    r.kyc_status = k;
    EXPECT_TRUE(CheckInitiation(r, limits).ok()) << "any KYC status but SUSPENDED may initiate";
  }
  InitiationRequest r = Req(1, 99'901);  // also over the limit: suspension wins
  r.kyc_status = KycStatus::kSuspended;
  Status s = CheckInitiation(r, limits);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::kRefused);
  EXPECT_EQ(s.error().code, "user_suspended");

  for (int64_t bad : {int64_t{0}, int64_t{-1}, INT64_MIN}) {
    Status z = CheckInitiation(Req(1, bad), limits);
    ASSERT_FALSE(z.ok());
    EXPECT_EQ(z.error().code, "invalid_amount");
    EXPECT_EQ(z.error().field, "amount");
  }
  EXPECT_EQ(CheckInitiation(Req(4, 100), limits).error().code, "invalid_tier");
  InitiationRequest eur = Req(1, 100);
  eur.currency = "EUR";
  EXPECT_EQ(CheckInitiation(eur, limits).error().code, "currency_not_supported");
  EXPECT_FALSE(CheckInitiation(Req(3, INT64_MAX, INT64_MAX, INT64_MAX), limits).ok());
  Status huge = CheckInitiation(Req(1, INT64_MAX), limits);
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.error().code, "amount_too_large");
  EXPECT_EQ(huge.error().kind, ErrorKind::kRefused);
}

TEST(PipelineLimitsTest, LimitsAreConfigurable) {
  TierLimits l;
  l.by_tier[0] = {1'000, 2'000, 3'000};
  EXPECT_TRUE(ValidateTierLimits(l).ok());
  EXPECT_TRUE(CheckInitiation(Req(1, 1'000, 1'000, 1'000), l).ok());
  EXPECT_EQ(CheckInitiation(Req(1, 1'001), l).error().code, "limit_exceeded");
  l.by_tier[1] = {5'000, 4'000, 10'000};  // per transaction above daily
  EXPECT_EQ(ValidateTierLimits(l).error().code, "invalid_tier_limits");
  l.by_tier[1] = {0, 4'000, 10'000};
  EXPECT_FALSE(ValidateTierLimits(l).ok());
  TierLimits bad_currency;
  bad_currency.currency = "usd";
  EXPECT_FALSE(ValidateTierLimits(bad_currency).ok());

  TierLimits bound;
  bound.by_tier[2] = {kMaxAmountMinor, kMaxBalanceMinor, kMaxBalanceMinor};
  EXPECT_TRUE(ValidateTierLimits(bound).ok());
  bound.by_tier[2] = {kMaxAmountMinor + 1, kMaxBalanceMinor, kMaxBalanceMinor};
  EXPECT_EQ(ValidateTierLimits(bound).error().code, "invalid_tier_limits");
  bound.by_tier[2] = {kMaxAmountMinor, INT64_MAX, INT64_MAX};
  EXPECT_EQ(ValidateTierLimits(bound).error().code, "invalid_tier_limits");
}

TEST(PipelineLimitsTest, UsageWindowsEndAtNow) {
  using S = TxnStatus;
  std::vector<LimitUsageItem> items = {
      {kNow - 24h, 1, S::kPending},                // exactly 24 h ago: outside the day
      {kNow - 24h + 1us, 10, S::kProcessed},       // inside the day
      {kNow - 1s, 100, S::kHold},                  // inside
      {kNow - 1s, 1'000, S::kCanceled},            // canceled: never counts
      {kNow - 720h, 10'000, S::kProcessed},        // exactly 30 days ago: outside
      {kNow - 720h + 1us, 100'000, S::kRefunded},  // inside 30 days
      {kNow - 48h, 1'000'000, S::kReturned},       // inside 30 days
      {kNow + 1h, 10'000'000, S::kInitiated},      // after now: counts (safe side)
  };
  auto used = SumLimitUsage(items, kNow);
  ASSERT_TRUE(used.ok());
  EXPECT_EQ(used->last_24h_minor, 10 + 100 + 10'000'000);
  EXPECT_EQ(used->last_30_days_minor, 1 + 10 + 100 + 100'000 + 1'000'000 + 10'000'000);
  EXPECT_TRUE(CountsTowardLimits(S::kRefunded));
  EXPECT_FALSE(CountsTowardLimits(S::kCanceled));

  std::vector<LimitUsageItem> overflow = {{kNow, INT64_MAX, S::kPending}, {kNow, 1, S::kPending}};
  EXPECT_EQ(SumLimitUsage(overflow, kNow).error().code, "amount_overflow");
  std::vector<LimitUsageItem> negative = {{kNow, -1, S::kPending}};
  EXPECT_EQ(SumLimitUsage(negative, kNow).error().code, "invalid_amount");
}

// ---------------------------------------------------------------------------
// The pipeline.

const std::vector<std::string> kAllowed = {"US", "MX"};

PipelineInput Clean(FundingType funding = FundingType::kAch) {
  PipelineInput in;
  in.kyc_status = KycStatus::kVerified;
  in.user_country = "US";
  in.allowed_countries = kAllowed;
  in.ip_country = "US";
  in.funding = funding;
  in.risk.amount_minor = 10'000;
  in.risk.per_transaction_limit_minor = 99'900;
  in.risk.account_age_days = 400;
  in.risk.device_id = "device-1";
  in.amount_minor = 10'000;
  in.fee_minor = 299;
  in.options.sandbox = true;
  return in;
}

PipelineOutcome RunWith(const PipelineInput& in,
                        BalanceAnswer b = BalanceAnswer::Balance(1'000'000)) {
  return RunPipeline(in, RiskConfig{}, &b);
}

std::vector<std::string> StepLine(const PipelineOutcome& out) {
  std::vector<std::string> v;
  for (const StepRecord& s : out.steps()) {
    v.push_back(std::string(PipelineStepName(s.step)) + ":" +
                std::string(StepResultName(s.result)) + ":" + std::string(s.detail));
  }
  return v;
}

TEST(PipelineFlowTest, AllChecksPassGivesPendingWithEveryStepInOrder) {
  PipelineOutcome out = RunWith(Clean());
  EXPECT_EQ(out.verdict, PipelineVerdict::kPending);
  EXPECT_EQ(out.status, TxnStatus::kPending);
  EXPECT_FALSE(out.hold_reason);
  EXPECT_FALSE(out.cancel_reason);
  EXPECT_FALSE(out.new_bank_status);
  EXPECT_EQ(out.reason_code(), "");
  ASSERT_TRUE(out.risk);
  EXPECT_EQ(out.risk->score, 0);
  EXPECT_EQ(StepLine(out), (std::vector<std::string>{
                               "kyc_gate:passed:kyc_verified", "geoip:passed:ip_country_ok",
                               "risk:passed:safe", "balance_check:passed:balance_sufficient"}));
}

TEST(PipelineFlowTest, KycGate) {
  for (KycStatus k : {KycStatus::kUnverified, KycStatus::kPending, KycStatus::kRejected}) {
    PipelineInput in = Clean();
    in.kyc_status = k;
    in.ip_country = "";  // later checks would fail: they must not run
    PipelineOutcome out = RunWith(in);
    EXPECT_EQ(out.status, TxnStatus::kHold) << KycStatusName(k);
    EXPECT_EQ(out.reason_code(), "KYC_NOT_VERIFIED");
    EXPECT_EQ(out.decided_at, PipelineStep::kKycGate);
    EXPECT_EQ(out.resume_from, PipelineStep::kGeoip);
    EXPECT_FALSE(out.risk) << "no risk score before the KYC gate passes";
    EXPECT_EQ(StepLine(out), std::vector<std::string>{"kyc_gate:held:KYC_NOT_VERIFIED"});
  }
  PipelineInput in = Clean();
  in.kyc_status = KycStatus::kSuspended;
  PipelineOutcome out = RunWith(in);
  EXPECT_EQ(out.status, TxnStatus::kCanceled);
  EXPECT_EQ(out.reason_code(), "USER_SUSPENDED");
}

TEST(PipelineFlowTest, GeoipCheck) {
  struct Case {
    const char* user_country;
    const char* ip_country;
    const char* detail;  // "" = passes
  } cases[] = {
      {"US", "US", ""},
      {"MX", "MX", ""},
      {"US", "", "ip_country_unknown"},
      {"US", "CA", "ip_country_not_allowed"},  // outside the org's list
      {"US", "MX", "ip_country_not_user_country"},
      {"CA", "CA", "ip_country_not_allowed"},  // the user's own, but not allowed
      {"US", "us", "ip_country_not_allowed"},
  };
  for (const Case& c : cases) {
    PipelineInput in = Clean();
    in.user_country = c.user_country;
    in.ip_country = c.ip_country;
    PipelineOutcome out = RunWith(in);
    if (std::string(c.detail).empty()) {
      EXPECT_EQ(out.status, TxnStatus::kPending) << c.ip_country;
      continue;
    }
    EXPECT_EQ(out.status, TxnStatus::kHold) << c.ip_country;
    EXPECT_EQ(out.reason_code(), "GEOIP_FAILED");
    EXPECT_EQ(out.resume_from, PipelineStep::kRisk);
    EXPECT_FALSE(out.risk) << "the risk score comes after GeoIP";
    ASSERT_EQ(out.steps().size(), 2u);
    EXPECT_EQ(out.steps()[1].detail, c.detail);
  }
}

TEST(PipelineFlowTest, RiskBandsByTheSandboxOverride) {
  struct Case {
    const char* device;
    HighRiskAction action;
    TxnStatus status;
    const char* reason;
  } cases[] = {
      {"sandbox-risk-0", HighRiskAction::kHold, TxnStatus::kPending, ""},
      {"sandbox-risk-6", HighRiskAction::kHold, TxnStatus::kPending, ""},
      {"sandbox-risk-7", HighRiskAction::kHold, TxnStatus::kHold, "RISK_MODERATE"},
      {"sandbox-risk-69", HighRiskAction::kCancel, TxnStatus::kHold, "RISK_MODERATE"},
      {"sandbox-risk-70", HighRiskAction::kHold, TxnStatus::kHold, "RISK_HIGH"},
      {"sandbox-risk-100", HighRiskAction::kHold, TxnStatus::kHold, "RISK_HIGH"},
      {"sandbox-risk-70", HighRiskAction::kCancel, TxnStatus::kCanceled, "RISK_HIGH"},
  };
  for (const Case& c : cases) {
    PipelineInput in = Clean();
    in.risk.device_id = c.device;
    in.options.high_action = c.action;
    PipelineOutcome out = RunWith(in);
    EXPECT_EQ(out.status, c.status) << c.device;
    EXPECT_EQ(out.reason_code(), c.reason) << c.device;
    ASSERT_TRUE(out.risk);
    EXPECT_EQ(out.risk->score, std::stoi(std::string(c.device).substr(13)));
    ASSERT_EQ(out.risk->reasons().size(), 1u);
    EXPECT_EQ(out.risk->reasons()[0].code, "sandbox_override");
    if (out.status == TxnStatus::kHold) {
      EXPECT_EQ(out.resume_from, PipelineStep::kBalance);
      EXPECT_EQ(out.decided_at, PipelineStep::kRisk);
    }
  }
}

TEST(PipelineFlowTest, RiskFromRulesOutsideSandbox) {
  PipelineInput in = Clean();
  in.options.sandbox = false;
  in.risk.device_id = "sandbox-risk-90";  // no effect outside sandbox
  in.risk.earlier_returns = 1;            // 25 → moderate
  PipelineOutcome out = RunWith(in);
  EXPECT_EQ(out.reason_code(), "RISK_MODERATE");
  ASSERT_TRUE(out.risk);
  EXPECT_EQ(out.risk->score, 25);
  EXPECT_EQ(out.risk->reasons()[0].code, "earlier_returns");
}

TEST(PipelineBalanceTest, EveryProviderAnswer) {
  using E = BalanceError;
  struct Case {
    BalanceAnswer answer;
    TxnStatus status;
    const char* reason;
    std::optional<BankStatus> bank;
  } cases[] = {
      {BalanceAnswer::Balance(10'299), TxnStatus::kPending, "", {}},  // = amount + fee
      {BalanceAnswer::Balance(10'298), TxnStatus::kCanceled, "INSUFFICIENT_FUNDS", {}},
      {BalanceAnswer::Balance(10'000), TxnStatus::kCanceled, "INSUFFICIENT_FUNDS", {}},
      {BalanceAnswer::Balance(-5), TxnStatus::kCanceled, "INSUFFICIENT_FUNDS", {}},
      {BalanceAnswer::Failed(E::kItemLoginRequired), TxnStatus::kHold, "BANK_LOGIN_REQUIRED",
       BankStatus::kLoginRequired},
      {BalanceAnswer::Failed(E::kInstitutionNotResponding),
       TxnStatus::kHold,
       "INSTITUTION_NOT_RESPONDING",
       {}},
      {BalanceAnswer::Failed(E::kItemLocked), TxnStatus::kHold, "BANK_ACCOUNT_LOCKED",
       BankStatus::kLocked},
      {BalanceAnswer::Failed(E::kUserSetupRequired), TxnStatus::kHold, "BANK_SETUP_REQUIRED",
       BankStatus::kSetupRequired},
      {BalanceAnswer::Failed(E::kInvalidCredentials), TxnStatus::kCanceled,
       "BANK_CREDENTIALS_INVALID", BankStatus::kInvalid},
      {BalanceAnswer::Failed(E::kInvalidMfa), TxnStatus::kCanceled, "BANK_CREDENTIALS_INVALID",
       BankStatus::kInvalid},
      {BalanceAnswer::Failed(E::kInvalidSendMethod), TxnStatus::kCanceled,
       "BANK_CREDENTIALS_INVALID", BankStatus::kInvalid},
  };
  for (const Case& c : cases) {
    PipelineOutcome out = RunWith(Clean(), c.answer);
    std::string label = c.answer.has_balance ? std::to_string(c.answer.balance_minor)
                                             : std::string(BalanceErrorName(c.answer.error));
    EXPECT_EQ(out.status, c.status) << label;
    EXPECT_EQ(out.reason_code(), c.reason) << label;
    EXPECT_EQ(out.new_bank_status, c.bank) << label;
    ASSERT_EQ(out.steps().size(), 4u) << label;
    EXPECT_EQ(out.steps()[3].step, PipelineStep::kBalance);
    if (out.status == TxnStatus::kHold) {
      EXPECT_EQ(out.resume_from, PipelineStep::kBalance);
    }
    ASSERT_TRUE(out.risk) << "the balance step keeps the run's risk breakdown";
  }
}

TEST(PipelineBalanceTest, AmountPlusFeeOverflowIsInsufficient) {
  PipelineInput in = Clean();
  in.amount_minor = INT64_MAX;
  in.fee_minor = 1;
  EXPECT_EQ(RunWith(in, BalanceAnswer::Balance(INT64_MAX)).reason_code(), "INSUFFICIENT_FUNDS");
}

TEST(PipelineBalanceTest, ProviderIsAskedLazily) {
  PipelineInput in = Clean();
  PipelineOutcome waiting = RunPipeline(in, RiskConfig{});
  EXPECT_EQ(waiting.verdict, PipelineVerdict::kNeedsBalanceCheck);
  EXPECT_EQ(waiting.status, TxnStatus::kInitiated);
  EXPECT_EQ(waiting.decided_at, PipelineStep::kBalance);
  EXPECT_EQ(waiting.steps().size(), 3u);
  ASSERT_TRUE(waiting.risk);
  for (BalanceAnswer a : {BalanceAnswer::Balance(50'000), BalanceAnswer::Balance(1),
                          BalanceAnswer::Failed(BalanceError::kItemLocked)}) {
    PipelineOutcome resumed = ContinueWithBalance(waiting, in, a);
    PipelineOutcome direct = RunWith(in, a);
    EXPECT_EQ(resumed.status, direct.status);
    EXPECT_EQ(resumed.reason_code(), direct.reason_code());
    EXPECT_EQ(StepLine(resumed), StepLine(direct));
    EXPECT_EQ(resumed.new_bank_status, direct.new_bank_status);
  }
  // No provider call is needed for debit cards, unverified users, held ones,
  // or with skip_balance_check.
  EXPECT_EQ(RunPipeline(Clean(FundingType::kDebitCard), RiskConfig{}).verdict,
            PipelineVerdict::kPending);
  PipelineInput unverified = Clean();
  unverified.kyc_status = KycStatus::kPending;
  EXPECT_EQ(RunPipeline(unverified, RiskConfig{}).verdict, PipelineVerdict::kHold);
  PipelineInput risky = Clean();
  risky.risk.device_id = "sandbox-risk-50";
  EXPECT_EQ(RunPipeline(risky, RiskConfig{}).verdict, PipelineVerdict::kHold);
  PipelineInput skip = Clean();
  skip.options.skip_balance_check = true;
  EXPECT_EQ(RunPipeline(skip, RiskConfig{}).verdict, PipelineVerdict::kPending);
}

TEST(PipelineBalanceTest, DebitCardsSkipTheBalanceStep) {
  PipelineOutcome out = RunWith(Clean(FundingType::kDebitCard),
                                BalanceAnswer::Failed(BalanceError::kInvalidCredentials));
  EXPECT_EQ(out.status, TxnStatus::kPending);
  EXPECT_EQ(StepLine(out).back(), "balance_check:skipped:debit_card");
  EXPECT_FALSE(out.new_bank_status);
}

// ---------------------------------------------------------------------------
// Releases and re-runs.

// Applies a release to a held outcome and re-runs with the (possibly changed)
// facts in `in`.
PipelineOutcome Release(const PipelineOutcome& held, PipelineInput in, ReleasePath path,
                        BalanceAnswer b = BalanceAnswer::Balance(1'000'000)) {
  EXPECT_EQ(held.status, TxnStatus::kHold);
  auto plan = PlanRelease(*held.hold_reason, path, ReleasePathActor(path), "checked with partner",
                          held.resume_from);
  EXPECT_TRUE(plan.ok()) << plan.error().message;
  in.start = plan->start;
  in.options.skip_balance_check = plan->skip_balance_check;
  return RunWith(in, b);
}

TEST(PipelineResumeTest, KycReleaseRunsTheRemainingChecksFromGeoip) {
  PipelineInput in = Clean();
  in.kyc_status = KycStatus::kPending;
  PipelineOutcome held = RunWith(in);
  ASSERT_EQ(held.reason_code(), "KYC_NOT_VERIFIED");
  in.kyc_status = KycStatus::kVerified;
  // Passes everything → PENDING, with GeoIP and risk run.
  PipelineOutcome out = Release(held, in, ReleasePath::kAutoOnKycVerified);
  EXPECT_EQ(out.status, TxnStatus::kPending);
  EXPECT_EQ(StepLine(out).size(), 4u);
  EXPECT_TRUE(out.risk);
  // GeoIP can still fail after the KYC release.
  in.ip_country = "CA";
  EXPECT_EQ(Release(held, in, ReleasePath::kAutoOnKycVerified).reason_code(), "GEOIP_FAILED");
  in.ip_country = "US";
  // … and the risk score, and the balance check.
  in.risk.device_id = "sandbox-risk-30";
  EXPECT_EQ(Release(held, in, ReleasePath::kAutoOnKycVerified).reason_code(), "RISK_MODERATE");
  in.risk.device_id = "device-1";
  EXPECT_EQ(
      Release(held, in, ReleasePath::kAutoOnKycVerified, BalanceAnswer::Balance(0)).reason_code(),
      "INSUFFICIENT_FUNDS");
  // A KYC hold cannot be lifted by hand.
  EXPECT_EQ(PlanRelease(HoldReason::kKycNotVerified, ReleasePath::kAgentReleaseSkipBalanceCheck,
                        TxnActor::kAgent, "please", held.resume_from)
                .error()
                .code,
            "release_not_allowed");
}

TEST(PipelineResumeTest, GeoipReleaseScoresRiskThenChecksBalance) {
  PipelineInput in = Clean();
  in.ip_country = "MX";
  PipelineOutcome held = RunWith(in);
  ASSERT_EQ(held.reason_code(), "GEOIP_FAILED");
  // The IP is still MX: a release does not run GeoIP again.
  PipelineOutcome out = Release(held, in, ReleasePath::kAgentReleaseAfterReview);
  EXPECT_EQ(out.status, TxnStatus::kPending);
  EXPECT_EQ(StepLine(out),
            (std::vector<std::string>{"kyc_gate:passed:kyc_verified", "risk:passed:safe",
                                      "balance_check:passed:balance_sufficient"}));
  in.risk.device_id = "sandbox-risk-75";
  EXPECT_EQ(Release(held, in, ReleasePath::kAgentReleaseAfterReview).reason_code(), "RISK_HIGH");
  in.risk.device_id = "device-1";
  // Skipping the balance check skips only it: risk still runs.
  PipelineOutcome skipped =
      Release(held, in, ReleasePath::kAgentReleaseSkipBalanceCheck, BalanceAnswer::Balance(0));
  EXPECT_EQ(skipped.status, TxnStatus::kPending);
  EXPECT_TRUE(skipped.risk);
  EXPECT_EQ(StepLine(skipped).back(), "balance_check:skipped:skip_balance_check");
}

TEST(PipelineResumeTest, RiskReleaseDoesNotRescore) {
  for (const char* device : {"sandbox-risk-40", "sandbox-risk-90"}) {
    PipelineInput in = Clean();
    in.risk.device_id = device;
    PipelineOutcome held = RunWith(in);
    ASSERT_EQ(held.status, TxnStatus::kHold);
    ASSERT_EQ(held.resume_from, PipelineStep::kBalance);
    PipelineOutcome out = Release(held, in, ReleasePath::kAgentReleaseAfterReview);
    EXPECT_EQ(out.status, TxnStatus::kPending) << device;
    EXPECT_FALSE(out.risk) << "not scored again: the caller keeps the first breakdown";
    EXPECT_EQ(StepLine(out), (std::vector<std::string>{"kyc_gate:passed:kyc_verified",
                                                       "balance_check:passed:balance_sufficient"}));
    // The balance check does run, and can cancel or hold.
    EXPECT_EQ(Release(held, in, ReleasePath::kAgentReleaseAfterReview, BalanceAnswer::Balance(5))
                  .reason_code(),
              "INSUFFICIENT_FUNDS");
    EXPECT_EQ(Release(held, in, ReleasePath::kAgentReleaseAfterReview,
                      BalanceAnswer::Failed(BalanceError::kItemLoginRequired))
                  .reason_code(),
              "BANK_LOGIN_REQUIRED");
    // With skip_balance_check → PENDING even with no money.
    EXPECT_EQ(
        Release(held, in, ReleasePath::kAgentReleaseSkipBalanceCheck, BalanceAnswer::Balance(0))
            .status,
        TxnStatus::kPending);
  }
}

TEST(PipelineResumeTest, BankHoldReleasePaths) {
  using E = BalanceError;
  using P = ReleasePath;
  struct Case {
    E error;
    P path;
    BalanceAnswer next;
    TxnStatus status;
    const char* reason;
  } cases[] = {
      // Auto on bank status VERIFIED: the balance check runs again.
      {E::kItemLoginRequired, P::kAutoOnBankVerified, BalanceAnswer::Balance(99'999),
       TxnStatus::kPending, ""},
      {E::kItemLoginRequired, P::kAutoOnBankVerified, BalanceAnswer::Balance(1),
       TxnStatus::kCanceled, "INSUFFICIENT_FUNDS"},
      {E::kItemLoginRequired, P::kAutoOnBankVerified, BalanceAnswer::Failed(E::kItemLoginRequired),
       TxnStatus::kHold, "BANK_LOGIN_REQUIRED"},
      // Stuck in LOGIN_REQUIRED: agent skips the check.
      {E::kItemLoginRequired, P::kAgentReleaseSkipBalanceCheck,
       BalanceAnswer::Failed(E::kItemLoginRequired), TxnStatus::kPending, ""},
      // Institution not responding: retry, or skip.
      {E::kInstitutionNotResponding, P::kAgentRetryBalanceCheck, BalanceAnswer::Balance(99'999),
       TxnStatus::kPending, ""},
      {E::kInstitutionNotResponding, P::kAgentRetryBalanceCheck,
       BalanceAnswer::Failed(E::kInstitutionNotResponding), TxnStatus::kHold,
       "INSTITUTION_NOT_RESPONDING"},
      {E::kInstitutionNotResponding, P::kAgentReleaseSkipBalanceCheck,
       BalanceAnswer::Failed(E::kInstitutionNotResponding), TxnStatus::kPending, ""},
      // Locked / setup required: after the user confirms, the check runs again.
      {E::kItemLocked, P::kAgentReleaseAfterUserConfirmation, BalanceAnswer::Balance(99'999),
       TxnStatus::kPending, ""},
      {E::kItemLocked, P::kAgentReleaseAfterUserConfirmation, BalanceAnswer::Failed(E::kItemLocked),
       TxnStatus::kHold, "BANK_ACCOUNT_LOCKED"},
      {E::kUserSetupRequired, P::kAgentReleaseAfterUserConfirmation, BalanceAnswer::Balance(99'999),
       TxnStatus::kPending, ""},
      {E::kUserSetupRequired, P::kAgentReleaseAfterUserConfirmation,
       BalanceAnswer::Failed(E::kInvalidMfa), TxnStatus::kCanceled, "BANK_CREDENTIALS_INVALID"},
  };
  for (const Case& c : cases) {
    PipelineInput in = Clean();
    PipelineOutcome held = RunWith(in, BalanceAnswer::Failed(c.error));
    ASSERT_EQ(held.status, TxnStatus::kHold);
    PipelineOutcome out = Release(held, in, c.path, c.next);
    std::string label =
        std::string(held.reason_code()) + " " + std::string(ReleasePathName(c.path));
    EXPECT_EQ(out.status, c.status) << label;
    EXPECT_EQ(out.reason_code(), c.reason) << label;
    EXPECT_FALSE(out.risk) << label << ": no re-score after a bank hold";
  }
  // Paths a bank hold does not allow.
  EXPECT_FALSE(PlanRelease(HoldReason::kBankAccountLocked, P::kAgentReleaseSkipBalanceCheck,
                           TxnActor::kAgent, "n", PipelineStep::kBalance)
                   .ok());
  EXPECT_FALSE(PlanRelease(HoldReason::kInstitutionNotResponding, P::kAutoOnBankVerified,
                           TxnActor::kSystem, "", PipelineStep::kBalance)
                   .ok());
  EXPECT_EQ(PlanRelease(HoldReason::kInstitutionNotResponding, P::kAgentReleaseSkipBalanceCheck,
                        TxnActor::kAgent, "", PipelineStep::kBalance)
                .error()
                .code,
            "note_required");
}

TEST(PipelineResumeTest, KycGateAlwaysRunsAndKeepsTheResumePoint) {
  PipelineInput in = Clean();
  in.risk.device_id = "sandbox-risk-20";
  PipelineOutcome risk_hold = RunWith(in);
  ASSERT_EQ(risk_hold.reason_code(), "RISK_MODERATE");
  // Between the hold and the release the user's KYC went back to PENDING.
  in.kyc_status = KycStatus::kPending;
  PipelineOutcome kyc_hold = Release(risk_hold, in, ReleasePath::kAgentReleaseAfterReview);
  EXPECT_EQ(kyc_hold.reason_code(), "KYC_NOT_VERIFIED");
  EXPECT_EQ(kyc_hold.resume_from, PipelineStep::kBalance) << "GeoIP and risk already passed";
  in.kyc_status = KycStatus::kVerified;
  PipelineOutcome out = Release(kyc_hold, in, ReleasePath::kAutoOnKycVerified);
  EXPECT_EQ(out.status, TxnStatus::kPending);
  EXPECT_FALSE(out.risk);
  // A suspended user is canceled on any run.
  in.kyc_status = KycStatus::kSuspended;
  EXPECT_EQ(Release(risk_hold, in, ReleasePath::kAgentReleaseAfterReview).reason_code(),
            "USER_SUSPENDED");
}

TEST(PipelineNamesTest, RoundTrip) {
  for (int i = 0; i <= 4; ++i) {
    auto s = static_cast<PipelineStep>(i);
    EXPECT_EQ(ParsePipelineStep(PipelineStepName(s)), s);
  }
  for (int i = 0; i <= 4; ++i) {
    auto s = static_cast<BankStatus>(i);
    EXPECT_EQ(ParseBankStatus(BankStatusName(s)), s);
  }
  for (int i = 0; i <= 6; ++i) {
    auto e = static_cast<BalanceError>(i);
    EXPECT_EQ(ParseBalanceError(BalanceErrorName(e)), e);
  }
  EXPECT_EQ(BalanceErrorName(BalanceError::kItemLoginRequired), "ITEM_LOGIN_REQUIRED");
  EXPECT_EQ(BankStatusName(BankStatus::kSetupRequired), "SETUP_REQUIRED");
  EXPECT_EQ(ParseFundingType("debit_card"), FundingType::kDebitCard);
  EXPECT_EQ(ParseFundingType("ach"), FundingType::kAch);
  EXPECT_FALSE(ParseFundingType("card").has_value());
  EXPECT_FALSE(ParseBalanceError("item_locked").has_value());
}

}  // namespace
}  // namespace payops
