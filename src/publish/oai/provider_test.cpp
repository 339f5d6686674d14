// The OAI-PMH provider over a real SQLite catalog: error codes by verb, a paged harvest that
// returns each record once while records are added and changed, tombstones that say nothing
// but the identifier, and private datasets that never show (not even as a different error).
#include "publish/oai/provider.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <map>
#include <regex>

#include "publish/oai/resumption_token.h"
#include "testing/temp_dir.h"

namespace openem::oai {
namespace {
namespace json = boost::json;

class OaiProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_sqlite_store(dir_ / "catalog.db");
    config_.base_url = "https://data.example.org/oai";
    config_.repository_name = "Test";
    config_.repository_id = "data.example.org";
    config_.admin_email = "admin@example.org";
    config_.token_key = token_key("k");
    config_.page_size = 2;
    config_.metadata = {"https://data.example.org", "Test", "TEST"};
    config_.now = now_millis();  // the store dates tombstones by the clock
    // What the routes take from the published-data service, reduced to what the tests check.
    config_.record_attributes = [](const json::object& r) {
      return json::object{{"doi", r.at("doi")},
                          {"url", "https://data.example.org/doi/" + std::string(r.at("doi").as_string())},
                          {"titles", json::array{json::object{{"title", r.at("title")}}}},
                          {"creators", json::array{json::object{{"name", "Curie, Marie"}}}},
                          {"publisher", json::object{{"name", "Test"}}},
                          {"publicationYear", 2026},
                          {"types", json::object{{"resourceTypeGeneral", "Dataset"}, {"resourceType", "EM"}}}};
    };
  }
  void TearDown() override {
    store_.reset();
  }

  void put(const std::string& pid, bool published, const std::string& updated, const std::string& group = "g1") {
    json::object ds{{"pid", pid}, {"ownerGroup", group}, {"accessGroups", json::array{}}, {"isPublished", published},
                    {"updatedAt", updated}, {"datasetName", "name of " + pid}, {"type", "raw"},
                    {"description", "about " + pid}};
    if (!store_->replace(schemas::datasets(), ds)) store_->insert(schemas::datasets(), ds);
  }

  // A published-data record (stored v4 shape) in `status`.
  void put_record(const std::string& doi, const std::string& status, const std::string& updated) {
    json::object r{{"doi", doi}, {"status", status}, {"title", "record " + doi}, {"createdAt", updated},
                   {"updatedAt", updated}, {"datasetPids", json::array{}}};
    if (!store_->replace(schemas::published_data(), r)) store_->insert(schemas::published_data(), r);
  }

  std::string ask(const std::string& query) { return respond(*store_, config_, *parse_form(query)); }

  // The identifiers of a whole list, following its tokens.
  std::vector<std::string> harvest(const std::string& query) {
    std::vector<std::string> ids;
    std::string xml = ask(query);
    for (;;) {
      for (const auto& id : all(xml, "<identifier>oai:data.example.org:([^<]+)</identifier>")) ids.push_back(id);
      auto tokens = all(xml, "<resumptionToken[^>]*>([^<]+)</resumptionToken>");
      if (tokens.empty()) return ids;
      xml = ask("verb=ListIdentifiers&resumptionToken=" + tokens[0]);
    }
  }

  static std::string error_code(const std::string& xml) {
    std::smatch m;
    return std::regex_search(xml, m, std::regex("<error code=\"([a-zA-Z]+)\"")) ? m[1].str() : "";
  }
  static std::vector<std::string> all(const std::string& xml, const std::string& pattern) {
    std::vector<std::string> out;
    std::regex re(pattern);
    for (auto it = std::sregex_iterator(xml.begin(), xml.end(), re); it != std::sregex_iterator(); ++it)
      out.push_back((*it)[1].str());
    return out;
  }

  testing::TempDir tmp_{"openem-oai-provider"};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<CatalogStore> store_;
  ProviderConfig config_;
};

TEST_F(OaiProviderTest, ErrorCodes) {
  put("pub", true, "2026-01-01T00:00:00.000Z");
  put("secret", false, "2026-01-01T00:00:00.000Z");
  EXPECT_EQ(error_code(ask("verb=Nope")), "badVerb");
  EXPECT_EQ(error_code(ask("verb=ListRecords")), "badArgument");
  EXPECT_EQ(error_code(ask("verb=ListRecords&metadataPrefix=marc21")), "cannotDisseminateFormat");
  EXPECT_EQ(error_code(ask("verb=ListRecords&metadataPrefix=oai_dc&resumptionToken=abc")), "badArgument");
  EXPECT_EQ(error_code(ask("verb=ListRecords&resumptionToken=abc")), "badResumptionToken");
  EXPECT_EQ(error_code(ask("verb=ListSets&resumptionToken=abc")), "badResumptionToken");
  EXPECT_EQ(error_code(ask("verb=ListRecords&metadataPrefix=oai_dc&from=2027-01-01")), "noRecordsMatch");
  EXPECT_EQ(error_code(ask("verb=ListRecords&metadataPrefix=oai_dc&set=colour:red")), "noRecordsMatch");
  EXPECT_EQ(error_code(ask("verb=ListRecords&metadataPrefix=oai_dc&set=group:g2")), "noRecordsMatch");
  EXPECT_EQ(error_code(ask("verb=GetRecord&metadataPrefix=marc21&identifier=oai:data.example.org:pub")),
            "cannotDisseminateFormat");
  EXPECT_EQ(error_code(ask("verb=ListMetadataFormats&identifier=oai:data.example.org:nope")), "idDoesNotExist");
  // Private and missing: the same answer, byte for byte but the identifier.
  const std::string secret = ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:data.example.org:secret");
  const std::string missing = ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:data.example.org:missng");
  EXPECT_EQ(error_code(secret), "idDoesNotExist");
  EXPECT_EQ(std::regex_replace(secret, std::regex("secret"), "missng"), missing);
  EXPECT_EQ(ask("verb=ListMetadataFormats&identifier=oai:data.example.org:secret").find("secret</"), std::string::npos);
  EXPECT_EQ(error_code(ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:data.example.org:pub")), "");
  // badVerb and badArgument echo no argument; other errors echo them all.
  EXPECT_NE(ask("verb=Nope&x=1").find("<request>https://data.example.org/oai</request>"), std::string::npos);
  EXPECT_NE(ask("verb=ListRecords&metadataPrefix=marc21").find("<request verb=\"ListRecords\" metadataPrefix=\"marc21\">"),
            std::string::npos);
}

TEST_F(OaiProviderTest, HarvestReturnsEachRecordOnceWhileTheCatalogChanges) {
  for (int i = 0; i < 9; ++i) put("d" + std::to_string(i), i % 3 != 2, "2026-01-0" + std::to_string(i + 1) + "T00:00:00.000Z");
  std::map<std::string, int> seen;
  const Millis started = config_.now;
  std::string xml = ask("verb=ListIdentifiers&metadataPrefix=oai_dc");
  std::vector<std::string> cursors;
  int pages = 0;
  for (;;) {
    ++pages;
    ASSERT_EQ(error_code(xml), "") << xml;
    for (const auto& id : all(xml, "<identifier>oai:data.example.org:([^<]+)</identifier>")) ++seen[id];
    auto c = all(xml, "completeListSize=\"6\" cursor=\"([0-9]+)\"");
    cursors.insert(cursors.end(), c.begin(), c.end());
    auto tokens = all(xml, "<resumptionToken[^>]*>([^<]+)</resumptionToken>");
    if (tokens.empty()) break;
    // Meanwhile: a new public dataset, a change to one already sent and to one still to come,
    // all dated after the harvest began.
    config_.now += 1000;
    const std::string later = iso_utc(config_.now);
    put("new" + std::to_string(pages), true, later);
    put("d0", true, later);
    put("d7", true, later);
    xml = ask("verb=ListIdentifiers&resumptionToken=" + tokens[0]);
  }
  // d7 changed after the harvest began: the next harvest (from its start) brings it.
  EXPECT_EQ(seen, (std::map<std::string, int>{{"d0", 1}, {"d1", 1}, {"d3", 1}, {"d4", 1}, {"d6", 1}}));
  EXPECT_EQ(cursors, (std::vector<std::string>{"0", "2", "4"}));
  // The next incremental harvest from the first one's start brings what changed, once each.
  auto next = harvest("verb=ListIdentifiers&metadataPrefix=oai_dc&from=" + datestamp_text(iso_utc(started)));
  std::sort(next.begin(), next.end());
  EXPECT_EQ(next, (std::vector<std::string>{"d0", "d7", "new1", "new2"}));
}

TEST_F(OaiProviderTest, DeletedRecordsSayNothingButTheirIdentifier) {
  put("d", true, "2026-01-01T00:00:00.000Z", "visible-group");
  put("d", false, "2026-01-02T00:00:00.000Z", "now-secret-group");
  config_.now = now_millis() + 1;  // requests come after the tombstone
  const std::string rec = ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:data.example.org:d");
  EXPECT_NE(rec.find("<header status=\"deleted\"><identifier>oai:data.example.org:d</identifier><datestamp>"),
            std::string::npos)
      << rec;
  EXPECT_EQ(rec.find("<metadata>"), std::string::npos);
  EXPECT_EQ(rec.find("group"), std::string::npos);
  EXPECT_EQ(rec.find("name of"), std::string::npos);
  EXPECT_EQ(error_code(ask("verb=ListMetadataFormats&identifier=oai:data.example.org:d")), "noMetadataFormats");
  const std::string list = ask("verb=ListRecords&metadataPrefix=oai_dc");
  EXPECT_NE(list.find("status=\"deleted\""), std::string::npos);
  EXPECT_EQ(list.find("secret"), std::string::npos);
  EXPECT_EQ(ask("verb=ListSets").find("secret"), std::string::npos);
}

// Published-data records are items beside the datasets, in one order, with their DOI as
// identifier; drafts never show; sets keep the two apart.
TEST_F(OaiProviderTest, PublishedDataRecordsAreHarvestedBesideDatasets) {
  const std::string t1 = "2026-01-01T00:00:00.000Z", t2 = "2026-01-02T00:00:00.000Z";
  put("a", true, t1);
  put("b", true, t2);
  put("hidden", false, t1);
  put_record("10.5072/r1", "registered", t1);  // same datestamp as dataset a: datasets come first
  put_record("10.5072/r2", "public", t2);
  put_record("10.5072/draft", "private", t1);
  config_.now = now_millis() + 1;
  // page_size 2: the pages split between a dataset and a record of one datestamp.
  EXPECT_EQ(harvest("verb=ListIdentifiers&metadataPrefix=oai_dc"),
            (std::vector<std::string>{"a", "doi:10.5072/r1", "b", "doi:10.5072/r2"}));
  EXPECT_NE(ask("verb=ListIdentifiers&metadataPrefix=oai_dc").find("completeListSize=\"4\""), std::string::npos);
  EXPECT_EQ(harvest("verb=ListIdentifiers&metadataPrefix=oai_dc&set=status:registered"),
            (std::vector<std::string>{"doi:10.5072/r1"}));
  EXPECT_EQ(harvest("verb=ListIdentifiers&metadataPrefix=oai_dc&set=status:published"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(harvest("verb=ListIdentifiers&metadataPrefix=oai_dc&set=group:g1"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(harvest("verb=ListIdentifiers&metadataPrefix=oai_dc&set=status").size(), 4u);

  const std::string dc = ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:data.example.org:doi:10.5072/r1");
  EXPECT_NE(dc.find("<setSpec>status:registered</setSpec>"), std::string::npos) << dc;
  EXPECT_NE(dc.find("<dc:title>record 10.5072/r1</dc:title>"), std::string::npos) << dc;
  EXPECT_NE(dc.find("<dc:creator>Curie, Marie</dc:creator>"), std::string::npos) << dc;
  EXPECT_NE(dc.find("<dc:identifier>https://doi.org/10.5072/r1</dc:identifier>"), std::string::npos) << dc;
  const std::string dcite = ask("verb=GetRecord&metadataPrefix=oai_datacite&identifier=oai:data.example.org:doi:10.5072/r2");
  EXPECT_NE(dcite.find("<identifier identifierType=\"DOI\">10.5072/r2</identifier>"), std::string::npos) << dcite;
  // A draft answers as a DOI that does not exist, and a record's DOI does not name a dataset.
  const std::string draft = ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:data.example.org:doi:10.5072/draft");
  const std::string none = ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:data.example.org:doi:10.5072/nodoi");
  EXPECT_EQ(error_code(draft), "idDoesNotExist");
  EXPECT_EQ(std::regex_replace(draft, std::regex("draft"), "nodoi"), none);
  EXPECT_EQ(error_code(ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:data.example.org:10.5072/r1")),
            "idDoesNotExist");
  EXPECT_EQ(ask("verb=ListRecords&metadataPrefix=oai_dc").find("draft"), std::string::npos);
  EXPECT_NE(ask("verb=ListSets").find("<setSpec>status:registered</setSpec>"), std::string::npos);
  // A removed record leaves a tombstone with its identifier only.
  store_->remove(schemas::published_data(), "10.5072/r2");
  config_.now = now_millis() + 1;
  const std::string gone = ask("verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:data.example.org:doi:10.5072/r2");
  EXPECT_NE(gone.find("<header status=\"deleted\"><identifier>oai:data.example.org:doi:10.5072/r2</identifier>"),
            std::string::npos)
      << gone;
  EXPECT_EQ(gone.find("record 10.5072/r2"), std::string::npos);
}

}  // namespace
}  // namespace openem::oai
