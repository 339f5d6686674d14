#pragma once
// What a lineage walk (api/lineage/lineage_graph.h) reads of the datasets it reaches, one level
// per call, from their indexed columns and side rows and never from their documents: a walk
// that reaches 10,000 datasets must answer in tens of milliseconds, and reading (and parsing)
// 10,000 documents alone takes longer. Shared by the stores; plain data.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/collection.h"
#include "query/condition.h"

namespace openem {

// One dataset as the walk sees it.
struct LineageNode {
  std::string pid;
  std::optional<std::string> dataset_name, type, creation_time;  // absent when the dataset has none
  bool is_published = false;
  std::optional<std::int64_t> version_number;  // only datasets that are versions of a series have one
  std::string previous_version;                // "" when none
  // Side rows hold each value once, in the order of their text: the walk needs the set.
  std::vector<std::string> input_datasets, used_software;
};

struct LineageStepQuery {
  enum class Match {
    kPids,       // the datasets whose pid is one of `pids` (a level up: the inputs)
    kNamingOne,  // the datasets naming one of `pids` as input or as previous version (a level down)
  };
  Match match = Match::kPids;
  std::vector<std::string> pids;
  Condition readable;      // the reader's read rule (query/access.h); only matching datasets come back
  std::int64_t limit = -1;  // at most this many, in the order they were stored; -1: all
};

}  // namespace openem

namespace openem::lineage_rows {


// The select list both stores start a step's rows with (the same SQL in either dialect):
// seq, pid, then the node's indexed columns in LineageNode's order.
inline std::string node_columns_sql(const CollectionSchema& datasets) {
  return "t.seq, t.id, t." + datasets.column_for("datasetName")->column + ", t." + datasets.column_for("type")->column +
         ", t." + datasets.column_for("creationTime")->column + ", t." + datasets.column_for("isPublished")->column;
}

// The side-row fields a level down matches ("v.field IN (<this>)"), and those a step reads
// of each node it returns (add_side_value).
inline constexpr const char* kLinkFieldsSql = "'inputDatasets', 'previousVersion'";
inline constexpr const char* kReadFieldsSql = "'inputDatasets', 'previousVersion', 'usedSoftware'";

// One side row (`field`, `value`) of a node read into it.
inline void add_side_value(LineageNode& node, std::string_view field, std::string value) {
  if (field == "inputDatasets") node.input_datasets.push_back(std::move(value));
  else if (field == "previousVersion") node.previous_version = std::move(value);
  else if (field == "usedSoftware") node.used_software.push_back(std::move(value));
}

}  // namespace openem::lineage_rows
