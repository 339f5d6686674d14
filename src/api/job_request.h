#pragma once
// The checks upstream's POST /api/v4/jobs makes on a request before it decides who may create
// the job: the body's shape (scicat-backend-next src/jobs/dto/create-job.dto.ts, class-validator
// messages) and jobParams.datasetList (src/jobs/jobs.controller.utils.ts validateDatasetList,
// checkDatasetPids, checkDatasetFiles). Stateless; thread-safe.
#include <boost/json.hpp>

#include <vector>

#include "api/app.h"

namespace openem {

// class-validator's @IsEmail, as the dataset DTOs check it (model/dto.cpp).
bool looks_like_email(std::string_view s);

// 400 with every class-validator message of the body ({type, jobParams, ownerUser?,
// ownerGroup?, contactEmail?}; nothing else).
void check_create_job_body(const boost::json::object& body);

// jobParams.datasetList as upstream checks it: a non-empty array of {pid, files} (exactly
// those two keys), every dataset existing and every named file in the dataset's file lists.
// A dataset the caller may not read (`reads_all`: admins read every one) is named as a
// missing one, so a job never tells whether a private dataset exists. Returns the datasets,
// each once, in list order.
std::vector<boost::json::object> load_job_datasets(App& app, const Principal& p, bool reads_all,
                                                   const boost::json::value& dataset_list);

}  // namespace openem
