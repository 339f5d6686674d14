#include "api/lineage/lineage_graph.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <vector>

#include "core/error.h"
#include "core/json_fields.h"
#include "core/percent_encoding.h"
#include "query/where.h"

namespace openem {
namespace json = boost::json;
namespace {

// What a readable dataset shows in the graph.
json::object visible_node(const json::object& doc, int level) {
  json::object node{{"pid", doc.contains("pid") ? doc.at("pid") : json::value("")}, {"level", level}};
  for (const char* key : {"datasetName", "type", "creationTime", "version", "versionNumber", "usedSoftware", "isPublished"})
    if (const auto* v = doc.if_contains(key)) node[key] = *v;
  return node;
}

constexpr const char* kPreviousVersion = "previousVersion";

json::array pid_array(const std::vector<std::string>& pids) {
  json::array out;
  for (const auto& p : pids) out.emplace_back(p);
  return out;
}

class Walk {
 public:
  Walk(const CollectionAccess& datasets, CatalogStore& store, const Principal& reader, std::size_t max_nodes)
      : datasets_(datasets), store_(store), reader_(reader), max_nodes_(max_nodes) {}

  void add_root(const json::object& doc) { add_visible(doc, 0); }

  // Readable datasets matching `where`, at most what still fits.
  std::vector<json::object> readable(const json::object& where) {
    QueryPlan plan;
    plan.conditions.push_back(translate_where(datasets_.schema(), where));
    // The candidates (a level's pids, or the datasets naming them) are few: each row's own
    // access set is tested, rather than the reader's whole readable set looked up.
    plan.conditions.push_back(datasets_.access_condition(reader_, /*probe=*/true));
    plan.limit = static_cast<std::int64_t>(max_nodes_ - std::min(max_nodes_, nodes_.size())) + 1;
    return store_.find(datasets_.schema(), plan);
  }

  // One level up from `frontier` (readable datasets): their inputs; returns the readable ones.
  // A previous version counts as an input, on an edge of its own kind.
  std::vector<json::object> up(const std::vector<json::object>& frontier, int level) {
    std::vector<std::string> wanted;
    std::multimap<std::string, std::string> derived_of;  // input → the frontier datasets naming it
    std::set<std::pair<std::string, std::string>> revisions;  // (previous version, newer)
    for (const auto& doc : frontier) {
      for (auto& input : json_strings(doc, "inputDatasets")) {
        derived_of.emplace(input, json_string(doc, "pid"));
        if (!seen_.count(input)) wanted.push_back(input);
      }
      if (std::string previous = json_string(doc, "previousVersion"); !previous.empty()) {
        revisions.insert({previous, json_string(doc, "pid")});
        if (!seen_.count(previous)) wanted.push_back(previous);
      }
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    std::vector<json::object> next;
    if (!wanted.empty()) {
      for (auto& doc : readable(json::object{{"pid", json::object{{"$in", pid_array(wanted)}}}})) {
        if (!add_visible(doc, level)) break;
        next.push_back(std::move(doc));
      }
      for (const auto& input : wanted)
        if (!seen_.count(input) && !add_hidden(input, level)) break;
    }
    for (const auto& [input, derived] : derived_of)
      if (seen_.count(input)) add_edge(input, derived);
    for (const auto& [previous, newer] : revisions)
      if (seen_.count(previous)) add_edge(previous, newer, kPreviousVersion);
    return next;
  }

  // One level down from `frontier`: the readable datasets that name one of them as input.
  std::vector<json::object> down(const std::vector<json::object>& frontier, int level) {
    std::vector<std::string> pids;
    for (const auto& doc : frontier) pids.push_back(json_string(doc, "pid"));
    std::vector<json::object> next;
    if (pids.empty()) return next;
    const std::set<std::string> from(pids.begin(), pids.end());
    json::array either{json::object{{"inputDatasets", json::object{{"$in", pid_array(pids)}}}},
                       json::object{{"previousVersion", json::object{{"$in", pid_array(pids)}}}}};
    for (auto& doc : readable(json::object{{"$or", std::move(either)}})) {
      const std::string pid = json_string(doc, "pid");
      const bool fresh = !seen_.count(pid);
      if (fresh && !add_visible(doc, level)) break;
      for (const auto& input : json_strings(doc, "inputDatasets"))
        if (from.count(input)) add_edge(input, pid);
      if (std::string previous = json_string(doc, "previousVersion"); from.count(previous))
        add_edge(previous, pid, kPreviousVersion);
      if (fresh) next.push_back(std::move(doc));
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
  bool add_visible(const json::object& doc, int level) {
    if (full()) return false;
    seen_.insert(json_string(doc, "pid"));
    nodes_.emplace_back(visible_node(doc, level));
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
    if (!edge_set_.insert({from, to, relation}).second) return;
    json::object edge{{"from", from}, {"to", to}};
    if (*relation) edge["relation"] = relation;
    edges_.emplace_back(std::move(edge));
  }

  const CollectionAccess& datasets_;
  CatalogStore& store_;
  const Principal& reader_;
  const std::size_t max_nodes_;
  std::set<std::string> seen_;
  std::set<std::tuple<std::string, std::string, std::string>> edge_set_;
  json::array nodes_, edges_;
  bool truncated_ = false;
};

}  // namespace

json::object dataset_lineage(const CollectionAccess& datasets, CatalogStore& store, const Principal& reader,
                             const LineageRequest& request) {
  json::object root = datasets.get_readable(reader, request.pid);  // 404 as for the dataset itself
  Walk walk(datasets, store, reader, request.max_nodes);
  walk.add_root(root);
  if (request.direction != LineageDirection::kDown) {
    std::vector<json::object> frontier{root};
    for (int level = 1; level <= request.depth && !frontier.empty(); ++level) frontier = walk.up(frontier, -level);
  }
  if (request.direction != LineageDirection::kUp) {
    std::vector<json::object> frontier{root};
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
      if (const auto* version = node.if_contains("version")) entity["openem:version"] = *version;
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
