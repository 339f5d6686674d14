#include "publish/oai/harvest.h"

#include <algorithm>
#include <tuple>

namespace openem::oai {
namespace {

// An id above every real one: 0xFF never occurs in UTF-8 text and the store compares ids
// bytewise, so (d, kAfterEveryId) puts a position after every item stamped d.
const std::string kAfterEveryId = "\xFF";

struct Source {
  ItemKind kind;
  const CollectionSchema& schema;
  const std::optional<PublicRecordSet>& set;
};

std::vector<Source> sources(const HarvestScope& scope) {
  std::vector<Source> out;
  if (scope.datasets) out.push_back({ItemKind::Dataset, schemas::datasets(), scope.dataset_set});
  if (scope.records) out.push_back({ItemKind::PublishedData, schemas::published_data(), scope.record_set});
  return out;
}

// The merged position translated to one collection's (datestamp, id) order.
PublicRecordRange range_for(const Source& s, const HarvestRange& r) {
  PublicRecordRange out{r.after_datestamp, "", r.before_datestamp, s.set};
  if (s.kind == r.after_kind) out.after_id = r.after_id;
  else if (s.kind < r.after_kind) out.after_id = kAfterEveryId;  // its items at that datestamp came first
  // else "": every item of this kind at that datestamp is still to come
  return out;
}

}  // namespace

HarvestScope scope_of(const std::optional<SetSelection>& set) {
  HarvestScope scope;
  if (!set) return scope;
  if (set->kind->kind != SetKind::Status) {  // instrument, technique, group: datasets only
    scope.records = false;
    scope.dataset_set = PublicRecordSet{set->kind->field, set->value};
  } else if (set->value.empty()) {
    // `status`, the whole kind: every item is in one of its sets.
  } else if (set->value == kPublishedStatus) {
    scope.records = false;
  } else {
    scope.datasets = false;
    scope.record_set = PublicRecordSet{"status", set->value};
  }
  return scope;
}

std::vector<HarvestItem> harvest_page(CatalogStore& store, const HarvestScope& scope, const HarvestRange& range,
                                      std::int64_t limit, bool with_documents) {
  std::vector<HarvestItem> merged;
  for (const Source& s : sources(scope))
    for (auto& rec : store.public_records(s.schema, range_for(s, range), limit, with_documents))
      merged.push_back({s.kind, std::move(rec)});
  auto key = [](const HarvestItem& i) { return std::tie(i.record.datestamp, i.kind, i.record.id); };
  std::sort(merged.begin(), merged.end(), [&](const HarvestItem& a, const HarvestItem& b) { return key(a) < key(b); });
  if (static_cast<std::int64_t>(merged.size()) > limit) merged.resize(static_cast<std::size_t>(limit));
  return merged;
}

std::int64_t harvest_count(CatalogStore& store, const HarvestScope& scope, const HarvestRange& range) {
  std::int64_t n = 0;
  for (const Source& s : sources(scope)) n += store.count_public_records(s.schema, range_for(s, range));
  return n;
}

std::optional<std::string> earliest_harvest_datestamp(CatalogStore& store) {
  auto a = store.earliest_public_datestamp(schemas::datasets());
  auto b = store.earliest_public_datestamp(schemas::published_data());
  if (a && b) return std::min(*a, *b);
  return a ? a : b;
}

std::optional<PublicRecord> harvest_item(CatalogStore& store, const ItemRef& item) {
  return store.public_record(item.kind == ItemKind::Dataset ? schemas::datasets() : schemas::published_data(), item.id);
}

}  // namespace openem::oai
