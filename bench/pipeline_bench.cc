// Benchmarks of the transaction checks pipeline in core (no I/O).
//   BM_Pipeline: RunPipeline (KYC gate → GeoIP → risk → balance → PENDING) over a
//     pool of 4,096 varied transactions: every KYC status, allowed / foreign /
//     unknown IP countries, ACH and debit card, rule-scored and sandbox-scored
//     risk in every band, every balance-provider answer. The balance answer is
//     supplied up front (the caller's lazily fetched answer).
//   BM_InitiationAndPipeline: CheckInitiation (tier limits) then RunPipeline, as
//     POST /v1/transactions does before and after storing INITIATED.
// Target (single core): ≥ 1,000,000 transactions/s (items_per_second).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "payops/core/pipeline.h"

namespace payops {
namespace {

constexpr size_t kPoolSize = 4'096;  // a power of two

struct Case {
  PipelineInput input;
  BalanceAnswer balance;
  InitiationRequest initiation;
};

const std::vector<std::string>& AllowedCountries() {
  static const auto* kAllowed = new std::vector<std::string>{"US", "MX", "GT", "SV", "HN", "CO"};
  return *kAllowed;
}

// The pool is built once; device ids live in `devices` (stable addresses).
struct Pool {
  std::vector<std::string> devices;
  std::vector<Case> cases;
};

const Pool& MakePool() {
  static const Pool* pool = [] {
    auto* p = new Pool;
    std::mt19937_64 rng(42);
    auto pick = [&](int64_t lo, int64_t hi) {
      return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
    };
    static const char* const kIpCountries[] = {"US", "US", "US", "US", "US", "US", "MX", "CA", ""};
    p->devices.reserve(kPoolSize);
    for (size_t i = 0; i < kPoolSize; ++i) {
      p->devices.push_back(pick(0, 3) == 0 ? "sandbox-risk-" + std::to_string(pick(0, 100))
                                           : "device-" + std::to_string(pick(0, 1'000'000)));
    }
    p->cases.reserve(kPoolSize);
    for (size_t i = 0; i < kPoolSize; ++i) {
      Case c;
      PipelineInput& in = c.input;
      const int64_t k = pick(0, 9);
      in.kyc_status =
          k < 8 ? KycStatus::kVerified : static_cast<KycStatus>(pick(0, 3));  // some unverified
      in.user_country = "US";
      in.allowed_countries = AllowedCountries();
      in.ip_country = kIpCountries[pick(0, 8)];
      in.funding = pick(0, 2) == 0 ? FundingType::kDebitCard : FundingType::kAch;
      in.amount_minor = pick(0, 3) == 0 ? pick(50'000, 99'900) : pick(100, 49'900);
      in.fee_minor = pick(0, 499);
      in.risk.amount_minor = in.amount_minor;
      in.risk.per_transaction_limit_minor = 99'900;
      in.risk.transactions_last_24h = pick(0, 6);
      in.risk.new_recipient = pick(0, 3) == 0;
      in.risk.new_device = pick(0, 3) == 0;
      in.risk.account_age_days = pick(0, 1'000);
      in.risk.earlier_returns = pick(0, 9) == 0 ? pick(1, 3) : 0;
      in.risk.device_id = p->devices[i];
      in.options.sandbox = pick(0, 1);
      in.options.high_action = pick(0, 1) ? HighRiskAction::kHold : HighRiskAction::kCancel;
      c.balance = pick(0, 5) == 0 ? BalanceAnswer::Failed(static_cast<BalanceError>(pick(0, 6)))
                                  : BalanceAnswer::Balance(pick(0, 500'000));
      c.initiation.kyc_status = in.kyc_status;
      c.initiation.tier = pick(1, 3);
      c.initiation.amount_minor = in.amount_minor;
      c.initiation.currency = "USD";
      c.initiation.used = {pick(0, 50'000), pick(50'000, 200'000)};
      p->cases.push_back(c);
    }
    return p;
  }();
  return *pool;
}

void BM_Pipeline(benchmark::State& state) {
  const Pool& pool = MakePool();
  const RiskConfig config;
  size_t i = 0;
  int64_t pending = 0;
  for (auto _ : state) {
    const Case& c = pool.cases[i++ & (kPoolSize - 1)];
    PipelineOutcome out = RunPipeline(c.input, config, &c.balance);
    benchmark::DoNotOptimize(out);
    pending += out.status == TxnStatus::kPending;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["pending_share"] =
      benchmark::Counter(static_cast<double>(pending) / static_cast<double>(state.iterations()));
}
BENCHMARK(BM_Pipeline);

void BM_InitiationAndPipeline(benchmark::State& state) {
  const Pool& pool = MakePool();
  const RiskConfig config;
  const TierLimits limits;
  size_t i = 0;
  for (auto _ : state) {
    const Case& c = pool.cases[i++ & (kPoolSize - 1)];
    Status s = CheckInitiation(c.initiation, limits);
    if (s.ok()) {
      PipelineOutcome out = RunPipeline(c.input, config, &c.balance);
      benchmark::DoNotOptimize(out);
    }
    benchmark::DoNotOptimize(s);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InitiationAndPipeline);

}  // namespace
}  // namespace payops
