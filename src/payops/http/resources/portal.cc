// Sign-in for people: POST /v1/portal/signup, verify, login, logout,
// password-reset (+ /confirm), invitations/accept, password; GET
// /v1/portal/session; POST /v1/members (admin invitations).
#include "payops/core/org.h"
#include "payops/http/api.h"
#include "payops/service/identity.h"

namespace payops::http {
namespace {

constexpr std::string_view kSessionCookie = "payops_session";

json::object MemberJson(const Actor& a) {
  return json::object{
      {"id", a.member_id}, {"role", RoleName(a.role)}, {"org_id", OptJson(a.org_id)},
      {"name", a.name},    {"email", a.email},         {"org_admin", a.org_admin}};
}

Actor ActorOf(const store::Member& m) {
  return Actor{m.id, m.role, m.org_id, m.name, m.email, m.org_admin};
}

std::string SessionCookie(const Api& api, std::string_view value, int64_t max_age_s) {
  std::string c = std::string(kSessionCookie) + "=" + std::string(value) +
                  "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age_s);
  if (api.options().secure_cookies) c += "; Secure";
  return c;
}

HttpResponse Status200(std::string_view status) {
  return JsonResponse(200, json::object{{"status", status}});
}

// The fields of a small JSON body, each a string of at most `max_bytes`.
Result<std::vector<std::string>> Strings(const HttpRequest& req,
                                         std::initializer_list<std::string_view> names,
                                         size_t max_bytes = 1000) {
  PAYOPS_ASSIGN_OR_RETURN(json::object body, ParseObject(req.body));
  Fields f(body);
  std::vector<std::string> out;
  PAYOPS_TRY(f.AllowOnly(names));
  for (std::string_view n : names) {
    PAYOPS_ASSIGN_OR_RETURN(auto v, f.Str(n, max_bytes));
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

void RegisterPortal(Api& api) {
  constexpr RouteOptions kPublic{.auth = false};
  Router& r = api.router();
  r.Add(
      "POST", "/v1/portal/signup",
      [&api](HttpRequest& req) {
        auto in = Strings(req, {"name", "email", "password"});
        if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
        const auto& v = *in;
        Status s = service::Signup(api.env(), api.passwords(), {v[0], v[1], v[2]});
        if (!s.ok()) return ErrorResponse(s.error(), req.request_id);
        return JsonResponse(202, json::object{{"status", "verification_sent"},
                                              {"message",
                                               "Check your inbox: we emailed a link to confirm the "
                                               "address."}});
      },
      kPublic);
  r.Add(
      "POST", "/v1/portal/verify",
      [&api](HttpRequest& req) {
        auto in = Strings(req, {"token"});
        if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
        Status s = service::VerifyEmail(api.env(), (*in)[0]);
        if (!s.ok()) return ErrorResponse(s.error(), req.request_id);
        return Status200("verified");
      },
      kPublic);
  r.Add(
      "POST", "/v1/portal/login",
      [&api](HttpRequest& req) {
        auto in = Strings(req, {"email", "password"});
        if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
        auto signed_in = service::SignIn(api.env(), api.passwords(), (*in)[0], (*in)[1]);
        if (!signed_in.ok()) return ErrorResponse(signed_in.error(), req.request_id);
        const auto& si = *signed_in;
        HttpResponse res =
            JsonResponse(200, json::object{{"member", MemberJson(ActorOf(si.member))},
                                           {"csrf_token", si.csrf_token},
                                           {"expires_at", TimeJson(si.expires_at)}});
        const int64_t max_age_s =
            std::chrono::duration_cast<std::chrono::seconds>(identity::kSessionLifetime).count();
        res.headers.emplace_back("Set-Cookie", SessionCookie(api, si.session_token, max_age_s));
        return res;
      },
      kPublic);
  r.Add("POST", "/v1/portal/logout", [&api](HttpRequest& req) {
    if (req.session_token.empty()) {
      return ErrorResponse(Error::Invalid("not_a_session",
                                          "sign-out ends a web session; API keys "
                                          "are revoked by an admin"),
                           req.request_id);
    }
    Status s = service::SignOut(api.env(), req.session_token);
    if (!s.ok()) return ErrorResponse(s.error(), req.request_id);
    HttpResponse res = Status200("signed_out");
    res.headers.emplace_back("Set-Cookie", SessionCookie(api, "", 0));
    return res;
  });
  r.Add("GET", "/v1/portal/session", [](HttpRequest& req) {
    json::object o{{"member", MemberJson(req.actor)}};
    o["csrf_token"] =
        req.session_token.empty() ? json::value(nullptr) : json::value(req.session_csrf);
    return JsonResponse(200, o);
  });
  r.Add(
      "POST", "/v1/portal/password-reset",
      [&api](HttpRequest& req) {
        auto in = Strings(req, {"email"});
        if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
        Status s = service::RequestPasswordReset(api.env(), (*in)[0]);
        if (!s.ok()) return ErrorResponse(s.error(), req.request_id);
        return JsonResponse(202,
                            json::object{{"status", "reset_sent"},
                                         {"message",
                                          "If this address has an account, we emailed it a link "
                                          "to choose a new password."}});
      },
      kPublic);
  auto set_password = [&api](HttpRequest& req) {
    auto in = Strings(req, {"token", "password"});
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    Status s = service::SetPasswordWithToken(api.env(), api.passwords(), (*in)[0], (*in)[1]);
    if (!s.ok()) return ErrorResponse(s.error(), req.request_id);
    return Status200("password_set");
  };
  r.Add("POST", "/v1/portal/password-reset/confirm", set_password, kPublic);
  r.Add("POST", "/v1/portal/invitations/accept", set_password, kPublic);
  r.Add("POST", "/v1/portal/password", [&api](HttpRequest& req) {
    auto in = Strings(req, {"current_password", "new_password"});
    if (!in.ok()) return ErrorResponse(in.error(), req.request_id);
    Status s = service::ChangePassword(api.env(), api.passwords(), req.actor, (*in)[0], (*in)[1]);
    if (!s.ok()) return ErrorResponse(s.error(), req.request_id);
    HttpResponse res = Status200("password_changed");
    if (!req.session_token.empty()) {
      res.headers.emplace_back("Set-Cookie", SessionCookie(api, "", 0));
    }
    return res;
  });
  r.Add("POST", "/v1/members", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    Fields f(*body);
    service::InviteInput in;
    auto parse = [&]() -> Status {
      PAYOPS_TRY(f.AllowOnly({"role", "name", "email", "org_id", "org_admin"}));
      PAYOPS_ASSIGN_OR_RETURN(std::string role, f.Str("role", 32));
      auto parsed = ParseRole(role);
      if (!parsed) {
        return Error::Invalid("invalid_value",
                              "role must be admin, agent, ops_manager, emi or partner", "role");
      }
      in.role = *parsed;
      PAYOPS_ASSIGN_OR_RETURN(in.name, f.Str("name", kMaxNameBytes));
      PAYOPS_ASSIGN_OR_RETURN(in.email, f.Str("email", 254));
      PAYOPS_ASSIGN_OR_RETURN(in.org_id, f.OptStr("org_id", 64));
      PAYOPS_ASSIGN_OR_RETURN(auto org_admin, f.OptBool("org_admin"));
      in.org_admin = org_admin.value_or(false);
      return Status::Ok();
    };
    if (Status s = parse(); !s.ok()) return ErrorResponse(s.error(), req.request_id);
    auto m = service::InviteMember(api.env(), req.actor, in);
    if (!m.ok()) return ErrorResponse(m.error(), req.request_id);
    json::object o = MemberJson(ActorOf(*m));
    o["status"] = "invited";
    return JsonResponse(201, o);
  });
}

}  // namespace payops::http
