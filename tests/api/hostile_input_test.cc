// Hostile input against the real server: no request, at any stage of
// parsing, ends the process.
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

}  // namespace
}  // namespace payops::testing
