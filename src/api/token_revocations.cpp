#include "api/token_revocations.h"

#include <boost/json.hpp>

#include <cmath>
#include <ctime>
#include <limits>


namespace openem {
namespace json = boost::json;
namespace {

constexpr const char* kGeneration = "tokenGeneration";
constexpr const char* kRevoked = "revokedTokens";

std::int64_t generation_of(const UserRecord& u) {
  const json::value* g = u.extra.if_contains(kGeneration);
  return g && g->is_int64() ? g->get_int64() : 0;
}

double unix_now() { return static_cast<double>(std::time(nullptr)); }

// A JSON number for an expiry; "for good" is stored as the largest exact integer.
double stored_expiry(double expires) { return std::isfinite(expires) ? expires : 9007199254740992.0; }

}  // namespace

TokenRevocations::TokenRevocations(CatalogStore& store) : store_(store) {
  std::unique_lock lock(mu_);
  constexpr std::int64_t kPage = 1000;
  for (std::int64_t skip = 0;; skip += kPage) {
    auto users = store_.list_users(kPage, skip);
    for (const auto& u : users) remember_locked(u);
    if (static_cast<std::int64_t>(users.size()) < kPage) break;
  }
}

bool TokenRevocations::revoked(const std::string& user_id, std::int64_t generation, const std::string& jti) const {
  follow_other_processes(user_id);
  if (!any_.load(std::memory_order_acquire)) return false;
  std::shared_lock lock(mu_);
  if (auto it = generations_.find(user_id); it != generations_.end() && generation < it->second) return true;
  return !jti.empty() && revoked_jti_.count(jti) > 0;
}

void TokenRevocations::follow_other_processes(const std::string& user_id) const {
  if (!store_.shared_between_processes() || user_id.empty()) return;
  const std::uint64_t now = store_.write_generation();
  {
    std::shared_lock lock(mu_);
    if (auto it = read_at_.find(user_id); it != read_at_.end() && it->second == now) return;
  }
  // Read after the generation: a revocation committed in between is in what is read, and the
  // older generation recorded only makes the next check read again.
  auto user = store_.user_by_id(user_id);
  auto* self = const_cast<TokenRevocations*>(this);  // the cache of what the store holds, not a change of it
  std::unique_lock lock(self->mu_);
  if (user) self->remember_locked(*user);
  read_at_[user_id] = now;
}

std::int64_t TokenRevocations::generation(const std::string& user_id) const {
  follow_other_processes(user_id);
  if (!any_.load(std::memory_order_acquire)) return 0;
  std::shared_lock lock(mu_);
  auto it = generations_.find(user_id);
  return it == generations_.end() ? 0 : it->second;
}

void TokenRevocations::raise_generation(UserRecord& user) { user.extra[kGeneration] = generation_of(user) + 1; }

bool TokenRevocations::revoke_all(const std::string& user_id, const std::function<void(UserRecord&)>& change) {
  std::lock_guard write(write_mu_);
  UserRecord stored;
  bool found = store_.update_user(user_id, [&](UserRecord& user) {
    if (change) change(user);
    raise_generation(user);
    stored = user;
  });
  if (found) remember(stored);
  return found;
}

void TokenRevocations::revoke_one(const std::string& user_id, const std::string& jti, double expires) {
  const double now = unix_now();
  if (expires <= now) return;  // refused anyway
  std::lock_guard write(write_mu_);
  UserRecord stored;
  bool found = store_.update_user(user_id, [&](UserRecord& user) {
    // Tokens past their expiry need no entry any more: the list stays as long as the tokens
    // the user signed out of within one token lifetime.
    json::array kept;
    if (const json::value* list = user.extra.if_contains(kRevoked); list && list->is_array())
      for (const auto& e : list->get_array())
        if (e.is_object())
          if (const json::value* exp = e.get_object().if_contains("exp"); exp && exp->is_number() && exp->to_number<double>() > now)
            kept.push_back(e);
    kept.push_back(json::object{{"jti", jti}, {"exp", stored_expiry(expires)}});
    user.extra[kRevoked] = std::move(kept);
    stored = user;
  });
  if (found) remember(stored);
}

void TokenRevocations::remember(const UserRecord& user) {
  std::unique_lock lock(mu_);
  remember_locked(user);
  // Entries of tokens that have expired meanwhile go (they would be refused anyway).
  const double now = unix_now();
  for (auto it = revoked_jti_.begin(); it != revoked_jti_.end();) {
    if (it->second <= now) it = revoked_jti_.erase(it);
    else ++it;
  }
  any_.store(!generations_.empty() || !revoked_jti_.empty(), std::memory_order_release);
}

void TokenRevocations::remember_locked(const UserRecord& user) {
  if (std::int64_t g = generation_of(user); g > 0) generations_[user.id] = g;
  const double now = unix_now();
  if (const json::value* list = user.extra.if_contains(kRevoked); list && list->is_array()) {
    for (const auto& e : list->get_array()) {
      if (!e.is_object()) continue;
      const json::value* jti = e.get_object().if_contains("jti");
      const json::value* exp = e.get_object().if_contains("exp");
      if (jti && jti->is_string() && exp && exp->is_number() && exp->to_number<double>() > now)
        revoked_jti_[std::string(jti->get_string())] = exp->to_number<double>();
    }
  }
  any_.store(!generations_.empty() || !revoked_jti_.empty(), std::memory_order_release);
}

}  // namespace openem
