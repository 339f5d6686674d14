// The facet counts' log between processes: a process that fell behind the pruned log rebuilds
// its counts from the tables instead of missing the pruned entries.
#include "store/postgres/pg_facet_counts.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "query/access.h"
#include "store/catalog_store.h"
#include "store/testing/store_backends.h"

namespace openem {
namespace {
namespace json = boost::json;

std::int64_t counted_total(CatalogStore& store) {
  auto counts = store.counted_facets(schemas::datasets(), AccessValues{true, {}}, {"type"}, 10);
  EXPECT_TRUE(counts);
  return counts ? counts->total : -1;
}

TEST(PgFacetCountsTest, AProcessBehindThePrunedLogRebuilds) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto a = catalog.open(), b = catalog.open();
  a->insert(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g"}, {"type", "raw"}});
  EXPECT_EQ(counted_total(*a), 1);
  b->insert(schemas::datasets(), json::object{{"pid", "p/2"}, {"ownerGroup", "g"}, {"type", "raw"}});
  b->insert(schemas::datasets(), json::object{{"pid", "p/3"}, {"ownerGroup", "g"}, {"type", "derived"}});
  PgConnection db(catalog.url());
  EXPECT_EQ(db.exec("SELECT COUNT(*) FROM openem_facet_log").int64(0, 0), 3);  // one entry per write
  // As the pruning does: entries gone, the floor past them.
  db.exec_script("DELETE FROM openem_facet_log; INSERT INTO openem_meta VALUES ('facet_log_floor', "
                 "(SELECT value FROM openem_meta WHERE key = 'generation'))");
  EXPECT_EQ(counted_total(*a), 3);
  auto counts = a->counted_facets(schemas::datasets(), AccessValues{true, {}}, {"type"}, 10);
  ASSERT_EQ(counts->buckets[0].size(), 2u);
  EXPECT_EQ(json::serialize(counts->buckets[0][0].key), "\"raw\"");
  EXPECT_EQ(counts->buckets[0][0].count, 2);
}

}  // namespace
}  // namespace openem
