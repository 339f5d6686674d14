#include "api/lineage/lineage_graph.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/error.h"
#include "core/json_text.h"
#include "core/percent_encoding.h"

namespace openem {
namespace json = boost::json;
namespace {

class Walk {
 public:
  Walk(CatalogStore& store, Condition readable, std::size_t max_nodes)
      : store_(store), readable_(std::move(readable)), max_nodes_(max_nodes) {}

  void add_root(LineageNode node) { add_visible(std::move(node), 0); }

  // The readable datasets a level reaches (store/lineage_rows.h), at most what still fits.
  std::vector<LineageNode> step(LineageStepQuery::Match match, std::vector<std::string> pids) {
    LineageStepQuery q;
    q.match = match;
    q.pids = std::move(pids);
    q.readable = readable_;
    q.limit = static_cast<std::int64_t>(max_nodes_ - std::min(max_nodes_, graph_.nodes.size())) + 1;
    return store_.lineage_step(q);
  }

  // One level up from `frontier` (indexes of readable nodes): their inputs; returns the
  // readable ones. A previous version counts as an input, on an edge of its own kind.
  std::vector<std::size_t> up(const std::vector<std::size_t>& frontier, int level) {
    std::vector<std::string> wanted;
    for (std::size_t i : frontier) {
      const LineageNode& node = graph_.nodes[i].dataset;
      for (const auto& input : node.input_datasets)
        if (!index_.count(input)) wanted.push_back(input);
      if (!node.previous_version.empty() && !index_.count(node.previous_version)) wanted.push_back(node.previous_version);
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    std::vector<std::size_t> next;
    if (!wanted.empty()) {
      for (auto& node : step(LineageStepQuery::Match::kPids, wanted)) {
        if (!add_visible(std::move(node), level)) break;
        next.push_back(graph_.nodes.size() - 1);
      }
      for (const auto& input : wanted)
        if (!index_.count(input) && !add_hidden(input, level)) break;
    }
    for (std::size_t i : frontier) {
      const LineageNode& node = graph_.nodes[i].dataset;
      for (const auto& input : node.input_datasets)
        if (auto it = index_.find(input); it != index_.end()) add_edge(it->second, i, false);
      if (node.previous_version.empty()) continue;
      if (auto it = index_.find(node.previous_version); it != index_.end()) add_edge(it->second, i, true);
    }
    return next;
  }

  // One level down from `frontier`: the readable datasets that name one of them as input or
  // previous version.
  std::vector<std::size_t> down(const std::vector<std::size_t>& frontier, int level) {
    std::vector<std::size_t> next;
    if (frontier.empty()) return next;
    std::vector<std::string> pids;
    std::unordered_map<std::string_view, std::size_t> from;  // the frontier's pids
    for (std::size_t i : frontier) {
      pids.push_back(graph_.nodes[i].dataset.pid);
      from.emplace(graph_.nodes[i].dataset.pid, i);
    }
    for (auto& node : step(LineageStepQuery::Match::kNamingOne, std::move(pids))) {
      std::size_t to = 0;
      const LineageNode* derived = &node;
      if (auto it = index_.find(node.pid); it != index_.end()) {
        to = it->second;
      } else {
        if (!add_visible(std::move(node), level)) break;
        to = graph_.nodes.size() - 1;
        derived = &graph_.nodes[to].dataset;
        next.push_back(to);
      }
      for (const auto& input : derived->input_datasets)
        if (auto it = from.find(input); it != from.end()) add_edge(it->second, to, false);
      if (auto it = from.find(derived->previous_version); it != from.end()) add_edge(it->second, to, true);
    }
    return next;
  }

  LineageGraph result() && { return std::move(graph_); }

 private:
  bool full() {
    if (graph_.nodes.size() < max_nodes_) return false;
    graph_.truncated = true;
    return true;
  }
  bool add_visible(LineageNode&& node, int level) {
    if (full()) return false;
    graph_.nodes.push_back({std::move(node), level, false});
    index_.emplace(graph_.nodes.back().dataset.pid, graph_.nodes.size() - 1);
    return true;
  }
  bool add_hidden(const std::string& pid, int level) {
    if (full()) return false;
    LineageGraph::Node node{{}, level, true};
    node.dataset.pid = pid;
    graph_.nodes.push_back(std::move(node));
    index_.emplace(graph_.nodes.back().dataset.pid, graph_.nodes.size() - 1);
    return true;
  }
  void add_edge(std::size_t from, std::size_t to, bool previous_version) {
    const std::uint64_t key = (std::uint64_t(from) << 33) | (std::uint64_t(to) << 1) | (previous_version ? 1 : 0);
    if (edge_keys_.insert(key).second) graph_.edges.push_back({from, to, previous_version});
  }

  CatalogStore& store_;
  const Condition readable_;
  const std::size_t max_nodes_;
  LineageGraph graph_;
  std::unordered_map<std::string_view, std::size_t> index_;  // pid → node; views of the nodes' pids
  std::unordered_set<std::uint64_t> edge_keys_;              // from, to and kind of each edge
};

void append_int(std::string& out, std::int64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

void append_field(std::string& out, std::string_view key, const std::optional<std::string>& value) {
  if (!value) return;
  out += ",\"";
  out += key;
  out += "\":";
  append_json_string(out, *value);
}

}  // namespace

LineageGraph dataset_lineage(const CollectionAccess& datasets, CatalogStore& store, const Principal& reader,
                             const LineageRequest& request) {
  datasets.get_readable(reader, request.pid);  // 404 as for the dataset itself
  Walk walk(store, datasets.access_condition(reader, /*probe=*/true), request.max_nodes);
  // The candidates (a level's pids, or the datasets naming them) are few: each row's own access
  // set is tested (probe), rather than the reader's whole readable set looked up.
  std::vector<LineageNode> root = walk.step(LineageStepQuery::Match::kPids, {request.pid});
  if (root.empty()) throw ApiError::not_found("Dataset " + request.pid + " not found");  // deleted meanwhile
  walk.add_root(std::move(root.front()));
  if (request.direction != LineageDirection::kDown) {
    std::vector<std::size_t> frontier{0};
    for (int level = 1; level <= request.depth && !frontier.empty(); ++level) frontier = walk.up(frontier, -level);
  }
  if (request.direction != LineageDirection::kUp) {
    std::vector<std::size_t> frontier{0};
    for (int level = 1; level <= request.depth && !frontier.empty(); ++level) frontier = walk.down(frontier, level);
  }
  return std::move(walk).result();
}

std::string lineage_json(const LineageGraph& graph, const LineageRequest& request) {
  static const char* kDirections[] = {"up", "down", "both"};
  std::string out;
  out.reserve(128 + graph.nodes.size() * 200 + graph.edges.size() * 64);
  out += "{\"pid\":";
  append_json_string(out, request.pid);
  out += ",\"direction\":\"";
  out += kDirections[static_cast<int>(request.direction)];
  out += "\",\"depth\":";
  append_int(out, request.depth);
  out += ",\"nodes\":[";
  for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
    const LineageGraph::Node& node = graph.nodes[i];
    const LineageNode& d = node.dataset;
    out += i ? ",{\"pid\":" : "{\"pid\":";
    append_json_string(out, d.pid);
    out += ",\"level\":";
    append_int(out, node.level);
    if (node.hidden) {
      out += ",\"hidden\":true}";
      continue;
    }
    append_field(out, "datasetName", d.dataset_name);
    append_field(out, "type", d.type);
    append_field(out, "creationTime", d.creation_time);
    if (d.version_number) {
      out += ",\"versionNumber\":";
      append_int(out, *d.version_number);
    }
    out += ",\"usedSoftware\":[";  // [] for none (raw data)
    for (std::size_t s = 0; s < d.used_software.size(); ++s) {
      if (s) out += ',';
      append_json_string(out, d.used_software[s]);
    }
    out += d.is_published ? "],\"isPublished\":true}" : "],\"isPublished\":false}";
  }
  out += "],\"edges\":[";
  for (std::size_t i = 0; i < graph.edges.size(); ++i) {
    const LineageGraph::Edge& edge = graph.edges[i];
    out += i ? ",{\"from\":" : "{\"from\":";
    append_json_string(out, graph.nodes[edge.from].dataset.pid);
    out += ",\"to\":";
    append_json_string(out, graph.nodes[edge.to].dataset.pid);
    out += edge.previous_version ? ",\"relation\":\"previousVersion\"}" : "}";
  }
  out += graph.truncated ? "],\"truncated\":true}" : "],\"truncated\":false}";
  return out;
}

namespace {

std::string entity_id(const std::string& pid) { return "dataset:" + percent_encode(pid); }

}  // namespace

json::object lineage_prov_json(const LineageGraph& graph, const std::string& dataset_base_url) {
  json::object entities, activities, derived_from, used, generated;
  for (const auto& node : graph.nodes) {
    const LineageNode& d = node.dataset;
    json::object entity{{"prov:type", node.hidden ? "openem:HiddenDataset" : "openem:Dataset"}};
    if (!node.hidden) {
      if (d.dataset_name) entity["prov:label"] = *d.dataset_name;
      if (d.type) entity["openem:datasetType"] = *d.type;
      if (d.version_number) entity["openem:versionNumber"] = *d.version_number;
      if (d.creation_time)
        entity["openem:creationTime"] = json::object{{"$", *d.creation_time}, {"type", "xsd:dateTime"}};
    }
    entities[entity_id(d.pid)] = std::move(entity);
  }
  std::map<std::string, std::pair<std::size_t, std::vector<std::string>>> inputs_of;  // derived entity → (node, inputs)
  int n = 0;
  for (const auto& edge : graph.edges) {
    const std::string from = entity_id(graph.nodes[edge.from].dataset.pid), to = entity_id(graph.nodes[edge.to].dataset.pid);
    json::object derivation{{"prov:generatedEntity", to}, {"prov:usedEntity", from}};
    if (edge.previous_version) derivation["prov:type"] = "prov:Revision";  // a new version, made by no processing
    derived_from["_:d" + std::to_string(++n)] = std::move(derivation);
    if (edge.previous_version) continue;
    auto& [node, inputs] = inputs_of[to];
    node = edge.to;
    inputs.push_back(from);
  }
  // The processing that made a visible derived dataset, when it says what it used.
  n = 0;
  for (const auto& [id, derived] : inputs_of) {
    const auto& [node, inputs] = derived;
    if (graph.nodes[node].hidden) continue;
    const std::string activity = "openem:derivation-" + id.substr(std::string("dataset:").size());
    activities[activity] = json::object{{"prov:type", "openem:Processing"},
                                        {"openem:usedSoftware", json::value_from(graph.nodes[node].dataset.used_software)}};
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
