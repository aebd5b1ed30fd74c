#include "payops/service/audit.h"

#include <sodium.h>

#include <boost/json/serialize.hpp>

namespace payops::service {
namespace {

constexpr std::string_view kGenesis =
    "0000000000000000000000000000000000000000000000000000000000000000";
constexpr int kVerifyBatch = 1000;

void AppendField(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
  out += '\n';
}

std::string Bounded(const boost::json::value& v) {
  std::string s = boost::json::serialize(v);
  if (s.size() > kMaxAuditJsonBytes) return R"({"truncated":true})";
  return s;
}

}  // namespace

std::string AuditRecordHash(const store::AuditRecord& r) {
  std::string in = "payops-audit-v1\n";
  AppendField(in, std::to_string(r.seq));
  AppendField(in, std::to_string(ToMicros(r.at)));
  AppendField(in, r.actor);
  AppendField(in, r.actor_role);
  AppendField(in, r.request_id);
  AppendField(in, r.action);
  AppendField(in, r.object_type);
  AppendField(in, r.object_id);
  AppendField(in, r.before_json);
  AppendField(in, r.after_json);
  AppendField(in, r.prev_hash);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(in.data()), in.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex, crypto_hash_sha256_BYTES * 2);
}

Status RecordAudit(Env& env, store::Tx& tx, const Actor& actor, std::string_view action,
                   std::string_view object_type, std::string_view object_id,
                   const boost::json::value& before, const boost::json::value& after) {
  PAYOPS_ASSIGN_OR_RETURN(store::AuditHead head, store::LockAuditHead(tx));
  store::AuditRecord r;
  r.seq = head.seq + 1;
  r.at = env.clock.Now();
  r.actor = actor.member_id;
  r.actor_role = std::string(RoleName(actor.role));
  r.request_id = actor.request_id;
  r.action = std::string(action);
  r.object_type = std::string(object_type);
  r.object_id = std::string(object_id);
  r.before_json = Bounded(before);
  r.after_json = Bounded(after);
  r.prev_hash = head.hash;
  r.hash = AuditRecordHash(r);
  return store::InsertAuditRecord(tx, r);
}

Result<AuditVerdict> VerifyAuditTrail(store::Store& store) {
  AuditVerdict v;
  int64_t last_seq = 0;
  std::string last_hash(kGenesis);
  for (;;) {
    std::vector<store::AuditRecord> batch;
    std::optional<store::AuditHead> head;
    PAYOPS_TRY(store.Read([&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(batch, store::AuditRecordsAfter(tx, last_seq, kVerifyBatch));
      if (batch.empty()) {
        PAYOPS_ASSIGN_OR_RETURN(auto row,
                                tx.QueryOne("SELECT seq, hash FROM audit_head WHERE id = 1", {}));
        if (row) head = store::AuditHead{row->Int(0), row->Text(1)};
      }
      return Status::Ok();
    }));
    for (const store::AuditRecord& r : batch) {
      auto broken = [&](std::string why) {
        v.first_broken = r.seq;
        v.problem = std::move(why);
      };
      if (r.seq != last_seq + 1) {
        v.first_broken = last_seq + 1;
        v.problem = "record missing (next stored record is " + std::to_string(r.seq) + ")";
      } else if (r.prev_hash != last_hash) {
        broken("prev_hash does not match the previous record's hash");
      } else if (AuditRecordHash(r) != r.hash) {
        broken("hash does not match the record's content");
      }
      if (v.first_broken) return v;
      ++v.records;
      last_seq = r.seq;
      last_hash = r.hash;
    }
    if (batch.empty()) {
      if (!head) return Error::Internal("audit_head row missing");
      if (head->seq != last_seq || head->hash != last_hash) {
        v.first_broken = last_seq + 1;
        v.problem = "the chain's head is record " + std::to_string(head->seq) +
                    " but the stored records end at " + std::to_string(last_seq);
      }
      return v;
    }
  }
}

Result<store::Page<store::AuditRecord>> ListAudit(Env& env, const Actor& actor,
                                                  const store::AuditFilter& filter,
                                                  const store::PageRequest& page) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin}));
  store::Page<store::AuditRecord> out;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(out, store::ListAuditRecords(tx, filter, page));
    return Status::Ok();
  }));
  return out;
}

}  // namespace payops::service
