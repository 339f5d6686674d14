// The PostgreSQL store's write lock (postgres_catalog_store.cpp, LockAt): a transaction holds
// it from its start; an insert on its own writes its rows first and takes it only to commit,
// so inserts of several processes and threads run side by side. What that must not break:
// the id stays unique (a 409, never a deadlock's 500), and a process starting up (the schema
// work of a new version holds the lock and locks each table) never fails beside inserts.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "core/error.h"
#include "store/store_errors.h"
#include "store/catalog_store.h"
#include "store/postgres/pg_connection.h"
#include "store/testing/store_backends.h"

namespace openem {
namespace {
namespace json = boost::json;
using namespace std::chrono_literals;

json::object dataset(const std::string& pid) { return json::object{{"pid", pid}, {"ownerGroup", "g"}, {"type", "raw"}}; }

// True once a session waits for the advisory (write) lock while it holds a row lock on
// `table`: it inserted before it asked for the lock.
bool waits_for_the_lock_after_inserting(PgConnection& observer, const std::string& table) {
  return observer
             .exec("SELECT COUNT(*) FROM pg_locks w JOIN pg_locks r ON r.pid = w.pid AND r.granted AND "
                   "r.mode = 'RowExclusiveLock' AND r.relation = ?::regclass WHERE w.locktype = 'advisory' AND NOT w.granted",
                   {table})
             .int64(0, 0) > 0;
}

template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
  for (auto end = std::chrono::steady_clock::now() + limit; std::chrono::steady_clock::now() < end;
       std::this_thread::sleep_for(10ms))
    if (pred()) return true;
  return false;
}

TEST(PgWriteLockTest, AnInsertOnItsOwnWritesItsRowsBeforeItWaitsForTheLock) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto store = catalog.open();
  PgConnection observer(catalog.url());
  std::future<void> inserting;
  bool overlapped = false;
  store->transaction([&] {  // holds the write lock from its start
    store->insert(schemas::datasets(), dataset("p/1"));
    inserting = std::async(std::launch::async, [&] { store->insert(schemas::datasets(), dataset("p/2")); });
    overlapped = eventually([&] { return waits_for_the_lock_after_inserting(observer, "datasets"); });
  });
  inserting.get();
  EXPECT_TRUE(overlapped) << "the insert waited for the lock before it wrote its rows";
  EXPECT_TRUE(store->get(schemas::datasets(), "p/1"));
  EXPECT_TRUE(store->get(schemas::datasets(), "p/2"));
}

TEST(PgWriteLockTest, TheSameIdInsertedBesideALockHolderIsAConflictNotADeadlock) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto store = catalog.open();
  PgConnection observer(catalog.url());
  std::future<void> inserting;
  bool holder_conflict = false;
  EXPECT_NO_THROW(store->transaction([&] {
    inserting = std::async(std::launch::async, [&] { store->insert(schemas::datasets(), dataset("p/1")); });
    ASSERT_TRUE(eventually([&] { return waits_for_the_lock_after_inserting(observer, "datasets"); }));
    // This waits for the other insert's row, which waits for this transaction's lock: the
    // deadlock PostgreSQL breaks by aborting one side — usually the insert that waited first,
    // but the lock holder when that one's check ran before the cycle closed (CI saw it).
    try {
      store->insert(schemas::datasets(), dataset("p/1"));
    } catch (const StoreError& e) {
      EXPECT_EQ(e.kind(), StoreError::Kind::kDuplicateId);
      holder_conflict = true;
    }
  }));
  // Exactly one of the two inserts of p/1 succeeds; the other is a 409, never a deadlock error.
  try {
    inserting.get();
    EXPECT_TRUE(holder_conflict) << "both inserts of p/1 succeeded";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kDuplicateId);
    EXPECT_FALSE(holder_conflict) << "both inserts of p/1 failed";
  }
  EXPECT_TRUE(store->get(schemas::datasets(), "p/1"));
}

// The other order of the same race, made certain: the insert on its own has waited longer than
// PostgreSQL's deadlock_timeout (1 s) when the lock holder inserts the same id, so its one
// deadlock check found no cycle and the holder's check breaks it: the holder gets the 409.
TEST(PgWriteLockTest, ALockHolderThatComesLateToTheSameIdGetsTheConflict) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto store = catalog.open();
  PgConnection observer(catalog.url());
  std::future<void> inserting;
  bool holder_found_it_taken = false;
  EXPECT_NO_THROW(store->transaction([&] {
    inserting = std::async(std::launch::async, [&] { store->insert(schemas::datasets(), dataset("p/1")); });
    ASSERT_TRUE(eventually([&] { return waits_for_the_lock_after_inserting(observer, "datasets"); }));
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    try {
      store->insert(schemas::datasets(), dataset("p/1"));
    } catch (const StoreError& e) {
      holder_found_it_taken = e.kind() == StoreError::Kind::kDuplicateId;
    }
    store->insert(schemas::datasets(), dataset("p/2"));  // the holder's transaction goes on
  }));
  EXPECT_TRUE(holder_found_it_taken);
  EXPECT_NO_THROW(inserting.get());
  EXPECT_TRUE(store->get(schemas::datasets(), "p/1"));
  EXPECT_TRUE(store->get(schemas::datasets(), "p/2"));
}

TEST(PgWriteLockTest, AProcessStartsUpBesideInsertsOfAnother) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto running = catalog.open();
  std::atomic<bool> stop{false};
  std::atomic<int> inserted{0};
  auto load = std::async(std::launch::async, [&] {
    for (int i = 0; !stop; ++i) {
      running->insert(schemas::datasets(), dataset("p/" + std::to_string(i)));
      ++inserted;
    }
  });
  PgConnection admin(catalog.url());
  for (int start = 0; start < 5; ++start) {
    // As a new openem version: it runs the DDL, which locks each table (an unchanged one
    // runs none).
    admin.exec_script("DELETE FROM openem_meta WHERE key = 'schema_fingerprint'");
    std::unique_ptr<CatalogStore> started;
    EXPECT_NO_THROW(started = catalog.open()) << "start " << start;
  }
  stop = true;
  EXPECT_NO_THROW(load.get());
  EXPECT_GT(inserted.load(), 0);
}

}  // namespace
}  // namespace openem
