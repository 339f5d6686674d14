// The EMPIAR builder field by field (tests/publish/export_test.py validates whole documents
// against EMPIAR's JSON Schema): people from OSC-EM, the proposal and published data; the
// citation of a published-data record; image sets from the ingestor's header summary; errors
// and fill-in warnings.
#include "publish/export/empiar_export.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <map>

#include "publish/export/empiar_imagesets.h"

namespace openem {
namespace {

namespace json = boost::json;

ExportSubject movie_dataset() {
  ExportSubject s;
  s.dataset = {{"pid", "PID.x/1"}, {"datasetName", "Apoferritin at 1.2 A"}, {"principalInvestigator", "Ada Lovelace"},
               {"contactEmail", "ada@your.site"}};
  s.oscem = {{"acquisition", {{"technique", "spa"}, {"frames_per_movie", 40},
                              {"pixel_size", {{"value", 0.083}, {"unit", "nm"}}},
                              {"image_size", {{"width", 4096}, {"height", 4096}}}}}};
  s.files = {{"movies/FoilHole_1_fractions.tiff", 100, ""}, {"movies/FoilHole_2_fractions.tiff", 100, ""},
             {"movies/FoilHole_1.xml", 10, ""}};
  return s;
}

EmpiarOptions options() {
  EmpiarOptions o;
  o.organization = "Your Site";
  o.country = "Switzerland";
  return o;
}

std::string all(const std::vector<ExportProblem>& problems) {
  std::string out;
  for (const ExportProblem& p : problems) out += describe(p) + "\n";
  return out;
}

const ExportProblem* problem_at(const std::vector<ExportProblem>& problems, const std::string& target) {
  for (const ExportProblem& p : problems) {
    if (p.target == target) return &p;
  }
  return nullptr;
}

std::string names(const json::object& doc, const char* list = "authors") {
  std::string out;
  for (const json::value& a : doc.at(list).as_array()) out += std::string(a.at("name").as_string()) + ";";
  return out;
}

json::object proposal() {
  return {{"proposalId", "20240314"}, {"pi_firstname", "Rosalind"}, {"pi_lastname", "Franklin"},
          {"pi_email", "rosalind@your.site"}, {"firstname", "Maurice"}, {"lastname", "Wilkins"},
          {"email", "maurice@your.site"}};
}

json::object record(std::string doi, std::string status, std::string created) {
  return {{"doi", doi}, {"title", "Apoferritin movies"}, {"abstract", "Movies of apoferritin."}, {"status", status},
          {"createdAt", created}, {"datasetPids", json::array{"PID.x/1"}},
          {"metadata", {{"publicationYear", 2026}, {"publisher", {{"name", "Your Site"}}},
                        {"creators", json::array{
                                         {{"name", "Franklin, Rosalind"}, {"givenName", "Rosalind"}, {"familyName", "Franklin"},
                                          {"nameIdentifiers", json::array{{{"nameIdentifier", "https://orcid.org/0000-0002-1825-0097"},
                                                                           {"nameIdentifierScheme", "ORCID"}}}}},
                                         {{"name", "Gosling, Raymond"}},
                                         {{"name", "King's College"}, {"nameType", "Organizational"}}}}}}};
}

TEST(EmpiarExportTest, OscemAuthorsWithRolesAreAuthorsContactsAndInvestigator) {
  ExportSubject s = movie_dataset();
  s.oscem["organizational"] = {{"authors", json::array{
      {{"given_name", "Carlos F."}, {"family_name", "Ruiz"}, {"email", "carlos@your.site"}, {"role", "corresponding author"},
       {"name_org", "Lab A"}, {"country", "Spain"}},
      {{"given_name", "Ada"}, {"family_name", "Lovelace"}, {"email", "ada@your.site"}, {"role", "Principal Investigator"},
       {"orcid", "https://orcid.org/0000-0002-1825-0097"}}}}};
  EmpiarResult r = empiar_deposition(s, options());
  ASSERT_FALSE(has_errors(r.problems)) << all(r.problems);
  EXPECT_EQ(names(r.document), "('Ruiz', 'CF');('Lovelace', 'A');");
  EXPECT_EQ(r.document.at("authors").at(1).at("author_orcid"), "0000-0002-1825-0097");
  EXPECT_TRUE(r.document.at("authors").at(0).at("author_orcid").is_null());
  const json::object& corresponding = r.document.at("corresponding_author").as_object();
  EXPECT_EQ(corresponding.at("first_name"), "Carlos F.");
  EXPECT_EQ(corresponding.at("organization"), "Lab A");
  EXPECT_EQ(corresponding.at("country"), "ES");
  const json::object& pi = r.document.at("principal_investigator").at(0).as_object();
  EXPECT_EQ(pi.at("last_name"), "Lovelace");
  EXPECT_EQ(pi.at("organization"), "Your Site");  // --organization where the metadata has none
  EXPECT_EQ(pi.at("country"), "CH");
}

TEST(EmpiarExportTest, TheProposalGivesProposerAndPrincipalInvestigator) {
  ExportSubject s = movie_dataset();
  s.proposal = proposal();
  EmpiarResult r = empiar_deposition(s, options());
  ASSERT_FALSE(has_errors(r.problems)) << all(r.problems);
  EXPECT_EQ(names(r.document), "('Wilkins', 'M');('Franklin', 'R');");
  EXPECT_EQ(r.document.at("corresponding_author").at("email"), "maurice@your.site");
  EXPECT_EQ(r.document.at("corresponding_author").at("first_name"), "Maurice");
  EXPECT_EQ(r.document.at("principal_investigator").at(0).at("email"), "rosalind@your.site");
  EXPECT_EQ(r.document.at("principal_investigator").at(0).at("last_name"), "Franklin");
}

TEST(EmpiarExportTest, APublishedDataRecordGivesAuthorsAndTheCitationWithItsDoi) {
  ExportSubject s = movie_dataset();
  s.proposal = proposal();
  s.published_data = {record("10.5072/later", "registered", "2026-05-01T00:00:00Z"),
                      record("10.5072/first-one", "registered", "2026-01-01T00:00:00Z")};
  EmpiarResult r = empiar_deposition(s, options());
  ASSERT_FALSE(has_errors(r.problems)) << all(r.problems);
  // creators (people only), then the proposal's proposer as corresponding author
  EXPECT_EQ(names(r.document), "('Franklin', 'R');('Gosling', 'R');('Wilkins', 'M');");
  EXPECT_EQ(r.document.at("authors").at(0).at("author_orcid"), "0000-0002-1825-0097");
  // the PI is the proposal's, with the creator's ORCID iD (the same person)
  const json::object& pi = r.document.at("principal_investigator").at(0).as_object();
  EXPECT_EQ(pi.at("email"), "rosalind@your.site");
  EXPECT_EQ(pi.at("author_orcid"), "0000-0002-1825-0097");

  const json::array& citations = r.document.at("citation").as_array();
  ASSERT_EQ(citations.size(), 2u);
  const json::object& c = citations.at(0).as_object();  // oldest first
  EXPECT_EQ(c.at("doi"), "10.5072/first-one");
  EXPECT_EQ(citations.at(1).at("doi"), "10.5072/later");
  EXPECT_EQ(c.at("title"), "Apoferritin movies");
  EXPECT_EQ(c.at("year"), 2026);
  EXPECT_EQ(c.at("published"), true);
  EXPECT_EQ(c.at("j_or_nj_citation"), false);  // a data publication, not a journal article
  EXPECT_EQ(c.at("details"), "Movies of apoferritin.");
  EXPECT_EQ(c.at("publisher"), "Your Site");
  EXPECT_EQ(names(c, "authors"), "('Franklin', 'R');('Gosling', 'R');");
  EXPECT_TRUE(c.at("editors").as_array().empty());
  EXPECT_EQ(problem_at(r.problems, "citation[0]"), nullptr);  // not the unpublished placeholder
  ASSERT_NE(problem_at(r.problems, "citation"), nullptr);     // the paper, once out
}

TEST(EmpiarExportTest, AnUnregisteredRecordIsNotPublishedAndSaysSo) {
  ExportSubject s = movie_dataset();
  json::object v3{{"doi", "10.5072/abc"}, {"title", "Data"}, {"status", "private"}, {"publicationYear", "2025"},
                  {"creator", json::array{"Ada Lovelace"}}};  // a v3-shaped record
  s.published_data = {v3};
  EmpiarResult r = empiar_deposition(s, options());
  ASSERT_FALSE(has_errors(r.problems)) << all(r.problems);
  const json::object& c = r.document.at("citation").at(0).as_object();
  EXPECT_EQ(c.at("published"), false);
  EXPECT_EQ(c.at("doi"), "10.5072/abc");
  EXPECT_EQ(c.at("year"), 2025);
  const ExportProblem* p = problem_at(r.problems, "citation[0].published");
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->is_error());
  EXPECT_NE(p->message.find("10.5072/abc is not registered"), std::string::npos) << p->message;
}

TEST(EmpiarExportTest, ADoiOutsideEmpiarsPatternIsLeftOutWithAWarning) {
  ExportSubject s = movie_dataset();
  s.published_data = {record("10.5072/a b<c>", "registered", "2026-01-01T00:00:00Z")};
  EmpiarResult r = empiar_deposition(s, options());
  ASSERT_FALSE(has_errors(r.problems)) << all(r.problems);
  // creators carry no e-mail and there is no proposal: the dataset's contact corresponds
  EXPECT_EQ(names(r.document), "('Franklin', 'R');('Gosling', 'R');('Lovelace', 'A');");
  EXPECT_EQ(r.document.at("corresponding_author").at("email"), "ada@your.site");
  EXPECT_FALSE(r.document.at("citation").at(0).as_object().contains("doi"));
  ASSERT_NE(problem_at(r.problems, "citation[0].doi"), nullptr);
}

TEST(EmpiarExportTest, WithoutAPublicationTheCitationIsAnUnpublishedPlaceholderToFillIn) {
  EmpiarResult r = empiar_deposition(movie_dataset(), options());
  ASSERT_FALSE(has_errors(r.problems)) << all(r.problems);
  const json::object& c = r.document.at("citation").at(0).as_object();
  EXPECT_EQ(c.at("published"), false);
  EXPECT_EQ(c.at("j_or_nj_citation"), true);
  EXPECT_EQ(c.at("title"), "Apoferritin at 1.2 A");
  EXPECT_EQ(names(c, "authors"), "('Lovelace', 'A');");  // the dataset's PI
  ASSERT_NE(problem_at(r.problems, "citation[0]"), nullptr);
  for (const char* target : {"release_date", "experiment_type", "cross_references"}) {
    EXPECT_NE(problem_at(r.problems, target), nullptr) << target;
  }
  EXPECT_EQ(r.document.at("release_date"), "HP");
  EXPECT_EQ(r.document.at("experiment_type"), 3);
}

TEST(EmpiarExportTest, NoAuthorAnywhereIsAnErrorAndNoDocument) {
  ExportSubject s = movie_dataset();
  s.dataset.erase("principalInvestigator");
  EmpiarResult r = empiar_deposition(s, options());
  EXPECT_TRUE(r.document.empty());
  const ExportProblem* p = problem_at(r.problems, "authors");
  ASSERT_NE(p, nullptr);
  EXPECT_TRUE(p->is_error());
  EXPECT_NE(p->message.find("no author"), std::string::npos);
}

TEST(EmpiarExportTest, MissingContactDetailsAreErrorsNamingWhereThePersonCameFrom) {
  ExportSubject s = movie_dataset();
  s.dataset.erase("contactEmail");
  EmpiarOptions o;  // no organization, an unknown country
  o.country = "Atlantis";
  EmpiarResult r = empiar_deposition(s, o);
  EXPECT_TRUE(r.document.empty());
  for (const char* target : {"corresponding_author.email", "corresponding_author.organization",
                             "corresponding_author.country", "principal_investigator[0].email"}) {
    const ExportProblem* p = problem_at(r.problems, target);
    ASSERT_NE(p, nullptr) << target << "\n" << all(r.problems);
    EXPECT_TRUE(p->is_error());
    EXPECT_EQ(p->source, "the dataset's principalInvestigator") << target;
  }
  o.allow_incomplete = true;
  EXPECT_FALSE(empiar_deposition(s, o).document.empty());
}

TEST(EmpiarExportTest, AnErrorNamesTheSourceOfThePersonItIsAbout) {
  ExportSubject s = movie_dataset();
  s.dataset.erase("contactEmail");
  s.published_data = {record("10.5072/x", "registered", "2026-01-01T00:00:00Z")};
  EmpiarResult r = empiar_deposition(s, options());
  const ExportProblem* p = problem_at(r.problems, "corresponding_author.email");
  ASSERT_NE(p, nullptr) << all(r.problems);
  EXPECT_TRUE(p->is_error());
  EXPECT_EQ(p->source, "the published data 10.5072/x");
  EXPECT_NE(p->message.find("Rosalind Franklin"), std::string::npos) << p->message;
}

TEST(EmpiarExportTest, TheTitleMustFitEmpiarsLength) {
  ExportSubject s = movie_dataset();
  s.dataset["datasetName"] = "short";
  EmpiarResult r = empiar_deposition(s, options());
  ASSERT_NE(problem_at(r.problems, "title"), nullptr);
  EXPECT_TRUE(problem_at(r.problems, "title")->is_error());
}

TEST(EmpiarExportTest, ImageSetsWithoutHeadersTakeTheAcquisitionAndAskForTheVoxelType) {
  EmpiarResult r = empiar_deposition(movie_dataset(), options());
  ASSERT_FALSE(has_errors(r.problems)) << all(r.problems);
  const json::array& sets = r.document.at("imagesets").as_array();
  ASSERT_EQ(sets.size(), 1u);  // the .xml travels with the movies
  const json::object& m = sets.at(0).as_object();
  EXPECT_EQ(m.at("category"), "('T2', '')");
  EXPECT_EQ(m.at("header_format"), "('T3', '')");
  EXPECT_EQ(m.at("directory"), "data/movies");
  EXPECT_EQ(m.at("num_images_or_tilt_series"), 2);
  EXPECT_EQ(m.at("frames_per_image"), 40);
  EXPECT_EQ(m.at("frame_range_max"), 40);
  EXPECT_NEAR(m.at("pixel_width").as_double(), 0.83, 1e-9);  // 0.083 nm in Å
  EXPECT_EQ(m.at("image_width"), 4096);
  EXPECT_EQ(m.at("voxel_type"), "('OT', 'UNKNOWN')");
  const ExportProblem* p = problem_at(r.problems, "imagesets[0].voxel_type");
  ASSERT_NE(p, nullptr);
  EXPECT_NE(p->message.find("no header was read"), std::string::npos) << p->message;
}

TEST(EmpiarExportTest, ImageSetsTakeVoxelTypeSizeAndFramesFromTheFilesHeaders) {
  ExportSubject s = movie_dataset();
  s.files.push_back({"maps/avg.mrc", 100, ""});
  s.files.push_back({"mrcmovies/m1.mrc", 100, ""});
  s.files.push_back({"eer/a.eer", 100, ""});
  s.oscem["image_headers"] = json::array{
      {{"directory", "movies"}, {"extension", "tiff"}, {"files", 2}, {"read", 2}, {"format", "TIFF"},
       {"voxel_type", "uint16"}, {"width", 5760}, {"height", 4092}, {"frames", 50}},
      {{"directory", "maps"}, {"extension", "mrc"}, {"files", 1}, {"read", 1}, {"format", "MRC"},
       {"voxel_type", "float32"}, {"width", 4}, {"height", 4}, {"frames", 1}},
      {{"directory", "mrcmovies"}, {"extension", "mrc"}, {"files", 1}, {"read", 1}, {"format", "MRC"},
       {"voxel_type", "float16"}, {"width", 8}, {"height", 4}, {"frames", 32}},
      {{"directory", "eer"}, {"extension", "eer"}, {"files", 1}, {"read", 1}, {"format", "EER"},
       {"voxel_type", "eer_events"}, {"differing", json::array{"frames"}}}};
  EmpiarResult r = empiar_deposition(s, options());
  ASSERT_FALSE(has_errors(r.problems)) << all(r.problems);
  std::map<std::string, json::object> by_directory;
  for (const json::value& set : r.document.at("imagesets").as_array()) {
    by_directory[std::string(set.at("directory").as_string())] = set.as_object();
  }
  ASSERT_EQ(by_directory.size(), 4u);
  const json::object& movies = by_directory.at("data/movies");
  EXPECT_EQ(movies.at("voxel_type"), "('T3', '')");  // UNSIGNED 16 BIT INTEGER
  EXPECT_EQ(movies.at("frames_per_image"), 50);      // the header's, over the acquisition's 40
  EXPECT_EQ(movies.at("image_width"), 5760);
  EXPECT_EQ(movies.at("image_height"), 4092);
  const json::object& map = by_directory.at("data/maps");
  EXPECT_EQ(map.at("category"), "('T1', '')");
  EXPECT_EQ(map.at("voxel_type"), "('T7', '')");  // 32 BIT FLOAT
  EXPECT_EQ(map.at("frames_per_image"), 1);
  const json::object& mrc_movies = by_directory.at("data/mrcmovies");
  EXPECT_EQ(mrc_movies.at("category"), "('T1', '')");  // 32 sections: movie or volume, the user says
  EXPECT_EQ(mrc_movies.at("voxel_type"), "('OT', '16 BIT FLOAT')");
  EXPECT_EQ(mrc_movies.at("frames_per_image"), 1);
  bool asked = false;
  for (const ExportProblem& p : r.problems) {
    asked = asked || (p.target.ends_with(".category") && p.message.find("32 sections") != std::string::npos);
  }
  EXPECT_TRUE(asked) << all(r.problems);
  const json::object& eer = by_directory.at("data/eer");
  EXPECT_EQ(eer.at("voxel_type"), "('OT', 'EER ELECTRON EVENTS')");
  EXPECT_EQ(eer.at("frames_per_image"), 40);  // frames differ between files: the acquisition's
  for (const ExportProblem& p : r.problems) {
    EXPECT_EQ(p.target.find(".voxel_type"), std::string::npos) << describe(p);  // every type known
  }
}

TEST(EmpiarExportTest, FilesWhoseHeadersDifferAskTheUser) {
  ExportSubject s = movie_dataset();
  s.oscem["acquisition"].as_object().erase("frames_per_movie");
  s.oscem["image_headers"] = json::array{{{"directory", "movies"}, {"extension", "tiff"}, {"files", 2}, {"read", 2},
                                          {"differing", json::array{"voxel_type", "frames"}}}};
  EmpiarResult r = empiar_deposition(s, options());
  const json::object& m = r.document.at("imagesets").at(0).as_object();
  EXPECT_EQ(m.at("voxel_type"), "('OT', 'UNKNOWN')");
  EXPECT_EQ(m.at("frames_per_image"), 0);
  ASSERT_NE(problem_at(r.problems, "imagesets[0].voxel_type"), nullptr);
  EXPECT_NE(problem_at(r.problems, "imagesets[0].voxel_type")->message.find("differ"), std::string::npos);
  ASSERT_NE(problem_at(r.problems, "imagesets[0].frames_per_image"), nullptr);
  EXPECT_NE(problem_at(r.problems, "imagesets[0].frames_per_image")->message.find("differ"), std::string::npos);
}

TEST(EmpiarExportTest, NoImageFileIsAnError) {
  ExportSubject s = movie_dataset();
  s.files = {{"notes.txt", 3, ""}};
  EmpiarResult r = empiar_deposition(s, options());
  ASSERT_NE(problem_at(r.problems, "imagesets"), nullptr);
  EXPECT_TRUE(problem_at(r.problems, "imagesets")->is_error());
  EXPECT_TRUE(r.document.empty());
}

TEST(EmpiarExportTest, VoxelTypesInEmpiarsTerms) {
  EXPECT_EQ(empiar_voxel_type("uint8"), "('T1', '')");
  EXPECT_EQ(empiar_voxel_type("int8"), "('T2', '')");
  EXPECT_EQ(empiar_voxel_type("uint16"), "('T3', '')");
  EXPECT_EQ(empiar_voxel_type("int16"), "('T4', '')");
  EXPECT_EQ(empiar_voxel_type("uint32"), "('T5', '')");
  EXPECT_EQ(empiar_voxel_type("int32"), "('T6', '')");
  EXPECT_EQ(empiar_voxel_type("float32"), "('T7', '')");
  EXPECT_EQ(empiar_voxel_type("bit"), "('T8', '')");
  EXPECT_EQ(empiar_voxel_type("uint4"), "('T9', '')");
  EXPECT_EQ(empiar_voxel_type("complex_float32"), "('OT', 'COMPLEX 32 BIT FLOAT')");
  EXPECT_EQ(empiar_voxel_type("nonsense"), "");
}

TEST(EmpiarExportTest, CountriesByNameOrCode) {
  EXPECT_EQ(iso_country_code("Switzerland"), "CH");
  EXPECT_EQ(iso_country_code(" ch "), "CH");
  EXPECT_EQ(iso_country_code("UK"), "GB");
  EXPECT_EQ(iso_country_code("ZZ"), "");
  EXPECT_EQ(iso_country_code("Atlantis"), "");
}

}  // namespace
}  // namespace openem
