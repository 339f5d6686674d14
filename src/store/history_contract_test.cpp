// The change history (store/history.h) on both stores: what each write records, in its own
// transaction, whose name it carries, and what a reader's rule lets through.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/acting_user.h"
#include "core/error.h"
#include "store/store_errors.h"
#include "query/access.h"
#include "store/catalog_store.h"
#include "store/testing/store_test_fixture.h"

namespace openem {
namespace {
namespace json = boost::json;
using testing::Backend;

json::value parsed(const std::string& text) { return json::parse(text); }

TEST(HistoryDeltaTest, ChangedFieldsOnlyNestedObjectsByMemberArraysWhole) {
  json::object old_doc = json::parse(R"({"_id":"x","a":1,"b":"same","c":{"x":1,"y":2},"d":[1,2],"gone":true,
                                          "history":[]})").as_object();
  json::object new_doc = json::parse(R"({"_id":"x","a":2,"b":"same","c":{"x":1,"y":3},"d":[1,2,3],"new":null,
                                          "history":[{"x":1}]})").as_object();
  json::object before, after;
  history_delta(old_doc, new_doc, {"history"}, before, after);
  EXPECT_EQ(json::value(before), json::parse(R"({"a":1,"c":{"y":2},"d":[1,2],"gone":true})"));
  EXPECT_EQ(json::value(after), json::parse(R"({"a":2,"c":{"y":3},"d":[1,2,3],"new":null,"gone":null})"));
}

TEST(HistoryDeltaTest, NothingChangedIsNoChange) {
  EXPECT_FALSE(history_update_change(schemas::datasets(), R"({"pid":"p","a":1})", R"({"a":1,"pid":"p"})"));
  EXPECT_FALSE(history_update_change(schemas::datasets(), R"({"pid":"p","history":[]})", R"({"pid":"p","history":[1]})"));
  EXPECT_TRUE(history_update_change(schemas::datasets(), R"({"pid":"p","a":1})", R"({"pid":"p","a":2})"));
}

class HistoryContractTest : public testing::StoreOnEachBackend {
 protected:
  std::vector<HistoryRecord> records(std::optional<std::string> id = std::nullopt,
                                     std::optional<Condition> readable = std::nullopt,
                                     const CollectionSchema& schema = schemas::datasets()) {
    HistoryQuery q;
    q.schema = &schema;
    q.document_id = std::move(id);
    q.readable = std::move(readable);
    return store_->history(q);
  }
};

TEST_P(HistoryContractTest, InsertUpdateDeleteAreRecordedNewestFirstWithTheActingUser) {
  {
    acting_user::Scope as("alice");
    store_->insert(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g1"}, {"datasetName", "one"},
                                                     {"datasetlifecycle", json::object{{"a", 1}, {"b", 2}}}});
  }
  {
    acting_user::Scope as("bob");
    EXPECT_TRUE(store_->replace(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g1"}, {"datasetName", "two"},
                                                                  {"datasetlifecycle", json::object{{"a", 1}, {"b", 3}}}}));
  }
  EXPECT_TRUE(store_->remove(schemas::datasets(), "p/1"));  // nobody acting: the system
  auto r = records("p/1");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0].operation, "delete");
  EXPECT_EQ(r[0].user, "system");
  EXPECT_EQ(parsed(r[0].before).at("datasetName"), "two");
  EXPECT_EQ(r[0].after, "null");
  EXPECT_EQ(r[1].operation, "update");
  EXPECT_EQ(r[1].user, "bob");
  EXPECT_EQ(parsed(r[1].before), json::parse(R"({"datasetName":"one","datasetlifecycle":{"b":2}})"));
  EXPECT_EQ(parsed(r[1].after), json::parse(R"({"datasetName":"two","datasetlifecycle":{"b":3}})"));
  EXPECT_EQ(r[2].operation, "insert");
  EXPECT_EQ(r[2].user, "alice");
  EXPECT_EQ(r[2].before, "null");
  EXPECT_EQ(parsed(r[2].after).at("datasetName"), "one");
  EXPECT_GT(r[0].seq, r[1].seq);
  EXPECT_GT(r[1].seq, r[2].seq);
  EXPECT_EQ(r[0].subsystem, "Dataset");
  EXPECT_EQ(r[0].document_id, "p/1");
  EXPECT_EQ(r[0].timestamp.size(), 24u);  // 2026-12-07T05:30:00.000Z
}

TEST_P(HistoryContractTest, TheActingUserFollowsTheWriteIntoATransaction) {
  acting_user::Scope as("carol");
  store_->transaction([&] {
    store_->insert(schemas::proposals(), json::object{{"proposalId", "pr1"}, {"ownerGroup", "g"}, {"title", "t"}});
    store_->replace(schemas::proposals(), json::object{{"proposalId", "pr1"}, {"ownerGroup", "g"}, {"title", "u"}});
  });
  auto r = records("pr1", std::nullopt, schemas::proposals());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].user, "carol");
  EXPECT_EQ(r[1].user, "carol");
  EXPECT_EQ(r[0].subsystem, "Proposal");
}

TEST_P(HistoryContractTest, AWriteThatChangesNothingOrRollsBackRecordsNothing) {
  store_->insert(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g"}, {"history", json::array()}});
  store_->replace(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g"}, {"history", json::array()}});
  store_->replace(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "g"}, {"history", json::array{1}}});
  EXPECT_THROW(store_->transaction([&] {
    store_->replace(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "h"}});
    store_->insert(schemas::datasets(), json::object{{"pid", "p/2"}, {"ownerGroup", "g"}});
    store_->remove(schemas::datasets(), "p/1");
    throw std::runtime_error("changed my mind");
  }),
               std::runtime_error);
  EXPECT_THROW(store_->insert(schemas::datasets(), json::object{{"pid", "p/1"}, {"ownerGroup", "x"}}), StoreError);  // a duplicate id
  EXPECT_FALSE(store_->replace(schemas::datasets(), json::object{{"pid", "p/9"}, {"ownerGroup", "g"}}));
  EXPECT_FALSE(store_->remove(schemas::datasets(), "p/9"));
  auto r = records();
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].operation, "insert");
  EXPECT_TRUE(records("p/2").empty());
  EXPECT_TRUE(records("p/9").empty());
}

TEST_P(HistoryContractTest, AReaderSeesOnlyRecordsOfDocumentsTheyMayReadNow) {
  store_->insert(schemas::datasets(), json::object{{"pid", "mine"}, {"ownerGroup", "g1"}, {"isPublished", false}});
  store_->insert(schemas::datasets(), json::object{{"pid", "public"}, {"ownerGroup", "g2"}, {"isPublished", true}});
  store_->insert(schemas::datasets(), json::object{{"pid", "was-public"}, {"ownerGroup", "g2"}, {"isPublished", true}});
  store_->replace(schemas::datasets(), json::object{{"pid", "was-public"}, {"ownerGroup", "g2"}, {"isPublished", false}});
  store_->insert(schemas::datasets(), json::object{{"pid", "deleted"}, {"ownerGroup", "g1"}, {"isPublished", true}});
  store_->remove(schemas::datasets(), "deleted");
  auto rule = [](std::vector<std::string> groups) {
    Principal p{"u", "u", "u@x.org", std::move(groups)};
    return read_access_condition(schemas::datasets(), p, ReadScope{false, true}, true);
  };
  auto ids = [](const std::vector<HistoryRecord>& rs) {
    std::set<std::string> out;
    for (const auto& r : rs) out.insert(r.document_id);
    return out;
  };
  using Ids = std::set<std::string>;
  EXPECT_EQ(ids(records(std::nullopt, rule({"g9"}))), (Ids{"public"}));
  EXPECT_EQ(ids(records(std::nullopt, rule({"g1"}))), (Ids{"mine", "public"}));
  EXPECT_EQ(ids(records(std::nullopt, rule({"g2"}))), (Ids{"public", "was-public"}));
  EXPECT_TRUE(records("was-public", rule({"g9"})).empty());
  EXPECT_TRUE(records("deleted", rule({"g1"})).empty());
  EXPECT_EQ(records("deleted").size(), 2u);  // readers of everything
  HistoryQuery q;
  q.schema = &schemas::datasets();
  q.readable = rule({"g9"});
  EXPECT_EQ(store_->count_history(q), 1);
  q.readable.reset();
  EXPECT_EQ(store_->count_history(q), 6);
}

TEST_P(HistoryContractTest, PagesAndFiltersByOperationAndUser) {
  for (int i = 0; i < 5; ++i) {
    acting_user::Scope as(i % 2 ? "odd" : "even");
    store_->replace(schemas::samples(), json::object{{"sampleId", "s"}, {"ownerGroup", "g"}, {"n", i}});
    if (i == 0) store_->insert(schemas::samples(), json::object{{"sampleId", "s"}, {"ownerGroup", "g"}, {"n", i}});
  }
  HistoryQuery q;
  q.schema = &schemas::samples();
  q.document_id = "s";
  EXPECT_EQ(store_->count_history(q), 5);  // the first replace found nothing
  q.skip = 1;
  q.limit = 2;
  auto page = store_->history(q);
  ASSERT_EQ(page.size(), 2u);
  EXPECT_EQ(parsed(page[0].after).at("n"), 3);
  EXPECT_EQ(parsed(page[1].after).at("n"), 2);
  q.skip = 0;
  q.limit = 100;
  q.operation = "insert";
  EXPECT_EQ(store_->count_history(q), 1);
  q.operation.reset();
  q.user = "odd";
  EXPECT_EQ(store_->count_history(q), 2);
}

TEST_P(HistoryContractTest, CollectionsWithoutASubsystemKeepNoHistory) {
  store_->insert(schemas::jobs(), json::object{{"id", "j1"}, {"type", "archive"}});
  HistoryQuery q;
  q.schema = &schemas::jobs();
  EXPECT_THROW(store_->history(q), std::invalid_argument);
  for (const CollectionSchema* s : {&schemas::origdatablocks(), &schemas::datablocks(), &schemas::attachments(),
                                    &schemas::instruments(), &schemas::policies(), &schemas::published_data()}) {
    json::object doc{{s->id_field, "x"}, {"ownerGroup", "g"}};
    store_->insert(*s, doc);
    auto r = records("x", std::nullopt, *s);
    ASSERT_EQ(r.size(), 1u) << s->name;
    EXPECT_EQ(r[0].subsystem, s->history_subsystem);
  }
}

TEST_P(HistoryContractTest, RecordsOutliveAReopen) {
  store_->insert(schemas::instruments(), json::object{{"pid", "i1"}, {"uniqueName", "krios"}});
  store_.reset();
  store_ = catalog_->open();
  store_->remove(schemas::instruments(), "i1");
  auto r = records("i1", std::nullopt, schemas::instruments());
  ASSERT_EQ(r.size(), 2u);
  EXPECT_GT(r[0].seq, r[1].seq);
}

// The event feed (HistoryFeedQuery): oldest first across collections, each with its reader's
// rule; deletes judged on the document as it was; pages that resume where the last one ended.
class HistoryFeedContractTest : public HistoryContractTest {
 protected:
  static Condition rule(std::vector<std::string> groups) {
    Principal p{"u", "u", "u@x.org", std::move(groups)};
    return read_access_condition(schemas::datasets(), p, ReadScope{false, true}, true);
  }
  HistoryFeedPage feed(std::vector<HistoryFeedQuery::Subsystem> subsystems, std::int64_t after = 0,
                       std::int64_t limit = 100, std::optional<std::string> operation = std::nullopt) {
    HistoryFeedQuery q;
    q.subsystems = std::move(subsystems);
    q.after_seq = after;
    q.up_to_seq = store_->latest_history_seq();
    q.limit = limit;
    q.operation = std::move(operation);
    return store_->history_feed(q);
  }
  static std::vector<std::string> seen(const HistoryFeedPage& page) {
    std::vector<std::string> out;
    for (const auto& r : page.records) out.push_back(r.subsystem + " " + r.operation + " " + r.document_id);
    return out;
  }
};
using Seen = std::vector<std::string>;

TEST_P(HistoryFeedContractTest, OldestFirstAcrossCollectionsEachWithItsRule) {
  EXPECT_EQ(store_->latest_history_seq(), 0);
  store_->insert(schemas::datasets(), json::object{{"pid", "mine"}, {"ownerGroup", "g1"}});
  store_->insert(schemas::instruments(), json::object{{"pid", "i1"}, {"uniqueName", "krios"}});
  store_->insert(schemas::datasets(), json::object{{"pid", "theirs"}, {"ownerGroup", "g2"}});
  store_->replace(schemas::datasets(), json::object{{"pid", "mine"}, {"ownerGroup", "g1"}, {"datasetName", "x"}});
  const auto& ds = schemas::datasets();
  const auto& in = schemas::instruments();
  auto page = feed({{&ds, rule({"g1"})}, {&in, std::nullopt}});
  EXPECT_EQ(seen(page), (Seen{"Dataset insert mine", "Instrument insert i1", "Dataset update mine"}));
  EXPECT_EQ(page.scanned_to, store_->latest_history_seq());
  EXPECT_EQ(seen(feed({{&ds, std::nullopt}})), (Seen{"Dataset insert mine", "Dataset insert theirs", "Dataset update mine"}));
  EXPECT_EQ(seen(feed({{&ds, std::nullopt}}, 0, 100, "update")), (Seen{"Dataset update mine"}));
  EXPECT_TRUE(feed({}).records.empty());
}

TEST_P(HistoryFeedContractTest, PagesResumeWhereTheLastEndedAndSkipWhatIsHidden) {
  for (int i = 0; i < 5; ++i)
    store_->insert(schemas::datasets(), json::object{{"pid", "d" + std::to_string(i)}, {"ownerGroup", i % 2 ? "g2" : "g1"}});
  const auto& ds = schemas::datasets();
  auto first = feed({{&ds, rule({"g1"})}}, 0, 2);  // the limit counts what the rule let through
  EXPECT_EQ(seen(first), (Seen{"Dataset insert d0", "Dataset insert d2"}));
  EXPECT_EQ(first.scanned_to, 3);
  auto second = feed({{&ds, rule({"g1"})}}, first.scanned_to, 2);
  EXPECT_EQ(seen(second), (Seen{"Dataset insert d4"}));
  EXPECT_EQ(second.scanned_to, store_->latest_history_seq());  // past the hidden d3 too
  EXPECT_TRUE(feed({{&ds, rule({"g1"})}}, second.scanned_to, 2).records.empty());
  EXPECT_EQ(seen(feed({{&ds, rule({"g1"})}}, 1, 1)), (Seen{"Dataset insert d2"}));  // resumes after d0
  // up_to_seq bounds the walk: a record committed after the bound waits for the next one.
  HistoryFeedQuery q;
  q.subsystems = {{&ds, std::nullopt}};
  q.after_seq = 0;
  q.up_to_seq = 3;
  EXPECT_EQ(store_->history_feed(q).records.size(), 3u);
  EXPECT_EQ(store_->history_feed(q).scanned_to, 3);
}

TEST_P(HistoryFeedContractTest, ADeleteReachesThoseWhoCouldReadTheDocumentAsItWas) {
  store_->insert(schemas::datasets(), json::object{{"pid", "a"}, {"ownerGroup", "g1"}, {"accessGroups", json::array{"g3"}}});
  store_->insert(schemas::datasets(), json::object{{"pid", "b"}, {"ownerGroup", "g2"}});
  store_->insert(schemas::datasets(), json::object{{"pid", "pub"}, {"ownerGroup", "g2"}, {"isPublished", true}});
  store_->remove(schemas::datasets(), "a");
  store_->remove(schemas::datasets(), "b");
  store_->remove(schemas::datasets(), "pub");
  const auto& ds = schemas::datasets();
  EXPECT_EQ(seen(feed({{&ds, rule({"g3"})}}, 0, 100, "delete")), (Seen{"Dataset delete a", "Dataset delete pub"}));
  EXPECT_EQ(seen(feed({{&ds, rule({"g2"})}}, 0, 100, "delete")), (Seen{"Dataset delete b", "Dataset delete pub"}));
  EXPECT_EQ(seen(feed({{&ds, rule({"g9"})}}, 0, 100, "delete")), (Seen{"Dataset delete pub"}));
  // A condition beyond the read rule (an ownerGroup filter) holds for deletes too.
  Condition owned_by_g2 = all_of({rule({"g2"}), field_is(ds, "ownerGroup", std::string("g2"))});
  EXPECT_EQ(seen(feed({{&ds, owned_by_g2}}, 0, 100, "delete")), (Seen{"Dataset delete b", "Dataset delete pub"}));
  Condition owned_by_g1 = all_of({rule({"g3"}), field_is(ds, "ownerGroup", std::string("g1"))});
  // A deleted document's earlier records are judged as its delete is: on what it was.
  EXPECT_EQ(seen(feed({{&ds, owned_by_g1}})), (Seen{"Dataset insert a", "Dataset delete a"}));
}

TEST_P(HistoryFeedContractTest, ALateSubscriberGetsADeletedDocumentsWholeStoryOrNoneOfIt) {
  store_->insert(schemas::datasets(), json::object{{"pid", "gone"}, {"ownerGroup", "g1"}});
  store_->replace(schemas::datasets(), json::object{{"pid", "gone"}, {"ownerGroup", "g1"}, {"datasetName", "x"}});
  store_->remove(schemas::datasets(), "gone");
  store_->insert(schemas::datasets(), json::object{{"pid", "closed"}, {"ownerGroup", "g1"}, {"isPublished", true}});
  store_->replace(schemas::datasets(), json::object{{"pid", "closed"}, {"ownerGroup", "g1"}, {"isPublished", false}});
  const auto& ds = schemas::datasets();
  EXPECT_EQ(seen(feed({{&ds, rule({"g1"})}})), (Seen{"Dataset insert gone", "Dataset update gone", "Dataset delete gone",
                                                     "Dataset insert closed", "Dataset update closed"}));
  // A non-member: nothing of the deleted one, nothing of the one that is private now.
  EXPECT_TRUE(feed({{&ds, rule({"g9"})}}).records.empty());
  // The same id made again later: its old records are judged by the new document.
  store_->insert(schemas::datasets(), json::object{{"pid", "gone"}, {"ownerGroup", "g2"}});
  EXPECT_EQ(seen(feed({{&ds, rule({"g2"})}})), (Seen{"Dataset insert gone", "Dataset update gone", "Dataset delete gone", "Dataset insert gone"}));
}

OPENEM_ON_EACH_BACKEND(HistoryContractTest);
OPENEM_ON_EACH_BACKEND(HistoryFeedContractTest);

}  // namespace
}  // namespace openem
