#include "payops/core/org.h"

#include <set>
#include <tuple>

#include "payops/core/money.h"
#include "payops/core/validate.h"

namespace payops {

bool IsSlaPlan(std::string_view s) {
  return s == "essentials" || s == "reserve" || s == "vip";
}
bool IsSupportPlan(std::string_view s) {
  return s == "standard" || s == "plus" || s == "pro";
}
bool IsCorridor(std::string_view s) {
  return s.size() == 5 && s[2] == '-' && IsCountryCode(s.substr(0, 2)) &&
         IsCountryCode(s.substr(3, 2));
}

Status ValidateOrg(const Org& org) {
  if (org.name.empty() || org.name.size() > kMaxNameBytes) {
    return Error::Invalid("invalid_value", "name must be 1 to 200 bytes", "name");
  }
  if (!IsDomain(org.domain))
    return Error::Invalid("invalid_value", "domain is not a DNS name", "domain");
  if (!IsSlaPlan(org.sla_plan)) {
    return Error::Invalid("invalid_value", "sla_plan must be essentials, reserve or vip",
                          "sla_plan");
  }
  if (!IsSupportPlan(org.hypercare_plan)) {
    return Error::Invalid("invalid_value", "hypercare_plan must be standard, plus or pro",
                          "hypercare_plan");
  }
  if (!IsSupportPlan(org.bau_plan)) {
    return Error::Invalid("invalid_value", "bau_plan must be standard, plus or pro", "bau_plan");
  }
  if (!IsDate(org.go_live_date)) {
    return Error::Invalid("invalid_value", "go_live_date must be YYYY-MM-DD", "go_live_date");
  }
  if (org.allowed_countries.empty() || org.allowed_countries.size() > kMaxAllowedCountries) {
    return Error::Invalid("invalid_value", "allowed_countries must list 1 to 250 countries",
                          "allowed_countries");
  }
  for (const auto& c : org.allowed_countries) {
    if (!IsCountryCode(c)) {
      return Error::Invalid("invalid_value",
                            "allowed_countries holds '" + c + "', not an ISO 3166 alpha-2 code",
                            "allowed_countries");
    }
  }
  if (org.fees.size() > kMaxOrgFees) {
    return Error::Invalid("invalid_value", "at most 200 fees", "fees");
  }
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const Fee& f : org.fees) {
    if (f.direction != "payin" && f.direction != "payout") {
      return Error::Invalid("invalid_value", "fee direction must be payin or payout", "fees");
    }
    if (!Currency::Parse(f.currency).ok()) {
      return Error::Invalid("invalid_currency",
                            "fee currency '" + f.currency + "' is not an ISO 4217 code", "fees");
    }
    if (!IsCorridor(f.corridor)) {
      return Error::Invalid("invalid_value", "fee corridor must look like US-MX", "fees");
    }
    if (f.fee_minor < 0) return Error::Invalid("invalid_value", "fee must not be negative", "fees");
    PAYOPS_TRY(CheckFee(f.fee_minor, "fees"));
    if (!seen.emplace(f.direction, f.currency, f.corridor).second) {
      return Error::Invalid("duplicate_fee",
                            "two fees for " + f.direction + " " + f.currency + " " + f.corridor,
                            "fees");
    }
  }
  PAYOPS_TRY(ValidateBillingEmails(org.billing_emails));
  if (org.emi) {
    if (org.emi->name.empty() || org.emi->name.size() > kMaxNameBytes) {
      return Error::Invalid("invalid_value", "emi.name must be 1 to 200 bytes", "emi.name");
    }
    if (!IsEmail(org.emi->contact_email)) {
      return Error::Invalid("invalid_email", "emi.contact_email is not an email address",
                            "emi.contact_email");
    }
  }
  return Status::Ok();
}

Status ValidateBillingEmails(const std::vector<std::string>& emails) {
  if (emails.size() > kMaxBillingEmails) {
    return Error::Invalid("invalid_value", "billing_emails holds at most 20 addresses",
                          "billing_emails");
  }
  std::set<std::string> seen;
  for (const std::string& e : emails) {
    if (!IsEmail(e)) {
      return Error::Invalid("invalid_email", "billing_emails holds '" + e + "', not an address",
                            "billing_emails");
    }
    if (!seen.insert(ToLowerAscii(e)).second) {
      return Error::Invalid("invalid_value", "billing_emails lists " + e + " twice",
                            "billing_emails");
    }
  }
  return Status::Ok();
}

}  // namespace payops
