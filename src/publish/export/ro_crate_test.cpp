// The RO-Crate builder entity by entity (tests/publish/export_test.py expands whole crates as
// JSON-LD and checks them against the bag they sit in).
#include "publish/export/ro_crate.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>
#include <set>

namespace openem {
namespace {

namespace json = boost::json;

ExportSubject dataset() {
  ExportSubject s;
  s.dataset = {{"pid", "PID.x/1"}, {"datasetName", "Apoferritin at 1.2 A"}, {"description", "Movies of apoferritin"},
               {"creationTime", "2024-08-31T11:48:16Z"}, {"license", "CC-BY-4.0"},
               {"keywords", json::array{"OSC-EM", "spa"}}, {"instrumentId", "krios-1"}, {"sampleId", "S-7"},
               {"principalInvestigator", "Ada Lovelace"}};
  s.oscem = {{"acquisition", {{"technique", "spa"}, {"date_time", "2024-08-31T11:48:16+02:00"}}},
             {"instrument", {{"microscope", {{"model", "Titan Krios G4"}, {"manufacturer", "Thermo Fisher"}}}}},
             {"sample", {{"name", "Apoferritin"}, {"description", "horse spleen"}}},
             {"organizational", {{"authors", json::array{{{"given_name", "Ada"}, {"family_name", "Lovelace"},
                                                           {"email", "ada@your.site"},
                                                           {"orcid", "0000-0002-1825-0097"},
                                                           {"name_org", "Your Site"}}}}}}};
  s.files = {{"movies/FoilHole 1_fractions.tiff", 1234, "ab12"}, {"movies/FoilHole_1.xml", 56, ""}};
  return s;
}

// The crate's entities by @id; fails the test when an @id is given twice (flattened JSON-LD).
std::map<std::string, json::object> entities(const json::object& crate) {
  std::map<std::string, json::object> out;
  for (const json::value& e : crate.at("@graph").as_array()) {
    std::string id(e.at("@id").as_string());
    EXPECT_TRUE(out.emplace(id, e.as_object()).second) << "twice: " << id;
  }
  return out;
}

// Every {"@id": ...} reference in `v`.
void references(const json::value& v, std::set<std::string>& out, bool top = true) {
  if (const json::object* o = v.if_object()) {
    if (!top && o->size() == 1 && o->contains("@id")) out.insert(std::string(o->at("@id").as_string()));
    for (const auto& [k, child] : *o) references(child, out, false);
  } else if (const json::array* a = v.if_array()) {
    for (const json::value& child : *a) references(child, out, false);
  }
}

TEST(RoCrateTest, DescriptorAndRootDatasetAsRoCrate11Wants) {
  json::object crate = ro_crate_metadata(dataset(), {"https://data.example.org", "Example Facility", ""});
  auto e = entities(crate);
  const json::object& descriptor = e.at("ro-crate-metadata.json");
  EXPECT_EQ(descriptor.at("@type"), "CreativeWork");
  EXPECT_EQ(descriptor.at("conformsTo").at("@id"), "https://w3id.org/ro/crate/1.1");
  EXPECT_EQ(descriptor.at("about").at("@id"), "./");
  const json::object& root = e.at("./");
  EXPECT_EQ(root.at("@type"), "Dataset");
  EXPECT_EQ(root.at("name"), "Apoferritin at 1.2 A");
  EXPECT_EQ(root.at("description"), "Movies of apoferritin");
  EXPECT_EQ(root.at("datePublished"), "2024-08-31");  // a date, not the timestamp
  EXPECT_EQ(root.at("identifier"), "https://data.example.org/datasets/PID.x/1");
  EXPECT_EQ(root.at("keywords"), (json::array{"OSC-EM", "spa"}));
  EXPECT_EQ(root.at("measurementTechnique"), "cryo-EM single-particle analysis");
  EXPECT_EQ(e.at(std::string(root.at("publisher").at("@id").as_string())).at("name"), "Example Facility");
  // the license as an entity with its SPDX address
  std::string license(root.at("license").at("@id").as_string());
  EXPECT_NE(license.find("spdx.org/licenses/CC-BY-4.0"), std::string::npos) << license;
  EXPECT_EQ(e.at(license).at("name"), "CC-BY-4.0");
  // every reference resolves inside the crate, except the conformsTo profile
  std::set<std::string> refs;
  references(json::value(crate.at("@graph")), refs);
  for (const std::string& id : refs) {
    if (id != "https://w3id.org/ro/crate/1.1") {
      EXPECT_TRUE(e.count(id)) << "dangling reference " << id;
    }
  }
}

TEST(RoCrateTest, APublishedDatasetIsIdentifiedByItsDoi) {
  json::object crate = ro_crate_metadata(dataset(), {"https://data.example.org", "", "10.5072/abc"});
  auto e = entities(crate);
  EXPECT_EQ(e.at("./").at("identifier"), "https://doi.org/10.5072/abc");
  EXPECT_FALSE(e.at("./").contains("publisher"));  // no site name: no publisher entity
}

TEST(RoCrateTest, FilesWithSizeMediaTypeChecksumAndEncodedIds) {
  auto e = entities(ro_crate_metadata(dataset(), {}));
  const json::object& movie = e.at("movies/FoilHole%201_fractions.tiff");
  EXPECT_EQ(movie.at("@type"), "File");
  EXPECT_EQ(movie.at("name"), "FoilHole 1_fractions.tiff");
  EXPECT_EQ(movie.at("contentSize"), "1234");
  EXPECT_EQ(movie.at("encodingFormat"), "image/tiff");
  EXPECT_EQ(movie.at("sha256"), "ab12");
  const json::object& xml = e.at("movies/FoilHole_1.xml");
  EXPECT_FALSE(xml.contains("sha256"));  // the catalog holds none
  EXPECT_EQ(xml.at("encodingFormat"), "application/xml");
  const json::array& parts = e.at("./").at("hasPart").as_array();
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(parts.at(0).at("@id"), "movies/FoilHole%201_fractions.tiff");
}

TEST(RoCrateTest, CreatorsArePeopleWithOrcidAndAffiliation) {
  auto e = entities(ro_crate_metadata(dataset(), {}));
  const json::array& creators = e.at("./").at("creator").as_array();
  ASSERT_EQ(creators.size(), 1u);
  EXPECT_EQ(creators.at(0).at("@id"), "https://orcid.org/0000-0002-1825-0097");
  const json::object& ada = e.at("https://orcid.org/0000-0002-1825-0097");
  EXPECT_EQ(ada.at("@type"), "Person");
  EXPECT_EQ(ada.at("name"), "Ada Lovelace");
  EXPECT_EQ(ada.at("givenName"), "Ada");
  EXPECT_EQ(ada.at("familyName"), "Lovelace");
  EXPECT_EQ(ada.at("email"), "ada@your.site");
  EXPECT_EQ(e.at(std::string(ada.at("affiliation").at("@id").as_string())).at("name"), "Your Site");

  ExportSubject no_authors = dataset();
  no_authors.oscem.erase("organizational");
  auto f = entities(ro_crate_metadata(no_authors, {}));
  const json::array& fallback = f.at("./").at("creator").as_array();
  ASSERT_EQ(fallback.size(), 1u);
  EXPECT_EQ(f.at(std::string(fallback.at(0).at("@id").as_string())).at("name"), "Ada Lovelace");  // the PI
}

TEST(RoCrateTest, TheAcquisitionLinksInstrumentSampleFilesAndAgent) {
  auto e = entities(ro_crate_metadata(dataset(), {}));
  const json::object& action = e.at("#acquisition");
  EXPECT_EQ(action.at("@type"), "CreateAction");
  EXPECT_EQ(action.at("endTime"), "2024-08-31T11:48:16+02:00");
  EXPECT_EQ(action.at("result").as_array().size(), 2u);
  EXPECT_EQ(action.at("agent").at("@id"), "https://orcid.org/0000-0002-1825-0097");
  const json::object& microscope = e.at(std::string(action.at("instrument").at("@id").as_string()));
  EXPECT_EQ(microscope.at("@type"), "IndividualProduct");
  EXPECT_EQ(microscope.at("model"), "Titan Krios G4");
  EXPECT_EQ(microscope.at("manufacturer"), "Thermo Fisher");
  EXPECT_EQ(microscope.at("identifier"), "krios-1");
  const json::object& sample = e.at(std::string(action.at("object").at("@id").as_string()));
  EXPECT_EQ(sample.at("name"), "Apoferritin");
  EXPECT_EQ(sample.at("description"), "horse spleen");
  EXPECT_EQ(sample.at("identifier"), "S-7");
  EXPECT_FALSE(e.count("#derivation"));  // raw data: made by no processing
}

TEST(RoCrateTest, ADerivedDatasetNamesItsInputsAndSoftware) {
  ExportSubject s = dataset();
  s.dataset["type"] = "derived";
  s.dataset["inputDatasets"] = json::array{"PID.x/raw1", 7};  // a non-string entry is skipped
  s.dataset["usedSoftware"] = json::array{"RELION 5.0", "cryoSPARC"};
  auto e = entities(ro_crate_metadata(s, {"https://data.example.org", "", ""}));
  const json::object& derivation = e.at("#derivation");
  EXPECT_EQ(derivation.at("result").at("@id"), "./");
  ASSERT_EQ(derivation.at("object").as_array().size(), 1u);
  std::string input(derivation.at("object").at(0).at("@id").as_string());
  EXPECT_EQ(input, "https://data.example.org/datasets/PID.x/raw1");
  EXPECT_EQ(e.at(input).at("@type"), "Dataset");
  const json::array& software = derivation.at("instrument").as_array();
  ASSERT_EQ(software.size(), 2u);
  EXPECT_EQ(e.at(std::string(software.at(0).at("@id").as_string())).at("name"), "RELION 5.0");
}

TEST(RoCrateTest, WithoutALicenseTheCrateSaysSoInsteadOfClaimingOne) {
  ExportSubject s = dataset();
  s.dataset.erase("license");
  auto e = entities(ro_crate_metadata(s, {}));
  EXPECT_EQ(e.at("./").at("license").at("@id"), "#no-license");
  EXPECT_EQ(e.at("#no-license").at("name"), "No license given");
}

TEST(RoCrateTest, AnOscemFileAloneStillMakesACrate) {
  ExportSubject s;
  s.oscem = dataset().oscem;
  auto e = entities(ro_crate_metadata(s, {}));
  EXPECT_EQ(e.at("./").at("name"), "OSC-EM dataset");
  EXPECT_FALSE(e.at("./").contains("datePublished"));
  EXPECT_TRUE(e.at("./").at("hasPart").as_array().empty());
}

TEST(RoCrateTest, MediaTypesByExtension) {
  EXPECT_EQ(media_type_of("a/B.TIF"), "image/tiff");
  EXPECT_EQ(media_type_of("x.mrcs"), "application/x-mrc");
  EXPECT_EQ(media_type_of("x.mdoc"), "text/plain");
  EXPECT_EQ(media_type_of("x.eer"), "application/octet-stream");
  EXPECT_EQ(media_type_of("noextension"), "application/octet-stream");
}

}  // namespace
}  // namespace openem
