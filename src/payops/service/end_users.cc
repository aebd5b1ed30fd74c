#include "payops/service/end_users.h"
#include "payops/service/audit.h"

#include <boost/json.hpp>

#include "payops/core/validate.h"
#include "payops/service/transactions.h"
#include "payops/store/orgs.h"

namespace payops::service {
namespace {

Status CanRead(const Actor& actor) {
  if (actor.role == Role::kEmi) return Error::Forbidden("EMI users do not read end users");
  return Status::Ok();
}

// What the actor may decide of a user of `org` (core/end_user.h).
KycAuthority AuthorityOf(const Actor& actor, const Org& org) {
  return KycAuthority{IsStaff(actor.role), org.kyc_by_partner};
}

std::string ChangeJson(std::string_view field, std::string_view from, std::string_view to,
                       std::string_view reason) {
  boost::json::object o;
  o["field"] = field;
  o["from"] = from;
  o["to"] = to;
  o["reason"] = reason;
  return boost::json::serialize(o);
}

}  // namespace

Result<EndUser> CreateEndUser(Env& env, const Actor& actor, EndUser u) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kPartner}));
  if (actor.tenant()) {
    if (u.org_id.empty()) u.org_id = *actor.tenant();
    if (u.org_id != *actor.tenant()) return Error::NotFound("org");
  }
  if (u.org_id.empty()) return Error::Invalid("missing_field", "org_id is required", "org_id");
  u.email = ToLowerAscii(u.email);
  PAYOPS_TRY(ValidateEndUser(u));
  u.id = env.ids.New("usr");
  u.created_at = u.updated_at = u.kyc_status_since = env.clock.Now();
  Status s = env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, u.org_id));
    if (!org) return Error::NotFound("org");
    PAYOPS_TRY(CheckNewUserAuthority(AuthorityOf(actor, *org), u));
    return store::InsertEndUser(tx, u);
  });
  if (!s.ok() && s.error().code == "duplicate") {
    return Error::Conflict("email_taken", "the org already has a user with this email");
  }
  PAYOPS_TRY(s);
  return u;
}

Result<EndUser> GetEndUser(Env& env, const Actor& actor, const std::string& id) {
  PAYOPS_TRY(CanRead(actor));
  std::optional<EndUser> u;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(u, store::FindEndUser(tx, id, actor.tenant()));
    return Status::Ok();
  }));
  if (!u) return Error::NotFound("user");
  return std::move(*u);
}

Result<store::Page<EndUser>> ListEndUsers(Env& env, const Actor& actor,
                                          const store::PageRequest& page,
                                          store::EndUserFilter filter) {
  PAYOPS_TRY(CanRead(actor));
  if (actor.tenant()) {
    if (filter.org_id && *filter.org_id != *actor.tenant()) {
      return store::Page<EndUser>{};  // another org's users: nothing to see
    }
    filter.org_id = actor.tenant();
  }
  store::Page<EndUser> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListEndUsers(tx, page, filter));
    return Status::Ok();
  }));
  return out;
}

Result<LimitUsage> EndUserLimits(Env& env, const Actor& actor, const std::string& id) {
  PAYOPS_TRY(CanRead(actor));
  LimitUsage out;
  out.as_of = env.clock.Now();
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto u, store::FindEndUser(tx, id, actor.tenant()));
    if (!u) return Error::NotFound("user");
    out.user = std::move(*u);
    PAYOPS_ASSIGN_OR_RETURN(
        auto recent, store::UserRecentActivity(tx, out.user.id, out.as_of - kDailyLimitWindow,
                                               out.as_of - kRolling30DaysLimitWindow));
    out.used_day_minor = recent.usage_since_day_minor;
    out.used_30_days_minor = recent.usage_since_month_minor;
    out.transactions_day = recent.count_since_day;
    return Status::Ok();
  }));
  PAYOPS_ASSIGN_OR_RETURN(out.limit, LimitForTier(env.tier_limits, out.user.tier));
  out.currency = std::string(env.tier_limits.currency);
  return out;
}

Result<EndUser> PatchEndUser(Env& env, const Actor& actor, const std::string& id,
                             const EndUserPatch& patch, const std::string& reason) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent, Role::kPartner}));
  std::optional<EndUser> result;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    // The user's lock first (store::LockEndUser): this write conflicts with
    // the user's initiations, and a snapshot taken while none holds the lock
    // is not overtaken by one (a later read would leave the whole write open
    // to every initiation that commits meanwhile, and retried until it gives up).
    PAYOPS_ASSIGN_OR_RETURN(auto found, store::LockEndUser(tx, id, actor.tenant()));
    if (!found) return Error::NotFound("user");
    EndUser u = *found;
    Instant now = env.clock.Now();
    std::vector<std::tuple<std::string, std::string, std::string>> changes;
    if (patch.kyc_status && *patch.kyc_status != u.kyc_status) {
      changes.emplace_back("kyc_status", KycStatusName(u.kyc_status),
                           KycStatusName(*patch.kyc_status));
      u.kyc_status = *patch.kyc_status;
      u.kyc_status_since = now;
    }
    if (patch.tier && *patch.tier != u.tier) {
      changes.emplace_back("tier", std::to_string(u.tier), std::to_string(*patch.tier));
      u.tier = *patch.tier;
    }
    if (patch.state && patch.state != u.state) {
      changes.emplace_back("state", u.state.value_or(""), *patch.state);
      u.state = patch.state;
    }
    PAYOPS_TRY(ValidateEndUser(u));
    if (!IsStaff(actor.role)) {
      PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, u.org_id));
      if (!org) return Error::NotFound("user");
      PAYOPS_TRY(CheckUserChangeAuthority(AuthorityOf(actor, *org), *found, u));
    }
    bool became_verified =
        found->kyc_status != KycStatus::kVerified && u.kyc_status == KycStatus::kVerified;
    bool became_suspended =
        found->kyc_status != KycStatus::kSuspended && u.kyc_status == KycStatus::kSuspended;
    if (!changes.empty()) {
      u.updated_at = now;
      PAYOPS_TRY(store::UpdateEndUser(tx, u));
      boost::json::object before_json, after_json;
      for (const auto& [field, from, to] : changes) {
        before_json[field] = from;
        after_json[field] = to;
      }
      after_json["reason"] = reason;
      PAYOPS_TRY(RecordAudit(env, tx, actor, "end_user.update", "end_user", u.id, before_json,
                             after_json));
      for (const auto& [field, from, to] : changes) {
        PAYOPS_TRY(store::AppendAudit(
            tx, store::AuditEntry{env.ids.New("aud"), "end_user", u.id, now, actor.member_id,
                                  "update", ChangeJson(field, from, to, reason)}));
      }
      // Holds and open transactions follow the user's KYC status in the same commit.
      if (became_verified) PAYOPS_TRY(OnKycVerified(env, tx, u.id));
      if (became_suspended) PAYOPS_TRY(OnUserSuspended(env, tx, u.id));
    }
    result = u;
    return Status::Ok();
  }));
  return std::move(*result);
}

Result<store::Page<store::AuditEntry>> EndUserHistory(Env& env, const Actor& actor,
                                                      const std::string& id,
                                                      const store::PageRequest& page) {
  PAYOPS_TRY(GetEndUser(env, actor, id));
  store::Page<store::AuditEntry> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListAudit(tx, "end_user", id, page));
    return Status::Ok();
  }));
  return out;
}

}  // namespace payops::service
