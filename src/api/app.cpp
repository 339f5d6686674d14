#include "api/app.h"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "api/identity/audit.h"
#include "api/identity/external_users.h"
#include "api/identity/personal_tokens.h"
#include "core/acting_user.h"
#include "core/error.h"
#include "core/ids.h"
#include "core/jwt.h"
#include "core/password.h"
#include "core/time.h"

namespace openem {
namespace json = boost::json;

namespace {
// The configured secret, or a generated one kept in the catalog so tokens survive restarts.
std::string jwt_secret_for(const Config& config, CatalogStore& store) {
  if (!config.jwt_secret.empty()) return config.jwt_secret;
  auto saved = store.setting("jwt_secret");
  if (!saved) {
    store.set_setting("jwt_secret", random_hex(32));
    saved = store.setting("jwt_secret");
  }
  return *saved;
}

// At most half of the I/O threads may wait for argon2 (see PasswordPool), and at most half
// of the cores hash.
std::unique_ptr<PasswordPool> password_pool_for(const Config& config) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  unsigned io_threads = config.threads ? config.threads : 8;
  unsigned workers = config.login_workers ? config.login_workers : std::max(1u, cores / 2);
  unsigned queue = config.login_queue ? config.login_queue : std::max(1u, io_threads / 2);
  return std::make_unique<PasswordPool>(workers, std::max(workers, queue));
}
}  // namespace

App::App(Config config, std::unique_ptr<CatalogStore> store, std::unique_ptr<BlobStore> blobs)
    : config_(std::move(config)),
      store_(std::move(store)),
      blobs_(std::move(blobs)),
      jwt_secret_(jwt_secret_for(config_, *store_)),
      verified_tokens_(jwt_secret_, "_id"),
      revocations_(std::make_unique<TokenRevocations>(*store_)),
      lineage_index_(std::make_unique<LineageIndex>(*store_)),
      passwords_(password_pool_for(config_)),
      login_throttle_(LoginLimits{config_.login_max_failures, config_.login_max_failures_per_address,
                                  config_.login_window_seconds},
                      store_->shared_between_processes() ? store_.get() : nullptr),
      dummy_password_hash_(hash_password(random_hex(16))),
      pending_sign_ins_(jwt_secret_) {
  store_->set_query_budget(std::chrono::milliseconds(config_.query_budget_ms));
  if (config_.ldap.enabled()) ldap_ = std::make_unique<identity::LdapDirectory>(config_.ldap);
  if (config_.oidc.enabled()) {
    oidc_ = std::make_unique<identity::ProviderClient>(config_.oidc);
    provider_tokens_ = std::make_unique<ProviderTokens>(
        *oidc_, [this](const identity::ExternalProfile& profile, bool groups_given) -> std::optional<std::string> {
          std::string error;
          auto user = remember_external_user(*this, profile, groups_given, error);
          if (!user) spdlog::info("oidc: a Bearer token was refused: {}", error);
          return user ? std::optional<std::string>(user->id) : std::nullopt;
        });
  }
}

namespace {
// The token of a request. Two different credentials in one request are refused (400) rather
// than one of them picked: a proxy or a log may have looked at the other one. (Two
// Authorization headers are refused by the server already.)
std::string token_from(const HttpRequest& req) {
  auto strip = [](std::string v) {
    if (v.size() > 7 && (v.compare(0, 7, "Bearer ") == 0 || v.compare(0, 7, "bearer ") == 0)) v = v.substr(7);
    while (!v.empty() && v.front() == ' ') v.erase(v.begin());
    return v;
  };
  std::string from_header, from_query;
  if (auto h = req.header("authorization"); h && !h->empty()) from_header = strip(*h);
  if (auto n = req.query.count("access_token"); n > 0) {
    if (n > 1) throw ApiError::bad_request("The request has more than one access_token parameter");
    if (auto q = req.query_param("access_token"); q && !q->empty()) from_query = strip(*q);
  }
  if (!from_header.empty() && !from_query.empty() && from_header != from_query)
    throw ApiError::bad_request("The Authorization header and the access_token parameter carry different tokens");
  return from_header.empty() ? from_query : from_header;
}
}  // namespace

std::shared_ptr<const VerifiedToken> App::token_of(const HttpRequest& req) const {
  std::string token = token_from(req);
  if (token.empty()) return nullptr;
  auto verified = verified_tokens_.verify_token(token);
  // Not one of ours: perhaps the identity provider's (signed with its keys, never HS256).
  if (!verified && provider_tokens_ && identity::JwkSet::supported_algorithm(identity::jws_algorithm(token)))
    verified = provider_tokens_->verify(token);
  // Checked after the cache, on every request: a revoked token stops working at once.
  if (!verified || revocations_->revoked(verified->subject, verified->generation, verified->jti)) return nullptr;
  return verified;
}

// A personal API token: read from the catalog on every request (personal_tokens.h), so
// revocation and group changes apply at once on every process.
Principal App::authenticate_personal(const HttpRequest& req, const std::string& credential) const {
  auto verified = verify_personal_token(*store_, credential, wall_clock_seconds());
  if (!verified) return Principal::anonymous();
  const TokenScope scope = verified->token.scope;
  if (!token_scope_allows(scope, req.method, req.segments))
    throw ApiError::forbidden(std::string("This token's scope (") + token_scope_name(scope) + ") does not allow " +
                              req.method + " here");
  const UserRecord& u = verified->user;
  if (!directory_still_has(u.id, u.username)) return Principal::anonymous();
  Principal p{u.id, u.username, u.email, u.groups};
  p.token_scope = token_scope_name(scope);
  return p;
}

bool App::directory_still_has(const std::string& user_id, const std::string& username) const {
  if (!ldap_ || user_id.rfind("ldap-", 0) != 0) return true;
  const double now = wall_clock_seconds();
  {
    std::lock_guard lock(directory_mu_);
    auto it = directory_checked_.find(user_id);
    if (it != directory_checked_.end() && now - it->second.first < config_.ldap.recheck_seconds) return it->second.second;
  }
  identity::DirectoryAnswer answer = ldap_->lookup(username);
  std::lock_guard lock(directory_mu_);
  auto& entry = directory_checked_[user_id];
  if (answer.outcome == identity::DirectoryAnswer::Outcome::Unavailable) {
    if (entry.first == 0) entry.second = true;  // never asked: the sign-in just found the user
    spdlog::warn("ldap: could not ask whether {} still exists: {}", username, answer.detail);
  } else {
    if (entry.second != (answer.outcome == identity::DirectoryAnswer::Outcome::SignedIn) || entry.first == 0)
      spdlog::info("ldap: {} is {} in the directory", username,
                   answer.outcome == identity::DirectoryAnswer::Outcome::SignedIn ? "present" : "no longer");
    entry.second = answer.outcome == identity::DirectoryAnswer::Outcome::SignedIn;
  }
  entry.first = now;
  return entry.second;
}

void App::directory_confirmed(const std::string& user_id) const {
  std::lock_guard lock(directory_mu_);
  directory_checked_[user_id] = {wall_clock_seconds(), true};
}

// The caller is also the acting user of the writes this request makes (core/acting_user.h):
// the change history names them. The server's dispatch scope ends it with the request.
Principal App::authenticate(const HttpRequest& req) const {
  Principal p = authenticate_request(req);
  acting_user::set(p.authenticated() ? p.username : std::string("anonymous"));
  return p;
}

Principal App::authenticate_request(const HttpRequest& req) const {
  if (std::string sent = token_from(req); is_personal_token(sent)) return authenticate_personal(req, sent);
  auto token = token_of(req);
  if (!token) {
    // An ended session is told so, as upstream does: the SciCat frontend signs in again on a
    // 401 "SESSION_EXPIRED" and on nothing else. Forged and revoked tokens stay anonymous.
    if (std::string sent = token_from(req); !sent.empty() && verified_tokens_.expired(sent))
      throw ApiError::unauthorized("SESSION_EXPIRED");
    return Principal::anonymous();
  }
  const std::string& user_id = token->subject;
  std::optional<Principal> cached;
  {
    std::shared_lock lock(cache_mu_);
    if (auto it = principals_.find(user_id); it != principals_.end()) cached = it->second;
  }
  if (cached) return directory_still_has(user_id, cached->username) ? *cached : Principal::anonymous();
  auto user = store_->user_by_id(user_id);
  if (!user || !directory_still_has(user->id, user->username)) return Principal::anonymous();
  Principal p{user->id, user->username, user->email, user->groups};
  std::unique_lock lock(cache_mu_);
  principals_[user_id] = p;
  return p;
}

Principal App::require_user(const HttpRequest& req) const {
  Principal p = authenticate(req);
  if (!p.authenticated()) throw ApiError::unauthorized();
  return p;
}

void App::forget_user(const std::string& user_id) const {
  std::unique_lock lock(cache_mu_);
  principals_.erase(user_id);
}

std::string App::issue_token(const UserRecord& user) const {
  // Upstream signs the user record without its password; clients read exp (scitacean).
  // "jti" makes every token unique (logout revokes one); "gen" is the user's token
  // generation (a password change ends the tokens of earlier ones).
  json::object payload{{"_id", user.id},
                       {"username", user.username},
                       {"email", user.email},
                       {"authStrategy", user.auth_strategy},
                       {"jti", random_hex(16)},
                       {"gen", revocations_->generation(user.id)}};
  return jwt_sign(payload, jwt_secret_, config_.jwt_expires_in);
}

std::optional<std::string> bootstrap_accounts(App& app) {
  CatalogStore& store = app.store();
  std::optional<std::string> generated;
  const Config& cfg = app.config();
  // Each account is read and written in one transaction: processes that start together with
  // the same accounts file (several API processes on one catalog) make each account once.
  store.transaction([&] {
    auto admin = store.user_by_name("admin");
    if (admin && !cfg.admin_password) return;
    std::string password;
    if (cfg.admin_password) password = *cfg.admin_password;
    else generated = password = random_hex(12);
    UserRecord u = admin.value_or(UserRecord{});
    if (u.id.empty()) u.id = uuid_v4();
    u.username = "admin";
    if (u.email.empty()) u.email = "admin@localhost";
    // Re-hash only when the password changed: argon2 is deliberately slow. A changed password
    // ends the account's earlier tokens, as a password change through the API does.
    if (u.password_hash.empty() || !verify_password(password, u.password_hash)) {
      if (!u.password_hash.empty()) TokenRevocations::raise_generation(u);
      u.password_hash = hash_password(password);
    }
    u.groups = {"admin"};
    store.upsert_user(u);
    app.token_revocations().remember(u);
  });
  for (const auto& a : cfg.functional_accounts) {
    store.transaction([&] {
      auto existing = store.user_by_name(a.username);
      UserRecord u = existing.value_or(UserRecord{});
      if (u.id.empty()) u.id = uuid_v4();
      u.username = a.username;
      u.email = a.email;
      if (u.password_hash.empty() || !verify_password(a.password, u.password_hash)) {
        if (!u.password_hash.empty()) TokenRevocations::raise_generation(u);
        u.password_hash = hash_password(a.password);
      }
      std::vector<std::string> before = u.groups;
      u.groups = a.roles;
      if (a.global) u.groups.push_back("globalaccess");
      store.upsert_user(u);
      app.token_revocations().remember(u);
      if (existing && before != u.groups) {
        json::array was, now;
        for (const auto& g : before) was.emplace_back(g);
        for (const auto& g : u.groups) now.emplace_back(g);
        audit(app, "", "groups_changed", u.username,
              {{"strategy", "functional"}, {"before", std::move(was)}, {"after", std::move(now)}}, "FUNCTIONAL_ACCOUNTS_FILE");
      }
    });
  }
  return generated;
}

}  // namespace openem
