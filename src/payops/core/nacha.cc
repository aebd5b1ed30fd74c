#include "payops/core/nacha.h"

#include <cassert>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

namespace payops::nacha {
namespace {

// ---- Record layouts ----

// A field of a record: 1-based first column, width and the name errors use.
struct Span {
  int start;
  int len;
  const char* name;
};

constexpr int kLineWithEnd = kRecordLength + 1;   // the writer's "\n"
constexpr int64_t kHashModulus = 10'000'000'000;  // rightmost 10 digits

// File header, record type 1.
constexpr Span kFhRecordType{1, 1, "record_type"};
constexpr Span kFhPriorityCode{2, 2, "priority_code"};
constexpr Span kFhImmediateDestination{4, 10, "immediate_destination"};
constexpr Span kFhImmediateOrigin{14, 10, "immediate_origin"};
constexpr Span kFhFileCreationDate{24, 6, "file_creation_date"};
constexpr Span kFhFileCreationTime{30, 4, "file_creation_time"};
constexpr Span kFhFileIdModifier{34, 1, "file_id_modifier"};
constexpr Span kFhRecordSize{35, 3, "record_size"};
constexpr Span kFhBlockingFactor{38, 2, "blocking_factor"};
constexpr Span kFhFormatCode{40, 1, "format_code"};
constexpr Span kFhDestinationName{41, 23, "immediate_destination_name"};
constexpr Span kFhOriginName{64, 23, "immediate_origin_name"};
constexpr Span kFhReferenceCode{87, 8, "reference_code"};
constexpr Span kFileHeaderLayout[] = {
    kFhRecordType,       kFhPriorityCode,     kFhImmediateDestination, kFhImmediateOrigin,
    kFhFileCreationDate, kFhFileCreationTime, kFhFileIdModifier,       kFhRecordSize,
    kFhBlockingFactor,   kFhFormatCode,       kFhDestinationName,      kFhOriginName,
    kFhReferenceCode};

// Batch header, record type 5.
constexpr Span kBhRecordType{1, 1, "record_type"};
constexpr Span kBhServiceClass{2, 3, "service_class_code"};
constexpr Span kBhCompanyName{5, 16, "company_name"};
constexpr Span kBhCompanyDiscretionary{21, 20, "company_discretionary_data"};
constexpr Span kBhCompanyId{41, 10, "company_identification"};
constexpr Span kBhSecCode{51, 3, "sec_code"};
constexpr Span kBhEntryDescription{54, 10, "company_entry_description"};
constexpr Span kBhDescriptiveDate{64, 6, "company_descriptive_date"};
constexpr Span kBhEffectiveDate{70, 6, "effective_entry_date"};
constexpr Span kBhSettlementDate{76, 3, "settlement_date"};
constexpr Span kBhOriginatorStatus{79, 1, "originator_status_code"};
constexpr Span kBhOdfi{80, 8, "odfi_identification"};
constexpr Span kBhBatchNumber{88, 7, "batch_number"};
constexpr Span kBatchHeaderLayout[] = {
    kBhRecordType,    kBhServiceClass,   kBhCompanyName,      kBhCompanyDiscretionary,
    kBhCompanyId,     kBhSecCode,        kBhEntryDescription, kBhDescriptiveDate,
    kBhEffectiveDate, kBhSettlementDate, kBhOriginatorStatus, kBhOdfi,
    kBhBatchNumber};

// Entry detail (PPD, CCD, WEB), record type 6.
constexpr Span kEdRecordType{1, 1, "record_type"};
constexpr Span kEdTransactionCode{2, 2, "transaction_code"};
constexpr Span kEdRdfi{4, 8, "rdfi_identification"};
constexpr Span kEdCheckDigit{12, 1, "check_digit"};
constexpr Span kEdAccount{13, 17, "dfi_account_number"};
constexpr Span kEdAmount{30, 10, "amount"};
constexpr Span kEdIndividualId{40, 15, "individual_id_number"};
constexpr Span kEdIndividualName{55, 22, "individual_name"};
constexpr Span kEdDiscretionary{77, 2, "discretionary_data"};
constexpr Span kEdAddendaIndicator{79, 1, "addenda_indicator"};
constexpr Span kEdTrace{80, 15, "trace_number"};
constexpr Span kEntryLayout[] = {
    kEdRecordType,    kEdTransactionCode,  kEdRdfi,         kEdCheckDigit,
    kEdAccount,       kEdAmount,           kEdIndividualId, kEdIndividualName,
    kEdDiscretionary, kEdAddendaIndicator, kEdTrace};

// Addenda type 05, record type 7.
constexpr Span kAdRecordType{1, 1, "record_type"};
constexpr Span kAdTypeCode{2, 2, "addenda_type_code"};
constexpr Span kAdPaymentInfo{4, 80, "payment_related_information"};
constexpr Span kAdSequence{84, 4, "addenda_sequence_number"};
constexpr Span kAdEntrySequence{88, 7, "entry_detail_sequence_number"};
constexpr Span kPaymentAddendaLayout[] = {kAdRecordType, kAdTypeCode, kAdPaymentInfo, kAdSequence,
                                          kAdEntrySequence};

// Return addenda, type 99, record type 7.
constexpr Span kArRecordType{1, 1, "record_type"};
constexpr Span kArTypeCode{2, 2, "addenda_type_code"};
constexpr Span kArReasonCode{4, 3, "return_reason_code"};
constexpr Span kArOriginalTrace{7, 15, "original_entry_trace_number"};
constexpr Span kArDateOfDeath{22, 6, "date_of_death"};
constexpr Span kArOriginalRdfi{28, 8, "original_rdfi_identification"};
constexpr Span kArInformation{36, 44, "addenda_information"};
constexpr Span kArTrace{80, 15, "addenda_trace_number"};
constexpr Span kReturnAddendaLayout[] = {kArRecordType,    kArTypeCode,    kArReasonCode,
                                         kArOriginalTrace, kArDateOfDeath, kArOriginalRdfi,
                                         kArInformation,   kArTrace};

// Batch control, record type 8.
constexpr Span kBcRecordType{1, 1, "record_type"};
constexpr Span kBcServiceClass{2, 3, "service_class_code"};
constexpr Span kBcEntryAddendaCount{5, 6, "entry_addenda_count"};
constexpr Span kBcEntryHash{11, 10, "entry_hash"};
constexpr Span kBcTotalDebit{21, 12, "total_debit"};
constexpr Span kBcTotalCredit{33, 12, "total_credit"};
constexpr Span kBcCompanyId{45, 10, "company_identification"};
constexpr Span kBcMac{55, 19, "message_authentication_code"};
constexpr Span kBcReserved{74, 6, "reserved"};
constexpr Span kBcOdfi{80, 8, "odfi_identification"};
constexpr Span kBcBatchNumber{88, 7, "batch_number"};
constexpr Span kBatchControlLayout[] = {kBcRecordType, kBcServiceClass, kBcEntryAddendaCount,
                                        kBcEntryHash,  kBcTotalDebit,   kBcTotalCredit,
                                        kBcCompanyId,  kBcMac,          kBcReserved,
                                        kBcOdfi,       kBcBatchNumber};

// File control, record type 9.
constexpr Span kFcRecordType{1, 1, "record_type"};
constexpr Span kFcBatchCount{2, 6, "batch_count"};
constexpr Span kFcBlockCount{8, 6, "block_count"};
constexpr Span kFcEntryAddendaCount{14, 8, "entry_addenda_count"};
constexpr Span kFcEntryHash{22, 10, "entry_hash"};
constexpr Span kFcTotalDebit{32, 12, "total_debit"};
constexpr Span kFcTotalCredit{44, 12, "total_credit"};
constexpr Span kFcReserved{56, 39, "reserved"};
constexpr Span kFileControlLayout[] = {kFcRecordType,        kFcBatchCount, kFcBlockCount,
                                       kFcEntryAddendaCount, kFcEntryHash,  kFcTotalDebit,
                                       kFcTotalCredit,       kFcReserved};

// True when the spans cover columns 1..94 in order, without gap or overlap.
template <size_t N>
constexpr bool Tiles(const Span (&layout)[N]) {
  int next = 1;
  for (const Span& s : layout) {
    if (s.start != next || s.len <= 0) return false;
    next += s.len;
  }
  return next == kRecordLength + 1;
}
static_assert(Tiles(kFileHeaderLayout));
static_assert(Tiles(kBatchHeaderLayout));
static_assert(Tiles(kEntryLayout));
static_assert(Tiles(kPaymentAddendaLayout));
static_assert(Tiles(kReturnAddendaLayout));
static_assert(Tiles(kBatchControlLayout));
static_assert(Tiles(kFileControlLayout));

// ---- Small helpers ----

// True for ASCII 0-9.
bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}
// True for printable ASCII, 0x20 (space) to 0x7E (~).
bool IsPrintable(char c) {
  return static_cast<unsigned char>(c - 0x20) <= 0x5E;
}

// True when every byte of `s` is an ASCII digit (and for an empty `s`).
bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

// True when every byte of `s` is a space (and for an empty `s`).
bool AllSpaces(std::string_view s) {
  for (char c : s) {
    if (c != ' ') return false;
  }
  return true;
}

// Parses 1..18 ASCII digits. False on anything else.
bool ParseDigits(std::string_view s, int64_t* out) {
  assert(s.size() <= 18);
  if (s.empty()) return false;
  int64_t v = 0;
  for (char c : s) {
    if (!IsDigit(c)) return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// `s` without its trailing spaces: an alphanumeric field without its padding.
std::string_view RTrim(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && s[n - 1] == ' ') --n;
  return s.substr(0, n);
}

// `value` zero-padded to `width` digits, as a field shows it; wider values in full.
std::string ZeroPad(int64_t value, int width) {
  std::string s(static_cast<size_t>(width), '0');
  if (!FormatNumeric(static_cast<uint64_t>(value), s.data(), s.size())) {
    return std::to_string(value);
  }
  return s;
}

// Gregorian leap year.
bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

// YYMMDD with a real month and day (years 2000-2099).
bool IsYymmdd(std::string_view s) {
  int64_t v = 0;
  if (s.size() != 6 || !ParseDigits(s, &v)) return false;
  const int year = 2000 + static_cast<int>(v / 10000);
  const int month = static_cast<int>(v / 100 % 100);
  const int day = static_cast<int>(v % 100);
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int days = kDays[month - 1] + (month == 2 && IsLeapYear(year) ? 1 : 0);
  return day <= days;
}

// HHMM, 0000-2359.
bool IsHhmm(std::string_view s) {
  int64_t v = 0;
  if (s.size() != 4 || !ParseDigits(s, &v)) return false;
  return v / 100 < 24 && v % 100 < 60;
}

// Julian day 001-366.
bool IsJulianDay(std::string_view s) {
  int64_t v = 0;
  return s.size() == 3 && ParseDigits(s, &v) && v >= 1 && v <= 366;
}

// "R01" … "R99".
bool IsReturnReasonCode(std::string_view s) {
  return s.size() == 3 && s[0] == 'R' && IsDigit(s[1]) && IsDigit(s[2]) &&
         !(s[1] == '0' && s[2] == '0');
}

// True for 200, 220 and 225.
bool IsServiceClass(int64_t v) {
  return v == 200 || v == 220 || v == 225;
}

// True for a debit transaction code: its second digit is 5-9.
bool IsDebitCode(int code) {
  return code % 10 >= 5;
}

// The SEC code spelled `s` ("PPD", "CCD", "WEB"); nullopt for anything else.
std::optional<SecCode> ParseSecCode(std::string_view s) {
  if (s == "PPD") return SecCode::kPpd;
  if (s == "CCD") return SecCode::kCcd;
  if (s == "WEB") return SecCode::kWeb;
  return std::nullopt;
}

// The RDFI id (8 digits) of a routing number known to be 9 digits.
int64_t RoutingPrefix(std::string_view routing) {
  int64_t v = 0;
  const bool ok = ParseDigits(routing.substr(0, 8), &v);
  assert(ok);
  (void)ok;
  return v;
}

// ---- Writer ----

// Where in the model a writer error is; formatted only when an error happens.
struct Where {
  int64_t batch = -1;
  int64_t entry = -1;
  const char* part = nullptr;  // "addenda", "return_addenda"
};

// "header", "batches[1]" or "batches[1].entries[4].return_addenda".
std::string Describe(const Where& w) {
  std::string s;
  if (w.batch < 0) {
    s = "header";
  } else {
    s = "batches[" + std::to_string(w.batch) + "]";
    if (w.entry >= 0) s += ".entries[" + std::to_string(w.entry) + "]";
  }
  if (w.part != nullptr) {
    s += '.';
    s += w.part;
  }
  return s;
}

// A writer error "nacha_field": "<where>.<field> <problem>".
Error FieldError(const Where& w, const char* field, const std::string& problem) {
  return Error::Invalid("nacha_field", Describe(w) + "." + field + " " + problem, field);
}

// A writer error "nacha_limit": "<where>.<field> <problem>".
Error LimitError(const Where& w, const char* field, const std::string& problem) {
  return Error::Invalid("nacha_limit", Describe(w) + "." + field + " " + problem, field);
}

// Why `value` does not fit an alphanumeric field of `width`.
Error AlphaError(const Where& w, const char* field, std::string_view value, size_t width) {
  if (value.size() > width) {
    return FieldError(w, field,
                      "is " + std::to_string(value.size()) + " characters; the field holds " +
                          std::to_string(width));
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (!IsPrintable(value[i])) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(value[i]));
      return FieldError(w, field,
                        std::string("has the byte ") + hex + " at position " + std::to_string(i) +
                            "; only printable ASCII is allowed");
    }
  }
  return FieldError(w, field, "is empty");
}

// The first byte of field `s` in `line`.
char* At(char* line, const Span& s) {
  return line + (s.start - 1);
}

// The writer fills one pre-sized buffer, a record at a time.
class Writer {
 public:
  Writer(char* begin, char* end) : p_(begin), end_(end) {}

  Status Header(const FileHeader& h);
  Status BatchRecords(const Batch& batch, int64_t index, int32_t previous_batch_number);
  void FileControl(int64_t batch_count, int64_t block_count);
  void Padding();
  char* position() const { return p_; }

 private:
  // Starts a record of type `type`: spaces, the type, and the "\n".
  char* NewLine(char type) {
    assert(end_ - p_ >= kLineWithEnd);
    char* line = p_;
    p_ += kLineWithEnd;
    std::memset(line, ' ', kRecordLength);
    line[0] = type;
    line[kRecordLength] = '\n';
    return line;
  }

  char* p_;
  char* end_;
  // File totals, accumulated over the batches.
  int64_t entry_addenda_count_ = 0;
  int64_t entry_hash_ = 0;
  int64_t total_debit_ = 0;
  int64_t total_credit_ = 0;
};

// Field writers: true when the value fits; they never allocate.
bool PutAlpha(char* line, const Span& s, std::string_view value) {
  return FormatAlphanumeric(value, At(line, s), static_cast<size_t>(s.len));
}

// Writes a number that is known to fit (asserted), zero-padded.
void PutNumber(char* line, const Span& s, int64_t value) {
  assert(value >= 0);
  const bool ok =
      FormatNumeric(static_cast<uint64_t>(value), At(line, s), static_cast<size_t>(s.len));
  assert(ok);
  (void)ok;
}

// Copies exactly s.len digits; false unless `digits` is that.
bool PutDigits(char* line, const Span& s, std::string_view digits) {
  if (digits.size() != static_cast<size_t>(s.len) || !AllDigits(digits)) return false;
  std::memcpy(At(line, s), digits.data(), digits.size());
  return true;
}

// "must be exactly <width> digits, got \"<value>\"".
std::string DigitsProblem(std::string_view value, size_t width) {
  return "must be exactly " + std::to_string(width) + " digits, got \"" + std::string(value) + "\"";
}

// Writes the file header record or returns the first field that does not fit.
Status Writer::Header(const FileHeader& h) {
  const Where w;
  char* line = NewLine('1');
  std::memcpy(At(line, kFhPriorityCode), "01", 2);
  if (!IsValidRoutingNumber(h.immediate_destination)) {
    return FieldError(
        w, "immediate_destination",
        "must be a 9-digit ABA routing number, got \"" + h.immediate_destination + "\"");
  }
  std::memcpy(At(line, kFhImmediateDestination) + 1, h.immediate_destination.data(), 9);
  if (h.immediate_origin.size() == 9 && IsValidRoutingNumber(h.immediate_origin)) {
    std::memcpy(At(line, kFhImmediateOrigin) + 1, h.immediate_origin.data(), 9);
  } else if (!PutDigits(line, kFhImmediateOrigin, h.immediate_origin)) {
    return FieldError(
        w, "immediate_origin",
        "must be a 9-digit ABA routing number or 10 digits, got \"" + h.immediate_origin + "\"");
  }
  if (!IsYymmdd(h.file_creation_date)) {
    return FieldError(w, "file_creation_date",
                      "must be a date YYMMDD, got \"" + h.file_creation_date + "\"");
  }
  PutDigits(line, kFhFileCreationDate, h.file_creation_date);
  if (!h.file_creation_time.empty()) {
    if (!IsHhmm(h.file_creation_time)) {
      return FieldError(w, "file_creation_time",
                        "must be empty or a time HHMM, got \"" + h.file_creation_time + "\"");
    }
    PutDigits(line, kFhFileCreationTime, h.file_creation_time);
  }
  const char m = h.file_id_modifier;
  if (!((m >= 'A' && m <= 'Z') || IsDigit(m))) {
    return FieldError(w, "file_id_modifier", "must be A-Z or 0-9");
  }
  *At(line, kFhFileIdModifier) = m;
  std::memcpy(At(line, kFhRecordSize), "094", 3);
  std::memcpy(At(line, kFhBlockingFactor), "10", 2);
  *At(line, kFhFormatCode) = '1';
  if (!PutAlpha(line, kFhDestinationName, h.immediate_destination_name)) {
    return AlphaError(w, "immediate_destination_name", h.immediate_destination_name,
                      kFhDestinationName.len);
  }
  if (!PutAlpha(line, kFhOriginName, h.immediate_origin_name)) {
    return AlphaError(w, "immediate_origin_name", h.immediate_origin_name, kFhOriginName.len);
  }
  if (!PutAlpha(line, kFhReferenceCode, h.reference_code)) {
    return AlphaError(w, "reference_code", h.reference_code, kFhReferenceCode.len);
  }
  return Status::Ok();
}

// Writes a required alphanumeric field or returns its error.
#define NACHA_PUT_ALPHA(line, span, value, where, field, required)                    \
  do {                                                                                \
    const std::string_view nacha_v_ = (value);                                        \
    if (((required) && RTrim(nacha_v_).empty()) || !PutAlpha(line, span, nacha_v_)) { \
      return AlphaError(where, field, nacha_v_, static_cast<size_t>((span).len));     \
    }                                                                                 \
  } while (0)

// Writes the batch header, the entries with their addenda and the batch
// control, and adds the batch to the file totals; or returns the first field
// that does not fit. `previous_batch_number` is 0 for the first batch.
Status Writer::BatchRecords(const Batch& b, int64_t index, int32_t previous_batch_number) {
  Where w;
  w.batch = index;
  const int service_class = static_cast<int>(b.service_class);
  if (!IsServiceClass(service_class)) {
    return FieldError(w, "service_class", "must be 200, 220 or 225");
  }
  if (b.batch_number < 1 || b.batch_number > kMaxBatchNumber) {
    return FieldError(w, "batch_number",
                      "must be 1 to 9999999, got " + std::to_string(b.batch_number));
  }
  if (b.batch_number <= previous_batch_number) {
    return FieldError(w, "batch_number",
                      "is " + std::to_string(b.batch_number) +
                          "; batch numbers must ascend (previous " +
                          std::to_string(previous_batch_number) + ")");
  }
  if (b.odfi_identification.size() != 8 || !AllDigits(b.odfi_identification)) {
    return FieldError(w, "odfi_identification", DigitsProblem(b.odfi_identification, 8));
  }

  // Batch header.
  char* header = NewLine('5');
  PutNumber(header, kBhServiceClass, service_class);
  NACHA_PUT_ALPHA(header, kBhCompanyName, b.company_name, w, "company_name", true);
  NACHA_PUT_ALPHA(header, kBhCompanyDiscretionary, b.company_discretionary_data, w,
                  "company_discretionary_data", false);
  NACHA_PUT_ALPHA(header, kBhCompanyId, b.company_identification, w, "company_identification",
                  true);
  const int sec = static_cast<int>(b.sec_code);
  if (sec < 0 || sec > static_cast<int>(SecCode::kWeb)) {
    return FieldError(w, "sec_code", "must be PPD, CCD or WEB");
  }
  std::memcpy(At(header, kBhSecCode), SecCodeName(b.sec_code).data(), 3);
  NACHA_PUT_ALPHA(header, kBhEntryDescription, b.company_entry_description, w,
                  "company_entry_description", true);
  NACHA_PUT_ALPHA(header, kBhDescriptiveDate, b.company_descriptive_date, w,
                  "company_descriptive_date", false);
  if (!IsYymmdd(b.effective_entry_date)) {
    return FieldError(w, "effective_entry_date",
                      "must be a date YYMMDD, got \"" + b.effective_entry_date + "\"");
  }
  PutDigits(header, kBhEffectiveDate, b.effective_entry_date);
  if (!b.settlement_date.empty()) {
    if (!IsJulianDay(b.settlement_date)) {
      return FieldError(w, "settlement_date",
                        "must be empty or a Julian day 001-366, got \"" + b.settlement_date + "\"");
    }
    PutDigits(header, kBhSettlementDate, b.settlement_date);
  }
  const char status = b.originator_status_code;
  if (status < '0' || status > '2') {
    return FieldError(w, "originator_status_code", "must be 0, 1 or 2");
  }
  *At(header, kBhOriginatorStatus) = status;
  PutDigits(header, kBhOdfi, b.odfi_identification);
  PutNumber(header, kBhBatchNumber, b.batch_number);

  // Entries and their addenda.
  int64_t count = 0;
  int64_t hash = 0;
  int64_t debit = 0;
  int64_t credit = 0;
  std::string_view previous_trace;
  for (size_t i = 0; i < b.entries.size(); ++i) {
    const Entry& e = b.entries[i];
    w.entry = static_cast<int64_t>(i);
    w.part = nullptr;
    char* line = NewLine('6');
    const int tc = static_cast<int>(e.transaction_code);
    if (!IsKnownTransactionCode(tc)) {
      return FieldError(w, "transaction_code",
                        "is " + std::to_string(tc) + "; allowed: 21, 22, 26, 27, 31, 32, 36, 37");
    }
    const bool is_debit = IsDebitCode(tc);
    if ((is_debit && b.service_class == ServiceClass::kCreditsOnly) ||
        (!is_debit && b.service_class == ServiceClass::kDebitsOnly)) {
      return FieldError(w, "transaction_code",
                        "is " + std::to_string(tc) + ", not allowed in a batch of service class " +
                            std::to_string(service_class));
    }
    PutNumber(line, kEdTransactionCode, tc);
    if (!IsValidRoutingNumber(e.rdfi_routing_number)) {
      return FieldError(w, "rdfi_routing_number",
                        "must be a 9-digit ABA routing number with a valid check digit, got \"" +
                            e.rdfi_routing_number + "\"");
    }
    std::memcpy(At(line, kEdRdfi), e.rdfi_routing_number.data(), 9);
    hash += RoutingPrefix(e.rdfi_routing_number);
    NACHA_PUT_ALPHA(line, kEdAccount, e.dfi_account_number, w, "dfi_account_number", true);
    if (e.amount_minor < 0 || e.amount_minor > kMaxEntryAmountMinor) {
      return FieldError(w, "amount_minor",
                        "is " + std::to_string(e.amount_minor) + "; must be 0 to " +
                            std::to_string(kMaxEntryAmountMinor) + " cents");
    }
    PutNumber(line, kEdAmount, e.amount_minor);
    (is_debit ? debit : credit) += e.amount_minor;
    NACHA_PUT_ALPHA(line, kEdIndividualId, e.individual_id_number, w, "individual_id_number",
                    false);
    NACHA_PUT_ALPHA(line, kEdIndividualName, e.individual_name, w, "individual_name", false);
    NACHA_PUT_ALPHA(line, kEdDiscretionary, e.discretionary_data, w, "discretionary_data", false);
    if (e.addenda.has_value() && e.return_addenda.has_value()) {
      return FieldError(w, "addenda", "and return_addenda are both set; an entry has one addenda");
    }
    const bool has_addenda = e.addenda.has_value() || e.return_addenda.has_value();
    *At(line, kEdAddendaIndicator) = has_addenda ? '1' : '0';
    if (!PutDigits(line, kEdTrace, e.trace_number)) {
      return FieldError(w, "trace_number", DigitsProblem(e.trace_number, 15));
    }
    const std::string_view trace = e.trace_number;
    if (trace.substr(0, 8) != b.odfi_identification) {
      return FieldError(w, "trace_number",
                        "is " + e.trace_number + "; it must start with the batch's ODFI id " +
                            b.odfi_identification);
    }
    if (!previous_trace.empty() && trace <= previous_trace) {
      return FieldError(w, "trace_number",
                        "is " + e.trace_number + "; trace numbers must ascend (previous " +
                            std::string(previous_trace) + ")");
    }
    previous_trace = trace;
    ++count;

    if (e.addenda.has_value()) {
      w.part = "addenda";
      char* ad = NewLine('7');
      std::memcpy(At(ad, kAdTypeCode), "05", 2);
      NACHA_PUT_ALPHA(ad, kAdPaymentInfo, e.addenda->payment_related_information, w,
                      "payment_related_information", false);
      PutNumber(ad, kAdSequence, 1);
      std::memcpy(At(ad, kAdEntrySequence), trace.data() + 8, 7);
      ++count;
    } else if (e.return_addenda.has_value()) {
      const ReturnAddenda& r = *e.return_addenda;
      w.part = "return_addenda";
      char* ad = NewLine('7');
      std::memcpy(At(ad, kArTypeCode), "99", 2);
      if (!IsReturnReasonCode(r.return_reason_code)) {
        return FieldError(w, "return_reason_code",
                          "must be R01 to R99, got \"" + r.return_reason_code + "\"");
      }
      std::memcpy(At(ad, kArReasonCode), r.return_reason_code.data(), 3);
      if (!PutDigits(ad, kArOriginalTrace, r.original_entry_trace_number)) {
        return FieldError(w, "original_entry_trace_number",
                          DigitsProblem(r.original_entry_trace_number, 15));
      }
      if (!r.date_of_death.empty()) {
        if (!IsYymmdd(r.date_of_death)) {
          return FieldError(w, "date_of_death",
                            "must be empty or a date YYMMDD, got \"" + r.date_of_death + "\"");
        }
        PutDigits(ad, kArDateOfDeath, r.date_of_death);
      }
      if (!PutDigits(ad, kArOriginalRdfi, r.original_rdfi_identification)) {
        return FieldError(w, "original_rdfi_identification",
                          DigitsProblem(r.original_rdfi_identification, 8));
      }
      NACHA_PUT_ALPHA(ad, kArInformation, r.addenda_information, w, "addenda_information", false);
      std::memcpy(At(ad, kArTrace), trace.data(), 15);
      ++count;
    }
  }
  w.entry = -1;
  w.part = nullptr;
  if (b.entries.empty()) return FieldError(w, "entries", "is empty; a batch needs an entry");
  if (debit > kMaxTotalAmountMinor) {
    return LimitError(w, "entries",
                      "total debit amount " + std::to_string(debit) +
                          " cents exceeds the 12-digit batch control field");
  }
  if (credit > kMaxTotalAmountMinor) {
    return LimitError(w, "entries",
                      "total credit amount " + std::to_string(credit) +
                          " cents exceeds the 12-digit batch control field");
  }
  hash %= kHashModulus;

  // Batch control.
  char* control = NewLine('8');
  PutNumber(control, kBcServiceClass, service_class);
  PutNumber(control, kBcEntryAddendaCount, count);
  PutNumber(control, kBcEntryHash, hash);
  PutNumber(control, kBcTotalDebit, debit);
  PutNumber(control, kBcTotalCredit, credit);
  std::memcpy(At(control, kBcCompanyId), At(header, kBhCompanyId),
              static_cast<size_t>(kBcCompanyId.len));
  std::memcpy(At(control, kBcOdfi), At(header, kBhOdfi), static_cast<size_t>(kBcOdfi.len));
  std::memcpy(At(control, kBcBatchNumber), At(header, kBhBatchNumber),
              static_cast<size_t>(kBcBatchNumber.len));

  entry_addenda_count_ += count;
  entry_hash_ = (entry_hash_ + hash) % kHashModulus;
  total_debit_ += debit;
  total_credit_ += credit;
  if (total_debit_ > kMaxTotalAmountMinor) {
    return LimitError(w, "entries",
                      "brings the file's total debit amount to " + std::to_string(total_debit_) +
                          " cents, beyond the 12-digit file control field");
  }
  if (total_credit_ > kMaxTotalAmountMinor) {
    return LimitError(w, "entries",
                      "brings the file's total credit amount to " + std::to_string(total_credit_) +
                          " cents, beyond the 12-digit file control field");
  }
  return Status::Ok();
}

#undef NACHA_PUT_ALPHA

// Writes the file control from the totals of the batches written.
void Writer::FileControl(int64_t batch_count, int64_t block_count) {
  char* line = NewLine('9');
  PutNumber(line, kFcBatchCount, batch_count);
  PutNumber(line, kFcBlockCount, block_count);
  PutNumber(line, kFcEntryAddendaCount, entry_addenda_count_);
  PutNumber(line, kFcEntryHash, entry_hash_);
  PutNumber(line, kFcTotalDebit, total_debit_);
  PutNumber(line, kFcTotalCredit, total_credit_);
}

// Fills the rest of the buffer with lines of 94 '9'.
void Writer::Padding() {
  while (p_ != end_) {
    char* line = NewLine('9');
    std::memset(line, '9', kRecordLength);
  }
}

// Write() without clearing *out on error.
Status WriteInto(const File& file, std::string* out) {
  // Count the records first: the limits are checked before anything is written
  // and the buffer is sized exactly once.
  if (file.batches.empty()) {
    return Error::Invalid("nacha_field", "batches is empty; a file needs a batch", "batches");
  }
  if (static_cast<int64_t>(file.batches.size()) > kMaxBatchesPerFile) {
    return Error::Invalid("nacha_limit",
                          "batches has " + std::to_string(file.batches.size()) +
                              " batches; the limit is " + std::to_string(kMaxBatchesPerFile),
                          "batches");
  }
  int64_t records = 2;  // file header and file control
  int64_t file_entry_addenda = 0;
  for (size_t i = 0; i < file.batches.size(); ++i) {
    const Batch& b = file.batches[i];
    int64_t count = static_cast<int64_t>(b.entries.size());
    for (const Entry& e : b.entries) {
      count += (e.addenda.has_value() || e.return_addenda.has_value()) ? 1 : 0;
    }
    Where w;
    w.batch = static_cast<int64_t>(i);
    if (count > kMaxEntryAddendaPerBatch) {
      return LimitError(w, "entries",
                        "make " + std::to_string(count) +
                            " entry and addenda records; the limit is " +
                            std::to_string(kMaxEntryAddendaPerBatch));
    }
    file_entry_addenda += count;
    if (file_entry_addenda > kMaxEntryAddendaPerFile) {
      return Error::Invalid("nacha_limit",
                            "the file has more than " + std::to_string(kMaxEntryAddendaPerFile) +
                                " entry and addenda records",
                            "batches");
    }
    records += 2 + count;
  }
  const int64_t blocks = (records + kBlockingFactor - 1) / kBlockingFactor;
  assert(blocks <= kMaxBlocks);  // follows from the limits (see nacha.h)
  const int64_t lines = blocks * kBlockingFactor;

  out->resize(static_cast<size_t>(lines * kLineWithEnd));
  char* const begin = out->data();
  char* const end = begin + out->size();
  Writer writer(begin, end);
  PAYOPS_TRY(writer.Header(file.header));
  int32_t previous_batch_number = 0;
  for (size_t i = 0; i < file.batches.size(); ++i) {
    PAYOPS_TRY(
        writer.BatchRecords(file.batches[i], static_cast<int64_t>(i), previous_batch_number));
    previous_batch_number = file.batches[i].batch_number;
  }
  writer.FileControl(static_cast<int64_t>(file.batches.size()), blocks);
  assert(writer.position() - begin == records * kLineWithEnd);
  writer.Padding();
  assert(writer.position() == end);
  return Status::Ok();
}

// ---- Reader ----

// Splits the text into lines and counts them (1-based).
class LineReader {
 public:
  explicit LineReader(std::string_view text) : text_(text) {}

  // Sets *line to the next line without its "\n" or "\r\n"; false at the end.
  bool Next(std::string_view* line) {
    if (pos_ >= text_.size()) return false;
    const char* start = text_.data() + pos_;
    const size_t left = text_.size() - pos_;
    size_t len;
    // Fast path: a 94-character record and "\n".
    if (left > static_cast<size_t>(kRecordLength) && start[kRecordLength] == '\n') {
      len = kRecordLength;
      pos_ += kRecordLength + 1;
    } else {
      const void* nl = std::memchr(start, '\n', left);
      if (nl == nullptr) {
        len = left;
        pos_ = text_.size();
      } else {
        len = static_cast<size_t>(static_cast<const char*>(nl) - start);
        pos_ += len + 1;
      }
      if (len > 0 && start[len - 1] == '\r') --len;
    }
    *line = std::string_view(start, len);
    ++number_;
    return true;
  }

  int64_t number() const { return number_; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
  int64_t number_ = 0;
};

// A reader error: Error::Invalid(code, "line <line>: <message>", field).
Error LineError(int64_t line, const char* code, const char* field, const std::string& message) {
  return Error::Invalid(code, "line " + std::to_string(line) + ": " + message, field);
}

// Field `s` of a 94-character line.
std::string_view Field(std::string_view line, const Span& s) {
  return line.substr(static_cast<size_t>(s.start - 1), static_cast<size_t>(s.len));
}

// `s` in double quotes, for messages.
std::string Quoted(std::string_view s) {
  return "\"" + std::string(s) + "\"";
}

// "file header", "batch header", … for a record type character.
const char* RecordName(char type) {
  switch (type) {
    case '1':
      return "file header";
    case '5':
      return "batch header";
    case '6':
      return "entry detail";
    case '7':
      return "addenda";
    case '8':
      return "batch control";
    case '9':
      return "file control";
    default:
      return "unknown";
  }
}

// The layout that names the fields of a record type (for the printable check).
template <size_t N>
const char* FieldAt(const Span (&layout)[N], size_t column) {
  for (const Span& s : layout) {
    if (column >= static_cast<size_t>(s.start) && column < static_cast<size_t>(s.start + s.len)) {
      return s.name;
    }
  }
  return "record";
}

// The name of the field at 1-based `column` of a record, by its record type.
const char* FieldAtColumn(std::string_view line, size_t column) {
  switch (line[0]) {
    case '1':
      return FieldAt(kFileHeaderLayout, column);
    case '5':
      return FieldAt(kBatchHeaderLayout, column);
    case '6':
      return FieldAt(kEntryLayout, column);
    case '7':
      return Field(line, kAdTypeCode) == "99" ? FieldAt(kReturnAddendaLayout, column)
                                              : FieldAt(kPaymentAddendaLayout, column);
    case '8':
      return FieldAt(kBatchControlLayout, column);
    case '9':
      return FieldAt(kFileControlLayout, column);
    default:
      return "record";
  }
}

// True when all 94 bytes are printable ASCII. Branch-free so that it vectorizes.
bool AllPrintable(const char* p) {
  unsigned bad = 0;
  for (int i = 0; i < kRecordLength; ++i) {
    bad |= static_cast<unsigned char>(p[i] - 0x20) > 0x5E ? 1u : 0u;
  }
  return bad == 0;
}

// Every line: 94 printable ASCII characters.
Status CheckLine(std::string_view line, int64_t n) {
  if (line.size() == static_cast<size_t>(kRecordLength) && AllPrintable(line.data())) {
    return Status::Ok();
  }
  if (line.size() != static_cast<size_t>(kRecordLength)) {
    return LineError(n, "nacha_line_length", "record",
                     "record is " + std::to_string(line.size()) + " characters; must be 94");
  }
  for (size_t i = 0; i < line.size(); ++i) {
    if (!IsPrintable(line[i])) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(line[i]));
      return LineError(n, "nacha_field", FieldAtColumn(line, i + 1),
                       std::string("byte ") + hex + " at column " + std::to_string(i + 1) +
                           " is not printable ASCII");
    }
  }
  return Status::Ok();
}

// Field readers. Each returns false on a malformed field; the caller reports it.
bool ReadNumber(std::string_view line, const Span& s, int64_t* out) {
  return ParseDigits(Field(line, s), out);
}

// Sets *out to the field without its padding (trailing spaces).
void ReadAlpha(std::string_view line, const Span& s, std::string* out) {
  out->assign(RTrim(Field(line, s)));
}

// "line n: <record> <field> is not numeric: \"…\"".
Error NotNumeric(int64_t n, const char* record, const Span& s, std::string_view line) {
  return LineError(
      n, "nacha_field", s.name,
      std::string(record) + " " + s.name + " is not numeric: " + Quoted(Field(line, s)));
}

// Parses and checks the file header on line `n` into *h.
Status ParseFileHeader(std::string_view line, int64_t n, FileHeader* h) {
  assert(line.size() == static_cast<size_t>(kRecordLength) && line[0] == '1');
  if (Field(line, kFhPriorityCode) != "01") {
    return LineError(n, "nacha_field", kFhPriorityCode.name,
                     "file header priority code is " + Quoted(Field(line, kFhPriorityCode)) +
                         "; must be \"01\"");
  }
  const std::string_view dest = Field(line, kFhImmediateDestination);
  if (dest[0] != ' ' || !IsValidRoutingNumber(dest.substr(1))) {
    return LineError(n, "nacha_field", kFhImmediateDestination.name,
                     "file header immediate destination " + Quoted(dest) +
                         " is not a blank and a 9-digit ABA routing number");
  }
  h->immediate_destination.assign(dest.substr(1));
  const std::string_view origin = Field(line, kFhImmediateOrigin);
  if (origin[0] == ' ' && IsValidRoutingNumber(origin.substr(1))) {
    h->immediate_origin.assign(origin.substr(1));
  } else if (AllDigits(origin)) {
    h->immediate_origin.assign(origin);
  } else {
    return LineError(n, "nacha_field", kFhImmediateOrigin.name,
                     "file header immediate origin " + Quoted(origin) +
                         " is neither a blank and a 9-digit ABA routing number nor 10 digits");
  }
  const std::string_view date = Field(line, kFhFileCreationDate);
  if (!IsYymmdd(date)) {
    return LineError(n, "nacha_field", kFhFileCreationDate.name,
                     "file header creation date " + Quoted(date) + " is not a date YYMMDD");
  }
  h->file_creation_date.assign(date);
  const std::string_view time = Field(line, kFhFileCreationTime);
  if (AllSpaces(time)) {
    h->file_creation_time.clear();
  } else if (IsHhmm(time)) {
    h->file_creation_time.assign(time);
  } else {
    return LineError(n, "nacha_field", kFhFileCreationTime.name,
                     "file header creation time " + Quoted(time) + " is not blank or HHMM");
  }
  const char m = line[kFhFileIdModifier.start - 1];
  if (!((m >= 'A' && m <= 'Z') || IsDigit(m))) {
    return LineError(n, "nacha_field", kFhFileIdModifier.name,
                     std::string("file header file id modifier '") + m + "' is not A-Z or 0-9");
  }
  h->file_id_modifier = m;
  if (Field(line, kFhRecordSize) != "094") {
    return LineError(
        n, "nacha_field", kFhRecordSize.name,
        "file header record size is " + Quoted(Field(line, kFhRecordSize)) + "; must be \"094\"");
  }
  if (Field(line, kFhBlockingFactor) != "10") {
    return LineError(n, "nacha_field", kFhBlockingFactor.name,
                     "file header blocking factor is " + Quoted(Field(line, kFhBlockingFactor)) +
                         "; must be \"10\"");
  }
  if (line[kFhFormatCode.start - 1] != '1') {
    return LineError(
        n, "nacha_field", kFhFormatCode.name,
        "file header format code is " + Quoted(Field(line, kFhFormatCode)) + "; must be \"1\"");
  }
  ReadAlpha(line, kFhDestinationName, &h->immediate_destination_name);
  ReadAlpha(line, kFhOriginName, &h->immediate_origin_name);
  ReadAlpha(line, kFhReferenceCode, &h->reference_code);
  return Status::Ok();
}

// Parses and checks the batch header on line `n` into *b (entries untouched).
Status ParseBatchHeader(std::string_view line, int64_t n, Batch* b) {
  assert(line.size() == static_cast<size_t>(kRecordLength) && line[0] == '5');
  int64_t service_class = 0;
  if (!ReadNumber(line, kBhServiceClass, &service_class) || !IsServiceClass(service_class)) {
    return LineError(n, "nacha_field", kBhServiceClass.name,
                     "batch header service class code " + Quoted(Field(line, kBhServiceClass)) +
                         " is not 200, 220 or 225");
  }
  b->service_class = static_cast<ServiceClass>(service_class);
  ReadAlpha(line, kBhCompanyName, &b->company_name);
  if (b->company_name.empty()) {
    return LineError(n, "nacha_field", kBhCompanyName.name, "batch header company name is blank");
  }
  ReadAlpha(line, kBhCompanyDiscretionary, &b->company_discretionary_data);
  ReadAlpha(line, kBhCompanyId, &b->company_identification);
  if (b->company_identification.empty()) {
    return LineError(n, "nacha_field", kBhCompanyId.name,
                     "batch header company identification is blank");
  }
  const std::optional<SecCode> sec = ParseSecCode(Field(line, kBhSecCode));
  if (!sec.has_value()) {
    return LineError(
        n, "nacha_field", kBhSecCode.name,
        "batch header SEC code " + Quoted(Field(line, kBhSecCode)) + " is not PPD, CCD or WEB");
  }
  b->sec_code = *sec;
  ReadAlpha(line, kBhEntryDescription, &b->company_entry_description);
  if (b->company_entry_description.empty()) {
    return LineError(n, "nacha_field", kBhEntryDescription.name,
                     "batch header company entry description is blank");
  }
  ReadAlpha(line, kBhDescriptiveDate, &b->company_descriptive_date);
  const std::string_view effective = Field(line, kBhEffectiveDate);
  if (!IsYymmdd(effective)) {
    return LineError(
        n, "nacha_field", kBhEffectiveDate.name,
        "batch header effective entry date " + Quoted(effective) + " is not a date YYMMDD");
  }
  b->effective_entry_date.assign(effective);
  const std::string_view settlement = Field(line, kBhSettlementDate);
  if (AllSpaces(settlement)) {
    b->settlement_date.clear();
  } else if (IsJulianDay(settlement)) {
    b->settlement_date.assign(settlement);
  } else {
    return LineError(n, "nacha_field", kBhSettlementDate.name,
                     "batch header settlement date " + Quoted(settlement) +
                         " is not blank or a Julian day 001-366");
  }
  const char status = line[kBhOriginatorStatus.start - 1];
  if (status < '0' || status > '2') {
    return LineError(
        n, "nacha_field", kBhOriginatorStatus.name,
        std::string("batch header originator status code '") + status + "' is not 0, 1 or 2");
  }
  b->originator_status_code = status;
  const std::string_view odfi = Field(line, kBhOdfi);
  if (!AllDigits(odfi)) return NotNumeric(n, "batch header", kBhOdfi, line);
  b->odfi_identification.assign(odfi);
  int64_t batch_number = 0;
  if (!ReadNumber(line, kBhBatchNumber, &batch_number)) {
    return NotNumeric(n, "batch header", kBhBatchNumber, line);
  }
  if (batch_number < 1) {
    return LineError(n, "nacha_field", kBhBatchNumber.name, "batch header batch number is 0");
  }
  b->batch_number = static_cast<int32_t>(batch_number);
  return Status::Ok();
}

// Running sums of one batch, compared with its control record.
struct BatchSums {
  int64_t entry_addenda_count = 0;
  int64_t hash = 0;  // kept below kHashModulus
  int64_t debit = 0;
  int64_t credit = 0;
};

// Parses an entry detail record into *e (addenda not yet attached) and adds it to
// the sums. *has_addenda receives the addenda indicator.
Status ParseEntry(std::string_view line, int64_t n, const Batch& b, std::string_view previous_trace,
                  Entry* e, bool* has_addenda, BatchSums* sums) {
  assert(line.size() == static_cast<size_t>(kRecordLength) && line[0] == '6');
  int64_t tc = 0;
  if (!ReadNumber(line, kEdTransactionCode, &tc) || !IsKnownTransactionCode(static_cast<int>(tc))) {
    return LineError(n, "nacha_field", kEdTransactionCode.name,
                     "entry transaction code " + Quoted(Field(line, kEdTransactionCode)) +
                         " is not one of 21, 22, 26, 27, 31, 32, 36, 37");
  }
  const bool is_debit = IsDebitCode(static_cast<int>(tc));
  if ((is_debit && b.service_class == ServiceClass::kCreditsOnly) ||
      (!is_debit && b.service_class == ServiceClass::kDebitsOnly)) {
    return LineError(n, "nacha_field", kEdTransactionCode.name,
                     "entry transaction code " + std::to_string(tc) +
                         " is not allowed in a batch of service class " +
                         std::to_string(static_cast<int>(b.service_class)));
  }
  e->transaction_code = static_cast<TransactionCode>(tc);
  int64_t rdfi = 0;
  if (!ReadNumber(line, kEdRdfi, &rdfi)) return NotNumeric(n, "entry", kEdRdfi, line);
  const std::string_view routing = line.substr(static_cast<size_t>(kEdRdfi.start - 1), 9);
  if (!IsValidRoutingNumber(routing)) {
    const int expected = RoutingCheckDigit(routing.substr(0, 8));
    return LineError(n, "nacha_field", kEdCheckDigit.name,
                     "entry RDFI check digit is " + Quoted(Field(line, kEdCheckDigit)) +
                         ", computed \"" + std::to_string(expected) + "\" for RDFI " +
                         std::string(routing.substr(0, 8)));
  }
  e->rdfi_routing_number.assign(routing);
  ReadAlpha(line, kEdAccount, &e->dfi_account_number);
  if (e->dfi_account_number.empty()) {
    return LineError(n, "nacha_field", kEdAccount.name, "entry DFI account number is blank");
  }
  if (!ReadNumber(line, kEdAmount, &e->amount_minor)) {
    return NotNumeric(n, "entry", kEdAmount, line);
  }
  ReadAlpha(line, kEdIndividualId, &e->individual_id_number);
  ReadAlpha(line, kEdIndividualName, &e->individual_name);
  ReadAlpha(line, kEdDiscretionary, &e->discretionary_data);
  const char indicator = line[kEdAddendaIndicator.start - 1];
  if (indicator != '0' && indicator != '1') {
    return LineError(n, "nacha_field", kEdAddendaIndicator.name,
                     std::string("entry addenda indicator '") + indicator + "' is not 0 or 1");
  }
  *has_addenda = indicator == '1';
  const std::string_view trace = Field(line, kEdTrace);
  if (!AllDigits(trace)) return NotNumeric(n, "entry", kEdTrace, line);
  if (trace.substr(0, 8) != b.odfi_identification) {
    return LineError(n, "nacha_field", kEdTrace.name,
                     "entry trace number " + std::string(trace) +
                         " does not start with the batch's ODFI id " + b.odfi_identification);
  }
  if (!previous_trace.empty() && trace <= previous_trace) {
    return LineError(n, "nacha_field", kEdTrace.name,
                     "entry trace number " + std::string(trace) + " does not ascend (previous " +
                         std::string(previous_trace) + ")");
  }
  e->trace_number.assign(trace);

  sums->entry_addenda_count += 1;
  sums->hash += rdfi;
  if (sums->hash >= kHashModulus) sums->hash -= kHashModulus;
  (is_debit ? sums->debit : sums->credit) += e->amount_minor;
  return Status::Ok();
}

// Parses an addenda record (type 05 or 99) into the entry it follows.
Status ParseAddenda(std::string_view line, int64_t n, Entry* e) {
  assert(line.size() == static_cast<size_t>(kRecordLength) && line[0] == '7');
  const std::string_view type = Field(line, kAdTypeCode);
  if (type == "05") {
    PaymentAddenda& a = e->addenda.emplace();
    ReadAlpha(line, kAdPaymentInfo, &a.payment_related_information);
    if (Field(line, kAdSequence) != "0001") {
      return LineError(
          n, "nacha_field", kAdSequence.name,
          "addenda sequence number is " + Quoted(Field(line, kAdSequence)) + "; must be \"0001\"");
    }
    const std::string_view entry_sequence = Field(line, kAdEntrySequence);
    if (entry_sequence != std::string_view(e->trace_number).substr(8)) {
      return LineError(n, "nacha_field", kAdEntrySequence.name,
                       "addenda entry detail sequence number " + Quoted(entry_sequence) +
                           " is not the entry's trace sequence " +
                           Quoted(std::string_view(e->trace_number).substr(8)));
    }
    return Status::Ok();
  }
  if (type == "99") {
    ReturnAddenda& r = e->return_addenda.emplace();
    const std::string_view code = Field(line, kArReasonCode);
    if (!IsReturnReasonCode(code)) {
      return LineError(n, "nacha_field", kArReasonCode.name,
                       "return reason code " + Quoted(code) + " is not R01 to R99");
    }
    r.return_reason_code.assign(code);
    const std::string_view original = Field(line, kArOriginalTrace);
    if (!AllDigits(original)) return NotNumeric(n, "return addenda", kArOriginalTrace, line);
    r.original_entry_trace_number.assign(original);
    const std::string_view death = Field(line, kArDateOfDeath);
    if (AllSpaces(death)) {
      r.date_of_death.clear();
    } else if (IsYymmdd(death)) {
      r.date_of_death.assign(death);
    } else {
      return LineError(
          n, "nacha_field", kArDateOfDeath.name,
          "return addenda date of death " + Quoted(death) + " is not blank or a date YYMMDD");
    }
    const std::string_view rdfi = Field(line, kArOriginalRdfi);
    if (!AllDigits(rdfi)) return NotNumeric(n, "return addenda", kArOriginalRdfi, line);
    r.original_rdfi_identification.assign(rdfi);
    ReadAlpha(line, kArInformation, &r.addenda_information);
    const std::string_view trace = Field(line, kArTrace);
    if (trace != e->trace_number) {
      return LineError(n, "nacha_field", kArTrace.name,
                       "return addenda trace number " + Quoted(trace) +
                           " is not the entry's trace number " + Quoted(e->trace_number));
    }
    return Status::Ok();
  }
  return LineError(n, "nacha_field", kAdTypeCode.name,
                   "addenda type code " + Quoted(type) + " is not 05 or 99");
}

Error Mismatch(int64_t n, const char* code, const char* record, const char* what, const Span& s,
               int64_t found, int64_t computed) {
  return LineError(n, code, s.name,
                   std::string(record) + " " + what + " is " + ZeroPad(found, s.len) +
                       ", computed " + ZeroPad(computed, s.len));
}

// Compares a batch control with the batch and its sums.
Status CheckBatchControl(std::string_view line, int64_t n, const Batch& b, int64_t header_line,
                         const BatchSums& sums) {
  assert(line.size() == static_cast<size_t>(kRecordLength) && line[0] == '8');
  int64_t service_class = 0;
  if (!ReadNumber(line, kBcServiceClass, &service_class)) {
    return NotNumeric(n, "batch control", kBcServiceClass, line);
  }
  int64_t count = 0;
  if (!ReadNumber(line, kBcEntryAddendaCount, &count)) {
    return NotNumeric(n, "batch control", kBcEntryAddendaCount, line);
  }
  int64_t hash = 0;
  if (!ReadNumber(line, kBcEntryHash, &hash)) {
    return NotNumeric(n, "batch control", kBcEntryHash, line);
  }
  int64_t debit = 0;
  if (!ReadNumber(line, kBcTotalDebit, &debit)) {
    return NotNumeric(n, "batch control", kBcTotalDebit, line);
  }
  int64_t credit = 0;
  if (!ReadNumber(line, kBcTotalCredit, &credit)) {
    return NotNumeric(n, "batch control", kBcTotalCredit, line);
  }
  if (!AllDigits(Field(line, kBcOdfi))) return NotNumeric(n, "batch control", kBcOdfi, line);
  int64_t batch_number = 0;
  if (!ReadNumber(line, kBcBatchNumber, &batch_number)) {
    return NotNumeric(n, "batch control", kBcBatchNumber, line);
  }

  const std::string header = " (batch header on line " + std::to_string(header_line) + ")";
  if (service_class != static_cast<int>(b.service_class)) {
    return LineError(n, "nacha_batch_mismatch", kBcServiceClass.name,
                     "batch control service class code is " + std::to_string(service_class) +
                         ", batch header has " + std::to_string(static_cast<int>(b.service_class)) +
                         header);
  }
  if (RTrim(Field(line, kBcCompanyId)) != b.company_identification) {
    return LineError(n, "nacha_batch_mismatch", kBcCompanyId.name,
                     "batch control company identification is " +
                         Quoted(RTrim(Field(line, kBcCompanyId))) + ", batch header has " +
                         Quoted(b.company_identification) + header);
  }
  if (Field(line, kBcOdfi) != b.odfi_identification) {
    return LineError(n, "nacha_batch_mismatch", kBcOdfi.name,
                     "batch control ODFI identification is " + std::string(Field(line, kBcOdfi)) +
                         ", batch header has " + b.odfi_identification + header);
  }
  if (batch_number != b.batch_number) {
    return LineError(n, "nacha_batch_mismatch", kBcBatchNumber.name,
                     "batch control batch number is " + ZeroPad(batch_number, 7) +
                         ", batch header has " + ZeroPad(b.batch_number, 7) + header);
  }
  if (count != sums.entry_addenda_count) {
    return Mismatch(n, "nacha_count_mismatch", "batch control", "entry/addenda count",
                    kBcEntryAddendaCount, count, sums.entry_addenda_count);
  }
  if (hash != sums.hash) {
    return Mismatch(n, "nacha_hash_mismatch", "batch control", "entry hash", kBcEntryHash, hash,
                    sums.hash);
  }
  if (debit != sums.debit) {
    return Mismatch(n, "nacha_total_mismatch", "batch control", "total debit amount", kBcTotalDebit,
                    debit, sums.debit);
  }
  if (credit != sums.credit) {
    return Mismatch(n, "nacha_total_mismatch", "batch control", "total credit amount",
                    kBcTotalCredit, credit, sums.credit);
  }
  return Status::Ok();
}

// "nacha_record_order": a record of type `found` where `expected` belongs.
Error OrderError(int64_t n, char found, const char* expected) {
  return LineError(n, "nacha_record_order", "record_type",
                   std::string("expected ") + expected + ", found record type '" + found + "' (" +
                       RecordName(found) + ")");
}

// "nacha_truncated": the text ends where line `n` (`expected`) belongs.
Error Truncated(int64_t n, const char* expected) {
  return LineError(n, "nacha_truncated", "record_type",
                   std::string("file ends here; expected ") + expected);
}

constexpr char kPaddingLine[] =
    "9999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999"
    "999";
static_assert(sizeof kPaddingLine == kRecordLength + 1);

// The number of entry records from the current line (an entry) up to the next
// record that is not an entry or addenda, at most kMaxEntryAddendaPerBatch. Reads
// ahead on a copy of `lines`.
size_t CountEntriesAhead(LineReader lines) {
  size_t count = 1;
  std::string_view line;
  while (count < static_cast<size_t>(kMaxEntryAddendaPerBatch) && lines.Next(&line) &&
         !line.empty() && (line[0] == '6' || line[0] == '7')) {
    count += line[0] == '6' ? 1 : 0;
  }
  return count;
}

// The entry/addenda limits, checked after each entry or addenda record.
Status CheckRecordLimits(int64_t n, const BatchSums& batch, const BatchSums& file) {
  if (batch.entry_addenda_count > kMaxEntryAddendaPerBatch) {
    return LineError(n, "nacha_limit", "entry_addenda_count",
                     "batch has more than " + std::to_string(kMaxEntryAddendaPerBatch) +
                         " entry and addenda records");
  }
  if (file.entry_addenda_count + batch.entry_addenda_count > kMaxEntryAddendaPerFile) {
    return LineError(n, "nacha_limit", "entry_addenda_count",
                     "file has more than " + std::to_string(kMaxEntryAddendaPerFile) +
                         " entry and addenda records");
  }
  return Status::Ok();
}

// Parse(): one pass over the lines with the record-order state machine.
Result<File> ParseText(std::string_view text) {
  File file;
  LineReader lines(text);
  std::string_view line;

  // File header.
  if (!lines.Next(&line)) return Truncated(1, "a file header (record type 1)");
  PAYOPS_TRY(CheckLine(line, lines.number()));
  if (line[0] != '1') return OrderError(lines.number(), line[0], "a file header (record type 1)");
  PAYOPS_TRY(ParseFileHeader(line, lines.number(), &file.header));

  // Batches.
  BatchSums file_sums;
  int64_t batch_hash_sum = 0;
  while (true) {
    if (!lines.Next(&line)) {
      return Truncated(lines.number() + 1,
                       "a batch header (record type 5) or the file control (record type 9)");
    }
    PAYOPS_TRY(CheckLine(line, lines.number()));
    if (line[0] == '9') break;
    if (line[0] != '5') {
      return OrderError(lines.number(), line[0],
                        "a batch header (record type 5) or the file control (record type 9)");
    }
    if (static_cast<int64_t>(file.batches.size()) >= kMaxBatchesPerFile) {
      return LineError(lines.number(), "nacha_limit", "batch_count",
                       "more than " + std::to_string(kMaxBatchesPerFile) + " batches");
    }
    const int64_t header_line = lines.number();
    const int32_t previous_batch_number =
        file.batches.empty() ? 0 : file.batches.back().batch_number;
    Batch& batch = file.batches.emplace_back();
    PAYOPS_TRY(ParseBatchHeader(line, header_line, &batch));
    if (batch.batch_number <= previous_batch_number) {
      return LineError(header_line, "nacha_field", kBhBatchNumber.name,
                       "batch number " + ZeroPad(batch.batch_number, 7) +
                           " does not ascend (previous " + ZeroPad(previous_batch_number, 7) + ")");
    }

    BatchSums sums;
    bool addenda_expected = false;  // the last entry has indicator 1 and no addenda yet
    int64_t last_entry_line = 0;
    while (true) {
      if (!lines.Next(&line)) {
        return Truncated(lines.number() + 1, addenda_expected
                                                 ? "an addenda record (record type 7)"
                                                 : "an entry (record type 6) or a batch control "
                                                   "(record type 8)");
      }
      const int64_t n = lines.number();
      PAYOPS_TRY(CheckLine(line, n));
      if (line[0] == '7') {
        if (batch.entries.empty()) {
          return OrderError(n, '7', "an entry (record type 6) before an addenda");
        }
        if (!addenda_expected) {
          const Entry& last = batch.entries.back();
          const bool has = last.addenda.has_value() || last.return_addenda.has_value();
          return LineError(n, "nacha_record_order", has ? "record_type" : "addenda_indicator",
                           has ? "second addenda record for the entry on line " +
                                     std::to_string(last_entry_line) + "; at most one is allowed"
                               : "addenda record, but the entry on line " +
                                     std::to_string(last_entry_line) + " has addenda indicator 0");
        }
        PAYOPS_TRY(ParseAddenda(line, n, &batch.entries.back()));
        addenda_expected = false;
        sums.entry_addenda_count += 1;
        PAYOPS_TRY(CheckRecordLimits(n, sums, file_sums));
        continue;
      }
      if (addenda_expected) {
        return LineError(n, "nacha_record_order", "addenda_indicator",
                         std::string("expected an addenda record (record type 7) for the entry "
                                     "on line ") +
                             std::to_string(last_entry_line) +
                             ", which has addenda indicator 1; found record type '" + line[0] +
                             "'");
      }
      if (line[0] == '6') {
        if (batch.entries.empty()) {
          // Sizes the vector once: entries are large and a batch can hold many.
          batch.entries.reserve(CountEntriesAhead(lines));
        }
        const std::string_view previous_trace =
            batch.entries.empty() ? std::string_view() : batch.entries.back().trace_number;
        Entry& entry = batch.entries.emplace_back();
        PAYOPS_TRY(ParseEntry(line, n, batch, previous_trace, &entry, &addenda_expected, &sums));
        last_entry_line = n;
        PAYOPS_TRY(CheckRecordLimits(n, sums, file_sums));
        continue;
      }
      if (line[0] == '8') {
        if (batch.entries.empty()) {
          return OrderError(n, '8', "an entry (record type 6): a batch needs at least one");
        }
        PAYOPS_TRY(CheckBatchControl(line, n, batch, header_line, sums));
        break;
      }
      return OrderError(n, line[0], "an entry (record type 6), addenda (7) or batch control (8)");
    }
    file_sums.entry_addenda_count += sums.entry_addenda_count;
    batch_hash_sum = (batch_hash_sum + sums.hash) % kHashModulus;
    file_sums.debit += sums.debit;
    file_sums.credit += sums.credit;
  }

  // File control.
  const int64_t n = lines.number();
  assert(line.size() == static_cast<size_t>(kRecordLength) && line[0] == '9');
  if (file.batches.empty()) {
    return OrderError(n, '9', "a batch header (record type 5): a file needs at least one batch");
  }
  int64_t batch_count = 0;
  if (!ReadNumber(line, kFcBatchCount, &batch_count)) {
    return NotNumeric(n, "file control", kFcBatchCount, line);
  }
  int64_t block_count = 0;
  if (!ReadNumber(line, kFcBlockCount, &block_count)) {
    return NotNumeric(n, "file control", kFcBlockCount, line);
  }
  int64_t count = 0;
  if (!ReadNumber(line, kFcEntryAddendaCount, &count)) {
    return NotNumeric(n, "file control", kFcEntryAddendaCount, line);
  }
  int64_t hash = 0;
  if (!ReadNumber(line, kFcEntryHash, &hash)) {
    return NotNumeric(n, "file control", kFcEntryHash, line);
  }
  int64_t debit = 0;
  if (!ReadNumber(line, kFcTotalDebit, &debit)) {
    return NotNumeric(n, "file control", kFcTotalDebit, line);
  }
  int64_t credit = 0;
  if (!ReadNumber(line, kFcTotalCredit, &credit)) {
    return NotNumeric(n, "file control", kFcTotalCredit, line);
  }
  const int64_t records = n;  // the file control is the last record
  const int64_t blocks = (records + kBlockingFactor - 1) / kBlockingFactor;
  if (batch_count != static_cast<int64_t>(file.batches.size())) {
    return Mismatch(n, "nacha_count_mismatch", "file control", "batch count", kFcBatchCount,
                    batch_count, static_cast<int64_t>(file.batches.size()));
  }
  if (block_count != blocks) {
    return Mismatch(n, "nacha_count_mismatch", "file control", "block count", kFcBlockCount,
                    block_count, blocks);
  }
  if (count != file_sums.entry_addenda_count) {
    return Mismatch(n, "nacha_count_mismatch", "file control", "entry/addenda count",
                    kFcEntryAddendaCount, count, file_sums.entry_addenda_count);
  }
  if (hash != batch_hash_sum) {
    return Mismatch(n, "nacha_hash_mismatch", "file control", "entry hash", kFcEntryHash, hash,
                    batch_hash_sum);
  }
  if (debit != file_sums.debit) {
    return Mismatch(n, "nacha_total_mismatch", "file control", "total debit amount", kFcTotalDebit,
                    debit, file_sums.debit);
  }
  if (credit != file_sums.credit) {
    return Mismatch(n, "nacha_total_mismatch", "file control", "total credit amount",
                    kFcTotalCredit, credit, file_sums.credit);
  }

  // Padding: lines of 94 '9' up to the end of the last block.
  const int64_t expected_lines = blocks * kBlockingFactor;
  while (lines.Next(&line)) {
    const int64_t p = lines.number();
    PAYOPS_TRY(CheckLine(line, p));
    if (p > expected_lines) {
      return LineError(p, "nacha_padding", "padding",
                       "line beyond the last block; the file has " + std::to_string(blocks) +
                           " blocks of 10 records (" + std::to_string(expected_lines) + " lines)");
    }
    if (line != std::string_view(kPaddingLine, kRecordLength)) {
      return LineError(p, "nacha_padding", "padding",
                       "padding after the file control must be 94 '9' characters");
    }
  }
  if (lines.number() < expected_lines) {
    return LineError(lines.number() + 1, "nacha_padding", "padding",
                     "file ends after " + std::to_string(lines.number()) + " lines; " +
                         std::to_string(blocks) + " blocks of 10 records need " +
                         std::to_string(expected_lines) + " (padding lines missing)");
  }
  return file;
}

}  // namespace

// ---- Public functions ----

std::string_view SecCodeName(SecCode code) {
  switch (code) {
    case SecCode::kPpd:
      return "PPD";
    case SecCode::kCcd:
      return "CCD";
    case SecCode::kWeb:
      return "WEB";
  }
  return "???";
}

bool IsKnownTransactionCode(int code) {
  switch (code) {
    case 21:
    case 22:
    case 26:
    case 27:
    case 31:
    case 32:
    case 36:
    case 37:
      return true;
    default:
      return false;
  }
}

bool IsDebit(TransactionCode code) {
  return IsDebitCode(static_cast<int>(code));
}

int RoutingCheckDigit(std::string_view prefix) {
  if (prefix.size() != 8 || !AllDigits(prefix)) return -1;
  static constexpr int kWeights[8] = {3, 7, 1, 3, 7, 1, 3, 7};
  int sum = 0;
  for (size_t i = 0; i < 8; ++i) sum += kWeights[i] * (prefix[i] - '0');
  const int digit = (10 - sum % 10) % 10;
  assert(digit >= 0 && digit <= 9);
  return digit;
}

bool IsValidRoutingNumber(std::string_view routing) {
  if (routing.size() != 9 || !IsDigit(routing[8])) return false;
  return RoutingCheckDigit(routing.substr(0, 8)) == routing[8] - '0';
}

bool FormatAlphanumeric(std::string_view value, char* out, size_t width) {
  if (value.size() > width) return false;
  for (size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (!IsPrintable(c)) return false;
    out[i] = (c >= 'a' && c <= 'z') ? static_cast<char>(c - ('a' - 'A')) : c;
  }
  std::memset(out + value.size(), ' ', width - value.size());
  return true;
}

bool FormatNumeric(uint64_t value, char* out, size_t width) {
  for (size_t i = width; i > 0; --i) {
    out[i - 1] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return value == 0;
}

Status Write(const File& file, std::string* out) {
  assert(out != nullptr);
  Status status = WriteInto(file, out);
  if (!status.ok()) out->clear();
  return status;
}

Result<std::string> Write(const File& file) {
  std::string out;
  PAYOPS_TRY(Write(file, &out));
  return out;
}

Result<File> Parse(std::string_view text) {
  return ParseText(text);
}

Result<std::vector<ReturnedEntry>> ExtractReturns(const File& file) {
  std::vector<ReturnedEntry> out;
  for (size_t i = 0; i < file.batches.size(); ++i) {
    const Batch& b = file.batches[i];
    for (size_t j = 0; j < b.entries.size(); ++j) {
      const Entry& e = b.entries[j];
      Where w;
      w.batch = static_cast<int64_t>(i);
      w.entry = static_cast<int64_t>(j);
      if (!e.return_addenda.has_value()) {
        return Error::Invalid(
            "nacha_not_return",
            Describe(w) + " (trace " + e.trace_number + ") has no return addenda (type 99)",
            "return_addenda");
      }
      const ReturnAddenda& r = *e.return_addenda;
      if (!IsReturnReasonCode(r.return_reason_code)) {
        w.part = "return_addenda";
        return FieldError(w, "return_reason_code",
                          "must be R01 to R99, got \"" + r.return_reason_code + "\"");
      }
      ReturnedEntry& x = out.emplace_back();
      x.original_trace_number = r.original_entry_trace_number;
      x.return_code = r.return_reason_code;
      x.amount_minor = e.amount_minor;
      x.transaction_code = e.transaction_code;
      x.trace_number = e.trace_number;
      x.original_rdfi_identification = r.original_rdfi_identification;
      x.date_of_death = r.date_of_death;
      x.addenda_information = r.addenda_information;
      x.rdfi_routing_number = e.rdfi_routing_number;
      x.dfi_account_number = e.dfi_account_number;
      x.individual_id_number = e.individual_id_number;
      x.individual_name = e.individual_name;
      x.company_identification = b.company_identification;
      x.effective_entry_date = b.effective_entry_date;
      x.batch_number = b.batch_number;
    }
  }
  return out;
}

}  // namespace payops::nacha
