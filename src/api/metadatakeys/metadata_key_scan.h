#pragma once
// The key documents of GET /api/v4/metadatakeys, derived from the datasets the caller can
// read (upstream keeps a MetadataKeys collection; openem reads the datasets, so a key of a
// private dataset never reaches anyone outside its groups). Datasets are read page by page and
// the walk stops as soon as the window is full, so the first page of keys costs a few datasets,
// not thousands. Pure functions of their arguments; thread-safe.
#include <boost/json.hpp>

#include <cstdint>
#include <functional>

#include "api/metadatakeys/metadata_key_filter.h"
#include "query/filter.h"

namespace openem {

// Keys per request: upstream's default window, and openem's cap (a larger limit is answered as
// this many, as list endpoints cap theirs).
inline constexpr std::int64_t kMetadataKeysDefaultLimit = 100;
inline constexpr std::int64_t kMetadataKeysMaxLimit = 1000;
// Readable datasets read per request, at most: the keys come from these.
inline constexpr std::int64_t kMetadataKeysMaxDatasets = 5000;

// The filter's limit, defaulted and capped.
std::int64_t metadata_keys_limit(const ListFilter& f);

// MetadataKeyClass documents of one dataset (upstream insertManyFromSource): one per key of
// its scientificMetadata.
void append_metadata_keys(const boost::json::object& dataset, boost::json::array& out);

// Readable datasets [skip, skip + limit) in a stable order (the store's): pid, ownerGroup,
// accessGroups, isPublished and scientificMetadata are enough.
using DatasetPage = std::function<boost::json::array(std::int64_t skip, std::int64_t limit)>;

// The key documents that match, after `skip` matches, at most `limit`; reads at most
// max_datasets datasets through `page`, and none after the window is full.
boost::json::array collect_metadata_keys(const DatasetPage& page, const MetadataKeyFilter& filter, std::int64_t skip,
                                         std::int64_t limit, std::int64_t max_datasets = kMetadataKeysMaxDatasets);

}  // namespace openem
