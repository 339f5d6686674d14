// User identities and admin-issued tokens (upstream src/users/user-identities.controller.ts
// and users.controller.ts createCustomJWT). The frontend asks /useridentities/findOne for the
// signed-in user's profile; its share dialog asks /useridentities/isValidEmail; ingestion
// set-ups get long-lived tokens from POST /users/{id}/jwt.
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>

#include "api/app.h"
#include "api/handler_util.h"
#include "api/users/user_json.h"
#include "api/users/user_routes.h"
#include "core/error.h"
#include "core/json_path.h"
#include "core/ids.h"
#include "core/jwt.h"

namespace openem {
namespace json = boost::json;
namespace {

// The `where` of the filter from the `filter` header (the frontend's loopback setting) or
// the ?filter= query, as upstream; a query filter that is not JSON is an email address
// (isValidEmail only: email_fallback).
json::object identity_where(const HttpRequest& req, bool email_fallback) {
  auto parse = [](const std::string& text) -> std::optional<json::object> {
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    return v.as_object();
  };
  std::optional<json::object> filter;
  if (auto h = req.header("filter")) {
    filter = parse(*h);
    if (!filter) throw ApiError::bad_request("filter is not a JSON object");
  } else if (auto q = req.query_param("filter")) {
    filter = parse(*q);
    if (!filter) {
      if (!email_fallback) throw ApiError::bad_request("filter is not a JSON object");
      return json::object{{"profile.email", *q}};
    }
  }
  if (!filter) return {};
  auto* where = filter->if_contains("where");
  if (!where) return {};
  if (!where->is_object()) throw ApiError::bad_request("filter.where must be an object");
  return where->as_object();
}

// Equality on every key of `where` (an array field matches when it holds the value, as in
// MongoDB). Operators are refused: identities are looked up by userId or email.
bool matches(const json::object& identity, const json::object& where) {
  for (const auto& [key, wanted] : where) {
    if (!key.empty() && key[0] == '$') throw ApiError::bad_request("Unsupported operator " + std::string(key));
    if (wanted.is_object()) throw ApiError::bad_request("Only equality is supported in useridentities filters");
    const json::value* actual = value_at_path(identity, key);
    if (!actual) return false;
    if (*actual == wanted) continue;
    if (actual->is_array()) {
      bool any = false;
      for (const auto& item : actual->as_array()) any = any || item == wanted;
      if (any) continue;
    }
    return false;
  }
  return true;
}

std::optional<json::object> find_identity(App& app, const json::object& where) {
  // Users are few (functional accounts and those who signed in); a scan is enough.
  if (auto* id = where.if_contains("userId"); id && id->is_string()) {
    auto u = app.store().user_by_id(id->as_string());
    if (!u) return std::nullopt;
    json::object identity = identity_json(*u);
    return matches(identity, where) ? std::optional(identity) : std::nullopt;
  }
  for (const auto& u : app.store().list_users(100000, 0)) {
    json::object identity = identity_json(u);
    if (matches(identity, where)) return identity;
  }
  return std::nullopt;
}

}  // namespace

// expiresIn of CreateCustomJwt (upstream users.service createCustomJWT): seconds as a number
// or a string of digits, a duration such as "7d" (ms/s/m/h/d/w/y), or "never" (100 years);
// absent → the configured token lifetime.
long expires_in_seconds(const json::object& body, long fallback) {
  const json::value* v = body.if_contains("expiresIn");
  if (!v || v->is_null()) return fallback;
  constexpr long kYear = 365L * 24 * 3600;
  // Longer than "never" is "never": the expiry must stay a representable time.
  auto capped = [](long n) { return std::min(n, 100 * kYear); };
  if (v->is_uint64()) {
    return 100 * kYear;  // beyond int64: more than a lifetime
  } else if (v->is_int64()) {
    if (long n = static_cast<long>(v->get_int64()); n > 0) return capped(n);
  } else if (v->is_string()) {
    std::string s(v->as_string());
    if (s == "never") return 100 * kYear;
    size_t i = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i > 0 && i <= 9) {
      long n = std::stol(s.substr(0, i));
      std::string unit = s.substr(i);
      long scale = unit.empty() || unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400
                 : unit == "w" ? 7 * 86400 : unit == "y" ? kYear : unit == "ms" ? 0 : -1;
      if (scale == 0 && n >= 1000) return n / 1000;
      if (scale > 0 && n > 0) return capped(n * scale);  // n ≤ 999,999,999: no overflow below a year's scale
    }
  }
  throw ApiError::bad_request("expiresIn must be a positive number of seconds, a duration such as \"7d\", or \"never\"");
}


void register_user_identity_routes(Router& r, App& app) {
  // Admins may look up anyone; others only their own identity (a filter naming someone else
  // is refused without saying whether that user exists).
  r.add("GET", "/api/v3/useridentities/findOne", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    json::object where = identity_where(req, false);
    if (!app.is_admin(p)) {
      auto* id = where.if_contains("userId");
      if (id && !(id->is_string() && id->as_string() == p.user_id))
        throw ApiError::forbidden("Access Forbidden or Unauthorized");
      where["userId"] = p.user_id;
    }
    auto identity = find_identity(app, where);
    if (!identity) throw ApiError::not_found();
    return HttpResponse::json(200, *identity);
  });

  // Whether a registered user has this email: it reveals who has an account, so admins only
  // (upstream: UserReadAny).
  r.add("GET", "/api/v3/useridentities/isValidEmail", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    if (!app.is_admin(p)) throw ApiError::forbidden();  // upstream's policy guard
    json::object where = identity_where(req, true);
    return HttpResponse::json(200, find_identity(app, where).has_value());
  });

  // A token for another user with a chosen lifetime (upstream UserCreateJwt: admins only). It
  // authenticates like a sign-in token and ends with the user's other tokens on a password change.
  r.add("POST", "/api/v3/users/:id/jwt", [&app](HttpRequest& req) {
    Principal p = app.require_user(req);
    if (!app.is_admin(p)) throw ApiError::forbidden();  // upstream's policy guard
    json::object body = req.body.empty() ? json::object() : body_object(req);
    long ttl = expires_in_seconds(body, app.config().jwt_expires_in);
    auto user = app.store().user_by_id(req.param("id"));
    if (!user) throw ApiError::not_found("User not found");
    json::object payload{{"_id", user->id},
                         {"username", user->username},
                         {"email", user->email},
                         {"authStrategy", user->auth_strategy},
                         {"jti", random_hex(16)},
                         {"gen", app.token_revocations().generation(user->id)}};
    return HttpResponse::json(201, json::object{{"jwt", jwt_sign(payload, app.jwt_secret(), ttl)}});
  });
}

}  // namespace openem
