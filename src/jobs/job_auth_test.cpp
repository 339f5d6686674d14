// Job auth values against callers and datasets: every value, alone and combined.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "jobs/job_auth.h"

namespace openem {
namespace {
namespace json = boost::json;

Principal user(std::string name, std::vector<std::string> groups) { return {name + "-id", name, name + "@x", groups}; }

const json::object kOwned = json::parse(R"({"pid": "a", "ownerGroup": "g1", "accessGroups": ["g2"], "isPublished": false})").as_object();
const json::object kPublic = json::parse(R"({"pid": "b", "ownerGroup": "g3", "accessGroups": [], "isPublished": true})").as_object();

bool create(const char* rule, const Principal& p, std::vector<json::object> ds, bool admin = false) {
  return job_create_allowed({rule}, p, admin, ds);
}

TEST(JobAuth, CreateRules) {
  Principal anon, owner = user("u1", {"g1"}), member = user("u2", {"g2"}), other = user("u3", {"g9"});
  EXPECT_TRUE(create("#all", anon, {}));
  EXPECT_FALSE(create("#authenticated", anon, {kOwned}));
  EXPECT_TRUE(create("#authenticated", other, {kOwned}));
  EXPECT_TRUE(create("#datasetPublic", anon, {kPublic}));
  EXPECT_FALSE(create("#datasetPublic", owner, {kOwned}));
  EXPECT_FALSE(create("#datasetPublic", owner, {kPublic, kOwned}));  // every dataset must qualify
  EXPECT_FALSE(create("#datasetPublic", owner, {}));                 // and there must be one
  EXPECT_TRUE(create("#datasetAccess", owner, {kOwned}));
  EXPECT_TRUE(create("#datasetAccess", member, {kOwned}));
  EXPECT_FALSE(create("#datasetAccess", other, {kOwned}));
  EXPECT_FALSE(create("#datasetAccess", member, {kPublic}));  // published is not access
  EXPECT_TRUE(create("#datasetOwner", owner, {kOwned}));
  EXPECT_FALSE(create("#datasetOwner", member, {kOwned}));
  EXPECT_TRUE(create("@g9", other, {}));
  EXPECT_FALSE(create("@g9", owner, {}));
  EXPECT_TRUE(create("u3", other, {}));
  EXPECT_FALSE(create("u3", owner, {}));
  EXPECT_FALSE(create("#jobAdmin", owner, {kOwned}));
  EXPECT_TRUE(create("#jobAdmin", other, {kOwned}, /*admin=*/true));
  EXPECT_TRUE(create("#datasetOwner", other, {kOwned}, /*admin=*/true));  // admins pass every rule
  EXPECT_FALSE(job_create_allowed({}, owner, false, {kOwned}));           // no auth: admins only
  EXPECT_TRUE(job_create_allowed({"#datasetOwner", "@g2"}, member, false, {kOwned}));  // alternatives
}

TEST(JobAuth, UpdateRules) {
  json::object job = json::parse(R"({"id": "j", "ownerUser": "u1", "ownerGroup": "g1"})").as_object();
  Principal anon, owner = user("u1", {"g7"}), group = user("u2", {"g1"}), other = user("u3", {"g9"});
  auto update = [&](const char* rule, const Principal& p) { return job_update_allowed({rule}, p, false, job); };
  EXPECT_TRUE(update("#all", anon));
  EXPECT_TRUE(update("#jobOwnerUser", owner));
  EXPECT_FALSE(update("#jobOwnerUser", group));
  EXPECT_TRUE(update("#jobOwnerGroup", group));
  EXPECT_FALSE(update("#jobOwnerGroup", owner));
  EXPECT_FALSE(update("#jobOwnerGroup", anon));
  EXPECT_TRUE(update("@g9", other));
  EXPECT_TRUE(update("u3", other));
  EXPECT_FALSE(update("#jobAdmin", other));
  EXPECT_TRUE(job_update_allowed({"#jobAdmin"}, other, true, job));
  EXPECT_FALSE(update("#datasetOwner", owner));  // a create-only value never grants updates
}

}  // namespace
}  // namespace openem
