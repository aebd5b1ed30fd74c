#include "payops/service/ach.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>

#include "payops/adapters/secret_box.h"
#include "payops/core/calendar.h"
#include "payops/core/nacha.h"
#include "payops/service/transactions.h"
#include "payops/service/webhooks.h"
#include "payops/store/end_users.h"
#include "payops/store/funding.h"
#include "payops/store/kv.h"

namespace payops::service {
namespace {

constexpr int64_t kTraceModulo = 10'000'000;  // the 7-digit sequence of a trace number

std::string BatchId(const std::string& date) {
  return "ach_" + date;
}

// "2026-01-12" → "260112".
std::string Yymmdd(const std::string& date) {
  return date.substr(2, 2) + date.substr(5, 2) + date.substr(8, 2);
}

// NACHA alphanumeric fields take printable ASCII: other bytes are dropped.
std::string Ascii(std::string_view s, size_t max) {
  std::string out;
  for (char c : s) {
    if (c >= 0x20 && c < 0x7f && out.size() < max) out.push_back(c);
  }
  return out;
}

Result<int64_t> NextTraceSequence(store::Tx& tx) {
  PAYOPS_ASSIGN_OR_RETURN(auto v, store::GetSetting(tx, "ach_trace_seq"));
  int64_t seq = 0;
  if (v) std::from_chars(v->data(), v->data() + v->size(), seq);
  seq = seq % (kTraceModulo - 1) + 1;
  PAYOPS_TRY(store::PutSetting(tx, "ach_trace_seq", std::to_string(seq)));
  return seq;
}

Status RequireStaff(const Actor& actor) {
  return RequireRole(actor, {Role::kAdmin, Role::kAgent, Role::kOpsManager, Role::kEmi});
}

}  // namespace

Result<std::optional<store::AchBatch>> CloseAchBatch(Env& env, const std::string& batch_date) {
  std::optional<store::AchBatch> out;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto existing, store::FindAchBatch(tx, BatchId(batch_date)));
    if (existing) return Status::Ok();
    PAYOPS_ASSIGN_OR_RETURN(auto txns, store::PendingFor(tx, "ach", batch_date, kMaxBatchEntries));
    if (txns.empty()) return Status::Ok();
    PAYOPS_ASSIGN_OR_RETURN(calendar::Date date, calendar::ParseDate(batch_date));
    calendar::Zone la = calendar::Zone::LosAngeles();
    store::AchBatch b;
    b.id = BatchId(batch_date);
    b.batch_date = batch_date;
    b.status = "closed";
    b.cutoff_at = calendar::LocalToInstant(la, date, calendar::kAchCutoffTimeOfDay);
    b.settles_at = calendar::LocalToInstant(la, date, calendar::kAchSettlementTimeOfDay);
    b.closed_at = env.clock.Now();
    std::string odfi8 = env.ach.odfi_routing.substr(0, 8);
    for (const auto& t : txns) {
      PAYOPS_ASSIGN_OR_RETURN(int64_t seq, NextTraceSequence(tx));
      char trace[16];
      std::snprintf(trace, sizeof trace, "%s%07lld", odfi8.c_str(), static_cast<long long>(seq));
      if (t.batch_date != batch_date) {
        spdlog::info(
            "msg=\"a transaction that missed its batch joins this one\" txn={} missed={} "
            "batch={}",
            t.id, t.batch_date.value_or(""), batch_date);
      }
      PAYOPS_TRY(store::AddToBatch(tx, t.id, trace, batch_date));
      ++b.entry_count;
      PAYOPS_ASSIGN_OR_RETURN(int64_t debit, CheckedAdd(t.amount, t.fee));
      PAYOPS_ASSIGN_OR_RETURN(b.total_debit, CheckedAdd(b.total_debit, debit));
    }
    PAYOPS_TRY(store::InsertAchBatch(tx, b));
    PAYOPS_TRY(QueueBatchEvent(env, tx, "batch.closed", b));
    out = b;
    return Status::Ok();
  }));
  return out;
}

Status SettleAchBatch(Env& env, const std::string& batch_date) {
  return env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto batch, store::FindAchBatch(tx, BatchId(batch_date)));
    if (!batch || batch->status != "closed") return Status::Ok();
    Instant now = env.clock.Now();
    PAYOPS_ASSIGN_OR_RETURN(auto txns, store::BatchTransactions(tx, batch_date, kMaxBatchEntries));
    for (auto& t : txns) {
      if (t.status != "PENDING") continue;  // canceled by suspension before the cutoff
      t.settlement_date = batch_date;
      PAYOPS_TRY(MarkProcessed(env, tx, t, "ach_batch_settled", now));
    }
    PAYOPS_TRY(store::MarkAchBatchSettled(tx, batch->id, now));
    batch->status = "settled";
    batch->settled_at = now;
    return QueueBatchEvent(env, tx, "batch.settled", *batch);
  });
}

Status ProcessDebitCards(Env& env, const std::string& date) {
  return env.store.Write([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    PAYOPS_ASSIGN_OR_RETURN(auto txns, store::PendingFor(tx, "debit_card", date, kMaxBatchEntries));
    for (auto& t : txns) PAYOPS_TRY(MarkProcessed(env, tx, t, "debit_card_end_of_day", now));
    return Status::Ok();
  });
}

Result<store::Page<store::AchBatch>> ListAchBatches(Env& env, const Actor& actor,
                                                    const store::PageRequest& page,
                                                    const std::optional<std::string>& date) {
  PAYOPS_TRY(RequireStaff(actor));
  store::Page<store::AchBatch> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListAchBatches(tx, page, date));
    return Status::Ok();
  }));
  return out;
}

Result<store::AchBatch> GetAchBatch(Env& env, const Actor& actor, const std::string& id) {
  PAYOPS_TRY(RequireStaff(actor));
  std::optional<store::AchBatch> b;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(b, store::FindAchBatch(tx, id));
    return Status::Ok();
  }));
  if (!b) return Error::NotFound("batch");
  return std::move(*b);
}

Result<std::string> ExportNacha(Env& env, const Actor& actor, const std::string& batch_id) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent, Role::kOpsManager}));
  if (env.secrets == nullptr) return Error::Unavailable("no encryption key configured");
  nacha::File file;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto batch, store::FindAchBatch(tx, batch_id));
    if (!batch) return Error::NotFound("batch");
    PAYOPS_ASSIGN_OR_RETURN(auto txns,
                            store::BatchTransactions(tx, batch->batch_date, kMaxBatchEntries));
    std::string now = FormatRfc3339(env.clock.Now());  // 2026-01-12T15:00:00Z
    file.header.immediate_destination = env.ach.destination_routing;
    file.header.immediate_origin = env.ach.odfi_routing;
    file.header.file_creation_date = now.substr(2, 2) + now.substr(5, 2) + now.substr(8, 2);
    file.header.file_creation_time = now.substr(11, 2) + now.substr(14, 2);
    file.header.immediate_destination_name = Ascii(env.ach.destination_name, 23);
    file.header.immediate_origin_name = Ascii(env.ach.origin_name, 23);
    nacha::Batch b;
    b.service_class = nacha::ServiceClass::kDebitsOnly;
    b.company_name = Ascii(env.ach.company_name, 16);
    b.company_identification = Ascii(env.ach.company_id, 10);
    b.sec_code = env.ach.sec_code == "PPD"   ? nacha::SecCode::kPpd
                 : env.ach.sec_code == "CCD" ? nacha::SecCode::kCcd
                                             : nacha::SecCode::kWeb;
    b.company_entry_description = Ascii(env.ach.entry_description, 10);
    b.effective_entry_date = Yymmdd(batch->batch_date);
    b.odfi_identification = env.ach.odfi_routing.substr(0, 8);
    b.batch_number = 1;
    for (const auto& t : txns) {
      PAYOPS_ASSIGN_OR_RETURN(auto bank, store::FindBankAccount(tx, t.funding_id, std::nullopt));
      PAYOPS_ASSIGN_OR_RETURN(auto user, store::FindEndUser(tx, t.user_id, std::nullopt));
      if (!bank || !user) return Error::Internal("transaction " + t.id + " lost its account");
      PAYOPS_ASSIGN_OR_RETURN(std::string account, env.secrets->Open(bank->account_sealed));
      nacha::Entry e;
      e.transaction_code = bank->account_type == "savings" ? nacha::TransactionCode::kSavingsDebit
                                                           : nacha::TransactionCode::kCheckingDebit;
      e.rdfi_routing_number = bank->routing_number;
      e.dfi_account_number = account;
      PAYOPS_ASSIGN_OR_RETURN(e.amount_minor, CheckedAdd(t.amount, t.fee));
      e.individual_id_number = t.id.substr(t.id.size() > 15 ? t.id.size() - 15 : 0);
      e.individual_name = Ascii(user->name, 22);
      e.discretionary_data = "S";
      e.trace_number = t.trace_number.value_or("");
      b.entries.push_back(std::move(e));
    }
    if (b.entries.empty()) return Error::Conflict("empty_batch", "the batch has no entries");
    file.batches.push_back(std::move(b));
    return Status::Ok();
  }));
  return nacha::Write(file);
}

Result<ReturnsReport> ImportReturns(Env& env, const Actor& actor, std::string_view file_text) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent}));
  PAYOPS_ASSIGN_OR_RETURN(nacha::File file, nacha::Parse(file_text));
  PAYOPS_ASSIGN_OR_RETURN(auto returns, nacha::ExtractReturns(file));
  ReturnsReport report;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    for (const auto& r : returns) {
      PAYOPS_ASSIGN_OR_RETURN(auto t, store::FindByTrace(tx, r.original_trace_number));
      if (!t) {
        report.unknown_traces.push_back(r.original_trace_number);
        continue;
      }
      Status s = MarkReturned(env, tx, *t, r.return_code,
                              "returns file, trace " + r.original_trace_number, now);
      if (!s.ok()) {
        Error e = s.take_error();
        e.message = "trace " + r.original_trace_number + " (" + t->id + "): " + e.message;
        return e;  // nothing of the file is applied
      }
      report.returned.emplace_back(t->id, r.return_code);
    }
    return Status::Ok();
  }));
  return report;
}

}  // namespace payops::service
