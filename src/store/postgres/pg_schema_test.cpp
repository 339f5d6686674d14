// Schema upgrades of the PostgreSQL catalog: a catalog written by an older openem opens with
// this one and answers as a new one would.
#include "store/postgres/pg_schema.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <thread>

#include "core/error.h"
#include "store/store_errors.h"
#include "query/access.h"
#include "store/catalog_store.h"
#include "store/testing/store_backends.h"

namespace openem {
namespace {
namespace json = boost::json;

// Format 1 kept no access column (the read rule looked the side table up) and sorted with
// NULLS LAST indexes: the upgrade fills the column from the side table, so every reader who
// could read a document before still can, and nobody else.
TEST(PgSchemaTest, AFormat1CatalogIsUpgradedAndItsReadRulesStillHold) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  {
    auto store = catalog.open();
    store->insert(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g1"}, {"accessGroups", json::array{"g2"}},
                                                    {"sharedWith", json::array{"s@x.org"}}, {"isPublished", false}});
    store->insert(schemas::datasets(), json::object{{"pid", "p/2"}, {"ownerGroup", "g3"}, {"isPublished", true}});
  }
  {
    PgConnection db(catalog.url());
    db.exec_script(
        "DO $$ DECLARE r record; BEGIN FOR r IN SELECT table_name FROM information_schema.columns WHERE "
        "column_name = 'access' AND table_schema = 'public' LOOP EXECUTE format('ALTER TABLE %I DROP COLUMN access', "
        "r.table_name); END LOOP; END $$;"
        // (dropping the column dropped the sort indexes that carry it)
        "CREATE INDEX datasets_creation_time ON datasets (creation_time, seq);"
        "ALTER TABLE datasets_sci DROP CONSTRAINT datasets_sci_pkey, ADD PRIMARY KEY (seq, ord);"
        "UPDATE openem_meta SET value = 1 WHERE key = 'format'");
  }
  auto store = catalog.open();
  PgConnection db(catalog.url());
  EXPECT_EQ(db.exec("SELECT value FROM openem_meta WHERE key = 'format'").int64(0, 0), pg_schema::kFormat);
  EXPECT_EQ(db.exec("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'datasets_creation_time'").int64(0, 0), 0);
  EXPECT_EQ(db.exec("SELECT access::text FROM datasets WHERE id = 'p/1'").text(0, 0), "{g:g1,g:g2,s:s@x.org}");
  EXPECT_EQ(db.exec("SELECT pg_get_indexdef('datasets_sci_pkey'::regclass)").text(0, 0),
            "CREATE UNIQUE INDEX datasets_sci_pkey ON public.datasets_sci USING btree (seq, path, ord) INCLUDE (unit_si, num_si)");
  auto readable_ids = [&](const Principal& who) {
    QueryPlan plan;
    plan.conditions = {read_access_condition(schemas::datasets(), who, ReadScope{false, true}, false)};
    return store->find_ids(schemas::datasets(), plan);
  };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(readable_ids({"1", "a", "a@x.org", {"g2"}}), (Ids{"p/1", "p/2"}));
  EXPECT_EQ(readable_ids({"2", "s", "s@x.org", {}}), (Ids{"p/1", "p/2"}));
  EXPECT_EQ(readable_ids({"3", "o", "o@x.org", {"g9"}}), (Ids{"p/2"}));
}

// Format 3 added the change history: a format-2 catalog gains the table when opened, keeps its
// documents, and records their changes from then on.
TEST(PgSchemaTest, AFormat2CatalogGainsTheChangeHistory) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  {
    auto store = catalog.open();
    store->insert(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g1"}, {"datasetName", "a"}});
  }
  {
    PgConnection db(catalog.url());
    db.exec_script("DROP TABLE history; UPDATE openem_meta SET value = 2 WHERE key = 'format';"
                   "DELETE FROM openem_meta WHERE key = 'schema_fingerprint';");  // as an older openem left it
  }
  auto store = catalog.open();
  PgConnection db(catalog.url());
  EXPECT_EQ(db.exec("SELECT value FROM openem_meta WHERE key = 'format'").int64(0, 0), pg_schema::kFormat);
  EXPECT_EQ(db.exec("SELECT pg_get_indexdef('history_document'::regclass)").text(0, 0),
            "CREATE INDEX history_document ON public.history USING btree (subsystem, document_id, seq)");
  store->replace(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g1"}, {"datasetName", "b"}});
  HistoryQuery q;
  q.schema = &schemas::datasets();
  auto records = store->history(q);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].operation, "update");
  EXPECT_EQ(json::parse(records[0].before), json::parse(R"({"datasetName":"a"})"));
}

// Format 4 gave datasets' usedSoftware side rows: a format-3 catalog gains them from its
// documents when opened.
TEST(PgSchemaTest, AFormat3CatalogGainsSideRowsOfUsedSoftware) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  {
    auto store = catalog.open();
    store->insert(schemas::datasets(), json::object{{"pid", "s/1"}, {"ownerGroup", "g1"},
                                                    {"usedSoftware", json::array{"relion 5", "ctffind4"}}});
    store->insert(schemas::datasets(), json::object{{"pid", "s/2"}, {"ownerGroup", "g1"}});
    // A first version made before format 4 had no series; its second version names it.
    store->insert(schemas::datasets(), json::object{{"pid", "v/1"}, {"ownerGroup", "g1"}});
    store->insert(schemas::datasets(), json::object{{"pid", "v/2"}, {"ownerGroup", "g1"}, {"previousVersion", "v/1"},
                                                    {"versionSeries", "v/1"}, {"versionNumber", 2}});
  }
  {
    PgConnection db(catalog.url());
    db.exec_script("DELETE FROM datasets_values WHERE field = 'usedSoftware'; UPDATE openem_meta SET value = 3 "
                   "WHERE key = 'format'; DELETE FROM openem_meta WHERE key = 'schema_fingerprint';");
  }
  auto store = catalog.open();
  PgConnection db(catalog.url());
  EXPECT_EQ(db.exec("SELECT value FROM openem_meta WHERE key = 'format'").int64(0, 0), 4);
  auto rows = db.exec("SELECT string_agg(value, ',' ORDER BY value) FROM datasets_values WHERE field = 'usedSoftware'");
  EXPECT_EQ(rows.text(0, 0), "ctffind4,relion 5");
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::datasets(), "usedSoftware", std::string("ctffind4")));
  EXPECT_EQ(store->find_ids(schemas::datasets(), plan), std::vector<std::string>{"s/1"});
  QueryPlan series;
  series.conditions.push_back(field_is(schemas::datasets(), "versionSeries", std::string("v/1")));
  EXPECT_EQ(store->find_ids(schemas::datasets(), series), (std::vector<std::string>{"v/1", "v/2"}));
  const json::object first = *store->get(schemas::datasets(), "v/1");
  EXPECT_EQ(first.at("versionNumber"), 1);
  EXPECT_EQ(first.at("versionSeries"), "v/1");
  EXPECT_FALSE(store->get(schemas::datasets(), "s/2")->contains("versionSeries"));
  // The one-time steps are not part of the schema's fingerprint: the next start finds the
  // catalog as this openem leaves it and runs no DDL.
  auto again = catalog.open();
  const auto fingerprint = db.exec("SELECT value FROM openem_meta WHERE key = 'schema_fingerprint'").int64(0, 0);
  auto fresh = testing::ScratchCatalog(testing::Backend::Postgres);
  auto fresh_store = fresh.open();
  EXPECT_EQ(PgConnection(fresh.url()).exec("SELECT value FROM openem_meta WHERE key = 'schema_fingerprint'").int64(0, 0),
            fingerprint);
}

// Format 2 as first released sorted through indexes without the access set: they give way to
// ones that carry it, so a reader's page walks the index alone.
TEST(PgSchemaTest, SortIndexesOfAFormat2CatalogGetTheAccessSet) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  catalog.open()->insert(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g1"}});
  {
    PgConnection db(catalog.url());
    db.exec_script(
        "DROP INDEX datasets_creation_time_sorted;"
        "CREATE INDEX datasets_creation_time_order ON datasets (creation_time NULLS FIRST, seq);"
        "DELETE FROM openem_meta WHERE key = 'schema_fingerprint';");  // written by an older openem
  }
  auto store = catalog.open();
  PgConnection db(catalog.url());
  EXPECT_EQ(db.exec("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'datasets_creation_time_order'").int64(0, 0), 0);
  EXPECT_EQ(db.exec("SELECT pg_get_indexdef('datasets_creation_time_sorted'::regclass)").text(0, 0),
            "CREATE INDEX datasets_creation_time_sorted ON public.datasets USING btree (creation_time NULLS FIRST, seq) "
            "INCLUDE (access)");
  // A collection without an access set keeps plain sort indexes.
  EXPECT_GT(db.exec("SELECT COUNT(*) FROM pg_indexes WHERE indexname LIKE 'instruments_%_order'").int64(0, 0), 0);
}

// The same openem starting again runs no DDL: it would lock every table, beside writers.
TEST(PgSchemaTest, AnUpToDateCatalogIsLeftAsItIs) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  catalog.open();
  {
    PgConnection db(catalog.url());
    db.exec_script("DROP INDEX datasets_creation_time_sorted");  // what a rerun of the DDL would make again
  }
  catalog.open();
  PgConnection db(catalog.url());
  EXPECT_EQ(db.exec("SELECT COUNT(*) FROM pg_indexes WHERE indexname = 'datasets_creation_time_sorted'").int64(0, 0), 0);
}

// A rolling upgrade across a format change: once a newer openem upgraded the catalog, a
// process of the older version still running stores nothing more (its rows could lack what
// the new format needs) and says why.
TEST(PgSchemaTest, AnOlderProcessStopsWritingOnceANewerOneUpgradedTheCatalog) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto old_process = catalog.open();
  old_process->insert(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g1"}});
  PgConnection(catalog.url()).exec("UPDATE openem_meta SET value = ? WHERE key = 'format'", {pg_schema::kFormat + 1});
  try {
    old_process->insert(schemas::datasets(), json::object{{"pid", "p/2"}, {"ownerGroup", "g1"}});
    ADD_FAILURE() << "the older process still wrote";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kCatalogUpgraded);
    EXPECT_NE(std::string(e.what()).find("upgraded to format"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(old_process->get(schemas::datasets(), "p/2"));
  EXPECT_TRUE(old_process->get(schemas::datasets(), "p/1"));  // reads go on
}

// A catalog that grows fast gets the planner's statistics from the store, without waiting
// for autovacuum (which sets last_autoanalyze, not last_analyze): plans made for an empty
// table turned a 10 ms query into 4 s after a bulk load.
TEST(PgSchemaTest, TheStoreAnalyzesACatalogThatGrew) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto store = catalog.open();
  PgConnection db(catalog.url());
  auto analyzed = [&] {
    return !db.exec("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'datasets'").is_null(0, 0);
  };
  for (int i = 0; i < 999; ++i) store->insert(schemas::datasets(), json::object{{"pid", "p/" + std::to_string(i)}, {"ownerGroup", "g"}});
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(analyzed());
  store->insert(schemas::datasets(), json::object{{"pid", "p/999"}, {"ownerGroup", "g"}});
  bool done = false;
  for (int i = 0; i < 300 && !done; ++i, std::this_thread::sleep_for(std::chrono::milliseconds(50))) done = analyzed();
  EXPECT_TRUE(done);
}

}  // namespace
}  // namespace openem
