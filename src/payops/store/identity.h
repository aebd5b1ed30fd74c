// Sign-in records: a person's credential (one per email address), failed
// sign-ins per address, one-time link tokens and web sessions. Tokens and
// session ids are stored as SHA-256 hashes only.
#pragma once

#include "payops/core/identity.h"
#include "payops/store/members.h"
#include "payops/store/store.h"

namespace payops::store {

struct Credential {
  std::string member_id;
  std::string email_lc;
  std::optional<std::string> password_hash;  // argon2id string; none until set (invitations)
  std::optional<Instant> verified_at;        // the email address was proven
  Instant created_at;
};

// Error kConflict "duplicate" when the email already has a credential.
Status InsertCredential(Tx& tx, const Credential& c);
// The credential of this lowercase email and its member, or nullopt.
Result<std::optional<std::pair<Credential, Member>>> FindCredentialByEmail(
    Tx& tx, const std::string& email_lc);
Result<std::optional<Credential>> FindCredentialOfMember(Tx& tx, const std::string& member_id);
Status SetPassword(Tx& tx, const std::string& member_id, const std::string& password_hash);
Status MarkEmailVerified(Tx& tx, const std::string& member_id, Instant at);

Result<identity::FailedSignIns> FindFailedSignIns(Tx& tx, const std::string& email_lc);
Status PutFailedSignIns(Tx& tx, const std::string& email_lc, const identity::FailedSignIns& f);
Status ClearFailedSignIns(Tx& tx, const std::string& email_lc);

struct LinkToken {
  std::string token_hash;
  std::string member_id;
  identity::TokenPurpose purpose = identity::TokenPurpose::kVerify;
  Instant created_at;
  Instant expires_at;
  std::optional<Instant> used_at;
};
Status InsertLinkToken(Tx& tx, const LinkToken& t);
Result<std::optional<LinkToken>> FindLinkToken(Tx& tx, const std::string& token_hash);
Status MarkLinkTokenUsed(Tx& tx, const std::string& token_hash, Instant at);

struct WebSession {
  std::string id_hash;
  std::string member_id;
  std::string csrf_token;
  Instant created_at;
  Instant expires_at;
  std::optional<Instant> revoked_at;
};
Status InsertWebSession(Tx& tx, const WebSession& s);
// The session and its member, or nullopt (revoked and expired ones included:
// the caller decides).
Result<std::optional<std::pair<WebSession, Member>>> FindWebSession(Tx& tx,
                                                                    const std::string& id_hash);
Status RevokeWebSession(Tx& tx, const std::string& id_hash, Instant at);
// Every live session of the member (password changes).
Status RevokeMemberSessions(Tx& tx, const std::string& member_id, Instant at);

}  // namespace payops::store
