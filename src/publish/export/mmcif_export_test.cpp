#include "publish/export/mmcif_export.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "publish/export/cif_reader.h"
#include "publish/export/export_test_support.h"
#include "publish/export/oscem_pdbx_mapping.h"
#include "testing/temp_dir.h"

namespace openem {
namespace {

namespace json = boost::json;
using ::testing::HasSubstr;
using testing_support::read_text;

const PdbxDictionary& dictionary() {
  static const PdbxDictionary dict = [] {
    auto loaded = PdbxDictionary::load(testing_support::dictionary_path());
    if (auto* error = std::get_if<std::string>(&loaded)) throw std::runtime_error(*error);
    return std::get<PdbxDictionary>(std::move(loaded));
  }();
  return dict;
}

json::object read_json(const std::string& path) { return json::parse(read_text(path)).as_object(); }

std::string reference_dir() { return std::string(OPENEM_SHARED_DIR) + "/testdata/oscem/osc-em_converter-OSCEM-to-mmCIF/"; }

cif::Block parse_block(const std::string& text) {
  auto read = cif::read_cif(text);
  if (auto* e = std::get_if<cif::ReadError>(&read)) {
    ADD_FAILURE() << "line " << e->line << ": " << e->message << "\n" << text;
    return {};
  }
  return std::get<cif::Document>(read).blocks.front();
}

std::string value_of(const cif::Block& block, const std::string& tag) {
  const cif::Value* v = block.find(tag);
  return v ? v->text : "<absent>";
}

std::vector<std::string> messages(const std::vector<ExportProblem>& problems) {
  std::vector<std::string> out;
  for (const ExportProblem& p : problems) out.push_back(describe(p));
  return out;
}

// `gemmi validate -p` with the dictionary: its whole output (empty when the file is valid).
std::string gemmi_findings(const std::string& cif_text) {
  openem::testing::TempDir dir;
  std::string file = (dir.path() / "export.cif").string();
  std::ofstream(file) << cif_text;
  return testing_support::gemmi_findings("-p", file);
}

TEST(MmcifExportTest, TheReferenceExampleAgreesValueByValueExceptDocumentedDifferences) {
  json::object input = read_json(reference_dir() + "data/example_metadata.json");
  MmcifResult result = mmcif_metadata_only(oscem_document_of(input), dictionary(), {"myID", true});
  ASSERT_FALSE(result.text.empty()) << ::testing::PrintToString(messages(result.problems));
  cif::Block ours = parse_block(result.text);
  cif::Block reference = parse_block(read_text(reference_dir() + "results/output_example.cif"));
  EXPECT_EQ(ours.name, "myID");

  // Deliberate differences, each with its reason (oscem_pdbx_mapping.h):
  const std::map<std::string, std::string> differences = {
      // 474 kDa converted to the dictionary's daltons instead of copied.
      {"_entity.formula_weight", "474000"},
      // "Homo Sapiens" is an organism, not a production method (nat/man/syn): reported, not written.
      {"_entity.src_method", "<absent>"},
      // "polypeptide" → the dictionary's "polypeptide(L)" (the reference writes POLYPEPTIDE, invalid).
      {"_entity_poly.type", "polypeptide(L)"},
      // has_ligand_of_interest is Y/N in the dictionary (the reference writes NO, invalid).
      {"_pdbx_entry_details.has_ligand_of_interest", "N"},
      // A protein name belongs to _entity.pdbx_description; branch descriptors are for carbohydrates.
      {"_pdbx_entity_branch_descriptor.descriptor", "<absent>"},
      {"_pdbx_entity_branch_descriptor.entity_id", "<absent>"},
      // Funders outside wwPDB's list keep their name (with a warning) instead of "Other government".
      {"_pdbx_audit_support.funding_organization", "Swissuniversities,  CHORD track B"},
  };
  int compared = 0;
  for (const cif::Statement& s : reference.statements) {
    for (std::size_t t = 0; t < s.tags.size(); ++t) {
      const std::string& tag = s.tags[t];
      std::string expected = s.values[t].text;
      if (auto d = differences.find(tag); d != differences.end()) expected = d->second;
      EXPECT_EQ(value_of(ours, tag), expected) << tag;
      ++compared;
    }
  }
  EXPECT_GE(compared, 60);
  EXPECT_EQ(value_of(ours, "_entity.pdbx_description"), "Apoferritin heavy chain");
  // Looped rows agree too: the second and third authors.
  auto last_names = ours.column("_pdbx_contact_author.name_last");
  ASSERT_EQ(last_names.size(), 3u);
  EXPECT_EQ(last_names[1]->text, "Rodriguez");
  EXPECT_EQ(last_names[2]->text, "Bliven");
  EXPECT_EQ(ours.column("_pdbx_contact_author.role")[2]->text, "principal investigator/group leader");
  // The organism that is not a production method is reported with its OSC-EM path.
  EXPECT_THAT(messages(result.problems),
              ::testing::Contains(HasSubstr("sample.overall_molecule.source → _entity.src_method")));
}

TEST(MmcifExportTest, GemmiFindsEveryExportValidWithParentsPresent) {
  json::object reference = read_json(reference_dir() + "data/example_metadata.json");
  MmcifResult a = mmcif_metadata_only(oscem_document_of(reference), dictionary(), {"myID", true});
  EXPECT_EQ(gemmi_findings(a.text), "");
  for (const char* fixture : {"epu_spa_oscem.json", "serialem_tomo_oscem.json"}) {
    json::object oscem = read_json(testing_support::fixture(fixture));
    MmcifResult r = mmcif_metadata_only(oscem, dictionary(), {"D_1", false});
    ASSERT_FALSE(r.text.empty()) << fixture << ::testing::PrintToString(messages(r.problems));
    EXPECT_EQ(gemmi_findings(r.text), "") << fixture << "\n" << r.text;
  }
}

TEST(MmcifExportTest, ValuesAreConvertedToTheDictionaryUnitsAndDefocusFollowsThePdbxSign) {
  json::object oscem = read_json(testing_support::fixture("serialem_tomo_oscem.json"));
  oscem["acquisition"].as_object()["nominal_defocus"] =
      json::parse(R"({"minimal": {"value": -3.5, "unit": "um"}, "maximal": {"value": -1.5, "unit": "um"}})");
  oscem["instrument"].as_object()["c2_aperture"] = json::parse(R"({"value": 0.05, "unit": "mm"})");
  MmcifResult r = mmcif_metadata_only(oscem, dictionary(), {"D_1", false});
  cif::Block block = parse_block(r.text);
  EXPECT_EQ(value_of(block, "_em_imaging.nominal_defocus_min"), "1500");
  EXPECT_EQ(value_of(block, "_em_imaging.nominal_defocus_max"), "3500");
  EXPECT_EQ(value_of(block, "_em_imaging.c2_aperture_diameter"), "50");
  EXPECT_EQ(value_of(block, "_em_imaging.accelerating_voltage"), "300");
  EXPECT_EQ(value_of(block, "_em_imaging.nominal_cs"), "2.7");
  EXPECT_EQ(value_of(block, "_em_imaging.tilt_angle_min"), "-66.9998");
  EXPECT_EQ(value_of(block, "_em_imaging.microscope_model"), "TFS KRIOS");
  EXPECT_EQ(value_of(block, "_em_imaging.electron_source"), "FIELD EMISSION GUN");
  EXPECT_EQ(value_of(block, "_em_image_recording.film_or_detector_model"), "GATAN K2 SUMMIT (4k x 4k)");
  EXPECT_EQ(value_of(block, "_em_experiment.reconstruction_method"), "SUBTOMOGRAM AVERAGING");
  EXPECT_EQ(value_of(block, "_em_imaging.date"), "2023-05-03");
}

TEST(MmcifExportTest, BadValuesAreErrorsWithTheirOscemPathAndNoFile) {
  json::object oscem = read_json(testing_support::fixture("epu_spa_oscem.json"));
  oscem["instrument"].as_object()["cs"] = json::parse(R"({"value": 2.7, "unit": "smoot"})");
  oscem["instrument"].as_object()["illumination"] = "sideways";
  oscem["sample"] = json::parse(R"({"specimen": {"ph": 15}})");
  MmcifResult r = mmcif_metadata_only(oscem, dictionary(), {"D_1", false});
  EXPECT_EQ(r.text, "");
  auto m = messages(r.problems);
  EXPECT_THAT(m, ::testing::Contains(HasSubstr("instrument.cs → _em_imaging.nominal_cs: unit \"smoot\"")));
  EXPECT_THAT(m, ::testing::Contains(HasSubstr("instrument.illumination → _em_imaging.illumination_mode: \"sideways\"")));
  EXPECT_THAT(m, ::testing::Contains(HasSubstr("sample.specimen.ph → _em_buffer.pH: 15 is outside the range")));

  // Allowed to be incomplete: the rest is written, the bad values are not.
  MmcifResult partial = mmcif_metadata_only(oscem, dictionary(), {"D_1", true});
  cif::Block block = parse_block(partial.text);
  EXPECT_EQ(value_of(block, "_em_imaging.nominal_cs"), "<absent>");
  EXPECT_EQ(value_of(block, "_em_buffer.pH"), "<absent>");
  EXPECT_EQ(value_of(block, "_em_imaging.accelerating_voltage"), "300");
}

TEST(MmcifExportTest, MissingRequiredMetadataIsAnError) {
  json::object oscem = read_json(testing_support::fixture("epu_spa_oscem.json"));
  oscem["instrument"].as_object().erase("microscope");
  MmcifResult r = mmcif_metadata_only(oscem, dictionary(), {"D_1", false});
  EXPECT_EQ(r.text, "");
  EXPECT_THAT(messages(r.problems), ::testing::Contains(HasSubstr("_em_imaging.microscope_model: required")));
}

TEST(MmcifExportTest, MergingIntoAModelKeepsEverythingTheMetadataDoesNotOwnByteForByte) {
  std::string model = read_text(testing_support::fixture("model.cif"));
  json::object oscem = read_json(testing_support::fixture("epu_spa_oscem.json"));
  MmcifResult r = mmcif_merged_into_model(oscem, model, dictionary(), {"ignored", false});
  ASSERT_FALSE(r.text.empty()) << ::testing::PrintToString(messages(r.problems));
  // The atoms, the cell and the comment between them, byte for byte.
  auto atoms_begin = model.find("loop_\n_atom_site.group_PDB");
  auto atoms_end = model.find("loop_\n_pdbx_contact_author");
  EXPECT_THAT(r.text, HasSubstr(model.substr(atoms_begin, atoms_end - atoms_begin)));
  EXPECT_THAT(r.text, HasSubstr(model.substr(model.find("_cell.entry_id"), model.find("_em_imaging.entry_id") -
                                                                              model.find("_cell.entry_id"))));
  cif::Block block = parse_block(r.text);
  EXPECT_EQ(block.name, "1ABC");
  EXPECT_EQ(value_of(block, "_entry.id"), "1ABC");
  // Single-row category: merged item by item, the metadata wins, the model's other items stay.
  EXPECT_EQ(value_of(block, "_em_imaging.microscope_model"), "TFS KRIOS");
  EXPECT_EQ(value_of(block, "_em_imaging.residual_tilt"), "0.1");
  EXPECT_EQ(value_of(block, "_em_imaging.entry_id"), "1ABC");
  EXPECT_EQ(value_of(block, "_em_imaging.accelerating_voltage"), "300");
  EXPECT_EQ(block.column("_em_imaging.id").size(), 1u);
  // Categories the model lacks are added with the model's entry id.
  EXPECT_EQ(value_of(block, "_em_image_scans.entry_id"), "1ABC");
  // The model's contact author stays when the metadata has none.
  EXPECT_EQ(value_of(block, "_pdbx_contact_author.email"), "old@example.org");
  // gemmi reads it and finds no dictionary violations (parents of the atoms are the model's business).
  openem::testing::TempDir dir;
  std::ofstream((dir.path() / "merged.cif").string()) << r.text;
  EXPECT_EQ(testing_support::gemmi_findings("", (dir.path() / "merged.cif").string()), "");
}

TEST(MmcifExportTest, AModelThatIsNotMmcifIsAClearError) {
  json::object oscem = read_json(testing_support::fixture("epu_spa_oscem.json"));
  for (const char* model : {"HEADER    PDB FORMAT\nATOM      1  N   MET A   1\n", "data_x\nloop_\n_a.b\n_a.c\n1\n",
                            "data_x\n_a.b 'unterminated\n", ""}) {
    MmcifResult r = mmcif_merged_into_model(oscem, model, dictionary(), {"D_1", false});
    EXPECT_EQ(r.text, "") << model;
    ASSERT_FALSE(r.problems.empty());
    EXPECT_THAT(describe(r.problems.front()), HasSubstr("error: model")) << model;
  }
}

}  // namespace
}  // namespace openem
