#pragma once
// JobConfig: which job types exist, who may create and update each, and which actions run
// (SciCat's JOB_CONFIGURATION_FILE format, reference §5.4). Parsed once at start-up, then
// immutable and safe to share between threads.
#include <boost/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace openem {

// One action of a create or update step: actionType plus its own settings, kept as given.
struct JobAction {
  std::string type;  // validate | log | url | email | error | rabbitmq (jobs/job_messages.h)
  boost::json::object spec;
};

struct JobStep {
  std::vector<std::string> auth;  // "#all", "#datasetOwner", "@group", "username", ...
  std::vector<JobAction> actions;
};

struct JobTypeConfig {
  std::string job_type;
  JobStep create, update;
};

struct JobConfig {
  std::string config_version;
  std::vector<JobTypeConfig> jobs;
  // nullptr when the type is not configured.
  const JobTypeConfig* find(std::string_view job_type) const;
  // Whether some step has an action of `type`.
  bool uses_action(std::string_view type) const;
};

// Parses SciCat's format ({configVersion, jobs: [{jobType, create: {auth, actions}, update: …}]}).
// Throws std::runtime_error naming the offending entry.
JobConfig parse_job_config(const boost::json::value& v);
// JSON file, or YAML (.yaml/.yml) in the block style SciCat's examples use.
JobConfig load_job_config(const std::filesystem::path& file);
// What openem runs without a file: owners archive, owners and access groups retrieve, public
// datasets may be fetched by anyone, the archivemanager group updates every job.
JobConfig default_job_config();

// Converts the YAML subset job configurations use (block mappings and sequences, scalars,
// quoted strings, flow lists/maps of scalars, comments) to JSON. Throws std::runtime_error
// with the line number on anything else.
boost::json::value parse_simple_yaml(std::string_view text);

}  // namespace openem
