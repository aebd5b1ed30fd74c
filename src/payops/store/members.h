// Members (staff and partner people who hold API keys) and their keys.
#pragma once

#include <map>
#include <vector>

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
  bool org_admin = false;  // a partner administering its org
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
Result<std::optional<Member>> FindMember(Tx& tx, const std::string& id);
// The names of the members among `actors` (history actors: member ids, or
// "system", "mail", ...), by id; other actors are left out.
Result<std::map<std::string, std::string>> MemberNames(Tx& tx,
                                                       const std::vector<std::string>& actors);
Status SetOrgAdmin(Tx& tx, const std::string& member_id, bool org_admin);
// Every member with the role, oldest first, at most `limit`.
Result<std::vector<Member>> MembersWithRole(Tx& tx, Role role, int limit);

// Queue teams: who works a support queue, and its lead.
struct QueueMember {
  std::string queue;
  Member member;
  bool lead = false;
};
// Adds or updates the member's place in the queue's team; a new lead
// replaces the old one (one lead per queue).
Status PutQueueMember(Tx& tx, const std::string& queue, const std::string& member_id, bool lead);
// Removes it; false when it was not there.
Result<bool> DeleteQueueMember(Tx& tx, const std::string& queue, const std::string& member_id);
// The team of `queue` (lead first), at most `limit`.
Result<std::vector<QueueMember>> QueueTeam(Tx& tx, const std::string& queue, int limit);

}  // namespace payops::store
