// Harvesting from the SQLite store: a harvest's walk uses the partial index (no sort of the
// catalog per page). What every store answers is in store/public_records_contract_test.cpp.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>

#include "store/catalog_store.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_public_records.h"
#include "testing/temp_dir.h"

namespace openem {
namespace {
namespace json = boost::json;

class PublicRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(dir_ / "catalog.db");
  }
  void TearDown() override {
    store_.reset();
  }

  json::object dataset(const std::string& pid, bool published, const std::string& updated,
                       const std::string& group = "g1", json::array instruments = {}) {
    return json::object{{"pid", pid},           {"ownerGroup", group},     {"accessGroups", json::array{}},
                        {"isPublished", published}, {"updatedAt", updated}, {"instrumentIds", std::move(instruments)},
                        {"datasetName", "n " + pid}};
  }

  testing::TempDir tmp_{"openem-public-records"};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<CatalogStore> store_;
};

TEST_F(PublicRecordsTest, HarvestPagesWalkThePartialIndex) {
  store_->insert(schemas::datasets(), dataset("a", true, "2026-01-01T00:00:01.000Z"));
  SqliteDb db(dir_ / "catalog.db");
  PublicRecordRange r;
  r.before_datestamp = "2027-01-01T00:00:00.000Z";
  for (bool with_set : {false, true}) {
    if (with_set) r.set = PublicRecordSet{"instrumentIds", "krios"};
    std::vector<SqlParam> params;
    auto st = db.prepare("EXPLAIN QUERY PLAN " + sqlite_public_records::records_sql(schemas::datasets(), r, true, params));
    std::string plan;
    while (st.step()) plan += std::string(st.text(3)) + "\n";
    EXPECT_NE(plan.find("USING INDEX datasets_public"), std::string::npos) << plan;
    EXPECT_NE(plan.find("datasets_tombstones_order"), std::string::npos) << plan;
    // Only the merge of the two pages is sorted, never the catalog.
    EXPECT_EQ(plan.find("TEMP B-TREE FOR ORDER BY"), plan.rfind("TEMP B-TREE FOR ORDER BY")) << plan;
  }
}

}  // namespace
}  // namespace openem
