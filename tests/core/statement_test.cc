#include "payops/core/statement.h"

#include <gtest/gtest.h>

#include "payops/core/mime.h"

namespace payops::statement {
namespace {

TEST(StatementMonth, ParsesOnlyYyyyMm) {
  EXPECT_EQ(FormatMonth(ParseMonth("2026-03").value()), "2026-03");
  for (const char* bad : {"", "2026-3", "2026-00", "2026-13", "202603", "2026/03", "abcd-ef",
                          "1999-12", "2026-03-01", " 2026-03"}) {
    auto m = ParseMonth(bad);
    ASSERT_FALSE(m.ok()) << bad;
    EXPECT_EQ(m.error().code, "invalid_month");
    EXPECT_EQ(m.error().field, "month");
  }
}

TEST(StatementMonth, NewYorkBoundariesWithDaylightSaving) {
  Month jan = ParseMonth("2026-01").value();
  EXPECT_EQ(FormatRfc3339(MonthStart(jan)), "2026-01-01T05:00:00Z");
  EXPECT_EQ(FormatRfc3339(MonthEnd(jan)), "2026-02-01T05:00:00Z");
  Month apr = ParseMonth("2026-04").value();
  EXPECT_EQ(FormatRfc3339(MonthStart(apr)), "2026-04-01T04:00:00Z");  // EDT
  EXPECT_EQ(FormatMonth(NextMonth(ParseMonth("2026-12").value())), "2027-01");
  EXPECT_EQ(FormatMonth(PreviousMonth(jan)), "2025-12");
  // 03:59Z on April 1st is still March 31st in New York.
  EXPECT_EQ(FormatMonth(MonthOf(*ParseRfc3339("2026-04-01T03:59:59Z"))), "2026-03");
  EXPECT_EQ(FormatMonth(MonthOf(*ParseRfc3339("2026-04-01T04:00:00Z"))), "2026-04");
}

struct ChargeCase {
  const char* hypercare;
  const char* bau;
  const char* go_live;
  const char* month;
  std::vector<std::pair<std::string, int64_t>> charges;
};

class PlanCharges : public ::testing::TestWithParam<ChargeCase> {};

TEST_P(PlanCharges, FollowTheDecidedRules) {
  const ChargeCase& c = GetParam();
  auto got = SupportPlanCharges(c.hypercare, c.bau, c.go_live, ParseMonth(c.month).value());
  ASSERT_TRUE(got.ok()) << got.error().message;
  std::vector<std::pair<std::string, int64_t>> codes;
  for (const auto& p : *got) codes.emplace_back(p.code, p.amount);
  EXPECT_EQ(codes, c.charges);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, PlanCharges,
    ::testing::Values(
        // Hypercare once, in the go-live month.
        ChargeCase{"plus", "standard", "2026-01-20", "2026-01", {{"hypercare_plus", 100'000}}},
        ChargeCase{"pro", "standard", "2026-01-20", "2026-01", {{"hypercare_pro", 250'000}}},
        ChargeCase{"pro", "standard", "2026-01-20", "2026-02", {}},
        ChargeCase{"standard", "standard", "2026-01-20", "2026-01", {}},
        // Pro hypercare to 2026-02-17: February is partial, March the first full month.
        ChargeCase{"pro", "pro", "2026-01-20", "2026-02", {}},
        ChargeCase{"pro", "pro", "2026-01-20", "2026-03", {{"bau_pro", 250'000}}},
        ChargeCase{"pro", "plus", "2026-01-20", "2027-07", {{"bau_plus", 100'000}}},
        // Hypercare ending on the 1st: that month is full.
        ChargeCase{"plus", "plus", "2026-02-15", "2026-03", {{"bau_plus", 100'000}}},
        // Going live on the 1st with standard hypercare: BAU from the next month.
        ChargeCase{"standard", "pro", "2026-03-01", "2026-03", {}},
        ChargeCase{"standard", "pro", "2026-03-01", "2026-04", {{"bau_pro", 250'000}}},
        // Before go-live nothing.
        ChargeCase{"plus", "plus", "2026-06-10", "2026-05", {}}));

TEST(StatementLines, DeltaOfPostingsAndFeeTotals) {
  Currency usd = Currency::Parse("USD").value();
  OrgAccounts acc = OrgAccounts::For("org_1", usd);
  Fee in{"payin", "USD", "US-MX", 150}, out{"payout", "USD", "US-MX", 275};
  std::vector<Fee> fees{in, out};
  auto p = BuildProcessedPostings(acc, fees, TransactionAmount{"t1", 10'000, "US-MX"}).value();
  auto d = DeltaOf(p.payin, acc).value();
  EXPECT_EQ(d.section, Section::kPayin);
  EXPECT_EQ(d.volume, 10'000);
  EXPECT_EQ(d.fee, 150);
  d = DeltaOf(p.payout, acc).value();
  EXPECT_EQ(d.section, Section::kPayout);
  EXPECT_EQ(d.volume, 10'000);
  EXPECT_EQ(d.fee, 275);
  d = DeltaOf(BuildReversal(p.payin, PostingKind::kReturn).value(), acc).value();
  EXPECT_EQ(d.section, Section::kReturn);
  EXPECT_EQ(d.volume, 10'000);
  EXPECT_EQ(d.fee, 150);
  EXPECT_FALSE(DeltaOf(BuildDeposit(acc, "d1", 5).value(), acc).has_value());

  std::vector<Aggregate> aggs{{Section::kPayout, "USD", "US-MX", 275, 2, 20'000, 550},
                              {Section::kPayin, "USD", "US-MX", 150, 2, 20'000, 300},
                              {Section::kReturn, "USD", "US-MX", 150, 1, 10'000, 150}};
  std::vector<PlanCharge> charges{{"bau_plus", "BAU Plus", "USD", 100'000}};
  std::vector<Correction> corrections{{"c1", "USD", -25, "=overcharge", "1001", "2026-01", ""}};
  auto lines = BuildLines(aggs, charges, corrections).value();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].section, Section::kPayin);
  EXPECT_EQ(lines[1].section, Section::kPayout);
  EXPECT_EQ(lines[2].amount, -150);
  EXPECT_EQ(lines[4].seq, 5);
  auto totals = ComputeTotals(lines).value();
  ASSERT_EQ(totals.size(), 1u);
  EXPECT_EQ(totals[0].fees, 300 + 550 - 150);
  EXPECT_EQ(totals[0].total_due, 700 + 100'000 - 25);
  // An aggregate whose fee total is not count × fee is a bug, not a figure.
  aggs[0].fee_total = 551;
  EXPECT_FALSE(BuildLines(aggs, charges, corrections).ok());
  std::string csv = RenderCsv(Header{"stm_1", "org_1", "Acme", "2026-01", {}}, lines, totals);
  EXPECT_NE(csv.find("\r\nstm_1,org_1,2026-01,,payin,USD,US-MX,2,20000,150,300,300,"),
            std::string::npos)
      << csv;
  // A text field that a spreadsheet would run as a formula is defused.
  EXPECT_NE(csv.find("Correction (ticket #1001, statement 2026-01): =overcharge"),
            std::string::npos);
  EXPECT_NE(csv.find(",total,USD,,,,,700,100675,"), std::string::npos) << csv;
}

TEST(StatementMail, TheCsvTravelsAsAnAttachment) {
  mail::MimeMail m;
  m.from = {"payops", "support@payops.local"};
  m.to = {{"", "billing@acme.example"}};
  m.subject = "Your payops statement for 2026-01";
  m.message_id = "<msg_1@payops.local>";
  m.date = *ParseRfc3339("2026-02-01T05:00:00Z");
  m.text = "Hello";
  m.html = "<p>Hello</p>";
  m.boundary_seed = "msg_1";
  m.attachments.push_back({"statement-2026-01.csv", "text/csv", "a,b\r\n1,2\r\n"});
  auto out = mail::BuildMime(m);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_NE(out->find("Content-Type: multipart/mixed; boundary=\"=_payops_mixed_msg_1\""),
            std::string::npos);
  EXPECT_NE(out->find("Content-Type: multipart/alternative; boundary=\"=_payops_alt_msg_1\""),
            std::string::npos);
  EXPECT_NE(out->find("Content-Disposition: attachment; filename=\"statement-2026-01.csv\""),
            std::string::npos);
  EXPECT_NE(out->find(mail::Base64Lines("a,b\r\n1,2\r\n")), std::string::npos);
  EXPECT_NE(out->find("--=_payops_mixed_msg_1--\r\n"), std::string::npos);
  // A name or type that could break out of its header is refused.
  for (const char* bad : {"a\"b.csv", "x\r\nBcc: e@x", ".hidden", ""}) {
    m.attachments = {{bad, "text/csv", "x"}};
    EXPECT_FALSE(mail::BuildMime(m).ok()) << bad;
  }
  m.attachments = {{"ok.csv", "text/csv; x=1", "x"}};
  EXPECT_FALSE(mail::BuildMime(m).ok());
}

}  // namespace
}  // namespace payops::statement
