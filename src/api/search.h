#pragma once
// The fullquery/fullfacet machinery shared by datasets, proposals, samples and file lists:
// parse `fields`/`limits`/`facets`, AND the access rule in, and shape the responses as
// upstream does. Thread-safe.
#include <boost/json.hpp>

#include <optional>

#include "api/app.h"
#include "query/access.h"
#include "query/filter.h"
#include "query/condition.h"

namespace openem {

struct SearchRequest {
  boost::json::object fields;
  ListFilter window;                 // limits: skip, limit, order
  std::vector<std::string> facets;
};

SearchRequest parse_search_request(const HttpRequest& req);

// [{ "all": [{"totalSets": N}], "<facet>": [{"_id": value, "count": n}, ...] }]. A facet
// ignores conditions on its own field (drill-down); "datasetlifecycle.X" is reported as "X";
// date facets group by day as {year, month, day}. `readers`, when the caller knows them,
// lets an unfiltered request be answered from the store's access-set counts without a scan.
boost::json::array fullfacet_response(App& app, const CollectionSchema& schema, const Condition& access,
                                      const std::vector<Condition>& conditions,
                                      const std::vector<std::string>& facets,
                                      const std::optional<AccessValues>& readers = std::nullopt);

}  // namespace openem
