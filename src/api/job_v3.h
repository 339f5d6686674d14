#pragma once
// The v3 jobs API over v4-shaped jobs: what POST /api/v3/jobs turns into a v4 create body,
// the v3 view of a stored job and v3 field names in filters (scicat-backend-next
// src/jobs/interceptors/create-job-v3-mapping.interceptor.ts, dto/output-job-v3.dto.ts,
// types/jobs-filter-content.ts jobV3toV4FieldMap). Stateless; thread-safe.
#include <boost/json.hpp>

#include "api/app.h"
#include "jobs/job_config.h"

namespace openem {

// The v4 create body for a v3 one. Fields upstream's mapping does not carry (jobStatusMessage,
// jobResultObject, top-level ownerGroup, ...) are dropped, as its whitelist drops them:
// a job always starts at JOB_DEFAULT_STATUS_CODE. jobParams.username names the job's owner
// user (looked up; an unknown name gives a job for nobody in particular), emailJobInitiator
// is the contact (default: the caller's e-mail), and the owner group comes from
// jobParams.ownerGroup or else from the datasets (for #datasetAccess types the first group
// that the datasets and the owner user share; for others the first dataset's owner group).
boost::json::object v3_create_to_v4(App& app, const JobTypeConfig& type, const Principal& p,
                                    const boost::json::object& v3);

// The v3 shape of a job already in its v4 view.
boost::json::object v3_shape(boost::json::object v4);

// v3 field names in a where clause (jobStatusMessage, emailJobInitiator, creationTime,
// datasetList.pid) renamed to the stored ones.
boost::json::value v3_where(const boost::json::value& where);

}  // namespace openem
