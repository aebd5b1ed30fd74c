#include "payops/store/identity.h"

namespace payops::store {
namespace {

std::optional<Instant> OptInstant(const Row& r, size_t i) {
  auto us = r.OptInt(i);
  if (!us) return std::nullopt;
  return FromMicros(*us);
}

Value OptMicros(const std::optional<Instant>& at) {
  return at ? Value(ToMicros(*at)) : Value(Null{});
}

constexpr const char* kCredentialColumns =
    "member_id, email_lc, password_hash, verified_at, created_at";

Credential CredentialFromRow(const Row& r) {
  return Credential{r.Text(0), r.Text(1), r.OptText(2), OptInstant(r, 3), FromMicros(r.Int(4))};
}

}  // namespace

Status InsertCredential(Tx& tx, const Credential& c) {
  PAYOPS_TRY(tx.Exec(
      std::string("INSERT INTO credentials (") + kCredentialColumns + ") VALUES (?, ?, ?, ?, ?)",
      {c.member_id, c.email_lc, Opt(c.password_hash), OptMicros(c.verified_at),
       ToMicros(c.created_at)}));
  return Status::Ok();
}

Result<std::optional<std::pair<Credential, Member>>> FindCredentialByEmail(
    Tx& tx, const std::string& email_lc) {
  using Found = std::optional<std::pair<Credential, Member>>;
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT ") + kCredentialColumns +
                                                    " FROM credentials WHERE email_lc = ?",
                                                {email_lc}));
  if (!row) return Found();
  Credential c = CredentialFromRow(*row);
  PAYOPS_ASSIGN_OR_RETURN(auto member, FindMember(tx, c.member_id));
  if (!member) return Found();
  return Found(std::pair{std::move(c), std::move(*member)});
}

Result<std::optional<Credential>> FindCredentialOfMember(Tx& tx, const std::string& member_id) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne(std::string("SELECT ") + kCredentialColumns +
                                                    " FROM credentials WHERE member_id = ?",
                                                {member_id}));
  if (!row) return std::optional<Credential>();
  return std::optional<Credential>(CredentialFromRow(*row));
}

Status SetPassword(Tx& tx, const std::string& member_id, const std::string& password_hash) {
  PAYOPS_TRY(tx.Exec("UPDATE credentials SET password_hash = ? WHERE member_id = ?",
                     {password_hash, member_id}));
  return Status::Ok();
}

Status MarkEmailVerified(Tx& tx, const std::string& member_id, Instant at) {
  PAYOPS_TRY(
      tx.Exec("UPDATE credentials SET verified_at = ? WHERE member_id = ? AND verified_at IS NULL",
              {ToMicros(at), member_id}));
  return Status::Ok();
}

Result<identity::FailedSignIns> FindFailedSignIns(Tx& tx, const std::string& email_lc) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT failures, first_at, locked_until FROM "
                                                "failed_sign_ins WHERE email_lc = ?",
                                                {email_lc}));
  if (!row) return identity::FailedSignIns{};
  return identity::FailedSignIns{static_cast<int>(row->Int(0)), FromMicros(row->Int(1)),
                                 OptInstant(*row, 2)};
}

Status PutFailedSignIns(Tx& tx, const std::string& email_lc, const identity::FailedSignIns& f) {
  PAYOPS_ASSIGN_OR_RETURN(
      int64_t n,
      tx.Exec("UPDATE failed_sign_ins SET failures = ?, first_at = ?, locked_until = ? "
              "WHERE email_lc = ?",
              {int64_t{f.failures}, ToMicros(f.first_at), OptMicros(f.locked_until), email_lc}));
  if (n == 0) {
    PAYOPS_TRY(
        tx.Exec("INSERT INTO failed_sign_ins (email_lc, failures, first_at, locked_until) "
                "VALUES (?, ?, ?, ?)",
                {email_lc, int64_t{f.failures}, ToMicros(f.first_at), OptMicros(f.locked_until)}));
  }
  return Status::Ok();
}

Status ClearFailedSignIns(Tx& tx, const std::string& email_lc) {
  PAYOPS_TRY(tx.Exec("DELETE FROM failed_sign_ins WHERE email_lc = ?", {email_lc}));
  return Status::Ok();
}

Status InsertLinkToken(Tx& tx, const LinkToken& t) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO link_tokens (token_hash, member_id, purpose, created_at, "
              "expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)",
              {t.token_hash, t.member_id, std::string(identity::TokenPurposeName(t.purpose)),
               ToMicros(t.created_at), ToMicros(t.expires_at), OptMicros(t.used_at)}));
  return Status::Ok();
}

Result<std::optional<LinkToken>> FindLinkToken(Tx& tx, const std::string& token_hash) {
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT token_hash, member_id, purpose, "
                                                "created_at, expires_at, used_at FROM link_tokens "
                                                "WHERE token_hash = ?",
                                                {token_hash}));
  if (!row) return std::optional<LinkToken>();
  LinkToken t;
  t.token_hash = row->Text(0);
  t.member_id = row->Text(1);
  const std::string purpose = row->Text(2);
  t.purpose = purpose == "reset"    ? identity::TokenPurpose::kReset
              : purpose == "invite" ? identity::TokenPurpose::kInvite
                                    : identity::TokenPurpose::kVerify;
  t.created_at = FromMicros(row->Int(3));
  t.expires_at = FromMicros(row->Int(4));
  t.used_at = OptInstant(*row, 5);
  return std::optional<LinkToken>(std::move(t));
}

Status MarkLinkTokenUsed(Tx& tx, const std::string& token_hash, Instant at) {
  PAYOPS_TRY(tx.Exec("UPDATE link_tokens SET used_at = ? WHERE token_hash = ?",
                     {ToMicros(at), token_hash}));
  return Status::Ok();
}

Status InsertWebSession(Tx& tx, const WebSession& s) {
  PAYOPS_TRY(
      tx.Exec("INSERT INTO web_sessions (id_hash, member_id, csrf_token, created_at, "
              "expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
              {s.id_hash, s.member_id, s.csrf_token, ToMicros(s.created_at), ToMicros(s.expires_at),
               OptMicros(s.revoked_at)}));
  return Status::Ok();
}

Result<std::optional<std::pair<WebSession, Member>>> FindWebSession(Tx& tx,
                                                                    const std::string& id_hash) {
  using Found = std::optional<std::pair<WebSession, Member>>;
  PAYOPS_ASSIGN_OR_RETURN(auto row, tx.QueryOne("SELECT id_hash, member_id, csrf_token, "
                                                "created_at, expires_at, revoked_at FROM "
                                                "web_sessions WHERE id_hash = ?",
                                                {id_hash}));
  if (!row) return Found();
  WebSession s{row->Text(0),
               row->Text(1),
               row->Text(2),
               FromMicros(row->Int(3)),
               FromMicros(row->Int(4)),
               OptInstant(*row, 5)};
  PAYOPS_ASSIGN_OR_RETURN(auto member, FindMember(tx, s.member_id));
  if (!member) return Found();
  return Found(std::pair{std::move(s), std::move(*member)});
}

Status RevokeWebSession(Tx& tx, const std::string& id_hash, Instant at) {
  PAYOPS_TRY(
      tx.Exec("UPDATE web_sessions SET revoked_at = ? WHERE id_hash = ? AND "
              "revoked_at IS NULL",
              {ToMicros(at), id_hash}));
  return Status::Ok();
}

Status RevokeMemberSessions(Tx& tx, const std::string& member_id, Instant at) {
  PAYOPS_TRY(
      tx.Exec("UPDATE web_sessions SET revoked_at = ? WHERE member_id = ? AND "
              "revoked_at IS NULL",
              {ToMicros(at), member_id}));
  return Status::Ok();
}

}  // namespace payops::store
