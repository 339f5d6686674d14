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
#include "store/document_match.h"
#include "store/document_rows.h"

namespace openem {
namespace json = boost::json;
namespace {

// Whether the reader may read an entry: the reader's rule judged once per access set (the
// rule of a dataset is a test of its access set alone, query/access.h), by the same code that
// judges deleted documents for the event feed (store/document_match.h). What that cannot
// judge counts as unreadable.
class ReadableSets {
 public:
  ReadableSets(const LineageIndex::View& index, const Condition& rule)
      : index_(index), rule_(rule), known_(index.access_set_count(), kUnknown) {
    rows_.schema = &schemas::datasets();
    rows_.columns.assign(rows_.schema->columns.size(), nullptr);  // a rule on columns matches none: unreadable
  }
  bool operator()(const LineageIndex::Entry& e) {
    if (!e.exists) return false;
    std::int8_t& known = known_[e.access_set];
    if (known == kUnknown) {
      rows_.access_set = index_.access_set(e.access_set);
      known = document_matches(rows_, rule_) == DocumentMatch::Yes ? 1 : 0;
    }
    return known == 1;
  }

 private:
  static constexpr std::int8_t kUnknown = -1;
  const LineageIndex::View& index_;
  const Condition& rule_;
  std::vector<std::int8_t> known_;  // per access set of the index
  DocumentRows rows_;
};

class Walk {
 public:
  Walk(const LineageIndex::View& index, const Condition& readable, std::size_t max_nodes)
      : index_(index), readable_(index, readable), max_nodes_(max_nodes) {}

  // The dataset itself; false when it is not stored or not readable.
  bool add_root(std::string_view pid) {
    auto id = index_.find(pid);
    if (!id || !readable_(index_.entry(*id))) return false;
    add_visible(*id, 0);
    return true;
  }

  // One level up from `frontier` (graph nodes of readable datasets): their inputs; returns
  // the readable ones, in stored order. A previous version counts as an input, on an edge of
  // its own kind; an input the reader may not read, or that is not stored, is a hidden node.
  std::vector<std::size_t> up(const std::vector<std::size_t>& frontier, int level) {
    std::vector<std::uint32_t> wanted;
    for (std::size_t i : frontier) {
      const LineageIndex::Entry& e = index_.entry(entry_of_[i]);
      for (std::uint32_t input : e.inputs)
        if (!at_.count(input)) wanted.push_back(input);
      if (e.previous != LineageIndex::kNone && !at_.count(e.previous)) wanted.push_back(e.previous);
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    std::vector<std::uint32_t> visible, hidden;
    for (std::uint32_t id : wanted) (readable_(index_.entry(id)) ? visible : hidden).push_back(id);
    std::sort(visible.begin(), visible.end(), [&](auto a, auto b) { return index_.entry(a).seq < index_.entry(b).seq; });
    std::sort(hidden.begin(), hidden.end(), [&](auto a, auto b) { return *index_.entry(a).pid < *index_.entry(b).pid; });
    std::vector<std::size_t> next;
    bool room = true;
    for (std::uint32_t id : visible) {
      if (!(room = add_visible(id, level))) break;
      next.push_back(graph_.nodes.size() - 1);
    }
    for (std::uint32_t id : hidden)
      if (!room || !(room = add_hidden(id, level))) break;
    for (std::size_t i : frontier) {
      const LineageIndex::Entry& e = index_.entry(entry_of_[i]);
      for (std::uint32_t input : e.inputs)
        if (auto it = at_.find(input); it != at_.end()) add_edge(it->second, i, false);
      if (e.previous == LineageIndex::kNone) continue;
      if (auto it = at_.find(e.previous); it != at_.end()) add_edge(it->second, i, true);
    }
    return next;
  }

  // One level down from `frontier`: the readable datasets that name one of them as input or
  // previous version, in stored order; an unreadable one is left out without a trace.
  std::vector<std::size_t> down(const std::vector<std::size_t>& frontier, int level) {
    std::vector<std::size_t> next;
    std::unordered_map<std::uint32_t, std::size_t> from;  // the frontier's entries → their graph nodes
    std::vector<std::uint32_t> derived;
    for (std::size_t i : frontier) {
      from.emplace(entry_of_[i], i);
      for (std::uint32_t id : index_.entry(entry_of_[i]).derived) derived.push_back(id);
    }
    std::sort(derived.begin(), derived.end());
    derived.erase(std::unique(derived.begin(), derived.end()), derived.end());
    derived.erase(std::remove_if(derived.begin(), derived.end(), [&](auto id) { return !readable_(index_.entry(id)); }),
                  derived.end());
    std::sort(derived.begin(), derived.end(), [&](auto a, auto b) { return index_.entry(a).seq < index_.entry(b).seq; });
    for (std::uint32_t id : derived) {
      std::size_t to = 0;
      if (auto it = at_.find(id); it != at_.end()) {
        to = it->second;
      } else {
        if (!add_visible(id, level)) break;
        to = graph_.nodes.size() - 1;
        next.push_back(to);
      }
      const LineageIndex::Entry& e = index_.entry(id);
      for (std::uint32_t input : e.inputs)
        if (auto it = from.find(input); it != from.end()) add_edge(it->second, to, false);
      if (auto it = from.find(e.previous); it != from.end()) add_edge(it->second, to, true);
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
  bool add_visible(std::uint32_t id, int level) {
    if (full()) return false;
    graph_.nodes.push_back({index_.node(id), level, false});
    at_.emplace(id, graph_.nodes.size() - 1);
    entry_of_.push_back(id);
    return true;
  }
  bool add_hidden(std::uint32_t id, int level) {
    if (full()) return false;
    LineageGraph::Node node{{}, level, true};
    node.dataset.pid = *index_.entry(id).pid;
    graph_.nodes.push_back(std::move(node));
    at_.emplace(id, graph_.nodes.size() - 1);
    entry_of_.push_back(id);
    return true;
  }
  void add_edge(std::size_t from, std::size_t to, bool previous_version) {
    const std::uint64_t key = (std::uint64_t(from) << 33) | (std::uint64_t(to) << 1) | (previous_version ? 1 : 0);
    if (edge_keys_.insert(key).second) graph_.edges.push_back({from, to, previous_version});
  }

  const LineageIndex::View& index_;
  ReadableSets readable_;
  const std::size_t max_nodes_;
  LineageGraph graph_;
  std::unordered_map<std::uint32_t, std::size_t> at_;  // index entry → graph node
  std::vector<std::uint32_t> entry_of_;                 // graph node → index entry
  std::unordered_set<std::uint64_t> edge_keys_;         // from, to and kind of each edge
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

LineageGraph dataset_lineage(const CollectionAccess& datasets, LineageIndex& index, const Principal& reader,
                             const LineageRequest& request) {
  const Condition readable = datasets.access_condition(reader);
  const LineageIndex::View view = index.current();
  Walk walk(view, readable, request.max_nodes);
  if (!walk.add_root(request.pid)) datasets.missing();  // unknown or unreadable: the 404 of the dataset itself
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
