// NACHA (ACH) files: a value model, a writer and a validating reader.
//
// Pure code: it works on strings in memory (callers do the file I/O), starts no
// threads, reads no clock and touches no database. Money is int64 minor units
// (cents); nothing here uses floating point.
//
// A file is a sequence of 94-character records separated by "\n" (the reader also
// accepts "\r\n"; the writer ends every record, the last one included, with "\n"):
//
//   1 file header
//   5 batch header      ┐
//   6 entry detail      │ repeated per entry; each entry is followed by its
//   7 addenda           │ addenda record when its addenda indicator is 1
//   8 batch control     ┘ repeated per batch
//   9 file control
//   9999…9 padding up to a multiple of the blocking factor (10 records)
//
// The control records (8, 9), the addenda indicator, the addenda sequence numbers
// and the padding are derived by the writer and checked by the reader; they are
// not part of the model. Alphanumeric fields are written left-justified, padded
// with spaces and with a-z uppercased; the reader removes the padding (trailing
// spaces). Numeric fields are right-justified and zero-padded.
#pragma once

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "payops/core/result.h"

namespace payops::nacha {

// ---- Limits. The writer and the reader refuse anything beyond them. ----

inline constexpr int kRecordLength = 94;
inline constexpr int kBlockingFactor = 10;
// The file control's block count has 6 digits.
inline constexpr int64_t kMaxBlocks = 999'999;
// Lines of a file, padding included.
inline constexpr int64_t kMaxLines = kMaxBlocks * kBlockingFactor;
inline constexpr int64_t kMaxBatchesPerFile = 99'999;
// The batch control's entry/addenda count has 6 digits.
inline constexpr int64_t kMaxEntryAddendaPerBatch = 999'999;
// Entry plus addenda records of one file. (Not 10,000,000: with the 6-digit
// block count a file cannot hold more than kMaxLines records.)
inline constexpr int64_t kMaxEntryAddendaPerFile = 9'000'000;
inline constexpr int64_t kMaxEntryAmountMinor = 9'999'999'999;    // 10 digits
inline constexpr int64_t kMaxTotalAmountMinor = 999'999'999'999;  // 12 digits
inline constexpr int32_t kMaxBatchNumber = 9'999'999;             // 7 digits

static_assert(2 + 2 * kMaxBatchesPerFile + kMaxEntryAddendaPerFile <= kMaxLines,
              "the largest allowed file must fit the 6-digit block count");
static_assert(kMaxEntryAddendaPerFile <= 99'999'999, "file entry/addenda count is 8 digits");
static_assert(kMaxEntryAddendaPerFile < INT64_MAX / kMaxEntryAmountMinor,
              "sums of amounts cannot overflow int64");

// ---- Codes ----

enum class ServiceClass : int {
  kMixed = 200,  // debits and credits
  kCreditsOnly = 220,
  kDebitsOnly = 225,
};

// Standard Entry Class codes accepted by this module.
enum class SecCode : int {
  kPpd,  // prearranged payment and deposit (consumer, where configured)
  kCcd,  // corporate credit or debit
  kWeb,  // internet-initiated consumer entry
};

enum class TransactionCode : int {
  kCheckingCreditReturn = 21,  // return or notification of change of a credit
  kCheckingCredit = 22,
  kCheckingDebitReturn = 26,  // return or notification of change of a debit
  kCheckingDebit = 27,
  kSavingsCreditReturn = 31,
  kSavingsCredit = 32,
  kSavingsDebitReturn = 36,
  kSavingsDebit = 37,
};

// "PPD", "CCD" or "WEB".
std::string_view SecCodeName(SecCode code);

// True for the eight codes of TransactionCode.
bool IsKnownTransactionCode(int code);

// True for the debit codes (26, 27, 36, 37). These are summed into the total
// debit amount of the controls, the others into the total credit amount.
bool IsDebit(TransactionCode code);

// ---- The model ----

// An optional value kept on the heap, with value semantics: copies copy the
// value and == compares values. Entries use it for their addenda, which most do
// not have, so that a million-entry file stays small (an Entry is 224 bytes
// instead of 416 with std::optional).
template <class T>
class OptionalBox {
 public:
  OptionalBox() = default;
  OptionalBox(T value) : p_(std::make_unique<T>(std::move(value))) {}  // NOLINT: like optional
  OptionalBox(const OptionalBox& other) : p_(other.p_ ? std::make_unique<T>(*other.p_) : nullptr) {}
  OptionalBox(OptionalBox&&) noexcept = default;
  OptionalBox& operator=(const OptionalBox& other) {
    if (this != &other) p_ = other.p_ ? std::make_unique<T>(*other.p_) : nullptr;
    return *this;
  }
  OptionalBox& operator=(OptionalBox&&) noexcept = default;
  ~OptionalBox() = default;

  bool has_value() const { return p_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  // Replaces any value with a default-constructed T and returns it.
  T& emplace() {
    p_ = std::make_unique<T>();
    return *p_;
  }
  void reset() { p_.reset(); }
  // The value; asserts there is one.
  T& operator*() {
    assert(p_ != nullptr);
    return *p_;
  }
  const T& operator*() const {
    assert(p_ != nullptr);
    return *p_;
  }
  T* operator->() { return &**this; }
  const T* operator->() const { return &**this; }

  friend bool operator==(const OptionalBox& a, const OptionalBox& b) {
    if (a.has_value() != b.has_value()) return false;
    return !a.has_value() || *a.p_ == *b.p_;
  }

 private:
  std::unique_ptr<T> p_;
};

struct FileHeader {
  std::string immediate_destination;       // 9-digit ABA routing number (written " " + 9 digits)
  std::string immediate_origin;            // 9-digit ABA routing number, or 10 digits
  std::string file_creation_date;          // YYMMDD
  std::string file_creation_time;          // HHMM, or empty
  char file_id_modifier = 'A';             // A-Z or 0-9
  std::string immediate_destination_name;  // up to 23 characters
  std::string immediate_origin_name;       // up to 23
  std::string reference_code;              // up to 8

  friend bool operator==(const FileHeader&, const FileHeader&) = default;
};

// Addenda type 05 (PPD, CCD, WEB): one per entry at most.
struct PaymentAddenda {
  std::string payment_related_information;  // up to 80 characters

  friend bool operator==(const PaymentAddenda&, const PaymentAddenda&) = default;
};

// Addenda type 99: the entry is a return. Its own trace number (columns 80-94) is
// the trace number of the entry it belongs to.
struct ReturnAddenda {
  std::string return_reason_code;            // "R01" … "R99"
  std::string original_entry_trace_number;   // 15 digits
  std::string date_of_death;                 // YYMMDD, or empty
  std::string original_rdfi_identification;  // 8 digits
  std::string addenda_information;           // up to 44 characters

  friend bool operator==(const ReturnAddenda&, const ReturnAddenda&) = default;
};

struct Entry {
  TransactionCode transaction_code = TransactionCode::kCheckingCredit;
  std::string rdfi_routing_number;   // 9 digits: RDFI id (8) + ABA check digit
  std::string dfi_account_number;    // 1 to 17 characters
  int64_t amount_minor = 0;          // 0 … kMaxEntryAmountMinor cents
  std::string individual_id_number;  // up to 15 characters
  std::string individual_name;       // up to 22 characters
  std::string discretionary_data;    // up to 2 characters (WEB: payment type code)
  std::string trace_number;          // 15 digits: the batch's ODFI id (8) + sequence (7)
  // At most one of the two is set; either one makes the addenda indicator 1.
  OptionalBox<PaymentAddenda> addenda;
  OptionalBox<ReturnAddenda> return_addenda;

  friend bool operator==(const Entry&, const Entry&) = default;
};

struct Batch {
  ServiceClass service_class = ServiceClass::kMixed;
  std::string company_name;                // 1 to 16 characters
  std::string company_discretionary_data;  // up to 20
  std::string company_identification;      // 1 to 10
  SecCode sec_code = SecCode::kPpd;
  std::string company_entry_description;  // 1 to 10
  std::string company_descriptive_date;   // up to 6, free text
  std::string effective_entry_date;       // YYMMDD
  std::string settlement_date;            // empty (the ACH operator fills it) or 3 digits
  char originator_status_code = '1';      // '0', '1' or '2'
  std::string odfi_identification;        // 8 digits
  int32_t batch_number = 1;               // 1 … kMaxBatchNumber, ascending in a file
  std::vector<Entry> entries;             // 1 or more; trace numbers ascending

  friend bool operator==(const Batch&, const Batch&) = default;
};

struct File {
  FileHeader header;
  std::vector<Batch> batches;  // 1 or more

  friend bool operator==(const File&, const File&) = default;
};

// ---- Routing numbers ----

// The ABA check digit of an 8-digit routing prefix d1..d8: the d9 that makes
// 3·(d1+d4+d7) + 7·(d2+d5+d8) + (d3+d6+d9) a multiple of 10. Returns -1 unless
// `prefix` is exactly 8 ASCII digits.
int RoutingCheckDigit(std::string_view prefix);

// True when `routing` is exactly 9 ASCII digits whose last is the ABA check
// digit of the first 8.
bool IsValidRoutingNumber(std::string_view routing);

// ---- Field formatting (the writer's building blocks) ----

// Writes `value` into out[0, width) left-justified and padded with spaces, with
// a-z uppercased. Returns false, leaving `out` unspecified, when `value` is longer
// than `width` or holds a byte outside printable ASCII (0x20-0x7E).
bool FormatAlphanumeric(std::string_view value, char* out, size_t width);

// Writes `value` into out[0, width) right-justified and padded with zeros.
// Returns false, leaving `out` unspecified, when it needs more than `width` digits.
bool FormatNumeric(uint64_t value, char* out, size_t width);

// ---- Writer ----

// Replaces *out with the NACHA file for `file`: header, batches with their
// controls, file control and padding, every record ended by "\n". The buffer is
// sized once up front. Fails with Error::Invalid (code "nacha_field", or
// "nacha_limit" for a limit above) naming the model field, e.g. field
// "individual_name" and message "batches[0].entries[3].individual_name is 25
// characters; the field holds 22"; *out is then empty. Checks every field's
// width and character set, routing check digits, transaction codes against the
// service class, trace numbers (ODFI prefix, ascending), ascending batch numbers,
// and that the 12-digit totals do not overflow.
Status Write(const File& file, std::string* out);

// As above, returning the text.
Result<std::string> Write(const File& file);

// ---- Reader ----

// Parses and validates a NACHA file. Accepts "\n" or "\r\n" line ends, with or
// without one after the last record. Checks that every line has exactly 94
// printable ASCII characters, the record order 1 (5 (6 7?)+ 8)+ 9 then only
// padding, every field (numeric fields numeric, dates, codes, routing check
// digits, addenda indicators, trace numbers as the writer does), each batch
// control against its batch (counts, entry hash, totals, service class, company
// id, ODFI id, batch number), the file control against the file (batch count,
// block count, entry/addenda count, hash, totals) and the padding. On failure
// returns Error::Invalid whose message starts "line N: " (1-based) and whose
// field names the record field at fault. Codes: nacha_line_length,
// nacha_record_order, nacha_field, nacha_count_mismatch, nacha_hash_mismatch,
// nacha_total_mismatch, nacha_batch_mismatch, nacha_truncated, nacha_padding,
// nacha_limit. Reserved fields and the message authentication code are not
// kept, so Write(Parse(text)) equals text when text came from Write.
Result<File> Parse(std::string_view text);

// ---- Returns ----

// One returned entry of a returns file.
struct ReturnedEntry {
  std::string original_trace_number;  // trace number of the entry being returned
  std::string return_code;            // "R01" … "R99"
  int64_t amount_minor = 0;
  TransactionCode transaction_code = TransactionCode::kCheckingCreditReturn;
  std::string trace_number;  // the return entry's own trace number
  std::string original_rdfi_identification;
  std::string date_of_death;  // YYMMDD or empty
  std::string addenda_information;
  std::string rdfi_routing_number;
  std::string dfi_account_number;
  std::string individual_id_number;
  std::string individual_name;
  std::string company_identification;
  std::string effective_entry_date;
  int32_t batch_number = 0;

  friend bool operator==(const ReturnedEntry&, const ReturnedEntry&) = default;
};

// Lists the returned entries of `file` in file order. Every entry must carry a
// return addenda (type 99) with a well-formed reason code; otherwise returns
// Error::Invalid "nacha_not_return" (field "return_addenda") or "nacha_field"
// (field "return_reason_code") naming the entry as batches[i].entries[j].
Result<std::vector<ReturnedEntry>> ExtractReturns(const File& file);

}  // namespace payops::nacha
