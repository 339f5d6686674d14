// Dataset permission tiers under SciCat's group-list configuration.
#include "api/permissions.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

Config config() {
  Config c;
  c.admin_groups = GroupList::parse("admin");
  c.create_dataset_groups = GroupList::parse("#all");
  c.create_dataset_with_pid_groups = GroupList::parse("pidders");
  c.create_dataset_privileged_groups = GroupList::parse("ingestor, other-ingestor");
  c.update_dataset_lifecycle_groups = GroupList::parse("archivemanager");
  return c;
}

Principal user(std::vector<std::string> groups) { return {"id", "name", "n@x.org", std::move(groups)}; }

TEST(PermissionsTest, TiersInPrecedenceOrder) {
  Config c = config();
  EXPECT_EQ(dataset_create_tier(c, Principal::anonymous()), DatasetCreateTier::None);
  EXPECT_EQ(dataset_create_tier(c, user({"g1"})), DatasetCreateTier::OwnGroups);
  EXPECT_EQ(dataset_create_tier(c, user({"g1", "pidders"})), DatasetCreateTier::WithPid);
  EXPECT_EQ(dataset_create_tier(c, user({"other-ingestor"})), DatasetCreateTier::Privileged);
  EXPECT_EQ(dataset_create_tier(c, user({"ingestor", "admin"})), DatasetCreateTier::Admin);
  c.create_dataset_groups = GroupList::parse("creators");
  EXPECT_EQ(dataset_create_tier(c, user({"g1"})), DatasetCreateTier::None);
}

TEST(PermissionsTest, ReadAnyForAdminsAndLifecycleManagersOnly) {
  Config c = config();
  EXPECT_TRUE(dataset_read_scope(c, user({"admin"})).read_any);
  EXPECT_TRUE(dataset_read_scope(c, user({"archivemanager"})).read_any);
  EXPECT_FALSE(dataset_read_scope(c, user({"ingestor"})).read_any);
  EXPECT_FALSE(dataset_read_scope(c, Principal::anonymous()).read_any);
  EXPECT_TRUE(dataset_update_any(c, user({"admin"})));
  EXPECT_FALSE(dataset_update_any(c, user({"archivemanager"})));
}

TEST(PermissionsTest, AllMatchesOnlyAuthenticatedCallers) {
  GroupList all = GroupList::parse("#all");
  EXPECT_TRUE(all.matches({}, true));
  EXPECT_FALSE(all.matches({}, false));
  GroupList none = GroupList::parse("");
  EXPECT_FALSE(none.matches({"admin"}, true));
}

}  // namespace
}  // namespace openem
