// Sign-in for people (the web page): customers sign up with their company
// email and verify it by an emailed link; staff and partners are invited by
// an admin and set their password from the emailed link; everyone signs in
// with email and password for a server-side session, and may reset a
// forgotten password by an emailed link. Answers never tell which email
// addresses have an account.
#pragma once

#include "payops/core/identity.h"
#include "payops/service/env.h"
#include "payops/service/passwords.h"
#include "payops/store/members.h"

namespace payops::service {

struct SignupInput {
  std::string name;
  std::string email;
  std::string password;
};
// Creates an unverified customer account in the org whose domain is the
// email's and emails a verification link. An email that already has an
// account gets a mail saying so instead, and the answer is the same.
// Errors: invalid_* (field), weak_password, unknown_domain (422).
Status Signup(Env& env, PasswordHasher& hasher, const SignupInput& in);

// Uses a one-time link. Errors (400, field "token"): token_invalid,
// token_expired, token_used.
Status VerifyEmail(Env& env, const std::string& token);

struct SignedIn {
  std::string session_token;  // the cookie's value, shown once
  std::string csrf_token;     // sent back in X-CSRF-Token on every write
  Instant expires_at;
  store::Member member;
};
// Errors: invalid_credentials (401) for an unknown email or a wrong password
// alike; email_not_verified (403) once the password is right; account_locked
// (429) after too many failures for the address, whether or not it exists.
Result<SignedIn> SignIn(Env& env, PasswordHasher& hasher, const std::string& email,
                        const std::string& password);

struct SessionActor {
  Actor actor;
  std::string csrf_token;
  Instant expires_at;
};
// kUnauthenticated for an unknown, expired or revoked session.
Result<SessionActor> ResolveSession(Env& env, const std::string& session_token);
// Ends the session (a no-op for an unknown one).
Status SignOut(Env& env, const std::string& session_token);

// Emails a reset link when the address has an account; the same answer otherwise.
Status RequestPasswordReset(Env& env, const std::string& email);
// Sets the password from a reset or invitation link, proves the email, ends
// every session of the account. Errors: the token's, weak_password.
Status SetPasswordWithToken(Env& env, PasswordHasher& hasher, const std::string& token,
                            const std::string& password);
// A signed-in change: the current password must match; every session ends.
Status ChangePassword(Env& env, PasswordHasher& hasher, const Actor& actor,
                      const std::string& current_password, const std::string& new_password);

struct InviteInput {
  Role role = Role::kAgent;
  std::string name;
  std::string email;
  std::optional<std::string> org_id;  // partners only
  bool org_admin = false;
};
// Admins only: creates the member and emails an invitation link that sets
// the password. Errors: forbidden, invalid_*, org not found, email_taken (409).
Result<store::Member> InviteMember(Env& env, const Actor& actor, const InviteInput& in);

// For `payops demo`: a verified account with this password for the member.
Status CreateSignIn(Env& env, PasswordHasher& hasher, const store::Member& member,
                    const std::string& password);

}  // namespace payops::service
