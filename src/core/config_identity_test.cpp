// The identity settings of Config (SciCat's OIDC_* and LDAP_* names): defaults that follow
// from others, and the mistakes refused at start-up with a sentence.
#include "core/config.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

Config load(std::map<std::string, std::string> env) { return Config::load(std::nullopt, env); }

TEST(ConfigIdentityTest, OidcNeedsIssuerAndClientAndKnowsItsCallback) {
  EXPECT_FALSE(load({}).oidc.enabled());
  EXPECT_FALSE(load({{"OIDC_ISSUER", "https://id"}}).oidc.enabled());
  Config c = load({{"OIDC_ISSUER", "https://id/realms/em/"}, {"OIDC_CLIENT_ID", "openem"},
                   {"OPENEM_PUBLIC_URL", "https://data.example.org/"}});
  EXPECT_TRUE(c.oidc.enabled());
  EXPECT_EQ(c.oidc.issuer, "https://id/realms/em");  // a trailing slash would break discovery's issuer check
  EXPECT_EQ(c.oidc.callback_url, "https://data.example.org/api/v3/auth/oidc/callback");
  EXPECT_EQ(c.oidc.audiences, std::vector<std::string>{"openem"});
  EXPECT_EQ(c.oidc.scope, "openid profile email");
  try {
    load({{"OIDC_ISSUER", "https://id"}, {"OIDC_CLIENT_ID", "openem"}});
    FAIL() << "an OIDC set-up without a callback URL must not start";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("OIDC_CALLBACK_URL"), std::string::npos) << e.what();
  }
}

TEST(ConfigIdentityTest, TheGroupsPropertyWinsOverTheOlderNamesInAnyOrder) {
  // std::map applies keys in alphabetical order: OIDC_ACCESS_GROUPS before _PROPERTY, and
  // OIDC_USERINFO_MAPPING_FIELD_GROUP after it.
  Config c = load({{"OIDC_ACCESS_GROUPS", "old"}, {"OIDC_ACCESS_GROUPS_PROPERTY", "realm_access.roles"},
                   {"OIDC_USERINFO_MAPPING_FIELD_GROUP", "older"}});
  EXPECT_EQ(c.oidc.groups_claim, "realm_access.roles");
  EXPECT_EQ(load({{"OIDC_ACCESS_GROUPS", "memberships"}}).oidc.groups_claim, "memberships");
  EXPECT_EQ(load({{"OIDC_USERINFO_MAPPING_FIELD_USERNAME", "iss, sub"}}).oidc.username_claims,
            (std::vector<std::string>{"iss", "sub"}));
}

TEST(ConfigIdentityTest, LdapDefaultsFollowTheModeAndMistakesAreRefused) {
  Config ad = load({{"LDAP_URL", "ldaps://dc.example.org"}, {"LDAP_SEARCH_BASE", "dc=example,dc=org"}});
  EXPECT_TRUE(ad.ldap.enabled());
  EXPECT_EQ(ad.ldap.username_attribute, "sAMAccountName");
  EXPECT_EQ(ad.ldap.search_filter, "(sAMAccountName={{username}})");
  Config ldap = load({{"LDAP_URL", "ldap://x"}, {"LDAP_SEARCH_BASE", "dc=x"}, {"LDAP_MODE", "OpenLDAP"}});
  EXPECT_EQ(ldap.ldap.search_filter, "(uid={{username}})");
  EXPECT_THROW(load({{"LDAP_URL", "ldap://x"}}), std::runtime_error);  // no search base
  EXPECT_THROW(load({{"LDAP_URL", "ldap://x"}, {"LDAP_SEARCH_BASE", "dc=x"}, {"LDAP_SEARCH_FILTER", "(uid=alice)"}}),
               std::runtime_error);
  EXPECT_THROW(load({{"LDAP_MODE", "novell"}}), std::runtime_error);
  EXPECT_THROW(load({{"LDAP_TIMEOUT_SECONDS", "0"}}), std::runtime_error);
}

}  // namespace
}  // namespace openem
