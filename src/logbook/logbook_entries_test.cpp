// Automatic logbook entries and who reads them (docs/logbook.md "Automatic entries"); the API's
// side is tests/api/scenarios/logbooks/automatic-access.test.
#include "logbook/logbook_entries.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace openem {
namespace {
namespace json = boost::json;

class AutomaticEntriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("openem-logbook-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = open_sqlite_store(dir_ / "catalog.db");
    store_->insert(schemas::proposals(), json::object{{"proposalId", "P1"}, {"title", "t"}, {"email", "pi@x.org"},
                                                      {"ownerGroup", "group1"}, {"accessGroups", json::array{"group2"}}});
    store_->insert(schemas::datasets(), json::object{{"pid", "d/1"}, {"ownerGroup", "group1"}, {"accessGroups", json::array()},
                                                     {"isPublished", false}, {"createdAt", "2026-01-01T00:00:00.000Z"}});
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // An entry as openem wrote them before stop 39: with the proposal's groups.
  json::object entry(const std::string& id, const std::string& author, json::array tags) {
    return json::object{{"id", id}, {"proposalId", "P1"}, {"ownerGroup", "group1"}, {"accessGroups", json::array{"group2"}},
                        {"isPublished", false}, {"author", author}, {"text", "**raw dataset** `d/1` registered by x."},
                        {"tags", std::move(tags)}, {"datasetIds", json::array{"d/1"}}, {"sampleIds", json::array()},
                        {"instrumentIds", json::array()}, {"attachmentIds", json::array()},
                        {"createdAt", "2026-01-02T00:00:00.000Z"}, {"updatedAt", "2026-01-02T00:00:00.000Z"}};
  }
  json::object get(const std::string& id) { return *store_->get(schemas::logbook_entries(), id); }

  std::filesystem::path dir_;
  std::unique_ptr<CatalogStore> store_;
};

TEST_F(AutomaticEntriesTest, EntriesWrittenBeforeGetTheGroupsOfTheirDatasetsOnce) {
  store_->insert(schemas::logbook_entries(), entry("auto", "openem", {"automatic", "dataset"}));
  store_->insert(schemas::logbook_entries(), entry("human", "user1", {"screening"}));
  refresh_automatic_entry_groups_once(*store_);
  EXPECT_EQ(get("auto")["ownerGroup"], "group1");
  EXPECT_EQ(get("auto")["accessGroups"], json::array());  // group2 does not read d/1
  EXPECT_EQ(get("human")["accessGroups"], json::array{"group2"});  // people's entries keep the proposal's groups

  json::object again = get("auto");  // a later start does not run the pass again
  again["accessGroups"] = json::array{"group2"};
  store_->replace(schemas::logbook_entries(), again);
  refresh_automatic_entry_groups_once(*store_);
  EXPECT_EQ(get("auto")["accessGroups"], json::array{"group2"});
}

TEST_F(AutomaticEntriesTest, AnEditKeepsAnAutomaticEntryAutomatic) {
  json::object e = entry("auto", "openem", {"automatic", "dataset"});
  change_logbook_entry(e, json::object{{"tags", json::array{"checked"}}});
  EXPECT_EQ(e["tags"], (json::array{"automatic", "checked"}));
  json::object human = entry("human", "user1", {"screening"});
  change_logbook_entry(human, json::object{{"tags", json::array{"checked"}}});
  EXPECT_EQ(human["tags"], json::array{"checked"});
}

TEST_F(AutomaticEntriesTest, ADatasetMadeAgainUnderItsPidDoesNotWidenAnOldEntry) {
  store_->insert(schemas::logbook_entries(), entry("auto", "openem", {"automatic", "dataset"}));
  refresh_automatic_entry_groups_once(*store_);
  ASSERT_EQ(get("auto")["accessGroups"], json::array());
  // d/1 deleted, and another dataset made under its pid, readable by group2.
  store_->remove(schemas::datasets(), "d/1");
  json::object again{{"pid", "d/1"}, {"ownerGroup", "group1"}, {"accessGroups", json::array{"group2"}},
                     {"isPublished", false}, {"createdAt", "2026-02-01T00:00:00.000Z"}};
  store_->insert(schemas::datasets(), again);
  follow_dataset_access(*store_, again);
  EXPECT_EQ(get("auto")["accessGroups"], json::array());
}

}  // namespace
}  // namespace openem
