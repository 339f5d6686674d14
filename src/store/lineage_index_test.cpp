// LineageIndex (store/lineage_index.h) on every store: built from the catalog on first use,
// and before every later use caught up with what the history says changed — in this process
// or in another one on the same catalog.
#include "store/lineage_index.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "model/access_set.h"
#include "store/postgres/pg_connection.h"
#include "store/testing/store_test_fixture.h"

namespace openem {
namespace {
namespace json = boost::json;
using Ids = std::vector<std::string>;

class LineageIndexTest : public testing::StoreOnEachBackend {
 protected:
  void SetUp() override {
    StoreOnEachBackend::SetUp();
    add(*store_, {{"pid", "raw"}, {"ownerGroup", "g1"}, {"type", "raw"}, {"datasetName", "Session 1"},
                  {"creationTime", "2024-03-01T10:00:00.000Z"}});
    add(*store_, {{"pid", "map"}, {"ownerGroup", "g1"}, {"accessGroups", json::array{"g3"}}, {"type", "derived"},
                  {"datasetName", "Map"}, {"inputDatasets", json::array{"raw", "gone"}},
                  {"usedSoftware", json::array{"relion 5", "motioncor2"}}, {"isPublished", true}});
    add(*store_, {{"pid", "map-v2"}, {"ownerGroup", "g2"}, {"type", "derived"}, {"inputDatasets", json::array{"raw"}},
                  {"previousVersion", "map"}, {"versionSeries", "map"}, {"versionNumber", 2}});
  }
  static void add(CatalogStore& store, json::object doc) { store.insert(schemas::datasets(), doc); }

  // The pids of entries, sorted.
  static Ids pids(const LineageIndex::View& view, const std::vector<std::uint32_t>& ids) {
    Ids out;
    for (auto id : ids) out.push_back(*view.entry(id).pid);
    std::sort(out.begin(), out.end());
    return out;
  }
  static Ids derived(LineageIndex& index, const std::string& pid) {
    auto view = index.current();
    auto id = view.find(pid);
    return id ? pids(view, view.entry(*id).derived) : Ids{"(no entry)"};
  }
  static Ids inputs(LineageIndex& index, const std::string& pid) {
    auto view = index.current();
    auto id = view.find(pid);
    return id ? pids(view, view.entry(*id).inputs) : Ids{"(no entry)"};
  }
  static bool exists(LineageIndex& index, const std::string& pid) {
    auto view = index.current();
    auto id = view.find(pid);
    return id && view.entry(*id).exists;
  }
};

TEST_P(LineageIndexTest, HoldsEveryDatasetsLinksAccessAndShownFields) {
  LineageIndex index(*store_);
  auto view = index.current();
  auto map = view.find("map");
  ASSERT_TRUE(map);
  LineageNode node = view.node(*map);
  EXPECT_EQ(node.dataset_name, "Map");
  EXPECT_EQ(node.type, "derived");
  EXPECT_TRUE(node.is_published);
  EXPECT_FALSE(node.creation_time);
  EXPECT_EQ(node.used_software, (Ids{"motioncor2", "relion 5"}));
  EXPECT_EQ(view.access_set(view.entry(*map).access_set),
            access_set_key({access_member_group("g1"), access_member_group("g3"), access_member_group("")}));
  EXPECT_EQ(pids(view, view.entry(*map).inputs), (Ids{"gone", "raw"}));
  EXPECT_EQ(pids(view, view.entry(*map).derived), Ids{"map-v2"});  // its next version
  auto raw = view.find("raw");
  ASSERT_TRUE(raw);
  EXPECT_EQ(view.node(*raw).creation_time, "2024-03-01T10:00:00.000Z");
  EXPECT_EQ(pids(view, view.entry(*raw).derived), (Ids{"map", "map-v2"}));
  auto v2 = view.find("map-v2");
  ASSERT_TRUE(v2);
  EXPECT_EQ(view.node(*v2).version_number, 2);
  EXPECT_EQ(*view.entry(view.entry(*v2).previous).pid, "map");
  // A pid named but not stored is an entry that does not exist (a walk shows it hidden).
  auto gone = view.find("gone");
  ASSERT_TRUE(gone);
  EXPECT_FALSE(view.entry(*gone).exists);
  EXPECT_FALSE(view.find("never-named"));
}

TEST_P(LineageIndexTest, ChangesAfterItWasBuiltAreTakenInBeforeTheNextUse) {
  LineageIndex index(*store_);
  EXPECT_EQ(derived(index, "raw"), (Ids{"map", "map-v2"}));
  EXPECT_EQ(index.rebuilds(), 1);
  // map no longer derives from raw; a new dataset does; map-v2 is deleted; "gone" appears.
  store_->replace(schemas::datasets(), json::object{{"pid", "map"}, {"ownerGroup", "g1"}, {"type", "derived"},
                                                    {"inputDatasets", json::array{"gone"}}});
  add(*store_, {{"pid", "particles"}, {"ownerGroup", "g1"}, {"inputDatasets", json::array{"raw"}}});
  store_->remove(schemas::datasets(), "map-v2");
  add(*store_, {{"pid", "gone"}, {"ownerGroup", "g2"}, {"datasetName", "Back"}});
  EXPECT_EQ(derived(index, "raw"), Ids{"particles"});
  EXPECT_EQ(inputs(index, "map"), Ids{"gone"});
  EXPECT_EQ(derived(index, "map"), Ids{});  // map-v2 named it, and is gone
  EXPECT_FALSE(exists(index, "map-v2"));
  EXPECT_TRUE(exists(index, "gone"));
  EXPECT_EQ(derived(index, "gone"), Ids{"map"});
  {
    auto view = index.current();
    EXPECT_FALSE(view.node(*view.find("map")).is_published);
    EXPECT_EQ(view.node(*view.find("gone")).dataset_name, "Back");
  }
  EXPECT_EQ(index.rebuilds(), 1);  // re-read what changed, not everything
  EXPECT_EQ(index.rereads(), 4);
  // Nothing changed: nothing is read again.
  index.current();
  EXPECT_EQ(index.rereads(), 4);
}

TEST_P(LineageIndexTest, AnotherProcesssWritesAreSeenAtOnce) {
  LineageIndex index(*store_);
  EXPECT_EQ(derived(index, "raw"), (Ids{"map", "map-v2"}));
  std::unique_ptr<CatalogStore> other = catalog_->open();  // another process on the same catalog
  add(*other, {{"pid", "elsewhere"}, {"ownerGroup", "g1"}, {"inputDatasets", json::array{"raw"}}});
  other->replace(schemas::datasets(), json::object{{"pid", "map"}, {"ownerGroup", "g2"}, {"inputDatasets", json::array{"raw"}}});
  EXPECT_EQ(derived(index, "raw"), (Ids{"elsewhere", "map", "map-v2"}));
  auto view = index.current();
  EXPECT_EQ(view.access_set(view.entry(*view.find("map")).access_set), access_set_key({access_member_group("g2")}));
}

TEST_P(LineageIndexTest, FarBehindItReadsEverythingAgain) {
  LineageIndex index(*store_, /*rebuild_after=*/3);
  EXPECT_EQ(derived(index, "raw"), (Ids{"map", "map-v2"}));
  for (int i = 0; i < 5; ++i)
    add(*store_, {{"pid", "d" + std::to_string(i)}, {"ownerGroup", "g1"}, {"inputDatasets", json::array{"raw"}}});
  EXPECT_EQ(derived(index, "raw"), (Ids{"d0", "d1", "d2", "d3", "d4", "map", "map-v2"}));
  EXPECT_EQ(index.rebuilds(), 2);
  EXPECT_EQ(index.rereads(), 0);
}

TEST_P(LineageIndexTest, ManyDatasetsAreReadInPages) {
  for (int i = 0; i < 6000; i += 1000) {
    store_->transaction([&] {
      for (int j = i; j < i + 1000; ++j)
        add(*store_, {{"pid", "p" + std::to_string(j)}, {"ownerGroup", "g1"},
                      {"inputDatasets", json::array{j ? "p" + std::to_string(j - 1) : "raw"}}});
    });
  }
  LineageIndex index(*store_);
  auto view = index.current();
  auto last = view.find("p5999");
  ASSERT_TRUE(last);
  EXPECT_EQ(pids(view, view.entry(*last).inputs), Ids{"p5998"});
  EXPECT_EQ(pids(view, view.entry(*view.find("p0")).derived), Ids{"p1"});
}

// Walks on several threads while another process writes: each walk sees a whole index (no
// half-applied change), and after the writes the index holds every one of them.
TEST_P(LineageIndexTest, WalksOnSeveralThreadsBesideWritesSeeEveryWrite) {
  LineageIndex index(*store_);
  index.current();
  std::unique_ptr<CatalogStore> writer = catalog_->open();
  std::atomic<bool> done{false};
  std::atomic<int> walks{0}, broken{0};
  auto walk = [&] {
    while (!done) {
      auto view = index.current();
      auto raw = view.find("raw");
      if (!raw) {
        ++broken;
        continue;
      }
      for (std::uint32_t d : view.entry(*raw).derived) {  // every dataset naming raw names it back
        const auto& inputs = view.entry(d).inputs;
        if (std::find(inputs.begin(), inputs.end(), *raw) == inputs.end() && view.entry(d).previous != *raw) ++broken;
      }
      ++walks;
    }
  };
  std::thread a(walk), b(walk);
  for (int i = 0; i < 60; ++i) {
    add(*writer, {{"pid", "t" + std::to_string(i)}, {"ownerGroup", "g1"}, {"inputDatasets", json::array{"raw"}}});
    if (i % 3 == 0) writer->remove(schemas::datasets(), "t" + std::to_string(i / 2));
  }
  done = true;
  a.join();
  b.join();
  EXPECT_GT(walks.load(), 0);
  EXPECT_EQ(broken.load(), 0);
  Ids expected{"map", "map-v2"};
  std::set<int> removed;
  for (int i = 0; i < 60; i += 3) removed.insert(i / 2);
  for (int i = 0; i < 60; ++i)
    if (!removed.count(i)) expected.push_back("t" + std::to_string(i));
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(derived(index, "raw"), expected);
}

OPENEM_ON_EACH_BACKEND(LineageIndexTest);

// A store error while catching up fails that walk and changes nothing in memory; the next walk
// takes in everything since. (PostgreSQL: another connection can take a table away there.)
TEST(LineageIndexStoreErrorTest, AFailedCatchUpIsTriedAgainByTheNextWalk) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto store = catalog.open();
  auto add = [&](json::object doc) { store->insert(schemas::datasets(), doc); };
  add({{"pid", "raw"}, {"ownerGroup", "g1"}});
  add({{"pid", "map"}, {"ownerGroup", "g1"}, {"inputDatasets", json::array{"raw"}}});
  LineageIndex index(*store);
  auto derived_of_raw = [&] {
    auto view = index.current();
    Ids out;
    for (auto id : view.entry(*view.find("raw")).derived) out.push_back(*view.entry(id).pid);
    std::sort(out.begin(), out.end());
    return out;
  };
  EXPECT_EQ(derived_of_raw(), Ids{"map"});
  add({{"pid", "particles"}, {"ownerGroup", "g1"}, {"inputDatasets", json::array{"raw"}}});
  PgConnection other(catalog.url());
  other.exec_script("ALTER TABLE datasets_values RENAME TO datasets_values_away");
  EXPECT_ANY_THROW(index.current());
  other.exec_script("ALTER TABLE datasets_values_away RENAME TO datasets_values");
  EXPECT_EQ(derived_of_raw(), (Ids{"map", "particles"}));
  EXPECT_EQ(index.rebuilds(), 1);
}

}  // namespace
}  // namespace openem
