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

using Tier = JobCreateTier;

Tier tier_of(const Principal& p) { return p.authenticated() ? Tier::User : Tier::Anonymous; }

// A job for the caller's group `group` (as a normal user must name one).
bool create(const char* rule, const Principal& p, std::vector<json::object> ds, std::string group = "") {
  return job_create_allowed({rule}, p, tier_of(p), JobOwnerForChecks{group, std::nullopt}, ds);
}

// scicat-backend-next src/jobs/jobs.controller.utils.ts: the dataset rules are checked for
// the job's owner group, not for every group of the caller.
TEST(JobAuth, CreateRules) {
  Principal anon, owner = user("u1", {"g1"}), member = user("u2", {"g2"}), other = user("u3", {"g9"}),
                  both = user("u4", {"g1", "g9"});
  EXPECT_TRUE(create("#all", anon, {}));
  EXPECT_FALSE(create("#authenticated", anon, {kOwned}));
  EXPECT_TRUE(create("#authenticated", other, {kOwned}, "g9"));
  EXPECT_TRUE(create("#datasetPublic", anon, {kPublic}));
  EXPECT_FALSE(create("#datasetPublic", owner, {kOwned}, "g1"));
  EXPECT_FALSE(create("#datasetPublic", owner, {kPublic, kOwned}, "g1"));  // every dataset must qualify
  EXPECT_FALSE(create("#datasetPublic", owner, {}, "g1"));                 // and there must be one
  EXPECT_TRUE(create("#datasetAccess", owner, {kOwned}, "g1"));
  EXPECT_TRUE(create("#datasetAccess", member, {kOwned}, "g2"));
  EXPECT_FALSE(create("#datasetAccess", other, {kOwned}, "g9"));
  EXPECT_TRUE(create("#datasetAccess", member, {kPublic}, "g2"));  // published datasets count as access
  EXPECT_FALSE(create("#datasetAccess", anon, {kPublic}));         // but not for anonymous callers
  EXPECT_FALSE(create("#datasetAccess", both, {kOwned}, "g9"));    // the job's group decides, not the caller's
  EXPECT_TRUE(create("#datasetOwner", owner, {kOwned}, "g1"));
  EXPECT_FALSE(create("#datasetOwner", member, {kOwned}, "g2"));
  EXPECT_FALSE(create("#datasetOwner", both, {kOwned}, "g9"));
  EXPECT_TRUE(create("@g9", other, {}, "g9"));
  EXPECT_FALSE(create("@g9", owner, {}, "g1"));
  EXPECT_TRUE(create("u3", other, {}, "g9"));
  EXPECT_FALSE(create("u3", owner, {}, "g1"));
  EXPECT_FALSE(create("#jobAdmin", owner, {kOwned}, "g1"));
  JobOwnerForChecks nobody;
  EXPECT_TRUE(job_create_allowed({"#jobAdmin"}, other, Tier::Admin, nobody, {kOwned}));
  EXPECT_TRUE(job_create_allowed({"#datasetOwner"}, other, Tier::Admin, nobody, {kOwned}));  // admins pass every rule
  // CREATE_JOB_PRIVILEGED_GROUPS pass the rules but not the dataset checks.
  EXPECT_TRUE(job_create_allowed({"#jobAdmin"}, other, Tier::Privileged, nobody, {kOwned}));
  EXPECT_FALSE(job_create_allowed({"#datasetOwner"}, other, Tier::Privileged, nobody, {kOwned}));
  EXPECT_TRUE(job_create_allowed({"#datasetOwner"}, other, Tier::Privileged, {"g1", std::nullopt}, {kOwned}));
  EXPECT_FALSE(job_create_allowed({}, owner, Tier::User, {"g1", std::nullopt}, {kOwned}));  // no auth: admins only
  EXPECT_TRUE(job_create_allowed({"#datasetOwner", "@g2"}, member, Tier::User, {"g2", std::nullopt}, {kOwned}));
}

// An admin creating a job for another user: that user's groups decide.
TEST(JobAuth, CreateForAnotherUser) {
  JobOwnerForChecks user_in_g1{"", std::vector<std::string>{"g1"}};
  JobOwnerForChecks user_in_g2_group_g2{"g2", std::vector<std::string>{"g2"}};
  JobOwnerForChecks user_in_g9_group_g2{"g2", std::vector<std::string>{"g9"}};
  EXPECT_TRUE(dataset_rule_holds("#datasetOwner", kOwned, user_in_g1));
  EXPECT_FALSE(dataset_rule_holds("#datasetAccess", kPublic, user_in_g1));  // no group: published is not enough
  EXPECT_TRUE(dataset_rule_holds("#datasetAccess", kOwned, user_in_g2_group_g2));
  EXPECT_FALSE(dataset_rule_holds("#datasetOwner", kOwned, user_in_g2_group_g2));
  EXPECT_FALSE(dataset_rule_holds("#datasetAccess", kOwned, user_in_g9_group_g2));
  EXPECT_TRUE(dataset_rule_holds("#datasetAccess", kPublic, user_in_g9_group_g2));
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
