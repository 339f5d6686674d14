// The planner's statistics after a bounded ANALYZE: an index whose sampled entries all share
// one value is corrected to the real rows per value, so the planner picks selective indexes
// (the embargo lookup's partial index) over it.
#include "store/sqlite/planner_statistics.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "store/catalog_store.h"
#include "testing/temp_dir.h"

namespace openem {
namespace {
namespace json = boost::json;

class PlannerStatisticsTest : public ::testing::Test {
 protected:
  // kRows datasets; the last kPublished published, the rest under embargo until dates in the
  // future but for kDue of them.
  void fill() {
    auto store = open_sqlite_store(dir_ / "catalog.db");
    store->transaction([&] {
      for (int i = 0; i < kRows; ++i) {
        const bool published = i >= kRows - kPublished;
        const std::string date = i < kDue ? "2020-01-01T00:00:00.000Z" : "2030-01-01T00:00:00.000Z";
        store->insert(schemas::datasets(),
                      json::object{{"pid", "p/" + std::to_string(i)},
                                   {"ownerGroup", "g" + std::to_string(i % 3)},
                                   {"type", i % 2 ? "raw" : "derived"},
                                   {"isPublished", published},
                                   {"creationTime", "2024-01-01T00:00:" + std::to_string(10 + i % 50) + ".000Z"},
                                   {"datasetlifecycle", json::object{{"dateOfPublishing", date}}}});
      }
    });
  }

  static std::string stat(SqliteDb& db, const std::string& index) {
    auto st = db.prepare("SELECT stat FROM sqlite_stat1 WHERE idx = ?1");
    st.bind_text(1, index);
    return st.step() ? std::string(st.text(0)) : "(none)";
  }
  static std::string plan(SqliteDb& db, const std::string& sql) {
    auto st = db.prepare("EXPLAIN QUERY PLAN " + sql);
    std::string out;
    while (st.step()) out += std::string(st.text(3)) + "\n";
    return out;
  }

  static constexpr int kRows = 12000;
  static constexpr int kPublished = 200;
  static constexpr int kDue = 50;
  testing::TempDir tmp_{"openem-planner-stats"};
  const std::filesystem::path dir_ = tmp_.path();
};

// The statistic's numbers: rows (an estimate under analysis_limit), rows per leading value, ...
std::vector<long long> numbers(const std::string& stat) {
  std::vector<long long> out;
  std::istringstream in(stat);
  long long x;
  while (in >> x) out.push_back(x);
  return out;
}

TEST_F(PlannerStatisticsTest, AFewValuedIndexGetsItsRealRowsPerValue) {
  fill();
  SqliteDb db(dir_ / "catalog.db");
  db.exec("PRAGMA analysis_limit = 2000; ANALYZE;");
  // The sample saw one value: the guess is a couple of thousand rows per value (the failure this
  // corrects; if SQLite ever samples better, this line says so).
  const auto guessed = numbers(stat(db, "datasets_is_published"));
  ASSERT_EQ(guessed.size(), 2u);
  ASSERT_NEAR(guessed[0], kRows, kRows / 20);
  ASSERT_LT(guessed[1], kRows / 4);

  correct_low_cardinality_statistics(db);
  // Two values: half the (estimated) rows each.
  EXPECT_EQ(numbers(stat(db, "datasets_is_published")), (std::vector<long long>{guessed[0], (guessed[0] + 1) / 2}));
  const auto type = numbers(stat(db, "datasets_type"));
  ASSERT_EQ(type.size(), 2u);
  EXPECT_EQ(type[1], (type[0] + 1) / 2);
  const std::string pk = stat(db, "sqlite_autoindex_datasets_1");
  if (pk != "(none)") {
    EXPECT_EQ(numbers(pk).at(1), 1);  // unique: left alone
  }

  db.exec("ANALYZE sqlite_schema");  // loads the corrected statistics
  EXPECT_NE(plan(db, "SELECT id FROM datasets WHERE is_published = 0 AND date_of_publishing <= '2026-01-01' "
                     "ORDER BY date_of_publishing LIMIT 500")
                .find("datasets_embargo"),
            std::string::npos);
}

TEST_F(PlannerStatisticsTest, RefreshingTwiceGivesTheSameStatistics) {
  fill();
  SqliteDb db(dir_ / "catalog.db");
  refresh_planner_statistics(db);
  const std::string first = stat(db, "datasets_is_published");
  refresh_planner_statistics(db);
  EXPECT_EQ(stat(db, "datasets_is_published"), first);
  const auto n = numbers(first);
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[1], (n[0] + 1) / 2);
}

// Anonymous visitors' pages in creation order (the portal's home page and its page 400): the walk
// goes through the published rows' own index, in order, with no sort and no row reads for the
// rows it skips — before that index, the planner walked every row or sorted every public row.
TEST_F(PlannerStatisticsTest, AnonymousPagesInCreationOrderWalkThePublishedRowsIndex) {
  fill();
  SqliteDb db(dir_ / "catalog.db");
  refresh_planner_statistics(db);
  db.exec("ANALYZE sqlite_schema");
  for (const char* offset : {"0", "175"}) {
    const std::string p = plan(db, std::string("SELECT t.id FROM datasets t WHERE t.is_published = 1 "
                                               "ORDER BY t.creation_time DESC, t.seq DESC LIMIT 25 OFFSET ") + offset);
    EXPECT_NE(p.find("datasets_creation_time_public_walk"), std::string::npos) << p;
    EXPECT_EQ(p.find("TEMP B-TREE"), std::string::npos) << p;
  }
}

}  // namespace
}  // namespace openem
