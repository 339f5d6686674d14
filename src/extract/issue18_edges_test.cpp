// Regression tests for the edges of issue 18 that its first fix missed: a file with more
// distinct keys than an aggregate keeps, numbers that parse but are not finite, montages
// marked only by [MontSection] sections or MontageSection keys. Like issue18_regression_test,
// each writes a real-shaped session, checks values against what it wrote and uses only the
// public API, so it builds against the code before the fix (where it fails).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "extract/extract.h"
#include "extract/extract_error.h"
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
  return out.size() > 4000 ? out.substr(0, 4000) + "\n  ..." : out;
}

// `text` with `line` inserted after every line that starts with `after`.
std::string insert_after_each(std::string text, const std::string& after, const std::string& line) {
  for (std::size_t pos = text.find(after); pos != std::string::npos; pos = text.find(after, pos + 1)) {
    std::size_t eol = text.find('\n', pos);
    text.insert(eol + 1, line);
  }
  return text;
}

// --- more distinct keys than an aggregate keeps ------------------------------------------

TEST(Issue18Edges, FiveThousandJunkKeysDoNotPushOutTheTiltSeries) {
  auto dir = fresh_dir("i18_junk_keys");
  SerialEmSeries s;  // -60..60° in 3° steps
  std::string junk;
  for (int i = 0; i < 5000; ++i) junk += "JunkKey" + std::to_string(10000 + i) + " = " + std::to_string(i) + "\r\n";
  write_file(dir / "TS_1.mrc.mdoc", junk + serialem_mdoc(s));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_EQ(r.technique, Technique::kSubtomo);
  EXPECT_DOUBLE_EQ(number(r, "acquisition.tilt_angle.minimal.value"), s.first_tilt);
  EXPECT_NEAR(number(r, "acquisition.tilt_angle.maximal.value"), s.first_tilt + (s.tilts - 1) * s.tilt_step, 1e-3);
  EXPECT_DOUBLE_EQ(number(r, "acquisition.tilt_angle.increment.value"), s.tilt_step);
  ASSERT_NE(at(r, "acquisition.microscope_software"), nullptr) << warnings_of(r);
  EXPECT_EQ(at(r, "acquisition.microscope_software")->as_string(), "SerialEM");
  EXPECT_DOUBLE_EQ(number(r, "acquisition.pixel_size.value"), s.pixel_a);
  EXPECT_DOUBLE_EQ(number(r, "instrument.acceleration_voltage.value"), s.voltage_kv);
  EXPECT_DOUBLE_EQ(number(r, "acquisition.dose_per_movie.value"), s.dose);
  EXPECT_EQ(at(r, "acquisition.detectors[0].name")->as_string(), "K3");  // CameraUsed: index 1 in the title
  // 5,000 junk keys and a few dozen real ones: the junk past the limit is dropped, and the
  // warning names what went (the alphabetically first names dropped: the 4,097th junk key on).
  EXPECT_TRUE(has_warning(r, {"distinct keys were dropped", "JunkKey14096, JunkKey14097"})) << warnings_of(r);
  EXPECT_FALSE(has_warning(r, {"JunkKey14095"})) << warnings_of(r);
  EXPECT_FALSE(has_warning(r, {"missing acquisition.tilt_angle"})) << warnings_of(r);
}

// --- numbers that parse but are not finite --------------------------------------------------

TEST(Issue18Edges, NonFiniteMdocNumberIsAWarningAndSetsNothing) {
  for (std::string text : {"inf", "-inf", "nan", "NaN", "1e400", "-1E+400", "Infinity"}) {
    SCOPED_TRACE(text);
    auto dir = fresh_dir("i18_non_finite_mdoc");
    SerialEmSeries s;
    s.magnification_text = text;
    write_file(dir / "TS_1.mrc.mdoc", serialem_mdoc(s));
    ExtractResult r = extract_session(dir, krios());
    EXPECT_EQ(at(r, "acquisition.nominal_magnification"), nullptr);
    EXPECT_TRUE(has_warning(r, {"TS_1.mrc.mdoc:", "'Magnification' = '" + text + "' is not a"})) << warnings_of(r);
    EXPECT_TRUE(r.conflicts.empty());
    EXPECT_DOUBLE_EQ(number(r, "acquisition.pixel_size.value"), s.pixel_a);  // the rest is unaffected
  }
}

TEST(Issue18Edges, NonFiniteVectorComponentIsAWarning) {
  auto dir = fresh_dir("i18_non_finite_vector");
  std::string text = serialem_mdoc(SerialEmSeries{});
  std::size_t pos = text.find("ImageShift = 1.70971 0.195647");
  ASSERT_NE(pos, std::string::npos);
  text.replace(pos, std::string("ImageShift = 1.70971 0.195647").size(), "ImageShift = 1e999 0.195647");
  write_file(dir / "TS_1.mrc.mdoc", text);
  ExtractResult r = extract_session(dir, krios());
  EXPECT_TRUE(has_warning(r, {"TS_1.mrc.mdoc:", "'ImageShift' = '1e999 0.195647' is not a"})) << warnings_of(r);
}

TEST(Issue18Edges, SerialEmCameraLengthNaNIsNotAWarning) {
  // SerialEM writes CameraLength = NaN outside diffraction: real files, not a fault.
  auto dir = fresh_dir("i18_camera_length_nan");
  write_file(dir / "TS_1.mrc.mdoc", insert_after_each(serialem_mdoc(SerialEmSeries{}), "[ZValue", "CameraLength = NaN\r\n"));
  ExtractResult r = extract_session(dir, krios());
  EXPECT_FALSE(has_warning(r, {"CameraLength"})) << warnings_of(r);
}

TEST(Issue18Edges, NonFiniteEpuNumberIsAWarningAndSetsNothing) {
  for (std::string text : {"INF", "NaN", "1E+400", "-Infinity"}) {
    SCOPED_TRACE(text);
    auto dir = fresh_dir("i18_non_finite_epu");
    EpuImage good;
    std::string xml = epu_image_xml(good);
    const std::string mag = "<NominalMagnification>" + std::to_string(good.magnification) + "<";
    auto pos = xml.find(mag);
    ASSERT_NE(pos, std::string::npos);
    xml.replace(pos, mag.size(), "<NominalMagnification>" + text + "<");
    auto movie = dir / "Images-Disc1" / "GridSquare_1" / "Data" / "FoilHole_31936311_Data_31923949_31923951_20240831_200556.xml";
    write_file(movie, xml);
    ExtractResult r = extract_session(dir, krios());
    EXPECT_EQ(at(r, "acquisition.nominal_magnification"), nullptr);
    EXPECT_TRUE(has_warning(r, {movie.filename().string(), "NominalMagnification' = '" + text + "' is not a"}))
        << warnings_of(r);
    // Next to a movie with a real magnification: that one's value, no conflict with a non-number.
    write_file(movie.parent_path() / "FoilHole_31936312_Data_31923949_31923952_20240831_200556.xml", epu_image_xml(good));
    ExtractResult two = extract_session(dir, krios());
    EXPECT_TRUE(two.conflicts.empty()) << warnings_of(two);
    EXPECT_EQ(number(two, "acquisition.nominal_magnification"), good.magnification);
  }
}

// --- montages marked only by [MontSection] or MontageSection ----------------------------------

// A montage that would be a tilt series (3° steps, saved frames) but for its one marker.
std::string montage_marked_by(const std::string& marker) {
  SerialEmSeries m;
  m.image_file = "LMM.mrc";
  m.pixel_a = 53.0;
  m.voltage_kv = 200;
  m.magnification = 135;
  m.tilts = 12;
  std::string text = serialem_mdoc(m);
  if (marker == "MontSection") return text + "[MontSection = 0]\r\nTiltAngle = 0\r\nFullMontSize = 14000 11500\r\n\r\n";
  return insert_after_each(text, "[ZValue", "MontageSection = 0\r\n");
}

TEST(Issue18Edges, MontageMarkedOnlyByMontSectionSetsNoValue) {
  auto alone = fresh_dir("i18_montsection_alone");
  write_file(alone / "LMM_a.mrc.mdoc", montage_marked_by("MontSection"));
  write_file(alone / "LMM_b.mrc.mdoc", montage_marked_by("MontageSection"));
  try {
    ExtractResult r = extract_session(alone, krios());
    FAIL() << "a folder of montages gave a document" << warnings_of(r);
  } catch (const ExtractError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("only overview images here"), std::string::npos) << what;
    EXPECT_NE(what.find("LMM_a.mrc.mdoc ([MontSection] section)"), std::string::npos) << what;
    EXPECT_NE(what.find("LMM_b.mrc.mdoc (MontageSection in [ZValue] sections)"), std::string::npos) << what;
  }

  // Next to a tilt series they change nothing, and a warning says why they were not used.
  auto dir = fresh_dir("i18_montsection_mixed");
  SerialEmSeries ts;
  ts.voltage_kv = 300;
  write_file(dir / "TS_1.mrc.mdoc", serialem_mdoc(ts));
  ExtractResult series_only = extract_session(dir, krios());
  write_file(dir / "LMM_a.mrc.mdoc", montage_marked_by("MontSection"));
  write_file(dir / "LMM_b.mrc.mdoc", montage_marked_by("MontageSection"));
  ExtractResult mixed = extract_session(dir, krios());
  EXPECT_EQ(boost::json::value(mixed.oscem), boost::json::value(series_only.oscem));
  EXPECT_DOUBLE_EQ(number(mixed, "acquisition.pixel_size.value"), ts.pixel_a);  // not 53 Å
  EXPECT_TRUE(mixed.conflicts.empty());
  EXPECT_TRUE(has_warning(mixed, {"2 .mdoc files of montage/overview images", "LMM_a.mrc.mdoc ([MontSection] section)",
                                  "overview images never set acquisition values"}))
      << warnings_of(mixed);
}

TEST(Issue18Edges, MdocWithOnlyMontSectionsSaysSo) {
  // A montage's set-up without a single image: not "truncated", but what it is.
  auto dir = fresh_dir("i18_montsection_only");
  write_file(dir / "LMM.mrc.mdoc",
             "PixelSpacing = 53\r\nVoltage = 300\r\nImageFile = LMM.mrc\r\n\r\n[T = SerialEM: Titan Krios  03-May-23  "
             "13:28:10]\r\n\r\n[MontSection = 0]\r\nTiltAngle = 0.01\r\nFullMontSize = 14000 11500\r\n\r\n"
             "[MontSection = 1]\r\nTiltAngle = 0.01\r\nFullMontSize = 14000 11500\r\n");
  try {
    extract_session(dir, krios());
    FAIL() << "a montage set-up without images gave a document";
  } catch (const ExtractError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("LMM.mrc.mdoc"), std::string::npos) << what;
    EXPECT_NE(what.find("only a montage's set-up ([MontSection] section)"), std::string::npos) << what;
  }
}

}  // namespace
}  // namespace openem::extract
