#include "api/metadatakeys/metadata_key_scan.h"

#include <algorithm>

namespace openem {
namespace json = boost::json;
namespace {

json::array user_groups(const json::object& ds) {
  json::array out;
  auto add = [&](const json::value& g) {
    if (g.is_string() && !g.get_string().empty() && std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  };
  if (auto* owner = ds.if_contains("ownerGroup")) add(*owner);
  if (auto* access = ds.if_contains("accessGroups"); access && access->is_array())
    for (const auto& g : access->get_array()) add(g);
  return out;
}

}  // namespace

std::int64_t metadata_keys_limit(const ListFilter& f) {
  return std::min(f.limit.value_or(kMetadataKeysDefaultLimit), kMetadataKeysMaxLimit);
}

void append_metadata_keys(const json::object& ds, json::array& out) {
  auto* sm = ds.if_contains("scientificMetadata");
  auto* pid = ds.if_contains("pid");
  if (!sm || !sm->is_object() || !pid || !pid->is_string()) return;
  std::string source_id(pid->get_string());
  auto* published = ds.if_contains("isPublished");
  json::array groups = user_groups(ds);
  for (const auto& [key, entry] : sm->get_object()) {
    std::string human;
    if (entry.is_object())
      if (auto* h = entry.get_object().if_contains("human_name"); h && h->is_string()) human = h->get_string();
    std::string id = "Datasets_" + source_id + "_" + std::string(key);
    out.push_back(json::object{{"_id", id},
                               {"id", id},
                               {"key", key},
                               {"humanReadableName", human},
                               {"userGroups", groups},
                               {"sourceType", "Datasets"},
                               {"sourceId", source_id},
                               {"isPublished", published && published->is_bool() && published->get_bool()}});
  }
}

json::array collect_metadata_keys(const DatasetPage& page, const MetadataKeyFilter& filter, std::int64_t skip,
                                  std::int64_t limit, std::int64_t max_datasets) {
  json::array out;
  std::int64_t skipped = 0, read = 0;
  // Pages grow: the first answers a small window cheaply, later ones keep the number of
  // queries low when the filter matches rarely.
  std::int64_t page_size = 32;
  while (static_cast<std::int64_t>(out.size()) < limit && read < max_datasets) {
    json::array datasets = page(read, std::min(page_size, max_datasets - read));
    read += static_cast<std::int64_t>(datasets.size());
    json::array keys;
    for (const auto& ds : datasets)
      if (ds.is_object()) append_metadata_keys(ds.get_object(), keys);
    for (auto& key : keys) {
      if (static_cast<std::int64_t>(out.size()) >= limit) break;
      if (!filter.matches(key.get_object())) continue;
      if (skipped++ < skip) continue;
      out.push_back(std::move(key));
    }
    if (static_cast<std::int64_t>(datasets.size()) < page_size) break;  // the last page
    page_size = std::min<std::int64_t>(page_size * 2, 1024);
  }
  return out;
}

}  // namespace openem
