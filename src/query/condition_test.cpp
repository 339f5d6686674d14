// Conditions as callers build them: AND-ing (what facets drop, which readers a text lookup
// walks), typed conditions on indexed fields only, and the canonical text cache keys use.
#include "query/condition.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <stdexcept>

#include "query/where.h"

namespace openem {
namespace {

TEST(ConditionTest, AllOfDropsTrueKeepsTheFirstReadersAndSkipsTheExceptedField) {
  const auto& ds = schemas::datasets();
  Condition readable = Condition::always_true();
  readable.text_readers = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"g:a"});
  Condition type = field_is(ds, "type", std::string("raw"));
  Condition size = field_compare(ds, "size", Comparison::Gt, std::int64_t{5});
  EXPECT_EQ(type.restricts, "type");

  Condition both = all_of({readable, type, size});
  ASSERT_EQ(both.kind, Condition::Kind::And);
  EXPECT_EQ(both.children.size(), 2u);  // the always-true one is dropped, its readers kept
  ASSERT_TRUE(both.text_readers);
  EXPECT_EQ(both.text_readers->front(), "g:a");
  EXPECT_EQ(both.restricts, "");

  // One condition left: it is returned, but as an AND of one it restricts no field of its own,
  // so a facet on "size" keeps it.
  Condition one = all_of({readable, type, size}, "type");
  EXPECT_EQ(one.kind, Condition::Kind::Compare);
  EXPECT_EQ(one.field.column, "size");
  EXPECT_EQ(one.restricts, "");
  EXPECT_TRUE(one.text_readers);

  EXPECT_TRUE(all_of({}).is_true());
  EXPECT_EQ(any_of({}).kind, Condition::Kind::False);
}

TEST(ConditionTest, TypedConditionsNameOnlyIndexedFields) {
  const auto& ds = schemas::datasets();
  EXPECT_EQ(field_is(ds, "pid", std::string("x")).field.kind, FieldRef::Kind::Id);
  EXPECT_EQ(field_is(ds, "ownerGroup", std::string("g")).field.column, "owner_group");
  EXPECT_EQ(field_is(ds, "keywords", std::string("k")).field.kind, FieldRef::Kind::Array);
  // A field without an index would make the store read every document.
  EXPECT_THROW(field_is(ds, "description", std::string("d")), std::invalid_argument);
  EXPECT_THROW(sort_by(ds, "keywords"), std::invalid_argument);
  EXPECT_THROW(dangling_reference(ds, "keywords", schemas::proposals()), std::invalid_argument);
  EXPECT_EQ(field_one_of(ds, "type", {}).kind, Condition::Kind::False);
  Condition orphan = dangling_reference(schemas::datablocks(), "datasetId", ds);
  EXPECT_EQ(orphan.referenced, &ds);
  EXPECT_EQ(sort_by(ds, "creationTime", true).field.column, "creation_time");
}

TEST(ConditionTest, CanonicalTextTellsEveryDifferenceApart) {
  const auto& ds = schemas::datasets();
  auto text = [&](const char* where) { return canonical_text(translate_where(ds, boost::json::parse(where))); };
  EXPECT_EQ(text(R"({"size":{"$gt":1}})"), text(R"({"size":{"gt":1}})"));  // Loopback and Mongo names
  EXPECT_NE(text(R"({"size":{"$gt":1}})"), text(R"({"size":{"$gte":1}})"));
  EXPECT_NE(text(R"({"size":1.0})"), text(R"({"size":1.0000000000001})"));
  EXPECT_NE(text(R"({"type":{"$in":["a","b"]}})"), text(R"({"type":{"$in":["a,b"]}})"));
  EXPECT_NE(text(R"({"type":"1"})"), text(R"({"type":1})"));
  EXPECT_NE(text(R"({"type":{"$regex":"a"}})"), text(R"({"type":{"$regex":"a","$options":"i"}})"));

  ReadRule a, b;
  a.groups = {"a", "b"};
  b.groups = {"ab"};
  Condition ca, cb;
  ca.kind = cb.kind = Condition::Kind::Readable;
  ca.read_rule = std::make_shared<const ReadRule>(a);
  cb.read_rule = std::make_shared<const ReadRule>(b);
  EXPECT_NE(canonical_text(ca), canonical_text(cb));
}

}  // namespace
}  // namespace openem
