// The monthly statement (SPEC §3.4, §3.7): per direction, currency and
// corridor the count, volume, fee per transaction and fee total of the
// month's postings; the refunds and returns of the month; the support-plan
// charges; corrections issued since the last statement; totals per currency.
//
// Months are calendar months in America/New_York: a posting belongs to the
// month in which its instant falls, read in New York time.
//
// Pure code: no I/O, no clock. Thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "payops/core/calendar.h"
#include "payops/core/ledger.h"
#include "payops/core/result.h"

namespace payops::statement {

struct Month {
  int year = 1970;
  unsigned month = 1;  // 1..12
  friend auto operator<=>(const Month&, const Month&) = default;
};

// Exactly "YYYY-MM" with a year 2000..9998 and a month 01..12; error kInvalid
// "invalid_month" (field "month") otherwise.
Result<Month> ParseMonth(std::string_view text);
std::string FormatMonth(Month m);
Month NextMonth(Month m);
Month PreviousMonth(Month m);
calendar::Date FirstDay(Month m);
// The first instant of the month: its first day 00:00 America/New_York.
Instant MonthStart(Month m);
// The first instant after the month (the next month's start).
Instant MonthEnd(Month m);
// The month in which `t` falls, read in New York time.
Month MonthOf(Instant t);

// ---- What one posting adds to the month's aggregates ----

// Sections of a statement, in the order they are listed.
enum class Section : uint8_t { kPayin, kPayout, kRefund, kReturn, kPlanCharge, kCorrection };
// "payin", "payout", "refund", "return", "plan_charge", "correction".
std::string_view SectionName(Section s);
Result<Section> ParseSection(std::string_view text);

// One posting's share of a monthly aggregate row: the row is keyed by
// (section, currency, corridor, fee) and adds count 1, the volume and the fee.
struct AggregateDelta {
  Section section = Section::kPayin;
  std::string currency;
  int64_t fee = 0;     // the fee of this one transaction (>= 0)
  int64_t volume = 0;  // the amount moved (> 0)
};

// The delta of a posting on the org's accounts, read from its entries:
//   payin:   volume = the org account's credit, fee = the fee_income entry;
//   payout, org_payout: volume = the payout_clearing entry, fee = fee_income;
//   refund, return: volume = the org account's debit, fee = the fee given back.
// nullopt for postings that statements do not list (sandbox deposits).
std::optional<AggregateDelta> DeltaOf(const Posting& posting, const OrgAccounts& accounts);

// A row of the incremental aggregates kept with every posting.
struct Aggregate {
  Section section = Section::kPayin;
  std::string currency;
  std::string corridor;
  int64_t fee = 0;
  int64_t count = 0;
  int64_t volume = 0;
  int64_t fee_total = 0;
};

// ---- Support-plan charges (SPEC §3.4) ----

// Charges are in USD minor units.
inline constexpr int64_t kPlusChargeMinor = 100'000;  // 1,000.00
inline constexpr int64_t kProChargeMinor = 250'000;   // 2,500.00

struct PlanCharge {
  std::string code;  // "hypercare_plus", "hypercare_pro", "bau_plus", "bau_pro"
  std::string description;
  std::string currency = "USD";
  int64_t amount = 0;
};

// The charges of `month` for an org with these plans and go-live date:
// - hypercare Plus (1,000.00) or Pro (2,500.00) once, on the statement of the
//   month in which the go-live date (the start of hypercare) falls;
// - BAU Plus (1,000.00) or Pro (2,500.00) for every month whose first day is
//   on or after the end of hypercare (go-live + 2 or 4 weeks): the month in
//   which hypercare ends is not charged unless hypercare ends on its first day
//   (a partial month is never charged, neither pro rata);
// - Standard plans charge nothing.
// Errors invalid_value for a bad plan or date (the org's stored values).
Result<std::vector<PlanCharge>> SupportPlanCharges(std::string_view hypercare_plan,
                                                   std::string_view bau_plan,
                                                   std::string_view go_live_date, Month month);

// ---- The statement ----

struct Line {
  std::string id;
  int64_t seq = 0;
  Section section = Section::kPayin;
  std::string currency;
  std::string corridor;  // empty for charges and corrections
  int64_t count = 0;
  int64_t volume = 0;
  int64_t fee = 0;        // per transaction
  int64_t fee_total = 0;  // count × fee
  // What the line adds to the amount due: fee_total for payins and payouts,
  // −fee_total for refunds and returns (the fee is given back), the charge,
  // the correction (negative: a credit).
  int64_t amount = 0;
  std::string description;
};

struct Correction {
  std::string id;
  std::string currency;
  int64_t amount = 0;  // signed, non-zero
  std::string reason;
  std::string ticket_number;  // "" when none
  std::string statement_month;
  std::string line_id;
};

struct Totals {
  std::string currency;
  int64_t payin_count = 0;
  int64_t payin_volume = 0;
  int64_t payout_count = 0;
  int64_t payout_volume = 0;
  int64_t refund_count = 0;
  int64_t refund_volume = 0;
  int64_t return_count = 0;
  int64_t return_volume = 0;
  int64_t fees = 0;  // payin and payout fees less the fees given back
  int64_t plan_charges = 0;
  int64_t corrections = 0;
  int64_t total_due = 0;  // fees + plan_charges + corrections
};

// The lines of a statement from the month's aggregates, the plan charges and
// the corrections, in section order then currency, corridor and fee. Line ids
// are left empty (the caller names them). kRefused "amount_overflow" when a
// figure passes int64.
Result<std::vector<Line>> BuildLines(std::span<const Aggregate> aggregates,
                                     std::span<const PlanCharge> charges,
                                     std::span<const Correction> corrections);
// Totals per currency, in currency order. kRefused "amount_overflow".
Result<std::vector<Totals>> ComputeTotals(std::span<const Line> lines);

struct Header {
  std::string id;
  std::string org_id;
  std::string org_name;
  std::string month;
  Instant issued_at;
};

// The CSV (RFC 4180, CRLF): a header row, one row per line, then one "total"
// row per currency. Amounts in minor units; text fields quoted when needed, and
// a field starting with = + - @ is prefixed with ' so a spreadsheet does not
// read it as a formula.
std::string RenderCsv(const Header& header, std::span<const Line> lines,
                      std::span<const Totals> totals);

// Corrections: |amount| at most this (10,000,000.00), non-zero.
inline constexpr int64_t kMaxCorrectionMinor = 1'000'000'000;
inline constexpr size_t kMaxCorrectionReasonBytes = 2000;
// A ticket names at most this many lines of one statement.
inline constexpr size_t kMaxDisputedLines = 50;

}  // namespace payops::statement
