// IP address → country (SPEC §2.2 step 3), behind an interface: the Debian
// GeoIP database (packages geoip-database, libgeoip) by default, MaxMind .mmdb
// files (libmaxminddb) for production data, a static map for tests.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "payops/core/result.h"

namespace payops::adapters {

class GeoIp {
 public:
  virtual ~GeoIp() = default;
  // The ISO 3166 alpha-2 country of `ip`, or nullopt when the database has no
  // answer (private ranges, unknown blocks). Error kInvalid
  // "invalid_ip_address" (field "ip_address") for text that is not an address.
  // Safe to call from several threads.
  virtual Result<std::optional<std::string>> CountryOf(std::string_view ip) const = 0;
};

// The legacy GeoIP Country databases (GeoIP.dat, GeoIPv6.dat) in `dir`.
Result<std::unique_ptr<GeoIp>> OpenLegacyGeoIp(const std::string& dir = "/usr/share/GeoIP");
// A MaxMind DB file (GeoLite2-Country.mmdb and the like).
Result<std::unique_ptr<GeoIp>> OpenMaxMindGeoIp(const std::string& mmdb_path);
// "" or "legacy": the Debian database; a path ending in .mmdb: MaxMind.
Result<std::unique_ptr<GeoIp>> OpenGeoIp(const std::string& spec);

// A fixed map, for tests.
class StaticGeoIp final : public GeoIp {
 public:
  explicit StaticGeoIp(std::map<std::string, std::string> countries)
      : countries_(std::move(countries)) {}
  Result<std::optional<std::string>> CountryOf(std::string_view ip) const override;

 private:
  std::map<std::string, std::string> countries_;
};

}  // namespace payops::adapters
