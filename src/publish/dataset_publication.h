#pragma once
// Making one dataset public — when its embargo ends, or when a published-data record that holds
// it is published or registered: isPublished true, a license when it had none, lifecycle
// publishedOn, its file lists, datablocks and attachments public with it, and history entries
// naming who did it. Runs inside the caller's transaction. Thread-safe as the store is.
#include <boost/json/object.hpp>

#include <string>

#include "core/time.h"
#include "store/catalog_store.h"

namespace openem {

// Publishes `dataset` (a stored document, changed in place and written back). `published_on`:
// also set datasetlifecycle.publishedOn (upstream sets it on registration, not on publication).
// Returns false when there was nothing to change.
bool publish_dataset(CatalogStore& store, boost::json::object& dataset, const std::string& actor,
                     const std::string& default_license, Millis now, bool published_on = true);

}  // namespace openem
