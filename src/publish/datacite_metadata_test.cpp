// DataCite metadata from catalog documents: the record's own metadata wins and is normalised
// (ORCID iDs, ROR affiliations, SPDX licenses, controlled vocabularies), the catalog fills the
// rest, and every XML document — rich, minimal or hostile — validates against the kernel-4 XSD
// with xmllint.
#include "publish/datacite_metadata.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "blob/test_util.h"
#include "publish/datacite/vocabulary.h"

namespace openem {
namespace {
namespace json = boost::json;

const std::string kXsd = std::string(OPENEM_SHARED_DIR) + "/testdata/datacite/kernel-4/metadata.xsd";

// xmllint's verdict on `xml` ("" when it validates).
std::string xsd_errors(const std::string& xml) {
  testing::TempDir dir;
  std::string file = (dir.path() / "doc.xml").string(), log = (dir.path() / "log.txt").string();
  std::ofstream(file) << xml;
  int rc = std::system(("xmllint --noout --schema '" + kXsd + "' '" + file + "' 2> '" + log + "'").c_str());
  if (rc == 0) return "";
  std::ifstream in(log);
  return std::string(std::istreambuf_iterator<char>(in), {}) + "\n" + xml;
}

json::object record() {
  return json::parse(R"({
    "doi": "10.5072/abc-123", "title": "Apoferritin <at> 1.2 Å", "abstract": "Cryo-EM of apoferritin.",
    "status": "registered", "registeredTime": "2026-03-04T05:06:07.000Z", "numberOfFiles": 12, "sizeOfArchive": 3400,
    "datasetPids": ["pid/raw"],
    "metadata": {
      "creators": [
        {"name": "Lovelace, Ada", "givenName": "Ada", "familyName": "Lovelace",
         "nameIdentifiers": [{"nameIdentifier": "0000-0002-1825-0097", "nameIdentifierScheme": "ORCID"}],
         "affiliation": [{"name": "EM Facility", "affiliationIdentifier": "https://ror.org/05a28rw58"}]},
        {"name": "Bad Orcid", "nameIdentifiers": [{"nameIdentifier": "0000-0002-1825-0098", "nameIdentifierScheme": "ORCID"}]},
        {"name": ""}],
      "contributors": [{"name": "Turing, Alan", "contributorType": "Wizard"}, {"name": "Lab", "nameType": "Organizational", "contributorType": "HostingInstitution"}],
      "publisher": {"name": "EM Facility"},
      "publicationYear": 2026, "resourceType": "raw",
      "subjects": [{"subject": "cryo-EM", "valueUri": "not a uri"}],
      "dates": [{"date": "2025", "dateType": "Whenever"}],
      "language": "en",
      "relatedIdentifiers": [
        {"relatedIdentifier": "https://doi.org/10.1000/article", "relatedIdentifierType": "DOI", "relationType": "IsSupplementTo"},
        {"relatedIdentifier": "x", "relatedIdentifierType": "Banana", "relationType": "Cites"}],
      "rightsList": [{"rightsIdentifier": "CC0-1.0"}],
      "fundingReferences": [{"funderName": "ERC", "funderIdentifier": "https://doi.org/10.13039/501100000781", "awardNumber": "123", "awardUri": "https://cordis.europa.eu/123"},
                            {"funderName": ""}],
      "descriptions": [{"description": "How it was done", "descriptionType": "Methods"}, {"description": "x", "descriptionType": "Gossip"}],
      "geoLocations": [{"geoLocationPlace": "Lab 3", "geoLocationPoint": {"pointLongitude": 8.2, "pointLatitude": 47.5}}]
    }})").as_object();
}

DataCiteContext context() {
  DataCiteContext c;
  c.publisher = "openem test";
  c.landing_url = "https://data.example.org/doi/10.5072%2Fabc-123";
  c.catalog_url = "https://data.example.org";
  c.datasets.push_back(json::parse(R"({"pid": "pid/raw", "type": "raw", "datasetName": "raw movies", "creationTime": "2025-11-01T10:00:00Z",
      "keywords": ["apoferritin", "cryo-EM"], "license": "CC-BY-4.0", "instrumentIds": ["krios"],
      "techniques": [{"name": "cryo-EM", "pid": "http://purl.org/pan-science/PaNET/PaNET01188"}],
      "scientificMetadata": {"acquisition": {"pixel_size": {"value": 0.83, "unit": "Å"}}}})").as_object());
  c.instruments["krios"] = json::object{{"pid", "krios"}, {"name", "Titan Krios G4"}};
  c.public_derived = {"pid/derived"};
  c.formats = {"eer", "mrc"};
  return c;
}


std::vector<std::string> values(const json::object& a, const char* list, const char* field) {
  std::vector<std::string> out;
  for (const auto& x : a.at(list).as_array()) out.emplace_back(x.as_object().at(field).as_string());
  return out;
}

// A dataset that is a version of others (docs/lineage.md "Versions") says so to DataCite.
TEST(DataCiteMetadataTest, VersionsAreRelatedAsNewAndPreviousVersions) {
  DataCiteContext c = context();
  c.public_previous_versions = {"pid/v1"};
  c.public_newer_versions = {"pid/v3"};
  json::object a = datacite_record_attributes(record(), c);
  const auto ids = values(a, "relatedIdentifiers", "relatedIdentifier");
  const auto relations = values(a, "relatedIdentifiers", "relationType");
  ASSERT_EQ(ids.size(), relations.size());
  std::vector<std::string> versions;
  for (std::size_t i = 0; i < ids.size(); ++i)
    if (relations[i].find("Version") != std::string::npos) versions.push_back(relations[i] + " " + ids[i]);
  EXPECT_EQ(versions, (std::vector<std::string>{"IsNewVersionOf https://data.example.org/datasets/pid%2Fv1",
                                                "IsPreviousVersionOf https://data.example.org/datasets/pid%2Fv3"}));
  const std::string xml = datacite_xml(a);
  EXPECT_NE(xml.find("relationType=\"IsNewVersionOf\""), std::string::npos) << xml;
}

TEST(DataCiteMetadataTest, RecordMetadataIsNormalisedAndCompletedFromTheCatalog) {
  json::object a = datacite_record_attributes(record(), context());
  EXPECT_EQ(a.at("doi"), "10.5072/abc-123");
  EXPECT_EQ(a.at("url"), "https://data.example.org/doi/10.5072%2Fabc-123");
  const auto& creators = a.at("creators").as_array();
  ASSERT_EQ(creators.size(), 2u);  // the nameless one is gone
  const auto& ada = creators[0].as_object();
  EXPECT_EQ(ada.at("nameIdentifiers").as_array()[0].as_object().at("nameIdentifier"), "https://orcid.org/0000-0002-1825-0097");
  EXPECT_EQ(ada.at("nameType"), "Personal");
  const auto& aff = ada.at("affiliation").as_array()[0].as_object();
  EXPECT_EQ(aff.at("affiliationIdentifierScheme"), "ROR");
  EXPECT_EQ(aff.at("affiliationIdentifier"), "https://ror.org/05a28rw58");
  EXPECT_FALSE(creators[1].as_object().contains("nameIdentifiers"));  // a wrong check digit is not sent
  EXPECT_EQ(values(a, "contributors", "contributorType"), (std::vector<std::string>{"Other", "HostingInstitution"}));
  EXPECT_EQ(a.at("publicationYear"), 2026);
  EXPECT_EQ(a.at("types").as_object().at("resourceTypeGeneral"), "Dataset");
  EXPECT_EQ(values(a, "subjects", "subject"), (std::vector<std::string>{"cryo-EM", "apoferritin"}));
  EXPECT_FALSE(a.at("subjects").as_array()[0].as_object().contains("valueUri"));
  EXPECT_EQ(values(a, "dates", "dateType"), (std::vector<std::string>{"Other", "Issued", "Created"}));
  EXPECT_EQ(values(a, "relatedIdentifiers", "relatedIdentifier"),
            (std::vector<std::string>{"10.1000/article", "https://data.example.org/datasets/pid%2Fraw",
                                      "https://data.example.org/datasets/pid%2Fderived"}));
  EXPECT_EQ(values(a, "relatedIdentifiers", "relationType"), (std::vector<std::string>{"IsSupplementTo", "HasPart", "IsSourceOf"}));
  EXPECT_EQ(values(a, "rightsList", "rightsIdentifier"), (std::vector<std::string>{"CC0-1.0", "CC-BY-4.0"}));
  EXPECT_EQ(a.at("sizes"), (json::array{"12 files", "3400 bytes"}));
  EXPECT_EQ(a.at("formats"), (json::array{"eer", "mrc"}));
  const auto& funding = a.at("fundingReferences").as_array();
  ASSERT_EQ(funding.size(), 1u);
  EXPECT_EQ(funding[0].as_object().at("funderIdentifierType"), "Crossref Funder ID");
  EXPECT_EQ(values(a, "descriptions", "descriptionType"),
            (std::vector<std::string>{"Abstract", "Methods", "Other", "TechnicalInfo"}));
  EXPECT_EQ(a.at("descriptions").as_array()[3].as_object().at("description"),
            "Instrument: Titan Krios G4; Pixel size: 0.83 Å");
  EXPECT_EQ(xsd_errors(datacite_xml(a)), "");
}

TEST(DataCiteMetadataTest, AMinimalRecordGetsDataCitesUnavailableCodesAndStillValidates) {
  json::object bare{{"doi", "10.5072/x"}, {"title", ""}};
  DataCiteContext c;
  json::object a = datacite_record_attributes(bare, c);
  EXPECT_EQ(values(a, "creators", "name"), (std::vector<std::string>{":unav"}));
  EXPECT_EQ(a.at("publisher").as_object().at("name"), ":unav");
  EXPECT_EQ(xsd_errors(datacite_xml(a)), "");
}

TEST(DataCiteMetadataTest, CreatorsComeFromPublicProposalsAndNamedOwnersWhenTheRecordHasNone) {
  json::object r{{"doi", "10.5072/y"}, {"title", "t"}};
  DataCiteContext c;
  c.proposals["p1"] = json::object{{"proposalId", "p1"}, {"pi_firstname", "Rosalind"}, {"pi_lastname", "Franklin"},
                                   {"metadata", json::object{{"funding", json::array{json::object{{"funderName", "MRC"}}}}}}};
  c.datasets.push_back(json::object{{"pid", "d"}, {"owner", "owner@x.org"}, {"principalInvestigator", "Ada Lovelace"}});
  json::object a = datacite_record_attributes(r, c);
  EXPECT_EQ(values(a, "creators", "name"), (std::vector<std::string>{"Franklin, Rosalind", "Ada Lovelace"}));
  EXPECT_EQ(values(a, "fundingReferences", "funderName"), (std::vector<std::string>{"MRC"}));
  EXPECT_EQ(xsd_errors(datacite_xml(a)), "");
}

TEST(DataCiteMetadataTest, HostileTextIsEscapedAndTheDocumentStillValidates) {
  json::object r = record();
  r["title"] = "</title><script>alert(1)</script>\x01\x02 & \"quotes\"";
  r["metadata"].as_object()["creators"] = json::array{json::object{{"name", "<b>x</b>"}, {"nameType", "Alien"}}};
  r["metadata"].as_object()["language"] = "en\"><x";
  json::object a = datacite_record_attributes(r, context());
  EXPECT_FALSE(a.contains("language"));
  std::string xml = datacite_xml(a);
  EXPECT_EQ(xml.find("<script>"), std::string::npos);
  EXPECT_EQ(xsd_errors(xml), "");
}

TEST(DataCiteMetadataTest, ADatasetWithoutDoiIsIdentifiedByItsLandingUrl) {
  DataCiteSubject s{json::parse(R"({"pid": "p", "datasetName": "n", "type": "derived", "owner": "Ada Lovelace",
                                    "creationTime": "2024-05-06T00:00:00Z"})").as_object(),
                    std::nullopt, std::nullopt, std::nullopt, std::nullopt, "", "https://d.org/datasets/p", "Site"};
  std::string xml = datacite_kernel4_xml(s);
  EXPECT_NE(xml.find("<identifier identifierType=\"URL\">https://d.org/datasets/p</identifier>"), std::string::npos);
  EXPECT_NE(xml.find("<publicationYear>2024</publicationYear>"), std::string::npos);
  EXPECT_EQ(xsd_errors(xml), "");
}

TEST(DataCiteVocabularyTest, IdentifiersAreCheckedNotGuessed) {
  EXPECT_EQ(datacite::orcid_uri("https://orcid.org/0000-0002-1825-0097"), "https://orcid.org/0000-0002-1825-0097");
  EXPECT_EQ(datacite::orcid_uri("0000-0001-5109-3700"), "https://orcid.org/0000-0001-5109-3700");
  EXPECT_EQ(datacite::orcid_uri("0000-0002-1694-233X"), "https://orcid.org/0000-0002-1694-233X");
  EXPECT_EQ(datacite::orcid_uri("0000-0002-1825-0098"), "");
  EXPECT_EQ(datacite::orcid_uri("not an orcid"), "");
  EXPECT_EQ(datacite::ror_uri("ror.org/05a28rw58"), "https://ror.org/05a28rw58");
  EXPECT_EQ(datacite::ror_uri("https://ror.org/X5a28rw58"), "");
  EXPECT_EQ(datacite::bare_doi("doi:10.1/x"), "10.1/x");
  EXPECT_EQ(datacite::bare_doi("https://example.org/10.1/x"), "");
  EXPECT_EQ(datacite::rights("Some custom terms")->at("rights"), "Some custom terms");
  EXPECT_FALSE(datacite::rights("Some custom terms")->contains("rightsIdentifier"));
  EXPECT_EQ(datacite::rights("https://spdx.org/licenses/MIT.html")->at("rightsIdentifier"), "MIT");
}

}  // namespace
}  // namespace openem
