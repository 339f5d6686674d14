// The reader pool: connections are reused, and after expire() none opened before comes
// back, because a connection keeps the planner statistics it opened with.
#include "store/sqlite/sqlite_pool.h"
#include "testing/temp_dir.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace openem {
namespace {

class SqlitePoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = dir_ / "pool.db";
    // Two indexes the planner chooses between by their statistics alone.
    SqliteDb db(file_);
    db.exec("CREATE TABLE t(a INTEGER, b INTEGER); CREATE INDEX ta ON t(a); CREATE INDEX tb ON t(b);");
    db.exec("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 999) "
            "INSERT INTO t SELECT i % 2, i FROM n; ANALYZE;");
    set_statistics(db, "1000 1", "1000 500");  // a looks selective
  }

  static void set_statistics(SqliteDb& db, const std::string& a, const std::string& b) {
    db.exec("DELETE FROM sqlite_stat1; INSERT INTO sqlite_stat1 VALUES ('t', 'ta', '" + a +
            "'), ('t', 'tb', '" + b + "');");
  }
  static std::string index_used(SqliteDb& db) {
    auto st = db.prepare("EXPLAIN QUERY PLAN SELECT * FROM t WHERE a = 1 AND b = 1");
    std::string detail = st.step() ? std::string(st.text(3)) : "";
    if (detail.find("INDEX ta") != std::string::npos) return "ta";
    if (detail.find("INDEX tb") != std::string::npos) return "tb";
    return detail;
  }

  testing::TempDir tmp_{"openem-sqlite-pool"};
  const std::filesystem::path dir_ = tmp_.path();
  std::filesystem::path file_;
};

TEST_F(SqlitePoolTest, AReleasedConnectionIsReused) {
  SqlitePool pool(file_);
  auto lease = pool.acquire();
  SqliteDb* first = lease.db.get();
  pool.release(std::move(lease));
  EXPECT_EQ(pool.idle(), 1u);
  auto again = pool.acquire();
  EXPECT_EQ(again.db.get(), first);
  EXPECT_EQ(pool.idle(), 0u);
  pool.release(std::move(again));
}

TEST_F(SqlitePoolTest, AtMostSixteenIdleConnectionsAreKept) {
  SqlitePool pool(file_);
  std::vector<SqlitePool::Lease> leases;
  for (int i = 0; i < 20; ++i) leases.push_back(pool.acquire());
  for (auto& l : leases) pool.release(std::move(l));
  EXPECT_EQ(pool.idle(), SqlitePool::kMaxIdle);
}

// The failure expire() prevents: a connection opened before the statistics changed plans with
// the old ones; after expire() every reader plans with the new ones.
TEST_F(SqlitePoolTest, ReadersOpenedBeforeARefreshAreRetiredAndTheNextOnesSeeTheNewStatistics) {
  SqlitePool pool(file_);
  auto idle = pool.acquire();
  auto busy = pool.acquire();
  ASSERT_EQ(index_used(*idle.db), "ta");
  pool.release(std::move(idle));

  SqliteDb writer(file_);
  set_statistics(writer, "1000 500", "1000 1");  // now b looks selective
  auto stale = pool.acquire();                    // the idle one, opened before
  EXPECT_EQ(index_used(*stale.db), "ta") << "a connection keeps the statistics it opened with";
  pool.release(std::move(stale));

  pool.expire();
  EXPECT_EQ(pool.idle(), 0u);
  pool.release(std::move(busy));  // in use during expire(): closed when it comes back
  EXPECT_EQ(pool.idle(), 0u);

  auto fresh = pool.acquire();
  EXPECT_EQ(index_used(*fresh.db), "tb");
  pool.release(std::move(fresh));
  EXPECT_EQ(pool.idle(), 1u);  // opened after expire(): kept
}

}  // namespace
}  // namespace openem
