#include "payops/adapters/geoip.h"

#include <GeoIP.h>
#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <array>
#include <cstring>
#include <mutex>

namespace payops::adapters {
namespace {

constexpr size_t kMaxIpLength = 45;  // the longest IPv6 text (with an IPv4 tail)
constexpr const char* kField = "ip_address";
constexpr const char* kConfigField = "geoip";
constexpr std::string_view kMmdbSuffix = ".mmdb";
// Codes of the legacy databases that are not countries: unknown, Asia/Pacific,
// Europe, anonymous proxy, satellite provider, other.
constexpr std::array<std::string_view, 6> kPseudoCountries = {"--", "AP", "EU", "A1", "A2", "O1"};

// A parsed address. An IPv4-mapped IPv6 address is kept as IPv4.
struct IpAddress {
  bool is_v4 = false;
  in_addr v4{};  // network byte order
  in6_addr v6{};
};

// The address written in `text`, or nullopt when `text` is not exactly an
// IPv4 or IPv6 address (inet_pton's grammar, no spaces, no zone id, no NUL).
std::optional<IpAddress> ParseIp(std::string_view text) {
  if (text.empty() || text.size() > kMaxIpLength) return std::nullopt;
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), &a.v4) == 1) {
    a.is_v4 = true;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), &a.v6) != 1) return std::nullopt;
  if (IN6_IS_ADDR_V4MAPPED(&a.v6)) {
    a.is_v4 = true;
    std::memcpy(&a.v4, a.v6.s6_addr + 12, 4);
  }
  return a;
}

// The canonical text of an address (inet_ntop), IPv4-mapped ones as IPv4.
std::string Canonical(const IpAddress& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.is_v4) {
    inet_ntop(AF_INET, &a.v4, buf, sizeof buf);
  } else {
    inet_ntop(AF_INET6, &a.v6, buf, sizeof buf);
  }
  return buf;
}

Error InvalidIp() {
  return Error::Invalid("invalid_ip_address", "ip_address must be an IPv4 or IPv6 address", kField);
}

Error InvalidGeoIp(std::string message) {
  return Error::Invalid("invalid_geoip", std::move(message), kConfigField);
}

// `code` as an uppercase ISO 3166 alpha-2 code, or nullopt when it is not two
// ASCII letters or is one of the legacy pseudo-countries.
std::optional<std::string> IsoCountry(std::string_view code) {
  if (code.size() != 2) return std::nullopt;
  std::string out;
  for (char c : code) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c < 'A' || c > 'Z') return std::nullopt;
    out.push_back(c);
  }
  for (std::string_view pseudo : kPseudoCountries) {
    if (out == pseudo) return std::nullopt;
  }
  return out;
}

bool IsRegularFile(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// ----- Legacy GeoIP (libGeoIP, GeoIP.dat / GeoIPv6.dat) -----

struct GeoIpHandleDeleter {
  void operator()(GeoIP* gi) const { GeoIP_delete(gi); }
};
using GeoIpHandle = std::unique_ptr<GeoIP, GeoIpHandleDeleter>;

// The handles are opened with GEOIP_MEMORY_CACHE (no GEOIP_CHECK_CACHE), so a
// lookup reads the in-memory tree. libGeoIP's README calls such lookups thread
// safe, but every lookup, the *_gl variants included, also stores the matched
// netmask into the shared handle (gi->netmask): a data race under the C++
// memory model. A mutex per handle serialises the (sub-microsecond) lookups.
class LegacyGeoIp final : public GeoIp {
 public:
  LegacyGeoIp(GeoIpHandle v4, GeoIpHandle v6) : v4_(std::move(v4)), v6_(std::move(v6)) {}

  Result<std::optional<std::string>> CountryOf(std::string_view ip) const override {
    std::optional<IpAddress> a = ParseIp(ip);
    if (!a) return InvalidIp();
    GeoIPLookup gl{};
    const char* code = nullptr;  // points into libGeoIP's static table
    if (a->is_v4) {
      std::lock_guard lock(v4_mu_);
      code = GeoIP_country_code_by_ipnum_gl(v4_.get(), ntohl(a->v4.s_addr), &gl);
    } else {
      std::lock_guard lock(v6_mu_);
      code = GeoIP_country_code_by_ipnum_v6_gl(v6_.get(), a->v6, &gl);
    }
    if (code == nullptr) return std::optional<std::string>();
    return IsoCountry(code);
  }

 private:
  GeoIpHandle v4_;
  GeoIpHandle v6_;
  mutable std::mutex v4_mu_;
  mutable std::mutex v6_mu_;
};

// Opens one legacy database file and checks its edition.
Result<GeoIpHandle> OpenLegacyFile(const std::string& path, unsigned char edition) {
  if (!IsRegularFile(path)) {
    return InvalidGeoIp("GeoIP database " + path + " not found (Debian package geoip-database)");
  }
  GeoIpHandle h(GeoIP_open(path.c_str(), GEOIP_MEMORY_CACHE | GEOIP_SILENCE));
  if (!h) return InvalidGeoIp("cannot open GeoIP database " + path);
  if (GeoIP_database_edition(h.get()) != edition) {
    return InvalidGeoIp(
        "GeoIP database " + path + " is not a " +
        (edition == GEOIP_COUNTRY_EDITION ? "GeoIP Country (IPv4)" : "GeoIP Country V6") +
        " database");
  }
  return h;
}

// ----- MaxMind DB (libmaxminddb, .mmdb) -----

// MMDB_s is read-only after MMDB_open: libmaxminddb lookups on one handle are
// safe from several threads.
class MaxMindGeoIp final : public GeoIp {
 public:
  MaxMindGeoIp() = default;
  MaxMindGeoIp(const MaxMindGeoIp&) = delete;
  MaxMindGeoIp& operator=(const MaxMindGeoIp&) = delete;
  ~MaxMindGeoIp() override {
    if (open_) MMDB_close(&db_);
  }

  // Opens `path` into this object. Error "invalid_geoip" on failure.
  Status Open(const std::string& path) {
    if (!IsRegularFile(path)) return InvalidGeoIp("MaxMind database " + path + " not found");
    int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db_);
    if (rc != MMDB_SUCCESS) {
      return InvalidGeoIp("cannot open MaxMind database " + path + ": " + MMDB_strerror(rc));
    }
    open_ = true;
    return Status::Ok();
  }

  Result<std::optional<std::string>> CountryOf(std::string_view ip) const override {
    std::optional<IpAddress> a = ParseIp(ip);
    if (!a) return InvalidIp();
    sockaddr_in sin{};
    sockaddr_in6 sin6{};
    const sockaddr* sa = nullptr;
    if (a->is_v4) {
      sin.sin_family = AF_INET;
      sin.sin_addr = a->v4;
      sa = reinterpret_cast<const sockaddr*>(&sin);
    } else {
      sin6.sin6_family = AF_INET6;
      sin6.sin6_addr = a->v6;
      sa = reinterpret_cast<const sockaddr*>(&sin6);
    }
    int mmdb_error = MMDB_SUCCESS;
    MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&db_, sa, &mmdb_error);
    if (mmdb_error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) {
      return std::optional<std::string>();
    }
    if (mmdb_error != MMDB_SUCCESS) {
      return Error::Internal(std::string("MaxMind lookup failed: ") + MMDB_strerror(mmdb_error));
    }
    if (!r.found_entry) return std::optional<std::string>();
    for (const char* root : {"country", "registered_country"}) {
      const char* const path[] = {root, "iso_code", nullptr};
      MMDB_entry_data_s data{};
      int rc = MMDB_aget_value(&r.entry, &data, path);
      if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR) continue;  // e.g. country not a map
      if (rc != MMDB_SUCCESS) {
        return Error::Internal(std::string("MaxMind data unreadable: ") + MMDB_strerror(rc));
      }
      if (!data.has_data || data.type != MMDB_DATA_TYPE_UTF8_STRING) continue;
      std::optional<std::string> code =
          IsoCountry(std::string_view(data.utf8_string, data.data_size));
      if (code) return code;
    }
    return std::optional<std::string>();
  }

 private:
  MMDB_s db_{};
  bool open_ = false;
};

}  // namespace

GeoIp::~GeoIp() = default;

Result<std::unique_ptr<GeoIp>> OpenLegacyGeoIp(std::string dir) {
  PAYOPS_ASSIGN_OR_RETURN(GeoIpHandle v4,
                          OpenLegacyFile(dir + "/GeoIP.dat", GEOIP_COUNTRY_EDITION));
  PAYOPS_ASSIGN_OR_RETURN(GeoIpHandle v6,
                          OpenLegacyFile(dir + "/GeoIPv6.dat", GEOIP_COUNTRY_EDITION_V6));
  return std::unique_ptr<GeoIp>(std::make_unique<LegacyGeoIp>(std::move(v4), std::move(v6)));
}

Result<std::unique_ptr<GeoIp>> OpenMaxMindGeoIp(const std::string& mmdb_path) {
  auto g = std::make_unique<MaxMindGeoIp>();
  PAYOPS_TRY(g->Open(mmdb_path));
  return std::unique_ptr<GeoIp>(std::move(g));
}

Result<std::unique_ptr<GeoIp>> OpenGeoIp(const std::string& spec) {
  if (spec.empty() || spec == "legacy") return OpenLegacyGeoIp();
  if (spec.size() > kMmdbSuffix.size() && spec.ends_with(kMmdbSuffix)) {
    return OpenMaxMindGeoIp(spec);
  }
  return InvalidGeoIp("geoip must be empty, \"legacy\" or the path of a .mmdb file");
}

StaticGeoIp::StaticGeoIp(std::map<std::string, std::string> countries) {
  for (auto& [ip, country] : countries) {
    if (std::optional<IpAddress> a = ParseIp(ip)) countries_[Canonical(*a)] = std::move(country);
  }
}

Result<std::optional<std::string>> StaticGeoIp::CountryOf(std::string_view ip) const {
  std::optional<IpAddress> a = ParseIp(ip);
  if (!a) return InvalidIp();
  auto it = countries_.find(Canonical(*a));
  if (it == countries_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

}  // namespace payops::adapters
