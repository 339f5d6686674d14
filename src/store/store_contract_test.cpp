// The store contract: what every CatalogStore answers the same way, run against SQLite and
// PostgreSQL. Driven through the real query translation: every filter operator, text search,
// scientific conditions with units, facets, the access rule (condition vs document check),
// transactions, reopening, file lists. Backend-specific tests (formats, indexes) live beside
// each store.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <random>

#include "core/error.h"
#include "store/store_errors.h"
#include "model/scientific_metadata.h"
#include "query/access.h"
#include "query/fullquery.h"
#include "query/text_search.h"
#include "query/where.h"
#include "store/catalog_store.h"
#include "store/testing/store_test_fixture.h"

namespace openem {
namespace {
namespace json = boost::json;
using testing::Backend;
using Ids = std::vector<std::string>;

class StoreContractTest : public testing::StoreOnEachBackend {
 protected:
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
  std::vector<std::string> fullquery(const std::string& fields) {
    QueryPlan plan;
    plan.conditions = fullquery_conditions(schemas::datasets(), json::parse(fields).as_object());
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
};

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::string word;
  for (char c : text + " ") {
    if (c != ' ') {
      word += c;
    } else if (!word.empty()) {
      out.push_back(word);
      word.clear();
    }
  }
  return out;
}

TEST_P(StoreContractTest, InsertGetReplaceRemove) {
  add("a/b%2Fc", {{"ownerGroup", "g"}, {"size", 1}});
  auto doc = store_->get(schemas::datasets(), "a/b%2Fc");
  ASSERT_TRUE(doc);
  EXPECT_EQ(doc->at("size").as_int64(), 1);
  (*doc)["size"] = 2;
  EXPECT_TRUE(store_->replace(schemas::datasets(), *doc));
  EXPECT_EQ(store_->get(schemas::datasets(), "a/b%2Fc")->at("size").as_int64(), 2);
  EXPECT_EQ(where(R"({"size":2})"), Ids{"a/b%2Fc"});  // the column followed the update
  EXPECT_TRUE(store_->remove(schemas::datasets(), "a/b%2Fc"));
  EXPECT_FALSE(store_->get(schemas::datasets(), "a/b%2Fc"));
  EXPECT_FALSE(store_->remove(schemas::datasets(), "a/b%2Fc"));
  EXPECT_TRUE(where(R"({"size":2})").empty());
}

TEST_P(StoreContractTest, DuplicateIdIsConflict) {
  add("dup", {{"ownerGroup", "g"}});
  try {
    add("dup", {{"ownerGroup", "h"}});
    FAIL() << "expected a duplicate id";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kDuplicateId);
  }
  EXPECT_EQ(store_->get(schemas::datasets(), "dup")->at("ownerGroup"), "g");
}

TEST_P(StoreContractTest, EqualityAndComparisons) {
  add_three();
  EXPECT_EQ(where(R"({"type":"raw"})"), (Ids{"p/1", "p/3"}));
  EXPECT_EQ(where(R"({"size":{"gt":100}})"), Ids{"p/2"});
  EXPECT_EQ(where(R"({"size":{"$gte":100}})"), (Ids{"p/1", "p/2"}));
  EXPECT_EQ(where(R"({"size":{"lt":100}})"), Ids{"p/3"});
  EXPECT_EQ(where(R"({"size":{"between":[50,200]}})"), Ids{"p/1"});
  EXPECT_EQ(where(R"({"isPublished":true})"), Ids{"p/2"});
  EXPECT_EQ(where(R"({"type":{"neq":"raw"}})"), Ids{"p/2"});
  EXPECT_EQ(where(R"({"creationTime":{"gt":"2021-12-31"}})"), (Ids{"p/2", "p/3"}));
  // a date with an offset is compared as the instant it names
  EXPECT_EQ(where(R"({"creationTime":{"lt":"2021-09-06T12:00:00+02:00"}})"), Ids{});
  EXPECT_EQ(where(R"({"creationTime":{"lte":"2021-09-06T12:00:00+02:00"}})"), Ids{"p/1"});
}

TEST_P(StoreContractTest, ListsArraysAndNestedKeys) {
  add_three();
  EXPECT_EQ(where(R"({"ownerGroup":{"inq":["g1","g3"]}})"), (Ids{"p/1", "p/3"}));
  EXPECT_EQ(where(R"({"ownerGroup":{"$nin":["g1","g3"]}})"), Ids{"p/2"});
  EXPECT_EQ(where(R"({"keywords":"spa"})"), (Ids{"p/1", "p/2"}));
  EXPECT_EQ(where(R"({"keywords":{"$all":["spa","cryo"]}})"), Ids{"p/1"});
  EXPECT_EQ(where(R"({"accessGroups":"g2"})"), Ids{"p/1"});
  EXPECT_EQ(where(R"({"datasetlifecycle.archiveStatusMessage":"datasetCreated"})"), Ids{"p/1"});
  EXPECT_EQ(where(R"({"scientificMetadata.acquisition.detector":"K3"})"), Ids{"p/2"});
}

// "a.b" with an array a of objects matches any element's b, as Mongo does (v4 attachments are
// found by "relationships.targetId"); an object a that holds b deeper does not match.
TEST_P(StoreContractTest, DottedKeysLookIntoArraysOfObjects) {
  add("p/1", {{"ownerGroup", "g1"}, {"relationships", json::parse(R"([{"targetId":"x","targetType":"dataset"},
                                                                     {"targetId":"y","targetType":"sample"}])")}});
  add("p/2", {{"ownerGroup", "g1"}, {"relationships", json::parse(R"({"targetId":"y"})")}});
  add("p/3", {{"ownerGroup", "g1"}, {"relationships", json::parse(R"({"inner":{"targetId":"y"}})")}});
  EXPECT_EQ(where(R"({"relationships.targetId":"x"})"), Ids{"p/1"});
  EXPECT_EQ(where(R"({"relationships.targetId":"y"})"), (Ids{"p/1", "p/2"}));
  EXPECT_EQ(where(R"({"relationships.targetId":{"$in":["x","z"]}})"), Ids{"p/1"});
  EXPECT_EQ(where(R"({"relationships.targetId":{"$ne":"y"}})"), Ids{"p/3"});
  EXPECT_EQ(where(R"({"relationships.targetType":{"$regex":"^sam"}})"), Ids{"p/1"});
}

TEST_P(StoreContractTest, LogicalOperatorsAndNulls) {
  add_three();
  EXPECT_EQ(where(R"({"or":[{"ownerGroup":"g1"},{"size":42}]})"), (Ids{"p/1", "p/3"}));
  EXPECT_EQ(where(R"({"$and":[{"type":"raw"},{"size":{"gt":50}}]})"), Ids{"p/1"});
  EXPECT_EQ(where(R"({"$nor":[{"type":"raw"}]})"), Ids{"p/2"});
  // As in Mongo, a document without the field matches none of the $nor conditions (owner is
  // an indexed column, NULL for all three: NOT of an unknown comparison must not drop them).
  EXPECT_EQ(where(R"({"$nor":[{"owner":"x"}]})"), (Ids{"p/1", "p/2", "p/3"}));
  EXPECT_EQ(where(R"({"comment":null})"), (Ids{"p/1", "p/2"}));
  EXPECT_EQ(where(R"({"comment":{"$exists":true}})"), Ids{"p/3"});
  EXPECT_EQ(where(R"({"comment":{"$ne":"null comment"}})"), (Ids{"p/1", "p/2"}));  // missing counts as not equal
  EXPECT_EQ(where(R"({"size":{"$not":{"$gt":100}}})"), (Ids{"p/1", "p/3"}));
}

TEST_P(StoreContractTest, RegularExpressions) {
  add_three();
  try {
    where(R"({"datasetName":{"$regex":"(unclosed"}})");
    ADD_FAILURE() << "an invalid pattern must be refused";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kInvalidPattern);
    EXPECT_NE(std::string(e.what()).find("Invalid filter"), std::string::npos) << e.what();
  }
  EXPECT_EQ(where(R"({"datasetName":{"like":"^2021"}})"), Ids{"p/1"});
  EXPECT_EQ(where(R"({"datasetName":{"like":"galacto"}})"), Ids{});
  EXPECT_EQ(where(R"({"datasetName":{"ilike":"galacto"}})"), Ids{"p/2"});
  EXPECT_EQ(where(R"({"datasetName":{"$regex":"GALACTO","$options":"i"}})"), Ids{"p/2"});
  EXPECT_EQ(where(R"({"datasetName":{"$regex":"/beta/i"}})"), Ids{"p/2"});
  EXPECT_EQ(where(R"({"datasetName":{"nlike":"^2021"}})"), (Ids{"p/2", "p/3"}));
}

TEST_P(StoreContractTest, HostileFiltersAreRefusedOrHarmless) {
  add_three();
  // SQL inside a value is only ever a value.
  EXPECT_EQ(where(R"({"datasetName":"'; DROP TABLE datasets; --"})"), Ids{"p/3"});
  EXPECT_EQ(store_->count(schemas::datasets(), Condition::always_true()), 3);
  auto status_of = [&](const std::string& w) {
    try {
      where(w);
    } catch (const ApiError& e) {
      return e.status();
    }
    return 200;
  };
  EXPECT_EQ(status_of(R"x({"size":{"$where":"sleep(1)"}})x"), 400);
  EXPECT_EQ(status_of(R"({"$where":"1"})"), 400);
  EXPECT_EQ(status_of(R"({"datasetName\"); DROP TABLE datasets; --":"x"})"), 400);
  EXPECT_EQ(status_of(R"({"size":{"$in":5}})"), 400);
  std::string deep = "{\"size\":1}";
  for (int i = 0; i < 40; ++i) deep = "{\"and\":[" + deep + "]}";
  EXPECT_EQ(status_of(deep), 400);
  // A catastrophic-backtracking pattern answers (nothing matches) or fails; it never hangs a
  // worker (SQLite: PCRE2's match limit; PostgreSQL: its regex engine does not backtrack so).
  add("p/aaa", {{"ownerGroup", "g"}, {"datasetName", std::string(40, 'a') + "!"}});
  try {
    EXPECT_EQ(where(R"x({"datasetName":{"$regex":"^(a|aa)+$"}})x"), Ids{});
  } catch (const std::exception&) {
  }
}

TEST_P(StoreContractTest, TextSearchFindsSubstringsOfIdentifiers) {
  add_three();
  EXPECT_EQ(matching(text_condition(schemas::datasets(), "2021090")), Ids{"p/1"});
  EXPECT_EQ(matching(text_condition(schemas::datasets(), "APOFERR")), Ids{"p/1"});
  EXPECT_EQ(matching(text_condition(schemas::datasets(), "galactosidase apoferritin")), (Ids{"p/1", "p/2"}));
  EXPECT_EQ(matching(text_condition(schemas::datasets(), "spa -cryo")), Ids{"p/2"});
  EXPECT_EQ(matching(text_condition(schemas::datasets(), "K3")), Ids{"p/2"});  // short term: scan
  EXPECT_EQ(matching(text_condition(schemas::datasets(), "\"Falcon 4i\"")), Ids{"p/1"});
  EXPECT_TRUE(matching(text_condition(schemas::datasets(), "nothing-like-this")).empty());
}

TEST_P(StoreContractTest, ScientificConditionsConvertUnits) {
  add_three();
  auto sci = [&](const std::string& conds) { return fullquery(R"({"scientific":)" + conds + "}"); };
  EXPECT_EQ(sci(R"([{"lhs":"beam_energy","relation":"GREATER_THAN","rhs":250000,"unit":"eV"}])"), Ids{"p/1"});
  EXPECT_EQ(sci(R"([{"lhs":"beam_energy","relation":"EQUAL_TO_NUMERIC","rhs":200,"unit":"keV"}])"), Ids{"p/2"});
  EXPECT_EQ(sci(R"([{"lhs":"acquisition.pixel_size","relation":"LESS_THAN","rhs":0.09,"unit":"nm"}])"), Ids{"p/1"});
  EXPECT_EQ(sci(R"([{"lhs":"acquisition.pixel_size","relation":"RANGE","rhs":[0.5,1.5],"unit":"Å"}])"), (Ids{"p/1", "p/2"}));
  // 40 e/Å² = 4000 e/nm²; 6000 e/nm² = 60 e/Å²
  EXPECT_EQ(sci(R"([{"lhs":"acquisition.dose","relation":"GREATER_THAN","rhs":50,"unit":"e/Å²"}])"), Ids{"p/2"});
  EXPECT_EQ(sci(R"([{"lhs":"acquisition.dose","relation":"LESS_THAN_OR_EQUAL","rhs":4000,"unit":"e/nm^2"}])"), Ids{"p/1"});
  EXPECT_EQ(sci(R"([{"lhs":"acquisition.detector","relation":"EQUAL_TO_STRING","rhs":"K3"}])"), Ids{"p/2"});
  EXPECT_EQ(sci(R"([{"lhs":"acquisition.detector","relation":"CONTAINS_STRING","rhs":"alcon"}])"), Ids{"p/1"});
  // without a unit raw numbers compare
  EXPECT_EQ(sci(R"([{"lhs":"beam_energy","relation":"GREATER_THAN","rhs":1000}])"), Ids{"p/2"});
  // a unit nobody can convert is kept and compared literally
  EXPECT_EQ(sci(R"([{"lhs":"odd","relation":"EQUAL_TO_NUMERIC","rhs":7,"unit":"furlongs-per-blob"}])"), Ids{"p/1"});
  // two conditions AND
  EXPECT_EQ(sci(R"([{"lhs":"beam_energy","relation":"GREATER_THAN","rhs":100,"unit":"keV"},
                    {"lhs":"acquisition.detector","relation":"EQUAL_TO_STRING","rhs":"Falcon 4i"}])"), Ids{"p/1"});
  EXPECT_THROW(sci(R"([{"lhs":"x","relation":"SOUNDS_LIKE","rhs":1}])"), ApiError);
}

TEST_P(StoreContractTest, FullqueryFieldKinds) {
  add_three();
  EXPECT_EQ(fullquery(R"({"creationTime":{"begin":"2021-01-01","end":"2022-06-01"}})"), (Ids{"p/1", "p/2"}));
  EXPECT_EQ(fullquery(R"({"size":{"min":50,"max":1000}})"), Ids{"p/1"});
  EXPECT_EQ(fullquery(R"({"ownerGroup":["g2","g3"]})"), (Ids{"p/2", "p/3"}));
  EXPECT_EQ(fullquery(R"({"userGroups":["g2"]})"), (Ids{"p/1", "p/2"}));  // owner or access group
  EXPECT_EQ(fullquery(R"({"mode":{"type":"raw"},"text":"apoferritin"})"), Ids{"p/1"});
  EXPECT_EQ(fullquery(R"({"keywords":[]})"), (Ids{"p/1", "p/2", "p/3"}));  // empty list = no condition
}

TEST_P(StoreContractTest, FacetsCountValuesAndArrayElements) {
  add_three();
  auto types = store_->facet(schemas::datasets(), "type", Condition::always_true(), 100);
  ASSERT_EQ(types.size(), 2u);
  EXPECT_EQ(types[0].key, "raw");
  EXPECT_EQ(types[0].count, 2);
  EXPECT_EQ(types[1].key, "derived");
  auto kw = store_->facet(schemas::datasets(), "keywords", Condition::always_true(), 100);
  ASSERT_EQ(kw.size(), 2u);
  EXPECT_EQ(kw[0].key, "spa");
  EXPECT_EQ(kw[0].count, 2);
  auto days = store_->facet(schemas::datasets(), "creationTime", translate_where(schemas::datasets(), json::parse(R"({"type":"raw"})")), 100);
  ASSERT_EQ(days.size(), 2u);
  auto pub = store_->facet(schemas::datasets(), "isPublished", Condition::always_true(), 100);
  ASSERT_EQ(pub.size(), 2u);
  EXPECT_TRUE(pub[0].key.is_bool());
}

// The SQL access condition and the per-document check are two forms of one rule: on random
// documents and principals they must always agree.
TEST_P(StoreContractTest, AccessConditionAgreesWithDocumentCheck) {
  std::mt19937 rng(42);
  const std::vector<std::string> groups{"a", "b", "c", "d"};
  for (int i = 0; i < 60; ++i) {
    json::array access;
    for (const auto& g : groups)
      if (rng() % 3 == 0) access.emplace_back(g);
    json::array shared;
    if (rng() % 5 == 0) shared.emplace_back("u@x.org");
    add("d/" + std::to_string(i), {{"ownerGroup", groups[rng() % 4]}, {"accessGroups", access},
                                   {"isPublished", rng() % 4 == 0}, {"sharedWith", shared}});
  }
  std::vector<Principal> who{Principal::anonymous(), {"1", "u", "u@x.org", {"a"}}, {"2", "v", "v@x.org", {"b", "c"}},
                             {"3", "w", "", {}}, {"4", "z", "z@x.org", {"zzz"}}};
  for (const auto& p : who)
    for (bool shared : {true, false}) {
      ReadScope scope{false, shared};
      Ids expected;
      for (int i = 0; i < 60; ++i) {
        auto doc = store_->get(schemas::datasets(), "d/" + std::to_string(i));
        if (can_read(*doc, p, scope)) expected.push_back("d/" + std::to_string(i));
      }
      EXPECT_EQ(matching(read_access_condition(schemas::datasets(), p, scope)), expected) << p.username;
      EXPECT_EQ(matching(read_access_condition(schemas::datasets(), p, scope, /*probe=*/true)), expected) << p.username;
      EXPECT_FALSE(expected.size() == 60 && !p.groups.empty()) << "random data should restrict someone";
    }
}

// The facet counts a store keeps per access set answer as the facet queries over the readable
// documents do, for every kind of reader, as documents come, change readers and go — and,
// on a catalog several processes share, a second store over it (another process) sees at once
// what the first wrote.
TEST_P(StoreContractTest, CountedFacetsAgreeWithFacetQueriesForEveryReader) {
  std::mt19937 rng(11);
  const std::vector<std::string> groups{"a", "b", "c"}, types{"raw", "derived"}, words{"spa", "tomo", "cryo"};
  auto make = [&](int i) {
    json::array access, keywords, shared;
    for (const auto& g : groups)
      if (rng() % 4 == 0) access.emplace_back(g);
    for (const auto& w : words)
      if (rng() % 3 == 0) keywords.emplace_back(w);
    if (rng() % 5 == 0) shared.emplace_back("u@x.org");
    json::object doc{{"pid", "x/" + std::to_string(i)}, {"ownerGroup", groups[rng() % 3]}, {"accessGroups", access},
                     {"isPublished", rng() % 4 == 0}, {"sharedWith", shared}, {"keywords", keywords},
                     {"creationLocation", "site-" + std::to_string(rng() % 3)}};
    if (rng() % 5) doc["type"] = types[rng() % 2];  // some without: the null bucket
    return doc;
  };
  const std::vector<std::string> facets{"type", "creationLocation", "ownerGroup", "keywords", "isPublished"};
  std::vector<Principal> who{Principal::anonymous(), {"1", "u", "u@x.org", {"a"}}, {"2", "v", "v@x.org", {"b", "c"}},
                             {"3", "w", "", {}}, {"4", "admin", "", {"admin"}}};
  auto check = [&](CatalogStore& store, const std::string& when) {
    for (const auto& p : who)
      for (bool shared : {true, false}) {
        ReadScope scope{p.username == "admin", shared};
        auto readers = readable_access_values(schemas::datasets(), p, scope);
        ASSERT_TRUE(readers);
        auto counted = store.counted_facets(schemas::datasets(), *readers, facets, 100);
        ASSERT_TRUE(counted) << when << ": " << testing::backend_name(GetParam()) << " keeps no counts";
        const Condition rule = read_access_condition(schemas::datasets(), p, scope, false);
        EXPECT_EQ(counted->total, store.count(schemas::datasets(), rule)) << when << " " << p.username;
        for (std::size_t f = 0; f < facets.size(); ++f) {
          auto queried = store.facet(schemas::datasets(), facets[f], rule, 100);
          auto as_pairs = [](const std::vector<FacetBucket>& buckets) {
            std::vector<std::pair<std::string, std::int64_t>> out;
            for (const auto& b : buckets) out.emplace_back(json::serialize(b.key), b.count);
            return out;
          };
          EXPECT_EQ(as_pairs(counted->buckets[f]), as_pairs(queried)) << when << " " << p.username << " " << facets[f];
        }
      }
  };
  for (int i = 0; i < 60; ++i) store_->insert(schemas::datasets(), make(i));
  check(*store_, "after inserts");
  for (int i = 0; i < 60; i += 3) store_->replace(schemas::datasets(), make(i));  // new readers, types, keywords
  for (int i = 1; i < 60; i += 7) store_->remove(schemas::datasets(), "x/" + std::to_string(i));
  check(*store_, "after replaces and removals");
  store_->transaction([&] {  // a transaction's writes count once it committed, all of them
    store_->insert(schemas::datasets(), make(100));
    store_->replace(schemas::datasets(), make(3));
  });
  check(*store_, "after a transaction");
  if (store_->shared_between_processes()) {
    auto other = catalog_->open();
    check(*other, "a second store");
    other->insert(schemas::datasets(), make(101));
    other->remove(schemas::datasets(), "x/0");
    check(*store_, "the first store after the second wrote");
  }
}

// A text search under a read rule finds what the rule and a plain substring test find
// together, for every kind of reader, while texts wait for the index and after it took them,
// and after documents change readers (published, shared, regrouped).
TEST_P(StoreContractTest, TextSearchUnderAReadRuleAgreesWithTheRuleAndTheText) {
  std::mt19937 rng(7);
  const std::vector<std::string> groups{"a", "b", "c"}, words{"zebrafish", "apoferritin", "ribosome", "k3"};
  auto make = [&](int i) {
    json::array access;
    for (const auto& g : groups)
      if (rng() % 4 == 0) access.emplace_back(g);
    json::array shared;
    if (rng() % 5 == 0) shared.emplace_back("u@x.org");
    return json::object{{"pid", "x/" + std::to_string(i)}, {"ownerGroup", groups[rng() % 3]}, {"accessGroups", access},
                        {"isPublished", rng() % 4 == 0}, {"sharedWith", shared},
                        {"datasetName", words[rng() % 4] + " " + words[rng() % 4]}};
  };
  for (int i = 0; i < 80; ++i) store_->insert(schemas::datasets(), make(i));
  std::vector<Principal> who{Principal::anonymous(), {"1", "u", "u@x.org", {"a"}}, {"2", "v", "v@x.org", {"b", "c"}},
                             {"3", "w", "", {}}, {"4", "admin", "", {"admin"}}};
  auto check = [&](const std::string& when) {
    for (const auto& p : who)
      for (bool shared : {true, false})
        for (const std::string term : {"zebra", "ferritin", "bosome k3", "k3"}) {
          ReadScope scope{p.username == "admin", shared};
          Ids expected;
          for (int i = 0; i < 80; ++i) {
            auto doc = *store_->get(schemas::datasets(), "x/" + std::to_string(i));
            std::string name(doc.at("datasetName").as_string());
            bool has = false;
            for (const auto& t : split(term)) has = has || name.find(t) != std::string::npos;
            if (has && can_read(doc, p, scope)) expected.push_back("x/" + std::to_string(i));
          }
          for (bool probe : {false, true}) {
            QueryPlan plan;
            plan.conditions = {read_access_condition(schemas::datasets(), p, scope, probe),
                               text_condition(schemas::datasets(), term)};
            EXPECT_EQ(store_->find_ids(schemas::datasets(), plan), expected) << when << p.username << " " << term;
            EXPECT_EQ(store_->count(schemas::datasets(), all_of(plan.conditions)),
                      static_cast<std::int64_t>(expected.size())) << when << p.username << " " << term;
          }
        }
  };
  check("waiting for the index: ");
  reopen();  // SQLite: the writer indexes what waits when it closes
  check("indexed: ");
  for (int i = 0; i < 80; i += 3) {  // new readers, same texts (and some new texts)
    auto doc = make(i);
    if (i % 2) doc["datasetName"] = store_->get(schemas::datasets(), "x/" + std::to_string(i))->at("datasetName");
    ASSERT_TRUE(store_->replace(schemas::datasets(), doc));
  }
  check("readers changed: ");
  reopen();
  check("readers changed, indexed: ");
}

// The in-row access set answers as the side table and the per-document rule do in every
// collection that keeps one, after replacements too.
TEST_P(StoreContractTest, AccessSetsInRowsAgreeInEveryOwnableCollection) {
  std::mt19937 rng(5);
  const std::vector<std::string> groups{"a", "b", "c", "d"};
  auto random_doc = [&](const CollectionSchema& schema, const std::string& id) {
    json::array access;
    for (const auto& g : groups)
      if (rng() % 3 == 0) access.emplace_back(g);
    json::object doc{{schema.id_field, id}, {"ownerGroup", groups[rng() % 4]}, {"accessGroups", access},
                     {"isPublished", rng() % 4 == 0}};
    if (schema.is_array_field("sharedWith") && rng() % 3 == 0) doc["sharedWith"] = json::array{"u@x.org"};
    return doc;
  };
  std::vector<Principal> who{Principal::anonymous(), {"1", "u", "u@x.org", {"a"}}, {"2", "v", "v@x.org", {"b", "c"}},
                             {"3", "w", "", {}}, {"4", "z", "z@x.org", {"zzz"}}};
  int checked = 0;
  for (const CollectionSchema* schema : schemas::all()) {
    if (!schema->has_access_set()) continue;
    for (int i = 0; i < 30; ++i) store_->insert(*schema, random_doc(*schema, "id-" + std::to_string(i)));
    for (int i = 0; i < 30; i += 4) ASSERT_TRUE(store_->replace(*schema, random_doc(*schema, "id-" + std::to_string(i))));
    auto ids = [&](const Condition& c) {
      QueryPlan plan;
      plan.conditions.push_back(c);
      return store_->find_ids(*schema, plan);
    };
    for (const auto& p : who)
      for (bool shared : {true, false}) {
        ReadScope scope{false, shared};
        Ids expected;
        for (const auto& id : ids(Condition::always_true()))
          if (can_read(*store_->get(*schema, id), p, scope)) expected.push_back(id);
        EXPECT_EQ(ids(read_access_condition(*schema, p, scope, /*probe=*/true)), expected) << schema->name << p.username;
        EXPECT_EQ(ids(read_access_condition(*schema, p, scope)), expected) << schema->name << p.username;
        ++checked;
      }
  }
  EXPECT_GE(checked, 7 * 10);  // datasets, file lists, datablocks, attachments, proposals, samples, jobs, policies
}

TEST_P(StoreContractTest, TransactionRollsBackOnException) {
  EXPECT_THROW(store_->transaction([&] {
    add("t/1", {{"ownerGroup", "g"}});
    throw std::runtime_error("boom");
  }), std::runtime_error);
  EXPECT_FALSE(store_->get(schemas::datasets(), "t/1"));
  EXPECT_TRUE(where(R"({"ownerGroup":"g"})").empty());
  store_->transaction([&] {
    add("t/2", {{"ownerGroup", "g"}});
    add("t/3", {{"ownerGroup", "g"}});
  });
  EXPECT_EQ(where(R"({"ownerGroup":"g"})"), (Ids{"t/2", "t/3"}));
}

TEST_P(StoreContractTest, DataSurvivesReopen) {
  add_three();
  reopen();
  EXPECT_EQ(matching(text_condition(schemas::datasets(), "2021090")), Ids{"p/1"});
  EXPECT_EQ(fullquery(R"({"scientific":[{"lhs":"beam_energy","relation":"GREATER_THAN","rhs":250,"unit":"keV"}]})"), Ids{"p/1"});
}

TEST_P(StoreContractTest, FileTotalsSumBlocks) {
  for (int b = 0; b < 3; ++b) {
    json::array files;
    for (int f = 0; f <= b; ++f) files.emplace_back(json::object{{"path", "f" + std::to_string(f)}, {"size", 10}});
    store_->insert(schemas::origdatablocks(), {{"_id", "b" + std::to_string(b)}, {"datasetId", "ds"}, {"size", 10 * (b + 1)},
                                               {"dataFileList", files}, {"ownerGroup", "g"}});
  }
  auto [size, files] = store_->file_totals(schemas::origdatablocks(), "ds");
  EXPECT_EQ(size, 60);
  EXPECT_EQ(files, 6);
  QueryPlan plan;
  plan.conditions.push_back(field_is(schemas::origdatablocks(), "datasetId", std::string("ds")));
  plan.limit = 4;
  plan.skip = 1;
  auto rows = store_->unwind(schemas::origdatablocks(), "dataFileList", plan);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].at("_id"), "b1");  // second row overall: block b1's first file
  EXPECT_EQ(rows[0].at("dataFileList").at("path"), "f0");
  EXPECT_EQ(rows[3].at("dataFileList").at("path"), "f1");
  EXPECT_EQ(rows[3].at("_id"), "b2");
}

TEST_P(StoreContractTest, UsersSettingsAndTheAuditLog) {
  UserRecord u{"u1", "ada", "ada@x.org", "$argon2id$h", "local", {"g1", "g2"}, json::object{{"displayName", "Ada"}}};
  store_->upsert_user(u);
  store_->upsert_user({"u2", "bob", "", "", "oidc", {}, {}});
  auto ada = store_->user_by_name("ada");
  ASSERT_TRUE(ada);
  EXPECT_EQ(ada->id, "u1");
  EXPECT_EQ(ada->groups, (std::vector<std::string>{"g1", "g2"}));
  EXPECT_EQ(ada->extra.at("displayName"), "Ada");
  EXPECT_FALSE(ada->extra.contains("groups"));
  EXPECT_FALSE(store_->user_by_name("nobody"));
  EXPECT_TRUE(store_->update_user("u1", [](UserRecord& r) { r.groups.push_back("g3"); }));
  EXPECT_EQ(store_->user_by_id("u1")->groups.size(), 3u);
  EXPECT_FALSE(store_->update_user("u9", [](UserRecord&) { FAIL() << "no such user"; }));
  auto users = store_->list_users(10, 0);
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].username, "ada");  // by user name
  EXPECT_EQ(store_->list_users(10, 1).front().username, "bob");

  EXPECT_FALSE(store_->setting("k"));
  store_->set_setting("k", "1");
  store_->set_setting("k", "2");
  EXPECT_EQ(store_->setting("k"), "2");

  for (int i = 0; i < 5; ++i)
    store_->append_audit({0, "2026-01-0" + std::to_string(i + 1) + "T00:00:00Z", i % 2 ? "signin" : "signout",
                          i < 3 ? "ada" : "bob", "", "127.0.0.1", json::object{{"n", i}}});
  auto newest = store_->audit_events({});
  ASSERT_EQ(newest.size(), 5u);
  EXPECT_EQ(newest[0].detail.at("n"), 4);
  EXPECT_GT(newest[0].seq, newest[1].seq);
  auto ada_signins = store_->audit_events({"signin", "ada", 0, 100});
  ASSERT_EQ(ada_signins.size(), 1u);
  EXPECT_EQ(ada_signins[0].detail.at("n"), 1);
  EXPECT_EQ(store_->audit_events({"", "", newest[1].seq, 100}).size(), 3u);  // older than the second newest
}

// Failed sign-ins per key: the newest in the window first, cleared per key, forgotten once
// old; on PostgreSQL they leave the write generation (the caches) alone.
TEST_P(StoreContractTest, LoginFailuresAreCountedPerKeyNewestFirst) {
  for (double at : {100.0, 101.0, 102.5, 103.0}) store_->add_login_failure("account:ada", at);
  store_->add_login_failure("address:10.0.0.1", 101.0);
  EXPECT_EQ(store_->login_failures("account:ada", 0, 10), (std::vector<double>{103.0, 102.5, 101.0, 100.0}));
  EXPECT_EQ(store_->login_failures("account:ada", 101.0, 2), (std::vector<double>{103.0, 102.5}));
  EXPECT_EQ(store_->login_failures("account:ada", 102.6, 10), (std::vector<double>{103.0}));
  EXPECT_TRUE(store_->login_failures("account:ADA", 0, 10).empty());  // keys are exact; the throttle folds case
  store_->clear_login_failures("account:ada");
  EXPECT_TRUE(store_->login_failures("account:ada", 0, 10).empty());
  EXPECT_EQ(store_->login_failures("address:10.0.0.1", 0, 10), (std::vector<double>{101.0}));
  store_->add_login_failure("address:10.0.0.1", 200.0);
  store_->forget_login_failures(150.0);
  EXPECT_EQ(store_->login_failures("address:10.0.0.1", 0, 10), (std::vector<double>{200.0}));
  if (store_->shared_between_processes()) {
    const std::uint64_t generation = store_->write_generation();
    store_->add_login_failure("account:eve", 300.0);
    store_->clear_login_failures("account:eve");
    store_->forget_login_failures(250.0);
    EXPECT_EQ(store_->write_generation(), generation);
  }
}

// Nested transactions join the outer one; a duplicate id inside a transaction fails that
// insert only (409), and the transaction goes on.
TEST_P(StoreContractTest, NestedTransactionsAndAFailedInsertInside) {
  store_->transaction([&] {
    add("n/1", {{"ownerGroup", "g"}});
    store_->transaction([&] { add("n/2", {{"ownerGroup", "g"}}); });
    try {
      add("n/1", {{"ownerGroup", "h"}});
      ADD_FAILURE() << "expected a duplicate id";
    } catch (const StoreError& e) {
      EXPECT_EQ(e.kind(), StoreError::Kind::kDuplicateId);
    }
    add("n/3", {{"ownerGroup", "g"}});
  });
  EXPECT_EQ(where(R"({"ownerGroup":"g"})"), (Ids{"n/1", "n/2", "n/3"}));
}

// The multi-process contract (docs/deploy.md): two stores on one catalog, as two openem
// processes are. A write through one is read through the other at once, and moves the other's
// write generation, so its result caches drop what they held.
TEST_P(StoreContractTest, AWriteByAnotherProcessIsSeenAtOnce) {
  auto other = catalog_->open();
  const std::uint64_t before = store_->write_generation();
  EXPECT_EQ(store_->write_generation(), before);  // reads do not move it
  other->insert(schemas::datasets(), json::object{{"pid", "o/1"}, {"ownerGroup", "g"}, {"type", "raw"}});
  EXPECT_EQ(where(R"({"type":"raw"})"), Ids{"o/1"});
  const std::uint64_t after = store_->write_generation();
  EXPECT_GT(after, before);
  other->set_setting("s", "v");
  EXPECT_EQ(store_->setting("s"), "v");
  EXPECT_GT(store_->write_generation(), after);
}

// What a transaction reports is what was stored: a store call that failed inside it, its
// error caught by the caller, either leaves the rest to commit or fails the whole transaction
// (PostgreSQL aborts a transaction at its first failed statement); never "committed" with the
// writes gone. Before: PostgreSQL's COMMIT of the aborted transaction answered success.
TEST_P(StoreContractTest, ACaughtFailureNeverLooksCommitted) {
  bool threw = false;
  try {
    store_->transaction([&] {
      add("c/1", {{"ownerGroup", "g"}, {"datasetName", "checked by the pattern"}});
      try {
        where(R"({"datasetName":{"$regex":"(unclosed"}})");  // refused by the database
        ADD_FAILURE() << "an invalid pattern must fail";
      } catch (const StoreError& e) {
        EXPECT_EQ(e.kind(), StoreError::Kind::kInvalidPattern);
      }
    });
  } catch (const std::exception&) {
    threw = true;
  }
  EXPECT_EQ(store_->get(schemas::datasets(), "c/1").has_value(), !threw);
}

// An array element PostgreSQL cannot index (over ~2.7 KB) is the client's error there (400),
// and the caller's transaction goes on; SQLite takes it.
TEST_P(StoreContractTest, AnOverlongArrayElementIsAClientErrorOrStored) {
  std::mt19937 rng(3);
  std::string keyword;  // not compressible: PostgreSQL compresses index entries
  for (int i = 0; i < 5000; ++i) keyword += static_cast<char>('a' + rng() % 26);
  store_->transaction([&] {
    try {
      add("long/1", {{"ownerGroup", "g"}, {"keywords", json::array{keyword}}});
      EXPECT_EQ(GetParam(), Backend::Sqlite);
    } catch (const StoreError& e) {
      EXPECT_EQ(GetParam(), Backend::Postgres);
      EXPECT_EQ(e.kind(), StoreError::Kind::kInvalidDocument);
    }
    add("long/2", {{"ownerGroup", "g"}});
  });
  EXPECT_TRUE(store_->get(schemas::datasets(), "long/2"));
  EXPECT_EQ(store_->get(schemas::datasets(), "long/1").has_value(), GetParam() == Backend::Sqlite);
}

OPENEM_ON_EACH_BACKEND(StoreContractTest);

}  // namespace
}  // namespace openem
