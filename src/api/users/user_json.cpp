#include "api/users/user_json.h"

#include "api/handler_util.h"

namespace openem {
namespace json = boost::json;

json::object user_json(const UserRecord& u) {
  return {{"_id", u.id},
          {"id", u.id},
          {"username", u.username},
          {"email", u.email},
          {"authStrategy", u.auth_strategy},
          {"emailVerified", false},
          {"realm", u.auth_strategy}};
}

json::object identity_json(const UserRecord& u) {
  json::array groups;
  for (const auto& g : u.groups) groups.emplace_back(g);
  std::string display = str_field(u.extra, "displayName");
  if (display.empty()) display = u.username;
  // Accounts of an identity provider carry its issuer and subject (api/identity/external_users).
  std::string provider = str_field(u.extra, "provider"), external_id = str_field(u.extra, "externalId");
  return {{"userId", u.id},
          {"authStrategy", u.auth_strategy},
          {"provider", provider.empty() ? u.auth_strategy : provider},
          {"externalId", external_id.empty() ? u.username : external_id},
          {"credentials", json::object()},
          {"created", str_field(u.extra, "createdAt")},
          {"modified", str_field(u.extra, "updatedAt")},
          {"profile", json::object{{"id", u.id},
                                   {"username", u.username},
                                   {"displayName", display},
                                   {"email", u.email},
                                   {"emails", json::array{json::object{{"value", u.email}}}},
                                   {"thumbnailPhoto", ""},
                                   {"accessGroups", std::move(groups)}}}};
}

}  // namespace openem
