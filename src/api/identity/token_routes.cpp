// Personal API tokens (personal_tokens.h):
//   POST   /api/v3/users/my/tokens        {name, scope?: read|ingest|admin, expiresIn?} → 201, the token once
//   GET    /api/v3/users/my/tokens        the caller's tokens (never a secret)
//   DELETE /api/v3/users/my/tokens/:tid   revokes one, at once
//   GET    /api/v3/users/:id/tokens, DELETE /api/v3/users/:id/tokens/:tid   the same for admins
// Only a signed-in session or an admin-scope token may make tokens, and never of a wider scope
// than its own; functional accounts make theirs like anyone else.

#include "api/app.h"
#include "api/handler_util.h"
#include "api/identity/audit.h"
#include "api/identity/personal_tokens.h"
#include "api/routes.h"
#include "api/users/user_routes.h"
#include "core/error.h"
#include "core/time.h"

namespace openem {
namespace json = boost::json;
namespace {

json::object token_json(const PersonalToken& t) {
  json::object o{{"id", t.id}, {"name", t.name}, {"scope", token_scope_name(t.scope)}, {"createdAt", t.created_at}};
  o["expiresAt"] = t.expires > 0 ? json::value(iso_utc(static_cast<std::int64_t>(t.expires * 1000))) : json::value(nullptr);
  return o;
}

HttpResponse create(App& app, const HttpRequest& req) {
  Principal p = app.require_user(req);
  json::object body = body_object(req);
  std::string name = str_field(body, "name");
  if (name.empty() || name.size() > 100) throw ApiError::bad_request("name must be 1 to 100 characters");
  std::string scope_text = body.contains("scope") ? str_field(body, "scope") : "read";
  auto scope = parse_token_scope(scope_text);
  if (!scope) throw ApiError::bad_request("scope must be read, ingest or admin");
  if (!p.token_scope.empty()) {
    auto own = parse_token_scope(p.token_scope);
    if (own != TokenScope::Admin) throw ApiError::forbidden("Only a signed-in session or an admin-scope token may make tokens");
  }
  // No expiry unless asked: tokens are for long-running tools. "never" is 100 years here too.
  long seconds = expires_in_seconds(body, 0);
  double expires = seconds > 0 ? wall_clock_seconds() + static_cast<double>(seconds) : 0;
  auto made = create_personal_token(app.store(), p.user_id, name, *scope, expires);
  if (!made) throw ApiError::unauthorized();
  audit(app, req.remote, "token_created", p.username,
        {{"id", made->first.id}, {"name", made->first.name}, {"scope", token_scope_name(made->first.scope)}});
  json::object out = token_json(made->first);
  out["token"] = made->second;
  out["note"] = "Copy the token now: it is not shown again.";
  return HttpResponse::json(201, out);
}

HttpResponse list(App& app, const std::string& user_id) {
  auto user = app.store().user_by_id(user_id);
  if (!user) throw ApiError::not_found("User not found");
  json::array out;
  for (const auto& t : personal_tokens_of(*user)) out.push_back(token_json(t));
  return HttpResponse::json(200, out);
}

HttpResponse revoke(App& app, const HttpRequest& req, const Principal& by, const std::string& user_id,
                    const std::string& token_id) {
  if (!revoke_personal_token(app.store(), user_id, token_id)) throw ApiError::not_found("Token not found");
  auto user = app.store().user_by_id(user_id);
  audit(app, req.remote, "token_revoked", user ? user->username : user_id, {{"id", token_id}},
        by.user_id == user_id ? std::string() : by.username);
  return HttpResponse::json(200, json::object{{"revoked", token_id}});
}

Principal admin(App& app, const HttpRequest& req) {
  Principal p = app.require_user(req);
  if (!app.is_admin(p)) throw ApiError::forbidden();
  return p;
}

}  // namespace

void register_token_routes(Router& r, App& app) {
  r.add("POST", "/api/v3/users/my/tokens", [&app](HttpRequest& req) { return create(app, req); });
  r.add("GET", "/api/v3/users/my/tokens", [&app](HttpRequest& req) { return list(app, app.require_user(req).user_id); });
  r.add("DELETE", "/api/v3/users/my/tokens/:tid", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    return revoke(app, req, p, p.user_id, req.param("tid"));
  });
  r.add("GET", "/api/v3/users/:id/tokens", [&app](HttpRequest& req) {
    admin(app, req);
    return list(app, req.param("id"));
  });
  r.add("DELETE", "/api/v3/users/:id/tokens/:tid", [&app](HttpRequest& req) {
    Principal p = admin(app, req);
    return revoke(app, req, p, req.param("id"), req.param("tid"));
  });
}

}  // namespace openem
