#pragma once
// JobService: the jobs API's rules in one place (reference §5.4) — who may create, read,
// update and delete a job under the job configuration, how a job is validated and stored,
// and its v3 and v4 shapes (with the queue position and an estimate while it waits).
// Immutable after construction; thread-safe (state lives in the store).
#include <boost/json.hpp>

#include <memory>

#include "api/app.h"
#include "core/rate_limiter.h"
#include "jobs/job_config.h"
#include "query/condition.h"

namespace openem {

class JobService {
 public:
  JobService(App& app, JobConfig config);

  const JobConfig& config() const { return config_; }
  // #jobAdmin: ADMIN_GROUPS plus the privileged job groups of the step.
  bool create_admin(const Principal& p) const;
  bool update_admin(const Principal& p) const;
  // Admins and the privileged job groups read every job; others the jobs of their groups,
  // their own and those of the types whose update rule names them (archive managers).
  bool read_any(const Principal& p) const;
  Condition access_condition(const Principal& p) const;
  bool can_read(const Principal& p, const boost::json::object& job) const;

  // POST /api/v4/jobs: body {type, jobParams{datasetList, ...}, ownerUser?, ownerGroup?,
  // contactEmail?}; returns the stored job. Refuses what upstream refuses (job_request.h,
  // job_auth.h). `client`: the caller's address, for the limits on anonymous jobs (429).
  boost::json::object create(const Principal& p, boost::json::object body, const std::string& client) const;
  // POST /api/v3/jobs: the v3 body mapped as upstream maps it (job_v3.h), then create().
  boost::json::object create_v3(const Principal& p, const boost::json::object& v3, const std::string& client) const;
  // changes: statusCode, statusMessage, jobResultObject (merged per RFC 7386 when `merge`).
  // Unknown id: 404, or 400 "Invalid job id." when `v3`.
  boost::json::object update(const Principal& p, const std::string& id, const boost::json::object& changes, bool merge,
                             bool v3) const;
  boost::json::object remove(const Principal& p, const std::string& id) const;
  boost::json::object get_readable(const Principal& p, const std::string& id) const;

  boost::json::object v4_view(boost::json::object job) const;
  boost::json::object v3_view(boost::json::object job) const;

 private:
  // Anonymous callers' jobParams and jobResultObject are capped lower than JOB_PARAMS_MAX_BYTES.
  static constexpr std::size_t kAnonymousParamsBytes = 16 * 1024;
  // 413 when v serializes to more than the caller's limit.
  void check_size(const boost::json::value& v, const char* what, const Principal& p) const;
  // 429 (with Retry-After) when an anonymous client, or one of the datasets, had its jobs this hour.
  void throttle_creation(const Principal& p, const std::string& client, const boost::json::object& params) const;

  App& app_;
  JobConfig config_;
  std::unique_ptr<RateLimiter> anonymous_per_client_, anonymous_per_dataset_;
  // A user or group an update rule names, and the job type of that rule.
  struct TypeReader {
    std::string job_type, name;
    bool is_group;
  };
  std::vector<std::string> types_read_by_rule(const Principal& p) const;
  std::vector<TypeReader> type_readers_;
};

}  // namespace openem
