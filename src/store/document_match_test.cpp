// document_matches: a deleted document judged in memory the way the stores judge stored ones.
#include "store/document_match.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/principal.h"
#include "query/access.h"
#include "query/where.h"

namespace openem {
namespace {
namespace json = boost::json;

DocumentMatch match(const char* doc, const Condition& c, const CollectionSchema& schema = schemas::datasets()) {
  return document_matches(document_rows(schema, json::parse(doc).as_object()), c);
}
Condition read_rule(const CollectionSchema& schema, std::vector<std::string> groups, std::string email = "u@x.org") {
  Principal p{"u", "u", std::move(email), std::move(groups)};
  return read_access_condition(schema, p, ReadScope{false, true}, true);
}

TEST(DocumentMatchTest, TheReadRuleOnOwnerAccessGroupsPublishedAndSharedWith) {
  const char* doc = R"({"pid":"p","ownerGroup":"g1","accessGroups":["g3"],"sharedWith":["x@y.org"]})";
  EXPECT_EQ(match(doc, read_rule(schemas::datasets(), {"g1"})), DocumentMatch::Yes);
  EXPECT_EQ(match(doc, read_rule(schemas::datasets(), {"g3"})), DocumentMatch::Yes);
  EXPECT_EQ(match(doc, read_rule(schemas::datasets(), {"g2"})), DocumentMatch::No);
  EXPECT_EQ(match(R"({"pid":"p","ownerGroup":"g1","isPublished":true})", read_rule(schemas::datasets(), {"g2"})),
            DocumentMatch::Yes);
  Principal anonymous;
  EXPECT_EQ(match(doc, read_access_condition(schemas::datasets(), anonymous, ReadScope{false, true}, true)),
            DocumentMatch::No);
  EXPECT_EQ(match(R"({"pid":"p","ownerGroup":"g1","isPublished":true})",
                  read_access_condition(schemas::datasets(), anonymous, ReadScope{false, true}, true)),
            DocumentMatch::Yes);
  ASSERT_TRUE(schemas::datasets().is_array_field("sharedWith"));  // datasets grant read by sharedWith
  EXPECT_EQ(match(doc, read_rule(schemas::datasets(), {"g2"}, "x@y.org")), DocumentMatch::Yes);
}

TEST(DocumentMatchTest, TheRuleOfACollectionWithoutAnAccessSetInItsRow) {
  for (const CollectionSchema* schema : schemas::all()) {
    if (!schema->ownable || schema->has_access_set()) continue;
    std::string id = "{\"" + schema->id_field + "\":\"x\",\"ownerGroup\":\"g1\",\"accessGroups\":[\"g3\"]}";
    EXPECT_EQ(match(id.c_str(), read_rule(*schema, {"g3"}), *schema), DocumentMatch::Yes) << schema->name;
    EXPECT_EQ(match(id.c_str(), read_rule(*schema, {"g2"}), *schema), DocumentMatch::No) << schema->name;
  }
}

TEST(DocumentMatchTest, ComparisonsListsPresenceAndLogicAsTheStoresSql) {
  const auto& ds = schemas::datasets();
  const char* doc = R"({"pid":"p","ownerGroup":"g1","size":10,"keywords":["a","b"]})";
  EXPECT_EQ(match(doc, field_is(ds, "ownerGroup", std::string("g1"))), DocumentMatch::Yes);
  EXPECT_EQ(match(doc, field_is(ds, "pid", std::string("p"))), DocumentMatch::Yes);
  EXPECT_EQ(match(doc, field_compare(ds, "size", Comparison::Gt, std::int64_t{9})), DocumentMatch::Yes);
  EXPECT_EQ(match(doc, field_compare(ds, "size", Comparison::Lt, 9.5)), DocumentMatch::No);
  EXPECT_EQ(match(doc, field_one_of(ds, "keywords", {std::string("z"), std::string("b")})), DocumentMatch::Yes);
  EXPECT_EQ(match(doc, field_missing(ds, "sourceFolder")), DocumentMatch::Yes);
  // A comparison with a missing value is false, and its negation true (NOT COALESCE(..., FALSE)).
  EXPECT_EQ(match(doc, field_is(ds, "sourceFolder", std::string("x"))), DocumentMatch::No);
  EXPECT_EQ(match(doc, negation(field_is(ds, "sourceFolder", std::string("x")))), DocumentMatch::Yes);
  EXPECT_EQ(match(doc, any_of({field_is(ds, "ownerGroup", std::string("g9")), Condition::always_true()})),
            DocumentMatch::Yes);
  EXPECT_EQ(match(doc, all_of({field_is(ds, "ownerGroup", std::string("g9")), Condition::always_true()})),
            DocumentMatch::No);
}

TEST(DocumentMatchTest, WhatItCannotJudgeIsUnknownAndUnknownIsNeverAYes) {
  const auto& ds = schemas::datasets();
  const char* doc = R"({"pid":"p","ownerGroup":"g1","datasetName":"hello"})";
  Condition text = translate_where(ds, json::parse(R"({"datasetName":{"$regex":"hel"}})").as_object());
  EXPECT_EQ(match(doc, text), DocumentMatch::Unknown);
  EXPECT_EQ(match(doc, negation(text)), DocumentMatch::Unknown);
  EXPECT_EQ(match(doc, any_of({text, field_is(ds, "ownerGroup", std::string("g9"))})), DocumentMatch::Unknown);
  EXPECT_EQ(match(doc, all_of({text, field_is(ds, "ownerGroup", std::string("g9"))})), DocumentMatch::No);
}

}  // namespace
}  // namespace openem
