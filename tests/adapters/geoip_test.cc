#include "payops/adapters/geoip.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <thread>
#include <utility>
#include <vector>

namespace payops::adapters {
namespace {

namespace fs = std::filesystem;

constexpr const char* kDebianDir = "/usr/share/GeoIP";

// Addresses whose country the Debian database (geoip-database) reports, in
// blocks held by the same national operator for decades: public resolvers,
// registries, universities and national incumbents.
const std::vector<std::pair<std::string, std::string>> kKnownV4 = {
    {"8.8.8.8", "US"},         // Google Public DNS
    {"128.32.0.1", "US"},      // UC Berkeley
    {"77.88.8.8", "RU"},       // Yandex DNS
    {"193.0.6.139", "NL"},     // RIPE NCC, Amsterdam
    {"200.160.2.3", "BR"},     // NIC.br
    {"80.128.0.1", "DE"},      // Deutsche Telekom
    {"133.11.0.1", "JP"},      // University of Tokyo
    {"131.111.8.46", "GB"},    // University of Cambridge
    {"129.132.19.216", "CH"},  // ETH Zürich
};
const std::vector<std::pair<std::string, std::string>> kKnownV6 = {
    {"2001:4860:4860::8888", "US"},  // Google Public DNS
    {"2001:12ff::1", "BR"},          // NIC.br
    {"2a02:6b8::feed:ff", "RU"},     // Yandex
};
// Private, loopback, shared, link-local, multicast, broadcast, unspecified
// and documentation addresses: never in a country.
const std::vector<std::string> kNoCountry = {
    "10.0.0.1",  "172.16.5.4",      "192.168.1.1",  "127.0.0.1", "100.64.0.1",  "169.254.1.1",
    "224.0.0.1", "255.255.255.255", "0.0.0.0",      "192.0.2.1", "::1",         "::",
    "fe80::1",   "fc00::1",         "fd12:3456::1", "ff02::1",   "2001:db8::1",
};
// Texts that are not exactly an address.
const std::vector<std::string> kNotAddresses = {
    "",
    " 8.8.8.8",
    "8.8.8.8 ",
    "8.8.8.8\n",
    "8.8.8",
    "8.8.8.8.8",
    "256.1.1.1",
    "8.8.8.8/32",
    "0x08080808",
    "134744072",
    "example.com",
    "localhost",
    "[::1]",
    "fe80::1%eth0",
    "1:2:3:4:5:6:7:8:9",
    "2001:db8::g",
    "2001:db8:::1",
    std::string(46, '1'),
    "0000:0000:0000:0000:0000:ffff:255.255.255.255x",
};

void ExpectInvalidIp(const Result<std::optional<std::string>>& r, const std::string& text) {
  ASSERT_FALSE(r.ok()) << "accepted '" << text << "'";
  EXPECT_EQ(r.error().kind, ErrorKind::kInvalid) << text;
  EXPECT_EQ(r.error().code, "invalid_ip_address") << text;
  EXPECT_EQ(r.error().field, "ip_address") << text;
}

std::optional<std::string> CountryOrDie(const GeoIp& g, const std::string& ip) {
  auto r = g.CountryOf(ip);
  EXPECT_TRUE(r.ok()) << ip << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? *r : std::optional<std::string>("<error>");
}

// A fresh directory under the test temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::path(::testing::TempDir()) /
            ("payops_geoip_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void WriteFile(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << p;
}

// ----- A minimal MaxMind DB writer (format 2.0, 24-bit records) -----
// Enough of https://maxmind.github.io/MaxMind-DB/ to build small test files:
// a binary search tree over address bits, a data section, a metadata map.
namespace mmdb {

enum Type : int {
  kString = 2,
  kUint16 = 5,
  kUint32 = 6,
  kMap = 7,
  kUint64 = 9,
  kArray = 11,
};

std::string Control(int type, size_t size) {
  std::string out;
  unsigned char first = type <= 7 ? static_cast<unsigned char>(type << 5) : 0;
  std::string size_bytes;
  if (size < 29) {
    first |= static_cast<unsigned char>(size);
  } else if (size < 29 + 256) {
    first |= 29;
    size_bytes.push_back(static_cast<char>(size - 29));
  } else {
    first |= 30;
    size -= 285;
    size_bytes.push_back(static_cast<char>(size >> 8));
    size_bytes.push_back(static_cast<char>(size & 0xff));
  }
  out.push_back(static_cast<char>(first));
  if (type > 7) out.push_back(static_cast<char>(type - 7));
  return out + size_bytes;
}
std::string Str(std::string_view s) {
  return Control(kString, s.size()) + std::string(s);
}
std::string Uint(int type, uint64_t v) {
  std::string bytes;
  for (; v != 0; v >>= 8) bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
  return Control(type, bytes.size()) + bytes;
}
std::string Map(const std::vector<std::pair<std::string, std::string>>& kv) {
  std::string out = Control(kMap, kv.size());
  for (const auto& [k, v] : kv) out += Str(k) + v;
  return out;
}
std::string Array(const std::vector<std::string>& items) {
  std::string out = Control(kArray, items.size());
  for (const auto& i : items) out += i;
  return out;
}
// {"<root>": {"iso_code": code}}-style fragments.
std::string Iso(std::string_view code) {
  return Map({{"iso_code", Str(code)}});
}

class Writer {
 public:
  explicit Writer(int ip_version) : ip_version_(ip_version) { nodes_.push_back({kEmpty, kEmpty}); }

  // Maps `cidr` ("1.2.3.0/24", "2001:db8::/32") to an encoded data value.
  // Prefixes must not overlap. In an IPv6 tree IPv4 lives under ::/96.
  void Insert(const std::string& cidr, std::string data) {
    size_t slash = cidr.find('/');
    std::string addr = cidr.substr(0, slash);
    int len = std::stoi(cidr.substr(slash + 1));
    std::vector<int> bits;
    unsigned char buf[16] = {};
    if (inet_pton(AF_INET, addr.c_str(), buf) == 1) {
      if (ip_version_ == 6) bits.assign(96, 0);
      for (int i = 0; i < 32; ++i) bits.push_back((buf[i / 8] >> (7 - i % 8)) & 1);
      if (ip_version_ == 6) len += 96;
    } else {
      ASSERT_EQ(inet_pton(AF_INET6, addr.c_str(), buf), 1) << cidr;
      ASSERT_EQ(ip_version_, 6);
      for (int i = 0; i < 128; ++i) bits.push_back((buf[i / 8] >> (7 - i % 8)) & 1);
    }
    data_.push_back(std::move(data));
    int64_t data_ref = -2 - static_cast<int64_t>(data_.size() - 1);
    size_t node = 0;
    for (int i = 0; i < len; ++i) {
      const int bit = bits[static_cast<size_t>(i)];
      if (i == len - 1) {
        ASSERT_EQ(nodes_[node][bit], kEmpty) << "overlapping prefix " << cidr;
        nodes_[node][bit] = data_ref;
        break;
      }
      if (nodes_[node][bit] == kEmpty) {
        nodes_.push_back({kEmpty, kEmpty});
        nodes_[node][bit] = static_cast<int64_t>(nodes_.size() - 1);
      }
      ASSERT_GE(nodes_[node][bit], 0) << "overlapping prefix " << cidr;
      node = static_cast<size_t>(nodes_[node][bit]);
    }
  }

  // The size in bytes of the search tree (the file starts with it).
  size_t TreeSize() const { return nodes_.size() * 6; }

  // The whole file.
  std::string Build() const {
    const uint64_t node_count = nodes_.size();
    std::vector<uint64_t> offsets;
    std::string data_section;
    for (const auto& d : data_) {
      offsets.push_back(data_section.size());
      data_section += d;
    }
    std::string out;
    auto record = [&](int64_t rec) {
      uint64_t v = rec >= 0        ? static_cast<uint64_t>(rec)
                   : rec == kEmpty ? node_count
                                   : node_count + 16 + offsets[static_cast<size_t>(-rec - 2)];
      out.push_back(static_cast<char>((v >> 16) & 0xff));
      out.push_back(static_cast<char>((v >> 8) & 0xff));
      out.push_back(static_cast<char>(v & 0xff));
    };
    for (const auto& n : nodes_) {
      record(n[0]);
      record(n[1]);
    }
    out += std::string(16, '\0');
    out += data_section;
    out += "\xAB\xCD\xEFMaxMind.com";
    out += Map({
        {"binary_format_major_version", Uint(kUint16, 2)},
        {"binary_format_minor_version", Uint(kUint16, 0)},
        {"build_epoch", Uint(kUint64, 1700000000)},
        {"database_type", Str("payops-test-country")},
        {"description", Map({{"en", Str("payops test database")}})},
        {"ip_version", Uint(kUint16, static_cast<uint64_t>(ip_version_))},
        {"languages", Array({Str("en")})},
        {"node_count", Uint(kUint32, node_count)},
        {"record_size", Uint(kUint16, 24)},
    });
    return out;
  }

 private:
  static constexpr int64_t kEmpty = -1;  // >= 0: node; -1: no data; <= -2: data index
  int ip_version_;
  std::vector<std::array<int64_t, 2>> nodes_;
  std::vector<std::string> data_;
};

}  // namespace mmdb

// An IPv6 test database exercising each answer shape.
std::string TestMmdbV6() {
  mmdb::Writer w(6);
  w.Insert("1.2.3.0/24",
           mmdb::Map({{"country", mmdb::Iso("AU")}, {"registered_country", mmdb::Iso("AU")}}));
  w.Insert("5.6.0.0/16", mmdb::Map({{"registered_country", mmdb::Iso("DE")}}));
  w.Insert("7.7.7.0/24", mmdb::Map({{"continent", mmdb::Map({{"code", mmdb::Str("EU")}})}}));
  w.Insert("9.9.9.9/32", mmdb::Map({{"country", mmdb::Iso("fr")}}));
  w.Insert("11.0.0.0/8", mmdb::Map({{"country", mmdb::Str("US")},  // not a map
                                    {"registered_country", mmdb::Iso("CA")}}));
  w.Insert("12.0.0.0/8", mmdb::Map({{"country", mmdb::Iso("USA")}}));
  w.Insert("2001:db8:1::/48", mmdb::Map({{"country", mmdb::Iso("JP")}}));
  w.Insert("2a00::/12", mmdb::Map({{"country", mmdb::Iso("GB")}}));
  return w.Build();
}

// ----- Legacy (Debian geoip-database) -----

class GeoIpLegacyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto g = OpenLegacyGeoIp();
    ASSERT_TRUE(g.ok()) << g.error().message
                        << " — install the Debian packages geoip-database and libgeoip-dev";
    geo_ = std::move(g).value().release();
  }
  static void TearDownTestSuite() {
    delete geo_;
    geo_ = nullptr;
  }
  static GeoIp* geo_;
};
GeoIp* GeoIpLegacyTest::geo_ = nullptr;

TEST_F(GeoIpLegacyTest, KnownIpv4Countries) {
  ASSERT_NE(geo_, nullptr);
  for (const auto& [ip, cc] : kKnownV4) EXPECT_EQ(CountryOrDie(*geo_, ip), cc) << ip;
}

TEST_F(GeoIpLegacyTest, KnownIpv6Countries) {
  ASSERT_NE(geo_, nullptr);
  for (const auto& [ip, cc] : kKnownV6) EXPECT_EQ(CountryOrDie(*geo_, ip), cc) << ip;
  // Any spelling of the same address.
  EXPECT_EQ(CountryOrDie(*geo_, "2001:4860:4860:0:0:0:0:8888"), "US");
  EXPECT_EQ(CountryOrDie(*geo_, "2001:4860:4860:0000:0000:0000:0000:8888"), "US");
  EXPECT_EQ(CountryOrDie(*geo_, "2A02:6B8::FEED:FF"), "RU");
}

TEST_F(GeoIpLegacyTest, Ipv4MappedIpv6IsLookedUpAsIpv4) {
  ASSERT_NE(geo_, nullptr);
  EXPECT_EQ(CountryOrDie(*geo_, "::ffff:8.8.8.8"), "US");
  EXPECT_EQ(CountryOrDie(*geo_, "::FFFF:77.88.8.8"), "RU");
  EXPECT_EQ(CountryOrDie(*geo_, "::ffff:c100:68b"), "NL");  // 193.0.6.139
  EXPECT_EQ(CountryOrDie(*geo_, "::ffff:192.168.1.1"), std::nullopt);
}

TEST_F(GeoIpLegacyTest, ReservedRangesHaveNoCountry) {
  ASSERT_NE(geo_, nullptr);
  for (const auto& ip : kNoCountry) EXPECT_EQ(CountryOrDie(*geo_, ip), std::nullopt) << ip;
}

TEST_F(GeoIpLegacyTest, PseudoCountriesHaveNoCountry) {
  ASSERT_NE(geo_, nullptr);
  // Blocks the Debian database (2019 data) files under a legacy pseudo-code:
  // "A1" anonymous proxy, "A2" satellite provider, "EU" somewhere in Europe.
  for (const std::string ip : {"46.19.137.1", "57.72.6.1", "2.16.0.1"}) {
    EXPECT_EQ(CountryOrDie(*geo_, ip), std::nullopt) << ip;
  }
}

TEST_F(GeoIpLegacyTest, AnswersAreUppercaseAlpha2) {
  ASSERT_NE(geo_, nullptr);
  // A spread of public addresses: every answer is two uppercase letters.
  int answered = 0;
  for (int a = 1; a < 224; a += 3) {
    std::string ip = std::to_string(a) + ".77.1.9";
    auto r = geo_->CountryOf(ip);
    ASSERT_TRUE(r.ok()) << ip;
    if (!*r) continue;
    ++answered;
    ASSERT_EQ(r->value().size(), 2u) << ip;
    EXPECT_TRUE(std::isupper(static_cast<unsigned char>((**r)[0])) &&
                std::isupper(static_cast<unsigned char>((**r)[1])))
        << ip << " → " << **r;
    EXPECT_NE(**r, "EU") << ip;
    EXPECT_NE(**r, "AP") << ip;
  }
  EXPECT_GT(answered, 40);
}

TEST_F(GeoIpLegacyTest, InvalidTextIsRefused) {
  ASSERT_NE(geo_, nullptr);
  for (const auto& text : kNotAddresses) ExpectInvalidIp(geo_->CountryOf(text), text);
  // An embedded NUL must not cut the text short.
  ExpectInvalidIp(geo_->CountryOf(std::string_view("8.8.8.8\0junk", 12)), "8.8.8.8\\0junk");
}

TEST_F(GeoIpLegacyTest, ConcurrentLookupsAgree) {
  ASSERT_NE(geo_, nullptr);
  std::vector<std::pair<std::string, std::optional<std::string>>> cases;
  for (const auto& [ip, cc] : kKnownV4) cases.emplace_back(ip, cc);
  for (const auto& [ip, cc] : kKnownV6) cases.emplace_back(ip, cc);
  for (const auto& ip : kNoCountry) cases.emplace_back(ip, std::nullopt);
  constexpr int kThreads = 8;
  constexpr int kRounds = 300;
  std::atomic<int> wrong{0};
  std::atomic<int> done{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const auto& [ip, want] = cases[static_cast<size_t>(i + t) % cases.size()];
        auto r = geo_->CountryOf(ip);
        if (!r.ok() || *r != want) ++wrong;
        ++done;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(done.load(), kThreads * kRounds);
}

TEST(GeoIpLegacyOpenTest, MissingDirectoryIsAClearError) {
  auto g = OpenLegacyGeoIp("/nonexistent/geoip");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(g.error().code, "invalid_geoip");
  EXPECT_EQ(g.error().field, "geoip");
  EXPECT_NE(g.error().message.find("/nonexistent/geoip/GeoIP.dat"), std::string::npos)
      << g.error().message;
  EXPECT_NE(g.error().message.find("geoip-database"), std::string::npos) << g.error().message;
}

TEST(GeoIpLegacyOpenTest, MissingIpv6FileIsAClearError) {
  TempDir dir;
  fs::create_symlink(fs::path(kDebianDir) / "GeoIP.dat", dir.path() / "GeoIP.dat");
  auto g = OpenLegacyGeoIp(dir.path().string());
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "invalid_geoip");
  EXPECT_NE(g.error().message.find("GeoIPv6.dat"), std::string::npos) << g.error().message;
}

TEST(GeoIpLegacyOpenTest, SwappedFilesAreRefused) {
  TempDir dir;
  fs::create_symlink(fs::path(kDebianDir) / "GeoIPv6.dat", dir.path() / "GeoIP.dat");
  fs::create_symlink(fs::path(kDebianDir) / "GeoIP.dat", dir.path() / "GeoIPv6.dat");
  auto g = OpenLegacyGeoIp(dir.path().string());
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "invalid_geoip");
  EXPECT_NE(g.error().message.find("not a GeoIP Country"), std::string::npos) << g.error().message;
}

TEST(GeoIpLegacyOpenTest, ADirectoryNamedLikeTheFileIsRefused) {
  TempDir dir;
  fs::create_directory(dir.path() / "GeoIP.dat");
  auto g = OpenLegacyGeoIp(dir.path().string());
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.error().code, "invalid_geoip");
}

// ----- MaxMind DB -----

class GeoIpMaxMindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() / "test-country.mmdb";
    WriteFile(path_, TestMmdbV6());
    auto g = OpenMaxMindGeoIp(path_.string());
    ASSERT_TRUE(g.ok()) << g.error().message;
    geo_ = std::move(g).value();
  }
  TempDir dir_;
  fs::path path_;
  std::unique_ptr<GeoIp> geo_;
};

TEST_F(GeoIpMaxMindTest, ReadsCountryIsoCode) {
  EXPECT_EQ(CountryOrDie(*geo_, "1.2.3.4"), "AU");
  EXPECT_EQ(CountryOrDie(*geo_, "1.2.3.255"), "AU");
  EXPECT_EQ(CountryOrDie(*geo_, "2001:db8:1:ffff::1"), "JP");
  EXPECT_EQ(CountryOrDie(*geo_, "2a0f:1::1"), "GB");
}

TEST_F(GeoIpMaxMindTest, FallsBackToRegisteredCountry) {
  EXPECT_EQ(CountryOrDie(*geo_, "5.6.7.8"), "DE");
  EXPECT_EQ(CountryOrDie(*geo_, "11.1.2.3"), "CA");  // country has the wrong shape
}

TEST_F(GeoIpMaxMindTest, NormalisesAndValidatesCodes) {
  EXPECT_EQ(CountryOrDie(*geo_, "9.9.9.9"), "FR");           // stored as "fr"
  EXPECT_EQ(CountryOrDie(*geo_, "12.0.0.1"), std::nullopt);  // "USA" is not alpha-2
}

TEST_F(GeoIpMaxMindTest, NoAnswer) {
  EXPECT_EQ(CountryOrDie(*geo_, "7.7.7.7"), std::nullopt);  // entry without a country
  EXPECT_EQ(CountryOrDie(*geo_, "1.2.4.1"), std::nullopt);  // next to a known block
  EXPECT_EQ(CountryOrDie(*geo_, "9.9.9.8"), std::nullopt);
  EXPECT_EQ(CountryOrDie(*geo_, "2001:db8:2::1"), std::nullopt);
  for (const auto& ip : kNoCountry) EXPECT_EQ(CountryOrDie(*geo_, ip), std::nullopt) << ip;
}

TEST_F(GeoIpMaxMindTest, Ipv4MappedIpv6IsLookedUpAsIpv4) {
  EXPECT_EQ(CountryOrDie(*geo_, "::ffff:1.2.3.4"), "AU");
  EXPECT_EQ(CountryOrDie(*geo_, "::ffff:0506:0708"), "DE");
}

TEST_F(GeoIpMaxMindTest, InvalidTextIsRefused) {
  for (const auto& text : kNotAddresses) ExpectInvalidIp(geo_->CountryOf(text), text);
}

TEST_F(GeoIpMaxMindTest, ConcurrentLookupsAgree) {
  const std::vector<std::pair<std::string, std::optional<std::string>>> cases = {
      {"1.2.3.4", "AU"},       {"5.6.7.8", "DE"},          {"7.7.7.7", std::nullopt},
      {"2001:db8:1::5", "JP"}, {"10.0.0.1", std::nullopt}, {"::ffff:9.9.9.9", "FR"}};
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const auto& [ip, want] = cases[static_cast<size_t>(i + t) % cases.size()];
        auto r = geo_->CountryOf(ip);
        if (!r.ok() || *r != want) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(GeoIpMaxMindOpenTest, Ipv6InAnIpv4DatabaseHasNoAnswer) {
  TempDir dir;
  mmdb::Writer w(4);
  w.Insert("1.2.3.0/24", mmdb::Map({{"country", mmdb::Iso("AU")}}));
  WriteFile(dir.path() / "v4.mmdb", w.Build());
  auto g = OpenMaxMindGeoIp((dir.path() / "v4.mmdb").string());
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(CountryOrDie(**g, "1.2.3.9"), "AU");
  EXPECT_EQ(CountryOrDie(**g, "::ffff:1.2.3.9"), "AU");
  EXPECT_EQ(CountryOrDie(**g, "2001:db8::1"), std::nullopt);
  ExpectInvalidIp((*g)->CountryOf("1.2.3"), "1.2.3");
}

TEST(GeoIpMaxMindOpenTest, MissingOrCorruptFilesAreClearErrors) {
  TempDir dir;
  auto missing = OpenMaxMindGeoIp((dir.path() / "none.mmdb").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::kInvalid);
  EXPECT_EQ(missing.error().code, "invalid_geoip");
  EXPECT_EQ(missing.error().field, "geoip");
  EXPECT_NE(missing.error().message.find("none.mmdb"), std::string::npos);

  WriteFile(dir.path() / "garbage.mmdb", std::string(4096, 'x'));
  auto garbage = OpenMaxMindGeoIp((dir.path() / "garbage.mmdb").string());
  ASSERT_FALSE(garbage.ok());
  EXPECT_EQ(garbage.error().code, "invalid_geoip");

  WriteFile(dir.path() / "empty.mmdb", "");
  auto empty = OpenMaxMindGeoIp((dir.path() / "empty.mmdb").string());
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.error().code, "invalid_geoip");

  // A legacy .dat file is not a MaxMind DB.
  auto legacy = OpenMaxMindGeoIp(std::string(kDebianDir) + "/GeoIP.dat");
  ASSERT_FALSE(legacy.ok());
  EXPECT_EQ(legacy.error().code, "invalid_geoip");

  // Metadata that does not match the tree (a truncated file).
  std::string db = TestMmdbV6();
  const size_t metadata = db.find("\xAB\xCD\xEFMaxMind.com");
  WriteFile(dir.path() / "truncated.mmdb", db.substr(0, 200) + db.substr(metadata));
  auto truncated = OpenMaxMindGeoIp((dir.path() / "truncated.mmdb").string());
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, "invalid_geoip");
}

TEST(GeoIpMaxMindOpenTest, DamagedDataIsAnInternalError) {
  // The tree points into a data section that is gone: libmaxminddb opens the
  // file (it checks the tree lazily), and the lookup reports the damage.
  mmdb::Writer w(6);
  w.Insert("1.2.3.0/24", mmdb::Map({{"country", mmdb::Iso("AU")}}));
  std::string db = w.Build();
  const size_t metadata = db.find("\xAB\xCD\xEFMaxMind.com");
  TempDir dir;
  WriteFile(dir.path() / "nodata.mmdb", db.substr(0, w.TreeSize() + 16) + db.substr(metadata));
  auto g = OpenMaxMindGeoIp((dir.path() / "nodata.mmdb").string());
  ASSERT_TRUE(g.ok()) << g.error().message;
  auto r = (*g)->CountryOf("1.2.3.4");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInternal);
  EXPECT_EQ(CountryOrDie(**g, "5.5.5.5"), std::nullopt);  // not in the tree: fine
}

// ----- OpenGeoIp -----

TEST(GeoIpOpenTest, EmptyAndLegacyOpenTheDebianDatabase) {
  for (const std::string spec : {"", "legacy"}) {
    auto g = OpenGeoIp(spec);
    ASSERT_TRUE(g.ok()) << spec << ": " << g.error().message;
    EXPECT_EQ(CountryOrDie(**g, "8.8.8.8"), "US");
  }
}

TEST(GeoIpOpenTest, MmdbPathOpensMaxMind) {
  TempDir dir;
  fs::path p = dir.path() / "x.mmdb";
  WriteFile(p, TestMmdbV6());
  auto g = OpenGeoIp(p.string());
  ASSERT_TRUE(g.ok()) << g.error().message;
  EXPECT_EQ(CountryOrDie(**g, "1.2.3.4"), "AU");

  auto missing = OpenGeoIp((dir.path() / "y.mmdb").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "invalid_geoip");
}

TEST(GeoIpOpenTest, OtherSpecsAreRefused) {
  for (const std::string spec :
       {"maxmind", ".mmdb", "/usr/share/GeoIP", "GeoIP.dat", "x.mmdb.gz", "Legacy"}) {
    auto g = OpenGeoIp(spec);
    ASSERT_FALSE(g.ok()) << spec;
    EXPECT_EQ(g.error().kind, ErrorKind::kInvalid) << spec;
    EXPECT_EQ(g.error().code, "invalid_geoip") << spec;
    EXPECT_EQ(g.error().field, "geoip") << spec;
  }
}

// ----- StaticGeoIp -----

TEST(GeoIpStaticTest, AnswersFromItsMap) {
  StaticGeoIp g({{"203.0.113.7", "MX"}, {"2001:DB8::1", "US"}, {"not an ip", "ZZ"}});
  EXPECT_EQ(CountryOrDie(g, "203.0.113.7"), "MX");
  EXPECT_EQ(CountryOrDie(g, "::ffff:203.0.113.7"), "MX");
  EXPECT_EQ(CountryOrDie(g, "2001:db8:0:0::1"), "US");
  EXPECT_EQ(CountryOrDie(g, "203.0.113.8"), std::nullopt);
  ExpectInvalidIp(g.CountryOf("not an ip"), "not an ip");
  ExpectInvalidIp(g.CountryOf(" 203.0.113.7"), " 203.0.113.7");
}

TEST(GeoIpStaticTest, UsableThroughTheInterface) {
  std::unique_ptr<GeoIp> g =
      std::make_unique<StaticGeoIp>(std::map<std::string, std::string>{{"198.51.100.1", "CA"}});
  EXPECT_EQ(CountryOrDie(*g, "198.51.100.1"), "CA");
  EXPECT_EQ(CountryOrDie(*g, "198.51.100.2"), std::nullopt);
}

}  // namespace
}  // namespace payops::adapters
