// validate/error actions and templates.
#include <gtest/gtest.h>

#include "jobs/job_actions.h"

namespace openem {
namespace {
namespace json = boost::json;

JobAction action(const char* text) {
  json::object o = json::parse(text).as_object();
  return {std::string(o.at("actionType").as_string()), o};
}

TEST(JobActions, ValidateChecksRequestAndDatasets) {
  std::vector<JobAction> actions{action(R"({"actionType": "validate",
      "request": {"jobParams.tapeCopies": {"type": "string", "enum": ["one", "two"]}},
      "datasets": {"datasetlifecycle.archivable": {"const": true}}})")};
  json::object ok_request = json::parse(R"({"jobParams": {"tapeCopies": "two"}})").as_object();
  json::object bad_request = json::parse(R"({"jobParams": {"tapeCopies": "three"}})").as_object();
  json::object archivable = json::parse(R"({"pid": "p1", "datasetlifecycle": {"archivable": true}})").as_object();
  json::object not_archivable = json::parse(R"({"pid": "p2", "datasetlifecycle": {"archivable": false}})").as_object();
  EXPECT_TRUE(check_job_actions(actions, ok_request, {archivable}).empty());
  auto r = check_job_actions(actions, bad_request, {archivable, not_archivable});
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].status, 400);
  EXPECT_EQ(r[0].message, "Invalid request. Invalid value for 'jobParams.tapeCopies'");
  EXPECT_EQ(r[1].status, 409);
  EXPECT_EQ(r[1].message, "Invalid request. Invalid value for 'datasetlifecycle.archivable' of dataset p2");
  // scicat-backend-next validateaction.ts: a missing path is "Requires", not "Invalid value".
  auto missing = check_job_actions(actions, json::parse(R"({"jobParams": {}})").as_object(), {});
  ASSERT_EQ(missing.size(), 1u);
  EXPECT_EQ(missing[0].message, "Invalid request. Requires 'jobParams.tapeCopies'");
}

TEST(JobActions, SchemaRules) {
  auto m = [](const char* value, const char* schema) {
    json::value v = json::parse(value);
    return value_matches(&v, json::parse(schema).as_object());
  };
  EXPECT_TRUE(m("3", R"({"type": "integer", "minimum": 1, "maximum": 3})"));
  EXPECT_FALSE(m("4", R"({"maximum": 3})"));
  EXPECT_FALSE(m("1.5", R"({"type": "integer"})"));
  EXPECT_TRUE(m(R"(["a", "b"])", R"({"type": "array", "minItems": 1, "items": {"type": "string"}})"));
  EXPECT_FALSE(m(R"(["a", 2])", R"({"items": {"type": "string"}})"));
  EXPECT_FALSE(m(R"("")", R"({"minLength": 1})"));
  EXPECT_TRUE(m(R"("run-42")", R"({"pattern": "^run-[0-9]+$"})"));
  EXPECT_FALSE(value_matches(nullptr, json::object{}));  // a missing path never matches
}

TEST(JobActions, ErrorActionRefuses) {
  auto r = check_job_actions({action(R"({"actionType": "error", "message": "Retired job type", "status": 410})")},
                             {}, {});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].status, 410);
  EXPECT_EQ(r[0].message, "Retired job type");
}

TEST(JobActions, PathsAndTemplates) {
  json::value root = json::parse(R"({"a": {"list": [{"x": 1}, {"x": 2}]}})");
  ASSERT_NE(value_at(root, "$.a.list[1].x"), nullptr);
  EXPECT_EQ(*value_at(root, "a.list[1].x"), json::value(2));
  EXPECT_EQ(value_at(root, "a.list[5].x"), nullptr);
  EXPECT_EQ(*value_at(root, "a.list.0.x"), json::value(1));
  EXPECT_EQ(value_at(root, "a.list.x"), nullptr);
  json::object job = json::parse(R"({"id": "j1", "contactEmail": "a@b", "jobParams": {"n": 3}})").as_object();
  EXPECT_EQ(render_template("Job {{job.id}} to {{{ job.contactEmail }}}: {{job.jobParams.n}}{{job.none}}", job),
            "Job j1 to a@b: 3");
}

}  // namespace
}  // namespace openem
