#pragma once
// Shared by the v3 and v4 published-data routes: the configuration they are built with and the
// answer of a status change that tried DataCite.
#include <memory>

#include "api/publishing/published_data_service.h"
#include "model/dto.h"
#include "query/filter.h"
#include "http/router.h"

namespace openem {

void register_published_data_v3_routes(Router& r, App& app, std::shared_ptr<const PublishedDataConfig> config);
void register_published_data_v4_routes(Router& r, App& app, std::shared_ptr<const PublishedDataConfig> config);
// OAI-PMH 2.0 at /oai over the public datasets and readable published-data records (oai_routes.cpp).
void register_oai_routes(Router& r, App& app, std::shared_ptr<const PublishedDataConfig> config);
// Deposition and exchange exports of a dataset, /api/v3/datasets/{pid}/export (docs/export.md);
// EMPIAR's citation reads the published-data records, hence the configuration.
void register_export_routes(Router& r, App& app, std::shared_ptr<const PublishedDataConfig> config);

// A status change's answer: `body` with 201 (upstream's POST status), or 424 Failed
// Dependency with DataCite's error when DataCite refused the change (the record keeps its new
// status; `registration` shows the error and a later register tries again). A DataCite that
// could not be reached is no error: the change waits in the outbox and is retried.
HttpResponse publication_response(const PublicationResult& result, const boost::json::value& body);

// A list request's filter: ?filter= ({where, limits, fields}), ?limits=, ?where= (v3 only:
// where_param) and ?fields= as more conditions (upstream's RegisteredInterceptor and v4 filter
// pipe take it so). Names as the caller wrote them.
ListFilter published_data_filter(const HttpRequest& req, bool where_param);

// The request body checked against the API version's DTO (400 with every problem); server
// fields refused.
boost::json::object checked_published_data_body(const HttpRequest& req, const DtoSpec& spec, bool partial);

}  // namespace openem
