#pragma once
// What the lineage index (store/lineage_index.h) reads of each dataset, from its indexed columns
// and side rows and never from its document: it reads every dataset when it is built, and
// reading (and parsing) 100,000 documents would take seconds. Shared by the stores; plain data.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/collection.h"

namespace openem {

// One dataset as the walk sees it.
struct LineageNode {
  std::int64_t seq = 0;  // the dataset's place in stored order
  std::string pid;
  std::optional<std::string> dataset_name, type, creation_time;  // absent when the dataset has none
  bool is_published = false;
  std::optional<std::int64_t> version_number;  // only datasets that are versions of a series have one
  std::string previous_version;                // "" when none
  // Side rows hold each value once, in the order of their text: the index needs the set.
  std::vector<std::string> input_datasets, used_software;
  std::string access_set;  // who may read it (model/access_set.h): what the lineage index judges readers by
};

// Which datasets CatalogStore::lineage_nodes reads: those named, or every dataset by pages.
struct LineageNodesQuery {
  std::vector<std::string> pids;  // the stored ones among these, in stored order
  bool all = false;               // instead: every dataset stored after `after_seq`, at most `limit`, in stored order
  std::int64_t after_seq = 0;
  std::int64_t limit = -1;  // -1: no limit
};

}  // namespace openem

namespace openem::lineage_rows {

// The select list both stores start a node's row with (the same SQL in either dialect):
// seq, pid, then the node's indexed columns in LineageNode's order.
inline std::string node_columns_sql(const CollectionSchema& datasets) {
  return "t.seq, t.id, t." + datasets.column_for("datasetName")->column + ", t." + datasets.column_for("type")->column +
         ", t." + datasets.column_for("creationTime")->column + ", t." + datasets.column_for("isPublished")->column;
}

// The side-row fields read of each node (add_side_value).
inline constexpr const char* kReadFieldsSql = "'inputDatasets', 'previousVersion', 'usedSoftware'";

// One side row (`field`, `value`) of a node read into it.
inline void add_side_value(LineageNode& node, std::string_view field, std::string value) {
  if (field == "inputDatasets") node.input_datasets.push_back(std::move(value));
  else if (field == "previousVersion") node.previous_version = std::move(value);
  else if (field == "usedSoftware") node.used_software.push_back(std::move(value));
}

}  // namespace openem::lineage_rows
