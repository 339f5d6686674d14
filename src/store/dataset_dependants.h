#pragma once
// A dataset's dependants — its origdatablocks, datablocks and attachments — carry copies of
// its ownership fields (ownerGroup, accessGroups, isPublished, instrumentGroup), so their own
// access checks agree with the dataset's. These keep the copies in step. Thread-safe as the
// store is; call propagate_ownership inside the transaction that changed the dataset.
#include <boost/json/object.hpp>

#include "store/catalog_store.h"

namespace openem {

// The ownership fields of a sub-document created under `dataset`.
void inherit_ownership(boost::json::object& sub, const boost::json::object& dataset);

// Rewrites every dependant of `dataset` whose copies differ from it.
void propagate_ownership(CatalogStore& store, const boost::json::object& dataset);

}  // namespace openem
