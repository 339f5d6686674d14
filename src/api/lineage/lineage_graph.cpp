#include "api/lineage/lineage_graph.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "core/json_fields.h"
#include "core/percent_encoding.h"

namespace openem {
namespace json = boost::json;
namespace {

// What a readable dataset shows in the graph. (SciCat's `version`, the API version a record
// was written with, is left out: it says nothing of the data and reads like versionNumber.)
json::object visible_node(const LineageNode& n, int level) {
  json::object node(8);
  node["pid"] = n.pid;
  node["level"] = level;
  if (n.dataset_name) node["datasetName"] = *n.dataset_name;
  if (n.type) node["type"] = *n.type;
  if (n.creation_time) node["creationTime"] = *n.creation_time;
  if (n.version_number) node["versionNumber"] = *n.version_number;
  node["usedSoftware"] = json::value_from(n.used_software);  // [] for none (raw data)
  node["isPublished"] = n.is_published;
  return node;
}

constexpr const char* kPreviousVersion = "previousVersion";

class Walk {
 public:
  Walk(CatalogStore& store, Condition readable, std::size_t max_nodes)
      : store_(store), readable_(std::move(readable)), max_nodes_(max_nodes) {}

  void add_root(const LineageNode& node) { add_visible(node, 0); }

  // The readable datasets a level reaches (store/lineage_rows.h), at most what still fits.
  std::vector<LineageNode> step(LineageStepQuery::Match match, std::vector<std::string> pids) {
    LineageStepQuery q;
    q.match = match;
    q.pids = std::move(pids);
    q.readable = readable_;
    q.limit = static_cast<std::int64_t>(max_nodes_ - std::min(max_nodes_, nodes_.size())) + 1;
    return store_.lineage_step(q);
  }

  // One level up from `frontier` (readable datasets): their inputs; returns the readable ones.
  // A previous version counts as an input, on an edge of its own kind.
  std::vector<LineageNode> up(const std::vector<LineageNode>& frontier, int level) {
    std::vector<std::string> wanted;
    for (const auto& node : frontier) {
      for (const auto& input : node.input_datasets)
        if (!seen_.count(input)) wanted.push_back(input);
      if (!node.previous_version.empty() && !seen_.count(node.previous_version)) wanted.push_back(node.previous_version);
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    std::vector<LineageNode> next;
    if (!wanted.empty()) {
      for (auto& node : step(LineageStepQuery::Match::kPids, wanted)) {
        if (!add_visible(node, level)) break;
        next.push_back(std::move(node));
      }
      for (const auto& input : wanted)
        if (!seen_.count(input) && !add_hidden(input, level)) break;
    }
    for (const auto& node : frontier) {
      for (const auto& input : node.input_datasets)
        if (seen_.count(input)) add_edge(input, node.pid);
      if (!node.previous_version.empty() && seen_.count(node.previous_version))
        add_edge(node.previous_version, node.pid, kPreviousVersion);
    }
    return next;
  }

  // One level down from `frontier`: the readable datasets that name one of them as input or
  // previous version.
  std::vector<LineageNode> down(const std::vector<LineageNode>& frontier, int level) {
    std::vector<std::string> pids;
    for (const auto& node : frontier) pids.push_back(node.pid);
    std::vector<LineageNode> next;
    if (pids.empty()) return next;
    const std::unordered_set<std::string> from(pids.begin(), pids.end());
    for (auto& node : step(LineageStepQuery::Match::kNamingOne, std::move(pids))) {
      const bool fresh = !seen_.count(node.pid);
      if (fresh && !add_visible(node, level)) break;
      for (const auto& input : node.input_datasets)
        if (from.count(input)) add_edge(input, node.pid);
      if (from.count(node.previous_version)) add_edge(node.previous_version, node.pid, kPreviousVersion);
      if (fresh) next.push_back(std::move(node));
    }
    return next;
  }

  json::object result(const LineageRequest& request) && {
    static const char* kDirections[] = {"up", "down", "both"};
    return {{"pid", request.pid},
            {"direction", kDirections[static_cast<int>(request.direction)]},
            {"depth", request.depth},
            {"nodes", std::move(nodes_)},
            {"edges", std::move(edges_)},
            {"truncated", truncated_}};
  }

 private:
  bool full() {
    if (nodes_.size() < max_nodes_) return false;
    truncated_ = true;
    return true;
  }
  bool add_visible(const LineageNode& node, int level) {
    if (full()) return false;
    seen_.insert(node.pid);
    nodes_.emplace_back(visible_node(node, level));
    return true;
  }
  bool add_hidden(const std::string& pid, int level) {
    if (full()) return false;
    seen_.insert(pid);
    nodes_.emplace_back(json::object{{"pid", pid}, {"level", level}, {"hidden", true}});
    return true;
  }
  // `relation`: "" for an input (derivation), kPreviousVersion for a version's predecessor.
  void add_edge(const std::string& from, const std::string& to, const char* relation = "") {
    // pids hold no NUL (they are URL path segments): the key is unambiguous
    if (!edge_set_.insert(from + '\0' + to + '\0' + relation).second) return;
    json::object edge{{"from", from}, {"to", to}};
    if (*relation) edge["relation"] = relation;
    edges_.emplace_back(std::move(edge));
  }

  CatalogStore& store_;
  const Condition readable_;
  const std::size_t max_nodes_;
  std::unordered_set<std::string> seen_, edge_set_;
  json::array nodes_, edges_;
  bool truncated_ = false;
};

}  // namespace

json::object dataset_lineage(const CollectionAccess& datasets, CatalogStore& store, const Principal& reader,
                             const LineageRequest& request) {
  datasets.get_readable(reader, request.pid);  // 404 as for the dataset itself
  Walk walk(store, datasets.access_condition(reader, /*probe=*/true), request.max_nodes);
  // The candidates (a level's pids, or the datasets naming them) are few: each row's own access
  // set is tested (probe), rather than the reader's whole readable set looked up.
  std::vector<LineageNode> root = walk.step(LineageStepQuery::Match::kPids, {request.pid});
  if (root.empty()) throw ApiError::not_found("Dataset " + request.pid + " not found");  // deleted meanwhile
  walk.add_root(root.front());
  if (request.direction != LineageDirection::kDown) {
    std::vector<LineageNode> frontier{root.front()};
    for (int level = 1; level <= request.depth && !frontier.empty(); ++level) frontier = walk.up(frontier, -level);
  }
  if (request.direction != LineageDirection::kUp) {
    std::vector<LineageNode> frontier{root.front()};
    for (int level = 1; level <= request.depth && !frontier.empty(); ++level) frontier = walk.down(frontier, level);
  }
  return std::move(walk).result(request);
}

namespace {

std::string entity_id(const json::value& pid) {
  return "dataset:" + percent_encode(pid.is_string() ? std::string_view(pid.get_string()) : std::string_view());
}

}  // namespace

json::object lineage_prov_json(const json::object& lineage, const std::string& dataset_base_url) {
  json::object entities, activities, derived_from, used, generated;
  std::map<std::string, const json::object*> visible;  // entity id → node
  for (const auto& v : lineage.at("nodes").as_array()) {
    const json::object& node = v.as_object();
    const std::string id = entity_id(node.at("pid"));
    json::object entity{{"prov:type", node.contains("hidden") ? "openem:HiddenDataset" : "openem:Dataset"}};
    if (!node.contains("hidden")) {
      visible[id] = &node;
      if (const auto* name = node.if_contains("datasetName"); name && name->is_string()) entity["prov:label"] = *name;
      if (const auto* type = node.if_contains("type"); type && type->is_string()) entity["openem:datasetType"] = *type;
      if (const auto* number = node.if_contains("versionNumber")) entity["openem:versionNumber"] = *number;
      if (const auto* created = node.if_contains("creationTime"); created && created->is_string())
        entity["openem:creationTime"] = json::object{{"$", *created}, {"type", "xsd:dateTime"}};
    }
    entities[id] = std::move(entity);
  }
  std::map<std::string, std::vector<std::string>> inputs_of;  // derived entity → input entities
  int n = 0;
  for (const auto& v : lineage.at("edges").as_array()) {
    const json::object& edge = v.as_object();
    const std::string from = entity_id(edge.at("from")), to = entity_id(edge.at("to"));
    json::object derivation{{"prov:generatedEntity", to}, {"prov:usedEntity", from}};
    if (edge.contains("relation")) {  // a new version: PROV's revision, made by no processing
      derivation["prov:type"] = "prov:Revision";
      derived_from["_:d" + std::to_string(++n)] = std::move(derivation);
      continue;
    }
    derived_from["_:d" + std::to_string(++n)] = std::move(derivation);
    inputs_of[to].push_back(from);
  }
  // The processing that made a visible derived dataset, when it says what it used.
  n = 0;
  for (const auto& [id, inputs] : inputs_of) {
    auto it = visible.find(id);
    if (it == visible.end()) continue;
    const std::string activity = "openem:derivation-" + id.substr(std::string("dataset:").size());
    json::object a{{"prov:type", "openem:Processing"}};
    if (const auto* software = it->second->if_contains("usedSoftware")) a["openem:usedSoftware"] = *software;
    activities[activity] = std::move(a);
    generated["_:g" + std::to_string(++n)] = json::object{{"prov:entity", id}, {"prov:activity", activity}};
    for (const auto& input : inputs)
      used["_:u" + std::to_string(used.size() + 1)] = json::object{{"prov:activity", activity}, {"prov:entity", input}};
  }
  json::object out{{"prefix", json::object{{"dataset", dataset_base_url},
                                           {"openem", "urn:openem:"}}},
                   {"entity", std::move(entities)}};
  if (!derived_from.empty()) out["wasDerivedFrom"] = std::move(derived_from);
  if (!activities.empty()) {
    out["activity"] = std::move(activities);
    out["used"] = std::move(used);
    out["wasGeneratedBy"] = std::move(generated);
  }
  return out;
}

}  // namespace openem
