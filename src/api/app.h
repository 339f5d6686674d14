#pragma once
// App: what every API handler shares — configuration, the catalog store, the authenticator
// and the permission rules. Created once by `openem serve`; handlers only read it (the
// store and the user cache are internally synchronised), so it is safe from every thread.
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "api/identity/provider_tokens.h"
#include "api/login_throttle.h"
#include "api/result_cache.h"
#include "api/token_revocations.h"
#include "blob/blob_store.h"
#include "core/config.h"
#include "core/jwt.h"
#include "core/password_pool.h"
#include "core/principal.h"
#include "http/message.h"
#include "identity/ldap_directory.h"
#include "identity/pending_sign_ins.h"
#include "identity/provider_client.h"
#include "store/catalog_store.h"
#include "store/lineage_index.h"

namespace openem {

class App {
 public:
  // One blob store per process: uploads, downloads and the archive worker must see (and
  // serialise on) the same instance. config.threads: the server's I/O threads (sizes the
  // sign-in queue; 0 counts as 8).
  App(Config config, std::unique_ptr<CatalogStore> store, std::unique_ptr<BlobStore> blobs);

  const Config& config() const { return config_; }
  CatalogStore& store() const { return *store_; }
  BlobStore& blobs() const { return *blobs_; }
  const std::string& jwt_secret() const { return jwt_secret_; }

  // The caller of a request: from `Authorization: Bearer <token>` or `?access_token=` (with or
  // without "Bearer "): openem's own JWT, a personal API token (api/identity/personal_tokens.h)
  // or the identity provider's access token. Missing token → anonymous; invalid, expired or
  // revoked token → anonymous too (upstream's guard lets such requests through as "no user";
  // endpoints then answer 401/403). Two different credentials in one request → ApiError 400;
  // a personal token used beyond its scope → ApiError 403.
  Principal authenticate(const HttpRequest& req) const;
  // The request's token, if it authenticates (logout revokes it).
  std::shared_ptr<const VerifiedToken> token_of(const HttpRequest& req) const;
  Principal require_user(const HttpRequest& req) const;  // 401 when anonymous
  // A token for `user` with a fresh "jti" and the user's current token generation.
  std::string issue_token(const UserRecord& user) const;
  // Logout and password changes (see TokenRevocations).
  TokenRevocations& token_revocations() const { return *revocations_; }
  // Drops a user from the principal cache after a change of groups or password.
  void forget_user(const std::string& user_id) const;

  // Sign-in (auth_routes.cpp): argon2 off the I/O threads, failure limits, and the hash that
  // unknown names are checked against so that they cost the same time as known ones.
  PasswordPool& passwords() const { return *passwords_; }
  LoginThrottle& login_throttle() const { return login_throttle_; }
  const std::string& dummy_password_hash() const { return dummy_password_hash_; }

  // OpenID Connect (api/identity/, docs/security.md "Federated sign-in"): the provider, or
  // nullptr when OIDC_ISSUER and OIDC_CLIENT_ID are not set, and the sign-ins under way.
  identity::ProviderClient* oidc() const { return oidc_.get(); }
  identity::PendingSignIns& pending_sign_ins() const { return pending_sign_ins_; }
  // The LDAP directory for /auth/ldap and /auth/msad, or nullptr when LDAP_URL is not set.
  const identity::LdapDirectory* ldap() const { return ldap_.get(); }
  // A sign-in just found the directory account: its tokens count as present from now on.
  void directory_confirmed(const std::string& user_id) const;

  // Facet results until the next write (see ResultCache).
  ResultCache& facet_cache() const { return facet_cache_; }
  // Every dataset's lineage links in memory, for GET …/lineage (built on first use).
  LineageIndex& lineage_index() const { return *lineage_index_; }

  // Group tiers (reference §7.1).
  bool is_admin(const Principal& p) const { return config_.admin_groups.matches(p.groups, p.authenticated()); }
  bool may_delete(const Principal& p) const { return config_.delete_groups.matches(p.groups, p.authenticated()); }
  // The archive system (docs/security.md): admins, lifecycle managers and job managers. Only
  // they change what archiving wrote (datablocks' archive fields, archiveRetentionTime).
  bool is_archive_manager(const Principal& p) const {
    return p.authenticated() && (is_admin(p) || config_.update_dataset_lifecycle_groups.matches(p.groups, true) ||
                                 config_.update_job_privileged_groups.matches(p.groups, true));
  }

 private:
  Principal authenticate_request(const HttpRequest& req) const;
  Principal authenticate_personal(const HttpRequest& req, const std::string& credential) const;
  // For accounts of the LDAP directory: whether it still has (and has not disabled) the user,
  // asked at most every LdapSettings::recheck_seconds per account; while the directory cannot
  // be reached the last answer stands (docs/security.md "LDAP").
  bool directory_still_has(const std::string& user_id, const std::string& username) const;

  Config config_;
  std::unique_ptr<CatalogStore> store_;
  std::unique_ptr<BlobStore> blobs_;
  std::string jwt_secret_;
  JwtVerifyCache verified_tokens_;  // of jwt_secret_, "_id"
  std::unique_ptr<TokenRevocations> revocations_;
  mutable std::shared_mutex cache_mu_;
  mutable std::unordered_map<std::string, Principal> principals_;  // user id → principal
  mutable ResultCache facet_cache_;
  std::unique_ptr<LineageIndex> lineage_index_;
  std::unique_ptr<PasswordPool> passwords_;
  mutable LoginThrottle login_throttle_;
  std::string dummy_password_hash_;
  std::unique_ptr<identity::ProviderClient> oidc_;
  std::unique_ptr<ProviderTokens> provider_tokens_;  // Bearer tokens of oidc_
  mutable identity::PendingSignIns pending_sign_ins_;
  std::unique_ptr<identity::LdapDirectory> ldap_;
  mutable std::mutex directory_mu_;
  mutable std::unordered_map<std::string, std::pair<double, bool>> directory_checked_;  // user id → (when, present)
};

// Creates the admin account (password from config or generated and printed once) and the
// functional accounts; returns the generated admin password if one was generated.
std::optional<std::string> bootstrap_accounts(App& app);

}  // namespace openem
