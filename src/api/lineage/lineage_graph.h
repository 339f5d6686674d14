#pragma once
// The lineage of a dataset: the datasets it was derived from (inputDatasets, "up") and those
// derived from it ("down"), level by level to a depth, as nodes and edges, with the reader's
// access applied to every node (docs/lineage.md):
// - up: an input the reader may read is a node with its metadata; one they may not read (or
//   that does not exist) is a node {"pid", "hidden": true} — its pid is already in the
//   readable child's inputDatasets — and the walk does not go past it (its own inputs are its
//   metadata);
// - down: only derived datasets the reader may read appear; an unreadable one is not even
//   hinted at (its existence, and their number, are private to its groups).
// The walk runs over the process's lineage index (store/lineage_index.h: every dataset's links,
// access set and shown fields in memory, caught up with the catalog's history before each
// walk), so a level is a walk over integers, not a store query; the reader's rule is judged once
// per access set. The answer is written as JSON text straight from the graph: for 10,000 nodes,
// building it as a boost::json tree first cost a fifth of the time.
#include <boost/json.hpp>

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "api/collection_access.h"
#include "store/lineage_index.h"
#include "store/lineage_rows.h"

namespace openem {

enum class LineageDirection { kUp, kDown, kBoth };

struct LineageRequest {
  std::string pid;
  LineageDirection direction = LineageDirection::kBoth;
  int depth = 5;             // levels from the dataset, 1 to kMaxDepth
  std::size_t max_nodes = 10000;  // beyond: the answer says "truncated"
  static constexpr int kMaxDepth = 50;
};

struct LineageGraph {
  struct Node {
    LineageNode dataset;  // hidden: only its pid
    int level = 0;        // negative up, positive down, 0 the dataset
    bool hidden = false;
  };
  struct Edge {
    std::size_t from, to;  // input → derived, as indexes into nodes
    bool previous_version = false;  // a version's predecessor, not an input
  };
  std::deque<Node> nodes;  // a deque: the walk keeps views of the pids while it adds nodes
  std::vector<Edge> edges;
  bool truncated = false;
};

// ApiError 404 when the dataset is unknown or unreadable.
LineageGraph dataset_lineage(const CollectionAccess& datasets, LineageIndex& index, const Principal& reader,
                             const LineageRequest& request);

// The answer of GET …/lineage: {"pid", "direction", "depth", "nodes": [{"pid", "level",
// "datasetName", "type", "creationTime", "versionNumber", "usedSoftware" (each name once, in
// alphabetical order; [] for none), "isPublished"} or {"pid", "level", "hidden": true}],
// "edges": [{"from": input, "to": derived[, "relation": "previousVersion"]}], "truncated"}.
// (SciCat's `version`, the API version a record was written with, is left out: it says
// nothing of the data and reads like versionNumber.)
std::string lineage_json(const LineageGraph& graph, const LineageRequest& request);

// The same graph as W3C PROV-JSON (https://www.w3.org/submissions/prov-json/): datasets as
// entities (prefix "dataset" = `dataset_base_url`, the pid percent-encoded as the local
// name; prefix "openem" = "urn:openem:" for openem's own types), wasDerivedFrom between
// them, and for each visible derived dataset an activity (with its usedSoftware) that used
// its inputs and generated it.
boost::json::object lineage_prov_json(const LineageGraph& graph, const std::string& dataset_base_url);

}  // namespace openem
