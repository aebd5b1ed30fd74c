// An org: a business client with its plans, calendar data and fee schedule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "payops/core/clock.h"
#include "payops/core/result.h"

namespace payops {

struct Fee {
  std::string direction;  // payin | payout
  std::string currency;   // ISO 4217
  std::string corridor;   // "US-MX"
  int64_t fee_minor = 0;
};

struct EmiInfo {
  std::string name;
  std::string contact_email;
  std::string escalation_procedure;
};

struct Org {
  std::string id;
  std::string name;
  std::string domain;          // lowercase
  std::string sla_plan;        // essentials | reserve | vip
  std::string hypercare_plan;  // standard | plus | pro
  std::string bau_plan;        // standard | plus | pro
  std::string go_live_date;    // YYYY-MM-DD
  std::vector<std::string> allowed_countries;
  std::vector<Fee> fees;
  std::optional<EmiInfo> emi;
  // Set by an admin for a regulated client that runs its own KYC program:
  // its partners may set their end users' KYC status (never the tier).
  bool kyc_by_partner = false;
  // Where the monthly statement is emailed (SPEC §3.7); may be empty.
  std::vector<std::string> billing_emails;
  Instant created_at;
  Instant updated_at;
};

constexpr size_t kMaxOrgFees = 200;
constexpr size_t kMaxAllowedCountries = 250;
constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxBillingEmails = 20;

// billing_emails: at most kMaxBillingEmails addresses, each IsEmail, no
// duplicates (ASCII case-insensitive); error invalid_value (field billing_emails).
Status ValidateBillingEmails(const std::vector<std::string>& emails);

bool IsSlaPlan(std::string_view s);
bool IsSupportPlan(std::string_view s);
// "US-MX": two ISO country codes joined by '-'.
bool IsCorridor(std::string_view s);

// Checks every field of a new org; the error names the field at fault.
Status ValidateOrg(const Org& org);

}  // namespace payops
