#include "payops/service/tier_upgrades.h"
#include "payops/service/audit.h"

#include <sodium.h>

#include "payops/core/tier_upgrade.h"
#include "payops/service/end_users.h"
#include "payops/store/end_users.h"

namespace payops::service {
namespace {

Result<TierUpgradeView> View(store::Tx& tx, store::TierUpgrade u) {
  TierUpgradeView v;
  PAYOPS_ASSIGN_OR_RETURN(v.documents, store::ListUpgradeDocuments(tx, u.id, kMaxUpgradeDocuments));
  v.upgrade = std::move(u);
  return v;
}

// Loads the request (404 across tenants) and applies `change` in one commit.
template <class F>
Result<TierUpgradeView> Change(Env& env, const Actor& actor, const std::string& id, F&& change) {
  std::optional<TierUpgradeView> out;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto u, store::FindTierUpgrade(tx, id, actor.tenant()));
    if (!u) return Error::NotFound("tier upgrade");
    PAYOPS_TRY(change(tx, *u));
    PAYOPS_ASSIGN_OR_RETURN(out, View(tx, std::move(*u)));
    return Status::Ok();
  }));
  return std::move(*out);
}

Status Move(Env& env, store::Tx& tx, store::TierUpgrade& u, const char* to, const Actor& actor) {
  PAYOPS_TRY(CheckTierUpgradeTransition(u.status, to));
  PAYOPS_TRY(RecordAudit(env, tx, actor, "tier_upgrade.move", "tier_upgrade", u.id,
                         boost::json::object{{"status", u.status}, {"user_id", u.user_id}},
                         boost::json::object{{"status", to}, {"user_id", u.user_id}}));
  u.status = to;
  u.updated_at = env.clock.Now();
  if (std::string_view(to) != "SUBMITTED") u.decided_by = actor.member_id;
  return store::UpdateTierUpgrade(tx, u);
}

bool SafeName(const std::string& name) {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == '/' || c == '\\' || c == 0x7f) return false;
  }
  return name != "." && name != "..";
}

}  // namespace

Result<TierUpgradeView> OpenTierUpgrade(Env& env, const Actor& actor, const std::string& user_id,
                                        int64_t target_tier) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kPartner}));
  std::optional<TierUpgradeView> out;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto user, store::FindEndUser(tx, user_id, actor.tenant()));
    if (!user) return Error::NotFound("user");
    if (user->kyc_status == KycStatus::kSuspended) {
      return Error::Refused("user_suspended", "a suspended user cannot upgrade");
    }
    if (target_tier <= user->tier || target_tier > kMaxTier) {
      return Error::Invalid("invalid_value",
                            "target_tier must be above the user's tier " +
                                std::to_string(user->tier) + " and at most " +
                                std::to_string(kMaxTier),
                            "target_tier");
    }
    PAYOPS_ASSIGN_OR_RETURN(auto active, store::ActiveTierUpgrade(tx, user->id));
    if (active) {
      return Error::Conflict("upgrade_in_progress", "tier upgrade " + active->id + " is " +
                                                        active->status + " for this user");
    }
    Instant now = env.clock.Now();
    store::TierUpgrade u{
        env.ids.New("tup"), user->org_id, user->id, user->tier, target_tier, "OPEN",
        std::nullopt,       std::nullopt, now,      now};
    PAYOPS_TRY(store::InsertTierUpgrade(tx, u));
    PAYOPS_ASSIGN_OR_RETURN(out, View(tx, std::move(u)));
    return Status::Ok();
  }));
  return std::move(*out);
}

Result<TierUpgradeView> AddUpgradeDocument(Env& env, const Actor& actor, const std::string& id,
                                           const std::string& name, const std::string& content_type,
                                           const std::string& content_base64) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kPartner}));
  if (!SafeName(name)) {
    return Error::Invalid("invalid_value", "name must be a plain file name of 1 to 255 bytes",
                          "name");
  }
  if (content_type != "application/pdf" && content_type != "image/png" &&
      content_type != "image/jpeg") {
    return Error::Invalid("invalid_value",
                          "content_type must be application/pdf, image/png or image/jpeg",
                          "content_type");
  }
  std::string bytes(content_base64.size(), '\0');
  size_t len = 0;
  if (content_base64.empty() ||
      sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(),
                        content_base64.data(), content_base64.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    return Error::Invalid("invalid_document", "content_base64 is not base64", "content_base64");
  }
  if (len > kMaxUpgradeDocumentBytes) {
    return Error{ErrorKind::kTooLarge, "too_large", "a document holds at most 700 KiB",
                 "content_base64"};
  }
  bytes.resize(len);
  return Change(env, actor, id, [&](store::Tx& tx, store::TierUpgrade& u) -> Status {
    if (u.status != "OPEN") {
      return Error::Conflict("illegal_transition",
                             "the tier upgrade is " + u.status + ": documents are closed");
    }
    PAYOPS_ASSIGN_OR_RETURN(auto docs, store::ListUpgradeDocuments(tx, u.id, kMaxUpgradeDocuments));
    if (static_cast<int>(docs.size()) >= kMaxUpgradeDocuments) {
      return Error::Refused("too_many_documents", "at most 10 documents", "content_base64");
    }
    return store::InsertUpgradeDocument(
        tx, store::UpgradeDocument{env.ids.New("doc"), u.id, name, content_type,
                                   static_cast<int64_t>(len), Sha256Hex(bytes), content_base64,
                                   env.clock.Now()});
  });
}

Result<TierUpgradeView> SubmitTierUpgrade(Env& env, const Actor& actor, const std::string& id) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kPartner}));
  return Change(env, actor, id, [&](store::Tx& tx, store::TierUpgrade& u) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto docs, store::ListUpgradeDocuments(tx, u.id, 1));
    if (u.status == "OPEN" && docs.empty()) {
      return Error::Refused("documents_required", "attach the documents the tier needs first");
    }
    return Move(env, tx, u, "SUBMITTED", actor);
  });
}

Result<TierUpgradeView> ApproveTierUpgrade(Env& env, const Actor& actor, const std::string& id) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent}));
  return Change(env, actor, id, [&](store::Tx& tx, store::TierUpgrade& u) -> Status {
    PAYOPS_TRY(Move(env, tx, u, "APPROVED", actor));
    EndUserPatch patch;
    patch.tier = u.target_tier;
    PAYOPS_TRY(PatchEndUser(env, actor, u.user_id, patch, "tier upgrade " + u.id + " approved"));
    return Status::Ok();
  });
}

Result<TierUpgradeView> RejectTierUpgrade(Env& env, const Actor& actor, const std::string& id,
                                          const std::string& reason) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin, Role::kAgent}));
  if (reason.find_first_not_of(" \t\n") == std::string::npos) {
    return Error::Invalid("missing_field", "a rejection carries a reason", "reason");
  }
  return Change(env, actor, id, [&](store::Tx& tx, store::TierUpgrade& u) -> Status {
    u.reason = reason;
    return Move(env, tx, u, "REJECTED", actor);
  });
}

Result<store::Page<TierUpgradeView>> ListTierUpgrades(Env& env, const Actor& actor,
                                                      const store::PageRequest& page,
                                                      store::TierUpgradeFilter filter) {
  if (actor.role == Role::kEmi) return Error::Forbidden("EMI users do not read tier upgrades");
  if (actor.tenant()) {
    if (filter.org_id && *filter.org_id != *actor.tenant()) {
      return store::Page<TierUpgradeView>{};  // another org's requests: nothing to see
    }
    filter.org_id = actor.tenant();
  }
  store::Page<TierUpgradeView> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto rows, store::ListTierUpgrades(tx, page, filter));
    out.has_more = rows.has_more;
    for (auto& u : rows.items) {
      PAYOPS_ASSIGN_OR_RETURN(auto v, View(tx, std::move(u)));
      out.items.push_back(std::move(v));
    }
    return Status::Ok();
  }));
  return out;
}

Result<store::UpgradeDocument> GetUpgradeDocument(Env& env, const Actor& actor,
                                                  const std::string& id,
                                                  const std::string& doc_id) {
  if (actor.role == Role::kEmi) return Error::Forbidden("EMI users do not read tier upgrades");
  std::optional<store::UpgradeDocument> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto u, store::FindTierUpgrade(tx, id, actor.tenant()));
    if (!u) return Error::NotFound("tier upgrade");
    PAYOPS_ASSIGN_OR_RETURN(out, store::FindUpgradeDocument(tx, u->id, doc_id));
    if (!out) return Error::NotFound("document");
    return Status::Ok();
  }));
  return std::move(*out);
}

Result<TierUpgradeView> GetTierUpgrade(Env& env, const Actor& actor, const std::string& id) {
  if (actor.role == Role::kEmi) return Error::Forbidden("EMI users do not read tier upgrades");
  std::optional<TierUpgradeView> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto u, store::FindTierUpgrade(tx, id, actor.tenant()));
    if (!u) return Error::NotFound("tier upgrade");
    PAYOPS_ASSIGN_OR_RETURN(out, View(tx, std::move(*u)));
    return Status::Ok();
  }));
  return std::move(*out);
}

}  // namespace payops::service
