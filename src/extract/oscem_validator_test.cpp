#include "extract/oscem_validator.h"

#include <gtest/gtest.h>

#include "extract/extract.h"
#include "extract/extract_error.h"
#include "extract/test_support.h"

namespace openem::extract {
namespace {

using namespace openem::extract::testing;

ExtractOptions krios() {
  ExtractOptions o;
  o.site = load_site_profile(fixtures_dir() / "site_krios.toml");
  return o;
}

std::string dump(const std::vector<ValidationIssue>& v) {
  std::string s;
  for (const auto& i : v) s += i.path + ": " + i.message + "\n";
  return s;
}

TEST(OscemValidation, SerialEmWithSiteProfileIsValid) {
  ExtractResult r = extract_session(reference_tests() / "mdocs", krios());
  EXPECT_TRUE(r.valid()) << dump(r.validation_errors);
  EXPECT_EQ(r.oscem.at("instrument").at("microscope").at("model"), "Titan Krios G3i");
  EXPECT_EQ(r.oscem.at("instrument").at("electron_source"), "FEG");
  const auto& det = r.oscem.at("acquisition").at("detectors").as_array();
  ASSERT_EQ(det.size(), 1u);
  EXPECT_EQ(det[0].at("name"), "Gatan K2 Summit");  // CameraIndex 0 through the site profile
  EXPECT_EQ(det[0].at("mode"), "counting");
  // Zone-less SerialEM time read in the site's zone.
  EXPECT_EQ(r.oscem.at("acquisition").at("date_time"), "2023-05-03T13:28:10+02:00");
}

TEST(OscemValidation, AllTomographyFlavoursValidate) {
  for (Technique t : {Technique::kSubtomo, Technique::kCellularTomo, Technique::kEnvTomo}) {
    ExtractOptions o = krios();
    o.technique = t;
    ExtractResult r = extract_session(reference_tests() / "mdocs", o);
    EXPECT_TRUE(r.valid()) << technique_name(t) << "\n" << dump(r.validation_errors);
    EXPECT_EQ(r.oscem.at("acquisition").at("technique").as_string(), technique_name(t));
  }
}

TEST(OscemValidation, EpuSessionIsValidSpaAndGeneral) {
  for (Technique t : {Technique::kAuto, Technique::kGeneral}) {
    ExtractOptions o = krios();
    o.technique = t;
    ExtractResult r = extract_session(reference_tests() / "xml", o);
    EXPECT_TRUE(r.valid()) << dump(r.validation_errors);
    // The EPU instrument code is named through the site profile.
    EXPECT_EQ(r.oscem.at("instrument").at("microscope").at("model"), "Titan Krios G4");
  }
}

TEST(OscemValidation, SerialEmWithoutSiteProfileReportsMissingFields) {
  ExtractResult r = extract_session(reference_tests() / "mdocs");
  ASSERT_FALSE(r.valid());
  bool microscope = false;
  for (const auto& i : r.validation_errors)
    if (i.path == "instrument" && i.message.find("microscope") != std::string::npos) microscope = true;
  EXPECT_TRUE(microscope) << dump(r.validation_errors);
}

TEST(OscemValidation, ErrorsCarryJsonPathAndReason) {
  boost::json::value doc = boost::json::parse(R"({
    "instrument": {"microscope": {"model": "X"}, "illumination": "Parallel", "imaging": "BrightField",
                   "electron_source": "FEG", "acceleration_voltage": {"value": 300, "unit": "kV"}},
    "acquisition": {"technique": "subtomo", "detectors": [], "date_time": "yesterday",
                    "binning_camera": {"height": 1, "width": 1}, "pixel_size": {"value": 2.66, "unit": "A"},
                    "tilt_axis_angle": {"value": 84.3, "unit": "deg"},
                    "tilt_angle": {"minimal": {"value": -60, "unit": "deg"}, "maximal": {"value": 60, "unit": "deg"}}}
  })");
  auto issues = validate_oscem(doc, Technique::kSubtomo);
  std::set<std::string> paths;
  for (const auto& i : issues) paths.insert(i.path);
  EXPECT_TRUE(paths.count("acquisition.tilt_axis_angle")) << dump(issues);
  EXPECT_TRUE(paths.count("acquisition.date_time")) << dump(issues);
  EXPECT_TRUE(paths.count("acquisition.tilt_angle")) << dump(issues);  // increment missing
}

TEST(OscemValidation, TiltFieldsAreRejectedBySpaSchema) {
  boost::json::value doc = boost::json::parse(R"({
    "instrument": {"microscope": {"model": "X"}, "illumination": "P", "imaging": "B", "electron_source": "F",
                   "acceleration_voltage": {"value": 300, "unit": "kV"}},
    "acquisition": {"technique": "spa", "detectors": [], "date_time": "2024-01-01T00:00:00Z",
                    "binning_camera": {"height": 1, "width": 1}, "pixel_size": {"value": 1, "unit": "A"},
                    "tilt_axis_angle": 3}})");
  EXPECT_FALSE(validate_oscem(doc, Technique::kSpa).empty());
}

TEST(OscemValidation, SchemaFolderOverride) {
  auto dir = shared_dir() / "oscem" / "osc-em_OSCEM_Schemas" / "artifacts" / "v1.0.2";
  boost::json::value doc = boost::json::parse(R"({"instrument": {}, "acquisition": {}})");
  EXPECT_FALSE(validate_oscem(doc, Technique::kGeneral, dir).empty());
  EXPECT_THROW(validate_oscem(doc, Technique::kGeneral, std::filesystem::path("/nonexistent")), ExtractError);
}

TEST(SiteProfile, BadTomlNamesFileAndLine) {
  try {
    parse_site_profile("[microscope]\ncs_mm = \"two point seven\"\n", "site.toml");
    FAIL();
  } catch (const ExtractError& e) {
    EXPECT_EQ(e.file(), "site.toml");
    EXPECT_EQ(e.line(), 2u);
  }
  EXPECT_THROW(parse_site_profile("[microscope\n", "broken.toml"), ExtractError);
  EXPECT_THROW(parse_site_profile("[acquisition]\ntime_zone = \"Mars\"\n", "tz.toml"), ExtractError);
}

TEST(ExtractSession, MissingPathAndEmptyFolderFailClearly) {
  try {
    extract_session("/nonexistent/session");
    FAIL();
  } catch (const ExtractError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/session: no such file or folder"), std::string::npos);
  }
  auto empty = std::filesystem::temp_directory_path() / "openem_extract_empty";
  std::filesystem::create_directories(empty);
  EXPECT_THROW(extract_session(empty), ExtractError);
}

TEST(ExtractSession, BadFilesAreSkippedWithWarnings) {
  auto dir = std::filesystem::temp_directory_path() / "openem_extract_mixed";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir / "Data");
  std::filesystem::copy_file(reference_tests() / "xml" / "FoilHole_31933450_Data_31923928_31923930_20240901_060108.xml",
                             dir / "Data" / "FoilHole_1_Data_1_1_20240901_060108.xml");
  { std::ofstream(dir / "Data" / "FoilHole_2_Data_2_2_20240901_060109.xml") << "<MicroscopeImage><broken"; }
  { std::ofstream(dir / "TS_9.mrc.mdoc") << std::string("\x01\x02\x00\x04", 4); }
  ExtractResult r = extract_session(dir, krios());
  EXPECT_EQ(r.counts.epu_movies, 1);
  int skipped = 0;
  for (const auto& w : r.warnings)
    if (w.find("(file skipped)") != std::string::npos) ++skipped;
  EXPECT_EQ(skipped, 2);
  std::filesystem::remove_all(dir);
}

TEST(ExtractSession, SingleMdocFileAndFlatView) {
  ExtractResult r = extract_session(shared_dir() / "mdoc" / "tilt_series.mdoc", krios());
  EXPECT_EQ(r.counts.tilt_series, 1);
  EXPECT_EQ(r.flat.at("PixelSpacing"), "5.4");
  EXPECT_EQ(r.flat.at("NumberOfTiltSeries"), "1");
  EXPECT_EQ(r.oscem.at("acquisition").at("tilt_axis_angle"), 85.3);
  EXPECT_EQ(r.oscem.at("acquisition").at("binning_camera").at("width"), 4);
}

TEST(ExtractSession, FrameMdocIsSpaWithSuperResolution) {
  ExtractResult r = extract_session(shared_dir() / "mdoc" / "frame_set_single.mdoc", krios());
  EXPECT_EQ(r.technique, Technique::kSpa);
  const auto& det = r.oscem.at("acquisition").at("detectors").as_array();
  ASSERT_EQ(det.size(), 1u);
  EXPECT_EQ(det[0].at("name"), "GIF-K3");  // from the title's "Camera -> 0:Ceta 1:GIF-K3", CameraIndex 1
  EXPECT_EQ(det[0].at("mode"), "super-resolution");  // Binning 0.5
}

}  // namespace
}  // namespace openem::extract
