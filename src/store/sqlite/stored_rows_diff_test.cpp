// stored_rows::compare: which parts of a stored document a replacement changes. A part wrongly
// found unchanged would leave stale index rows (wrong answers); one wrongly found changed only
// costs writes, so each case asserts the exact set.
#include "store/sqlite/stored_rows_diff.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>

#include "store/catalog_store.h"
#include "testing/temp_dir.h"

namespace openem {
namespace {
namespace json = boost::json;

class StoredRowsDiffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(dir_ / "catalog.db");
    store_->insert(schemas::datasets(), stored_);
    db_ = std::make_unique<SqliteDb>(dir_ / "catalog.db");
    auto st = db_->prepare("SELECT seq FROM datasets WHERE id = 'p1'");
    EXPECT_TRUE(st.step());
    seq_ = st.int64(0);
  }
  void TearDown() override {
    db_.reset();
    store_.reset();
  }

  stored_rows::Changes changes(const json::object& doc) {
    return stored_rows::compare(*db_, document_rows(schemas::datasets(), doc), seq_);
  }
  static std::vector<std::string> names(const stored_rows::Changes& c) {
    std::vector<std::string> out;
    for (std::size_t i : c.columns) out.push_back(schemas::datasets().columns[i].column);
    return out;
  }

  json::object stored_{
      {"pid", "p1"},
      {"ownerGroup", "g1"},
      {"accessGroups", json::array{"g2", "g3"}},
      {"isPublished", false},
      {"updatedAt", "2026-01-01T00:00:00.000Z"},
      {"creationTime", "2025-06-01T00:00:00.000Z"},
      {"size", 1234},
      {"keywords", json::array{"apoferritin", "cryo", "cryo"}},
      {"datasetlifecycle", json::object{{"dateOfPublishing", "2028-06-01T00:00:00.000Z"}}},
      {"scientificMetadata",
       json::object{{"pixel_size", json::object{{"value", 1.06}, {"unit", "Å"}}},
                    {"voltage", json::object{{"value", 300}, {"unit", "kV"}}},
                    {"detector", "Falcon 4i"},
                    {"defocus", json::array{-0.8, -1.2, -1.6}}}}};
  testing::TempDir tmp_{"openem-stored-rows"};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<CatalogStore> store_;
  std::unique_ptr<SqliteDb> db_;
  std::int64_t seq_ = 0;
};

TEST_F(StoredRowsDiffTest, TheStoredDocumentChangesNothing) {
  auto c = changes(stored_);
  EXPECT_TRUE(c.columns.empty()) << ::testing::PrintToString(names(c));
  EXPECT_FALSE(c.access_set);
  EXPECT_FALSE(c.values);
  EXPECT_FALSE(c.leaves);
  EXPECT_EQ(stored_rows::update_sql(schemas::datasets(), c), "");
}

TEST_F(StoredRowsDiffTest, AnEmbargoEndingChangesItsColumnsOnly) {
  json::object doc = stored_;
  doc["isPublished"] = true;
  doc["updatedAt"] = "2028-06-01T00:00:01.000Z";
  doc["license"] = "CC-BY-4.0";
  auto c = changes(doc);
  EXPECT_EQ(names(c), (std::vector<std::string>{"is_published", "updated_at"}));
  EXPECT_TRUE(c.access_set);  // public readers join it: the "" member of "#access"
  EXPECT_TRUE(c.values);
  EXPECT_FALSE(c.leaves);
  EXPECT_EQ(stored_rows::update_sql(schemas::datasets(), c),
            "UPDATE datasets SET is_published = ?, updated_at = ?, access_set = ? WHERE seq = ?");
}

TEST_F(StoredRowsDiffTest, AnArchiveStatusChangesItsColumnsOnly) {
  json::object doc = stored_;
  doc["updatedAt"] = "2026-01-02T00:00:00.000Z";
  doc["datasetlifecycle"].as_object()["archiveStatusMessage"] = "datasetOnArchiveDisk";
  auto c = changes(doc);
  EXPECT_EQ(names(c), (std::vector<std::string>{"updated_at", "archive_status"}));
  EXPECT_FALSE(c.access_set);
  EXPECT_FALSE(c.values);
  EXPECT_FALSE(c.leaves);
}

TEST_F(StoredRowsDiffTest, ASameValueOfAnotherJsonTypeIsUnchanged) {
  json::object doc = stored_;
  doc["size"] = 1234.0;  // stored in an INTEGER column as 1234 either way
  EXPECT_TRUE(changes(doc).columns.empty());
}

TEST_F(StoredRowsDiffTest, KeywordsChangeTheValuesRows) {
  json::object doc = stored_;
  doc["keywords"] = json::array{"apoferritin", "cryo", "tomography"};
  auto c = changes(doc);
  EXPECT_TRUE(c.values);
  EXPECT_FALSE(c.leaves);
  EXPECT_TRUE(c.columns.empty());
  doc["keywords"] = json::array{"apoferritin"};  // one fewer
  EXPECT_TRUE(changes(doc).values);
  doc["keywords"] = json::array{"cryo", "apoferritin"};  // the same set, reordered and without the duplicate
  EXPECT_FALSE(changes(doc).values);
}

TEST_F(StoredRowsDiffTest, AccessGroupsChangeTheAccessSetAndValues) {
  json::object doc = stored_;
  doc["accessGroups"] = json::array{"g2"};
  auto c = changes(doc);
  EXPECT_TRUE(c.access_set);
  EXPECT_TRUE(c.values);
  EXPECT_EQ(stored_rows::update_sql(schemas::datasets(), c), "UPDATE datasets SET access_set = ? WHERE seq = ?");
}

TEST_F(StoredRowsDiffTest, EveryLeafChangeIsSeen) {
  auto leaves_changed = [&](const char* path, json::value v) {
    json::object doc = stored_;
    doc["scientificMetadata"].as_object()[path] = std::move(v);
    return changes(doc).leaves;
  };
  EXPECT_TRUE(leaves_changed("pixel_size", json::object{{"value", 1.07}, {"unit", "Å"}}));
  EXPECT_TRUE(leaves_changed("pixel_size", json::object{{"value", 1.06}, {"unit", "nm"}}));
  EXPECT_TRUE(leaves_changed("detector", "Falcon 4"));
  EXPECT_TRUE(leaves_changed("defocus", json::array{-0.8, -1.2}));
  EXPECT_TRUE(leaves_changed("defocus", json::array{-0.8, -1.6, -1.2}));
  EXPECT_TRUE(leaves_changed("extra", 5));
  EXPECT_FALSE(leaves_changed("voltage", json::object{{"value", 300}, {"unit", "kV"}}));
}

// Through the store: a replacement that skips unchanged parts still answers queries on the
// parts that changed, and on those that did not.
TEST_F(StoredRowsDiffTest, ReplaceKeepsEveryQueryRight) {
  json::object doc = stored_;
  doc["isPublished"] = true;
  ASSERT_TRUE(store_->replace(schemas::datasets(), doc));
  auto count = [&](const std::string& sql) {
    auto st = db_->prepare(sql);
    EXPECT_TRUE(st.step());
    return st.int64(0);
  };
  EXPECT_EQ(count("SELECT COUNT(*) FROM datasets WHERE is_published = 1"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM datasets_values WHERE field = 'keywords'"), 2);
  EXPECT_EQ(count("SELECT COUNT(*) FROM datasets_sci WHERE seq = " + std::to_string(seq_)), 6);
  doc["keywords"] = json::array{"tomography"};
  doc["scientificMetadata"].as_object().erase("defocus");
  ASSERT_TRUE(store_->replace(schemas::datasets(), doc));
  EXPECT_EQ(count("SELECT COUNT(*) FROM datasets_values WHERE field = 'keywords' AND value = 'tomography'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM datasets_values WHERE field = 'keywords'"), 1);
  EXPECT_EQ(count("SELECT COUNT(*) FROM datasets_sci WHERE seq = " + std::to_string(seq_)), 3);
}

}  // namespace
}  // namespace openem
