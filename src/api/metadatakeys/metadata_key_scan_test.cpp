// The metadata keys' filter (operators, bounded $regex) and walk (a window, early stop, caps),
// with datasets from a function instead of the store.
#include "api/metadatakeys/metadata_key_scan.h"

#include <gtest/gtest.h>

#include <string>

#include "core/error.h"

namespace openem {
namespace {
namespace json = boost::json;

// n datasets, each with keys k0..k{keys-1}; counts the datasets the walk reads.
struct Datasets {
  std::int64_t n, keys;
  std::int64_t read = 0;
  json::array operator()(std::int64_t skip, std::int64_t limit) {
    json::array out;
    for (std::int64_t i = skip; i < std::min(n, skip + limit); ++i) {
      json::object sm;
      for (std::int64_t k = 0; k < keys; ++k) sm["k" + std::to_string(k)] = json::object{{"value", k}};
      out.push_back(json::object{{"pid", "p/" + std::to_string(i)}, {"ownerGroup", "g"}, {"scientificMetadata", sm}});
      ++read;
    }
    return out;
  }
};

int status_of(const char* where) {
  try {
    MetadataKeyFilter f(json::parse(where));
  } catch (const ApiError& e) {
    return e.status();
  }
  return 200;
}

TEST(MetadataKeyFilterTest, OperatorsAndPatterns) {
  json::object key{{"key", "beam_energy"}, {"humanReadableName", "Beam energy"}, {"userGroups", json::array{"g1", "g2"}}};
  auto hit = [&](const char* where) { return MetadataKeyFilter(json::parse(where)).matches(key); };
  EXPECT_TRUE(hit("null"));
  EXPECT_TRUE(hit(R"({"userGroups": "g2"})"));
  EXPECT_TRUE(hit(R"({"key": {"$in": ["x", "beam_energy"]}, "userGroups": {"$nin": ["g3"]}})"));
  EXPECT_TRUE(hit(R"({"humanReadableName": {"$regex": "^BEAM", "$options": "i"}})"));
  EXPECT_FALSE(hit(R"({"humanReadableName": {"$regex": "^BEAM"}})"));
  EXPECT_TRUE(hit(R"({"$or": [{"key": "x"}, {"key": {"$regex": "energy$"}}]})"));
  EXPECT_FALSE(hit(R"({"$nor": [{"key": {"$exists": true}}]})"));
  // Checked when built, whether or not any document is ever matched.
  EXPECT_EQ(status_of(R"({"key": {"$regex": "("}})"), 400);
  EXPECT_EQ(status_of(R"({"key": {"$regex": 1}})"), 400);
  EXPECT_EQ(status_of(R"({"key": {"$regex": "a", "$options": "g"}})"), 400);
  EXPECT_EQ(status_of(R"({"key": {"$where": "1"}})"), 400);
  EXPECT_EQ(status_of(R"({"$or": {"key": "x"}})"), 400);
  EXPECT_EQ(status_of(("{\"key\": {\"$regex\": \"" + std::string(1001, 'a') + "\"}}").c_str()), 400);
}

// "(a+)+$" against "aaaa…b" backtracks 2^n steps: the answer is a 400, after bounded work.
TEST(MetadataKeyFilterTest, PathologicalPatternIsA400) {
  MetadataKeyFilter f(json::parse(R"({"key": {"$regex": "(a+)+$"}})"));
  json::object key{{"key", std::string(64, 'a') + "b"}};
  try {
    f.matches(key);
    ADD_FAILURE() << "a pattern needing 2^64 steps matched";
  } catch (const ApiError& e) {
    EXPECT_EQ(e.status(), 400);
    EXPECT_NE(e.messages().front().find("too complex"), std::string::npos) << e.messages().front();
  }
  EXPECT_TRUE(f.matches(json::object{{"key", "aaa"}}));
}

TEST(MetadataKeysScanTest, StopsReadingDatasetsOnceTheWindowIsFull) {
  Datasets source{5000, 10};
  MetadataKeyFilter everything(nullptr);
  auto keys = collect_metadata_keys(std::ref(source), everything, 0, 5);
  EXPECT_EQ(keys.size(), 5u);
  EXPECT_LE(source.read, 32);  // one first page, not the 5,000 datasets
  EXPECT_EQ(keys[0].at("id"), "Datasets_p/0_k0");

  Datasets again{5000, 10};
  keys = collect_metadata_keys(std::ref(again), everything, 995, 10);  // the window starts in dataset 99
  EXPECT_EQ(keys.size(), 10u);
  EXPECT_EQ(keys[0].at("id"), "Datasets_p/99_k5");
  EXPECT_LT(again.read, 300);
}

TEST(MetadataKeysScanTest, ReadsAtMostTheCapOfDatasets) {
  Datasets source{20000, 1};
  MetadataKeyFilter none(json::parse(R"({"key": "nothing"})"));
  EXPECT_TRUE(collect_metadata_keys(std::ref(source), none, 0, 10).empty());
  EXPECT_EQ(source.read, kMetadataKeysMaxDatasets);
  Datasets few{3, 2};
  EXPECT_EQ(collect_metadata_keys(std::ref(few), none, 0, 10).size(), 0u);
  EXPECT_EQ(few.read, 3);
}

TEST(MetadataKeysScanTest, LimitIsDefaultedAndCapped) {
  ListFilter f;
  EXPECT_EQ(metadata_keys_limit(f), 100);
  f.limit = 5000;
  EXPECT_EQ(metadata_keys_limit(f), 1000);
  f.limit = 7;
  EXPECT_EQ(metadata_keys_limit(f), 7);
  Datasets source{100, 20};
  MetadataKeyFilter everything(nullptr);
  f.limit = 100000;
  EXPECT_EQ(collect_metadata_keys(std::ref(source), everything, 0, metadata_keys_limit(f)).size(), 1000u);
}

}  // namespace
}  // namespace openem
