// Regression tests for issue 18, "Extraction gives wrong numbers on real sessions". Each test
// writes a real-shaped session (test_sessions.h), checks a value against an independent
// computation from what it wrote, and fails on the extractor before the fix. They use only
// the public API that existed then (extract_session, ExtractResult::oscem/warnings), so they
// build against the old code too.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>

#include "extract/extract.h"
#include "extract/extract_error.h"
#include "extract/json_writer.h"
#include "extract/test_sessions.h"
#include "extract/test_support.h"

namespace openem::extract {
namespace {

using namespace openem::extract::testing;

ExtractOptions krios() {
  ExtractOptions o;
  o.site = load_site_profile(fixtures_dir() / "site_krios.toml");
  return o;
}

ExtractOptions site(const std::string& toml) {
  ExtractOptions o;
  o.site = parse_site_profile(toml, "test_site.toml");
  return o;
}

const boost::json::value* at(const ExtractResult& r, const std::string& path) {
  static thread_local boost::json::value doc;
  doc = boost::json::value(r.oscem);
  return at_path(doc, path);
}

double number(const ExtractResult& r, const std::string& path) {
  const boost::json::value* v = at(r, path);
  EXPECT_NE(v, nullptr) << path << " missing";
  return v ? as_number(*v) : std::nan("");
}

bool has_warning(const ExtractResult& r, const std::vector<std::string>& parts) {
  for (const auto& w : r.warnings) {
    bool all = true;
    for (const auto& p : parts) all = all && w.find(p) != std::string::npos;
    if (all) return true;
  }
  return false;
}

std::string warnings_of(const ExtractResult& r) {
  std::string out;
  for (const auto& w : r.warnings) out += "\n  " + w;
  return out;
}

std::filesystem::path epu_movie(const std::filesystem::path& dir, int n) {
  return dir / "Images-Disc1" / "GridSquare_1" / "Data" /
         ("FoilHole_3193631" + std::to_string(n) + "_Data_31923949_3192395" + std::to_string(n) + "_20240831_200556.xml");
}

// --- EPU dose -------------------------------------------------------------------------

TEST(Issue18, EpuDoseIsElectronsPerSquareAngstromFromDose) {
  // The EPU 3.1 example of the issue: Dose 6.3993e21 e/m², pixel 1.285 Å, DoseOnCamera 105.70.
  auto dir = fresh_dir("i18_epu_dose");
  EpuImage e;
  e.dose_per_m2 = 6.3993e21;
  e.dose_on_camera = 105.70;
  e.pixel_m = 1.285e-10;
  write_file(epu_movie(dir, 1), epu_image_xml(e));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_NEAR(number(r, "acquisition.dose_per_movie.value"), 6.3993e21 * 1e-20, 1e-9);  // 63.993, not 105.7
  EXPECT_EQ(at(r, "acquisition.dose_per_movie.unit")->as_string(), "1/\u212B^2");
  EXPECT_FALSE(has_warning(r, {"disagree"})) << warnings_of(r);  // 63.993 x 1.285² = 105.67: within 1 %
}

TEST(Issue18, EpuDoseFromDoseOnCameraAndPixelWhenDoseIsMissing) {
  auto dir = fresh_dir("i18_epu_dose_on_camera");
  EpuImage e;
  e.dose_per_m2.reset();
  e.dose_on_camera = 105.70;
  e.pixel_m = 1.285e-10;
  write_file(epu_movie(dir, 1), epu_image_xml(e));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_NEAR(number(r, "acquisition.dose_per_movie.value"), 105.70 / (1.285 * 1.285), 1e-9);
}

TEST(Issue18, EpuDoseThatDisagreesWithDoseOnCameraIsAWarning) {
  auto dir = fresh_dir("i18_epu_dose_disagree");
  EpuImage good, bad;
  bad.dose_on_camera = 120.0;  // 13.6 % more than Dose x pixel area
  write_file(epu_movie(dir, 1), epu_image_xml(good));
  write_file(epu_movie(dir, 2), epu_image_xml(bad));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_TRUE(has_warning(r, {"disagree", "1 of 2", epu_movie(dir, 2).filename().string()})) << warnings_of(r);
  EXPECT_NEAR(number(r, "acquisition.dose_per_movie.value"), 63.993, 1e-9);  // both files say Dose 6.3993e21
}

TEST(Issue18, EpuDosePerMovieIsTheMeanOverMovies) {
  auto dir = fresh_dir("i18_epu_dose_mean");
  EpuImage a, b;
  a.dose_per_m2 = 6.0e21;
  a.dose_on_camera = 60.0 * 1.285 * 1.285;
  b.dose_per_m2 = 7.0e21;
  b.dose_on_camera = 70.0 * 1.285 * 1.285;
  write_file(epu_movie(dir, 1), epu_image_xml(a));
  write_file(epu_movie(dir, 2), epu_image_xml(b));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_DOUBLE_EQ(number(r, "acquisition.dose_per_movie.value"), 65.0);
  EXPECT_EQ(number(r, "acquisition.images_generated"), 2);
}

TEST(Issue18, DoseIsRightForEveryEpuImageInTheSharedTestData) {
  // Every MicroscopeImage XML under ../shared/testdata, extracted on its own: e/Å² from Dose
  // (or DoseOnCamera / pixel area), computed here from the text of the file.
  auto value_after = [](const std::string& text, const std::string& open) -> std::optional<double> {
    auto k = text.find(open);
    if (k == std::string::npos) return std::nullopt;
    auto v = text.find('>', text.find("<a:Value", k)) + 1;
    return std::stod(text.substr(v, text.find('<', v) - v));
  };
  int checked = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(shared_dir())) {
    if (!e.is_regular_file() || e.path().extension() != ".xml") continue;
    std::string text = slurp(e.path());
    if (text.find("<MicroscopeImage") == std::string::npos) continue;
    SCOPED_TRACE(e.path().string());
    auto dose = value_after(text, "<a:Key>Dose</a:Key>");
    auto on_camera = value_after(text, "<a:Key>DoseOnCamera</a:Key>");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(text, m, std::regex(R"(<pixelSize>\s*<x>\s*<numericValue>([^<]+)<)")));
    double pixel_a = std::stod(m[1]) * 1e10;
    std::optional<double> want = dose ? std::optional(*dose * 1e-20)
                                 : on_camera ? std::optional(*on_camera / (pixel_a * pixel_a))
                                             : std::nullopt;
    ExtractResult r = extract_session(e.path(), krios());
    if (!want) {
      EXPECT_EQ(at(r, "acquisition.dose_per_movie"), nullptr);
      continue;
    }
    EXPECT_TRUE(numbers_close(number(r, "acquisition.dose_per_movie.value"), *want, 1e-12));
    ++checked;
  }
  EXPECT_GE(checked, 60);  // 9 in epu/, the rest in oscem/
}

// --- SerialEM frame-set mdocs --------------------------------------------------------

TEST(Issue18, FrameSetMovieDoseIsTheMoviesNotAveragedWithItsSlices) {
  auto dir = fresh_dir("i18_frame_set");
  SerialEmFrameSet f;  // the movie 291.302 e/Å², 20 slices of 7.66184
  write_file(dir / "s_mmm_01013_33.0_Oct08_07.46.46.tif.mdoc", serialem_frame_set(f));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_DOUBLE_EQ(number(r, "acquisition.dose_per_movie.value"), f.movie_dose);
  EXPECT_EQ(number(r, "acquisition.images_generated"), 1);  // one movie, not 21 sections
  EXPECT_EQ(r.technique, Technique::kSpa);
}

TEST(Issue18, FrameSetMoviesCountMovies) {
  auto dir = fresh_dir("i18_frame_sets");
  SerialEmFrameSet a, b;
  b.movie_dose = 300;
  write_file(dir / "a.tif.mdoc", serialem_frame_set(a));
  write_file(dir / "b.tif.mdoc", serialem_frame_set(b));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_DOUBLE_EQ(number(r, "acquisition.dose_per_movie.value"), (a.movie_dose + b.movie_dose) / 2);
  EXPECT_EQ(number(r, "acquisition.images_generated"), 2);
}

// --- mixed SerialEM folders ------------------------------------------------------------

TEST(Issue18, MixedFolderHasTheValuesOfItsTiltSeries) {
  auto dir = fresh_dir("i18_mixed");
  SerialEmSeries ts;  // the truth: 2.7 Å, 200 kV, -60..60°
  ts.image_file = "TS_1.mrc";
  ts.voltage_kv = 200;
  write_file(dir / "TS_1.mrc.mdoc", serialem_mdoc(ts));
  SerialEmSeries montage;  // grid overview: 53 Å, 300 kV, pieces at 55°
  montage.image_file = "LMM.mrc";
  montage.montage = true;
  montage.frames_saved = false;
  montage.pixel_a = 53.0;
  montage.voltage_kv = 300;
  montage.first_tilt = 55;
  montage.tilt_step = 0;
  montage.tilts = 12;
  montage.magnification = 135;
  montage.dose = 0.02;
  write_file(dir / "LMM.mrc.mdoc", serialem_mdoc(montage));
  SerialEmFrameSet frames;
  frames.voltage_kv = 300;
  write_file(dir / "frames" / "s_001.tif.mdoc", serialem_frame_set(frames));
  write_file(dir / "frames" / "s_002.tif.mdoc", serialem_frame_set(frames));

  ExtractResult r = extract_session(dir, krios());
  EXPECT_EQ(r.technique, Technique::kSubtomo);
  EXPECT_DOUBLE_EQ(number(r, "acquisition.pixel_size.value"), ts.pixel_a);
  EXPECT_DOUBLE_EQ(number(r, "instrument.acceleration_voltage.value"), ts.voltage_kv);
  EXPECT_DOUBLE_EQ(number(r, "acquisition.tilt_angle.minimal.value"), ts.first_tilt);
  EXPECT_NEAR(number(r, "acquisition.tilt_angle.maximal.value"), ts.first_tilt + (ts.tilts - 1) * ts.tilt_step, 1e-3);
  EXPECT_DOUBLE_EQ(number(r, "acquisition.tilt_angle.increment.value"), ts.tilt_step);
  EXPECT_DOUBLE_EQ(number(r, "acquisition.dose_per_movie.value"), ts.dose);
  EXPECT_EQ(number(r, "acquisition.nominal_magnification"), ts.magnification);
  EXPECT_EQ(number(r, "acquisition.images_generated"), ts.tilts);
  EXPECT_TRUE(has_warning(r, {"LMM.mrc.mdoc", "overview"})) << warnings_of(r);
  EXPECT_TRUE(has_warning(r, {"s_001.tif.mdoc", "not used"})) << warnings_of(r);
}

TEST(Issue18, TiltSeriesThatDisagreeOnAConstantAreReportedNotAveraged) {
  auto dir = fresh_dir("i18_conflict");
  SerialEmSeries a, b;
  a.image_file = "TS_1.mrc";
  a.voltage_kv = 200;
  b.image_file = "TS_2.mrc";
  b.voltage_kv = 300;
  b.pixel_a = 5.4;
  write_file(dir / "TS_1.mrc.mdoc", serialem_mdoc(a));
  write_file(dir / "TS_2.mrc.mdoc", serialem_mdoc(b));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_EQ(at(r, "instrument.acceleration_voltage"), nullptr);  // not 250 kV
  EXPECT_EQ(at(r, "acquisition.pixel_size"), nullptr);           // not 4.05 Å
  EXPECT_TRUE(has_warning(r, {"acceleration_voltage", "TS_1.mrc.mdoc 200 kV", "TS_2.mrc.mdoc 300 kV"})) << warnings_of(r);
  EXPECT_TRUE(has_warning(r, {"pixel_size", "TS_1.mrc.mdoc 2.7", "TS_2.mrc.mdoc 5.4"})) << warnings_of(r);
  EXPECT_DOUBLE_EQ(number(r, "acquisition.nominal_magnification"), a.magnification);  // they agree on this one
}

// --- silent gaps --------------------------------------------------------------------------

TEST(Issue18, SerialEmCameraThatNothingNamesIsAWarning) {
  auto dir = fresh_dir("i18_camera");
  SerialEmSeries s;
  s.camera_title = "";  // title 1 without "Camera -> ..."
  s.camera_index = 2;
  write_file(dir / "TS_1.mrc.mdoc", serialem_mdoc(s));
  ExtractResult r = extract_session(dir, site("[microscope]\ncs_mm = 2.7\n"));
  EXPECT_TRUE(at(r, "acquisition.detectors")->as_array().empty());
  EXPECT_TRUE(has_warning(r, {"CameraIndex 2", "site profile"})) << warnings_of(r);
  ExtractResult named = extract_session(dir, site("[cameras]\n2 = \"Gatan K3\"\n"));
  EXPECT_EQ(at(named, "acquisition.detectors[0].name")->as_string(), "Gatan K3");
}

TEST(Issue18, FieldsTheSchemaOrEmdbNeedsAreListedWhenMissing) {
  auto dir = fresh_dir("i18_gaps");
  SerialEmSeries s;
  s.camera_title = "";
  write_file(dir / "TS_1.mrc.mdoc", serialem_mdoc(s));
  ExtractResult r = extract_session(dir);  // no site profile: no microscope, source, camera
  for (const char* field : {"instrument.microscope.model", "instrument.illumination", "instrument.electron_source",
                            "acquisition.detectors[0].name"}) {
    SCOPED_TRACE(field);
    EXPECT_EQ(at(r, field), nullptr);
    EXPECT_TRUE(has_warning(r, {std::string("missing ") + field})) << warnings_of(r);
  }
  EXPECT_FALSE(has_warning(r, {"missing acquisition.pixel_size"})) << warnings_of(r);  // it is there
}

TEST(Issue18, UnparseableNumberIsAWarning) {
  auto dir = fresh_dir("i18_unparseable");
  SerialEmSeries s;
  s.magnification_text = "33k";
  write_file(dir / "TS_1.mrc.mdoc", serialem_mdoc(s));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_EQ(at(r, "acquisition.nominal_magnification"), nullptr);
  EXPECT_TRUE(has_warning(r, {"TS_1.mrc.mdoc:", "'Magnification' = '33k' is not a number"})) << warnings_of(r);
}

TEST(Issue18, UnparseableEpuNumberIsAWarning) {
  auto dir = fresh_dir("i18_unparseable_epu");
  std::string xml = epu_image_xml(EpuImage{});
  auto at_voltage = xml.find("<AccelerationVoltage>300000<");
  ASSERT_NE(at_voltage, std::string::npos);
  xml.replace(at_voltage, std::string("<AccelerationVoltage>300000<").size(), "<AccelerationVoltage>300 kV<");
  write_file(epu_movie(dir, 1), xml);
  ExtractResult r = extract_session(dir, krios());
  EXPECT_EQ(at(r, "instrument.acceleration_voltage"), nullptr);
  EXPECT_TRUE(has_warning(r, {epu_movie(dir, 1).filename().string(), "AccelerationVoltage' = '300 kV' is not a number"}))
      << warnings_of(r);
}

// --- smaller ones -------------------------------------------------------------------------

TEST(Issue18, Tomo5ModelNameWithHyphenIsKept) {
  auto dir = fresh_dir("i18_tomo5");
  write_file(dir / "Position_1.mdoc", tomo5_mdoc("GLACIOS-9951630"));
  ExtractResult r = extract_session(dir, site("[microscope]\ncs_mm = 2.7\n"));
  ASSERT_NE(at(r, "instrument.microscope.model"), nullptr) << warnings_of(r);
  EXPECT_EQ(at(r, "instrument.microscope.model")->as_string(), "GLACIOS-9951630");
  ExtractResult named =
      extract_session(dir, site("[microscope.instrument_codes]\n\"GLACIOS-9951630\" = \"Glacios\"\n"));
  EXPECT_EQ(at(named, "instrument.microscope.model")->as_string(), "Glacios");
  EXPECT_EQ(at(named, "acquisition.date_time")->as_string(), "2021-11-30T23:02:05Z");  // yy-Mon-dd, not a model
}

TEST(Issue18, OperatingModeComesFromEpu) {
  auto dir = fresh_dir("i18_operating_mode");
  EpuImage e;
  e.operating_mode = "TEM";
  write_file(epu_movie(dir, 1), epu_image_xml(e));
  ExtractResult r = extract_session(dir, krios());
  ASSERT_NE(at(r, "instrument.operating_mode"), nullptr);
  EXPECT_EQ(at(r, "instrument.operating_mode")->as_string(), "TEM");
}

TEST(Issue18, PhasePlateTypeComesFromTheSiteProfileNotTheApertureSlot) {
  auto dir = fresh_dir("i18_phase_plate");
  EpuImage e;
  e.phase_plate_used = true;
  e.phase_plate_aperture = "PP Slot 4";  // where it sits, not what it is
  write_file(epu_movie(dir, 1), epu_image_xml(e));
  ExtractResult with_site = extract_session(dir, site("[microscope]\nphase_plate = \"Volta phase plate\"\n"));
  EXPECT_EQ(at(with_site, "acquisition.specialist_optics.phaseplate.instrument_type")->as_string(), "Volta phase plate");
  EXPECT_EQ(at(with_site, "acquisition.specialist_optics.phaseplate.used")->as_bool(), true);
  ExtractResult without = extract_session(dir, krios());
  EXPECT_EQ(at(without, "acquisition.specialist_optics.phaseplate.instrument_type")->as_string(), "unspecified");
  EXPECT_TRUE(has_warning(without, {"phase plate", "site profile"})) << warnings_of(without);
}

TEST(Issue18, FoilHolesFolderIsNotAMovieSet) {
  auto square = fresh_dir("i18_foilholes") / "Images-Disc1" / "GridSquare_8999138";
  EpuImage hole;  // foil-hole images: low magnification, no movie
  hole.magnification = 8500;
  hole.pixel_m = 1.6359e-9;
  hole.dose_per_m2 = 8.576e19;
  hole.dose_on_camera = 229.5;
  for (int i = 0; i < 3; ++i)
    write_file(square / "FoilHoles" / ("FoilHole_901588" + std::to_string(i) + "_20250108_15471" + std::to_string(i) + ".xml"),
               epu_image_xml(hole));
  EXPECT_THROW(extract_session(square / "FoilHoles", krios()), ExtractError);
  // Next to real movie XMLs they are left out: one movie, its dose.
  EpuImage movie;
  write_file(square / "Data" / "FoilHole_9015883_Data_9017347_6_20250108_154915.xml", epu_image_xml(movie));
  ExtractResult r = extract_session(square, krios());
  EXPECT_EQ(number(r, "acquisition.images_generated"), 1);
  EXPECT_NEAR(number(r, "acquisition.dose_per_movie.value"), 63.993, 1e-9);
  EXPECT_EQ(number(r, "acquisition.nominal_magnification"), movie.magnification);
}

TEST(Issue18, MagnificationOutOfRangeIsDroppedNotWrapped) {
  auto dir = fresh_dir("i18_magnification");
  SerialEmSeries s;
  s.magnification_text = "-1e20";  // once llround() -> INT64_MIN
  write_file(dir / "TS_1.mrc.mdoc", serialem_mdoc(s));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_EQ(at(r, "acquisition.nominal_magnification"), nullptr);
  EXPECT_TRUE(has_warning(r, {"nominal_magnification", "-100000000000000000000"})) << warnings_of(r);
}

TEST(Issue18, DerivedNumbersCarryNoFloatNoise) {
  auto dir = fresh_dir("i18_noise");
  SerialEmSeries s;
  s.target_defocus_um = -4.14805;  // x 1000 in binary floating point: -4148.049999999999
  write_file(dir / "TS_1.mrc.mdoc", serialem_mdoc(s));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_EQ(number(r, "acquisition.nominal_defocus.minimal.value"), -4148.05);
  std::string json = to_pretty_json(r.oscem);
  EXPECT_NE(json.find("\"value\": -4148.05\n"), std::string::npos) << json;
  EXPECT_EQ(json.find("4148.0499"), std::string::npos);
}

TEST(Issue18, TruncatedMdocFailsWithFileAndLine) {
  auto dir = fresh_dir("i18_truncated");
  write_file(dir / "TS_1.mrc.mdoc", "Voltage = 3");  // 11 bytes: the first line of a cut-off file
  try {
    extract_session(dir / "TS_1.mrc.mdoc");
    FAIL() << "an 11-byte mdoc gave a document";
  } catch (const ExtractError& e) {
    EXPECT_EQ(e.file(), (dir / "TS_1.mrc.mdoc").string());
    EXPECT_EQ(e.line(), 1u);
  }
}

}  // namespace
}  // namespace openem::extract
