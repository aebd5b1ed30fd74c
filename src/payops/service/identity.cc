#include "payops/service/identity.h"
#include "payops/service/audit.h"

#include "payops/core/mail_ids.h"
#include "payops/core/org.h"
#include "payops/core/validate.h"
#include "payops/service/mail_templates.h"
#include "payops/store/identity.h"
#include "payops/store/orgs.h"
#include "payops/store/outbox.h"

namespace payops::service {
namespace {

using identity::TokenPurpose;

constexpr size_t kMaxTokenBytes = 128;

Error TokenError(std::string code, std::string message) {
  return Error::Invalid(std::move(code), std::move(message), "token");
}

Error Unauthenticated(std::string message) {
  return Error{ErrorKind::kUnauthenticated, "unauthenticated", std::move(message), {}};
}

std::string_view EmailDomain(std::string_view email) {
  size_t at = email.rfind('@');
  return at == std::string_view::npos ? std::string_view() : email.substr(at + 1);
}

// Queues one email to `to`, rendered from templates/mail/<event> with `values`.
Status QueueMail(Env& env, store::Tx& tx, const store::Member& to, std::string event,
                 std::string subject, mail::TemplateValues values) {
  values.emplace("name", to.name);
  values.emplace("support_name", env.mail.support_name);
  PAYOPS_ASSIGN_OR_RETURN(RenderedMail rendered, RenderMail(event, values));
  store::OutboxMessage m;
  m.id = env.ids.New("msg");
  m.kind = "email";
  m.event = std::move(event);
  m.to_address = to.email;
  m.to_member_id = to.id;
  m.subject = std::move(subject);
  m.body = std::move(rendered.text);
  m.html_body = std::move(rendered.html);
  m.message_id = mail::OutboundMessageId("", m.id, env.mail.domain);
  m.created_at = env.clock.Now();
  m.next_attempt_at_us = ToMicros(m.created_at);
  PAYOPS_TRY(EnqueueOutbox(env, tx, std::move(m)));
  return Status::Ok();
}

// A new one-time link for the member; returns the token (the link's secret).
Result<std::string> NewLink(Env& env, store::Tx& tx, const std::string& member_id,
                            TokenPurpose purpose) {
  std::string token = RandomToken(32);
  Instant now = env.clock.Now();
  PAYOPS_TRY(store::InsertLinkToken(
      tx, store::LinkToken{Sha256Hex(token), member_id, purpose, now,
                           now + identity::TokenLifetime(purpose), std::nullopt}));
  return token;
}

std::string Link(const Env& env, std::string_view page, const std::string& token) {
  return env.desk.base_url + "/#/" + std::string(page) + "/" + token;
}

// Takes a one-time link of `purpose`: marks it used and returns its member.
Result<std::string> TakeLink(Env& env, store::Tx& tx, const std::string& token,
                             std::initializer_list<TokenPurpose> purposes) {
  if (token.empty() || token.size() > kMaxTokenBytes) {
    return TokenError("token_invalid", "this link is not valid; ask for a new one");
  }
  PAYOPS_ASSIGN_OR_RETURN(auto link, store::FindLinkToken(tx, Sha256Hex(token)));
  bool purpose_ok = false;
  for (TokenPurpose p : purposes) purpose_ok |= link && link->purpose == p;
  if (!purpose_ok) return TokenError("token_invalid", "this link is not valid; ask for a new one");
  Instant now = env.clock.Now();
  if (link->used_at) {
    return TokenError("token_used", "this link was already used; sign in, or ask for a new one");
  }
  if (now >= link->expires_at) {
    return TokenError("token_expired", "this link has expired; ask for a new one");
  }
  PAYOPS_TRY(store::MarkLinkTokenUsed(tx, link->token_hash, now));
  return link->member_id;
}

Status ValidatePerson(const std::string& name, const std::string& email) {
  if (name.empty() || name.size() > kMaxNameBytes) {
    return Error::Invalid("invalid_value", "name must be 1 to 200 bytes", "name");
  }
  if (!IsEmail(email)) {
    return Error::Invalid("invalid_email", "email is not an email address", "email");
  }
  return Status::Ok();
}

}  // namespace

Status Signup(Env& env, PasswordHasher& hasher, const SignupInput& in) {
  const std::string email = ToLowerAscii(in.email);
  PAYOPS_TRY(ValidatePerson(in.name, email));
  PAYOPS_TRY(identity::CheckPassword(in.password, email));
  PAYOPS_ASSIGN_OR_RETURN(std::string hash, hasher.Hash(in.password));
  return env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrgByDomain(tx, std::string(EmailDomain(email))));
    if (!org) {
      return Error::Refused("unknown_domain",
                            "sign up with your company email: its domain must be your org's",
                            "email");
    }
    PAYOPS_ASSIGN_OR_RETURN(auto existing, store::FindCredentialByEmail(tx, email));
    if (existing) {
      return QueueMail(env, tx, existing->second, "account_exists", "Your payops account",
                       {{"link", env.desk.base_url + "/#/login"}});
    }
    Instant now = env.clock.Now();
    PAYOPS_ASSIGN_OR_RETURN(auto member,
                            store::FindMemberByEmail(tx, Role::kPartner, org->id, email));
    if (!member) {
      member =
          store::Member{env.ids.New("mem"), Role::kPartner, org->id, in.name, email, now, false};
      PAYOPS_TRY(store::InsertMember(tx, *member));
    }
    PAYOPS_TRY(
        store::InsertCredential(tx, store::Credential{member->id, email, hash, std::nullopt, now}));
    PAYOPS_ASSIGN_OR_RETURN(std::string token, NewLink(env, tx, member->id, TokenPurpose::kVerify));
    return QueueMail(env, tx, *member, "verify_email", "Confirm your email address",
                     {{"org_name", org->name}, {"link", Link(env, "verify", token)}});
  });
}

Status VerifyEmail(Env& env, const std::string& token) {
  return env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(std::string member_id,
                            TakeLink(env, tx, token, {TokenPurpose::kVerify}));
    return store::MarkEmailVerified(tx, member_id, env.clock.Now());
  });
}

Result<SignedIn> SignIn(Env& env, PasswordHasher& hasher, const std::string& email_in,
                        const std::string& password) {
  const std::string email = ToLowerAscii(email_in);
  if (email.empty() || email.size() > 254 || password.size() > identity::kMaxPasswordBytes) {
    return Unauthenticated("wrong email or password");
  }
  std::optional<std::pair<store::Credential, store::Member>> found;
  identity::FailedSignIns failures;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(failures, store::FindFailedSignIns(tx, email));
    PAYOPS_ASSIGN_OR_RETURN(found, store::FindCredentialByEmail(tx, email));
    return Status::Ok();
  }));
  if (identity::IsLocked(failures, env.clock.Now())) {
    return Error{ErrorKind::kRateLimited,
                 "account_locked",
                 "too many failed sign-ins for this address; try again in 15 minutes or reset "
                 "the password",
                 {}};
  }
  const std::string* hash =
      found && found->first.password_hash ? &*found->first.password_hash : nullptr;
  PAYOPS_ASSIGN_OR_RETURN(bool match, hasher.Verify(hash, password));
  if (!match) {
    PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
      PAYOPS_ASSIGN_OR_RETURN(auto now_failures, store::FindFailedSignIns(tx, email));
      return store::PutFailedSignIns(tx, email,
                                     identity::AfterFailure(now_failures, env.clock.Now(), {}));
    }));
    return Unauthenticated("wrong email or password");
  }
  if (!found->first.verified_at) {
    return Error{ErrorKind::kForbidden,
                 "email_not_verified",
                 "confirm your email address first: follow the link we emailed you",
                 {}};
  }
  SignedIn out;
  out.session_token = RandomToken(32);
  out.csrf_token = RandomToken(24);
  Instant now = env.clock.Now();
  out.expires_at = now + identity::kSessionLifetime;
  out.member = found->second;
  PAYOPS_TRY(env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_TRY(store::ClearFailedSignIns(tx, email));
    return store::InsertWebSession(
        tx, store::WebSession{Sha256Hex(out.session_token), out.member.id, out.csrf_token, now,
                              out.expires_at, std::nullopt});
  }));
  return out;
}

Result<SessionActor> ResolveSession(Env& env, const std::string& token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return Unauthenticated("not signed in");
  std::optional<std::pair<store::WebSession, store::Member>> found;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(found, store::FindWebSession(tx, Sha256Hex(token)));
    return Status::Ok();
  }));
  if (!found || found->first.revoked_at || env.clock.Now() >= found->first.expires_at) {
    return Unauthenticated("the session has ended; sign in again");
  }
  const store::Member& m = found->second;
  return SessionActor{Actor{m.id, m.role, m.org_id, m.name, m.email, m.org_admin},
                      found->first.csrf_token, found->first.expires_at};
}

Status SignOut(Env& env, const std::string& token) {
  if (token.empty() || token.size() > kMaxTokenBytes) return Status::Ok();
  return env.store.Write([&](store::Tx& tx) -> Status {
    return store::RevokeWebSession(tx, Sha256Hex(token), env.clock.Now());
  });
}

Status RequestPasswordReset(Env& env, const std::string& email_in) {
  const std::string email = ToLowerAscii(email_in);
  if (!IsEmail(email)) {
    return Error::Invalid("invalid_email", "email is not an email address", "email");
  }
  return env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(auto found, store::FindCredentialByEmail(tx, email));
    if (!found) return Status::Ok();
    PAYOPS_ASSIGN_OR_RETURN(std::string token,
                            NewLink(env, tx, found->second.id, TokenPurpose::kReset));
    return QueueMail(env, tx, found->second, "password_reset", "Reset your payops password",
                     {{"link", Link(env, "reset", token)}});
  });
}

Status SetPasswordWithToken(Env& env, PasswordHasher& hasher, const std::string& token,
                            const std::string& password) {
  // The token is checked (not used) first, so that a weak password does not spend it.
  std::string member_email;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    if (token.empty() || token.size() > kMaxTokenBytes) return Status::Ok();
    PAYOPS_ASSIGN_OR_RETURN(auto link, store::FindLinkToken(tx, Sha256Hex(token)));
    if (!link) return Status::Ok();
    PAYOPS_ASSIGN_OR_RETURN(auto c, store::FindCredentialOfMember(tx, link->member_id));
    if (c) member_email = c->email_lc;
    return Status::Ok();
  }));
  PAYOPS_TRY(identity::CheckPassword(password, member_email));
  PAYOPS_ASSIGN_OR_RETURN(std::string hash, hasher.Hash(password));
  return env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(
        std::string member_id,
        TakeLink(env, tx, token, {TokenPurpose::kReset, TokenPurpose::kInvite}));
    PAYOPS_ASSIGN_OR_RETURN(auto c, store::FindCredentialOfMember(tx, member_id));
    if (!c) return TokenError("token_invalid", "this link is not valid; ask for a new one");
    Instant now = env.clock.Now();
    PAYOPS_TRY(store::SetPassword(tx, member_id, hash));
    PAYOPS_TRY(store::MarkEmailVerified(tx, member_id, now));
    PAYOPS_TRY(store::ClearFailedSignIns(tx, c->email_lc));
    return store::RevokeMemberSessions(tx, member_id, now);
  });
}

Status ChangePassword(Env& env, PasswordHasher& hasher, const Actor& actor,
                      const std::string& current_password, const std::string& new_password) {
  std::optional<store::Credential> c;
  PAYOPS_TRY(env.store.Read([&](store::Tx& tx) -> Status {
    PAYOPS_ASSIGN_OR_RETURN(c, store::FindCredentialOfMember(tx, actor.member_id));
    return Status::Ok();
  }));
  if (!c || !c->password_hash) {
    return Error::Forbidden("this account signs in with an API key, not a password");
  }
  PAYOPS_ASSIGN_OR_RETURN(bool match, hasher.Verify(&*c->password_hash, current_password));
  if (!match) {
    return Error::Invalid("wrong_password", "the current password is wrong", "current_password");
  }
  PAYOPS_TRY(identity::CheckPassword(new_password, c->email_lc, "new_password"));
  PAYOPS_ASSIGN_OR_RETURN(std::string hash, hasher.Hash(new_password));
  return env.store.Write([&](store::Tx& tx) -> Status {
    PAYOPS_TRY(store::SetPassword(tx, actor.member_id, hash));
    return store::RevokeMemberSessions(tx, actor.member_id, env.clock.Now());
  });
}

Result<store::Member> InviteMember(Env& env, const Actor& actor, const InviteInput& in) {
  PAYOPS_TRY(RequireRole(actor, {Role::kAdmin}));
  const std::string email = ToLowerAscii(in.email);
  PAYOPS_TRY(ValidatePerson(in.name, email));
  if (in.role == Role::kPartner && !in.org_id) {
    return Error::Invalid("missing_field", "a partner belongs to an org", "org_id");
  }
  if (in.role != Role::kPartner && in.org_id) {
    return Error::Invalid("invalid_value", "only partners belong to an org", "org_id");
  }
  if (in.org_admin && in.role != Role::kPartner) {
    return Error::Invalid("invalid_value", "only a partner administers an org", "org_admin");
  }
  std::optional<store::Member> out;
  Status s = env.store.Write([&](store::Tx& tx) -> Status {
    std::string org_name = "payops";
    if (in.org_id) {
      PAYOPS_ASSIGN_OR_RETURN(auto org, store::FindOrg(tx, *in.org_id));
      if (!org) return Error::NotFound("org");
      org_name = org->name;
    }
    PAYOPS_ASSIGN_OR_RETURN(auto taken, store::FindCredentialByEmail(tx, email));
    if (taken) return Error::Conflict("email_taken", "this email already has an account");
    Instant now = env.clock.Now();
    PAYOPS_ASSIGN_OR_RETURN(auto member, store::FindMemberByEmail(tx, in.role, in.org_id, email));
    if (!member) {
      member =
          store::Member{env.ids.New("mem"), in.role, in.org_id, in.name, email, now, in.org_admin};
      PAYOPS_TRY(store::InsertMember(tx, *member));
    } else if (in.org_admin && !member->org_admin) {
      PAYOPS_TRY(store::SetOrgAdmin(tx, member->id, true));
      member->org_admin = true;
    }
    PAYOPS_TRY(store::InsertCredential(
        tx, store::Credential{member->id, email, std::nullopt, std::nullopt, now}));
    PAYOPS_ASSIGN_OR_RETURN(std::string token, NewLink(env, tx, member->id, TokenPurpose::kInvite));
    PAYOPS_TRY(QueueMail(env, tx, *member, "invitation", "You are invited to payops",
                         {{"inviter", actor.name},
                          {"org_name", org_name},
                          {"role", std::string(RoleName(in.role))},
                          {"link", Link(env, "invite", token)}}));
    boost::json::object after{{"role", std::string(RoleName(member->role))},
                              {"org_admin", member->org_admin}};
    after["org_id"] = member->org_id ? boost::json::value(*member->org_id) : nullptr;
    PAYOPS_TRY(RecordAudit(env, tx, actor, "member.invite", "member", member->id, nullptr, after));
    out = std::move(member);
    return Status::Ok();
  });
  if (!s.ok() && s.error().code == "duplicate") {
    return Error::Conflict("email_taken", "this email already has an account");
  }
  PAYOPS_TRY(s);
  return std::move(*out);
}

Status CreateSignIn(Env& env, PasswordHasher& hasher, const store::Member& member,
                    const std::string& password) {
  PAYOPS_TRY(identity::CheckPassword(password, member.email));
  PAYOPS_ASSIGN_OR_RETURN(std::string hash, hasher.Hash(password));
  return env.store.Write([&](store::Tx& tx) -> Status {
    Instant now = env.clock.Now();
    return store::InsertCredential(
        tx, store::Credential{member.id, ToLowerAscii(member.email), hash, now, now});
  });
}

}  // namespace payops::service
