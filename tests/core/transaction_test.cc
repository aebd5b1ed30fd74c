// The state machine, holds, cancel / refund / return / chargeback rules
// (SPEC §2.2, §2.4), and the property test over random operation sequences.
#include "payops/core/transaction.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "payops/core/ledger.h"
#include "payops/core/pipeline.h"

namespace payops {
namespace {

using namespace std::chrono_literals;
using enum TxnStatus;
constexpr TxnActor kSys = TxnActor::kSystem;
constexpr TxnActor kAgt = TxnActor::kAgent;
constexpr TxnActor kPtn = TxnActor::kPartner;
constexpr TxnStatus kAllStatuses[] = {kInitiated, kHold,     kPending, kProcessed,
                                      kCanceled,  kRefunded, kReturned};
constexpr TxnActor kAllActors[] = {kSys, kAgt, kPtn};

const Instant kT0 = FromMicros(1'773'000'000'000'000);  // 2026-03-08T19:20:00Z

// The allowed (from, to, actor) triples, written out from SPEC §2.4 (+ the
// decisions documented in transaction.h) independently of the code's table.
const std::set<std::tuple<TxnStatus, TxnStatus, TxnActor>>& Oracle() {
  static const auto* kAllowed = new std::set<std::tuple<TxnStatus, TxnStatus, TxnActor>>{
      {kInitiated, kHold, kSys},     {kInitiated, kPending, kSys},  {kInitiated, kCanceled, kSys},
      {kInitiated, kCanceled, kAgt}, {kInitiated, kCanceled, kPtn}, {kHold, kHold, kSys},
      {kHold, kHold, kAgt},          {kHold, kPending, kSys},       {kHold, kPending, kAgt},
      {kHold, kCanceled, kSys},      {kHold, kCanceled, kAgt},      {kPending, kProcessed, kSys},
      {kPending, kCanceled, kSys},   {kPending, kCanceled, kAgt},   {kPending, kCanceled, kPtn},
      {kProcessed, kRefunded, kAgt}, {kProcessed, kReturned, kSys}, {kProcessed, kReturned, kAgt},
  };
  return *kAllowed;
}

bool OracleAllows(TxnStatus from, TxnStatus to, TxnActor a) {
  return Oracle().count({from, to, a}) != 0;
}
bool OracleHasPair(TxnStatus from, TxnStatus to) {
  for (TxnActor a : kAllActors) {
    if (OracleAllows(from, to, a)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------

TEST(TxnStatusTest, NamesRoundTrip) {
  for (TxnStatus s : kAllStatuses) {
    auto parsed = ParseTxnStatus(TxnStatusName(s));
    ASSERT_TRUE(parsed.has_value()) << TxnStatusName(s);
    EXPECT_EQ(*parsed, s);
  }
  EXPECT_EQ(TxnStatusName(kHold), "HOLD");
  EXPECT_FALSE(ParseTxnStatus("hold").has_value());
  EXPECT_FALSE(ParseTxnStatus("").has_value());
  EXPECT_TRUE(IsFinalStatus(kCanceled));
  EXPECT_TRUE(IsFinalStatus(kRefunded));
  EXPECT_TRUE(IsFinalStatus(kReturned));
  EXPECT_FALSE(IsFinalStatus(kProcessed));
  EXPECT_EQ(TxnActorName(kPtn), "partner");
}

TEST(TxnTransitionTest, TableMatchesTheSpecForEveryTriple) {
  for (TxnStatus from : kAllStatuses) {
    for (TxnStatus to : kAllStatuses) {
      EXPECT_EQ(FindTxnTransition(from, to) != nullptr, OracleHasPair(from, to))
          << TxnStatusName(from) << "->" << TxnStatusName(to);
      for (TxnActor a : kAllActors) {
        Status s = CheckTxnTransition(from, to, a);
        EXPECT_EQ(s.ok(), OracleAllows(from, to, a))
            << TxnStatusName(from) << "->" << TxnStatusName(to) << " by " << TxnActorName(a);
        if (!s.ok() && !OracleHasPair(from, to)) {
          EXPECT_EQ(s.error().kind, ErrorKind::kConflict);
          EXPECT_EQ(s.error().code, "illegal_transition");
          EXPECT_NE(s.error().message.find(std::string(TxnStatusName(from))), std::string::npos)
              << s.error().message;
        } else if (!s.ok()) {
          EXPECT_EQ(s.error().kind, ErrorKind::kForbidden);
          EXPECT_EQ(s.error().code, "actor_not_allowed");
        }
      }
    }
  }
}

TEST(TxnTransitionTest, TableListsEachPairOnceAndNothingLeavesAFinalStatus) {
  std::set<std::pair<TxnStatus, TxnStatus>> seen;
  for (const TxnTransition& t : TxnTransitionTable()) {
    EXPECT_TRUE(seen.insert({t.from, t.to}).second) << "duplicate row";
    EXPECT_FALSE(IsFinalStatus(t.from));
    EXPECT_NE(t.actors, 0);
    EXPECT_FALSE(t.rule.empty());
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(TxnTransitionTest, IllegalTransitionNamesTheCurrentStatus) {
  Status s = CheckTxnTransition(kProcessed, kPending, kSys);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "illegal_transition");
  EXPECT_EQ(s.error().message, "transaction is PROCESSED: it cannot become PENDING");
}

TEST(TxnTransitionTest, RecordTransitionChecksAndNeedsAReason) {
  auto r = RecordTxnTransition(kHold, kPending, kAgt, "released after review", kT0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at, kT0);
  EXPECT_EQ(r->from, kHold);
  EXPECT_EQ(r->to, kPending);
  EXPECT_EQ(r->actor, kAgt);
  EXPECT_EQ(r->reason, "released after review");
  auto blank = RecordTxnTransition(kHold, kPending, kAgt, "  ", kT0);
  ASSERT_FALSE(blank.ok());
  EXPECT_EQ(blank.error().code, "reason_required");
  auto illegal = RecordTxnTransition(kCanceled, kPending, kAgt, "x", kT0);
  ASSERT_FALSE(illegal.ok());
  EXPECT_EQ(illegal.error().code, "illegal_transition");
}

// ---------------------------------------------------------------------------
// Holds.

TEST(TxnHoldTest, EveryReasonHasCodeExplanationNextActionAndReleasePaths) {
  const char* const kCodes[] = {"KYC_NOT_VERIFIED",    "GEOIP_FAILED",
                                "RISK_MODERATE",       "RISK_HIGH",
                                "BANK_LOGIN_REQUIRED", "INSTITUTION_NOT_RESPONDING",
                                "BANK_ACCOUNT_LOCKED", "BANK_SETUP_REQUIRED"};
  ASSERT_EQ(AllHoldReasons().size(), std::size(kCodes));
  for (size_t i = 0; i < std::size(kCodes); ++i) {
    const HoldReasonInfo& h = AllHoldReasons()[i];
    EXPECT_EQ(h.code, kCodes[i]);
    EXPECT_EQ(&HoldInfo(h.reason), &h);
    EXPECT_EQ(ParseHoldReason(kCodes[i]), h.reason);
    EXPECT_GT(h.explanation.size(), 40u) << h.code;
    EXPECT_GT(h.next_action.size(), 40u) << h.code;
    EXPECT_NE(h.release_paths, 0) << h.code;
  }
  EXPECT_FALSE(ParseHoldReason("kyc_not_verified").has_value());
  // The seed's words are there.
  EXPECT_NE(HoldInfo(HoldReason::kBankAccountLocked).explanation.find("locked"), std::string::npos);
  EXPECT_NE(
      HoldInfo(HoldReason::kInstitutionNotResponding).explanation.find("not currently responding"),
      std::string::npos);
  EXPECT_NE(HoldInfo(HoldReason::kBankLoginRequired).next_action.find("LOGIN_REQUIRED to VERIFIED"),
            std::string::npos);
}

TEST(TxnHoldTest, ReleasePathsPerReasonAreThoseOfTheSeed) {
  using P = ReleasePath;
  struct Case {
    HoldReason reason;
    std::vector<P> allowed;
  } cases[] = {
      {HoldReason::kKycNotVerified, {P::kAutoOnKycVerified}},
      {HoldReason::kGeoipFailed, {P::kAgentReleaseAfterReview, P::kAgentReleaseSkipBalanceCheck}},
      {HoldReason::kRiskModerate, {P::kAgentReleaseAfterReview, P::kAgentReleaseSkipBalanceCheck}},
      {HoldReason::kRiskHigh, {P::kAgentReleaseAfterReview, P::kAgentReleaseSkipBalanceCheck}},
      {HoldReason::kBankLoginRequired, {P::kAutoOnBankVerified, P::kAgentReleaseSkipBalanceCheck}},
      {HoldReason::kInstitutionNotResponding,
       {P::kAgentRetryBalanceCheck, P::kAgentReleaseSkipBalanceCheck}},
      {HoldReason::kBankAccountLocked, {P::kAgentReleaseAfterUserConfirmation}},
      {HoldReason::kBankSetupRequired, {P::kAgentReleaseAfterUserConfirmation}},
  };
  const P kAllPaths[] = {P::kAutoOnKycVerified,
                         P::kAutoOnBankVerified,
                         P::kAgentRetryBalanceCheck,
                         P::kAgentReleaseSkipBalanceCheck,
                         P::kAgentReleaseAfterUserConfirmation,
                         P::kAgentReleaseAfterReview};
  for (const Case& c : cases) {
    for (P p : kAllPaths) {
      bool expected = std::find(c.allowed.begin(), c.allowed.end(), p) != c.allowed.end();
      EXPECT_EQ(HoldAllows(c.reason, p), expected)
          << HoldReasonCode(c.reason) << " " << ReleasePathName(p);
    }
  }
  for (P p : kAllPaths) EXPECT_EQ(ParseReleasePath(ReleasePathName(p)), p);
  EXPECT_EQ(ReleasePathActor(P::kAutoOnKycVerified), kSys);
  EXPECT_EQ(ReleasePathActor(P::kAutoOnBankVerified), kSys);
  EXPECT_EQ(ReleasePathActor(P::kAgentReleaseSkipBalanceCheck), kAgt);
}

TEST(TxnReleaseTest, CheckReleaseTable) {
  using P = ReleasePath;
  struct Case {
    HoldReason reason;
    P path;
    TxnActor actor;
    const char* note;
    const char* code;  // "" = OK
  } cases[] = {
      {HoldReason::kKycNotVerified, P::kAutoOnKycVerified, kSys, "", ""},
      {HoldReason::kKycNotVerified, P::kAgentReleaseAfterReview, kAgt, "n", "release_not_allowed"},
      {HoldReason::kKycNotVerified, P::kAgentReleaseSkipBalanceCheck, kAgt, "n",
       "release_not_allowed"},
      {HoldReason::kKycNotVerified, P::kAutoOnKycVerified, kAgt, "n", "actor_not_allowed"},
      {HoldReason::kGeoipFailed, P::kAgentReleaseAfterReview, kAgt, "user travels", ""},
      {HoldReason::kGeoipFailed, P::kAgentReleaseAfterReview, kPtn, "n", "actor_not_allowed"},
      {HoldReason::kGeoipFailed, P::kAgentReleaseAfterReview, kAgt, "", "note_required"},
      {HoldReason::kGeoipFailed, P::kAgentReleaseAfterReview, kAgt, " \t", "note_required"},
      {HoldReason::kRiskModerate, P::kAgentReleaseAfterReview, kAgt, "ok", ""},
      {HoldReason::kRiskHigh, P::kAgentReleaseAfterReview, kAgt, "ok", ""},
      {HoldReason::kRiskHigh, P::kAutoOnKycVerified, kSys, "", "release_not_allowed"},
      {HoldReason::kBankLoginRequired, P::kAutoOnBankVerified, kSys, "", ""},
      {HoldReason::kBankLoginRequired, P::kAgentReleaseSkipBalanceCheck, kAgt, "stuck", ""},
      {HoldReason::kBankLoginRequired, P::kAgentReleaseSkipBalanceCheck, kAgt, "", "note_required"},
      {HoldReason::kBankLoginRequired, P::kAgentRetryBalanceCheck, kAgt, "n",
       "release_not_allowed"},
      {HoldReason::kInstitutionNotResponding, P::kAgentRetryBalanceCheck, kAgt, "retry", ""},
      {HoldReason::kInstitutionNotResponding, P::kAgentReleaseSkipBalanceCheck, kAgt, "smp ok", ""},
      {HoldReason::kInstitutionNotResponding, P::kAutoOnBankVerified, kSys, "",
       "release_not_allowed"},
      {HoldReason::kBankAccountLocked, P::kAgentReleaseAfterUserConfirmation, kAgt, "user ok", ""},
      {HoldReason::kBankAccountLocked, P::kAgentReleaseSkipBalanceCheck, kAgt, "n",
       "release_not_allowed"},
      {HoldReason::kBankSetupRequired, P::kAgentReleaseAfterUserConfirmation, kAgt, "done", ""},
      {HoldReason::kBankSetupRequired, P::kAgentReleaseAfterUserConfirmation, kPtn, "done",
       "actor_not_allowed"},
  };
  for (const Case& c : cases) {
    Status s = CheckRelease(c.reason, c.path, c.actor, c.note);
    std::string label = std::string(HoldReasonCode(c.reason)) + " " +
                        std::string(ReleasePathName(c.path)) + " by " +
                        std::string(TxnActorName(c.actor));
    if (std::string(c.code).empty()) {
      EXPECT_TRUE(s.ok()) << label << ": " << s.error().message;
    } else {
      ASSERT_FALSE(s.ok()) << label;
      EXPECT_EQ(s.error().code, c.code) << label;
    }
  }
  Status s =
      CheckRelease(HoldReason::kBankAccountLocked, ReleasePath::kAgentRetryBalanceCheck, kAgt, "n");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("agent_release_after_user_confirmation"), std::string::npos);
  EXPECT_EQ(CheckRelease(HoldReason::kGeoipFailed, ReleasePath::kAgentReleaseAfterReview, kAgt, "")
                .error()
                .field,
            "note");
}

// ---------------------------------------------------------------------------
// Cancel.

TEST(TxnCancelTest, ReasonsHaveCodesAndActors) {
  const char* const kCodes[] = {"INSUFFICIENT_FUNDS", "BANK_CREDENTIALS_INVALID",
                                "USER_SUSPENDED",     "RISK_HIGH",
                                "AGENT_CANCELED",     "PARTNER_REQUESTED"};
  ASSERT_EQ(AllCancelReasons().size(), std::size(kCodes));
  for (size_t i = 0; i < std::size(kCodes); ++i) {
    const CancelReasonInfo& c = AllCancelReasons()[i];
    EXPECT_EQ(c.code, kCodes[i]);
    EXPECT_EQ(ParseCancelReason(kCodes[i]), c.reason);
    EXPECT_FALSE(c.explanation.empty());
  }
}

TEST(TxnCancelTest, RulesTable) {
  using R = CancelReason;
  struct Case {
    const char* name;
    TxnStatus status;
    Micros age;  // now - created_at
    bool batch_closed;
    R reason;
    TxnActor actor;
    const char* code;  // "" = allowed
  } cases[] = {
      {"initiated at once", kInitiated, 0us, false, R::kAgentCanceled, kAgt, ""},
      {"initiated days later", kInitiated, 72h, false, R::kPartnerRequested, kPtn, ""},
      {"hold a week later", kHold, 168h, false, R::kAgentCanceled, kAgt, ""},
      {"hold by system, suspended", kHold, 1h, false, R::kUserSuspended, kSys, ""},
      {"hold by partner directly", kHold, 1min, false, R::kPartnerRequested, kPtn,
       "actor_not_allowed"},
      {"hold, partner's request done by agent", kHold, 1min, false, R::kPartnerRequested, kAgt, ""},
      {"pending at creation", kPending, 0us, false, R::kAgentCanceled, kAgt, ""},
      {"pending 29:59.999999", kPending, 30min - 1us, false, R::kPartnerRequested, kPtn, ""},
      {"pending exactly 30:00", kPending, 30min, false, R::kAgentCanceled, kAgt, "refund_required"},
      {"pending 30:01", kPending, 30min + 1s, false, R::kAgentCanceled, kAgt, "refund_required"},
      {"pending 5 min, batch closed", kPending, 5min, true, R::kAgentCanceled, kAgt,
       "refund_required"},
      {"pending, clock behind creation", kPending, -5s, false, R::kAgentCanceled, kAgt, ""},
      {"suspension ignores the window", kPending, 5h, false, R::kUserSuspended, kSys, ""},
      {"suspension stops at a closed batch", kPending, 5min, true, R::kUserSuspended, kSys,
       "refund_required"},
      {"processed", kProcessed, 1min, true, R::kAgentCanceled, kAgt, "refund_required"},
      {"canceled", kCanceled, 1min, false, R::kAgentCanceled, kAgt, "illegal_transition"},
      {"refunded", kRefunded, 1min, false, R::kAgentCanceled, kAgt, "illegal_transition"},
      {"returned", kReturned, 1min, false, R::kAgentCanceled, kAgt, "illegal_transition"},
      {"agent reason by partner", kInitiated, 0us, false, R::kAgentCanceled, kPtn,
       "actor_not_allowed"},
      {"system reason by agent", kInitiated, 0us, false, R::kInsufficientFunds, kAgt,
       "actor_not_allowed"},
      {"risk high by system", kInitiated, 0us, false, R::kRiskHigh, kSys, ""},
      {"credentials by system", kInitiated, 0us, false, R::kBankCredentialsInvalid, kSys, ""},
  };
  for (const Case& c : cases) {
    CancelRequest req{c.status, kT0, kT0 + c.age, c.batch_closed, c.reason, c.actor};
    Status s = CheckCancel(req);
    if (std::string(c.code).empty()) {
      EXPECT_TRUE(s.ok()) << c.name << ": " << s.error().message;
    } else {
      ASSERT_FALSE(s.ok()) << c.name;
      EXPECT_EQ(s.error().code, c.code) << c.name;
      if (std::string(c.code) == "refund_required") {
        EXPECT_EQ(s.error().kind, ErrorKind::kConflict);
        EXPECT_NE(s.error().message.find("refund is needed"), std::string::npos) << c.name;
      }
    }
  }
}

TEST(TxnRefundTest, OnlyProcessedIsRefundedByAnAgent) {
  EXPECT_TRUE(CheckRefund(kProcessed, kAgt).ok());
  EXPECT_EQ(CheckRefund(kProcessed, kPtn).error().code, "actor_not_allowed");
  EXPECT_EQ(CheckRefund(kProcessed, kSys).error().code, "actor_not_allowed");
  for (TxnStatus s : {kInitiated, kHold, kPending}) {
    Status r = CheckRefund(s, kAgt);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "not_processed");
    EXPECT_NE(r.error().message.find("cancel"), std::string::npos);
  }
  for (TxnStatus s : {kCanceled, kRefunded, kReturned}) {
    EXPECT_EQ(CheckRefund(s, kAgt).error().code, "illegal_transition");
  }
}

// ---------------------------------------------------------------------------
// Returns and chargebacks.

TEST(TxnReturnTest, ReturnCodeFormat) {
  struct Case {
    const char* code;
    bool ok;
  } cases[] = {{"R01", true},  {"R10", true},  {"R29", true},   {"R99", true}, {"R00", false},
               {"r01", false}, {"R1", false},  {"R001", false}, {"", false},   {"RAB", false},
               {"X01", false}, {"R0 ", false}, {" R01", false}};
  for (const Case& c : cases) {
    EXPECT_EQ(IsNachaReturnCode(c.code), c.ok) << c.code;
    Status s = CheckReturn(kProcessed, c.code, kSys);
    EXPECT_EQ(s.ok(), c.ok) << c.code;
    if (!c.ok) {
      EXPECT_EQ(s.error().code, "invalid_return_code");
      EXPECT_EQ(s.error().field, "code");
    }
  }
}

TEST(TxnReturnTest, CommonCodesAreDescribed) {
  for (const char* code : {"R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R10",
                           "R16", "R20", "R29"}) {
    EXPECT_FALSE(NachaReturnCodeDescription(code).empty()) << code;
  }
  EXPECT_EQ(NachaReturnCodeDescription("R01"), "Insufficient funds");
  EXPECT_EQ(NachaReturnCodeDescription("R02"), "Account closed");
  EXPECT_TRUE(NachaReturnCodeDescription("R11").empty());
  EXPECT_TRUE(NachaReturnCodeDescription("R00").empty());
}

TEST(TxnReturnTest, ReturnAndChargebackOnlyFromProcessed) {
  for (TxnStatus s : kAllStatuses) {
    EXPECT_EQ(CheckReturn(s, "R01", kSys).ok(), s == kProcessed) << TxnStatusName(s);
    EXPECT_EQ(CheckChargeback(s, "fraud claimed by cardholder", kAgt).ok(), s == kProcessed)
        << TxnStatusName(s);
  }
  EXPECT_EQ(CheckReturn(kPending, "R01", kSys).error().code, "illegal_transition");
  EXPECT_EQ(CheckReturn(kProcessed, "R01", kPtn).error().code, "actor_not_allowed");
}

TEST(TxnReturnTest, ChargebackReasonIsText) {
  EXPECT_TRUE(CheckChargeback(kProcessed, "goods not received", kSys).ok());
  EXPECT_TRUE(CheckChargeback(kProcessed, std::string(200, 'x'), kSys).ok());
  for (const std::string& bad : {std::string(), std::string("   "), std::string(201, 'x'),
                                 std::string("line\nbreak"), std::string("nul\0x", 5)}) {
    Status s = CheckChargeback(kProcessed, bad, kSys);
    ASSERT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.error().code, "invalid_chargeback_reason");
    EXPECT_EQ(s.error().field, "reason");
  }
}

// ---------------------------------------------------------------------------
// Property test: random operation sequences over many transactions of several
// orgs. Each operation is tried against the engine; the engine's verdict must
// agree with the oracle (the independent table above plus the cancel window),
// no status changes outside the table, and the ledger (built only from postings
// made by the helpers when the engine said yes) keeps its invariants: every
// posting balances per currency, balances are only sums of entries, and every
// org account equals an independently tracked expectation.

struct SimTxn {
  TxnStatus status = kInitiated;
  std::optional<HoldReason> hold;
  PipelineStep resume_from = PipelineStep::kGeoip;
  Instant created_at;
  bool batch_closed = false;
  int org = 0;
  int64_t amount_minor = 0;
  FundingType funding = FundingType::kAch;
  KycStatus kyc = KycStatus::kVerified;
  std::optional<Posting> payin;
};

struct SimOrg {
  OrgAccounts accounts;
  std::vector<Fee> fees;
  int64_t expected_org_minor = 0;  // tracked without the ledger
  int64_t expected_fee_minor = 0;
};

class TxnPropertyTest : public ::testing::TestWithParam<uint32_t> {};

TEST_P(TxnPropertyTest, RandomSequencesKeepTheRules) {
  std::mt19937_64 rng(GetParam());
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  const char* const kCurrencies[] = {"USD", "EUR", "MXN"};
  std::vector<SimOrg> orgs;
  for (int i = 0; i < 3; ++i) {
    SimOrg o;
    o.accounts =
        OrgAccounts::For("org_" + std::to_string(i), Currency::Parse(kCurrencies[i]).value());
    o.fees = {{"payin", kCurrencies[i], "US-MX", pick(0, 500)},
              {"payout", kCurrencies[i], "US-MX", pick(0, 300)}};
    orgs.push_back(o);
  }
  const std::vector<std::string> allowed = {"US", "MX"};
  std::vector<SimTxn> txns;
  std::vector<Posting> ledger;
  Instant now = kT0;
  RiskConfig risk_config;
  int64_t legal_done = 0;
  std::set<TxnStatus> reached;

  auto post = [&](Posting p) {
    ASSERT_TRUE(ValidatePosting(p).ok());
    ledger.push_back(std::move(p));
  };
  // Moves t to `to` through CheckTxnTransition, asserting the oracle agrees.
  auto move = [&](SimTxn& t, TxnStatus to, TxnActor actor) {
    ASSERT_TRUE(OracleAllows(t.status, to, actor))
        << TxnStatusName(t.status) << "->" << TxnStatusName(to);
    ASSERT_TRUE(CheckTxnTransition(t.status, to, actor).ok());
    t.status = to;
    ++legal_done;
    reached.insert(to);
  };
  auto apply_outcome = [&](SimTxn& t, const PipelineOutcome& out, TxnActor actor) {
    ASSERT_NE(out.verdict, PipelineVerdict::kNeedsBalanceCheck);
    move(t, out.status, actor);
    t.hold = out.hold_reason;
    if (out.hold_reason) t.resume_from = out.resume_from;
  };
  auto run = [&](SimTxn& t, PipelineStep start, bool skip, TxnActor actor) {
    PipelineInput in;
    in.kyc_status = t.kyc;
    in.user_country = "US";
    in.allowed_countries = allowed;
    in.ip_country = pick(0, 9) == 0 ? "CA" : "US";
    in.funding = t.funding;
    in.amount_minor = t.amount_minor;
    in.fee_minor = orgs[t.org].fees[0].fee_minor;
    in.options.sandbox = true;
    in.options.high_action = pick(0, 1) ? HighRiskAction::kHold : HighRiskAction::kCancel;
    in.options.skip_balance_check = skip;
    const std::string device =
        pick(0, 2) == 0 ? "sandbox-risk-" + std::to_string(pick(0, 100)) : "device-1";
    in.risk.device_id = device;
    in.start = start;
    PipelineOutcome out = RunPipeline(in, risk_config);
    if (out.verdict == PipelineVerdict::kNeedsBalanceCheck) {
      BalanceAnswer ans = pick(0, 3) == 0
                              ? BalanceAnswer::Failed(static_cast<BalanceError>(pick(0, 6)))
                              : BalanceAnswer::Balance(pick(0, 2 * t.amount_minor));
      out = ContinueWithBalance(out, in, ans);
    }
    apply_outcome(t, out, actor);
  };

  for (int step = 0; step < 1500; ++step) {
    now += Micros(pick(0, 20 * 60 * 1'000'000LL));  // up to 20 minutes
    const int op = static_cast<int>(pick(0, 9));
    if (op == 0 || txns.empty()) {  // initiate and run the pipeline
      SimTxn t;
      t.created_at = now;
      t.org = static_cast<int>(pick(0, 2));
      t.amount_minor = pick(1, 500'000);
      t.funding = pick(0, 1) ? FundingType::kAch : FundingType::kDebitCard;
      t.kyc = pick(0, 3) == 0 ? KycStatus::kPending : KycStatus::kVerified;
      txns.push_back(t);
      run(txns.back(), PipelineStep::kGeoip, false, kSys);
      continue;
    }
    SimTxn& t = txns[static_cast<size_t>(pick(0, static_cast<int64_t>(txns.size()) - 1))];
    SimOrg& o = orgs[static_cast<size_t>(t.org)];
    const TxnActor actor = kAllActors[pick(0, 2)];
    switch (op) {
      case 1: {  // a release by a random path
        const auto path = static_cast<ReleasePath>(1 << pick(0, 5));
        if (t.status != kHold) break;  // only a held transaction has a hold to release
        if (path == ReleasePath::kAutoOnKycVerified) t.kyc = KycStatus::kVerified;
        auto plan = PlanRelease(*t.hold, path, actor, "note", t.resume_from);
        const bool oracle_ok = HoldAllows(*t.hold, path) && ReleasePathActor(path) == actor;
        ASSERT_EQ(plan.ok(), oracle_ok);
        if (plan.ok()) run(t, plan->start, plan->skip_balance_check, actor);
        break;
      }
      case 2: {  // cancel
        const CancelReason reason = actor == kPtn   ? CancelReason::kPartnerRequested
                                    : actor == kAgt ? CancelReason::kAgentCanceled
                                                    : CancelReason::kUserSuspended;
        Status s = CheckCancel({t.status, t.created_at, now, t.batch_closed, reason, actor});
        bool oracle_ok = OracleAllows(t.status, kCanceled, actor);
        if (t.status == kPending) {
          oracle_ok = oracle_ok && !t.batch_closed &&
                      (reason == CancelReason::kUserSuspended || now - t.created_at < 30min);
        }
        ASSERT_EQ(s.ok(), oracle_ok) << TxnStatusName(t.status);
        if (s.ok()) move(t, kCanceled, actor);
        break;
      }
      case 3:
      case 4: {  // batch cutoff / processing
        if (t.status == kPending && !t.batch_closed) {
          t.batch_closed = true;
          break;
        }
        Status s = CheckTxnTransition(t.status, kProcessed, kSys);
        ASSERT_EQ(s.ok(), t.status == kPending);
        if (!s.ok()) break;
        move(t, kProcessed, kSys);
        auto postings = BuildProcessedPostings(o.accounts, o.fees, {"t", t.amount_minor, "US-MX"});
        ASSERT_TRUE(postings.ok());
        o.expected_org_minor += t.amount_minor - t.amount_minor - postings->payout_fee_minor;
        o.expected_fee_minor += postings->payin_fee_minor + postings->payout_fee_minor;
        t.payin = postings->payin;
        post(postings->payin);
        post(postings->payout);
        break;
      }
      case 5: {  // refund
        Status s = CheckRefund(t.status, actor);
        ASSERT_EQ(s.ok(), OracleAllows(t.status, kRefunded, actor));
        if (!s.ok()) break;
        move(t, kRefunded, actor);
        auto rev = BuildReversal(*t.payin, PostingKind::kRefund);
        ASSERT_TRUE(rev.ok());
        o.expected_org_minor -= t.amount_minor;
        o.expected_fee_minor -= o.fees[0].fee_minor;
        post(*rev);
        break;
      }
      case 6:
      case 7: {  // return (R-code) or chargeback
        Status s = op == 6 ? CheckReturn(t.status, "R0" + std::to_string(pick(1, 9)), actor)
                           : CheckChargeback(t.status, "cardholder dispute", actor);
        ASSERT_EQ(s.ok(), OracleAllows(t.status, kReturned, actor));
        if (!s.ok()) break;
        move(t, kReturned, actor);
        auto rev = BuildReversal(*t.payin, PostingKind::kReturn);
        ASSERT_TRUE(rev.ok());
        o.expected_org_minor -= t.amount_minor;
        o.expected_fee_minor -= o.fees[0].fee_minor;
        post(*rev);
        break;
      }
      case 8: {  // any transition attempt: succeeds iff the oracle says so
        const TxnStatus to = kAllStatuses[pick(0, 6)];
        Status s = CheckTxnTransition(t.status, to, actor);
        ASSERT_EQ(s.ok(), OracleAllows(t.status, to, actor));
        if (!s.ok()) {
          EXPECT_NE(s.error().message.find(TxnStatusName(t.status)), std::string::npos);
        }
        break;
      }
      default: {  // org money movements: a deposit or an org payout
        const int64_t amount = pick(1, 100'000);
        if (pick(0, 1)) {
          auto p = BuildDeposit(o.accounts, "dep", amount);
          ASSERT_TRUE(p.ok());
          o.expected_org_minor += amount;
          post(*p);
        } else {
          const int64_t fee = pick(0, 100);
          auto p = BuildOrgPayout(o.accounts, "po", amount, fee);
          ASSERT_TRUE(p.ok());
          o.expected_org_minor -= amount + fee;
          o.expected_fee_minor += fee;
          post(*p);
        }
        break;
      }
    }
    if (::testing::Test::HasFatalFailure()) return;
  }

  // The ledger invariants.
  auto trial = TrialBalance(ledger);
  ASSERT_TRUE(trial.ok());
  std::map<std::string, int64_t> per_currency;
  for (const BalanceLine& line : *trial) {
    per_currency[std::string(line.currency.code())] += line.balance_minor;
    EXPECT_EQ(AccountBalance(ledger, line.account_id, line.currency).value(), line.balance_minor);
  }
  for (const auto& [code, total] : per_currency) EXPECT_EQ(total, 0) << code;
  for (const SimOrg& o : orgs) {
    EXPECT_EQ(AccountBalance(ledger, o.accounts.org, o.accounts.currency).value(),
              o.expected_org_minor);
    EXPECT_EQ(AccountBalance(ledger, o.accounts.fee_income, o.accounts.currency).value(),
              o.expected_fee_minor);
  }
  // Nothing leaves a final status.
  for (const SimTxn& t : txns) {
    if (IsFinalStatus(t.status)) {
      for (TxnStatus to : kAllStatuses) {
        for (TxnActor a : kAllActors) EXPECT_FALSE(CheckTxnTransition(t.status, to, a).ok());
      }
    }
  }
  // The walk is long enough to reach every status.
  EXPECT_GT(legal_done, 150);
  EXPECT_EQ(reached.size(), 6u) << "every status but INITIATED reached";
}

INSTANTIATE_TEST_SUITE_P(Seeds, TxnPropertyTest, ::testing::Range<uint32_t>(1, 51));

}  // namespace
}  // namespace payops
