// OpenID Connect sign-in as upstream SciCat offers it (auth.controller.ts):
//   GET /api/v3/auth/oidc           → 302 to the provider (authorization code flow with PKCE
//                                     S256, state and nonce), ?successURL= and ?returnUrl= optional
//   GET /api/v3/auth/oidc/callback  → signs the user in, 302 to the success URL with the query
//                                     access-token, user-id and returnUrl (the SciCat frontend's
//                                     and the portal's /auth-callback read them)
// What openem adds to upstream (docs/security.md "Federated sign-in"): the state is bound to
// the browser that started the sign-in by a cookie and taken once (no login CSRF, no replay);
// successURL and returnUrl must stay on this site or the configured success URL's origin (no
// open redirect); a failed sign-in goes back to the success URL with ?error= instead of a
// bare 500, so the page can say what happened.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/app.h"
#include "api/handler_util.h"
#include "api/identity/audit.h"
#include "api/identity/external_users.h"
#include "api/routes.h"
#include "core/error.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr const char* kStateCookie = "openem_oidc_state";
constexpr const char* kCookiePath = "/api/v3/auth/oidc";

identity::ProviderClient& provider(App& app) {
  if (!app.oidc()) throw ApiError::not_found("Sign-in through an identity provider is not configured (OIDC_ISSUER)");
  return *app.oidc();
}

// scheme://host[:port] of an absolute http(s) URL; "" for anything else.
std::string origin_of_url(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return {};
  std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return {};
  auto host_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin = url.substr(0, host_end);
  if (origin.size() == scheme_end + 3 || origin.find('@') != std::string::npos) return {};
  return origin;
}

// Control characters or spaces would end up in the Location header (header injection) or be
// read differently by browsers: such URLs are refused whatever their origin.
bool clean_url(const std::string& url) {
  return std::none_of(url.begin(), url.end(), [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

// A path on this site: "/x", never "//host" or "/\host" (which browsers read as another host).
bool local_path(const std::string& url) {
  return !url.empty() && url[0] == '/' && (url.size() == 1 || (url[1] != '/' && url[1] != '\\')) && clean_url(url);
}

std::string success_url_for(const App& app, const HttpRequest& req) {
  const std::string& configured = app.config().oidc.success_url;
  std::string fallback = configured.empty() ? "/auth-callback" : configured;
  auto asked = req.query_param("successURL");
  if (!asked || asked->empty()) return fallback;
  if (local_path(*asked)) return *asked;
  std::string origin = origin_of_url(*asked);
  if (!origin.empty() && origin == origin_of_url(configured) && clean_url(*asked)) return *asked;
  throw ApiError::bad_request("successURL must be a path on this site or on the configured OIDC_SUCCESS_URL's site");
}

std::string return_url_for(const App& app, const HttpRequest& req) {
  auto asked = req.query_param("returnUrl");
  if (!asked || asked->empty()) return app.config().oidc.return_url;
  if (!local_path(*asked)) throw ApiError::bad_request("returnUrl must be a path on this site");
  return *asked;
}

std::string with_query(std::string url, const std::vector<std::pair<std::string, std::string>>& params) {
  auto hash = url.find('#');
  std::string fragment = hash == std::string::npos ? "" : url.substr(hash);
  if (hash != std::string::npos) url.resize(hash);
  for (const auto& [k, v] : params) {
    url += url.find('?') == std::string::npos ? '?' : '&';
    url += identity::form_encode(k) + "=" + identity::form_encode(v);
  }
  return url + fragment;
}

HttpResponse redirect(const std::string& location, const std::string& cookie) {
  HttpResponse res = HttpResponse::text(302, "");
  res.headers.push_back({"Location", location});
  res.headers.push_back({"Set-Cookie", cookie});
  res.headers.push_back({"Cache-Control", "no-store"});
  res.headers.push_back({"Referrer-Policy", "no-referrer"});  // the success URL carries a token
  return res;
}

std::string state_cookie(const App& app, const std::string& value, int max_age) {
  bool secure = app.config().oidc.callback_url.rfind("https://", 0) == 0;
  return std::string(kStateCookie) + "=" + value + "; Path=" + kCookiePath + "; Max-Age=" + std::to_string(max_age) +
         "; HttpOnly; SameSite=Lax" + (secure ? "; Secure" : "");
}

std::optional<std::string> cookie(const HttpRequest& req, std::string_view name) {
  auto header = req.header("cookie");
  if (!header) return std::nullopt;
  std::string_view rest(*header);
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return std::string(pair.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

HttpResponse start_sign_in(App& app, const HttpRequest& req) {
  identity::ProviderClient& client = provider(app);
  auto [pending, sealed] = app.pending_sign_ins().start(success_url_for(app, req), return_url_for(app, req));
  std::string error;
  auto url = client.authorization_url(pending.state, pending.nonce, identity::pkce_challenge(pending.code_verifier), error);
  if (!url) {
    spdlog::warn("oidc: sign-in not started: {}", error);
    throw ApiError(502, "Sign-in is not possible at the moment: " + error);
  }
  // The sign-in travels sealed in the browser's cookie: the callback may reach any process.
  return redirect(*url, state_cookie(app, sealed, 600));
}

// The claims openem maps: the ID token's, with userinfo's over them (a provider may put the
// groups only there); the issuer and subject stay the ID token's.
json::object merged_claims(json::object id_claims, const json::object& userinfo) {
  for (const auto& [k, v] : userinfo)
    if (k != "iss" && k != "sub" && k != "aud") id_claims[k] = v;
  return id_claims;
}

HttpResponse finish_sign_in(App& app, const HttpRequest& req) {
  identity::ProviderClient& client = provider(app);
  std::string state = req.query_param("state").value_or("");
  auto sealed = cookie(req, kStateCookie);
  identity::PendingSignIns::Refusal refusal{};
  auto pending = state.empty() || !sealed ? std::nullopt : app.pending_sign_ins().take(state, *sealed, &refusal);
  if (!pending && (state.empty() || !sealed || refusal == identity::PendingSignIns::Refusal::kNotThisBrowser))
    throw ApiError::bad_request("This sign-in was not started in this browser: start it again");
  if (!pending) throw ApiError::bad_request("This sign-in is unknown, was used already or took too long: start it again");
  const std::string clear = state_cookie(app, "", 0);
  auto fail = [&](const std::string& why) {
    spdlog::info("oidc: sign-in failed: {}", why);
    audit(app, req.remote, "signin_failed", "", {{"strategy", "oidc"}, {"reason", why}});
    return redirect(with_query(pending->success_url, {{"error", why}}), clear);
  };
  if (auto error = req.query_param("error")) {
    std::string description = req.query_param("error_description").value_or("");
    return fail("The identity provider refused the sign-in (" + *error + (description.empty() ? "" : ": " + description) + ")");
  }
  std::string code = req.query_param("code").value_or("");
  if (code.empty()) return fail("The identity provider sent no authorization code");
  std::string error;
  auto redeemed = client.redeem(code, pending->code_verifier, pending->nonce, error);
  if (!redeemed) return fail("Sign-in failed: " + error);
  std::string subject = redeemed->id_claims.contains("sub") && redeemed->id_claims.at("sub").is_string()
                            ? std::string(redeemed->id_claims.at("sub").get_string())
                            : std::string();
  auto userinfo = client.userinfo(redeemed->access_token, subject, error);
  if (!userinfo) {
    spdlog::warn("oidc: userinfo not read, the ID token's claims are used: {}", error);
    userinfo.emplace();
  }
  auto profile = identity::map_claims(merged_claims(std::move(redeemed->id_claims), *userinfo), client.settings(), error);
  if (!profile) return fail("Sign-in failed: " + error);
  auto user = remember_external_user(app, *profile, true, error);
  if (!user) return fail(error);
  spdlog::info("oidc: {} signed in", user->username);
  audit(app, req.remote, "signin", user->username, {{"strategy", "oidc"}, {"provider", profile->provider}});
  return redirect(with_query(pending->success_url, {{"access-token", app.issue_token(*user)},
                                                    {"user-id", user->id},
                                                    {"returnUrl", pending->return_url}}),
                  clear);
}

}  // namespace

void register_oidc_routes(Router& r, App& app) {
  r.add("GET", "/api/v3/auth/oidc", [&app](HttpRequest& req) { return start_sign_in(app, req); });
  r.add("GET", "/api/v3/auth/oidc/callback", [&app](HttpRequest& req) { return finish_sign_in(app, req); });
}

}  // namespace openem
