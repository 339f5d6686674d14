#include "api/identity/provider_tokens.h"

#include <spdlog/spdlog.h>

#include "core/time.h"


namespace openem {

std::shared_ptr<const VerifiedToken> ProviderTokens::verify(const std::string& token) {
  const double now = wall_clock_seconds();
  {
    std::lock_guard lock(mu_);
    if (auto it = tokens_.find(token); it != tokens_.end()) {
      if (it->second->expires > now) return it->second;
      tokens_.erase(it);
      return nullptr;
    }
  }
  identity::JwtCheck check = client_.check_bearer(token);
  if (!check.valid()) {
    spdlog::debug("oidc: a Bearer token was refused: {}", check.error);
    return nullptr;
  }
  std::string error;
  auto profile = identity::map_claims(check.claims, client_.settings(), error);
  if (!profile) {
    spdlog::info("oidc: a Bearer token was refused: {}", error);
    return nullptr;
  }
  // An access token without the groups claim keeps the groups of the last sign-in.
  auto user_id = remember_(*profile, profile->groups_present);
  if (!user_id) return nullptr;
  auto verified = std::make_shared<VerifiedToken>();
  verified->subject = *user_id;
  if (auto* jti = check.claims.if_contains("jti"); jti && jti->is_string()) verified->jti = std::string(jti->get_string());
  verified->expires = check.expires;
  if (token.size() > JwtVerifyCache::kMaxCachedLength) return verified;
  std::lock_guard lock(mu_);
  if (tokens_.size() >= capacity_) tokens_.clear();
  tokens_.emplace(token, verified);
  return verified;
}

}  // namespace openem
