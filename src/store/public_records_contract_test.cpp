// Harvesting (store/public_records.h), the same on every store: public datasets and
// tombstones in one (datestamp, id) order, keyset windows, sets by column and array field,
// tombstones made by every way a dataset stops being public and dropped when it is public again.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "store/catalog_store.h"
#include "store/testing/store_test_fixture.h"

namespace openem {
namespace {
namespace json = boost::json;
using testing::Backend;

class PublicRecordsContractTest : public testing::StoreOnEachBackend {
 protected:
  json::object dataset(const std::string& pid, bool published, const std::string& updated,
                       const std::string& group = "g1", json::array instruments = {}) {
    return json::object{{"pid", pid},           {"ownerGroup", group},     {"accessGroups", json::array{}},
                        {"isPublished", published}, {"updatedAt", updated}, {"instrumentIds", std::move(instruments)},
                        {"datasetName", "n " + pid}};
  }

  std::vector<std::string> ids(const PublicRecordRange& r, std::int64_t limit = 100) {
    std::vector<std::string> out;
    for (const auto& rec : store_->public_records(schemas::datasets(), r, limit, false))
      out.push_back((rec.deleted ? "-" : "") + rec.id);
    return out;
  }
};

TEST_P(PublicRecordsContractTest, PublicDatasetsInDatestampThenIdOrderAndPrivateNever) {
  store_->insert(schemas::datasets(), dataset("b", true, "2026-01-01T00:00:02.000Z"));
  store_->insert(schemas::datasets(), dataset("a", true, "2026-01-01T00:00:02.000Z"));
  store_->insert(schemas::datasets(), dataset("c", true, "2026-01-01T00:00:01.000Z"));
  store_->insert(schemas::datasets(), dataset("secret", false, "2026-01-01T00:00:00.000Z"));
  EXPECT_EQ(ids({}), (std::vector<std::string>{"c", "a", "b"}));
  EXPECT_EQ(store_->count_public_records(schemas::datasets(), {}), 3);
  EXPECT_EQ(store_->earliest_public_datestamp(schemas::datasets()), "2026-01-01T00:00:01.000Z");
  EXPECT_FALSE(store_->public_record(schemas::datasets(), "secret"));
  EXPECT_FALSE(store_->public_record(schemas::datasets(), "never"));
  auto a = store_->public_record(schemas::datasets(), "a");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->datestamp, "2026-01-01T00:00:02.000Z");
  EXPECT_NE(a->json.find("\"n a\""), std::string::npos);
  // With documents: the same order, each with its own document.
  auto recs = store_->public_records(schemas::datasets(), {}, 10, true);
  ASSERT_EQ(recs.size(), 3u);
  for (const auto& r : recs) EXPECT_EQ(json::parse(r.json).as_object().at("pid").as_string(), r.id);
}

TEST_P(PublicRecordsContractTest, KeysetWindowsAndBounds) {
  for (int i = 0; i < 10; ++i)
    store_->insert(schemas::datasets(), dataset("p" + std::to_string(i), true,
                                                "2026-01-01T00:00:0" + std::to_string(i) + ".000Z"));
  PublicRecordRange r;
  r.after_datestamp = "2026-01-01T00:00:03.000Z";
  r.after_id = "p3";
  EXPECT_EQ(ids(r, 3), (std::vector<std::string>{"p4", "p5", "p6"}));
  r.after_id = "";  // (from, ""): from inclusive
  EXPECT_EQ(ids(r, 2), (std::vector<std::string>{"p3", "p4"}));
  r.before_datestamp = "2026-01-01T00:00:05.000Z";
  EXPECT_EQ(ids(r), (std::vector<std::string>{"p3", "p4"}));
  EXPECT_EQ(store_->count_public_records(schemas::datasets(), r), 2);
}

TEST_P(PublicRecordsContractTest, TombstonesForDeletedAndUnpublishedAndNoneForPrivateOnes) {
  store_->insert(schemas::datasets(), dataset("gone", true, "2026-01-01T00:00:00.000Z"));
  store_->insert(schemas::datasets(), dataset("hidden", true, "2026-01-01T00:00:00.000Z"));
  store_->insert(schemas::datasets(), dataset("private", false, "2026-01-01T00:00:00.000Z"));
  store_->insert(schemas::datasets(), dataset("stays", true, "2026-01-01T00:00:00.000Z"));
  ASSERT_TRUE(store_->remove(schemas::datasets(), "gone"));
  ASSERT_TRUE(store_->replace(schemas::datasets(), dataset("hidden", false, "2026-01-02T00:00:00.000Z", "g2")));
  ASSERT_TRUE(store_->remove(schemas::datasets(), "private"));
  EXPECT_EQ(ids({}), (std::vector<std::string>{"stays", "-gone", "-hidden"}));  // tombstones dated now: later
  auto hidden = store_->public_record(schemas::datasets(), "hidden");
  ASSERT_TRUE(hidden);
  EXPECT_TRUE(hidden->deleted);
  EXPECT_TRUE(hidden->json.empty());
  EXPECT_FALSE(store_->public_record(schemas::datasets(), "private"));
  // Tombstones are in every set; the set filters only the public documents.
  PublicRecordRange g2;
  g2.set = PublicRecordSet{"ownerGroup", "g2"};
  EXPECT_EQ(ids(g2), (std::vector<std::string>{"-gone", "-hidden"}));
  // Public again: the tombstone goes, the live record is back.
  ASSERT_TRUE(store_->replace(schemas::datasets(), dataset("hidden", true, "2026-01-03T00:00:00.000Z")));
  EXPECT_EQ(ids({}), (std::vector<std::string>{"stays", "hidden", "-gone"}));
  // A new public dataset under a deleted one's pid replaces its tombstone.
  store_->insert(schemas::datasets(), dataset("gone", true, "2026-01-04T00:00:00.000Z"));
  EXPECT_EQ(ids({}), (std::vector<std::string>{"stays", "hidden", "gone"}));
  // A transaction that rolls back leaves no tombstone.
  EXPECT_THROW(store_->transaction([&] {
    store_->remove(schemas::datasets(), "stays");
    throw std::runtime_error("abort");
  }),
               std::runtime_error);
  EXPECT_EQ(ids({}), (std::vector<std::string>{"stays", "hidden", "gone"}));
}

TEST_P(PublicRecordsContractTest, SetsByColumnAndArrayFieldAndTheirValues) {
  store_->insert(schemas::datasets(), dataset("a", true, "2026-01-01T00:00:01.000Z", "g1", {"krios", "glacios"}));
  store_->insert(schemas::datasets(), dataset("b", true, "2026-01-01T00:00:02.000Z", "g2", {"krios"}));
  store_->insert(schemas::datasets(), dataset("c", true, "2026-01-01T00:00:03.000Z", "g2"));
  store_->insert(schemas::datasets(), dataset("p", false, "2026-01-01T00:00:04.000Z", "secret-group", {"secret-scope"}));
  PublicRecordRange r;
  r.set = PublicRecordSet{"instrumentIds", "krios"};
  EXPECT_EQ(ids(r), (std::vector<std::string>{"a", "b"}));
  r.set = PublicRecordSet{"instrumentIds", ""};
  EXPECT_EQ(ids(r), (std::vector<std::string>{"a", "b"}));
  r.set = PublicRecordSet{"ownerGroup", "g2"};
  EXPECT_EQ(ids(r), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(store_->count_public_records(schemas::datasets(), r), 2);
  r.set = PublicRecordSet{"ownerGroup", "secret-group"};
  EXPECT_TRUE(ids(r).empty());
  EXPECT_EQ(store_->public_values(schemas::datasets(), "ownerGroup", 10), (std::vector<std::string>{"g1", "g2"}));
  EXPECT_EQ(store_->public_values(schemas::datasets(), "instrumentIds", 10),
            (std::vector<std::string>{"glacios", "krios"}));
  r.set = PublicRecordSet{"noSuchField", "x"};
  EXPECT_THROW(store_->public_records(schemas::datasets(), r, 10, false), std::invalid_argument);
  EXPECT_THROW(store_->public_records(schemas::proposals(), {}, 10, false), std::invalid_argument);
}

OPENEM_ON_EACH_BACKEND(PublicRecordsContractTest);

}  // namespace
}  // namespace openem
