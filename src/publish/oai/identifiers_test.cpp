// Item identifiers and setSpecs: what they look like, that every value round-trips, and that
// only canonical forms name something.
#include "publish/oai/identifiers.h"

#include <gtest/gtest.h>

#include <regex>

namespace openem::oai {
namespace {

TEST(OaiIdentifiers, RepositoryIdentifiers) {
  EXPECT_TRUE(valid_repository_identifier("data.facility.org"));
  EXPECT_TRUE(valid_repository_identifier("a.b"));
  EXPECT_FALSE(valid_repository_identifier("localhost"));
  EXPECT_FALSE(valid_repository_identifier("127.0.0.1"));
  EXPECT_FALSE(valid_repository_identifier("data..org"));
  EXPECT_FALSE(valid_repository_identifier("data.org."));
  EXPECT_FALSE(valid_repository_identifier("data_x.org"));
  EXPECT_FALSE(valid_repository_identifier(""));
}

TEST(OaiIdentifiers, ItemIdentifiersRoundTripAndMatchTheScheme) {
  // oai-identifier.xsd's sampleIdentifierType.
  const std::regex scheme(R"(oai:[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+:[a-zA-Z0-9\-_\.!~\*'\(\);/\?:@&=\+$,%]+)");
  const ItemKind kinds[] = {ItemKind::Dataset, ItemKind::PublishedData};
  for (ItemKind kind : kinds)
    for (std::string pid : {"20.500.12613/0a1b-2c", "PID.prefix.a0b1/x y", "100%", "ä<é>\"#", "a:b:c", "~!*'()",
                            "doi:10.1/x", "doi%3A"}) {
      std::string id = item_identifier("data.facility.org", ItemRef{kind, pid});
      EXPECT_TRUE(std::regex_match(id, scheme)) << id;
      EXPECT_EQ(item_of("data.facility.org", id), (ItemRef{kind, pid})) << id;
    }
  auto dataset = [](std::string id) { return ItemRef{ItemKind::Dataset, std::move(id)}; };
  auto record = [](std::string id) { return ItemRef{ItemKind::PublishedData, std::move(id)}; };
  EXPECT_EQ(item_identifier("a.b", dataset("x/y z")), "oai:a.b:x/y%20z");
  EXPECT_EQ(item_identifier("a.b", record("10.5072/abc")), "oai:a.b:doi:10.5072/abc");
  // A pid that looks like a record's identifier keeps its own: the two kinds never share one.
  EXPECT_EQ(item_identifier("a.b", dataset("doi:10.5072/abc")), "oai:a.b:doi%3A10.5072/abc");
  EXPECT_EQ(item_of("a.b", "oai:a.b:doi:10.5072/abc"), record("10.5072/abc"));
  EXPECT_EQ(item_of("a.b", "oai:a.b:doi%3A10.5072/abc"), dataset("doi:10.5072/abc"));
  EXPECT_EQ(item_of("a.b", "oai:a.b:DOI:x"), dataset("DOI:x"));
  EXPECT_FALSE(item_of("a.b", "oai:c.d:x"));       // another repository
  EXPECT_FALSE(item_of("a.b", "oai:a.b:"));        // no local part
  EXPECT_FALSE(item_of("a.b", "oai:a.b:doi:"));    // a record without a DOI
  EXPECT_FALSE(item_of("a.b", "oai:a.b:x%2"));     // broken escape
  EXPECT_FALSE(item_of("a.b", "oai:a.b:x%2Fy"));   // '/' escaped needlessly: not canonical
  EXPECT_FALSE(item_of("a.b", "oai:a.b:x%2fy"));
  EXPECT_FALSE(item_of("a.b", "oai:a.b:doi:x%2Fy"));
  EXPECT_FALSE(item_of("a.b", "oai:a.b:x y"));     // a raw space
  EXPECT_FALSE(item_of("a.b", "x"));
}

TEST(OaiIdentifiers, SetSpecs) {
  const std::regex spec(R"(([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*)");
  for (std::string value : {"cryo electron microscopy", "instrument/krios-1", "a:b", "x~y", "ü"}) {
    std::string s = "technique:" + set_component(value);
    EXPECT_TRUE(std::regex_match(s, spec)) << s;
    auto parsed = parse_set(s);
    ASSERT_TRUE(parsed) << s;
    EXPECT_EQ(parsed->value, value);
    EXPECT_STREQ(parsed->kind->field, "techniques.name");
  }
  EXPECT_EQ(set_component("em facility"), "em~20facility");
  EXPECT_EQ(parse_set("group")->value, "");
  EXPECT_STREQ(parse_set("group:g1")->kind->field, "ownerGroup");
  EXPECT_STREQ(parse_set("instrument:x")->kind->field, "instrumentIds");
  EXPECT_TRUE(parse_set("status:published"));
  EXPECT_FALSE(parse_set("status:private"));  // drafts are never harvested
  EXPECT_TRUE(parse_set("status:registered"));
  EXPECT_TRUE(parse_set("status:public"));
  EXPECT_TRUE(parse_set("status:amended"));
  EXPECT_FALSE(parse_set("colour:red"));
  EXPECT_FALSE(parse_set("group:a:b"));      // one component per value
  EXPECT_FALSE(parse_set("group:em~2"));     // broken escape
  EXPECT_FALSE(parse_set("group:em~2d"));    // lower-case hex: not canonical
  EXPECT_FALSE(parse_set("group:a~2Db"));    // '-' needs no escape: not canonical
}

}  // namespace
}  // namespace openem::oai
