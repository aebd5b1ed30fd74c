// POST /v1/api-keys: the key is in this answer and nowhere else, ever.
#include "payops/http/api.h"

namespace payops::http {

void RegisterApiKeys(Api& api) {
  api.router().Add("POST", "/v1/api-keys", [&api](HttpRequest& req) {
    auto body = ParseObject(req.body);
    if (!body.ok()) return ErrorResponse(body.error(), req.request_id);
    auto parsed = [&]() -> Result<service::NewApiKey> {
      Fields f(*body);
      PAYOPS_TRY(f.AllowOnly({"role", "org_id", "name", "email", "org_admin"}));
      service::NewApiKey in;
      PAYOPS_ASSIGN_OR_RETURN(std::string role, f.Str("role", 32));
      auto r = ParseRole(role);
      if (!r) {
        return Error::Invalid("invalid_value",
                              "role must be admin, agent, ops_manager, emi or partner", "role");
      }
      in.role = *r;
      PAYOPS_ASSIGN_OR_RETURN(in.org_id, f.OptStr("org_id", 64));
      PAYOPS_ASSIGN_OR_RETURN(in.name, f.Str("name", 200));
      PAYOPS_ASSIGN_OR_RETURN(in.email, f.Str("email", 254));
      PAYOPS_ASSIGN_OR_RETURN(auto org_admin, f.OptBool("org_admin"));
      in.org_admin = org_admin.value_or(false);
      return in;
    }();
    if (!parsed.ok()) return ErrorResponse(parsed.error(), req.request_id);
    const service::NewApiKey in = *parsed;
    return Respond(req, service::CreateApiKey(api.env(), req.actor, in), 201,
                   [&](const service::CreatedApiKey& k) {
                     return json::object{{"id", k.id},
                                         {"key", k.key},
                                         {"member_id", k.member_id},
                                         {"role", RoleName(in.role)},
                                         {"org_id", OptJson(in.org_id)},
                                         {"name", in.name},
                                         {"org_admin", in.org_admin}};
                   });
  });
}

}  // namespace payops::http
