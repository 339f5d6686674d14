// A process that starts (and runs the schema work) while another process writes must not
// deadlock with it. The schema work's CREATE INDEX IF NOT EXISTS takes a SHARE lock on each
// table, even when the index exists; a write transaction that had written one table (jobs)
// and then wrote one the schema work had already locked (datasets) deadlocked with it
// ("deadlock detected", seen as a 500 of POST /Jobs in scaleout/multiprocess when the
// archiver restarted under load).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <future>
#include <thread>

#include "store/catalog_store.h"
#include "store/testing/store_backends.h"

namespace openem {
namespace {
namespace json = boost::json;

TEST(PgSchemaLockTest, StartingUpWhileAnotherProcessWritesDoesNotDeadlock) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto running = catalog.open();
  running->insert(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g"}, {"type", "raw"}});
  std::future<std::unique_ptr<CatalogStore>> starting;
  EXPECT_NO_THROW(running->transaction([&] {
    running->insert(schemas::jobs(), json::object{{"id", "j1"}, {"type", "archive"}, {"statusCode", "jobSubmitted"}});
    // Another process starts now; its schema work runs while this transaction is open.
    starting = std::async(std::launch::async, [&] { return catalog.open(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    running->replace(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g"}, {"type", "derived"}});
  }));
  std::unique_ptr<CatalogStore> started;
  EXPECT_NO_THROW(started = starting.get());
  ASSERT_TRUE(started);
  auto ds = started->get(schemas::datasets(), "p/1");
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->at("type"), "derived");
}

}  // namespace
}  // namespace openem
