#include "store/access_facet_counts.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "model/access_set.h"

namespace openem {
namespace {
namespace json = boost::json;

CountedDocument doc(std::vector<std::string> access, json::value type, std::vector<std::string> keywords) {
  CountedDocument d;
  d.access_set = access_set_key(std::move(access));
  d.values.push_back({std::move(type)});
  std::vector<json::value> kw;
  for (auto& k : keywords) kw.emplace_back(json::string(k));
  d.values.push_back(std::move(kw));
  return d;
}

std::vector<std::pair<std::string, std::int64_t>> pairs(const std::vector<FacetBucket>& b) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& x : b) out.emplace_back(json::serialize(x.key), x.count);
  return out;
}

class AccessFacetCountsTest : public ::testing::Test {
 protected:
  AccessFacetCounts counts{{"type", "keywords"}};
  void SetUp() override {
    FacetCountDelta d;
    d.add(doc({"g1"}, "raw", {"spa"}), +1);
    d.add(doc({"g2", "g1"}, "raw", {"spa", "tomo"}), +1);  // one access set, whatever the order
    d.add(doc({"g1", "g2"}, "derived", {}), +1);
    d.add(doc({"g3", ""}, nullptr, {"tomo"}), +1);  // published
    counts.apply(d);
  }
};

TEST_F(AccessFacetCountsTest, EachReaderSeesTheSumOverItsAccessSets) {
  auto all = counts.count({true, {}}, {"type", "keywords"}, 100);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->total, 4);
  EXPECT_EQ(pairs(all->buckets[0]), (decltype(pairs({})){{"\"raw\"", 2}, {"null", 1}, {"\"derived\"", 1}}));
  EXPECT_EQ(pairs(all->buckets[1]), (decltype(pairs({})){{"\"spa\"", 2}, {"\"tomo\"", 2}}));
  auto g2 = counts.count({false, {"", "g2"}}, {"keywords"}, 100);
  EXPECT_EQ(g2->total, 3);  // two through g2, one published
  EXPECT_EQ(pairs(g2->buckets[0]), (decltype(pairs({})){{"\"tomo\"", 2}, {"\"spa\"", 1}}));
  auto anonymous = counts.count({false, {""}}, {"type"}, 100);
  EXPECT_EQ(anonymous->total, 1);
  EXPECT_EQ(pairs(anonymous->buckets[0]), (decltype(pairs({})){{"null", 1}}));
  EXPECT_EQ(counts.count({false, {"nobody"}}, {"type"}, 100)->total, 0);
  EXPECT_EQ(counts.access_sets(), 3u);
}

TEST_F(AccessFacetCountsTest, RemovalsDropEmptyBucketsAndSets) {
  FacetCountDelta d;
  d.add(doc({"g3", ""}, nullptr, {"tomo"}), -1);
  d.add(doc({"g1"}, "raw", {"spa"}), -1);
  counts.apply(d);
  EXPECT_EQ(counts.access_sets(), 1u);
  auto all = counts.count({true, {}}, {"type", "keywords"}, 100);
  EXPECT_EQ(all->total, 2);
  EXPECT_EQ(pairs(all->buckets[0]), (decltype(pairs({})){{"\"derived\"", 1}, {"\"raw\"", 1}}));
  EXPECT_EQ(pairs(all->buckets[1]), (decltype(pairs({})){{"\"spa\"", 1}, {"\"tomo\"", 1}}));
}

TEST_F(AccessFacetCountsTest, DeltasMergeAndCancel) {
  FacetCountDelta a, b;
  a.add(doc({"g9"}, "raw", {"x"}), +1);
  b.add(doc({"g9"}, "raw", {"x"}), -1);
  a.merge(b);
  counts.apply(a);
  EXPECT_EQ(counts.access_sets(), 3u);
  EXPECT_EQ(counts.count({true, {}}, {"type"}, 100)->total, 4);
}

// A delta handed to another process as JSON counts there as it counts here.
TEST_F(AccessFacetCountsTest, ADeltaThroughJsonAppliesTheSame) {
  FacetCountDelta d;
  d.add(doc({"g1"}, "raw", {"spa", "x\"y"}), +1);
  d.add(doc({"g3", ""}, nullptr, {"tomo"}), -1);
  d.add(doc({"g7"}, 42, {}), +1);
  AccessFacetCounts copy{{"type", "keywords"}};
  copy.apply(FacetCountDelta::from_json(json::parse(json::serialize(d.to_json()))));
  counts.apply(d);
  AccessFacetCounts direct{{"type", "keywords"}};
  direct.apply(d);
  for (const AccessValues& who : {AccessValues{true, {}}, AccessValues{false, {"g1"}}, AccessValues{false, {"g7", ""}}}) {
    auto a = copy.count(who, {"type", "keywords"}, 100), b = direct.count(who, {"type", "keywords"}, 100);
    EXPECT_EQ(a->total, b->total);
    EXPECT_EQ(pairs(a->buckets[0]), pairs(b->buckets[0]));
    EXPECT_EQ(pairs(a->buckets[1]), pairs(b->buckets[1]));
  }
  EXPECT_EQ(pairs(copy.count({false, {"g7"}}, {"type"}, 100)->buckets[0]), (decltype(pairs({})){{"42", 1}}));
  for (const char* bad : {"[]", R"({"k":1})", R"({"k":[1]})", R"({"k":[1,[{"a":"b"}]]})", R"({"k":["1",[]]})"})
    EXPECT_THROW(FacetCountDelta::from_json(json::parse(bad)), std::invalid_argument) << bad;
}

TEST_F(AccessFacetCountsTest, OrderLimitAndUnknownFacets) {
  FacetCountDelta d;
  d.add(doc({"g1"}, 7, {}), +1);
  d.add(doc({"g1"}, true, {}), +1);
  counts.apply(d);
  // Ties in SQLite's order: null, then numbers (true is 1), then text.
  auto all = counts.count({true, {}}, {"type"}, 3);
  EXPECT_EQ(pairs(all->buckets[0]), (decltype(pairs({})){{"\"raw\"", 2}, {"null", 1}, {"true", 1}}));
  EXPECT_FALSE(counts.count({true, {}}, {"type", "creationTime"}, 10));
}

}  // namespace
}  // namespace openem
