#include <gtest/gtest.h>

#include "payops/core/end_user.h"
#include "payops/core/ids.h"
#include "payops/core/money.h"
#include "payops/core/org.h"
#include "payops/core/validate.h"

namespace payops {
namespace {

TEST(Ids, SortByTimeThenRandomAndHaveAShape) {
  std::string a = MakeId("usr", 1000, 5);
  std::string b = MakeId("usr", 1000, 6);
  std::string c = MakeId("usr", 1001, 0);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_TRUE(IsIdOf(a, "usr"));
  EXPECT_FALSE(IsIdOf(a, "org"));
  EXPECT_FALSE(IsIdOf("usr_short", "usr"));
  EXPECT_EQ(a.size(), 24u);
}

TEST(Validate, Emails) {
  for (const char* ok : {"a@b.example", "first.last+tag@sub.domain.example", "X@Y.CO"}) {
    EXPECT_TRUE(IsEmail(ok)) << ok;
  }
  for (const char* bad : {"", "a", "a@", "@b.example", "a@b", "a b@c.example", "a@@b.example",
                          "a@-b.example", "a@b..example", "<a>@b.example"}) {
    EXPECT_FALSE(IsEmail(bad)) << bad;
  }
}

TEST(Validate, DatesAndCountries) {
  EXPECT_TRUE(IsDate("2024-02-29"));
  EXPECT_FALSE(IsDate("2025-02-29"));
  EXPECT_FALSE(IsDate("2025-2-28"));
  EXPECT_TRUE(IsCountryCode("MX"));
  EXPECT_FALSE(IsCountryCode("mx"));
  EXPECT_FALSE(IsCountryCode("MEX"));
  EXPECT_TRUE(IsCorridor("US-MX"));
  EXPECT_FALSE(IsCorridor("US_MX"));
}

Org GoodOrg() {
  Org o;
  o.name = "Acme";
  o.domain = "acme.example";
  o.sla_plan = "vip";
  o.hypercare_plan = "pro";
  o.bau_plan = "plus";
  o.go_live_date = "2026-01-05";
  o.allowed_countries = {"US"};
  o.fees = {{"payin", "USD", "US-MX", 150}};
  return o;
}

TEST(Org, ValidationNamesTheField) {
  EXPECT_TRUE(ValidateOrg(GoodOrg()).ok());
  struct Case {
    void (*mutate)(Org&);
    const char* field;
  } cases[] = {
      {[](Org& o) { o.name = ""; }, "name"},
      {[](Org& o) { o.domain = "nodot"; }, "domain"},
      {[](Org& o) { o.sla_plan = "gold"; }, "sla_plan"},
      {[](Org& o) { o.hypercare_plan = "x"; }, "hypercare_plan"},
      {[](Org& o) { o.bau_plan = "x"; }, "bau_plan"},
      {[](Org& o) { o.go_live_date = "2026-02-30"; }, "go_live_date"},
      {[](Org& o) { o.allowed_countries = {}; }, "allowed_countries"},
      {[](Org& o) { o.allowed_countries = {"usa"}; }, "allowed_countries"},
      {[](Org& o) { o.fees[0].direction = "sideways"; }, "fees"},
      {[](Org& o) { o.fees[0].fee_minor = -1; }, "fees"},
      {[](Org& o) { o.fees.push_back(o.fees[0]); }, "fees"},
      {[](Org& o) {
         o.emi = EmiInfo{"Bank", "not-email", ""};
       },
       "emi.contact_email"},
  };
  for (const auto& c : cases) {
    Org o = GoodOrg();
    c.mutate(o);
    Status s = ValidateOrg(o);
    ASSERT_FALSE(s.ok()) << c.field;
    EXPECT_EQ(s.error().field, c.field);
    EXPECT_EQ(s.error().kind, ErrorKind::kInvalid);
  }
}

TEST(Org, FeesUpToTheBound) {
  Org o = GoodOrg();
  o.fees[0].fee_minor = kMaxFeeMinor;
  EXPECT_TRUE(ValidateOrg(o).ok());
  o.fees[0].fee_minor = kMaxFeeMinor + 1;
  Status s = ValidateOrg(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, "fee_too_large");
  EXPECT_EQ(s.error().kind, ErrorKind::kRefused);
  EXPECT_EQ(s.error().field, "fees");
  o.fees[0].fee_minor = INT64_MAX;
  EXPECT_EQ(ValidateOrg(o).error().code, "fee_too_large");
}

TEST(EndUser, KycNamesRoundTrip) {
  for (auto k : {KycStatus::kUnverified, KycStatus::kPending, KycStatus::kVerified,
                 KycStatus::kRejected, KycStatus::kSuspended}) {
    EXPECT_EQ(ParseKycStatus(KycStatusName(k)), k);
  }
  EXPECT_FALSE(ParseKycStatus("verified").has_value());
}

}  // namespace
}  // namespace payops

namespace payops {
namespace {

TEST(IsValidUtf8, AcceptsWellFormedTextOnly) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("ascii ~"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xF4\x8F\xBF\xBF"));
  EXPECT_TRUE(IsValidUtf8(std::string("a\0b", 3)));  // U+0000 is UTF-8
  EXPECT_FALSE(IsValidUtf8("\xFF\xFE"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAE"));          // overlong '.'
  EXPECT_FALSE(IsValidUtf8("\xE0\x80\xAF"));      // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // cut short
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
  EXPECT_FALSE(IsValidUtf8("\xC3\x28"));  // no continuation byte
  EXPECT_FALSE(IsValidUtf8("\x80"));
}

}  // namespace
}  // namespace payops
