#include "payops/adapters/geoip.h"

#include <GeoIP.h>
#include <maxminddb.h>

#include <mutex>

#include "payops/core/validate.h"

namespace payops::adapters {
namespace {

Error InvalidIp() {
  return Error::Invalid("invalid_ip_address", "ip_address must be an IPv4 or IPv6 address",
                        "ip_address");
}

std::optional<std::string> Country(const char* code) {
  if (code == nullptr || std::string_view(code).size() != 2 || std::string_view(code) == "--") {
    return std::nullopt;
  }
  return std::string(code);
}

class LegacyGeoIp final : public GeoIp {
 public:
  LegacyGeoIp(GeoIP* v4, GeoIP* v6) : v4_(v4), v6_(v6) {}
  ~LegacyGeoIp() override {
    if (v4_) GeoIP_delete(v4_);
    if (v6_) GeoIP_delete(v6_);
  }
  Result<std::optional<std::string>> CountryOf(std::string_view ip) const override {
    if (!IsIpAddress(ip)) return InvalidIp();
    std::string text(ip);
    // The library keeps per-handle state: one lookup at a time.
    std::lock_guard lock(mu_);
    if (text.find(':') == std::string::npos) return Country(GeoIP_country_code_by_addr(v4_, text.c_str()));
    if (v6_ == nullptr) return std::optional<std::string>();
    return Country(GeoIP_country_code_by_addr_v6(v6_, text.c_str()));
  }

 private:
  GeoIP* v4_;
  GeoIP* v6_;
  mutable std::mutex mu_;
};

class MaxMindGeoIp final : public GeoIp {
 public:
  ~MaxMindGeoIp() override { MMDB_close(&db_); }
  Status Open(const std::string& path) {
    int rc = MMDB_open(path.c_str(), MMDB_MODE_MMAP, &db_);
    if (rc != MMDB_SUCCESS) {
      return Error::Invalid("invalid_geoip", "cannot open " + path + ": " + MMDB_strerror(rc),
                            "geoip");
    }
    return Status::Ok();
  }
  Result<std::optional<std::string>> CountryOf(std::string_view ip) const override {
    if (!IsIpAddress(ip)) return InvalidIp();
    std::string text(ip);
    int gai = 0, mmdb = 0;
    MMDB_lookup_result_s r = MMDB_lookup_string(&db_, text.c_str(), &gai, &mmdb);
    if (gai != 0 || mmdb != MMDB_SUCCESS) return InvalidIp();
    if (!r.found_entry) return std::optional<std::string>();
    for (const char* root : {"country", "registered_country"}) {
      MMDB_entry_data_s data;
      int status = MMDB_get_value(&r.entry, &data, root, "iso_code", nullptr);
      if (status == MMDB_SUCCESS && data.has_data && data.type == MMDB_DATA_TYPE_UTF8_STRING &&
          data.data_size == 2) {
        return std::optional<std::string>(std::string(data.utf8_string, 2));
      }
    }
    return std::optional<std::string>();
  }

 private:
  mutable MMDB_s db_{};
};

}  // namespace

Result<std::unique_ptr<GeoIp>> OpenLegacyGeoIp(const std::string& dir) {
  std::string v4 = dir + "/GeoIP.dat";
  std::string v6 = dir + "/GeoIPv6.dat";
  GeoIP* h4 = GeoIP_open(v4.c_str(), GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
  if (h4 == nullptr) {
    return Error::Invalid("invalid_geoip",
                          "cannot open " + v4 + " (Debian package geoip-database)", "geoip");
  }
  GeoIP* h6 = GeoIP_open(v6.c_str(), GEOIP_MEMORY_CACHE | GEOIP_SILENCE);
  return std::unique_ptr<GeoIp>(std::make_unique<LegacyGeoIp>(h4, h6));
}

Result<std::unique_ptr<GeoIp>> OpenMaxMindGeoIp(const std::string& mmdb_path) {
  auto g = std::make_unique<MaxMindGeoIp>();
  PAYOPS_TRY(g->Open(mmdb_path));
  return std::unique_ptr<GeoIp>(std::move(g));
}

Result<std::unique_ptr<GeoIp>> OpenGeoIp(const std::string& spec) {
  if (spec.empty() || spec == "legacy") return OpenLegacyGeoIp();
  if (spec.size() > 5 && spec.substr(spec.size() - 5) == ".mmdb") return OpenMaxMindGeoIp(spec);
  return Error::Invalid("invalid_geoip", "geoip must be empty, \"legacy\" or a .mmdb path", "geoip");
}

Result<std::optional<std::string>> StaticGeoIp::CountryOf(std::string_view ip) const {
  if (!IsIpAddress(ip)) return InvalidIp();
  auto it = countries_.find(std::string(ip));
  if (it == countries_.end()) return std::optional<std::string>();
  return std::optional<std::string>(it->second);
}

}  // namespace payops::adapters
