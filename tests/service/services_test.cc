// Application services over a real store: keys, authentication, tenancy.
#include "../store/backend.h"
#include "payops/service/api_keys.h"
#include "payops/service/end_users.h"
#include "payops/service/orgs.h"

namespace payops::testing {
namespace {

class ServicesTest : public BackendTest {};
PAYOPS_BACKENDS(ServicesTest);

Org NewOrg(const std::string& domain) {
  Org o;
  o.name = "Org";
  o.domain = domain;
  o.sla_plan = "essentials";
  o.hypercare_plan = "standard";
  o.bau_plan = "standard";
  o.go_live_date = "2026-01-05";
  o.allowed_countries = {"US"};
  return o;
}

TEST_P(ServicesTest, KeysAreStoredHashedAndAuthenticate) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  auto org = service::CreateOrg(env, Actor::System(), NewOrg("acme.example"));
  ASSERT_TRUE(org.ok());
  auto key = service::CreateApiKey(env, Actor::System(),
                                   {Role::kPartner, org->id, "Pat", "Pat@Acme.example", false});
  ASSERT_TRUE(key.ok()) << key.error().message;
  // The plain key is nowhere in the store.
  int64_t plain = -1;
  ASSERT_TRUE(store_
                  ->Read([&](store::Tx& tx) -> Status {
                    PAYOPS_ASSIGN_OR_RETURN(
                        auto row, tx.QueryOne("SELECT COUNT(*) FROM api_keys WHERE key_hash = ?",
                                              {key->key}));
                    plain = row->Int(0);
                    return Status::Ok();
                  })
                  .ok());
  EXPECT_EQ(plain, 0);
  service::Authenticator auth(env);
  auto actor = auth.Authenticate(key->key);
  ASSERT_TRUE(actor.ok());
  EXPECT_EQ(actor->role, Role::kPartner);
  EXPECT_EQ(actor->org_id, org->id);
  auto bad = auth.Authenticate(key->key + "x");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kUnauthenticated);
}

TEST_P(ServicesTest, PartnerIsConfinedToItsOrg) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  auto a = service::CreateOrg(env, Actor::System(), NewOrg("a.example"));
  auto b = service::CreateOrg(env, Actor::System(), NewOrg("b.example"));
  ASSERT_TRUE(a.ok() && b.ok());
  Actor pa{"m1", Role::kPartner, a->id, "A", "", false};
  Actor pb{"m2", Role::kPartner, b->id, "B", "", false};
  EndUser u;
  u.name = "Ana";
  u.email = "ana@c.example";
  u.country = "US";
  auto created = service::CreateEndUser(env, pa, u);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->org_id, a->id);
  auto seen = service::GetEndUser(env, pb, created->id);
  ASSERT_FALSE(seen.ok());
  EXPECT_EQ(seen.error().kind, ErrorKind::kNotFound);
  auto patched = service::PatchEndUser(env, pb, created->id, {KycStatus::kVerified, {}, {}}, "x");
  ASSERT_FALSE(patched.ok());
  EXPECT_EQ(patched.error().kind, ErrorKind::kNotFound);
  auto orgs = service::ListOrgs(env, pb, store::PageRequest{50, std::nullopt});
  ASSERT_TRUE(orgs.ok());
  ASSERT_EQ(orgs->items.size(), 1u);
  EXPECT_EQ(orgs->items[0].id, b->id);
}

TEST_P(ServicesTest, IdsAreStrictlyIncreasingWithinAMillisecond) {
  ManualClock clock(FromMicros(1'800'000'000'000'000));
  service::Env env(*store_, clock);
  std::string prev = env.ids.New("x");
  for (int i = 0; i < 1000; ++i) {
    std::string next = env.ids.New("x");
    ASSERT_LT(prev, next);
    prev = next;
  }
}

}  // namespace
}  // namespace payops::testing
