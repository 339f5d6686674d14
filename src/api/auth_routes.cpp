// Authentication and user endpoints (reference §2): login/logout/whoami, users/my/*,
// users/:id/*, password changes, JWT issuing. Passwords are checked on App::passwords()
// (never on an I/O thread) and failures limited by App::login_throttle() (docs/security.md).
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include "api/app.h"
#include "api/handler_util.h"
#include "api/identity/audit.h"
#include "api/identity/external_users.h"
#include "api/permissions.h"
#include "api/routes.h"
#include "api/users/user_json.h"
#include "core/error.h"
#include "core/jwt.h"
#include "core/password.h"
#include "core/time.h"
#include "query/filter.h"

namespace openem {
namespace json = boost::json;
namespace {

UserRecord load_user(App& app, const std::string& id) {
  auto u = app.store().user_by_id(id);
  if (!u) throw ApiError::not_found("User not found");
  return *u;
}

// Own record or admin; otherwise 403 in upstream's words (users.controller.ts checkUserAuthorization).
UserRecord user_for_caller(App& app, const HttpRequest& req) {
  Principal p = app.require_user(req);
  const std::string& id = req.param("id");
  if (id != p.user_id && !app.is_admin(p)) throw ApiError::forbidden("Access Forbidden or Unauthorized");
  return load_user(app, id);
}

HttpResponse too_many_failures(int seconds) {
  HttpResponse res = HttpResponse::error(429, "Too many failed sign-ins: try again in " + std::to_string(seconds) + " s");
  res.headers.push_back({"Retry-After", std::to_string(seconds)});
  return res;
}

// The argon2 queue is full (PasswordPool): a quick answer instead of a pile-up.
HttpResponse passwords_busy() {
  HttpResponse res = HttpResponse::error(503, "The server is busy checking other passwords: try again in a second");
  res.headers.push_back({"Retry-After", "1"});
  return res;
}

// How a principal signed in, from the account id's prefix (external accounts, external_users.h).
const char* strategy_of(const Principal& p) {
  if (p.user_id.rfind("oidc-", 0) == 0) return "oidc";
  if (p.user_id.rfind("ldap-", 0) == 0) return "ldap";
  return "local";
}

HttpResponse login_answer(App& app, const UserRecord& user) {
  std::string token = app.issue_token(user);
  long ttl = app.config().jwt_expires_in;
  return HttpResponse::json(201, json::object{{"access_token", token},
                                              {"id", token},
                                              {"expires_in", ttl},
                                              {"ttl", ttl},
                                              {"created", now_iso()},
                                              {"userId", user.id},
                                              {"user", user_json(user)}});
}

// Sign-in against the directory (identity/ldap_directory.h) for /auth/ldap and /auth/msad when
// LDAP_URL is set: the same failure limits as local sign-in; a directory that cannot be
// reached is 503 and not counted against the user.
HttpResponse ldap_login(App& app, const HttpRequest& req) {
  json::object body = body_object(req);
  std::string username = str_field(body, "username"), password = str_field(body, "password");
  LoginThrottle& throttle = app.login_throttle();
  if (int wait = throttle.retry_after(username, req.remote)) return too_many_failures(wait);
  identity::DirectoryAnswer answer = app.ldap()->sign_in(username, password);
  if (answer.outcome == identity::DirectoryAnswer::Outcome::Unavailable) {
    spdlog::warn("ldap: sign-in not possible: {}", answer.detail);
    HttpResponse res = HttpResponse::error(503, "The user directory cannot be reached: try again later");
    res.headers.push_back({"Retry-After", "5"});
    return res;
  }
  if (answer.outcome == identity::DirectoryAnswer::Outcome::Refused) {
    spdlog::info("ldap: sign-in refused: {}", answer.detail);
    throttle.record_failure(username, req.remote);
    audit(app, req.remote, "signin_failed", username, {{"strategy", "ldap"}});
    throw ApiError::unauthorized();
  }
  identity::ExternalProfile profile;
  profile.strategy = "ldap";
  profile.provider = app.config().ldap.search_base;
  profile.external_id = answer.user.username;
  profile.username = answer.user.username;
  profile.display_name = answer.user.display_name.empty() ? answer.user.username : answer.user.display_name;
  profile.email = answer.user.email;
  profile.groups = answer.user.groups;
  profile.groups_present = true;
  std::string error;
  auto user = remember_external_user(app, profile, true, error);
  if (!user) {
    audit(app, req.remote, "signin_failed", username, {{"strategy", "ldap"}, {"reason", error}});
    throw ApiError::conflict(error);
  }
  throttle.record_success(username);
  app.directory_confirmed(user->id);
  audit(app, req.remote, "signin", user->username, {{"strategy", "ldap"}});
  spdlog::info("ldap: {} signed in", user->username);
  return login_answer(app, *user);
}

// Sign-in for local and functional accounts (every login alias). The order matters: a locked
// account or address is refused before any work; every name, known or not, costs one argon2
// verification with the same parameters (an unknown name or an account without a password is
// checked against a dummy hash), so neither the answer nor its time tells which names exist;
// every failure is counted for the name and the address.
HttpResponse login(App& app, const HttpRequest& req) {
  json::object body = body_object(req);
  std::string username = str_field(body, "username"), password = str_field(body, "password");
  LoginThrottle& throttle = app.login_throttle();
  if (int wait = throttle.retry_after(username, req.remote)) return too_many_failures(wait);
  auto user = username.empty() ? std::nullopt : app.store().user_by_name(username);
  bool has_password = user && !user->password_hash.empty();
  auto matches = app.passwords().verify(password, has_password ? user->password_hash : app.dummy_password_hash());
  if (!matches) return passwords_busy();
  if (!has_password || !*matches) {
    throttle.record_failure(username, req.remote);
    audit(app, req.remote, "signin_failed", username, {{"strategy", "local"}});
    throw ApiError::unauthorized();
  }
  throttle.record_success(username);
  audit(app, req.remote, "signin", user->username, {{"strategy", "local"}});
  return login_answer(app, *user);
}

// Upstream's words (users.controller.ts) and order: the confirmation first. The minimum
// length is openem's own (upstream takes any non-empty password).
std::string check_new_password(const json::object& body) {
  std::string pw = str_field(body, "newPassword"), confirm = str_field(body, "confirmPassword");
  if (pw != confirm) throw ApiError::bad_request("New password and confirmation password do not match");
  if (pw.size() < 8) throw ApiError::bad_request("newPassword must be at least 8 characters");
  return pw;
}

// Where a user who signed in through the identity provider ends the provider's session:
// LOGOUT_URL, else the provider's end_session_endpoint; "" for local users, when
// OIDC_AUTO_LOGOUT is off or the provider has none.
std::string provider_logout_url(App& app, const Principal& p) {
  const OidcSettings& oidc = app.config().oidc;
  if (!app.oidc() || !oidc.auto_logout || p.user_id.rfind("oidc-", 0) != 0) return {};
  if (!oidc.logout_url.empty()) return oidc.logout_url;
  std::string error;
  auto metadata = app.oidc()->metadata(error);
  return metadata ? metadata->end_session_endpoint : std::string();
}

}  // namespace

void register_auth_routes(Router& r, App& app) {
  for (const char* path : {"/api/v3/auth/login", "/api/v3/users/login"})
    r.add("POST", path, [&app](HttpRequest& req) { return login(app, req); });
  // The directory's sign-in when LDAP_URL is set; the local accounts' otherwise (as before).
  for (const char* path : {"/api/v3/auth/ldap", "/api/v3/auth/msad"})
    r.add("POST", path, [&app](HttpRequest& req) { return app.ldap() ? ldap_login(app, req) : login(app, req); });

  r.add("GET", "/api/v3/auth/whoami", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    if (!p.authenticated()) return HttpResponse::json(200, json::object());
    json::array groups;
    for (const auto& g : p.groups) groups.emplace_back(g);
    return HttpResponse::json(200, json::object{{"_id", p.user_id},
                                                {"username", p.username},
                                                {"email", p.email},
                                                {"currentGroups", std::move(groups)},
                                                {"authStrategy", strategy_of(p)}});
  });

  // Logout ends the token it was sent with (TokenRevocations); a token from before tokens
  // carried a "jti" can only be ended with all others of the user.
  for (const char* path : {"/api/v3/auth/logout", "/api/v3/users/logout"})
    r.add("POST", path, [&app](HttpRequest& req) {
      Principal p = app.require_user(req);
      // A script's logout must not end the long-lived token it runs with.
      if (!p.token_scope.empty())
        throw ApiError::bad_request("A personal API token is not signed out: revoke it with DELETE /api/v3/users/my/tokens/{id}");
      auto token = app.token_of(req);
      if (!token) throw ApiError::unauthorized();
      if (token->jti.empty()) app.token_revocations().revoke_all(p.user_id);
      else app.token_revocations().revoke_one(p.user_id, token->jti, token->expires);
      audit(app, req.remote, "signout", p.username);
      json::object answer{{"logout", "successful"}};
      // Upstream's OIDC_AUTO_LOGOUT: the browser may end the provider's session too.
      if (auto url = provider_logout_url(app, p); !url.empty()) answer["logoutURL"] = url;
      return HttpResponse::json(200, answer);
    });

  r.add("GET", "/api/v3/users", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    if (!app.is_admin(p)) throw ApiError::forbidden();
    ListFilter f = parse_filter(req.query_param("filter").value_or(""));
    json::array out;
    for (const auto& u : app.store().list_users(f.limit.value_or(1000), f.skip)) out.emplace_back(user_json(u));
    return HttpResponse::json(200, out);
  });

  r.add("GET", "/api/v3/users/my/self", [&app](HttpRequest& req) {
    return HttpResponse::json(200, user_json(load_user(app, app.require_user(req).user_id)));
  });
  r.add("GET", "/api/v3/users/my/identity", [&app](HttpRequest& req) {
    return HttpResponse::json(200, identity_json(load_user(app, app.require_user(req).user_id)));
  });
  r.add("GET", "/api/v3/users/:id", [&app](HttpRequest& req) {
    return HttpResponse::json(200, user_json(user_for_caller(app, req)));
  });
  r.add("GET", "/api/v3/users/:id/userIdentity", [&app](HttpRequest& req) {
    return HttpResponse::json(200, identity_json(user_for_caller(app, req)));
  });
  r.add("GET", "/api/v3/users/:id/authorization/dataset/create", [&app](HttpRequest& req) {
    UserRecord u = user_for_caller(app, req);
    Principal subject{u.id, u.username, u.email, u.groups};
    bool allowed = dataset_create_tier(app.config(), subject) != DatasetCreateTier::None;
    return HttpResponse::json(200, json::object{{"authorization", allowed}});
  });

  r.add("POST", "/api/v3/users/password", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    json::object body = body_object(req);
    UserRecord u = load_user(app, p.user_id);
    if (u.auth_strategy != "local") throw ApiError::forbidden("Only local users are allowed to change password");
    check_new_password(body);
    // Guessing the current password here counts like guessing it at sign-in.
    LoginThrottle& throttle = app.login_throttle();
    if (int wait = throttle.retry_after(u.username, req.remote)) return too_many_failures(wait);
    auto matches = app.passwords().verify(str_field(body, "currentPassword"), u.password_hash);
    if (!matches) return passwords_busy();
    if (!*matches) {
      throttle.record_failure(u.username, req.remote);
      audit(app, req.remote, "signin_failed", u.username, {{"strategy", "local"}, {"reason", "wrong current password"}});
      throw ApiError::bad_request("Current password is incorrect");
    }
    auto hashed = app.passwords().hash(check_new_password(body));
    if (!hashed) return passwords_busy();
    // Stored together with a new token generation: every earlier token of the user ends.
    app.token_revocations().revoke_all(u.id, [&](UserRecord& stored) { stored.password_hash = *hashed; });
    audit(app, req.remote, "password_changed", u.username);
    return HttpResponse::json(200, json::object{{"message", "Password updated successfully"}});
  });
  r.add("PATCH", "/api/v3/users/:id/password", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    if (!app.is_admin(p)) throw ApiError::forbidden();
    UserRecord u = load_user(app, req.param("id"));
    json::object body = body_object(req);
    if (u.auth_strategy != "local") throw ApiError::forbidden("Only local users passwords can be changed by admin");
    auto hashed = app.passwords().hash(check_new_password(body));
    if (!hashed) return passwords_busy();
    app.token_revocations().revoke_all(u.id, [&](UserRecord& stored) { stored.password_hash = *hashed; });
    audit(app, req.remote, "password_changed", u.username, {}, p.username);
    return HttpResponse::json(200, json::object{{"message", "Password updated successfully for userId: " + u.id}});
  });

  r.add("POST", "/api/v3/users/jwt", [&app](HttpRequest& req) {
    Principal p = app.authenticate(req);
    json::object payload;
    if (!p.authenticated()) {
      payload = {{"username", "anonymous"}, {"groups", json::array{"public"}}};
    } else {
      json::array groups;
      for (const auto& g : p.groups) groups.emplace_back(g);
      payload = {{"username", p.user_id}, {"groups", std::move(groups)}};
    }
    return HttpResponse::json(201, json::object{{"jwt", jwt_sign(payload, app.jwt_secret(), app.config().jwt_expires_in)}});
  });
}

}  // namespace openem
