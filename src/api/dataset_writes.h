#pragma once
// Writes of datasets: create, PATCH/PUT and lifecycle updates, with the rules on who may change
// what (docs/security.md, docs/publishing.md). Thread-safe.
#include <boost/json.hpp>

#include <string>

#include "api/app.h"

namespace openem {

std::string dataset_type(const boost::json::object& body);

// POST /Datasets: validation (v3 or v4 DTO), pid, owner group rights, policy defaults
// (classification, embargo end), the owner group's default policy; 201's document.
boost::json::object create_dataset(App& app, const Principal& p, boost::json::object body, bool v4);

// PATCH (top-level keys replace wholesale) or PUT (`replace_all`), with If-Unmodified-Since;
// the body is validated with the DTO of the API version (`v4`: upstream's one v4 DTO). A
// datasetlifecycle in the body merges into the stored one (null: no change), through the
// retention and embargo checks.
boost::json::object update_dataset(App& app, const Principal& p, const std::string& pid, boost::json::object body,
                                   bool replace_all, const HttpRequest& req, bool v4);

// PATCH /Datasets/:pid/datasetlifecycle: merged into the lifecycle; returns it.
boost::json::object patch_lifecycle(App& app, const Principal& p, const std::string& pid,
                                    const boost::json::object& body);

}  // namespace openem
