#pragma once
// The versions of a dataset (docs/lineage.md "Versions"): a dataset made with previousVersion
// is the next version of that one; all versions of a series carry the first one's pid in
// versionSeries and their place in versionNumber (a first version has neither until its second
// is made, then 1 and its own pid).
#include <boost/json.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "api/collection_access.h"

namespace openem {

// The versions the reader may read of the series of `pid` (404 when they may not read that
// one), oldest first: [{pid, versionNumber, previousVersion, datasetName, creationTime,
// isPublished}]. Versions they may not read are left out.
boost::json::array dataset_versions(const CollectionAccess& datasets, CatalogStore& store, const Principal& reader,
                                    const std::string& pid);

// The published versions of `dataset`'s series, oldest first, as (pid, versionNumber): what a
// landing page lists. Empty for a dataset that has no other version.
std::vector<std::pair<std::string, std::int64_t>> published_versions(CatalogStore& store, const boost::json::object& dataset);

}  // namespace openem
