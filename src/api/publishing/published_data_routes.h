#pragma once
// Shared by the v3 and v4 published-data routes: the configuration they are built with and the
// answer of a status change that tried DataCite.
#include <memory>

#include "api/publishing/published_data_service.h"
#include "http/router.h"

namespace openem {

void register_published_data_v3_routes(Router& r, App& app, std::shared_ptr<const PublishedDataConfig> config);
void register_published_data_v4_routes(Router& r, App& app, std::shared_ptr<const PublishedDataConfig> config);

// A status change's answer: `body` with 201 (upstream's POST status), or 424 Failed
// Dependency with DataCite's error when DataCite refused the change (the record keeps its new
// status; `registration` shows the error and a later register tries again). A DataCite that
// could not be reached is no error: the change waits in the outbox and is retried.
HttpResponse publication_response(const PublicationResult& result, const boost::json::value& body);

}  // namespace openem
