// Hostile input against the real server: no request, at any stage of
// parsing, ends the process; nothing a client sends can forge or break a log
// record; every API answer carries the headers that keep it out of caches and
// content sniffing.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json.hpp>
#include <string>
#include <vector>

#include "harness.h"

namespace payops::testing {
namespace {

namespace json = boost::json;

bool Alive(const ServerProcess& s) {
  int status = 0;
  return s.pid() > 0 && waitpid(s.pid(), &status, WNOHANG) == 0;
}

// The process is still there and answers /healthz.
void ExpectServing(ServerProcess& s) {
  ASSERT_TRUE(Alive(s)) << s.Log();
  EXPECT_EQ(Request(s.port(), "GET", "/healthz").status, 200) << s.Log();
}

// A chunked GET /healthz whose chunked body is `body`.
std::string ChunkedGet(const std::string& body) {
  return "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: "
         "chunked\r\n\r\n" +
         body;
}

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

void ExpectErrorShape(const HttpResult& r) {
  auto v = json::parse(r.body);
  const auto& e = v.at("error").as_object();
  EXPECT_TRUE(e.contains("code")) << r.body;
  EXPECT_TRUE(e.contains("message")) << r.body;
  EXPECT_TRUE(e.contains("request_id")) << r.body;
}

TEST(HostileInput, TrailerFieldOf65535BytesIsRefusedAndTheServerServesOn) {
  ServerProcess s;
  auto r = SendRaw(s.port(), ChunkedGet("0\r\nX-T: " + std::string(65535, 'a') + "\r\n\r\n"));
  EXPECT_EQ(r.status, 413) << r.body;
  if (r.status == 413) {
    ExpectErrorShape(r);
  }
  ExpectServing(s);
}

struct Hostile {
  const char* name;
  std::string raw;
  int status;  // the answer expected
};

TEST(HostileInput, EveryStageOfParsingAnswersAndTheServerServesOn) {
  static constexpr char kNulHeader[] = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n";
  const std::vector<Hostile> cases = {
      {"trailer name of 65,535 bytes",
       ChunkedGet("0\r\n" + std::string(65535, 'N') + ": v\r\n\r\n"), 413},
      {"trailer value of 65,533 bytes",
       ChunkedGet("0\r\nX-T: " + std::string(65533, 'a') + "\r\n\r\n"), 413},
      {"many trailers", ChunkedGet("0\r\n" + Repeat("X-N: v\r\n", 8000) + "\r\n"), 413},
      {"a few trailers", ChunkedGet("1\r\na\r\n0\r\n" + Repeat("X-N: v\r\n", 20) + "\r\n"), 200},
      {"trailers after a body chunk",
       ChunkedGet("1\r\na\r\n0\r\nX-T: " + std::string(70000, 'a') + "\r\n\r\n"), 413},
      {"huge chunk-size line", ChunkedGet(std::string(100000, '0') + "1\r\na\r\n0\r\n\r\n"), 413},
      {"chunk size past 64 bits", ChunkedGet("fffffffffffffffffffff\r\na\r\n0\r\n\r\n"), 400},
      {"chunk extensions", ChunkedGet("1" + Repeat(";e=v", 20000) + "\r\na\r\n0\r\n\r\n"), 413},
      {"last-chunk extensions", ChunkedGet("0" + Repeat(";e=v", 20000) + "\r\n\r\n"), 413},
      {"bad chunk extension", ChunkedGet("1;\"\r\na\r\n0\r\n\r\n"), 400},
      {"header of 70 KiB",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(70 << 10, 'a') + "\r\n\r\n",
       413},
      {"header name of 65,535 bytes",
       "GET /healthz HTTP/1.1\r\nHost: x\r\n" + std::string(65535, 'N') + ": v\r\n\r\n", 413},
      {"target of 70 KiB", "GET /" + std::string(70 << 10, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n",
       413},
      {"Content-Length and chunked",
       "POST /v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: "
       "chunked\r\n\r\n0\r\n\r\n",
       400},
      {"Content-Length past 64 bits",
       "POST /v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400},
      {"chunked body past the body limit",
       ChunkedGet("200000\r\n" + std::string(0x200000, 'a') + "\r\n0\r\n\r\n"), 413},
      {"upgrade request then bytes that are no HTTP",
       "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
       "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
       "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58\r\n\r\n",
       200},
      {"bad target", "GET /v1/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400},
      {"NUL in a header", std::string(kNulHeader, sizeof kNulHeader - 1), 400},
  };
  ServerProcess s;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = SendRaw(s.port(), c.raw);
    EXPECT_EQ(r.status, c.status) << r.body;
    if (r.status >= 400) {
      ExpectErrorShape(r);
    }
    ExpectServing(s);
  }
}

// One logfmt record: `key=value` pairs separated by single spaces, a value
// bare (printable ASCII but '"', '=' and '\') or quoted with the escapes
// \" \\ \r \n \t \xNN. Fills `pairs` (value unescaped, and whether quoted).
struct Pair {
  std::string key, value;
  bool quoted = false;
};

bool ParseLogfmt(const std::string& line, std::vector<Pair>& pairs) {
  pairs.clear();
  auto printable = [](char c) { return c > ' ' && c < 0x7f; };
  size_t i = 0;
  while (i < line.size()) {
    if (!pairs.empty()) {
      if (line[i] != ' ') return false;
      ++i;
    }
    Pair p;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) ||
                               line[i] == '_' || line[i] == '.' || line[i] == '-')) {
      p.key += line[i++];
    }
    if (p.key.empty() || i >= line.size() || line[i] != '=') return false;
    ++i;
    if (i < line.size() && line[i] == '"') {
      p.quoted = true;
      ++i;
      for (;;) {
        if (i >= line.size()) return false;
        char c = line[i++];
        if (c == '"') break;
        if (!printable(c) && c != ' ') return false;
        if (c != '\\') {
          p.value += c;
          continue;
        }
        if (i >= line.size()) return false;
        char e = line[i++];
        if (e == '"' || e == '\\') {
          p.value += e;
        } else if (e == 'r') {
          p.value += '\r';
        } else if (e == 'n') {
          p.value += '\n';
        } else if (e == 't') {
          p.value += '\t';
        } else if (e == 'x' && i + 2 <= line.size() && std::isxdigit(line[i]) &&
                   std::isxdigit(line[i + 1])) {
          p.value += static_cast<char>(std::stoi(line.substr(i, 2), nullptr, 16));
          i += 2;
        } else {
          return false;
        }
      }
    } else {
      while (i < line.size() && line[i] != ' ') {
        char c = line[i++];
        if (!printable(c) || c == '"' || c == '=' || c == '\\') return false;
        p.value += c;
      }
      if (p.value.empty()) return false;
    }
    pairs.push_back(std::move(p));
  }
  return !pairs.empty();
}

TEST(HostileInput, LogfmtParserOfTheseTestsIsStrict) {
  std::vector<Pair> p;
  EXPECT_TRUE(ParseLogfmt("ts=1 level=info msg=\"a \\\"b\\\" \\r\\n\\x00\" path=/v1/x", p));
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[2].value, std::string("a \"b\" \r\n\0", 9));
  EXPECT_FALSE(ParseLogfmt("ts=1 path=/v1/x\r", p));
  EXPECT_FALSE(ParseLogfmt("ts=1 msg=\"open", p));
  EXPECT_FALSE(ParseLogfmt("ts=1  level=info", p));
  EXPECT_FALSE(ParseLogfmt("ts=1 path=a=b", p));
  EXPECT_FALSE(ParseLogfmt("free text", p));
}

// Every line of the server's log is one logfmt record starting with ts=, a
// request's text appears only inside the value of its own key, and no NUL
// reaches the log.
void ExpectCleanLog(const std::string& log, const std::string& only_key) {
  EXPECT_EQ(log.find('\0'), std::string::npos);
  size_t start = 0;
  int lines = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    std::string line = log.substr(start, end - start);
    start = end + 1;
    ++lines;
    std::vector<Pair> pairs;
    ASSERT_TRUE(ParseLogfmt(line, pairs)) << "not one logfmt record: " << line;
    EXPECT_EQ(pairs.front().key, "ts") << line;
    for (const Pair& p : pairs) {
      EXPECT_EQ(p.key.find("FORGED"), std::string::npos) << line;
      if (p.value.find("FORGED") == std::string::npos) continue;
      EXPECT_TRUE(p.quoted) << line;
      EXPECT_EQ(p.key, only_key) << line;
    }
  }
  EXPECT_GT(lines, 0);
}

TEST(HostileInput, PercentEncodedLineBreaksInThePathCannotForgeLogRecords) {
  ServerProcess s("", {"--access-log"});
  const std::vector<std::string> targets = {
      "/v1/users/x%0D%0Ats=2030-01-07T13:00:00.000Z%20level=error%20msg=%22FORGED%20admin%20login"
      "%22",
      "/v1/users/x%0Ats=2030-01-07T13:00:00.000Z%20level=error%20msg=FORGED",
      "/v1/users/x%0Dlevel=error%20msg=FORGED",
      "/v1/users/x%00FORGED%09%5C%22%3D%1B%5B31m",
      "/v1/FORGED%0D%0Ats=1%20level=error%20msg=FORGED",  // no route: 404
  };
  for (const auto& t : targets) {
    auto r = SendRaw(s.port(), "GET " + t + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_GE(r.status, 400) << t;
    EXPECT_LT(r.status, 500) << t;
  }
  ASSERT_EQ(s.Terminate(), 0);
  std::string log = s.Log();
  ExpectCleanLog(log, "path");
  // The paths were logged, escaped.
  EXPECT_NE(log.find("path=\"/v1/users/x\\r\\nts=2030-01-07T13:00:00.000Z level=error "
                     "msg=\\\"FORGED admin login\\\"\""),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("path=\"/v1/users/x\\x00FORGED\\t\\\\\\\"=\\x1b[31m\""), std::string::npos)
      << log;
}

void ExpectNoStoreNoSniff(const HttpResult& r, const std::string& what) {
  EXPECT_EQ(r.headers.count("cache-control"), 1u) << what;
  EXPECT_EQ(r.headers.count("x-content-type-options"), 1u) << what;
  auto cc = r.headers.find("cache-control");
  auto nt = r.headers.find("x-content-type-options");
  if (cc != r.headers.end()) {
    EXPECT_EQ(cc->second, "no-store") << what;
  }
  if (nt != r.headers.end()) {
    EXPECT_EQ(nt->second, "nosniff") << what;
  }
}

TEST(HostileInput, ApiAnswersAreNeitherCachedNorSniffed) {
  ServerProcess s;
  int rc = 0;
  std::string key = s.RunCli(
      {"key", "create", "--store", s.store_url(), "--role", "admin", "--name", "Root"}, &rc);
  ASSERT_EQ(rc, 0);
  key.erase(key.find_last_not_of('\n') + 1);
  const std::vector<std::pair<std::string, std::string>> auth = {
      {"Authorization", "Bearer " + key}};

  auto created = Request(s.port(), "POST", "/v1/api-keys",
                         R"({"role":"agent","name":"Desk","email":"desk@payops.test"})", auth);
  EXPECT_EQ(created.status, 201) << created.body;
  ExpectNoStoreNoSniff(created, "a new API key");

  auto list = Request(s.port(), "GET", "/v1/orgs", "", auth);
  EXPECT_EQ(list.status, 200);
  ExpectNoStoreNoSniff(list, "a list");

  auto unauthenticated = Request(s.port(), "GET", "/v1/orgs");
  EXPECT_EQ(unauthenticated.status, 401);
  ExpectNoStoreNoSniff(unauthenticated, "401");

  auto invalid = Request(s.port(), "POST", "/v1/orgs", "{", auth);
  EXPECT_EQ(invalid.status, 400);
  ExpectNoStoreNoSniff(invalid, "invalid JSON");

  auto no_route = Request(s.port(), "GET", "/v1/nothing-here", "", auth);
  EXPECT_EQ(no_route.status, 404);
  ExpectNoStoreNoSniff(no_route, "no route");

  auto wrong_method = Request(s.port(), "DELETE", "/v1/orgs", "", auth);
  EXPECT_EQ(wrong_method.status, 405);
  ExpectNoStoreNoSniff(wrong_method, "wrong method");

  auto malformed = SendRaw(s.port(), "GARBAGE\r\n\r\n");
  EXPECT_EQ(malformed.status, 400);
  ExpectNoStoreNoSniff(malformed, "malformed request");

  auto bad_target =
      SendRaw(s.port(), "GET /v1/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(bad_target.status, 400);
  ExpectNoStoreNoSniff(bad_target, "bad target");

  auto too_large =
      SendRaw(s.port(), "POST /v1/orgs HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n");
  EXPECT_EQ(too_large.status, 413);
  ExpectNoStoreNoSniff(too_large, "body too large");

  auto trailers =
      SendRaw(s.port(), ChunkedGet("0\r\nX-T: " + std::string(65535, 'a') + "\r\n\r\n"));
  EXPECT_EQ(trailers.status, 413);
  ExpectNoStoreNoSniff(trailers, "trailers too large");

  // The web page says for itself how it is cached.
  auto page = Request(s.port(), "GET", "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.headers["cache-control"], "no-cache");
  EXPECT_EQ(page.headers["x-content-type-options"], "nosniff");
}

}  // namespace
}  // namespace payops::testing
