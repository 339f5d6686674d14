// The SQLite store driven through the real query translation: every filter operator, text
// search, scientific conditions with units, facets, the access rule (SQL form vs document
// form), transactions and reopening.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include "core/error.h"
#include "model/scientific_metadata.h"
#include "query/access.h"
#include "query/text_search.h"
#include "query/where.h"
#include "store/catalog_store.h"
#include "store/sqlite/reader_tagged_trigrams.h"
#include "store/sqlite/sqlite_condition_sql.h"
#include "store/sqlite/sqlite_db.h"
#include "testing/temp_dir.h"

namespace openem {
namespace {
namespace json = boost::json;

// Turns a catalog into format 6, where each collection's search text sat in <t>_doc beside
// the document and the text index read it from there: what upgrade tests start from.
void make_format_6(const std::filesystem::path& file) {
  SqliteDb db(file);
  db.exec("BEGIN");
  for (const CollectionSchema* s : schemas::all()) {
    const std::string t = s->table, f = t + "_fts", p = t + "_fts_pending", d = t + "_doc";
    db.exec("ALTER TABLE " + d + " ADD COLUMN search_text TEXT");
    if (!s->text_index) continue;
    const std::string unindex = "INSERT INTO " + f + " (" + f + ", rowid, search_text) SELECT 'delete', old.seq, "
                                "old.search_text WHERE NOT EXISTS (SELECT 1 FROM " + p + " WHERE seq = old.seq); ";
    db.exec("UPDATE " + d + " SET search_text = (SELECT x.search_text FROM " + t + "_text x WHERE x.seq = " + d +
            ".seq); DROP TABLE " + f + "; DROP TABLE " + t + "_text; DELETE FROM " + p + ";"
            "CREATE VIRTUAL TABLE " + f + " USING fts5(search_text, content='" + d +
            "', content_rowid='seq', tokenize='trigram', detail='none');"
            "INSERT INTO " + f + " (" + f + ") VALUES ('rebuild');"
            "CREATE TRIGGER " + f + "_ai AFTER INSERT ON " + d + " BEGIN INSERT OR IGNORE INTO " + p +
            " (seq) VALUES (new.seq); END;"
            "CREATE TRIGGER " + f + "_ad AFTER DELETE ON " + d + " BEGIN " + unindex + "DELETE FROM " + p +
            " WHERE seq = old.seq; END;"
            "CREATE TRIGGER " + f + "_au AFTER UPDATE OF search_text ON " + d + " BEGIN " + unindex +
            "INSERT OR IGNORE INTO " + p + " (seq) VALUES (new.seq); END;");
  }
  db.exec("PRAGMA user_version = 6; COMMIT");
}

// Turns a catalog into format 11, whose text index held one untagged token per trigram and
// read its content from <t>_text(seq, search_text): what the 11-to-12 upgrade starts from.
void make_format_11(const std::filesystem::path& file) {
  SqliteDb db(file);
  db.exec("BEGIN");
  for (const CollectionSchema* s : schemas::all()) {
    if (!s->text_index) continue;
    const std::string t = s->table, f = t + "_fts", p = f + "_pending", x = t + "_text";
    const std::string queue_old = "INSERT OR IGNORE INTO " + p + " (seq, indexed_text) VALUES (old.seq, old.search_text); ";
    db.exec("DROP TRIGGER " + f + "_ai; DROP TRIGGER " + f + "_ad; DROP TRIGGER " + f + "_au; DROP TABLE " + f +
            "; DELETE FROM " + p + "; ALTER TABLE " + x + " DROP COLUMN readers;"
            "CREATE VIRTUAL TABLE " + f + " USING fts5(search_text, content='" + x +
            "', content_rowid='seq', tokenize='trigram', detail='none');"
            "INSERT INTO " + f + " (" + f + ") VALUES ('rebuild');"
            "CREATE TRIGGER " + f + "_ai AFTER INSERT ON " + x + " BEGIN INSERT OR IGNORE INTO " + p +
            " (seq) VALUES (new.seq); END;"
            "CREATE TRIGGER " + f + "_ad AFTER DELETE ON " + x + " BEGIN " + queue_old + "END;"
            "CREATE TRIGGER " + f + "_au AFTER UPDATE OF search_text ON " + x + " BEGIN " + queue_old + "END;");
  }
  db.exec("PRAGMA user_version = 11; COMMIT");
}

// A MATCH expression (SQL text) for rows anyone may read that hold `trigram`: what a reader of
// everything looks up.
std::string everyone_match(const std::string& trigram) {
  return "'" + reader_tagged_trigrams::match_expression({std::string(reader_tagged_trigrams::kEveryone)}, {trigram}) + "'";
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(dir_ / "catalog.db");
  }
  void TearDown() override {
    store_.reset();
  }

  void add(const std::string& pid, json::object doc) {
    doc["pid"] = pid;
    if (auto* sm = doc.if_contains("scientificMetadata")) *sm = with_si_values(*sm);
    store_->insert(schemas::datasets(), doc);
  }

  // pids matching `where` (JSON text), in insertion order.
  std::vector<std::string> where(const std::string& w) {
    QueryPlan plan;
    json::parse_options deep;
    deep.max_depth = 1000;  // the translator, not the parser, must refuse deep filters here
    plan.conditions.push_back(translate_where(schemas::datasets(), json::parse(w, {}, deep)));
    return store_->find_ids(schemas::datasets(), plan);
  }
  std::vector<std::string> matching(const Condition& c) {
    QueryPlan plan;
    plan.conditions.push_back(c);
    return store_->find_ids(schemas::datasets(), plan);
  }

  void add_three() {
    add("p/1", {{"ownerGroup", "g1"}, {"accessGroups", json::array{"g2"}}, {"isPublished", false},
                {"type", "raw"}, {"size", 100}, {"datasetName", "20210906-46 apoferritin"},
                {"keywords", json::array{"cryo", "spa"}}, {"creationTime", "2021-09-06T10:00:00.000Z"},
                {"datasetlifecycle", json::object{{"archiveStatusMessage", "datasetCreated"}}},
                {"scientificMetadata", json::parse(R"({"beam_energy":{"value":300,"unit":"keV"},
                  "acquisition":{"pixel_size":{"value":0.83,"unit":"Å"},"dose":{"value":40,"unit":"e/Å²"},
                  "detector":"Falcon 4i"}, "odd":{"value":7,"unit":"furlongs-per-blob"}})")}});
    add("p/2", {{"ownerGroup", "g2"}, {"isPublished", true}, {"type", "derived"}, {"size", 5000},
                {"datasetName", "Beta-Galactosidase"}, {"keywords", json::array{"spa"}},
                {"creationTime", "2022-01-01T00:00:00.000Z"}, {"sharedWith", json::array{"friend@x.org"}},
                {"scientificMetadata", json::parse(R"({"beam_energy":{"value":200000,"unit":"eV"},
                  "acquisition":{"pixel_size":{"value":0.1,"unit":"nm"},"dose":{"value":6000,"unit":"e/nm^2"},
                  "detector":"K3"}})")}});
    add("p/3", {{"ownerGroup", "g3"}, {"isPublished", false}, {"type", "raw"}, {"size", 42},
                {"datasetName", "'; DROP TABLE datasets; --"}, {"comment", "null comment"},
                {"creationTime", "2023-05-05T05:05:05.000Z"}});
  }

  testing::TempDir tmp_{"openem-store-test"};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<CatalogStore> store_;
};

using Ids = std::vector<std::string>;

// A catastrophic-backtracking pattern hits PCRE2's match limit instead of hanging a worker.
TEST_F(StoreTest, ARunawayRegularExpressionFails) {
  add("p/aaa", {{"ownerGroup", "g"}, {"datasetName", std::string(40, 'a') + "!"}});
  EXPECT_THROW(where(R"x({"datasetName":{"$regex":"^(a|aa)+$"}})x"), std::exception);
}

// A long term is looked up by at most 8 of its trigrams, spread from its first to its last:
// the stored text confirms the rest, so a text that differs in between is not found.
TEST_F(StoreTest, LongTermsAreLookedUpBySomeTrigramsAndConfirmedWhole) {
  const std::string name = "session-2024-03-01-krios1-falcon4i-apoferritin-grid7-square12";
  add("l/1", {{"ownerGroup", "g"}, {"datasetName", name}});
  add("l/2", {{"ownerGroup", "g"}, {"datasetName", "session-2024-03-01-krios1-falcon4i-RIBOSOME-grid7-square12"}});
  std::string again = name;
  again[40] = 'X';  // one character of "apoferritin" changed: between the trigrams looked up
  add("l/3", {{"ownerGroup", "g"}, {"datasetName", again}});
  for (bool indexed : {false, true}) {
    if (indexed) {
      store_.reset();
      store_ = open_sqlite_store(dir_ / "catalog.db");
    }
    auto c = text_condition(schemas::datasets(), name);
    ASSERT_EQ(sqlite_sql::text_lookups(c, nullptr).size(), 1u);
    auto trigrams = sqlite_sql::lookup_trigrams(name);
    EXPECT_EQ(trigrams.size(), 8u);
    EXPECT_EQ(trigrams.front(), "ses");
    EXPECT_EQ(trigrams.back(), "e12");
    EXPECT_EQ(matching(c), Ids{"l/1"}) << indexed;
    EXPECT_EQ(matching(text_condition(schemas::datasets(), "krios1-falcon4i")), (Ids{"l/1", "l/2", "l/3"})) << indexed;
  }
}

// Texts are indexed in batches by the writer; a search must give the same answer before
// and after, and after an update it must find the new text only.
TEST_F(StoreTest, TextSearchBeforeAndAfterBatchIndexing) {
  add_three();
  auto search = [&](const char* q) { return matching(text_condition(schemas::datasets(), q)); };
  EXPECT_EQ(search("apoferritin"), Ids{"p/1"});  // still pending
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // the idle writer indexes
  EXPECT_EQ(search("apoferritin"), Ids{"p/1"});  // from the index
  EXPECT_EQ(search("2021090"), Ids{"p/1"});
  auto doc = *store_->get(schemas::datasets(), "p/1");
  doc["datasetName"] = "ribosome 70S";
  store_->replace(schemas::datasets(), doc);
  EXPECT_TRUE(search("apoferritin").empty());
  EXPECT_EQ(search("ribosome"), Ids{"p/1"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_TRUE(search("apoferritin").empty());
  EXPECT_EQ(search("ribosome"), Ids{"p/1"});
  store_->remove(schemas::datasets(), "p/1");
  EXPECT_TRUE(search("ribosome").empty());
  EXPECT_EQ(search("galacto"), Ids{"p/2"});
}

TEST_F(StoreTest, EveryScientificLeafIsStoredOnceWhateverTheirNumber) {
  // Leaves go in by statements of 1, 2, 4, ... 32 rows: every count must come out whole,
  // and a replacement must leave only the new leaves.
  auto metadata = [](int n, double scale) {
    json::object sm;
    for (int i = 0; i < n; ++i) sm["k" + std::to_string(i)] = json::object{{"value", i * scale}, {"unit", "nm"}};
    return sm;
  };
  for (int n = 0; n <= 70; ++n) add("n/" + std::to_string(n), {{"ownerGroup", "g"}, {"scientificMetadata", metadata(n, 1)}});
  json::object changed = *store_->get(schemas::datasets(), "n/40");
  changed["scientificMetadata"] = with_si_values(json::value(metadata(3, 10)));
  ASSERT_TRUE(store_->replace(schemas::datasets(), changed));

  SqliteDb db(dir_ / "catalog.db");
  for (int n = 0; n <= 70; ++n) {
    SCOPED_TRACE("leaves: " + std::to_string(n));
    auto st = db.prepare(
        "SELECT COUNT(*), COUNT(DISTINCT s.path), COUNT(DISTINCT s.ord), TOTAL(s.num), MAX(s.num_si), MIN(s.unit_si) "
        "FROM datasets_sci s JOIN datasets t ON t.seq = s.seq WHERE t.id = ?");
    int leaves = n == 40 ? 3 : n;
    double scale = n == 40 ? 10 : 1;
    st.bind(1, "n/" + std::to_string(n));
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.int64(0), leaves);
    EXPECT_EQ(st.int64(1), leaves);
    EXPECT_EQ(st.int64(2), leaves);
    EXPECT_DOUBLE_EQ(st.real(3), scale * leaves * (leaves - 1) / 2);
    if (leaves > 1) {
      EXPECT_DOUBLE_EQ(st.real(4), scale * (leaves - 1) * 1e-9);
      EXPECT_EQ(st.text(5), "m");
    }
  }
}

// The text index holds each trigram once per reader of its row: a reader's lookup walks
// postings of rows it may read and nothing else, so a term that occurs only in other groups'
// private rows gives the lookup nothing to walk, as a term found nowhere (issue 20: its cost
// told whether others' private metadata held the term).
TEST_F(StoreTest, ATextLookupWalksOnlyPostingsOfRowsItsReaderMayRead) {
  for (int i = 0; i < 50; ++i)
    add("o/" + std::to_string(i), {{"ownerGroup", "other"}, {"datasetName", "zebrafish secret " + std::to_string(i)}});
  add("m/1", {{"ownerGroup", "mine"}, {"datasetName", "my apoferritin"}});
  add("s/1", {{"ownerGroup", "other"}, {"sharedWith", json::array{"me@x.org"}}, {"datasetName", "zebrafish shared"}});
  store_.reset();
  store_ = open_sqlite_store(dir_ / "catalog.db");
  SqliteDb db(dir_ / "catalog.db");
  db.exec("CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, datasets_fts, 'row');");
  auto documents_with = [&](const std::string& term) {
    auto st = db.prepare("SELECT COALESCE(SUM(doc), 0) FROM temp.terms WHERE term = ?");
    st.bind_all({term});
    st.step();
    return st.int64(0);
  };
  EXPECT_EQ(documents_with("1:*zeb"), 51);           // readers of everything
  EXPECT_EQ(documents_with("7:g:otherzeb"), 51);
  EXPECT_EQ(documents_with("6:g:minezeb"), 0);      // the postings a "mine" reader walks
  EXPECT_EQ(documents_with("6:g:mineapo"), 1);
  EXPECT_EQ(documents_with("10:s:me@x.orgzeb"), 1);
  // What the store looks up for that reader: its own rows only, whatever others' rows hold.
  Principal me{"1", "me", "me@x.org", {"mine"}};
  ReadScope scope{false, true};
  for (const char* term : {"zebrafish", "nowhere-at-all"}) {
    QueryPlan plan;
    plan.conditions = {read_access_condition(schemas::datasets(), me, scope, true),
                       text_condition(schemas::datasets(), term)};
    auto lookup = all_of(plan.conditions);
    auto expressions = sqlite_sql::text_lookups(plan.conditions[1], lookup.text_readers.get());
    ASSERT_EQ(expressions.size(), 1u);
    const std::string expression = expressions.front();
    EXPECT_EQ(expression, reader_tagged_trigrams::match_expression(*lookup.text_readers,
                                                                    sqlite_sql::lookup_trigrams(term)));
    auto st = db.prepare("SELECT COUNT(*) FROM datasets_fts WHERE datasets_fts MATCH ?");
    st.bind_all({expression});
    st.step();
    EXPECT_EQ(st.int64(0), std::string(term) == "zebrafish" ? 1 : 0) << term;
    EXPECT_EQ(store_->find_ids(schemas::datasets(), plan), std::string(term) == "zebrafish" ? Ids{"s/1"} : Ids{});
  }
}

// A format-11 catalog (one untagged token per trigram) gets the reader-tagged index when
// opened: texts are found by their readers only, and writes after go through the new triggers.
TEST_F(StoreTest, FormatElevenTagsItsTextIndexWhenOpened) {
  add("f/1", {{"ownerGroup", "g1"}, {"datasetName", "zebrafish one"}});
  add("f/2", {{"ownerGroup", "g2"}, {"isPublished", true}, {"datasetName", "zebrafish two"}});
  store_->insert(schemas::proposals(), json::object{{"proposalId", "P-1"}, {"ownerGroup", "g2"}, {"title", "zebra"}});
  store_.reset();
  make_format_11(dir_ / "catalog.db");
  store_ = open_sqlite_store(dir_ / "catalog.db");
  auto search = [&](const CollectionSchema& schema, const Principal& p, const std::string& text) {
    QueryPlan plan;
    plan.conditions = {read_access_condition(schema, p, ReadScope{}), text_condition(schema, text)};
    return store_->find_ids(schema, plan);
  };
  Principal g1{"1", "u", "", {"g1"}}, g2{"2", "v", "", {"g2"}};
  EXPECT_EQ(search(schemas::datasets(), g1, "zebrafish"), (Ids{"f/1", "f/2"}));
  EXPECT_EQ(search(schemas::datasets(), Principal::anonymous(), "zebrafish"), Ids{"f/2"});
  EXPECT_EQ(search(schemas::proposals(), g2, "zebra"), Ids{"P-1"});
  EXPECT_TRUE(search(schemas::proposals(), g1, "zebra").empty());
  auto doc = *store_->get(schemas::datasets(), "f/1");
  doc["isPublished"] = true;  // a new reader, the same text
  ASSERT_TRUE(store_->replace(schemas::datasets(), doc));
  EXPECT_EQ(search(schemas::datasets(), Principal::anonymous(), "zebrafish"), (Ids{"f/1", "f/2"}));
  store_.reset();
  SqliteDb db(dir_ / "catalog.db");
  auto v = db.prepare("PRAGMA user_version");
  v.step();
  EXPECT_EQ(v.int64(0), 14);
  for (const char* t : {"datasets", "proposals", "jobs"})
    EXPECT_NO_THROW(db.exec(std::string("INSERT INTO ") + t + "_fts (" + t + "_fts, rank) VALUES ('integrity-check', 1)"))
        << t;
  auto st = db.prepare("SELECT COUNT(*) FROM datasets_fts WHERE datasets_fts MATCH ?");
  st.bind_all({reader_tagged_trigrams::match_expression({"g:"}, {"zeb"})});
  st.step();
  EXPECT_EQ(st.int64(0), 2);  // both published now, f/1 through the writer's batch at close
}

// A format-6 catalog is upgraded when opened: documents lose their search text to
// <t>_text, and the text index, rebuilt over it, finds what it found before, including a
// text that was still waiting to be indexed.
TEST_F(StoreTest, FormatSixMovesSearchTextsOutOfDocuments) {
  add_three();
  std::vector<const CollectionSchema*> indexed;
  for (const CollectionSchema* s : schemas::all()) {
    if (!s->text_index) continue;
    indexed.push_back(s);
    if (s != &schemas::datasets()) store_->insert(*s, {{s->id_field, "z-1"}, {"ownerGroup", "g"}, {"title", "zebrafish"}});
  }
  ASSERT_EQ(indexed.size(), 7u);  // datasets, origdatablocks, proposals, samples, published data, jobs (format 11),
                                  // logbook entries
  store_.reset();
  make_format_6(dir_ / "catalog.db");
  {  // p/3 waits in the queue, out of the index, as the writer left it between two batches
    SqliteDb db(dir_ / "catalog.db");
    db.exec("INSERT INTO datasets_fts (datasets_fts, rowid, search_text) SELECT 'delete', seq, search_text "
            "FROM datasets_doc WHERE seq = 3; INSERT INTO datasets_fts_pending (seq) VALUES (3)");
  }
  store_ = open_sqlite_store(dir_ / "catalog.db");
  auto search = [&](const char* q) { return matching(text_condition(schemas::datasets(), q)); };
  EXPECT_EQ(search("2021090"), Ids{"p/1"});
  EXPECT_EQ(search("galactosidase apoferritin"), (Ids{"p/1", "p/2"}));
  EXPECT_EQ(search("K3"), Ids{"p/2"});
  EXPECT_EQ(search("comment"), Ids{"p/3"});
  EXPECT_EQ(json::value_to<std::string>(store_->get(schemas::datasets(), "p/2")->at("datasetName")), "Beta-Galactosidase");
  SqliteDb db(dir_ / "catalog.db");
  auto query = [&](const std::string& sql) {
    auto st = db.prepare(sql);
    std::vector<std::string> out;
    while (st.step()) out.emplace_back(st.text(0));
    return out;
  };
  using Rows = std::vector<std::string>;
  auto check_layout = [&](const std::string& when) {
    EXPECT_EQ(query("SELECT user_version FROM pragma_user_version"), Rows{"14"}) << when;
    EXPECT_TRUE(query("SELECT name FROM sqlite_schema WHERE name LIKE '%doc_new%' OR "
                      "(type = 'trigger' AND tbl_name LIKE '%_doc')").empty()) << when;
    for (const CollectionSchema* s : indexed) {
      const std::string& t = s->table;
      EXPECT_EQ(query("SELECT name FROM pragma_table_info('" + t + "_doc') ORDER BY cid"), (Rows{"seq", "doc"})) << when << t;
      EXPECT_EQ(query("SELECT DISTINCT tbl_name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE '" + t + "_fts%'"),
                Rows{t + "_text"}) << when << t;
      // The index agrees with its content table, and nothing waits: the rebuild took all.
      EXPECT_NO_THROW(db.exec("INSERT INTO " + t + "_fts (" + t + "_fts, rank) VALUES ('integrity-check', 1)")) << when << t;
      EXPECT_EQ(query("SELECT COUNT(*) FROM " + t + "_fts_pending"), Rows{"0"}) << when << t;
      if (s != &schemas::datasets()) {
        EXPECT_EQ(query("SELECT rowid FROM " + t + "_fts WHERE " + t + "_fts MATCH " + everyone_match("zeb")), Rows{"1"})
            << when << t;
      }
    }
    EXPECT_EQ(query("SELECT COUNT(*) FROM datasets_text"), Rows{"3"}) << when;
    EXPECT_EQ(query("SELECT rowid FROM datasets_fts WHERE datasets_fts MATCH " + everyone_match("com")), Rows{"3"}) << when;
  };
  check_layout("after the upgrade: ");
  store_.reset();
  store_ = open_sqlite_store(dir_ / "catalog.db");
  check_layout("after reopening: ");

  // Writes after the upgrade go through the new triggers. A document written again with the
  // same text is not queued for indexing again.
  ASSERT_TRUE(store_->replace(schemas::datasets(), *store_->get(schemas::datasets(), "p/2")));
  EXPECT_EQ(query("SELECT COUNT(*) FROM datasets_fts_pending"), Rows{"0"});
  auto doc = *store_->get(schemas::datasets(), "p/1");
  doc["datasetName"] = "ribosome 70S";
  ASSERT_TRUE(store_->replace(schemas::datasets(), doc));
  EXPECT_EQ(query("SELECT seq FROM datasets_fts_pending"), Rows{"1"});
  EXPECT_TRUE(search("apoferritin").empty());
  EXPECT_EQ(search("ribosome"), Ids{"p/1"});
  ASSERT_TRUE(store_->remove(schemas::datasets(), "p/2"));
  EXPECT_TRUE(search("galactosidase").empty());
  // Once the idle writer has indexed what waits, index and texts agree again: the removal
  // and the replaced text were taken out of the index with the texts they were indexed with.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(query("SELECT COUNT(*) FROM datasets_fts_pending"), Rows{"0"});
  EXPECT_NO_THROW(db.exec("INSERT INTO datasets_fts (datasets_fts, rank) VALUES ('integrity-check', 1)"));
  EXPECT_EQ(search("ribosome"), Ids{"p/1"});
}

TEST_F(StoreTest, AnIdleStoreCopiesItsLogIntoTheDatabaseFile) {
  add("idle/1", {{"ownerGroup", "g"}});
  // The database file alone, without its log, as a copy: it holds the dataset once the
  // writer, idle for half a second, has copied the log.
  auto in_file_alone = [&] {
    auto copy = dir_ / "alone.db";
    std::filesystem::remove(copy);
    std::filesystem::copy_file(dir_ / "catalog.db", copy);
    // A copy taken while the checkpoint writes pages may be torn: that is "not yet", not a failure.
    try {
      SqliteDb db(copy);
      auto st = db.prepare("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'datasets'");
      st.step();
      if (st.int64(0) == 0) return false;
      auto q = db.prepare("SELECT COUNT(*) FROM datasets WHERE id = 'idle/1'");
      q.step();
      return q.int64(0) == 1;
    } catch (const std::exception&) {
      return false;
    }
  };
  bool copied = false;
  for (int i = 0; i < 100 && !copied; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    copied = in_file_alone();
  }
  EXPECT_TRUE(copied);
}

}  // namespace
}  // namespace openem

namespace openem {
namespace {

// Facets answered from the access-set counts must equal facets computed by scanning, for
// every reader, after inserts, replacements, removals and rolled-back writes, and after the
// counts were rebuilt from the tables on reopening.
class CountedFacetsTest : public StoreTest {
 protected:
  using Buckets = std::vector<std::pair<std::string, std::int64_t>>;
  // Bucket order among equal counts is not part of the contract: compare as sorted lists.
  static Buckets normalized(const std::vector<FacetBucket>& in) {
    Buckets out;
    for (const auto& b : in) out.emplace_back(json::serialize(b.key), b.count);
    std::sort(out.begin(), out.end());
    return out;
  }
  void expect_counts_match_scans(const std::string& when) {
    const auto& schema = schemas::datasets();
    std::vector<Principal> who{Principal::anonymous(), {"1", "u", "u@x.org", {"a"}}, {"2", "v", "", {"b", "c"}},
                               {"3", "w", "w@x.org", {}}, {"4", "z", "", {"zzz"}}};
    for (const auto& p : who)
      for (auto [admin, shared] : {std::pair{false, false}, {false, true}, {true, false}}) {
        ReadScope scope{admin, shared};
        auto readers = readable_access_values(schema, p, scope);
        ASSERT_TRUE(readers);
        auto counted = store_->counted_facets(schema, *readers, schema.counted_facets, 1000);
        ASSERT_TRUE(counted);
        Condition access = read_access_condition(schema, p, scope);
        EXPECT_EQ(counted->total, store_->count(schema, access)) << when << " " << p.username << admin << shared;
        // The access set each row keeps must say what the side table says.
        EXPECT_EQ(matching(read_access_condition(schema, p, scope, /*probe=*/true)), matching(access))
            << when << " " << p.username << admin << shared;
        for (std::size_t f = 0; f < schema.counted_facets.size(); ++f)
          EXPECT_EQ(normalized(counted->buckets[f]), normalized(store_->facet(schema, schema.counted_facets[f], access, 1000)))
              << when << " " << p.username << (admin ? " admin " : " ") << (shared ? "shared " : "")
              << schema.counted_facets[f];
      }
  }
  json::object random_doc(std::mt19937& rng) {
    const std::vector<std::string> groups{"a", "b", "c", "d"};
    json::array access, keywords;
    for (const auto& g : groups)
      if (rng() % 3 == 0) access.emplace_back(g);
    for (const char* k : {"spa", "tomo", "krios", "spa"})  // a repeated keyword counts once
      if (rng() % 2 == 0) keywords.emplace_back(k);
    json::object doc{{"ownerGroup", groups[rng() % 4]}, {"accessGroups", access}, {"isPublished", rng() % 4 == 0},
                     {"keywords", keywords}, {"type", rng() % 3 == 0 ? "derived" : "raw"}};
    if (rng() % 5 != 0) doc["creationLocation"] = "loc" + std::to_string(rng() % 3);  // missing: the null bucket
    if (rng() % 7 == 0) doc["creationLocation"] = 42;                                 // not a string
    if (rng() % 3 == 0) doc["datasetlifecycle"] = {{"archiveStatusMessage", rng() % 2 ? "archived" : "datasetCreated"}};
    if (rng() % 4 == 0) doc["sharedWith"] = json::array{rng() % 2 ? "u@x.org" : "w@x.org"};
    return doc;
  }
};

TEST_F(CountedFacetsTest, AgreeWithScansThroughWritesAndReopen) {
  std::mt19937 rng(7);
  for (int i = 0; i < 80; ++i) add("c/" + std::to_string(i), random_doc(rng));
  // Group names that try to pass for an e-mail member or to run two members together.
  add("c/hostile-1", {{"ownerGroup", "zzz"}, {"accessGroups", json::array{"s:u@x.org", "g:a", "a\x1f" "b"}}});
  add("c/hostile-2", {{"ownerGroup", "zzz"}, {"accessGroups", json::array{"1:a", "b"}}});
  expect_counts_match_scans("after inserts");
  for (int i = 0; i < 80; i += 3) {
    json::object doc = random_doc(rng);
    doc["pid"] = "c/" + std::to_string(i);
    ASSERT_TRUE(store_->replace(schemas::datasets(), doc));
  }
  for (int i = 1; i < 80; i += 5) ASSERT_TRUE(store_->remove(schemas::datasets(), "c/" + std::to_string(i)));
  expect_counts_match_scans("after replacements and removals");
  EXPECT_THROW(store_->transaction([&] {
    add("c/rolled-back", {{"ownerGroup", "a"}, {"type", "never"}, {"keywords", json::array{"never"}}});
    ASSERT_TRUE(store_->remove(schemas::datasets(), "c/0"));
    throw std::runtime_error("boom");
  }), std::runtime_error);
  expect_counts_match_scans("after a rolled-back transaction");
  store_.reset();
  store_ = open_sqlite_store(dir_ / "catalog.db");
  expect_counts_match_scans("after reopening");
}

// A format-5 database (rows without their access set) is upgraded when opened, through 6 to 7.
TEST_F(CountedFacetsTest, FormatFiveGainsAccessSetsWhenOpened) {
  std::mt19937 rng(11);
  for (int i = 0; i < 40; ++i) add("m/" + std::to_string(i), random_doc(rng));
  store_.reset();
  make_format_6(dir_ / "catalog.db");
  {
    SqliteDb db(dir_ / "catalog.db");
    for (const CollectionSchema* s : schemas::all()) {
      if (!s->has_access_set()) continue;
      for (const auto& c : s->columns)
        if (c.walk_order)
          db.exec("DROP INDEX " + s->table + "_" + c.column + "_walk; CREATE INDEX " + s->table + "_" + c.column +
                  " ON " + s->table + " (" + c.column + ")");
      db.exec("ALTER TABLE " + s->table + " DROP COLUMN access_set");
    }
    db.exec("PRAGMA user_version = 5");
  }
  store_ = open_sqlite_store(dir_ / "catalog.db");
  expect_counts_match_scans("after the upgrade");
  {
    SqliteDb db(dir_ / "catalog.db");
    auto st = db.prepare("SELECT COUNT(*) FROM datasets WHERE access_set IS NULL OR access_set = ''");
    ASSERT_TRUE(st.step());
    EXPECT_EQ(st.int64(0), 0);  // every random document has an owner group
    auto indexes = db.prepare("SELECT group_concat(name) FROM (SELECT name FROM sqlite_schema WHERE tbl_name = "
                              "'datasets' AND name LIKE 'datasets_creation_time%' ORDER BY name)");
    ASSERT_TRUE(indexes.step());
    EXPECT_EQ(indexes.text(0), "datasets_creation_time_public_walk,datasets_creation_time_walk");
  }
}

TEST_F(CountedFacetsTest, OnlyCountedFacetsAndCollectionsAreAnswered) {
  add("c/1", {{"ownerGroup", "a"}, {"type", "raw"}});
  AccessValues everything{true, {}};
  EXPECT_FALSE(store_->counted_facets(schemas::datasets(), everything, {"type", "creationTime"}, 10));
  EXPECT_FALSE(store_->counted_facets(schemas::proposals(), everything, {"type"}, 10));
  auto counted = store_->counted_facets(schemas::datasets(), everything, {"type"}, 10);
  ASSERT_TRUE(counted);
  EXPECT_EQ(counted->total, 1);
  // Where sharedWith grants read, the reader's e-mail is one of its access values.
  Principal shared{"1", "u", "u@x.org", {"a"}};
  auto with = readable_access_values(schemas::datasets(), shared, ReadScope{false, true});
  auto without = readable_access_values(schemas::datasets(), shared, ReadScope{false, false});
  ASSERT_TRUE(with && without);
  EXPECT_EQ(with->values, (std::vector<std::string>{"g:", "g:a", "s:u@x.org"}));
  EXPECT_EQ(without->values, (std::vector<std::string>{"g:", "g:a"}));
}

}  // namespace
}  // namespace openem

namespace openem {
namespace {

// A text condition's row check (used for common terms on short ordered pages) must select
// exactly what its index form selects, for every kind of term, before and after the texts
// move from the pending list into the index (the store reopens and indexes them then).
TEST_F(StoreTest, TextRowCheckSelectsWhatTheIndexSelects) {
  add_three();
  add("p/4", {{"ownerGroup", "g1"}, {"datasetName", "Apoferritin two words ÅNGSTRÖM"}, {"creationTime", "2023-01-01T00:00:00Z"}});
  add("p/5", {{"ownerGroup", "g1"}, {"description", "ab 100% done_ok"}, {"creationTime", "2020-01-01T00:00:00Z"}});
  const std::vector<std::string> texts{"apoferritin", "2021090", "APOF -beta", "\"two words\"", "ab", "100%", "done_ok",
                                       "galacto ferri", "-nothing", "ångström", "zzzz"};
  for (int round = 0; round < 2; ++round) {
    for (const auto& text : texts) {
      Condition c = text_condition(schemas::datasets(), text);
      if (sqlite_sql::text_lookups(c, nullptr).empty()) continue;  // checked on rows in any case
      // Both SQL forms of the condition (lookup, row check), also as the store runs them: a
      // short page in an indexed order.
      const sqlite_sql::SqlFragment looked_up = sqlite_sql::condition_sql(schemas::datasets(), c, {nullptr, false});
      const sqlite_sql::SqlFragment row_checked = sqlite_sql::condition_sql(schemas::datasets(), c, {nullptr, true});
      EXPECT_NE(looked_up.sql, row_checked.sql);
      for (const char* window : {" ORDER BY t.seq", " ORDER BY t.creation_time DESC, t.seq DESC LIMIT 2"}) {
        SqliteDb db(dir_ / "catalog.db");
        auto ids = [&](const sqlite_sql::SqlFragment& where) {
          auto st = db.prepare("SELECT t.id FROM datasets t WHERE " + where.sql + window);
          st.bind_all(where.params);
          Ids out;
          while (st.step()) out.emplace_back(st.text(0));
          return out;
        };
        EXPECT_EQ(ids(row_checked), ids(looked_up)) << text << window << " round " << round;
      }
      QueryPlan page;  // the store's own choice of form on a short page
      page.conditions = {c};
      page.order = {sort_by(schemas::datasets(), "creationTime", true)};
      page.limit = 2;
      EXPECT_EQ(store_->find_ids(schemas::datasets(), page).size(), std::min<std::size_t>(2, matching(c).size())) << text;
    }
    EXPECT_EQ(matching(text_condition(schemas::datasets(), "apoferritin")), (Ids{"p/1", "p/4"}));
    store_.reset();  // the writer indexes pending texts when it stops
    store_ = open_sqlite_store(dir_ / "catalog.db");
  }
}

// A format-7 catalog gains the columns indexed since (the embargo's dateOfPublishing), filled
// from its documents, when opened.
// Format 14 gave datasets' usedSoftware side rows: a format-13 catalog gains them from its
// documents when opened, so filters and the lineage walk (which read side rows) find them.
TEST_F(StoreTest, FormatThirteenGainsSideRowsOfUsedSoftware) {
  add("s/1", {{"ownerGroup", "g"}, {"usedSoftware", json::array{"relion 5", "ctffind4"}}});
  add("s/2", {{"ownerGroup", "g"}});
  // A first version made before format 14 had no series; its second version names it.
  add("v/1", {{"ownerGroup", "g"}});
  add("v/2", {{"ownerGroup", "g"}, {"previousVersion", "v/1"}, {"versionSeries", "v/1"}, {"versionNumber", 2}});
  store_.reset();
  {
    SqliteDb db(dir_ / "catalog.db");
    db.exec("DELETE FROM datasets_values WHERE field = 'usedSoftware'; PRAGMA user_version = 13");
  }
  store_ = open_sqlite_store(dir_ / "catalog.db");
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::datasets(), "usedSoftware", std::string("ctffind4")));
  EXPECT_EQ(store_->find_ids(schemas::datasets(), plan), Ids{"s/1"});
  QueryPlan series;
  series.conditions.push_back(field_is(schemas::datasets(), "versionSeries", std::string("v/1")));
  EXPECT_EQ(store_->find_ids(schemas::datasets(), series), (Ids{"v/1", "v/2"}));
  const json::object first = *store_->get(schemas::datasets(), "v/1");
  EXPECT_EQ(first.at("versionNumber"), 1);
  EXPECT_EQ(first.at("versionSeries"), "v/1");
  EXPECT_FALSE(store_->get(schemas::datasets(), "s/2")->contains("versionSeries"));  // no versions, no series
  SqliteDb db(dir_ / "catalog.db");
  auto st = db.prepare("SELECT value FROM datasets_values WHERE field = 'usedSoftware' ORDER BY value");
  Ids values;
  while (st.step()) values.emplace_back(st.text(0));
  EXPECT_EQ(values, (Ids{"ctffind4", "relion 5"}));
  auto v = db.prepare("PRAGMA user_version");
  v.step();
  EXPECT_EQ(v.int64(0), 14);
}

TEST_F(StoreTest, FormatSevenGainsTheEmbargoColumn) {
  add("e/1", {{"ownerGroup", "g"}, {"isPublished", false},
              {"datasetlifecycle", json::object{{"dateOfPublishing", "2020-01-01T00:00:00Z"}}}});
  add("e/2", {{"ownerGroup", "g"}, {"isPublished", false},
              {"datasetlifecycle", json::object{{"dateOfPublishing", "2999-01-01"}}}});
  add("e/3", {{"ownerGroup", "g"}, {"isPublished", false}});
  store_.reset();
  make_format_11(dir_ / "catalog.db");
  {
    SqliteDb db(dir_ / "catalog.db");
    db.exec("DROP INDEX datasets_embargo; DROP INDEX datasets_date_of_publishing; "
            "ALTER TABLE datasets DROP COLUMN date_of_publishing; PRAGMA user_version = 7");
  }
  store_ = open_sqlite_store(dir_ / "catalog.db");
  QueryPlan due;
  due.conditions.push_back(field_is(schemas::datasets(), "isPublished", std::int64_t{0}));
  due.conditions.push_back(field_compare(schemas::datasets(), "datasetlifecycle.dateOfPublishing", Comparison::Lte,
                                         std::string("2026-01-01T00:00:00.000Z")));
  EXPECT_EQ(store_->find_ids(schemas::datasets(), due), Ids{"e/1"});
  QueryPlan later;
  later.conditions.push_back(field_is(schemas::datasets(), "datasetlifecycle.dateOfPublishing",
                                      std::string("2999-01-01T00:00:00.000Z")));
  EXPECT_EQ(store_->find_ids(schemas::datasets(), later), Ids{"e/2"});  // normalised as writes do
  SqliteDb db(dir_ / "catalog.db");
  auto v = db.prepare("PRAGMA user_version");
  v.step();
  EXPECT_EQ(v.int64(0), 14);  // the current format
}

// Changed and removed texts leave the text index in the writer's batch, with the text the
// index holds: a text changed twice before the batch is taken out as first indexed (taking out
// the middle one would corrupt the index, which the integrity check finds). Until then
// searches answer from the current texts.
TEST_F(StoreTest, ChangedTextsLeaveTheIndexInBatches) {
  add("t/1", {{"ownerGroup", "g"}, {"datasetName", "apoferritin first"}});
  add("t/2", {{"ownerGroup", "g"}, {"datasetName", "galactosidase"}});
  store_.reset();  // indexes what waits
  store_ = open_sqlite_store(dir_ / "catalog.db");
  SqliteDb db(dir_ / "catalog.db");
  auto query = [&](const std::string& sql) {
    auto st = db.prepare(sql);
    std::vector<std::string> out;
    while (st.step()) out.emplace_back(st.is_null(0) ? "NULL" : std::string(st.text(0)));
    return out;
  };
  using Rows = std::vector<std::string>;
  auto search = [&](const char* q) { return matching(text_condition(schemas::datasets(), q)); };
  EXPECT_EQ(query("SELECT COUNT(*) FROM datasets_fts_pending"), Rows{"0"});
  auto doc = *store_->get(schemas::datasets(), "t/1");
  doc["datasetName"] = "ribosome second";
  ASSERT_TRUE(store_->replace(schemas::datasets(), doc));
  doc["datasetName"] = "proteasome third";
  ASSERT_TRUE(store_->replace(schemas::datasets(), doc));
  ASSERT_TRUE(store_->remove(schemas::datasets(), "t/2"));
  add("t/3", {{"ownerGroup", "g"}, {"datasetName", "galactosidase again"}});  // may take t/2's seq
  // The index still holds the first texts; the queue remembers them.
  EXPECT_EQ(query("SELECT rowid FROM datasets_fts WHERE datasets_fts MATCH " + everyone_match("apo")), Rows{"1"});
  EXPECT_EQ(query("SELECT COUNT(*) FROM datasets_fts_pending WHERE indexed_text LIKE '%apoferritin first%'"), Rows{"1"});
  EXPECT_TRUE(search("apoferritin").empty());
  EXPECT_TRUE(search("ribosome").empty());
  EXPECT_EQ(search("proteasome"), Ids{"t/1"});
  EXPECT_EQ(search("galactosidase"), Ids{"t/3"});
  store_.reset();
  store_ = open_sqlite_store(dir_ / "catalog.db");
  EXPECT_EQ(query("SELECT COUNT(*) FROM datasets_fts_pending"), Rows{"0"});
  EXPECT_NO_THROW(db.exec("INSERT INTO datasets_fts (datasets_fts, rank) VALUES ('integrity-check', 1)"));
  EXPECT_TRUE(query("SELECT rowid FROM datasets_fts WHERE datasets_fts MATCH " + everyone_match("apo")).empty());
  EXPECT_EQ(search("proteasome"), Ids{"t/1"});
  EXPECT_EQ(search("galactosidase"), Ids{"t/3"});
}

// A format-8 catalog (texts taken out of the index in the write's trigger) keeps its queue and
// gets the batch's triggers.
TEST_F(StoreTest, FormatEightQueuesRemovedTextsWhenOpened) {
  add("q/1", {{"ownerGroup", "g"}, {"datasetName", "apoferritin"}});
  store_.reset();
  make_format_11(dir_ / "catalog.db");
  {
    SqliteDb db(dir_ / "catalog.db");
    for (const CollectionSchema* s : schemas::all()) {
      if (!s->text_index) continue;
      const std::string t = s->table, f = t + "_fts", p = f + "_pending", x = t + "_text";
      const std::string unindex = "INSERT INTO " + f + " (" + f + ", rowid, search_text) SELECT 'delete', old.seq, "
                                  "old.search_text WHERE NOT EXISTS (SELECT 1 FROM " + p + " WHERE seq = old.seq); ";
      db.exec("DROP TRIGGER " + f + "_ai; DROP TRIGGER " + f + "_ad; DROP TRIGGER " + f + "_au;"
              "ALTER TABLE " + p + " DROP COLUMN indexed_text;"
              "CREATE TRIGGER " + f + "_ai AFTER INSERT ON " + x + " BEGIN INSERT OR IGNORE INTO " + p +
              " (seq) VALUES (new.seq); END;"
              "CREATE TRIGGER " + f + "_ad AFTER DELETE ON " + x + " BEGIN " + unindex + "DELETE FROM " + p +
              " WHERE seq = old.seq; END;"
              "CREATE TRIGGER " + f + "_au AFTER UPDATE OF search_text ON " + x + " BEGIN " + unindex +
              "INSERT OR IGNORE INTO " + p + " (seq) VALUES (new.seq); END;");
    }
    db.exec("PRAGMA user_version = 8");
  }
  store_ = open_sqlite_store(dir_ / "catalog.db");
  auto doc = *store_->get(schemas::datasets(), "q/1");
  doc["datasetName"] = "ribosome";
  ASSERT_TRUE(store_->replace(schemas::datasets(), doc));
  EXPECT_EQ(matching(text_condition(schemas::datasets(), "ribosome")), Ids{"q/1"});
  EXPECT_TRUE(matching(text_condition(schemas::datasets(), "apoferritin")).empty());
  store_.reset();
  SqliteDb db(dir_ / "catalog.db");
  auto v = db.prepare("PRAGMA user_version");
  v.step();
  EXPECT_EQ(v.int64(0), 14);  // the current format
  EXPECT_NO_THROW(db.exec("INSERT INTO datasets_fts (datasets_fts, rank) VALUES ('integrity-check', 1)"));
  EXPECT_FALSE(db.prepare("SELECT 1 FROM datasets_fts WHERE datasets_fts MATCH " + everyone_match("apo")).step());
}

// Jobs gained a text index in format 11: a format-10 catalog's jobs (no text tables) are
// indexed when it is opened, and found by text like new ones.
TEST_F(StoreTest, FormatTenGivesJobsTheirTextIndex) {
  store_->insert(schemas::jobs(), json::object{{"id", "job-old"}, {"type", "archive"}, {"ownerGroup", "g"},
                                               {"statusMessage", "waiting for the tape library"}});
  store_.reset();
  make_format_11(dir_ / "catalog.db");
  {
    SqliteDb db(dir_ / "catalog.db");
    db.exec("DROP TABLE jobs_fts; DROP TABLE jobs_fts_pending; DROP TABLE jobs_text; PRAGMA user_version = 10");
  }
  store_ = open_sqlite_store(dir_ / "catalog.db");
  EXPECT_EQ(store_->find_ids(schemas::jobs(), [] {
    QueryPlan plan;
    plan.conditions.push_back(text_condition(schemas::jobs(), "tape libr"));
    return plan;
  }()), Ids{"job-old"});
  store_->insert(schemas::jobs(), json::object{{"id", "job-new"}, {"type", "retrieve"}, {"ownerGroup", "g"},
                                               {"statusMessage", "tape mounted"}});
  QueryPlan tape;
  tape.conditions.push_back(text_condition(schemas::jobs(), "tape"));
  EXPECT_EQ(store_->find_ids(schemas::jobs(), tape), (Ids{"job-old", "job-new"}));
  store_.reset();
  SqliteDb db(dir_ / "catalog.db");
  auto v = db.prepare("PRAGMA user_version");
  v.step();
  EXPECT_EQ(v.int64(0), 14);
  EXPECT_NO_THROW(db.exec("INSERT INTO jobs_fts (jobs_fts, rank) VALUES ('integrity-check', 1)"));
}

// The change history came with format 13: a format-12 catalog (no history table) gains it when
// opened, its documents stay, and their changes from then on are recorded.
TEST_F(StoreTest, FormatTwelveGainsTheChangeHistory) {
  add("p/2", {{"ownerGroup", "g"}, {"datasetName", "Beta-Galactosidase"}});
  store_.reset();
  {
    SqliteDb db(dir_ / "catalog.db");
    db.exec("DROP TABLE history; PRAGMA user_version = 12");
  }
  store_ = open_sqlite_store(dir_ / "catalog.db");
  EXPECT_EQ(json::value_to<std::string>(store_->get(schemas::datasets(), "p/2")->at("datasetName")), "Beta-Galactosidase");
  json::object ds = *store_->get(schemas::datasets(), "p/2");
  ds["datasetName"] = "renamed";
  store_->replace(schemas::datasets(), ds);
  HistoryQuery q;
  q.schema = &schemas::datasets();
  q.document_id = "p/2";
  auto records = store_->history(q);
  ASSERT_EQ(records.size(), 1u);  // the insert happened before the history began
  EXPECT_EQ(records[0].operation, "update");
  EXPECT_EQ(json::parse(records[0].after), json::parse(R"({"datasetName":"renamed"})"));
  store_.reset();
  SqliteDb db(dir_ / "catalog.db");
  auto v = db.prepare("PRAGMA user_version");
  v.step();
  EXPECT_EQ(v.int64(0), 14);
}

// The stored text of a proposal, as the store keeps it.
std::string stored_proposal(const std::filesystem::path& file, const std::string& id) {
  SqliteDb db(file);
  auto st = db.prepare("SELECT d.doc FROM proposals t JOIN proposals_doc d ON d.seq = t.seq WHERE t.id = ?");
  st.bind_all({id});
  return st.step() ? std::string(st.text(0)) : std::string();
}

// A field computed for each reader (a proposal's numberOfDatasets) is never written, whatever
// the document handed to the store carries: a stored count would be every reader's.
TEST_F(StoreTest, PerReaderFieldsAreNeverStored) {
  json::object proposal{{"proposalId", "P-1"}, {"ownerGroup", "g"}, {"title", "t"}, {"numberOfDatasets", 7}};
  store_->insert(schemas::proposals(), proposal);
  EXPECT_FALSE(store_->get(schemas::proposals(), "P-1")->contains("numberOfDatasets"));
  proposal["numberOfDatasets"] = 8;
  proposal["title"] = "changed";
  store_->replace(schemas::proposals(), proposal);
  auto read = store_->get(schemas::proposals(), "P-1");
  EXPECT_FALSE(read->contains("numberOfDatasets"));
  EXPECT_EQ(read->at("title"), "changed");
  EXPECT_EQ(stored_proposal(dir_ / "catalog.db", "P-1").find("numberOfDatasets"), std::string::npos);
}

// A format-9 catalog may hold proposals with the count of all their datasets (earlier versions
// stored it): opening it removes the count from every stored proposal and keeps the rest.
TEST_F(StoreTest, FormatNineDropsStoredProposalCounts) {
  store_->insert(schemas::proposals(), json::object{{"proposalId", "P-1"}, {"ownerGroup", "g"}, {"title", "one"}});
  store_->insert(schemas::proposals(), json::object{{"proposalId", "P-2"}, {"ownerGroup", "g"}, {"title", "two"}});
  store_.reset();
  make_format_11(dir_ / "catalog.db");  // the text index's layout of then
  {
    SqliteDb db(dir_ / "catalog.db");
    db.exec("UPDATE proposals_doc SET doc = json_set(doc, '$.numberOfDatasets', 5) "
            "WHERE seq = (SELECT seq FROM proposals WHERE id = 'P-1'); PRAGMA user_version = 9");
  }
  ASSERT_NE(stored_proposal(dir_ / "catalog.db", "P-1").find("numberOfDatasets"), std::string::npos);
  store_ = open_sqlite_store(dir_ / "catalog.db");
  for (const char* id : {"P-1", "P-2"}) {
    EXPECT_EQ(stored_proposal(dir_ / "catalog.db", id).find("numberOfDatasets"), std::string::npos) << id;
    EXPECT_EQ(store_->get(schemas::proposals(), id)->at("ownerGroup"), "g") << id;
  }
  EXPECT_EQ(store_->get(schemas::proposals(), "P-1")->at("title"), "one");
  SqliteDb db(dir_ / "catalog.db");
  auto v = db.prepare("PRAGMA user_version");
  v.step();
  EXPECT_EQ(v.int64(0), 14);  // the current format
}

}  // namespace
}  // namespace openem
