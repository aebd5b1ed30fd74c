#include "payops/core/statement.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <tuple>

#include "payops/core/money.h"
#include "payops/core/ticket.h"

namespace payops::statement {
namespace {

constexpr std::array<std::string_view, 6> kSectionNames = {"payin",  "payout",      "refund",
                                                           "return", "plan_charge", "correction"};

bool IsDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Error Overflow() {
  return Error::Refused("amount_overflow", "a statement figure passes int64");
}

// Free text that a spreadsheet would run as a formula gets a leading '.
std::string Defused(std::string_view v) {
  std::string s(v);
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s = "'" + s;
  return s;
}

std::string CsvField(std::string_view v) {
  std::string s(v);
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<Month> ParseMonth(std::string_view text) {
  auto bad = [] {
    return Error::Invalid("invalid_month", "month must be YYYY-MM (e.g. 2026-03)", "month");
  };
  if (text.size() != 7 || text[4] != '-' || !IsDigits(text.substr(0, 4)) ||
      !IsDigits(text.substr(5, 2))) {
    return bad();
  }
  Month m{std::stoi(std::string(text.substr(0, 4))),
          static_cast<unsigned>(std::stoi(std::string(text.substr(5, 2))))};
  if (m.year < 2000 || m.year > 9998 || m.month < 1 || m.month > 12) return bad();
  return m;
}

std::string FormatMonth(Month m) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", m.year, m.month);
  return buf;
}

Month NextMonth(Month m) {
  return m.month == 12 ? Month{m.year + 1, 1} : Month{m.year, m.month + 1};
}
Month PreviousMonth(Month m) {
  return m.month == 1 ? Month{m.year - 1, 12} : Month{m.year, m.month - 1};
}

calendar::Date FirstDay(Month m) {
  return std::chrono::year{m.year} / std::chrono::month{m.month} / std::chrono::day{1};
}

Instant MonthStart(Month m) {
  return calendar::LocalToInstant(calendar::Zone::NewYork(), FirstDay(m), Micros{0});
}
Instant MonthEnd(Month m) {
  return MonthStart(NextMonth(m));
}

Month MonthOf(Instant t) {
  std::chrono::year_month_day ymd{calendar::InstantToLocal(calendar::Zone::NewYork(), t).date};
  return Month{static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month())};
}

std::string_view SectionName(Section s) {
  return kSectionNames[static_cast<size_t>(s)];
}

Result<Section> ParseSection(std::string_view text) {
  for (size_t i = 0; i < kSectionNames.size(); ++i) {
    if (kSectionNames[i] == text) return static_cast<Section>(i);
  }
  return Error::Invalid("invalid_value", "unknown statement section", "section");
}

std::optional<AggregateDelta> DeltaOf(const Posting& posting, const OrgAccounts& accounts) {
  AggregateDelta d;
  d.currency = std::string(accounts.currency.code());
  const std::string* volume_account = &accounts.org;
  switch (posting.kind) {
    case PostingKind::kPayin:
      d.section = Section::kPayin;
      break;
    case PostingKind::kPayout:
    case PostingKind::kOrgPayout:
      d.section = Section::kPayout;
      volume_account = &accounts.payout_clearing;
      break;
    case PostingKind::kRefund:
      d.section = Section::kRefund;
      break;
    case PostingKind::kReturn:
      d.section = Section::kReturn;
      break;
    case PostingKind::kDeposit:
      return std::nullopt;
  }
  for (const LedgerEntry& e : posting.entries) {
    if (e.currency != accounts.currency) continue;
    const int64_t magnitude = e.amount_minor < 0 ? -e.amount_minor : e.amount_minor;
    if (e.account_id == *volume_account) d.volume += magnitude;
    if (e.account_id == accounts.fee_income) d.fee += magnitude;
  }
  return d;
}

Result<std::vector<PlanCharge>> SupportPlanCharges(std::string_view hypercare_plan,
                                                   std::string_view bau_plan,
                                                   std::string_view go_live_date, Month month) {
  PAYOPS_ASSIGN_OR_RETURN(desk::HypercareInfo info,
                          desk::MakeHypercareInfo(hypercare_plan, go_live_date));
  PAYOPS_ASSIGN_OR_RETURN(desk::HypercarePlan bau, desk::ParseHypercarePlan(bau_plan));
  std::vector<PlanCharge> out;
  const std::string go_live(go_live_date);
  std::chrono::year_month_day live{info.go_live_date};
  Month live_month{static_cast<int>(live.year()), static_cast<unsigned>(live.month())};
  if (live_month == month && info.plan != desk::HypercarePlan::kStandard) {
    const bool pro = info.plan == desk::HypercarePlan::kPro;
    out.push_back(PlanCharge{pro ? "hypercare_pro" : "hypercare_plus",
                             std::string(pro ? "Hypercare Pro (4 weeks from go-live "
                                             : "Hypercare Plus (2 weeks from go-live ") +
                                 go_live + ")",
                             "USD", pro ? kProChargeMinor : kPlusChargeMinor});
  }
  const calendar::Date hypercare_end =
      info.go_live_date + std::chrono::days{7 * desk::HypercareWeeks(info.plan)};
  if (bau != desk::HypercarePlan::kStandard && FirstDay(month) >= hypercare_end) {
    const bool pro = bau == desk::HypercarePlan::kPro;
    out.push_back(PlanCharge{
        pro ? "bau_pro" : "bau_plus",
        std::string(pro ? "BAU Pro support, " : "BAU Plus support, ") + FormatMonth(month), "USD",
        pro ? kProChargeMinor : kPlusChargeMinor});
  }
  return out;
}

Result<std::vector<Line>> BuildLines(std::span<const Aggregate> aggregates,
                                     std::span<const PlanCharge> charges,
                                     std::span<const Correction> corrections) {
  std::vector<Aggregate> rows(aggregates.begin(), aggregates.end());
  std::sort(rows.begin(), rows.end(), [](const Aggregate& a, const Aggregate& b) {
    return std::tie(a.section, a.currency, a.corridor, a.fee) <
           std::tie(b.section, b.currency, b.corridor, b.fee);
  });
  std::vector<Line> out;
  for (const Aggregate& a : rows) {
    if (a.count == 0) continue;
    Line l;
    l.section = a.section;
    l.currency = a.currency;
    l.corridor = a.corridor;
    l.count = a.count;
    l.volume = a.volume;
    l.fee = a.fee;
    // fee_total is count × fee by construction (every posting of the row has
    // the row's fee); the product is checked against the sum kept.
    int64_t product = 0;
    if (__builtin_mul_overflow(a.count, a.fee, &product)) return Overflow();
    if (product != a.fee_total) {
      return Error::Internal("aggregate fee total differs from count x fee for " + a.currency +
                             " " + a.corridor);
    }
    l.fee_total = a.fee_total;
    const bool reversal = a.section == Section::kRefund || a.section == Section::kReturn;
    l.amount = reversal ? -a.fee_total : a.fee_total;
    std::string what = a.section == Section::kPayin    ? "Payins"
                       : a.section == Section::kPayout ? "Payouts"
                       : a.section == Section::kRefund ? "Refunds (payin fee given back)"
                                                       : "Returns (payin fee given back)";
    l.description = what + " " + a.currency + " " + a.corridor;
    out.push_back(std::move(l));
  }
  for (const PlanCharge& c : charges) {
    Line l;
    l.section = Section::kPlanCharge;
    l.currency = c.currency;
    l.amount = c.amount;
    l.description = c.description;
    out.push_back(std::move(l));
  }
  for (const Correction& c : corrections) {
    Line l;
    l.section = Section::kCorrection;
    l.currency = c.currency;
    l.amount = c.amount;
    std::string about;
    if (!c.ticket_number.empty()) about += "ticket #" + c.ticket_number;
    if (!c.statement_month.empty()) {
      about += std::string(about.empty() ? "" : ", ") + "statement " + c.statement_month;
    }
    l.description = "Correction" + (about.empty() ? "" : " (" + about + ")") + ": " + c.reason;
    out.push_back(std::move(l));
  }
  for (size_t i = 0; i < out.size(); ++i) out[i].seq = static_cast<int64_t>(i + 1);
  return out;
}

Result<std::vector<Totals>> ComputeTotals(std::span<const Line> lines) {
  std::map<std::string, Totals> by;
  auto add = [](int64_t& to, int64_t v) -> Status {
    if (__builtin_add_overflow(to, v, &to)) return Overflow();
    return Status::Ok();
  };
  for (const Line& l : lines) {
    Totals& t = by[l.currency];
    t.currency = l.currency;
    switch (l.section) {
      case Section::kPayin:
        PAYOPS_TRY(add(t.payin_count, l.count));
        PAYOPS_TRY(add(t.payin_volume, l.volume));
        PAYOPS_TRY(add(t.fees, l.amount));
        break;
      case Section::kPayout:
        PAYOPS_TRY(add(t.payout_count, l.count));
        PAYOPS_TRY(add(t.payout_volume, l.volume));
        PAYOPS_TRY(add(t.fees, l.amount));
        break;
      case Section::kRefund:
        PAYOPS_TRY(add(t.refund_count, l.count));
        PAYOPS_TRY(add(t.refund_volume, l.volume));
        PAYOPS_TRY(add(t.fees, l.amount));
        break;
      case Section::kReturn:
        PAYOPS_TRY(add(t.return_count, l.count));
        PAYOPS_TRY(add(t.return_volume, l.volume));
        PAYOPS_TRY(add(t.fees, l.amount));
        break;
      case Section::kPlanCharge:
        PAYOPS_TRY(add(t.plan_charges, l.amount));
        break;
      case Section::kCorrection:
        PAYOPS_TRY(add(t.corrections, l.amount));
        break;
    }
    PAYOPS_TRY(add(t.total_due, l.amount));
  }
  std::vector<Totals> out;
  for (auto& [_, t] : by) out.push_back(std::move(t));
  return out;
}

std::string RenderCsv(const Header& h, std::span<const Line> lines,
                      std::span<const Totals> totals) {
  std::string out =
      "statement_id,org_id,month,line_id,section,currency,corridor,count,volume,fee,fee_total,"
      "amount,description\r\n";
  auto row = [&](std::initializer_list<std::string> fields) {
    bool first = true;
    for (const std::string& f : fields) {
      if (!first) out += ',';
      out += CsvField(f);
      first = false;
    }
    out += "\r\n";
  };
  for (const Line& l : lines) {
    row({h.id, h.org_id, h.month, l.id, std::string(SectionName(l.section)), l.currency, l.corridor,
         std::to_string(l.count), std::to_string(l.volume), std::to_string(l.fee),
         std::to_string(l.fee_total), std::to_string(l.amount), Defused(l.description)});
  }
  for (const Totals& t : totals) {
    row({h.id, h.org_id, h.month, "", "total", t.currency, "", "", "", "", std::to_string(t.fees),
         std::to_string(t.total_due),
         "fees " + std::to_string(t.fees) + ", plan charges " + std::to_string(t.plan_charges) +
             ", corrections " + std::to_string(t.corrections)});
  }
  return out;
}

}  // namespace payops::statement
