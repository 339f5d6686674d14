// The job configuration: SciCat's format in JSON and YAML, the default, and clear errors.
#include <gtest/gtest.h>

#include "jobs/job_config.h"

namespace openem {
namespace {
namespace json = boost::json;

TEST(JobConfig, ParsesSciCatFormat) {
  JobConfig c = parse_job_config(json::parse(R"({"configVersion": "v1", "jobs": [
    {"jobType": "archive", "create": {"auth": "#datasetOwner", "actions": [{"actionType": "log"}]},
     "update": {"auth": ["@archivemanager", "user5"]}}]})"));
  EXPECT_EQ(c.config_version, "v1");
  ASSERT_EQ(c.jobs.size(), 1u);
  const JobTypeConfig* t = c.find("archive");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->create.auth, std::vector<std::string>{"#datasetOwner"});
  ASSERT_EQ(t->create.actions.size(), 1u);
  EXPECT_EQ(t->create.actions[0].type, "log");
  EXPECT_EQ(t->update.auth, (std::vector<std::string>{"@archivemanager", "user5"}));
  EXPECT_EQ(c.find("retrieve"), nullptr);
}

TEST(JobConfig, RejectsBadEntriesWithTheirPlace) {
  auto error = [](const char* text) {
    try {
      parse_job_config(json::parse(text));
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(error(R"({"jobs": []})"), "job configuration: configVersion is required");
  EXPECT_EQ(error(R"({"configVersion": "v", "jobs": [{"create": {}}]})"), "jobs[0]: jobType is required");
  EXPECT_EQ(error(R"({"configVersion": "v", "jobs": [{"jobType": "a", "create": {"actions": [{"actionType": "switch"}]}}]})"),
            "jobs[0] (a).create.actions[0]: actionType 'switch' is not supported by openem (validate, log, url, email, error, "
            "rabbitmq)");
  EXPECT_EQ(error(R"({"configVersion": "v", "jobs": [{"jobType": "a", "create": {"actions": [{"actionType": "rabbitmq"}]}}]})"),
            "jobs[0] (a).create.actions[0]: a rabbitmq action needs 'exchange' (a name)");
  EXPECT_EQ(error(R"({"configVersion": "v", "jobs": [{"jobType": "a", "create": {"actions": [
                      {"actionType": "rabbitmq", "exchange": "x", "queue": "q", "key": 3}]}}]})"),
            "jobs[0] (a).create.actions[0]: a rabbitmq action needs 'key' (a name)");
  JobConfig with = parse_job_config(json::parse(R"({"configVersion": "v", "jobs": [{"jobType": "a", "update": {"actions": [
                      {"actionType": "rabbitmq", "exchange": "x", "queue": "q", "key": "k"}]}}]})"));
  EXPECT_TRUE(with.uses_action("rabbitmq"));
  EXPECT_FALSE(with.uses_action("email"));
  EXPECT_EQ(error(R"({"configVersion": "v", "jobs": [{"jobType": "a"}, {"jobType": "a"}]})"),
            "jobs[1] (a): jobType appears twice");
  EXPECT_EQ(error(R"({"configVersion": "v", "jobs": [{"jobType": "a", "update": {"auth": 3}}]})"),
            "jobs[0] (a).update.auth: expected a string or a list of strings");
}

TEST(JobConfig, DefaultLetsOwnersArchiveAndAccessGroupsRetrieve) {
  JobConfig c = default_job_config();
  ASSERT_NE(c.find("archive"), nullptr);
  EXPECT_EQ(c.find("archive")->create.auth, std::vector<std::string>{"#datasetOwner"});
  EXPECT_EQ(c.find("retrieve")->create.auth, std::vector<std::string>{"#datasetAccess"});
  EXPECT_EQ(c.find("public")->create.auth, std::vector<std::string>{"#datasetPublic"});
  EXPECT_EQ(c.find("archive")->update.auth, std::vector<std::string>{"@archivemanager"});
  EXPECT_EQ(c.find("archive")->create.actions[0].type, "validate");
}

TEST(SimpleYaml, ReadsTheSciCatExampleShape) {
  const char* text = R"(# Example
configVersion: v1.0 2024-03-01 6f3f38
jobs:
  - jobType: archive   # comment
    create:
      auth: "#datasetOwner"
      actions:
        - actionType: validate
          datasets:
            datasetlifecycle.archivable:
              const: true
        - actionType: email
          to: "{{{job.contactEmail}}}"
          subject: 'Job {{job.id}}'
    update:
      auth: ["@archivemanager", user1]
  - jobType: retrieve
    create:
      auth: '#datasetAccess'
)";
  json::value v = parse_simple_yaml(text);
  EXPECT_EQ(json::serialize(v),
            R"({"configVersion":"v1.0 2024-03-01 6f3f38","jobs":[{"jobType":"archive","create":{"auth":"#datasetOwner",)"
            R"("actions":[{"actionType":"validate","datasets":{"datasetlifecycle.archivable":{"const":true}}},)"
            R"({"actionType":"email","to":"{{{job.contactEmail}}}","subject":"Job {{job.id}}"}]},)"
            R"("update":{"auth":["@archivemanager","user1"]}},{"jobType":"retrieve","create":{"auth":"#datasetAccess"}}]})");
  JobConfig c = parse_job_config(v);
  EXPECT_EQ(c.jobs.size(), 2u);
}

TEST(SimpleYaml, ScalarsAndErrors) {
  EXPECT_EQ(json::serialize(parse_simple_yaml("a: 1\nb: 2.5\nc: ~\nd: false\ne: {x: 1, y: 'z'}\n")),
            R"({"a":1,"b":2.5E0,"c":null,"d":false,"e":{"x":1,"y":"z"}})");
  EXPECT_THROW(parse_simple_yaml("a: 1\n  b: 2\n"), std::runtime_error);
}

}  // namespace
}  // namespace openem
