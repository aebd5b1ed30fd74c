// Benchmarks of the NACHA writer and reader on large files.
//   BM_WriteNacha/N: write a file of N entries (batches of 100,000) into a buffer.
//   BM_ReadNacha/N:  parse and validate that file back into the model.
// Target (single core): 1,000,000 entries in at most 1 s each way.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "payops/core/nacha.h"

namespace payops::nacha {
namespace {

constexpr int64_t kEntriesPerBatch = 100'000;

// A file of `entries` WEB debits and PPD credits with realistic field widths.
File MakeFile(int64_t entries) {
  static const char* const kRoutings[] = {"011000015", "021000021", "026009593",
                                          "121000248", "091000019", "111000025"};
  File f;
  f.header.immediate_destination = "091000019";
  f.header.immediate_origin = "021000021";
  f.header.file_creation_date = "260309";
  f.header.file_creation_time = "0700";
  f.header.immediate_destination_name = "WELLS FARGO BANK";
  f.header.immediate_origin_name = "PAYOPS INC";
  int64_t made = 0;
  int32_t batch_number = 0;
  while (made < entries) {
    Batch& b = f.batches.emplace_back();
    ++batch_number;
    b.batch_number = batch_number;
    b.service_class = ServiceClass::kMixed;
    b.company_name = "PAYOPS INC";
    b.company_identification = "1234567890";
    b.sec_code = batch_number % 2 ? SecCode::kWeb : SecCode::kPpd;
    b.company_entry_description = "PURCHASE";
    b.effective_entry_date = "260310";
    b.odfi_identification = "02100002";
    const int64_t n = std::min(kEntriesPerBatch, entries - made);
    b.entries.reserve(static_cast<size_t>(n));
    for (int64_t i = 1; i <= n; ++i) {
      Entry& e = b.entries.emplace_back();
      e.transaction_code =
          i % 3 ? TransactionCode::kCheckingDebit : TransactionCode::kSavingsCredit;
      e.rdfi_routing_number = kRoutings[i % 6];
      e.dfi_account_number = "0000" + std::to_string(123456789 + i);
      e.amount_minor = 100 + (i * 7919) % 200'000;  // file totals stay within 12 digits
      e.individual_id_number = "USR" + std::to_string(1'000'000 + i);
      e.individual_name = "CUSTOMER NAME " + std::to_string(100'000 + i);
      e.discretionary_data = "S";
      const std::string seq = std::to_string(i);
      e.trace_number = "02100002" + std::string(7 - seq.size(), '0') + seq;
    }
    made += n;
  }
  return f;
}

void BM_WriteNacha(benchmark::State& state) {
  const File file = MakeFile(state.range(0));
  std::string out;
  for (auto _ : state) {
    Status s = Write(file, &out);
    if (!s.ok()) {
      state.SkipWithError(s.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK(BM_WriteNacha)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_ReadNacha(benchmark::State& state) {
  Result<std::string> text = Write(MakeFile(state.range(0)));
  if (!text.ok()) {
    state.SkipWithError(text.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    Result<File> file = Parse(*text);
    if (!file.ok()) {
      state.SkipWithError(file.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(file->batches.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text->size()));
}
BENCHMARK(BM_ReadNacha)->Arg(1'000'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace payops::nacha
