#include "api/identity/external_users.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/time.h"

namespace openem {
namespace json = boost::json;

std::optional<UserRecord> remember_external_user(App& app, const identity::ExternalProfile& profile,
                                                 bool groups_given, std::string& error) {
  CatalogStore& store = app.store();
  const std::string id = identity::external_user_id(profile.provider, profile.external_id);
  if (auto holder = store.user_by_name(profile.username); holder && holder->id != id) {
    error = "The user name '" + profile.username + "' belongs to another account; ask an administrator";
    return std::nullopt;
  }
  auto existing = store.user_by_id(id);
  UserRecord user = existing.value_or(UserRecord{});
  const bool groups_changed = groups_given && user.groups != profile.groups;
  bool changed = !existing || groups_changed || user.username != profile.username || user.email != profile.email;
  user.id = id;
  user.username = profile.username;
  user.email = profile.email;
  user.password_hash.clear();
  user.auth_strategy = "oidc";
  if (groups_given) user.groups = profile.groups;
  auto set = [&](const char* key, const std::string& value) {
    auto* v = user.extra.if_contains(key);
    if (v && v->is_string() && v->get_string() == value) return;
    user.extra[key] = value;
    changed = true;
  };
  set("displayName", profile.display_name);
  set("provider", profile.provider);
  set("externalId", profile.external_id);
  if (!existing) set("createdAt", now_iso());
  if (!changed) return user;
  user.extra["updatedAt"] = now_iso();
  store.upsert_user(user);
  app.forget_user(id);
  if (!existing) spdlog::info("oidc: new account {} for {} at {}", user.username, profile.external_id, profile.provider);
  else if (groups_changed) spdlog::info("oidc: groups of {} are now [{}]", user.username, fmt::join(user.groups, ", "));
  return user;
}

}  // namespace openem
