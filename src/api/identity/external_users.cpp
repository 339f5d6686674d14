#include "api/identity/external_users.h"

#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "api/identity/audit.h"
#include "core/time.h"

namespace openem {
namespace json = boost::json;

std::optional<UserRecord> remember_external_user(App& app, const identity::ExternalProfile& profile,
                                                 bool groups_given, std::string& error) {
  CatalogStore& store = app.store();
  const std::string id = identity::external_user_id(profile.provider, profile.external_id, profile.strategy);
  std::optional<UserRecord> existing;
  std::vector<std::string> groups_before;
  bool groups_changed = false, name_taken = false;
  UserRecord user;
  // One transaction: a sign-in never undoes a token made or revoked at the same moment, and
  // two accounts never take one name.
  store.transaction([&] {
    if (auto holder = store.user_by_name(profile.username); holder && holder->id != id) {
      name_taken = true;
      return;
    }
    existing = store.user_by_id(id);
    user = existing.value_or(UserRecord{});
    groups_changed = groups_given && user.groups != profile.groups;
    groups_before = user.groups;
    bool changed = !existing || groups_changed || user.username != profile.username || user.email != profile.email;
    user.id = id;
    user.username = profile.username;
    user.email = profile.email;
    user.password_hash.clear();
    user.auth_strategy = profile.strategy;
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
    if (!changed) return;
    user.extra["updatedAt"] = now_iso();
    store.upsert_user(user);
  });
  if (name_taken) {
    error = "The user name '" + profile.username + "' belongs to another account; ask an administrator";
    return std::nullopt;
  }
  app.forget_user(id);
  if (!existing) spdlog::info("{}: new account {} for {} at {}", profile.strategy, user.username, profile.external_id, profile.provider);
  if (groups_changed) {
    json::array before, after;
    for (const auto& g : groups_before) before.emplace_back(g);
    for (const auto& g : user.groups) after.emplace_back(g);
    audit(app, "", "groups_changed", user.username,
          {{"strategy", profile.strategy}, {"before", std::move(before)}, {"after", std::move(after)}});
    if (existing) spdlog::info("{}: groups of {} are now [{}]", profile.strategy, user.username, fmt::join(user.groups, ", "));
  }
  return user;
}

}  // namespace openem
