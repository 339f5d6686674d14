#pragma once
// Job actions (reference §5.4). `validate` and `error` run before a job is stored and can
// refuse the request; `log`, `url` and `email` run after it is stored and only report their
// own failures in the log. Thread-safe (no shared state; url/email block on the network).
#include <boost/json.hpp>

#include <string>
#include <vector>

#include "core/config.h"
#include "jobs/job_config.h"

namespace openem {

// A refused request: status 400 (request) or 409 (datasets in the wrong state), and why.
struct ActionRefusal {
  int status = 400;
  std::string message;
};

// Runs the validate and error actions of a step against the request body (v4 shape) and the
// job's datasets. Empty result: accepted.
std::vector<ActionRefusal> check_job_actions(const std::vector<JobAction>& actions, const boost::json::object& request,
                                             const std::vector<boost::json::object>& datasets);

// One JSON-schema-like rule ({const, enum, type, minLength, maxLength, minimum, maximum,
// minItems, maxItems, pattern}) against a value (nullptr: the path does not exist).
bool value_matches(const boost::json::value* v, const boost::json::object& schema);
// The value at a dotted path ("jobParams.datasetList", "$.a.b", "list[0].x"), or nullptr.
const boost::json::value* value_at(const boost::json::value& root, std::string_view path);

// Runs log, url and email actions for a stored job. `phase` is "create" or "update".
void run_notify_actions(const std::vector<JobAction>& actions, const boost::json::object& job, const Config& config,
                        std::string_view phase);

// {{job.x.y}} / {{{job.x}}} substitution as SciCat's handlebars templates use it.
std::string render_template(std::string_view tmpl, const boost::json::object& job);

}  // namespace openem
