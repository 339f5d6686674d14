// CatalogStore::lineage_nodes (store/lineage_rows.h) on every store: datasets by pid, or all of
// them by pages, as the lineage index keeps them, read from columns and side rows only.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/access_set.h"
#include "store/catalog_store.h"
#include "store/testing/store_test_fixture.h"

namespace openem {
namespace {
namespace json = boost::json;
using Ids = std::vector<std::string>;

class LineageNodesContractTest : public testing::StoreOnEachBackend {
 protected:
  void SetUp() override {
    StoreOnEachBackend::SetUp();
    add({{"pid", "raw"}, {"ownerGroup", "g1"}, {"type", "raw"}, {"datasetName", "Session 1"},
         {"creationTime", "2024-03-01T10:00:00.000Z"}});
    add({{"pid", "map"}, {"ownerGroup", "g1"}, {"type", "derived"}, {"datasetName", "Map"},
         {"inputDatasets", json::array{"raw", "gone"}}, {"usedSoftware", json::array{"relion 5", "motioncor2", "relion 5"}},
         {"isPublished", true}});
    add({{"pid", "secret"}, {"ownerGroup", "g2"}, {"type", "derived"}, {"inputDatasets", json::array{"raw"}}});
    add({{"pid", "map-v2"}, {"ownerGroup", "g1"}, {"type", "derived"}, {"inputDatasets", json::array{"raw"}},
         {"previousVersion", "map"}, {"versionSeries", "map"}, {"versionNumber", 2}});
  }
  void add(json::object doc) { store_->insert(schemas::datasets(), doc); }

  std::vector<LineageNode> named(Ids pids) {
    LineageNodesQuery q;
    q.pids = std::move(pids);
    return store_->lineage_nodes(q);
  }
  std::vector<LineageNode> all_after(std::int64_t seq, std::int64_t limit) {
    LineageNodesQuery q;
    q.all = true;
    q.after_seq = seq;
    q.limit = limit;
    return store_->lineage_nodes(q);
  }
  static Ids pids(const std::vector<LineageNode>& nodes) {
    Ids out;
    for (const auto& n : nodes) out.push_back(n.pid);
    return out;
  }
};

TEST_P(LineageNodesContractTest, NamedDatasetsComeWithTheirColumnsLinksAndAccessSet) {
  auto nodes = named({"map", "raw", "secret", "gone", "raw"});
  ASSERT_EQ(pids(nodes), (Ids{"raw", "map", "secret"}));  // in the order stored, once each; missing left out
  const LineageNode& raw = nodes[0];
  EXPECT_EQ(raw.dataset_name, "Session 1");
  EXPECT_EQ(raw.type, "raw");
  EXPECT_EQ(raw.creation_time, "2024-03-01T10:00:00.000Z");
  EXPECT_FALSE(raw.is_published);
  EXPECT_FALSE(raw.version_number);
  EXPECT_TRUE(raw.input_datasets.empty());
  EXPECT_EQ(raw.access_set, access_set_key({access_member_group("g1")}));
  const LineageNode& map = nodes[1];
  EXPECT_EQ(map.input_datasets, (Ids{"gone", "raw"}));
  EXPECT_EQ(map.used_software, (Ids{"motioncor2", "relion 5"}));  // each once, alphabetical
  EXPECT_TRUE(map.is_published);
  EXPECT_FALSE(map.creation_time);
  EXPECT_EQ(map.access_set, access_set_key({access_member_group("g1"), access_member_group(kPublishedValue)}));
  EXPECT_LT(raw.seq, map.seq);
  EXPECT_EQ(nodes[2].access_set, access_set_key({access_member_group("g2")}));
}

TEST_P(LineageNodesContractTest, AVersionComesWithItsNumberAndPredecessor) {
  auto nodes = named({"map-v2"});
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].previous_version, "map");
  EXPECT_EQ(nodes[0].version_number, 2);
  EXPECT_EQ(nodes[0].input_datasets, Ids{"raw"});
}

TEST_P(LineageNodesContractTest, EveryDatasetIsReadInPagesInStoredOrder) {
  auto first = all_after(0, 3);
  ASSERT_EQ(pids(first), (Ids{"raw", "map", "secret"}));
  auto rest = all_after(first.back().seq, 3);
  ASSERT_EQ(pids(rest), Ids{"map-v2"});
  EXPECT_EQ(rest[0].version_number, 2);
  EXPECT_TRUE(all_after(rest.back().seq, 3).empty());
  EXPECT_EQ(pids(all_after(0, -1)), (Ids{"raw", "map", "secret", "map-v2"}));
}

TEST_P(LineageNodesContractTest, LongListsWork) {
  Ids many;
  for (int i = 0; i < 5000; ++i) many.push_back("absent-" + std::to_string(i));
  many.push_back("map");
  EXPECT_EQ(pids(named(many)), Ids{"map"});
}

TEST_P(LineageNodesContractTest, SideRowsAndAccessFollowChanges) {
  store_->replace(schemas::datasets(), json::object{{"pid", "map"}, {"ownerGroup", "g2"}, {"type", "derived"},
                                                    {"inputDatasets", json::array{"raw"}},
                                                    {"usedSoftware", json::array{"cryosparc 4"}}});
  auto nodes = named({"map"});
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].used_software, Ids{"cryosparc 4"});
  EXPECT_EQ(nodes[0].input_datasets, Ids{"raw"});
  EXPECT_FALSE(nodes[0].is_published);
  EXPECT_EQ(nodes[0].access_set, access_set_key({access_member_group("g2")}));
}

OPENEM_ON_EACH_BACKEND(LineageNodesContractTest);

}  // namespace
}  // namespace openem
