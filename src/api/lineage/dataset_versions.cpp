#include "api/lineage/dataset_versions.h"

#include <algorithm>

#include "core/json_fields.h"

namespace openem {
namespace json = boost::json;
namespace {

constexpr std::int64_t kMaxVersions = 1000;

std::int64_t version_number(const json::object& doc) {
  const json::value* n = doc.if_contains("versionNumber");
  return n && n->is_int64() ? n->get_int64() : 1;
}

// The first version's pid: the series every version names.
std::string series_of(const json::object& doc) {
  std::string series = json_string(doc, "versionSeries");
  return series.empty() ? json_string(doc, "pid") : series;
}

// The series' datasets matching `also`, oldest first.
std::vector<json::object> series_members(CatalogStore& store, const std::string& series, Condition also) {
  const auto& ds = schemas::datasets();
  QueryPlan plan;
  plan.conditions = {any_of({field_is(ds, "versionSeries", series), field_is(ds, "pid", series)}), std::move(also)};
  plan.limit = kMaxVersions;
  std::vector<json::object> found = store.find(ds, plan);
  std::stable_sort(found.begin(), found.end(),
                   [](const json::object& a, const json::object& b) { return version_number(a) < version_number(b); });
  return found;
}

}  // namespace

json::array dataset_versions(const CollectionAccess& datasets, CatalogStore& store, const Principal& reader,
                             const std::string& pid) {
  json::object doc = datasets.get_readable(reader, pid);  // 404 as for the dataset itself
  json::array out;
  for (const auto& v : series_members(store, series_of(doc), datasets.access_condition(reader, /*probe=*/true))) {
    json::object entry{{"pid", v.at("pid")}, {"versionNumber", version_number(v)}};
    for (const char* key : {"previousVersion", "datasetName", "creationTime", "isPublished"})
      if (const json::value* x = v.if_contains(key)) entry[key] = *x;
    out.emplace_back(std::move(entry));
  }
  return out;
}

std::vector<std::pair<std::string, std::int64_t>> published_versions(CatalogStore& store, const json::object& dataset) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  // A first version takes its series when its second is made: without one there are no others.
  if (json_string(dataset, "versionSeries").empty()) return out;
  for (const auto& v : series_members(store, series_of(dataset), field_is(schemas::datasets(), "isPublished", std::int64_t{1})))
    out.emplace_back(json_string(v, "pid"), version_number(v));
  return out;
}

}  // namespace openem
