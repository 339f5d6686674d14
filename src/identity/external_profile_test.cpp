#include "identity/external_profile.h"

#include <gtest/gtest.h>

namespace openem::identity {
namespace {
namespace json = boost::json;

TEST(ExternalProfileTest, DefaultsAreUpstreams) {
  OidcSettings s;
  std::string error;
  auto p = map_claims(json::object{{"iss", "https://id"}, {"sub", "42"}, {"preferred_username", "alice"},
                                   {"name", "Alice A."}, {"email", "alice@example.org"}, {"groups", json::array{"p1", "p2", "p1", 7}}},
                      s, error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->username, "alice");
  EXPECT_EQ(p->display_name, "Alice A.");
  EXPECT_EQ(p->email, "alice@example.org");
  EXPECT_EQ(p->groups, (std::vector<std::string>{"p1", "p2"}));
  EXPECT_TRUE(p->groups_present);
  EXPECT_EQ(p->external_id, "42");
  // name, then the subject, when there is no preferred_username.
  EXPECT_EQ(map_claims(json::object{{"sub", "42"}, {"name", "Alice"}}, s, error)->username, "Alice");
  auto bare = map_claims(json::object{{"sub", "42"}}, s, error);
  EXPECT_EQ(bare->username, "42");
  EXPECT_FALSE(bare->groups_present);
  EXPECT_FALSE(map_claims(json::object{{"name", "nobody"}}, s, error));
  EXPECT_NE(error.find("sub"), std::string::npos);
}

TEST(ExternalProfileTest, MappingSettingsPickTheClaims) {
  OidcSettings s;
  s.username_claims = {"iss", "sub"};
  s.groups_claim = "realm_access.roles";
  s.email_claim = "mail";
  std::string error;
  auto p = map_claims(json::object{{"iss", "idp"}, {"sub", "42"}, {"mail", "a@b.c"},
                                   {"realm_access", json::object{{"roles", json::array{"facility-staff"}}}}},
                      s, error);
  ASSERT_TRUE(p) << error;
  EXPECT_EQ(p->username, "idp_42");
  EXPECT_EQ(p->email, "a@b.c");
  EXPECT_EQ(p->groups, std::vector<std::string>{"facility-staff"});
  s.groups_claim = "memberships";
  p = map_claims(json::object{{"sub", "42"}, {"memberships", "g1, g2,,g1"}}, s, error);
  EXPECT_EQ(p->groups, (std::vector<std::string>{"g1", "g2"}));
}

TEST(ExternalProfileTest, UnusableNamesAreRefusedOrDropped) {
  OidcSettings s;
  std::string error;
  EXPECT_FALSE(map_claims(json::object{{"sub", "42"}, {"preferred_username", "ad\nmin"}}, s, error));
  EXPECT_FALSE(map_claims(json::object{{"sub", "42"}, {"preferred_username", std::string(300, 'a')}}, s, error));
  auto p = map_claims(json::object{{"sub", "42"}, {"groups", json::array{"ok", "", "bad\x01", std::string(300, 'g')}}}, s, error);
  EXPECT_EQ(p->groups, std::vector<std::string>{"ok"});
}

TEST(ExternalProfileTest, TheUserIdDependsOnIssuerAndSubjectOnly) {
  EXPECT_EQ(external_user_id("https://a", "1"), external_user_id("https://a", "1"));
  EXPECT_NE(external_user_id("https://a", "1"), external_user_id("https://b", "1"));
  EXPECT_NE(external_user_id("https://a\n1", ""), external_user_id("https://a", "1\n"));
  EXPECT_EQ(external_user_id("https://a", "1").rfind("oidc-", 0), 0u);
  EXPECT_EQ(external_user_id("https://a", "1").size(), 37u);
}

}  // namespace
}  // namespace openem::identity
