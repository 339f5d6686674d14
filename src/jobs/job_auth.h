#pragma once
// Who may create and who may update a job of a configured type (SciCat's job auth values:
// #all, #datasetPublic, #authenticated, #datasetAccess, #datasetOwner, #jobOwnerUser,
// #jobOwnerGroup, #jobAdmin, @group, user name), as upstream's create path decides it
// (scicat-backend-next src/jobs/jobs.controller.utils.ts instanceAuthorizationJobCreate and
// src/casl/casl-ability.factory.ts jobsInstanceAccessCan). Pure functions; thread-safe.
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

#include "core/principal.h"

namespace openem {

// How much the caller may do regardless of the rules: ADMIN_GROUPS pass every rule;
// CREATE_JOB_PRIVILEGED_GROUPS pass every rule except the dataset checks.
enum class JobCreateTier { Anonymous, User, Privileged, Admin };

// The job the datasets are checked for: upstream checks them against the job's owner group
// (and, when an admin creates a job for another user, that user's groups), not against the
// caller's groups.
struct JobOwnerForChecks {
  std::string group;                                     // empty: the job has no owner group
  std::optional<std::vector<std::string>> other_user_groups;  // set: created for another user
};

bool is_dataset_rule(const std::string& rule);  // #datasetPublic, #datasetAccess, #datasetOwner
// Whether one dataset passes one #dataset rule for the job's owner.
bool dataset_rule_holds(const std::string& rule, const boost::json::object& dataset, const JobOwnerForChecks& owner);

// Several auth values are alternatives (any one suffices; upstream has one). A dataset rule
// needs at least one dataset and holds only when it holds for every dataset.
bool job_create_allowed(const std::vector<std::string>& auth, const Principal& p, JobCreateTier tier,
                        const JobOwnerForChecks& owner, const std::vector<boost::json::object>& datasets);
// `job_admin`: ADMIN_GROUPS or UPDATE_JOB_PRIVILEGED_GROUPS.
bool job_update_allowed(const std::vector<std::string>& auth, const Principal& p, bool job_admin,
                        const boost::json::object& job);

}  // namespace openem
