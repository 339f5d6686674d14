// The SQLite form of conditions: values only as parameters, the forms the store's indexes
// need (a partial index's constant, the access rule's two forms), Mongo's null-safe NOT.
// What the SQL finds is tested through the store (sqlite_catalog_store_test.cpp).
#include "store/sqlite/sqlite_condition_sql.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <algorithm>

#include "core/principal.h"
#include "query/access.h"
#include "query/field_ref.h"
#include "query/where.h"

namespace openem {
namespace {
using sqlite_sql::condition_sql;

bool has_param(const sqlite_sql::SqlFragment& f, const FieldValue& v) {
  return std::find(f.params.begin(), f.params.end(), v) != f.params.end();
}

TEST(SqliteConditionSqlTest, ValuesAndFieldNamesTravelAsParameters) {
  const auto& ds = schemas::datasets();
  const std::string hostile = "x'); DROP TABLE datasets; --";
  auto where = condition_sql(ds, translate_where(ds, boost::json::object{{"datasetName", hostile},
                                                                         {"a.b", hostile},
                                                                         {"keywords", hostile}}));
  EXPECT_EQ(where.sql.find("DROP"), std::string::npos);
  EXPECT_EQ(std::count(where.params.begin(), where.params.end(), FieldValue(hostile)), 4);  // a.b twice: scalar, array of objects
  EXPECT_TRUE(has_param(where, FieldValue(std::string(R"($."a"."b")"))));
  EXPECT_EQ(sqlite_sql::json_path_for(R"(a.b"c\)"), R"($."a"."b\"c\\")");
}

// datasets_embargo is a partial index WHERE is_published = 0: SQLite uses it only for a
// query that names that constant, so booleans are written as literals.
TEST(SqliteConditionSqlTest, BooleansAreLiteralsSoPartialIndexesApply) {
  const auto& ds = schemas::datasets();
  auto unpublished = condition_sql(ds, field_is(ds, "isPublished", std::int64_t{0}));
  EXPECT_EQ(unpublished.sql, "t.is_published = 0");
  EXPECT_TRUE(unpublished.params.empty());
  auto from_filter = condition_sql(ds, translate_where(ds, boost::json::parse(R"({"isPublished":true})")));
  EXPECT_EQ(from_filter.sql, "t.is_published = 1");
  // Anything else stays a parameter.
  auto odd = condition_sql(ds, field_is(ds, "isPublished", std::string("1")));
  EXPECT_EQ(odd.sql, "t.is_published = ?");
}

TEST(SqliteConditionSqlTest, NotIsTrueWhenTheConditionIsUnknown) {
  const auto& ds = schemas::datasets();
  auto c = condition_sql(ds, negation(field_is(ds, "owner", std::string("x"))));
  EXPECT_EQ(c.sql, "NOT COALESCE((t.owner = ?), 0)");
  auto nor = condition_sql(ds, translate_where(ds, boost::json::parse(R"({"$nor":[{"owner":"x"},{"type":"y"}]})")));
  EXPECT_EQ(nor.sql, "NOT COALESCE(((t.owner = ?) OR (t.type = ?)), 0)");
}

TEST(SqliteConditionSqlTest, TheReadRuleInItsForms) {
  const auto& ds = schemas::datasets();
  Principal anonymous;
  EXPECT_EQ(condition_sql(ds, read_access_condition(ds, anonymous, {})).sql, "t.is_published = 1");
  Principal member{"1", "me", "me@x.org", {"g1", "", "g2"}};
  auto looked_up = condition_sql(ds, read_access_condition(ds, member, {}));
  EXPECT_NE(looked_up.sql.find("datasets_values v WHERE v.field = ? AND v.value IN (?, ?, ?)"), std::string::npos);
  EXPECT_NE(looked_up.sql.find("UNION ALL"), std::string::npos);  // sharedWith
  EXPECT_EQ(looked_up.params, (std::vector<FieldValue>{std::string("#access"), std::string(""), std::string("g1"),
                                                       std::string("g2"), std::string("me@x.org")}));
  ReadScope no_sharing{false, false};
  EXPECT_EQ(condition_sql(ds, read_access_condition(ds, member, no_sharing)).sql.find("UNION ALL"), std::string::npos);
  auto probe = condition_sql(ds, read_access_condition(ds, member, {}, /*probe=*/true));
  EXPECT_EQ(probe.sql, "openem_readable(t.access_set, ?)");
  EXPECT_EQ(probe.params.size(), 1u);
  EXPECT_TRUE(condition_sql(ds, read_access_condition(ds, member, ReadScope{true, true})).sql == "1");
}

TEST(SqliteConditionSqlTest, ReferencesAndOrder) {
  auto orphan = condition_sql(schemas::datablocks(),
                              dangling_reference(schemas::datablocks(), "datasetId", schemas::datasets()));
  EXPECT_EQ(orphan.sql, "NOT EXISTS (SELECT 1 FROM datasets x WHERE x.id = t.dataset_id)");
  auto order = sqlite_sql::order_sql({sort_by(schemas::datasets(), "creationTime", true),
                                      order_by_field(schemas::datasets(), "keywords", false),
                                      order_by_field(schemas::datasets(), "a.b", false)});
  EXPECT_EQ(order.sql, "t.creation_time DESC, json_extract(d.doc, ?) ASC, json_extract(d.doc, ?) ASC, ");
  EXPECT_EQ(order.params, (std::vector<FieldValue>{std::string(R"($."keywords"[0])"), std::string(R"($."a"."b")")}));
}

}  // namespace
}  // namespace openem
