// Filter parsing (every shape clients send), output projection, and the fields no filter may
// name.
#include "query/filter.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/error.h"
#include "query/field_ref.h"
#include "query/where.h"

namespace openem {
namespace {
namespace json = boost::json;

int status_of(const std::string& text) {
  try {
    parse_filter(text);
  } catch (const ApiError& e) {
    return e.status();
  }
  return 200;
}

TEST(FilterTest, EmptyTextIsEmptyFilter) {
  ListFilter f = parse_filter("");
  EXPECT_TRUE(f.where.is_null());
  EXPECT_FALSE(f.limit);
  EXPECT_EQ(f.skip, 0);
}

TEST(FilterTest, LimitsObjectAsPyscicatSendsIt) {
  ListFilter f = parse_filter(R"({"where":{"a":1},"limits":{"skip":50,"limit":25,"order":"creationTime:desc"}})");
  EXPECT_EQ(f.where.at("a"), 1);
  EXPECT_EQ(*f.limit, 25);
  EXPECT_EQ(f.skip, 50);
  ASSERT_EQ(f.order.size(), 1u);
  EXPECT_EQ(f.order[0].field, "creationTime");
  EXPECT_TRUE(f.order[0].descending);
}

TEST(FilterTest, TopLevelLoopbackWindowAndOrderForms) {
  ListFilter f = parse_filter(R"({"limit":"10","skip":3,"order":["size DESC","datasetName ASC"]})");
  EXPECT_EQ(*f.limit, 10);
  EXPECT_EQ(f.skip, 3);
  ASSERT_EQ(f.order.size(), 2u);
  EXPECT_TRUE(f.order[0].descending);
  EXPECT_FALSE(f.order[1].descending);
  ListFilter g = parse_filter(R"({"limits":{"sort":{"createdAt":"desc","pid":1}}})");
  ASSERT_EQ(g.order.size(), 2u);
  EXPECT_EQ(g.order[0].field, "createdAt");
  EXPECT_TRUE(g.order[0].descending);
  EXPECT_FALSE(g.order[1].descending);
  ListFilter h = parse_filter(R"({"order":"a:asc,b:desc"})");
  ASSERT_EQ(h.order.size(), 2u);
  EXPECT_TRUE(h.order[1].descending);
}

TEST(FilterTest, FieldsAndIncludeShapes) {
  ListFilter f = parse_filter(R"({"fields":["pid","scientificMetadata.beam"],"include":["Attachments",{"relation":"origdatablocks","scope":{"limit":2}}]})");
  EXPECT_EQ(f.fields, (std::vector<std::string>{"pid", "scientificMetadata.beam"}));
  ASSERT_EQ(f.include.size(), 2u);
  EXPECT_EQ(f.include[0].relation, "attachments");
  EXPECT_EQ(f.include[1].relation, "origdatablocks");
  EXPECT_EQ(f.include[1].scope.at("limit"), 2);
  ListFilter g = parse_filter(R"({"fields":{"pid":true,"thumbnail":0}})");
  EXPECT_EQ(g.fields, std::vector<std::string>{"pid"});
  EXPECT_EQ(g.excluded_fields, std::vector<std::string>{"thumbnail"});
}

TEST(FilterTest, BadFiltersAre400WithReason) {
  EXPECT_EQ(status_of("{not json"), 400);
  EXPECT_EQ(status_of("[1,2]"), 400);
  EXPECT_EQ(status_of(R"({"skip":-1})"), 400);
  EXPECT_EQ(status_of(R"({"limit":"many"})"), 400);
  EXPECT_EQ(status_of(R"({"order":"a:sideways"})"), 400);
  EXPECT_EQ(status_of(R"({"include":[{"scope":{}}]})"), 400);
  try {
    parse_filter("{\"where\":");
  } catch (const ApiError& e) {
    EXPECT_EQ(e.messages().front().rfind("Invalid JSON in filter", 0), 0u) << e.messages().front();
  }
  std::string deep(200, '[');
  EXPECT_EQ(status_of(deep), 400);  // nesting beyond the parser's depth limit
}

// A field computed for each reader (a proposal's numberOfDatasets) has no stored value to
// filter or sort on: naming it anywhere in a where, or in an order, is a 400 that says so.
TEST(FilterTest, PerReaderFieldsCannotBeFilteredOrSorted) {
  auto where_status = [](const char* where) {
    try {
      translate_where(schemas::proposals(), json::parse(where));
    } catch (const ApiError& e) {
      EXPECT_NE(e.messages().front().find("numberOfDatasets is computed for each reader"), std::string::npos) << where;
      return e.status();
    }
    return 200;
  };
  EXPECT_EQ(where_status(R"({"numberOfDatasets": 1})"), 400);
  EXPECT_EQ(where_status(R"({"numberOfDatasets": {"gt": 0}})"), 400);
  EXPECT_EQ(where_status(R"({"numberOfDatasets.x": null})"), 400);
  EXPECT_EQ(where_status(R"({"or": [{"title": "a"}, {"and": [{"numberOfDatasets": {"$exists": true}}]}]})"), 400);
  EXPECT_EQ(where_status(R"({"title": "a", "numberOfDatasetsX": 1})"), 200);  // another name
  EXPECT_THROW(order_by_field(schemas::proposals(), "numberOfDatasets", true), ApiError);
  // Only proposals compute it: a dataset field of that name is an ordinary one.
  EXPECT_NO_THROW(translate_where(schemas::datasets(), json::parse(R"({"numberOfDatasets": 1})")));
}

TEST(FilterTest, HugeLimitIsCapped) {
  EXPECT_EQ(*parse_filter(R"({"limit":99999999999})").limit, 100000);
}

TEST(FilterTest, ProjectionKeepsDottedPathsAndDropsExclusions) {
  json::object doc = json::parse(R"({"pid":"p","a":{"b":1,"c":2},"thumbnail":"data:...","size":3})").as_object();
  ListFilter f;
  f.fields = {"pid", "a.b", "missing.x"};
  EXPECT_EQ(project(doc, f), json::parse(R"({"pid":"p","a":{"b":1}})").as_object());
  ListFilter g;
  g.excluded_fields = {"thumbnail", "a.c"};
  EXPECT_EQ(project(doc, g), json::parse(R"({"pid":"p","a":{"b":1},"size":3})").as_object());
  EXPECT_EQ(project(doc, ListFilter{}), doc);
}

// v4 lists (attachments, origdatablocks) without limits: upstream's 10 newest.
TEST(FilterTest, V4DefaultWindow) {
  ListFilter none = parse_filter("");
  apply_v4_default_window(none);
  EXPECT_EQ(none.limit, 10);
  ASSERT_EQ(none.order.size(), 1u);
  EXPECT_EQ(none.order[0].field, "createdAt");
  EXPECT_TRUE(none.order[0].descending);

  ListFilter sorted = parse_filter(R"({"limits": {"order": "caption:asc"}})");
  apply_v4_default_window(sorted);
  EXPECT_EQ(sorted.limit, 10);
  ASSERT_EQ(sorted.order.size(), 1u);
  EXPECT_EQ(sorted.order[0].field, "caption");

  ListFilter limited = parse_filter(R"({"limits": {"limit": 3}})");
  apply_v4_default_window(limited);
  EXPECT_EQ(limited.limit, 3);
  EXPECT_TRUE(limited.order.empty());
}

}  // namespace
}  // namespace openem
