// Tests of the NACHA module: field formatting, record layouts pinned column by
// column, entry hash, blocking, round trips, returns, and one case per class of
// malformed input (code, 1-based line and field) and of model the writer rejects.
#include "payops/core/nacha.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace payops::nacha {
namespace {

// ---- Helpers ----

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) {
    out += l;
    out += '\n';
  }
  return out;
}

// Columns [col, col + len) of a line, 1-based as in the NACHA layouts.
std::string Cols(const std::string& line, int col, int len) {
  return line.substr(static_cast<size_t>(col - 1), static_cast<size_t>(len));
}

// Overwrites columns starting at `col` (1-based) of line `n` (1-based).
void SetCols(std::vector<std::string>& lines, int n, int col, std::string_view text) {
  lines[static_cast<size_t>(n - 1)].replace(static_cast<size_t>(col - 1), text.size(), text);
}

template <class T>
void ExpectError(const Result<T>& r, std::string_view code, int64_t line, std::string_view field) {
  ASSERT_FALSE(r.ok()) << "expected error " << code;
  const Error& e = r.error();
  EXPECT_EQ(e.kind, ErrorKind::kInvalid);
  EXPECT_EQ(e.code, code) << e.message;
  EXPECT_EQ(e.field, field) << e.message;
  const std::string prefix = "line " + std::to_string(line) + ": ";
  EXPECT_EQ(e.message.substr(0, prefix.size()), prefix) << e.message;
}

std::string Trace(int64_t seq, std::string_view odfi = "02100002") {
  std::string s = std::to_string(seq);
  return std::string(odfi) + std::string(7 - s.size(), '0') + s;
}

Entry MakeEntry(TransactionCode tc, std::string routing, int64_t amount, int64_t seq,
                std::string_view odfi = "02100002") {
  Entry e;
  e.transaction_code = tc;
  e.rdfi_routing_number = std::move(routing);
  e.dfi_account_number = "ACCT" + std::to_string(seq);
  e.amount_minor = amount;
  e.individual_id_number = "CUST" + std::to_string(seq);
  e.individual_name = "CUSTOMER " + std::to_string(seq);
  e.trace_number = Trace(seq, odfi);
  return e;
}

FileHeader MakeHeader() {
  FileHeader h;
  h.immediate_destination = "091000019";
  h.immediate_origin = "021000021";
  h.file_creation_date = "260309";
  h.file_creation_time = "0700";
  h.file_id_modifier = 'A';
  h.immediate_destination_name = "WELLS FARGO BANK";
  h.immediate_origin_name = "PAYOPS INC";
  h.reference_code = "REF00001";
  return h;
}

Batch MakeBatch(ServiceClass sc, SecCode sec, int32_t number) {
  Batch b;
  b.service_class = sc;
  b.company_name = "PAYOPS INC";
  b.company_identification = "1234567890";
  b.sec_code = sec;
  b.company_entry_description = "PURCHASE";
  b.effective_entry_date = "260310";
  b.odfi_identification = "02100002";
  b.batch_number = number;
  return b;
}

// The file the golden-line tests pin: one WEB debit.
File GoldenFile() {
  File f;
  f.header = MakeHeader();
  Batch b = MakeBatch(ServiceClass::kDebitsOnly, SecCode::kWeb, 1);
  Entry e;
  e.transaction_code = TransactionCode::kCheckingDebit;
  e.rdfi_routing_number = "011000015";
  e.dfi_account_number = "12345678901234567";
  e.amount_minor = 12345;
  e.individual_id_number = "CUST0001";
  e.individual_name = "JANE Q CUSTOMER";
  e.discretionary_data = "S";
  e.trace_number = "021000020000001";
  b.entries.push_back(e);
  f.batches.push_back(b);
  return f;
}

// The file the malformed-input tests mutate. Its lines:
//  1 file header
//  2 batch header 1 (200, PPD)
//  3 entry 22 credit 1000 (RDFI 01100001)
//  4 entry 27 debit 2500 with addenda (RDFI 02100002)
//  5 addenda 05
//  6 entry 27 debit 700 (RDFI 09100001)
//  7 batch control 1
//  8 batch header 2 (220, CCD)
//  9 entry 32 credit 5000 (RDFI 01100001)
// 10 batch control 2
// 11 file control
// 12-20 padding
File BaseFile() {
  File f;
  f.header = MakeHeader();
  Batch b1 = MakeBatch(ServiceClass::kMixed, SecCode::kPpd, 1);
  b1.entries.push_back(MakeEntry(TransactionCode::kCheckingCredit, "011000015", 1000, 1));
  Entry e2 = MakeEntry(TransactionCode::kCheckingDebit, "021000021", 2500, 2);
  e2.addenda = PaymentAddenda{"INVOICE 42"};
  b1.entries.push_back(e2);
  b1.entries.push_back(MakeEntry(TransactionCode::kCheckingDebit, "091000019", 700, 3));
  Batch b2 = MakeBatch(ServiceClass::kCreditsOnly, SecCode::kCcd, 2);
  b2.entries.push_back(MakeEntry(TransactionCode::kSavingsCredit, "011000015", 5000, 4));
  f.batches = {b1, b2};
  return f;
}

std::vector<std::string> BaseLines() {
  Result<std::string> text = Write(BaseFile());
  EXPECT_TRUE(text.ok()) << text.error().message;
  std::vector<std::string> lines = Lines(*text);
  EXPECT_EQ(lines.size(), 20u);
  return lines;
}

// ---- Routing numbers ----

TEST(NachaRoutingTest, CheckDigit) {
  struct Case {
    std::string_view routing;
    bool valid;
  };
  const Case cases[] = {
      {"011000015", true},  {"021000021", true},  {"026009593", true},  {"121000248", true},
      {"091000019", true},  {"111000025", true},  {"999999992", true},  {"000000000", true},
      {"011000016", false}, {"021000022", false}, {"12100024", false},  {"1210002480", false},
      {"", false},          {"01100001A", false}, {"0110 0015", false}, {"-11000015", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(IsValidRoutingNumber(c.routing), c.valid) << c.routing;
  }
  EXPECT_EQ(RoutingCheckDigit("01100001"), 5);
  EXPECT_EQ(RoutingCheckDigit("12100024"), 8);
  EXPECT_EQ(RoutingCheckDigit("99999999"), 2);
  EXPECT_EQ(RoutingCheckDigit("1210002"), -1);
  EXPECT_EQ(RoutingCheckDigit("1210002X"), -1);
}

// ---- Field formatting ----

TEST(NachaFormatTest, Alphanumeric) {
  struct Case {
    std::string_view value;
    size_t width;
    bool ok;
    std::string_view out;
  };
  const Case cases[] = {
      {"ABC", 5, true, "ABC  "},     {"abc def", 8, true, "ABC DEF "},
      {"", 3, true, "   "},          {"EXACT", 5, true, "EXACT"},
      {" LEAD", 6, true, " LEAD "},  {"a-z!@#~", 7, true, "A-Z!@#~"},
      {"TOOLONG", 6, false, ""},     {"TAB\tX", 6, false, ""},
      {"NL\n", 4, false, ""},        {"DEL\x7f", 5, false, ""},
      {"CAF\xC3\xA9", 6, false, ""}, {std::string_view("NUL\0", 4), 5, false, ""},
  };
  for (const Case& c : cases) {
    std::string out(c.width, '#');
    EXPECT_EQ(FormatAlphanumeric(c.value, out.data(), c.width), c.ok) << c.value;
    if (c.ok) {
      EXPECT_EQ(out, c.out) << c.value;
    }
  }
}

TEST(NachaFormatTest, Numeric) {
  struct Case {
    uint64_t value;
    size_t width;
    bool ok;
    std::string_view out;
  };
  const Case cases[] = {
      {42, 5, true, "00042"},
      {0, 3, true, "000"},
      {99999, 5, true, "99999"},
      {100000, 5, false, ""},
      {9'999'999'999, 10, true, "9999999999"},
      {10'000'000'000, 10, false, ""},
      {999'999'999'999, 12, true, "999999999999"},
      {1, 1, true, "1"},
  };
  for (const Case& c : cases) {
    std::string out(c.width, '#');
    EXPECT_EQ(FormatNumeric(c.value, out.data(), c.width), c.ok) << c.value;
    if (c.ok) {
      EXPECT_EQ(out, c.out) << c.value;
    }
  }
}

// ---- Record layouts ----

TEST(NachaLayoutTest, GoldenLines) {
  Result<std::string> text = Write(GoldenFile());
  ASSERT_TRUE(text.ok()) << text.error().message;
  const std::vector<std::string> lines = Lines(*text);
  ASSERT_EQ(lines.size(), 10u);
  // Built column by column from the NACHA record layouts.
  EXPECT_EQ(lines[0],
            "101 091000019 0210000212603090700A094101WELLS FARGO BANK       PAYOPS INC       "
            "      REF00001");
  EXPECT_EQ(lines[1],
            "5225PAYOPS INC                          1234567890WEBPURCHASE        260310   1021"
            "000020000001");
  EXPECT_EQ(lines[2],
            "627011000015123456789012345670000012345CUST0001       JANE Q CUSTOMER       S 0021"
            "000020000001");
  EXPECT_EQ(lines[3],
            "822500000100011000010000000123450000000000001234567890                         021"
            "000020000001");
  EXPECT_EQ(lines[4],
            "9000001000001000000010001100001000000012345000000000000                            "
            "           ");
  for (size_t i = 5; i < 10; ++i) EXPECT_EQ(lines[i], std::string(94, '9'));
  for (const std::string& l : lines) EXPECT_EQ(l.size(), 94u);
  EXPECT_EQ(text->size(), 10u * 95u);
  EXPECT_EQ(text->back(), '\n');
}

TEST(NachaLayoutTest, ColumnPositions) {
  File f = GoldenFile();
  f.batches[0].service_class = ServiceClass::kMixed;
  Entry& e = f.batches[0].entries[0];
  e.addenda = PaymentAddenda{"INVOICE 42"};
  Entry r = e;
  r.transaction_code = TransactionCode::kCheckingCreditReturn;
  r.trace_number = "021000020000002";
  r.addenda.reset();
  r.return_addenda = ReturnAddenda{"R01", "021000020000001", "260301", "01100001", "NSF"};
  f.batches[0].entries.push_back(r);
  f.batches[0].settlement_date = "069";
  f.batches[0].company_discretionary_data = "DISCRETIONARY";
  f.batches[0].company_descriptive_date = "MAR 09";
  Result<std::string> text = Write(f);
  ASSERT_TRUE(text.ok()) << text.error().message;
  const std::vector<std::string> l = Lines(*text);
  const std::string s70(70, ' '), s19(19, ' '), s39(39, ' ');
  const std::string nsf = "NSF" + std::string(41, ' ');
  struct Pin {
    int line;  // 1-based
    int col;   // 1-based, as in the NACHA layouts
    int len;
    std::string_view want;
  };
  const Pin pins[] = {
      // File header.
      {1, 1, 1, "1"},
      {1, 2, 2, "01"},
      {1, 4, 10, " 091000019"},
      {1, 14, 10, " 021000021"},
      {1, 24, 6, "260309"},
      {1, 30, 4, "0700"},
      {1, 34, 1, "A"},
      {1, 35, 3, "094"},
      {1, 38, 2, "10"},
      {1, 40, 1, "1"},
      {1, 41, 23, "WELLS FARGO BANK       "},
      {1, 64, 23, "PAYOPS INC             "},
      {1, 87, 8, "REF00001"},
      // Batch header.
      {2, 1, 1, "5"},
      {2, 2, 3, "200"},
      {2, 5, 16, "PAYOPS INC      "},
      {2, 21, 20, "DISCRETIONARY       "},
      {2, 41, 10, "1234567890"},
      {2, 51, 3, "WEB"},
      {2, 54, 10, "PURCHASE  "},
      {2, 64, 6, "MAR 09"},
      {2, 70, 6, "260310"},
      {2, 76, 3, "069"},
      {2, 79, 1, "1"},
      {2, 80, 8, "02100002"},
      {2, 88, 7, "0000001"},
      // Entry detail.
      {3, 1, 1, "6"},
      {3, 2, 2, "27"},
      {3, 4, 8, "01100001"},
      {3, 12, 1, "5"},
      {3, 13, 17, "12345678901234567"},
      {3, 30, 10, "0000012345"},
      {3, 40, 15, "CUST0001       "},
      {3, 55, 22, "JANE Q CUSTOMER       "},
      {3, 77, 2, "S "},
      {3, 79, 1, "1"},
      {3, 80, 15, "021000020000001"},
      // Addenda 05.
      {4, 1, 1, "7"},
      {4, 2, 2, "05"},
      {4, 4, 10, "INVOICE 42"},
      {4, 14, 70, s70},
      {4, 84, 4, "0001"},
      {4, 88, 7, "0000001"},
      // Return entry and addenda 99.
      {5, 2, 2, "21"},
      {5, 79, 1, "1"},
      {5, 80, 15, "021000020000002"},
      {6, 1, 1, "7"},
      {6, 2, 2, "99"},
      {6, 4, 3, "R01"},
      {6, 7, 15, "021000020000001"},
      {6, 22, 6, "260301"},
      {6, 28, 8, "01100001"},
      {6, 36, 44, nsf},
      {6, 80, 15, "021000020000002"},
      // Batch control: 4 records, hash 2 × 01100001, debit 12345, credit 12345.
      {7, 1, 1, "8"},
      {7, 2, 3, "200"},
      {7, 5, 6, "000004"},
      {7, 11, 10, "0002200002"},
      {7, 21, 12, "000000012345"},
      {7, 33, 12, "000000012345"},
      {7, 45, 10, "1234567890"},
      {7, 55, 19, s19},
      {7, 74, 6, "      "},
      {7, 80, 8, "02100002"},
      {7, 88, 7, "0000001"},
      // File control.
      {8, 1, 1, "9"},
      {8, 2, 6, "000001"},
      {8, 8, 6, "000001"},
      {8, 14, 8, "00000004"},
      {8, 22, 10, "0002200002"},
      {8, 32, 12, "000000012345"},
      {8, 44, 12, "000000012345"},
      {8, 56, 39, s39},
  };
  for (const Pin& p : pins) {
    ASSERT_LE(static_cast<size_t>(p.line), l.size());
    EXPECT_EQ(Cols(l[static_cast<size_t>(p.line - 1)], p.col, p.len), p.want)
        << "line " << p.line << " col " << p.col;
  }
}

TEST(NachaLayoutTest, NineDigitOriginGetsLeadingBlankTenDigitsDoNot) {
  File f = GoldenFile();
  f.header.immediate_origin = "1234567890";
  f.header.file_creation_time = "";
  Result<std::string> text = Write(f);
  ASSERT_TRUE(text.ok()) << text.error().message;
  const std::string line = Lines(*text)[0];
  EXPECT_EQ(Cols(line, 14, 10), "1234567890");
  EXPECT_EQ(Cols(line, 30, 4), "    ");
  Result<File> back = Parse(*text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->header, f.header);
}

TEST(NachaLayoutTest, LowercaseIsUppercased) {
  File f = GoldenFile();
  f.batches[0].entries[0].individual_name = "jane q customer";
  f.batches[0].company_name = "PayOps Inc";
  Result<std::string> text = Write(f);
  ASSERT_TRUE(text.ok()) << text.error().message;
  const std::vector<std::string> l = Lines(*text);
  EXPECT_EQ(Cols(l[2], 55, 22), "JANE Q CUSTOMER       ");
  EXPECT_EQ(Cols(l[1], 5, 16), "PAYOPS INC      ");
}

// ---- Entry hash ----

TEST(NachaHashTest, KeepsTheRightmostTenDigits) {
  // 200 × 99999999 = 19,999,999,800: the control keeps 9999999800.
  File f;
  f.header = MakeHeader();
  Batch b = MakeBatch(ServiceClass::kCreditsOnly, SecCode::kPpd, 1);
  for (int i = 1; i <= 200; ++i) {
    b.entries.push_back(MakeEntry(TransactionCode::kCheckingCredit, "999999992", 1, i));
  }
  f.batches.push_back(b);
  Result<std::string> text = Write(f);
  ASSERT_TRUE(text.ok()) << text.error().message;
  std::vector<std::string> l = Lines(*text);
  EXPECT_EQ(Cols(l[202], 1, 1), "8");
  EXPECT_EQ(Cols(l[202], 11, 10), "9999999800");
  EXPECT_EQ(Cols(l[203], 1, 1), "9");
  EXPECT_EQ(Cols(l[203], 22, 10), "9999999800");
  Result<File> back = Parse(*text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, f);

  // Two batches of 150: each control has 4999999850, the file 9999999700.
  f.batches.clear();
  Batch b1 = MakeBatch(ServiceClass::kCreditsOnly, SecCode::kPpd, 1);
  Batch b2 = MakeBatch(ServiceClass::kCreditsOnly, SecCode::kPpd, 2);
  for (int i = 1; i <= 150; ++i) {
    b1.entries.push_back(MakeEntry(TransactionCode::kCheckingCredit, "999999992", 1, i));
    b2.entries.push_back(MakeEntry(TransactionCode::kCheckingCredit, "999999992", 1, i));
  }
  f.batches = {b1, b2};
  text = Write(f);
  ASSERT_TRUE(text.ok()) << text.error().message;
  l = Lines(*text);
  EXPECT_EQ(Cols(l[152], 11, 10), "4999999850");
  EXPECT_EQ(Cols(l[304], 11, 10), "4999999850");
  EXPECT_EQ(Cols(l[305], 1, 1), "9");
  EXPECT_EQ(Cols(l[305], 22, 10), "9999999700");
  back = Parse(*text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, f);
}

// ---- Blocking ----

TEST(NachaBlockingTest, PadsToMultiplesOfTen) {
  struct Case {
    int entries;
    int records;  // 2 + 2 + entries
    int lines;
    int blocks;
  };
  const Case cases[] = {
      {5, 9, 10, 1}, {6, 10, 10, 1}, {7, 11, 20, 2}, {16, 20, 20, 2}, {17, 21, 30, 3}};
  for (const Case& c : cases) {
    File f;
    f.header = MakeHeader();
    Batch b = MakeBatch(ServiceClass::kMixed, SecCode::kPpd, 1);
    for (int i = 1; i <= c.entries; ++i) {
      b.entries.push_back(MakeEntry(TransactionCode::kCheckingCredit, "011000015", 100, i));
    }
    f.batches.push_back(b);
    Result<std::string> text = Write(f);
    ASSERT_TRUE(text.ok()) << text.error().message;
    const std::vector<std::string> l = Lines(*text);
    ASSERT_EQ(static_cast<int>(l.size()), c.lines) << c.records;
    EXPECT_EQ(text->size(), static_cast<size_t>(c.lines) * 95u);
    EXPECT_EQ(Cols(l[static_cast<size_t>(c.records - 1)], 1, 1), "9");
    EXPECT_EQ(Cols(l[static_cast<size_t>(c.records - 1)], 8, 6),
              std::string(5, '0') + std::to_string(c.blocks));
    for (int i = c.records; i < c.lines; ++i) {
      EXPECT_EQ(l[static_cast<size_t>(i)], std::string(94, '9')) << c.records << " " << i;
    }
    Result<File> back = Parse(*text);
    ASSERT_TRUE(back.ok()) << back.error().message;
    EXPECT_EQ(*back, f);
  }
}

// ---- Round trip ----

File RichFile() {
  File f;
  f.header = MakeHeader();
  f.header.immediate_origin = "1234567890";
  f.header.file_id_modifier = '7';
  f.header.reference_code = "";
  Batch web = MakeBatch(ServiceClass::kDebitsOnly, SecCode::kWeb, 1);
  web.company_discretionary_data = "WEB DEBITS";
  web.company_descriptive_date = "260309";
  for (int i = 1; i <= 12; ++i) {
    Entry e = MakeEntry(i % 2 ? TransactionCode::kCheckingDebit : TransactionCode::kSavingsDebit,
                        i % 3 ? "026009593" : "121000248", 100 * i + 7, i * 3);
    e.discretionary_data = i % 2 ? "S" : "R";
    if (i % 4 == 0) e.addenda = PaymentAddenda{"ORDER " + std::to_string(i) + " THANK YOU!"};
    web.entries.push_back(e);
  }
  Batch ppd = MakeBatch(ServiceClass::kCreditsOnly, SecCode::kPpd, 5);
  ppd.company_entry_description = "PAYOUT";
  ppd.entries.push_back(MakeEntry(TransactionCode::kSavingsCredit, "011000015", 9'999'999'999, 1));
  ppd.entries.push_back(MakeEntry(TransactionCode::kCheckingCredit, "091000019", 0, 2));
  ppd.entries.back().individual_name = "";
  ppd.entries.back().individual_id_number = "";
  Batch ccd = MakeBatch(ServiceClass::kMixed, SecCode::kCcd, 6);
  ccd.odfi_identification = "09100001";
  ccd.settlement_date = "070";
  ccd.originator_status_code = '2';
  ccd.entries.push_back(
      MakeEntry(TransactionCode::kCheckingCredit, "021000021", 123456, 10, "09100001"));
  ccd.entries.push_back(
      MakeEntry(TransactionCode::kCheckingDebit, "021000021", 654321, 11, "09100001"));
  ccd.entries.back().addenda = PaymentAddenda{std::string(80, 'X')};
  Entry ret = MakeEntry(TransactionCode::kCheckingDebitReturn, "011000015", 2500, 12, "09100001");
  ret.return_addenda = ReturnAddenda{"R10", "021000020000099", "", "01100001", "NOT AUTHORIZED"};
  ccd.entries.push_back(ret);
  f.batches = {web, ppd, ccd};
  return f;
}

TEST(NachaRoundTripTest, WriteReadWrite) {
  const File f = RichFile();
  Result<std::string> text = Write(f);
  ASSERT_TRUE(text.ok()) << text.error().message;
  Result<File> back = Parse(*text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, f);
  Result<std::string> again = Write(*back);
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_EQ(*again, *text);
}

TEST(NachaRoundTripTest, AcceptsCrLfAndAMissingFinalNewline) {
  const File f = RichFile();
  Result<std::string> text = Write(f);
  ASSERT_TRUE(text.ok());
  std::string crlf;
  for (char c : *text) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  Result<File> back = Parse(crlf);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, f);

  std::string no_final = *text;
  no_final.pop_back();
  back = Parse(no_final);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, f);
}

TEST(NachaRoundTripTest, WriterReusesTheBuffer) {
  std::string buf = "old contents";
  ASSERT_TRUE(Write(GoldenFile(), &buf).ok());
  EXPECT_EQ(buf.size(), 950u);
  File bad = GoldenFile();
  bad.batches[0].entries[0].amount_minor = -1;
  EXPECT_FALSE(Write(bad, &buf).ok());
  EXPECT_TRUE(buf.empty());
}

// ---- Returns ----

File ReturnsFile() {
  File f;
  f.header = MakeHeader();
  f.header.immediate_destination = "021000021";
  f.header.immediate_origin = "091000019";
  // The RDFI (09100001) returns two debits and one credit of ours.
  Batch b = MakeBatch(ServiceClass::kMixed, SecCode::kWeb, 1);
  b.odfi_identification = "09100001";
  b.settlement_date = "070";
  Entry r1 = MakeEntry(TransactionCode::kCheckingDebitReturn, "021000021", 2500, 1, "09100001");
  r1.return_addenda = ReturnAddenda{"R01", "021000020000042", "", "09100001", "INSUFFICIENT"};
  Entry r2 = MakeEntry(TransactionCode::kSavingsDebitReturn, "021000021", 990, 2, "09100001");
  r2.return_addenda = ReturnAddenda{"R15", "021000020000043", "260227", "09100001", ""};
  Entry r3 = MakeEntry(TransactionCode::kCheckingCreditReturn, "021000021", 100000, 3, "09100001");
  r3.return_addenda = ReturnAddenda{"R03", "021000020000044", "", "09100001", "NO ACCOUNT"};
  b.entries = {r1, r2, r3};
  f.batches.push_back(b);
  return f;
}

TEST(NachaReturnsTest, ExtractsReturnedEntries) {
  Result<std::string> text = Write(ReturnsFile());
  ASSERT_TRUE(text.ok()) << text.error().message;
  Result<File> parsed = Parse(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, ReturnsFile());
  Result<std::vector<ReturnedEntry>> returns = ExtractReturns(*parsed);
  ASSERT_TRUE(returns.ok()) << returns.error().message;
  ASSERT_EQ(returns->size(), 3u);
  struct Want {
    std::string_view original_trace;
    std::string_view code;
    int64_t amount;
    TransactionCode tc;
    std::string_view death;
  };
  const Want want[] = {
      {"021000020000042", "R01", 2500, TransactionCode::kCheckingDebitReturn, ""},
      {"021000020000043", "R15", 990, TransactionCode::kSavingsDebitReturn, "260227"},
      {"021000020000044", "R03", 100000, TransactionCode::kCheckingCreditReturn, ""},
  };
  for (size_t i = 0; i < 3; ++i) {
    const ReturnedEntry& r = (*returns)[i];
    EXPECT_EQ(r.original_trace_number, want[i].original_trace);
    EXPECT_EQ(r.return_code, want[i].code);
    EXPECT_EQ(r.amount_minor, want[i].amount);
    EXPECT_EQ(r.transaction_code, want[i].tc);
    EXPECT_EQ(r.date_of_death, want[i].death);
    EXPECT_EQ(r.original_rdfi_identification, "09100001");
    EXPECT_EQ(r.trace_number, Trace(static_cast<int64_t>(i) + 1, "09100001"));
    EXPECT_EQ(r.company_identification, "1234567890");
    EXPECT_EQ(r.batch_number, 1);
  }
  EXPECT_EQ((*returns)[0].addenda_information, "INSUFFICIENT");
  EXPECT_EQ((*returns)[0].individual_name, "CUSTOMER 1");
  EXPECT_TRUE(IsDebit((*returns)[0].transaction_code));
  EXPECT_FALSE(IsDebit((*returns)[2].transaction_code));
}

TEST(NachaReturnsTest, ExtractRejectsAnEntryWithoutReturnAddenda) {
  Result<std::vector<ReturnedEntry>> r = ExtractReturns(BaseFile());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "nacha_not_return");
  EXPECT_EQ(r.error().field, "return_addenda");
  EXPECT_NE(r.error().message.find("batches[0].entries[0]"), std::string::npos);
}

TEST(NachaReturnsTest, RejectsMalformedReasonCodes) {
  Result<std::string> text = Write(ReturnsFile());
  ASSERT_TRUE(text.ok());
  for (std::string_view code : {"X01", "R1A", "R00", "r01", "R  "}) {
    std::vector<std::string> l = Lines(*text);
    SetCols(l, 4, 4, code);  // line 4 is the first entry's return addenda
    ExpectError(Parse(Join(l)), "nacha_field", 4, "return_reason_code");
  }
  for (std::string_view code : {"X01", "R00", "R1", "R100"}) {
    File f = ReturnsFile();
    f.batches[0].entries[1].return_addenda->return_reason_code = std::string(code);
    Result<std::string> w = Write(f);
    ASSERT_FALSE(w.ok()) << code;
    EXPECT_EQ(w.error().field, "return_reason_code");
    Result<std::vector<ReturnedEntry>> x = ExtractReturns(f);
    ASSERT_FALSE(x.ok());
    EXPECT_EQ(x.error().field, "return_reason_code");
  }
}

TEST(NachaReturnsTest, ReturnAddendaTraceMustBeTheEntrys) {
  Result<std::string> text = Write(ReturnsFile());
  ASSERT_TRUE(text.ok());
  std::vector<std::string> l = Lines(*text);
  SetCols(l, 4, 80, "091000010000009");
  ExpectError(Parse(Join(l)), "nacha_field", 4, "addenda_trace_number");
}

// ---- Malformed input: one case per class, each pinned to code, line and field ----

struct Malformed {
  const char* name;
  std::function<void(std::vector<std::string>&)> mutate;
  const char* code;
  int64_t line;
  const char* field;
};

// A test name from a case name: "short line" → "short_line".
std::string TestName(const char* name) {
  std::string out;
  for (const char* p = name; *p != '\0'; ++p) {
    const char c = *p;
    out += ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) ? c : '_';
  }
  return out;
}

const Malformed kMalformed[] = {
    {"short line", [](auto& l) { l[2].pop_back(); }, "nacha_line_length", 3, "record"},
    {"long line", [](auto& l) { l[5] += ' '; }, "nacha_line_length", 6, "record"},
    {"empty line inside", [](auto& l) { l.insert(l.begin() + 3, ""); }, "nacha_line_length", 4,
     "record"},
    {"short padding line", [](auto& l) { l[14].pop_back(); }, "nacha_line_length", 15, "record"},
    {"entry before batch header", [](auto& l) { std::swap(l[1], l[2]); }, "nacha_record_order", 2,
     "record_type"},
    {"first record not a file header", [](auto& l) { l.erase(l.begin()); }, "nacha_record_order", 1,
     "record_type"},
    {"unknown record type", [](auto& l) { l[5][0] = '3'; }, "nacha_record_order", 6, "record_type"},
    {"batch without entries", [](auto& l) { l.erase(l.begin() + 2, l.begin() + 6); },
     "nacha_record_order", 3, "record_type"},
    {"file control inside a batch", [](auto& l) { l.erase(l.begin() + 6); }, "nacha_record_order",
     7, "record_type"},
    {"addenda without indicator", [](auto& l) { SetCols(l, 4, 79, "0"); }, "nacha_record_order", 5,
     "addenda_indicator"},
    {"indicator without addenda", [](auto& l) { SetCols(l, 6, 79, "1"); }, "nacha_record_order", 7,
     "addenda_indicator"},
    {"second addenda", [](auto& l) { l.insert(l.begin() + 5, l[4]); }, "nacha_record_order", 6,
     "record_type"},
    {"non-numeric amount", [](auto& l) { SetCols(l, 3, 30, "00000010A0"); }, "nacha_field", 3,
     "amount"},
    {"blank amount", [](auto& l) { SetCols(l, 9, 30, "          "); }, "nacha_field", 9, "amount"},
    {"non-printable byte", [](auto& l) { SetCols(l, 3, 60, "\t"); }, "nacha_field", 3,
     "individual_name"},
    {"bad check digit", [](auto& l) { SetCols(l, 3, 12, "6"); }, "nacha_field", 3, "check_digit"},
    {"unknown transaction code", [](auto& l) { SetCols(l, 3, 2, "23"); }, "nacha_field", 3,
     "transaction_code"},
    {"debit in a credits-only batch", [](auto& l) { SetCols(l, 9, 2, "37"); }, "nacha_field", 9,
     "transaction_code"},
    {"trace not ascending", [](auto& l) { SetCols(l, 6, 80, "021000020000001"); }, "nacha_field", 6,
     "trace_number"},
    {"trace of another ODFI", [](auto& l) { SetCols(l, 3, 80, "091000010000001"); }, "nacha_field",
     3, "trace_number"},
    {"addenda type 98", [](auto& l) { SetCols(l, 5, 2, "98"); }, "nacha_field", 5,
     "addenda_type_code"},
    {"addenda entry sequence", [](auto& l) { SetCols(l, 5, 88, "0000009"); }, "nacha_field", 5,
     "entry_detail_sequence_number"},
    {"unknown SEC code", [](auto& l) { SetCols(l, 2, 51, "XYZ"); }, "nacha_field", 2, "sec_code"},
    {"bad effective date", [](auto& l) { SetCols(l, 8, 70, "260230"); }, "nacha_field", 8,
     "effective_entry_date"},
    {"bad service class", [](auto& l) { SetCols(l, 2, 2, "201"); }, "nacha_field", 2,
     "service_class_code"},
    {"record size", [](auto& l) { SetCols(l, 1, 35, "095"); }, "nacha_field", 1, "record_size"},
    {"destination check digit", [](auto& l) { SetCols(l, 1, 4, " 091000018"); }, "nacha_field", 1,
     "immediate_destination"},
    {"batch numbers not ascending",
     [](auto& l) {
       SetCols(l, 8, 88, "0000001");
       SetCols(l, 10, 88, "0000001");
     },
     "nacha_field", 8, "batch_number"},
    {"wrong entry count", [](auto& l) { SetCols(l, 7, 5, "000005"); }, "nacha_count_mismatch", 7,
     "entry_addenda_count"},
    {"wrong hash", [](auto& l) { SetCols(l, 7, 11, "0012300005"); }, "nacha_hash_mismatch", 7,
     "entry_hash"},
    {"wrong debit total", [](auto& l) { SetCols(l, 7, 21, "000000003201"); },
     "nacha_total_mismatch", 7, "total_debit"},
    {"wrong credit total", [](auto& l) { SetCols(l, 10, 33, "000000005001"); },
     "nacha_total_mismatch", 10, "total_credit"},
    {"non-numeric control hash", [](auto& l) { SetCols(l, 10, 11, "00011000 1"); }, "nacha_field",
     10, "entry_hash"},
    {"batch number mismatch", [](auto& l) { SetCols(l, 7, 88, "0000003"); }, "nacha_batch_mismatch",
     7, "batch_number"},
    {"company id mismatch", [](auto& l) { SetCols(l, 10, 45, "9999999999"); },
     "nacha_batch_mismatch", 10, "company_identification"},
    {"service class mismatch", [](auto& l) { SetCols(l, 10, 2, "200"); }, "nacha_batch_mismatch",
     10, "service_class_code"},
    {"file batch count", [](auto& l) { SetCols(l, 11, 2, "000003"); }, "nacha_count_mismatch", 11,
     "batch_count"},
    {"wrong block count", [](auto& l) { SetCols(l, 11, 8, "000001"); }, "nacha_count_mismatch", 11,
     "block_count"},
    {"file entry count", [](auto& l) { SetCols(l, 11, 14, "00000006"); }, "nacha_count_mismatch",
     11, "entry_addenda_count"},
    {"file hash", [](auto& l) { SetCols(l, 11, 22, "0013400006"); }, "nacha_hash_mismatch", 11,
     "entry_hash"},
    {"file debit total", [](auto& l) { SetCols(l, 11, 32, "000000000001"); },
     "nacha_total_mismatch", 11, "total_debit"},
    {"file credit total", [](auto& l) { SetCols(l, 11, 44, "000000000001"); },
     "nacha_total_mismatch", 11, "total_credit"},
    {"truncated: no file control", [](auto& l) { l.resize(10); }, "nacha_truncated", 11,
     "record_type"},
    {"truncated inside a batch", [](auto& l) { l.resize(5); }, "nacha_truncated", 6, "record_type"},
    {"truncated before an addenda", [](auto& l) { l.resize(4); }, "nacha_truncated", 5,
     "record_type"},
    {"empty file", [](auto& l) { l.clear(); }, "nacha_truncated", 1, "record_type"},
    {"bad padding character", [](auto& l) { SetCols(l, 15, 40, "8"); }, "nacha_padding", 15,
     "padding"},
    {"padding of blanks", [](auto& l) { l[19] = std::string(94, ' '); }, "nacha_padding", 20,
     "padding"},
    {"padding line missing", [](auto& l) { l.pop_back(); }, "nacha_padding", 20, "padding"},
    {"no padding at all", [](auto& l) { l.resize(11); }, "nacha_padding", 12, "padding"},
    {"extra padding block", [](auto& l) { l.insert(l.end(), 10, std::string(94, '9')); },
     "nacha_padding", 21, "padding"},
    {"blank line at the end", [](auto& l) { l.push_back(""); }, "nacha_line_length", 21, "record"},
};

void PrintTo(const Malformed& m, std::ostream* os) {
  *os << m.name;
}

class NachaMalformedTest : public testing::TestWithParam<Malformed> {};

TEST_P(NachaMalformedTest, IsReportedWithCodeLineAndField) {
  const Malformed& c = GetParam();
  std::vector<std::string> l = BaseLines();
  ASSERT_TRUE(Parse(Join(l)).ok());
  c.mutate(l);
  ExpectError(Parse(Join(l)), c.code, c.line, c.field);
}

INSTANTIATE_TEST_SUITE_P(Classes, NachaMalformedTest, testing::ValuesIn(kMalformed),
                         [](const testing::TestParamInfo<Malformed>& info) {
                           return TestName(info.param.name);
                         });

TEST(NachaMalformedMessageTest, ShowsFoundAndComputedValues) {
  std::vector<std::string> l = BaseLines();
  // 01100001 + 02100002 + 09100001 = 12300004.
  ASSERT_EQ(Cols(l[6], 11, 10), "0012300004");
  SetCols(l, 7, 11, "0012345678");
  Result<File> r = Parse(Join(l));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "line 7: batch control entry hash is 0012345678, computed 0012300004");

  l = BaseLines();
  SetCols(l, 11, 8, "000001");
  r = Parse(Join(l));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "line 11: file control block count is 000001, computed 000002");

  l = BaseLines();
  SetCols(l, 7, 21, "000000003201");
  r = Parse(Join(l));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "line 7: batch control total debit amount is 000000003201, computed 000000003200");
}

// ---- Writer errors ----

struct BadModel {
  const char* name;
  std::function<void(File&)> mutate;
  const char* code;
  const char* field;
  const char* message;  // expected message, or "" to skip
};

const BadModel kBadModels[] = {
    {"name too long",
     [](File& f) { f.batches[0].entries[1].individual_name = std::string(23, 'N'); }, "nacha_field",
     "individual_name",
     "batches[0].entries[1].individual_name is 23 characters; the field holds 22"},
    {"account too long",
     [](File& f) { f.batches[0].entries[0].dfi_account_number = std::string(18, '1'); },
     "nacha_field", "dfi_account_number", ""},
    {"account empty", [](File& f) { f.batches[0].entries[0].dfi_account_number = ""; },
     "nacha_field", "dfi_account_number", "batches[0].entries[0].dfi_account_number is empty"},
    {"non-printable", [](File& f) { f.batches[1].company_name = "ACME\x01"; }, "nacha_field",
     "company_name",
     "batches[1].company_name has the byte 0x01 at position 4; only printable ASCII is allowed"},
    {"non-ascii", [](File& f) { f.batches[0].entries[2].individual_name = "JOS\xC3\x89"; },
     "nacha_field", "individual_name", ""},
    {"company name empty", [](File& f) { f.batches[0].company_name = "   "; }, "nacha_field",
     "company_name", ""},
    {"payment info too long",
     [](File& f) {
       f.batches[0].entries[1].addenda->payment_related_information = std::string(81, 'I');
     },
     "nacha_field", "payment_related_information", ""},
    {"routing check digit",
     [](File& f) { f.batches[0].entries[0].rdfi_routing_number = "011000016"; }, "nacha_field",
     "rdfi_routing_number", ""},
    {"routing 8 digits", [](File& f) { f.batches[0].entries[0].rdfi_routing_number = "01100001"; },
     "nacha_field", "rdfi_routing_number", ""},
    {"negative amount", [](File& f) { f.batches[0].entries[0].amount_minor = -1; }, "nacha_field",
     "amount_minor", ""},
    {"amount over 10 digits",
     [](File& f) { f.batches[0].entries[0].amount_minor = 10'000'000'000; }, "nacha_field",
     "amount_minor", ""},
    {"unknown transaction code",
     [](File& f) { f.batches[0].entries[0].transaction_code = static_cast<TransactionCode>(23); },
     "nacha_field", "transaction_code", ""},
    {"debit in credits-only batch",
     [](File& f) { f.batches[1].entries[0].transaction_code = TransactionCode::kSavingsDebit; },
     "nacha_field", "transaction_code", ""},
    {"credit in debits-only batch",
     [](File& f) { f.batches[1].service_class = ServiceClass::kDebitsOnly; }, "nacha_field",
     "transaction_code", ""},
    {"trace 14 digits", [](File& f) { f.batches[0].entries[0].trace_number = "02100002000001"; },
     "nacha_field", "trace_number", ""},
    {"trace of another ODFI",
     [](File& f) { f.batches[0].entries[0].trace_number = "091000010000001"; }, "nacha_field",
     "trace_number", ""},
    {"trace not ascending",
     [](File& f) { f.batches[0].entries[2].trace_number = f.batches[0].entries[1].trace_number; },
     "nacha_field", "trace_number", ""},
    {"odfi 7 digits", [](File& f) { f.batches[0].odfi_identification = "0210000"; }, "nacha_field",
     "odfi_identification", ""},
    {"effective date Feb 30", [](File& f) { f.batches[0].effective_entry_date = "260230"; },
     "nacha_field", "effective_entry_date", ""},
    {"Feb 29 of a common year", [](File& f) { f.batches[0].effective_entry_date = "270229"; },
     "nacha_field", "effective_entry_date", ""},
    {"creation time", [](File& f) { f.header.file_creation_time = "2460"; }, "nacha_field",
     "file_creation_time", ""},
    {"creation date", [](File& f) { f.header.file_creation_date = "26039"; }, "nacha_field",
     "file_creation_date", "header.file_creation_date must be a date YYMMDD, got \"26039\""},
    {"destination", [](File& f) { f.header.immediate_destination = "91000019"; }, "nacha_field",
     "immediate_destination", ""},
    {"origin", [](File& f) { f.header.immediate_origin = "02100002X"; }, "nacha_field",
     "immediate_origin", ""},
    {"file id modifier", [](File& f) { f.header.file_id_modifier = 'a'; }, "nacha_field",
     "file_id_modifier", ""},
    {"settlement date", [](File& f) { f.batches[0].settlement_date = "400"; }, "nacha_field",
     "settlement_date", ""},
    {"originator status", [](File& f) { f.batches[0].originator_status_code = '3'; }, "nacha_field",
     "originator_status_code", ""},
    {"both addenda",
     [](File& f) {
       f.batches[0].entries[1].return_addenda =
           ReturnAddenda{"R01", "021000020000001", "", "01100001", ""};
     },
     "nacha_field", "addenda", ""},
    {"return original trace",
     [](File& f) {
       f.batches[0].entries[0].return_addenda =
           ReturnAddenda{"R01", "0210000200001", "", "01100001", ""};
     },
     "nacha_field", "original_entry_trace_number", ""},
    {"return date of death",
     [](File& f) {
       f.batches[0].entries[0].return_addenda =
           ReturnAddenda{"R15", "021000020000001", "261301", "01100001", ""};
     },
     "nacha_field", "date_of_death", ""},
    {"batch without entries", [](File& f) { f.batches[1].entries.clear(); }, "nacha_field",
     "entries", ""},
    {"file without batches", [](File& f) { f.batches.clear(); }, "nacha_field", "batches", ""},
    {"batch number zero", [](File& f) { f.batches[0].batch_number = 0; }, "nacha_field",
     "batch_number", ""},
    {"batch number 8 digits", [](File& f) { f.batches[1].batch_number = 10'000'000; },
     "nacha_field", "batch_number", ""},
    {"batch numbers not ascending", [](File& f) { f.batches[1].batch_number = 1; }, "nacha_field",
     "batch_number", ""},
    {"batch total over 12 digits",
     [](File& f) {
       for (int i = 0; i < 101; ++i) {
         f.batches[1].entries.push_back(MakeEntry(TransactionCode::kSavingsCredit, "011000015",
                                                  kMaxEntryAmountMinor, 100 + i));
       }
     },
     "nacha_limit", "entries", ""},
};

void PrintTo(const BadModel& m, std::ostream* os) {
  *os << m.name;
}

class NachaWriterRejectsTest : public testing::TestWithParam<BadModel> {};

TEST_P(NachaWriterRejectsTest, NamesTheField) {
  const BadModel& c = GetParam();
  File f = BaseFile();
  c.mutate(f);
  Result<std::string> r = Write(f);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(r.error().code, c.code) << r.error().message;
  EXPECT_EQ(r.error().field, c.field) << r.error().message;
  if (std::string_view(c.message).size() > 0) {
    EXPECT_EQ(r.error().message, c.message);
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, NachaWriterRejectsTest, testing::ValuesIn(kBadModels),
                         [](const testing::TestParamInfo<BadModel>& info) {
                           return TestName(info.param.name);
                         });

TEST(NachaWriterTest, AcceptsBoundaryValues) {
  File f = BaseFile();
  Entry& e = f.batches[0].entries[0];
  e.dfi_account_number = std::string(17, 'A');
  e.individual_id_number = std::string(15, 'B');
  e.individual_name = std::string(22, 'C');
  e.discretionary_data = "ZZ";
  e.amount_minor = kMaxEntryAmountMinor;
  f.batches[0].company_name = std::string(16, 'D');
  f.batches[0].company_identification = std::string(10, 'E');
  f.batches[0].company_entry_description = std::string(10, 'F');
  f.batches[0].effective_entry_date = "280229";  // leap year
  f.batches[1].batch_number = kMaxBatchNumber;
  f.header.immediate_destination_name = std::string(23, 'G');
  f.header.reference_code = std::string(8, 'H');
  Result<std::string> text = Write(f);
  ASSERT_TRUE(text.ok()) << text.error().message;
  Result<File> back = Parse(*text);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, f);
}

TEST(NachaOptionalBoxTest, HasValueSemantics) {
  OptionalBox<PaymentAddenda> a;
  EXPECT_FALSE(a.has_value());
  EXPECT_EQ(a, OptionalBox<PaymentAddenda>());
  a = PaymentAddenda{"ONE"};
  ASSERT_TRUE(a.has_value());
  OptionalBox<PaymentAddenda> b = a;  // deep copy
  EXPECT_EQ(a, b);
  b->payment_related_information = "TWO";
  EXPECT_EQ(a->payment_related_information, "ONE");
  EXPECT_NE(a, b);
  OptionalBox<PaymentAddenda> c = std::move(b);
  EXPECT_EQ(c->payment_related_information, "TWO");
  c.reset();
  EXPECT_FALSE(c.has_value());
  EXPECT_NE(a, c);
  c.emplace().payment_related_information = "ONE";
  EXPECT_EQ(a, c);
}

TEST(NachaCodesTest, TransactionCodesAndSecCodes) {
  for (int code = 0; code < 100; ++code) {
    const bool known = code == 21 || code == 22 || code == 26 || code == 27 || code == 31 ||
                       code == 32 || code == 36 || code == 37;
    EXPECT_EQ(IsKnownTransactionCode(code), known) << code;
  }
  EXPECT_TRUE(IsDebit(TransactionCode::kCheckingDebit));
  EXPECT_TRUE(IsDebit(TransactionCode::kSavingsDebitReturn));
  EXPECT_FALSE(IsDebit(TransactionCode::kSavingsCredit));
  EXPECT_FALSE(IsDebit(TransactionCode::kCheckingCreditReturn));
  EXPECT_EQ(SecCodeName(SecCode::kWeb), "WEB");
  EXPECT_EQ(SecCodeName(SecCode::kPpd), "PPD");
  EXPECT_EQ(SecCodeName(SecCode::kCcd), "CCD");
}

}  // namespace
}  // namespace payops::nacha
