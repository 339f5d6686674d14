#pragma once
// Who may create and who may update a job of a configured type (SciCat's job auth values:
// #all, #datasetPublic, #authenticated, #datasetAccess, #datasetOwner, #jobOwnerUser,
// #jobOwnerGroup, #jobAdmin, @group, user name). Pure functions; thread-safe.
#include <boost/json/object.hpp>

#include <string>
#include <vector>

#include "core/principal.h"

namespace openem {

// `job_admin`: the caller is in ADMIN_GROUPS or the privileged job groups; such callers
// pass every rule. Several auth values are alternatives (any one suffices). The dataset
// rules need at least one dataset and hold only when they hold for every dataset.
bool job_create_allowed(const std::vector<std::string>& auth, const Principal& p, bool job_admin,
                        const std::vector<boost::json::object>& datasets);
bool job_update_allowed(const std::vector<std::string>& auth, const Principal& p, bool job_admin,
                        const boost::json::object& job);

}  // namespace openem
