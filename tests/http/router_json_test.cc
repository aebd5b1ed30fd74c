#include <gtest/gtest.h>

#include "payops/http/json_io.h"
#include "payops/http/router.h"

namespace payops::http {
namespace {

HttpResponse Tag(const char* t) {
  HttpResponse r;
  r.body = t;
  return r;
}

TEST(Router, MatchesParamsMethodsAndNothingElse) {
  Router r;
  r.Add("GET", "/v1/users", [](HttpRequest&) { return Tag("list"); });
  r.Add("POST", "/v1/users", [](HttpRequest&) { return Tag("create"); });
  r.Add("GET", "/v1/users/{id}", [](HttpRequest&) { return Tag("get"); });
  r.Add("POST", "/v1/users/{id}/suspend", [](HttpRequest&) { return Tag("suspend"); });
  std::unordered_map<std::string, std::string> p;
  auto m = r.Find("GET", "/v1/users/usr_1", p);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/v1/users/{id}");
  EXPECT_EQ(p["id"], "usr_1");
  m = r.Find("POST", "/v1/users/usr_2/suspend", p);
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(p["id"], "usr_2");
  m = r.Find("DELETE", "/v1/users", p);
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.wrong_method);
  EXPECT_EQ(m.allow, "GET, POST");
  EXPECT_EQ(r.Find("GET", "/v1/users/", p).route, nullptr);  // empty parameter
  EXPECT_EQ(r.Find("GET", "/v1/userz", p).route, nullptr);
  EXPECT_EQ(r.Find("GET", "v1/users", p).route, nullptr);
  EXPECT_EQ(r.Find("GET", "/v1/users/a/b/c/d", p).route, nullptr);
}

TEST(Fields, StrictTypes) {
  auto obj = ParseObject(R"({"s":"x","i":5,"big":18446744073709551615,"f":1.5,"b":true,"n":null})");
  ASSERT_TRUE(obj.ok());
  Fields f(*obj);
  EXPECT_EQ(*f.Str("s"), "x");
  EXPECT_EQ(*f.Int("i"), 5);
  EXPECT_EQ(f.Int("big").error().code, "number_out_of_range");
  EXPECT_EQ(f.Int("f").error().code, "invalid_type");
  EXPECT_EQ(f.Int("s").error().code, "invalid_type");
  EXPECT_EQ(f.Str("i").error().code, "invalid_type");
  EXPECT_EQ(f.Str("missing").error().code, "missing_field");
  EXPECT_EQ(f.Str("missing").error().field, "missing");
  EXPECT_FALSE(f.OptStr("n")->has_value());
  EXPECT_EQ(f.Str("s", 0).error().code, "too_long");
  EXPECT_EQ(f.AllowOnly({"s", "i"}).error().code, "unknown_field");
  EXPECT_TRUE(f.AllowOnly({"s", "i", "big", "f", "b", "n"}).ok());
}

TEST(ParseObject, RefusesWhatIsNotOneObject) {
  EXPECT_EQ(ParseObject("").error().code, "invalid_json");
  EXPECT_EQ(ParseObject("{").error().code, "invalid_json");
  EXPECT_EQ(ParseObject("[]").error().code, "expected_object");
  EXPECT_EQ(ParseObject("{\"a\":1,}").error().code, "invalid_json");
  EXPECT_EQ(ParseObject("{\"a\":\"\xff\"}").error().code, "invalid_json");
  std::string deep(40, '[');
  EXPECT_EQ(ParseObject("{\"a\":" + deep).error().code, "invalid_json");
}

TEST(ParseObject, RefusesAKeyGivenTwiceInAnyObject) {
  EXPECT_EQ(ParseObject(R"({"a":1,"a":2})").error().code, "duplicate_key");
  EXPECT_EQ(ParseObject(R"({"a":1,"\u0061":2})").error().code, "duplicate_key");
  EXPECT_EQ(ParseObject(R"({"x":[{"b":1},{"c":{"d":1,"d":1}}]})").error().code, "duplicate_key");
  // The same key in sibling or nested objects is no duplicate.
  EXPECT_TRUE(ParseObject(R"({"a":{"a":1},"b":[{"a":1},{"a":2}]})").ok());
}

TEST(Fields, StringsHoldingNulAreRefused) {
  auto obj = ParseObject(R"({"s":"a\u0000b","t":["x","\u0000"],"ok":"a"})");
  ASSERT_TRUE(obj.ok());
  Fields f(*obj);
  EXPECT_EQ(f.Str("s").error().code, "invalid_character");
  EXPECT_EQ(f.Str("s").error().field, "s");
  EXPECT_EQ(f.StrArray("t", 5, 10).error().code, "invalid_character");
  EXPECT_EQ(*f.Str("ok"), "a");
}

TEST(Pagination, LimitsAndCursorsRoundTrip) {
  HttpRequest req;
  auto p = ParsePage(req);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->limit, 50);
  for (const char* bad : {"0", "501", "-1", "abc", "", "99999"}) {
    req.query = {{"limit", bad}};
    EXPECT_EQ(ParsePage(req).error().code, "invalid_limit") << bad;
  }
  req.query = {{"limit", "500"}, {"cursor", EncodeCursor("usr_01abc")}};
  p = ParsePage(req);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->limit, 500);
  EXPECT_EQ(p->after_id, "usr_01abc");
  req.query = {{"cursor", "!!!"}};
  EXPECT_EQ(ParsePage(req).error().code, "invalid_cursor");
  // Ids of every length round-trip, those whose base64 form is padded too.
  for (std::string id = "k"; id.size() <= 30; id += 'b') {
    req.query = {{"cursor", EncodeCursor(id)}};
    p = ParsePage(req);
    ASSERT_TRUE(p.ok()) << id;
    EXPECT_EQ(p->after_id, id);
  }
}

TEST(ErrorShape, StatusAndBody) {
  auto r = ErrorResponse(Error::Refused("limit_exceeded", "over", "amount"), "req_1");
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ(
      r.body,
      R"({"error":{"code":"limit_exceeded","message":"over","field":"amount","request_id":"req_1"}})");
}

}  // namespace
}  // namespace payops::http
