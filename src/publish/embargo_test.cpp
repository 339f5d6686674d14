// The embargo release against a real catalog store: due datasets open with their dependants,
// a license and history, exactly once under concurrent sweeps; others stay closed.
#include "publish/embargo.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "blob/test_util.h"
#include "logbook/logbook_entries.h"

namespace openem {
namespace {
namespace json = boost::json;

class EmbargoTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_sqlite_store(dir_.path() / "catalog.db"); }
  void dataset(const std::string& pid, const std::string& date_of_publishing, bool published = false,
               json::object extra = {}) {
    json::object ds{{"pid", pid},
                    {"ownerGroup", "g1"},
                    {"accessGroups", json::array()},
                    {"isPublished", published},
                    {"history", json::array()},
                    {"datasetlifecycle", json::object{{"dateOfPublishing", date_of_publishing}}}};
    for (auto& [k, v] : extra) ds[k] = v;
    store_->insert(schemas::datasets(), ds);
    store_->insert(schemas::origdatablocks(),
                   {{"_id", pid + "-files"}, {"datasetId", pid}, {"ownerGroup", "g1"}, {"isPublished", published}});
  }
  json::object get(const CollectionSchema& s, const std::string& id) { return *store_->get(s, id); }

  testing::TempDir dir_;
  std::unique_ptr<CatalogStore> store_;
  const Millis now_ = *parse_iso("2026-06-01T12:00:00Z");
};

TEST_F(EmbargoTest, DueDatasetsOpenWithTheirFileListsALicenseAndHistory) {
  dataset("d/due", "2026-06-01T11:59:00Z");
  dataset("d/exact", "2026-06-01T12:00:00Z");
  dataset("d/later", "2026-06-01T12:01:00Z");
  dataset("d/licensed", "2020-01-01", false, {{"license", "CC0-1.0"}});
  dataset("d/open", "2020-01-01", true);
  EXPECT_EQ(release_due_embargoes(*store_, {}, now_), 3);
  json::object due = get(schemas::datasets(), "d/due");
  EXPECT_EQ(due["isPublished"], true);
  EXPECT_EQ(due["license"], "CC-BY-4.0");
  EXPECT_EQ(due["updatedBy"], "openem-embargo");
  EXPECT_EQ(due["datasetlifecycle"].at("publishedOn"), "2026-06-01T12:00:00.000Z");
  ASSERT_EQ(due["history"].as_array().size(), 2u);
  EXPECT_EQ(due["history"].as_array()[0].at("isPublished"), (json::object{{"previousValue", false}, {"currentValue", true}}));
  EXPECT_EQ(get(schemas::origdatablocks(), "d/due-files")["isPublished"], true);
  EXPECT_EQ(get(schemas::datasets(), "d/exact")["isPublished"], true);
  EXPECT_EQ(get(schemas::datasets(), "d/licensed")["license"], "CC0-1.0");  // a license given stays
  EXPECT_EQ(get(schemas::datasets(), "d/later")["isPublished"], false);
  EXPECT_EQ(get(schemas::origdatablocks(), "d/later-files")["isPublished"], false);
  EXPECT_EQ(release_due_embargoes(*store_, {}, now_), 0);  // nothing twice
  EXPECT_EQ(release_due_embargoes(*store_, {}, now_ + 60000), 1);  // a minute later
}

// A run with a budget stops between batches once it is spent (before serving, so that the
// server answers); the next run opens the rest.
TEST_F(EmbargoTest, ABudgetStopsBetweenBatchesAndTheNextRunOpensTheRest) {
  for (int i = 0; i < 5; ++i) dataset("b/" + std::to_string(i), "2026-06-01T11:00:00Z");
  EmbargoOptions o;
  o.batch = 2;
  o.budget = std::chrono::nanoseconds(1);  // spent by the first batch
  EXPECT_EQ(release_due_embargoes(*store_, o, now_), 2);
  EXPECT_EQ(get(schemas::datasets(), "b/0")["isPublished"], true);
  EXPECT_EQ(get(schemas::datasets(), "b/4")["isPublished"], false);
  EXPECT_EQ(release_due_embargoes(*store_, {}, now_), 3);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(get(schemas::datasets(), "b/" + std::to_string(i))["isPublished"], true);
}

TEST_F(EmbargoTest, ConcurrentSweepsOpenEachDatasetOnce) {
  for (int i = 0; i < 1200; ++i) dataset("c/" + std::to_string(i), "2026-01-01");
  std::atomic<int> opened{0};
  EmbargoOptions small;
  small.batch = 100;  // many batches, interleaved between the threads
  std::vector<std::thread> sweeps;
  for (int t = 0; t < 3; ++t) sweeps.emplace_back([&] { opened += release_due_embargoes(*store_, small, now_); });
  for (auto& t : sweeps) t.join();
  EXPECT_EQ(opened.load(), 1200);
  for (int i = 0; i < 1200; i += 97) {
    json::object ds = get(schemas::datasets(), "c/" + std::to_string(i));
    EXPECT_EQ(ds["isPublished"], true);
    EXPECT_EQ(ds["history"].as_array().size(), 2u) << i;  // isPublished and license, once each
  }
}

TEST(EmbargoChange, SoonerAlwaysLaterWithinThePolicy) {
  EXPECT_FALSE(check_embargo_change("2026-01-01", "2029-01-01", "2027-01-01", 3));
  EXPECT_FALSE(check_embargo_change("2026-01-01", "2029-01-01", "2029-01-01", 3));
  EXPECT_FALSE(check_embargo_change("2026-01-01", "2027-01-01", "2028-12-31", 3));  // later, within the policy
  auto refused = check_embargo_change("2026-01-01T00:00:00Z", "2029-01-01", "2031-01-01", 3);
  ASSERT_TRUE(refused);
  EXPECT_EQ(*refused, "datasetlifecycle.dateOfPublishing may be at most 2029-01-01T00:00:00.000Z (creation + 3 years, "
                      "the embargo the policy allows)");
  EXPECT_TRUE(check_embargo_change("2026-01-01", "2029-01-01", "not a date", 3));
  EXPECT_EQ(embargo_end(*parse_iso("2026-01-01T10:00:00Z"), 3), "2029-01-01T10:00:00.000Z");
  EXPECT_EQ(embargo_end(*parse_iso("2024-02-29T00:00:00Z"), 1), "2025-02-28T00:00:00.000Z");
}

// A dataset of a proposal that opens by itself says so in the proposal's logbook.
TEST_F(EmbargoTest, AnOpenedDatasetOfAProposalIsAnAutomaticLogbookEntry) {
  store_->insert(schemas::proposals(), json::object{{"proposalId", "P-1"}, {"ownerGroup", "g1"}, {"accessGroups", json::array()}});
  dataset("d/of-proposal", "2026-06-01T11:00:00Z", false, {{"proposalId", "P-1"}, {"datasetName", "Grid 3"}, {"type", "raw"}});
  dataset("d/alone", "2026-06-01T11:00:00Z");
  EXPECT_EQ(release_due_embargoes(*store_, {}, now_), 2);
  QueryPlan all;
  auto entries = store_->find(schemas::logbook_entries(), all);
  ASSERT_EQ(entries.size(), 1u);  // the dataset without a proposal writes nowhere
  EXPECT_EQ(entries[0]["proposalId"], "P-1");
  EXPECT_EQ(entries[0]["author"], "openem");
  EXPECT_EQ(entries[0]["tags"], (json::array{"automatic", "publication", "embargo"}));
  EXPECT_EQ(entries[0]["datasetIds"], (json::array{"d/of-proposal"}));
  EXPECT_EQ(entries[0]["text"], "**raw dataset** \"Grid 3\" `d/of-proposal` is public now: its embargo ended.");
}

// Entries written while the dataset was private were its groups' alone; once it opens, every
// group of the proposal reads them (they named nothing hidden from them any more).
TEST_F(EmbargoTest, AnOpenedDatasetsEarlierAutomaticEntriesWidenToTheProposalsGroups) {
  store_->insert(schemas::proposals(),
                 json::object{{"proposalId", "P-2"}, {"ownerGroup", "g1"}, {"accessGroups", json::array{"g2"}}});
  dataset("d/private", "2026-06-01T11:00:00Z", false, {{"proposalId", "P-2"}, {"datasetName", "Grid 4"}, {"type", "raw"}});
  const json::object ds = get(schemas::datasets(), "d/private");
  add_automatic_entries(*store_, std::span(&ds, 1), "registered", {"dataset"});
  QueryPlan all;
  auto before = store_->find(schemas::logbook_entries(), all);
  ASSERT_EQ(before.size(), 1u);
  EXPECT_EQ(before[0]["accessGroups"], json::array());  // g2 reads the proposal, not the dataset
  EXPECT_EQ(release_due_embargoes(*store_, {}, now_), 1);
  auto earlier = get(schemas::logbook_entries(), std::string(before[0]["id"].as_string()));
  EXPECT_EQ(earlier["ownerGroup"], "g1");
  EXPECT_EQ(earlier["accessGroups"], (json::array{"g2"}));
}

}  // namespace
}  // namespace openem
