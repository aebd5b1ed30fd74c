// IP address → country (SPEC §2.2 step 3), behind an interface:
//   - the legacy GeoIP Country databases that Debian ships (packages
//     geoip-database + libgeoip1): the default;
//   - MaxMind DB files (.mmdb, libmaxminddb), e.g. GeoLite2-Country.mmdb;
//   - a fixed map, for tests.
// Every implementation is safe for concurrent CountryOf calls once opened.
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
  virtual ~GeoIp();

  // The ISO 3166-1 alpha-2 code (two uppercase letters) of the country `ip`
  // belongs to, or nullopt when the database has no answer for it (private,
  // loopback, link-local, multicast and documentation ranges; unassigned
  // blocks; the pseudo-countries of old databases: anonymous proxy, satellite
  // provider, "Europe", "Asia/Pacific").
  // `ip` must be the exact text of an IPv4 (dotted quad) or IPv6 address: no
  // surrounding spaces, no zone id, at most 45 characters; an IPv4-mapped
  // IPv6 address (::ffff:a.b.c.d) is looked up as its IPv4 address.
  // Otherwise Error kInvalid "invalid_ip_address", field "ip_address".
  // An Error of another kind means the database itself failed.
  // Safe to call from several threads at once.
  virtual Result<std::optional<std::string>> CountryOf(std::string_view ip) const = 0;
};

// Opens the legacy GeoIP Country databases `dir`/GeoIP.dat (IPv4) and
// `dir`/GeoIPv6.dat (IPv6), loaded into memory (GEOIP_MEMORY_CACHE).
// Error kInvalid "invalid_geoip" (field "geoip") when either file is missing,
// unreadable or not a Country edition database.
Result<std::unique_ptr<GeoIp>> OpenLegacyGeoIp(std::string dir = "/usr/share/GeoIP");

// Opens a MaxMind DB file (memory-mapped). Answers country.iso_code, or
// registered_country.iso_code when the entry has no country. Error kInvalid
// "invalid_geoip" (field "geoip") when the file is missing or not a valid
// MaxMind DB. An IPv6 address looked up in an IPv4-only database has no answer.
Result<std::unique_ptr<GeoIp>> OpenMaxMindGeoIp(const std::string& mmdb_path);

// Opens the database named by a configuration value: "" or "legacy" → the
// Debian legacy databases in /usr/share/GeoIP; a path ending in ".mmdb" →
// that MaxMind DB. Anything else: Error kInvalid "invalid_geoip".
Result<std::unique_ptr<GeoIp>> OpenGeoIp(const std::string& spec);

// A fixed map from address to country, for tests. Keys and queries are
// compared as addresses (so "2001:DB8::1" finds "2001:db8:0::1"); a key that
// is not an address never matches. Countries are returned as given.
class StaticGeoIp final : public GeoIp {
 public:
  explicit StaticGeoIp(std::map<std::string, std::string> countries);

  // As GeoIp::CountryOf: the mapped country, or nullopt for an unmapped address.
  Result<std::optional<std::string>> CountryOf(std::string_view ip) const override;

 private:
  std::map<std::string, std::string> countries_;  // canonical address → country
};

}  // namespace payops::adapters
