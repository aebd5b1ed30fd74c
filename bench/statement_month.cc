// The monthly statement of an org with N transactions in the month (default
// 10,000,000): every transaction adds its payin and payout to the monthly
// aggregates exactly as a posting does (store::AddToMonthlyAggregate, in
// write transactions of 50,000), then the statement is issued and read back,
// timed. The figures are checked against the sums the generator kept.
//
//   statement_month [--transactions N] [--corridors K] [--store sqlite:///abs/path.db]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "payops/service/orgs.h"
#include "payops/service/statements.h"
#include "payops/store/statements.h"

using namespace payops;

int main(int argc, char** argv) {
  int64_t n = 10'000'000;
  int corridors = 20;
  std::string url;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--transactions") n = std::atoll(argv[i + 1]);
    if (a == "--corridors") corridors = std::atoi(argv[i + 1]);
    if (a == "--store") url = argv[i + 1];
  }
  std::filesystem::path dir;
  if (url.empty()) {
    dir = std::filesystem::temp_directory_path() /
          ("payops-statement-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    url = "sqlite://" + (dir / "bench.db").string();
  }
  auto st = store::Open(url);
  if (!st.ok()) return std::fprintf(stderr, "%s\n", st.error().message.c_str()), 1;
  if (!store::Migrate(**st).ok()) return 1;
  ManualClock clock(*ParseRfc3339("2026-03-01T12:00:00Z"));
  service::Env env(**st, clock, true);
  const char* countries[] = {"MX", "GB", "FR", "DE", "IN", "PH", "BR", "CO", "NG", "KE",
                             "PE", "GT", "SV", "HN", "DO", "JM", "VN", "CN", "PK", "BD"};
  corridors = std::clamp(corridors, 1, 20);
  Org o;
  o.name = "Bench";
  o.domain = "bench.example";
  o.sla_plan = "essentials";
  o.hypercare_plan = "plus";
  o.bau_plan = "pro";
  o.go_live_date = "2025-06-02";
  o.allowed_countries = {"US"};
  for (int c = 0; c < corridors; ++c) {
    std::string corridor = std::string("US-") + countries[c];
    o.fees.push_back({"payin", "USD", corridor, 100 + c});
    o.fees.push_back({"payout", "USD", corridor, 200 + c});
  }
  auto org = service::CreateOrg(env, Actor::System(), o);
  if (!org.ok()) return std::fprintf(stderr, "%s\n", org.error().message.c_str()), 1;
  const std::string month = "2026-03";
  int64_t volume = 0, fees = 0;
  auto t0 = std::chrono::steady_clock::now();
  constexpr int64_t kBatch = 50'000;
  for (int64_t done = 0; done < n;) {
    int64_t upto = std::min(n, done + kBatch);
    Status s = (*st)->Write([&](store::Tx& tx) -> Status {
      for (int64_t i = done; i < upto; ++i) {
        int c = static_cast<int>(i % corridors);
        std::string corridor = std::string("US-") + countries[c];
        int64_t amount = 1000 + (i * 7919) % 500'000;
        PAYOPS_TRY(store::AddToMonthlyAggregate(
            tx, org->id, month, {statement::Section::kPayin, "USD", 100 + c, amount}, corridor));
        PAYOPS_TRY(store::AddToMonthlyAggregate(
            tx, org->id, month, {statement::Section::kPayout, "USD", 200 + c, amount}, corridor));
        volume += amount;
        fees += 300 + 2 * c;
      }
      return Status::Ok();
    });
    if (!s.ok()) return std::fprintf(stderr, "%s\n", s.error().message.c_str()), 1;
    done = upto;
  }
  double load_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  clock.Set(*ParseRfc3339("2026-04-01T12:00:00Z"));
  auto t1 = std::chrono::steady_clock::now();
  auto issued = service::GetMonthlyStatement(env, Actor::System(), org->id, month);
  double issue_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count();
  if (!issued.ok()) return std::fprintf(stderr, "%s\n", issued.error().message.c_str()), 1;
  std::vector<double> reads;
  for (int i = 0; i < 5; ++i) {
    auto t = std::chrono::steady_clock::now();
    auto again = service::GetMonthlyStatement(env, Actor::System(), org->id, month);
    reads.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count());
    if (!again.ok() || again->record.id != issued->record.id) return 1;
  }
  std::sort(reads.begin(), reads.end());
  const auto& t = issued->totals.at(0);
  const bool tie = t.payin_count == n && t.payout_count == n && t.payin_volume == volume &&
                   t.payout_volume == volume && t.fees == fees;
  std::printf(
      "transactions=%lld corridors=%d lines=%zu aggregate_upserts=%lld load_s=%.1f "
      "(%.2f us per posting) issue_ms=%.2f read_median_ms=%.2f figures_tie=%s total_due=%lld\n",
      static_cast<long long>(n), corridors, issued->lines.size(), static_cast<long long>(2 * n),
      load_s, load_s * 1e6 / static_cast<double>(2 * n), issue_ms, reads[2], tie ? "yes" : "NO",
      static_cast<long long>(t.total_due));
  st->reset();
  if (!dir.empty()) std::filesystem::remove_all(dir);
  return tie ? 0 : 1;
}
