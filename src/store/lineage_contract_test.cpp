// CatalogStore::lineage_step (store/lineage_rows.h) on every store: a level up by pid, a level
// down by the datasets naming the frontier, each with the reader's rule and a limit, read from
// columns and side rows only.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "query/access.h"
#include "store/catalog_store.h"
#include "store/testing/store_test_fixture.h"

namespace openem {
namespace {
namespace json = boost::json;
using Ids = std::vector<std::string>;

class LineageStepContractTest : public testing::StoreOnEachBackend {
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

  std::vector<LineageNode> step(LineageStepQuery::Match match, Ids pids, const Principal& reader,
                                std::int64_t limit = -1) {
    LineageStepQuery q;
    q.match = match;
    q.pids = std::move(pids);
    q.readable = read_access_condition(schemas::datasets(), reader, ReadScope{}, /*probe=*/true);
    q.limit = limit;
    return store_->lineage_step(q);
  }
  static Ids pids(const std::vector<LineageNode>& nodes) {
    Ids out;
    for (const auto& n : nodes) out.push_back(n.pid);
    return out;
  }

  const Principal member1_{"1", "u1", "u1@x.org", {"g1"}};
  const Principal member2_{"2", "u2", "u2@x.org", {"g2"}};
  const Principal member_of_both_{"3", "both", "a@x.org", {"g1", "g2"}};
};

TEST_P(LineageStepContractTest, ALevelUpReadsTheReadableDatasetsByPidWithTheirColumnsAndLinks) {
  auto nodes = step(LineageStepQuery::Match::kPids, {"map", "raw", "secret", "gone"}, member1_);
  ASSERT_EQ(pids(nodes), (Ids{"raw", "map"}));  // in the order stored; unreadable and missing left out
  const LineageNode& raw = nodes[0];
  EXPECT_EQ(raw.dataset_name, "Session 1");
  EXPECT_EQ(raw.type, "raw");
  EXPECT_EQ(raw.creation_time, "2024-03-01T10:00:00.000Z");
  EXPECT_FALSE(raw.is_published);
  EXPECT_FALSE(raw.version_number);
  EXPECT_TRUE(raw.input_datasets.empty());
  const LineageNode& map = nodes[1];
  EXPECT_EQ(map.input_datasets, (Ids{"gone", "raw"}));
  EXPECT_EQ(map.used_software, (Ids{"motioncor2", "relion 5"}));  // each once, alphabetical
  EXPECT_TRUE(map.is_published);
  EXPECT_FALSE(map.creation_time);
  EXPECT_EQ(pids(step(LineageStepQuery::Match::kPids, {"secret"}, member2_)), Ids{"secret"});
}

TEST_P(LineageStepContractTest, ALevelDownReadsTheReadableDatasetsNamingTheFrontier) {
  auto nodes = step(LineageStepQuery::Match::kNamingOne, {"raw"}, member1_);
  EXPECT_EQ(pids(nodes), (Ids{"map", "map-v2"}));  // "secret" names raw too, but is g2's
  EXPECT_EQ(pids(step(LineageStepQuery::Match::kNamingOne, {"raw"}, member_of_both_)), (Ids{"map", "secret", "map-v2"}));
  // A previous version links as an input does; the version's number comes along.
  auto newer = step(LineageStepQuery::Match::kNamingOne, {"map"}, member1_);
  ASSERT_EQ(pids(newer), Ids{"map-v2"});
  EXPECT_EQ(newer[0].previous_version, "map");
  EXPECT_EQ(newer[0].version_number, 2);
  EXPECT_TRUE(step(LineageStepQuery::Match::kNamingOne, {"map-v2", "nothing"}, member_of_both_).empty());
}

TEST_P(LineageStepContractTest, TheLimitStopsInStoredOrderAndLongListsWork) {
  EXPECT_EQ(pids(step(LineageStepQuery::Match::kNamingOne, {"raw"}, member_of_both_, 2)), (Ids{"map", "secret"}));
  Ids many;
  for (int i = 0; i < 5000; ++i) many.push_back("absent-" + std::to_string(i));
  many.push_back("map");
  EXPECT_EQ(pids(step(LineageStepQuery::Match::kPids, many, member1_)), Ids{"map"});
  EXPECT_EQ(pids(step(LineageStepQuery::Match::kNamingOne, many, member1_)), Ids{"map-v2"});
}

TEST_P(LineageStepContractTest, SideRowsFollowChanges) {
  store_->replace(schemas::datasets(), json::object{{"pid", "map"}, {"ownerGroup", "g1"}, {"type", "derived"},
                                                    {"inputDatasets", json::array{"raw"}},
                                                    {"usedSoftware", json::array{"cryosparc 4"}}});
  auto nodes = step(LineageStepQuery::Match::kPids, {"map"}, member1_);
  ASSERT_EQ(nodes.size(), 1u);
  EXPECT_EQ(nodes[0].used_software, Ids{"cryosparc 4"});
  EXPECT_EQ(nodes[0].input_datasets, Ids{"raw"});
  EXPECT_FALSE(nodes[0].is_published);
}

OPENEM_ON_EACH_BACKEND(LineageStepContractTest);

}  // namespace
}  // namespace openem
