#pragma once
// What OAI-PMH harvests: the public datasets and the readable published-data records, each a
// collection with tombstones (store/public_records.h), merged into one order by (datestamp,
// kind, id) so that one keyset position pages through both. A set may restrict either
// collection or leave one out (instrument sets hold no records; `status:registered` no
// datasets). Functions of a CatalogStore; thread-safe as it is.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "publish/oai/identifiers.h"
#include "store/catalog_store.h"

namespace openem::oai {

struct HarvestItem {
  ItemKind kind = ItemKind::Dataset;
  PublicRecord record;
};

// Which items a list holds: per kind, left out, or restricted to a set (nullopt: all of them).
struct HarvestScope {
  bool datasets = true, records = true;
  std::optional<PublicRecordSet> dataset_set, record_set;
};
// The scope of a parsed setSpec (nullopt: no set, every item).
HarvestScope scope_of(const std::optional<SetSelection>& set);

// A position in the merged order: the items strictly after (datestamp, kind, id), where
// ("", Dataset, "") is before the first item and (from, Dataset, "") before the first at or
// after `from`; and strictly before `before_datestamp` ("" for no end).
struct HarvestRange {
  std::string after_datestamp;
  ItemKind after_kind = ItemKind::Dataset;
  std::string after_id;
  std::string before_datestamp;
};

// At most `limit` items of the range in order, documents included when `with_documents`.
std::vector<HarvestItem> harvest_page(CatalogStore& store, const HarvestScope& scope, const HarvestRange& range,
                                      std::int64_t limit, bool with_documents);
std::int64_t harvest_count(CatalogStore& store, const HarvestScope& scope, const HarvestRange& range);
std::optional<std::string> earliest_harvest_datestamp(CatalogStore& store);
// The item itself, or its tombstone; nullopt when it was never readable by everyone.
std::optional<PublicRecord> harvest_item(CatalogStore& store, const ItemRef& item);

}  // namespace openem::oai
