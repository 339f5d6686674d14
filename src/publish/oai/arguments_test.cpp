// OAI-PMH argument validation (§3.1, §3.6): which requests are badVerb or badArgument, and that
// what passes is what the verbs need.
#include "publish/oai/arguments.h"

#include <gtest/gtest.h>

namespace openem::oai {
namespace {

std::string outcome(std::string_view query) {
  auto args = parse_form(query);
  if (!args) return "malformed";
  auto v = validate(*args);
  if (auto* e = std::get_if<Error>(&v)) return e->code;
  return "ok";
}

TEST(OaiArguments, FormDecoding) {
  auto args = parse_form("verb=GetRecord&identifier=oai%3Aa.b%3Ax+y&&metadataPrefix=oai_dc&empty");
  ASSERT_TRUE(args);
  EXPECT_EQ(*args, (ArgumentList{{"verb", "GetRecord"}, {"identifier", "oai:a.b:x y"}, {"metadataPrefix", "oai_dc"},
                                 {"empty", ""}}));
  EXPECT_FALSE(parse_form("verb=%4"));
  EXPECT_FALSE(parse_form("verb=%zz"));
  EXPECT_FALSE(parse_form("verb=%00"));
  EXPECT_TRUE(parse_form("")->empty());
}

TEST(OaiArguments, Verbs) {
  EXPECT_EQ(outcome(""), "badVerb");
  EXPECT_EQ(outcome("metadataPrefix=oai_dc"), "badVerb");
  EXPECT_EQ(outcome("verb=Identify&verb=Identify"), "badVerb");
  EXPECT_EQ(outcome("verb=identify"), "badVerb");  // verbs are case-sensitive
  EXPECT_EQ(outcome("verb=Frobnicate"), "badVerb");
  EXPECT_EQ(outcome("verb="), "badVerb");
  for (const char* ok : {"verb=Identify", "verb=ListMetadataFormats", "verb=ListSets",
                         "verb=ListIdentifiers&metadataPrefix=oai_dc", "verb=ListRecords&metadataPrefix=oai_dc",
                         "verb=GetRecord&identifier=oai:a.b:x&metadataPrefix=oai_dc"})
    EXPECT_EQ(outcome(ok), "ok") << ok;
}

TEST(OaiArguments, IllegalRepeatedMissingAndExclusiveArguments) {
  EXPECT_EQ(outcome("verb=Identify&metadataPrefix=oai_dc"), "badArgument");                // illegal
  EXPECT_EQ(outcome("verb=ListSets&set=a"), "badArgument");                                // illegal
  EXPECT_EQ(outcome("verb=GetRecord&identifier=oai:a.b:x&metadataPrefix=oai_dc&from=2020-01-01"), "badArgument");
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc"), "badArgument");  // repeated
  EXPECT_EQ(outcome("verb=ListRecords"), "badArgument");                                   // missing
  EXPECT_EQ(outcome("verb=GetRecord&metadataPrefix=oai_dc"), "badArgument");               // missing
  EXPECT_EQ(outcome("verb=GetRecord&identifier=oai:a.b:x"), "badArgument");                // missing
  EXPECT_EQ(outcome("verb=ListRecords&resumptionToken=x&metadataPrefix=oai_dc"), "badArgument");  // exclusive
  EXPECT_EQ(outcome("verb=ListRecords&resumptionToken=x"), "ok");
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix="), "badArgument");                   // empty
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai%20dc"), "badArgument");           // not a prefix
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&set=a::b"), "badArgument");    // not a setSpec
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&set=a%20b"), "badArgument");
  EXPECT_EQ(outcome("verb=GetRecord&identifier=oai:a.b:x%20y&metadataPrefix=oai_dc"), "badArgument");  // not a URI
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&foo=bar"), "badArgument");
}

TEST(OaiArguments, Dates) {
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-02"), "ok");
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-02T03:04:05Z"), "ok");
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-02&until=2026-01-02"), "ok");
  for (const char* bad : {"2026-1-02", "2026-13-01", "2026-02-30", "2025-02-29", "2026-01-02T03:04Z",
                          "2026-01-02T03:04:05", "2026-01-02T03:04:05.000Z", "2026-01-02T24:00:00Z",
                          "2026-01-02T03:04:05+01:00", "20260102", "yesterday"})
    EXPECT_EQ(outcome(std::string("verb=ListRecords&metadataPrefix=oai_dc&from=") + bad), "badArgument") << bad;
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-29"), "ok");  // a leap day
  // Mixed granularities, and from after until.
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-02&until=2026-01-03T00:00:00Z"),
            "badArgument");
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-03&until=2026-01-02"), "badArgument");
  EXPECT_EQ(outcome("verb=ListRecords&metadataPrefix=oai_dc&from=2026-01-02T00:00:01Z&until=2026-01-02T00:00:00Z"),
            "badArgument");

  auto day = parse_datestamp("2026-01-02");
  ASSERT_TRUE(day);
  EXPECT_EQ(iso_utc(day->start), "2026-01-02T00:00:00.000Z");
  EXPECT_EQ(iso_utc(day->end()), "2026-01-03T00:00:00.000Z");
  auto second = parse_datestamp("2026-01-02T03:04:05Z");
  ASSERT_TRUE(second);
  EXPECT_EQ(iso_utc(second->end()), "2026-01-02T03:04:06.000Z");
  EXPECT_EQ(datestamp_text("2026-01-02T03:04:05.678Z"), "2026-01-02T03:04:05Z");
}

TEST(OaiArguments, TheEchoIsTheArgumentsVerbFirst) {
  auto v = validate(*parse_form("metadataPrefix=oai_dc&set=group:g1&verb=ListRecords"));
  ASSERT_TRUE(std::holds_alternative<Request>(v));
  const Request& r = std::get<Request>(v);
  EXPECT_EQ(r.arguments, (ArgumentList{{"verb", "ListRecords"}, {"metadataPrefix", "oai_dc"}, {"set", "group:g1"}}));
  EXPECT_EQ(r.verb, Verb::ListRecords);
  EXPECT_EQ(r.set, "group:g1");
}

}  // namespace
}  // namespace openem::oai
