// RFC 7386 merge patch, with the examples of the RFC's appendix A.
#include "core/merge_patch.h"

#include <gtest/gtest.h>

namespace openem {
namespace {
namespace json = boost::json;

json::value patched(const char* target, const char* patch) {
  json::value t = json::parse(target);
  apply_merge_patch(t, json::parse(patch));
  return t;
}

TEST(MergePatchTest, RfcAppendixExamples) {
  EXPECT_EQ(patched(R"({"a":"b"})", R"({"a":"c"})"), json::parse(R"({"a":"c"})"));
  EXPECT_EQ(patched(R"({"a":"b"})", R"({"b":"c"})"), json::parse(R"({"a":"b","b":"c"})"));
  EXPECT_EQ(patched(R"({"a":"b"})", R"({"a":null})"), json::parse(R"({})"));
  EXPECT_EQ(patched(R"({"a":"b","b":"c"})", R"({"a":null})"), json::parse(R"({"b":"c"})"));
  EXPECT_EQ(patched(R"({"a":["b"]})", R"({"a":"c"})"), json::parse(R"({"a":"c"})"));
  EXPECT_EQ(patched(R"({"a":"c"})", R"({"a":["b"]})"), json::parse(R"({"a":["b"]})"));
  EXPECT_EQ(patched(R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})"), json::parse(R"({"a":{"b":"d"}})"));
  EXPECT_EQ(patched(R"({"a":[{"b":"c"}]})", R"({"a":[1]})"), json::parse(R"({"a":[1]})"));
  EXPECT_EQ(patched(R"(["a","b"])", R"(["c","d"])"), json::parse(R"(["c","d"])"));
  EXPECT_EQ(patched(R"({"a":"b"})", R"(["c"])"), json::parse(R"(["c"])"));
  EXPECT_EQ(patched(R"({"a":"foo"})", "null"), json::parse("null"));
  EXPECT_EQ(patched(R"({"a":"foo"})", R"("bar")"), json::parse(R"("bar")"));
  EXPECT_EQ(patched(R"({"e":null})", R"({"a":1})"), json::parse(R"({"e":null,"a":1})"));
  EXPECT_EQ(patched(R"([1,2])", R"({"a":"b","c":null})"), json::parse(R"({"a":"b"})"));
  EXPECT_EQ(patched(R"({})", R"({"a":{"bb":{"ccc":null}}})"), json::parse(R"({"a":{"bb":{}}})"));
}

TEST(MergePatchTest, ContentType) {
  EXPECT_TRUE(is_merge_patch_content_type("application/merge-patch+json"));
  EXPECT_TRUE(is_merge_patch_content_type("application/merge-patch+json; charset=utf-8"));
  EXPECT_FALSE(is_merge_patch_content_type("application/json"));
}

}  // namespace
}  // namespace openem
