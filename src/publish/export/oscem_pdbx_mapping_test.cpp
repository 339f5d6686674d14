// OSC-EM → PDBx mapping rules that the reference converter's example data does not reach.
#include "publish/export/oscem_pdbx_mapping.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "publish/export/export_test_support.h"

namespace openem {
namespace {

namespace json = boost::json;

const PdbxDictionary& dictionary() {
  static const PdbxDictionary dict = [] {
    auto loaded = PdbxDictionary::load(testing_support::dictionary_path());
    if (auto* error = std::get_if<std::string>(&loaded)) throw std::runtime_error(*error);
    return std::get<PdbxDictionary>(std::move(loaded));
  }();
  return dict;
}

// An OSC-EM document with enough to be mapped, and `optics` as acquisition.specialist_optics.
json::object with_optics(json::object optics) {
  json::object doc{{"instrument", {{"microscope", {{"model", "Titan Krios G4"}}},
                                   {"illumination", "Flood Beam"},
                                   {"imaging", "Bright Field"}}},
                   {"acquisition", {{"technique", "spa"}}}};
  if (!optics.empty()) doc["acquisition"].as_object()["specialist_optics"] = std::move(optics);
  return doc;
}

std::string item(const PdbxMetadata& m, const std::string& category, const std::string& name) {
  auto it = m.categories.find(category);
  if (it == m.categories.end() || it->second.empty()) return "<absent>";
  auto value = it->second.front().find(name);
  return value == it->second.front().end() ? "<absent>" : value->second;
}

std::string problems_of(const PdbxMetadata& m) {
  std::string out;
  for (const ExportProblem& p : m.problems) out += describe(p) + "\n";
  return out;
}

bool has_error(const PdbxMetadata& m) { return has_errors(m.problems); }

// PDBx's _em_imaging_optics.phase_plate names the plate that was in the column (ZERNIKE, VOLTA,
// OTHER); it has no value for "none". openem's own extractor writes {used: false,
// instrument_type: "none"} when EPU says PhasePlateUsed=false (the schema requires the type), so
// "none" must mean: no item — before, the export wrote `_em_imaging_optics.phase_plate none`,
// a phase plate called "none", with a warning.
TEST(OscemPdbxMappingTest, NoPhasePlateIsNoItemAndNoError) {
  for (json::object phaseplate : {json::object{{"used", false}, {"instrument_type", "none"}},
                                  json::object{{"used", false}, {"instrument_type", "None"}},
                                  json::object{{"used", false}},  // the reference converter's data
                                  json::object{{"instrument_type", "none"}},
                                  json::object{{"used", false}, {"instrument_type", "Volta"}}}) {
    PdbxMetadata m = map_oscem_to_pdbx(with_optics({{"phaseplate", phaseplate}}), dictionary(), "TEST");
    SCOPED_TRACE(json::serialize(phaseplate));
    EXPECT_FALSE(has_error(m)) << problems_of(m);
    EXPECT_EQ(item(m, "em_imaging_optics", "_em_imaging_optics.phase_plate"), "<absent>");
  }
  PdbxMetadata absent = map_oscem_to_pdbx(with_optics({}), dictionary(), "TEST");
  EXPECT_FALSE(has_error(absent)) << problems_of(absent);
  EXPECT_EQ(item(absent, "em_imaging_optics", "_em_imaging_optics.phase_plate"), "<absent>");
}

TEST(OscemPdbxMappingTest, AUsedPhasePlateMapsToTheDictionarysName) {
  for (auto [given, expected] : {std::pair{"Volta", "VOLTA PHASE PLATE"}, std::pair{"volta phase plate", "VOLTA PHASE PLATE"},
                                 std::pair{"Zernike", "ZERNIKE PHASE PLATE"}, std::pair{"other", "OTHER"}}) {
    PdbxMetadata m = map_oscem_to_pdbx(with_optics({{"phaseplate", {{"used", true}, {"instrument_type", given}}}}),
                                       dictionary(), "TEST");
    EXPECT_FALSE(has_error(m)) << given << ": " << problems_of(m);
    EXPECT_EQ(item(m, "em_imaging_optics", "_em_imaging_optics.phase_plate"), expected) << given;
  }
}

// A plate that was in but whose type nobody recorded: the depositor must say which, so a
// warning names the item; nothing is invented.
TEST(OscemPdbxMappingTest, AUsedPhasePlateOfUnknownTypeIsAFillInWarning) {
  PdbxMetadata m = map_oscem_to_pdbx(
      with_optics({{"phaseplate", {{"used", true}, {"instrument_type", "unspecified"}}}}), dictionary(), "TEST");
  EXPECT_FALSE(has_error(m)) << problems_of(m);
  EXPECT_EQ(item(m, "em_imaging_optics", "_em_imaging_optics.phase_plate"), "<absent>");
  EXPECT_NE(problems_of(m).find("acquisition.specialist_optics.phaseplate.instrument_type"), std::string::npos)
      << problems_of(m);
  EXPECT_NE(problems_of(m).find("_em_imaging_optics.phase_plate"), std::string::npos) << problems_of(m);
}

// A type outside wwPDB's (advisory) list is written as given with a warning naming its path,
// as for every advisory enumeration.
TEST(OscemPdbxMappingTest, AnUnknownPhasePlateTypeIsWrittenWithAWarning) {
  PdbxMetadata m = map_oscem_to_pdbx(
      with_optics({{"phaseplate", {{"used", true}, {"instrument_type", "laser phase plate"}}}}), dictionary(), "TEST");
  EXPECT_FALSE(has_error(m)) << problems_of(m);
  EXPECT_EQ(item(m, "em_imaging_optics", "_em_imaging_optics.phase_plate"), "laser phase plate");
  EXPECT_NE(problems_of(m).find("acquisition.specialist_optics.phaseplate.instrument_type"), std::string::npos);
}

// Correctors are free text in PDBx: "none" written there would claim a corrector called "none".
TEST(OscemPdbxMappingTest, NoCorrectorIsNoItem) {
  PdbxMetadata m = map_oscem_to_pdbx(
      with_optics({{"spherical_aberration_corrector", {{"used", false}, {"instrument_type", "none"}}},
                   {"chromatic_aberration_corrector", {{"used", true}, {"instrument_type", "CEOS CEFID"}}}}),
      dictionary(), "TEST");
  EXPECT_FALSE(has_error(m)) << problems_of(m);
  EXPECT_EQ(item(m, "em_imaging_optics", "_em_imaging_optics.sph_aberration_corrector"), "<absent>");
  EXPECT_EQ(item(m, "em_imaging_optics", "_em_imaging_optics.chr_aberration_corrector"), "CEOS CEFID");
}

}  // namespace
}  // namespace openem
