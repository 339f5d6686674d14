#pragma once
// ExternalProfile: who a provider says a user is, read from its claims (ID token, userinfo or
// a Bearer access token) with SciCat's mapping settings (OidcSettings: username, display
// name, e-mail and groups claims). Pure; never throws.
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/config.h"

namespace openem::identity {

struct ExternalProfile {
  std::string strategy = "oidc";  // how the user signed in: "oidc" or "ldap" (the account's authStrategy)
  std::string provider;     // "iss"; for LDAP the search base
  std::string external_id;  // "sub"
  std::string username;     // the mapped claims joined by '_'; "preferred_username", "name" or "sub" by default
  std::string display_name;
  std::string email;
  std::vector<std::string> groups;  // from settings.groups_claim: an array of strings or a comma-separated string
  bool groups_present = false;      // the claims had settings.groups_claim at all
};

// nullopt (with `error`) when the claims have no subject or the mapped username is unusable
// (control characters, longer than 256 bytes). Groups that are not non-empty strings of at most
// 256 bytes without control characters are dropped; duplicates are dropped.
std::optional<ExternalProfile> map_claims(const boost::json::object& claims, const OidcSettings& settings,
                                          std::string& error);

// openem's user id for a provider's subject: "oidc-" and 32 hex digits of SHA-256 over the
// length-prefixed issuer and the subject,
// so the same person always maps to the same account and no one else's.
// `strategy` is the id's prefix ("oidc", "ldap").
std::string external_user_id(const std::string& provider, const std::string& external_id,
                             const std::string& strategy = "oidc");

}  // namespace openem::identity
