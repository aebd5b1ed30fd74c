#include "payops/service/api_keys.h"
#include "payops/service/audit.h"

#include "payops/core/org.h"
#include "payops/core/validate.h"
#include "payops/store/members.h"
#include "payops/store/orgs.h"

namespace payops::service {
namespace {
constexpr size_t kMaxKeyBytes = 128;
}

Result<CreatedApiKey> CreateApiKey(Env& env, const Actor& actor, const NewApiKey& in) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin}));
  if (in.name.empty() || in.name.size() > kMaxNameBytes) {
    return Error::Invalid("invalid_value", "name must be 1 to 200 bytes", "name");
  }
  if (!IsEmail(in.email))
    return Error::Invalid("invalid_email", "email is not an email address", "email");
  if (in.role == Role::kPartner && !in.org_id) {
    return Error::Invalid("missing_field", "a partner key needs org_id", "org_id");
  }
  if (in.role != Role::kPartner && in.org_id) {
    return Error::Invalid("invalid_value", "only partner keys belong to an org", "org_id");
  }
  if (in.org_admin && in.role != Role::kPartner) {
    return Error::Invalid("invalid_value", "only a partner administers an org", "org_admin");
  }
  CreatedApiKey out;
  out.key = "po_" + RandomToken(20);
  out.id = env.ids.New("key");
  std::string email = ToLowerAscii(in.email);
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    if (in.org_id) {
      PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, *in.org_id));
      if (!org) return Error::NotFound("org");
    }
    PAYOPS_ASSIGN_OR_RETURN(auto member, store::FindMemberByEmail(tx, in.role, in.org_id, email));
    if (!member) {
      member = store::Member{env.ids.New("mem"), in.role,     in.org_id, in.name, email,
                             env.clock.Now(),    in.org_admin};
      PAYOPS_TRY(store::InsertMember(tx, *member));
    } else if (in.org_admin && !member->org_admin) {
      PAYOPS_TRY(store::SetOrgAdmin(tx, member->id, true));
    }
    out.member_id = member->id;
    PAYOPS_TRY(store::InsertApiKey(
        tx, store::ApiKeyRecord{out.id, member->id, Sha256Hex(out.key), in.name, env.clock.Now()}));
    // The key itself never enters the trail: its id, owner and role do.
    boost::json::object after{{"name", in.name},
                              {"member_id", member->id},
                              {"role", std::string(RoleName(in.role))},
                              {"org_admin", in.org_admin}};
    after["org_id"] = in.org_id ? boost::json::value(*in.org_id) : boost::json::value(nullptr);
    return RecordAudit(env, tx, actor, "api_key.create", "api_key", out.id, nullptr, after);
  }));
  return out;
}

Result<Actor> Authenticator::Authenticate(std::string_view key) {
  if (key.empty() || key.size() > kMaxKeyBytes) {
    return Error{
        ErrorKind::kUnauthenticated, "unauthenticated", "missing or malformed API key", {}};
  }
  std::string hash = Sha256Hex(key);
  Instant now = env_.clock.Now();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(hash);
    if (it != cache_.end() && it->second.expires > now) return it->second.actor;
  }
  std::optional<store::Member> member;
  PAYOPS_TRY(env_.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(member, store::FindMemberByKeyHash(tx, hash));
    return Status::Ok();
  }));
  if (!member) {
    return Error{ErrorKind::kUnauthenticated, "unauthenticated", "unknown or revoked API key", {}};
  }
  Actor actor{member->id,   member->role,  member->org_id,
              member->name, member->email, member->org_admin};
  std::lock_guard lock(mu_);
  if (cache_.size() >= max_entries_) cache_.clear();
  cache_[hash] = Entry{actor, now + ttl_};
  return actor;
}

}  // namespace payops::service
