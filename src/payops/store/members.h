// Members (staff and partner people who hold API keys) and their keys.
#pragma once

#include "payops/core/clock.h"
#include "payops/core/role.h"
#include "payops/store/store.h"

namespace payops::store {

struct Member {
  std::string id;
  Role role = Role::kPartner;
  std::optional<std::string> org_id;
  std::string name;
  std::string email;
  Instant created_at;
};

struct ApiKeyRecord {
  std::string id;
  std::string member_id;
  std::string key_hash;  // hex SHA-256 of the secret key; the key itself is never stored
  std::string name;
  Instant created_at;
};

Status InsertMember(Tx& tx, const Member& m);
// Finds the member with this role and email (and org), for reuse by key creation.
Result<std::optional<Member>> FindMemberByEmail(Tx& tx, Role role,
                                                const std::optional<std::string>& org_id,
                                                const std::string& email);
Status InsertApiKey(Tx& tx, const ApiKeyRecord& k);
// The member owning a live (not revoked) key with this hash.
Result<std::optional<Member>> FindMemberByKeyHash(Tx& tx, const std::string& key_hash);

}  // namespace payops::store
