#include "extract/mdoc_reader.h"

#include <gtest/gtest.h>

#include "extract/extract_error.h"
#include "extract/flat_aggregate.h"
#include "extract/mdoc_ingest.h"
#include "extract/test_support.h"

namespace openem::extract {
namespace {

using testing::shared_dir;

MdocDocument read_shared(const std::string& name) { return read_mdoc_file(shared_dir() / "mdoc" / name); }

TEST(MdocReader, EveryRealSampleParses) {
  for (const auto& e : std::filesystem::directory_iterator(shared_dir() / "mdoc")) {
    if (e.path().extension() != ".mdoc") continue;
    SCOPED_TRACE(e.path().string());
    MdocDocument d = read_mdoc_file(e.path());
    EXPECT_FALSE(d.sections.empty());
    EXPECT_FALSE(d.titles.empty());
    EXPECT_TRUE(d.warnings.empty()) << d.warnings.front();
  }
}

TEST(MdocReader, TiltSeriesGlobalTitlesAndSections) {
  MdocDocument d = read_shared("tilt_series.mdoc");
  ASSERT_NE(d.find_global("PixelSpacing"), nullptr);
  EXPECT_EQ(d.find_global("PixelSpacing")->value, "5.4");
  EXPECT_EQ(d.find_global("ImageSize")->value, "924 958");
  ASSERT_EQ(d.titles.size(), 2u);
  EXPECT_EQ(d.titles[1], "Tilt axis angle = 85.3, binning = 4  spot = 8  camera = 2");
  EXPECT_EQ(d.sections.front().type, "ZValue");
  EXPECT_EQ(d.sections.front().name, "0");
  EXPECT_EQ(d.sections.front().find("TiltAngle")->value, "0.000999877");
  EXPECT_EQ(mdoc_tilt_axis_angle(d), 85.3);
}

TEST(MdocReader, BareTitleOfFrameMdoc) {
  MdocDocument d = read_shared("frames.mdoc");  // no final newline either
  ASSERT_FALSE(d.titles.empty());
  EXPECT_EQ(d.titles[0].rfind("SerialEM: Acquired on Tecnai Polara D304", 0), 0u);
  ASSERT_EQ(d.sections.size(), 1u);
  EXPECT_EQ(d.sections[0].type, "FrameSet");
  EXPECT_EQ(d.sections[0].find("Defocus")->value, "1.04811e-005");
}

TEST(MdocReader, Tomo5TitleAndDates) {
  MdocDocument d = read_shared("Position_12.mdoc");
  EXPECT_EQ(mdoc_tilt_axis_angle(d), -174.23);
  FlatAggregate agg;
  ingest_mdoc(d, {}, agg);
  ASSERT_NE(agg.find("Software"), nullptr);
  EXPECT_EQ(agg.find("Software")->first, "Tomo5");
  EXPECT_EQ(agg.find("InstrumentCode")->first, "TITAN52337180");
  const KeyStats* dt = agg.find("TitleDateTime");
  ASSERT_NE(dt, nullptr);
  EXPECT_EQ(format_rfc3339(dt->earliest), "2022-02-04T23:02:05Z");  // yy-Mon-dd
}

TEST(MdocReader, CrlfTrailingSpacesEmptyValuesAndNaN) {
  std::string text =
      "PixelSpacing = 2.95\r\nImageSize = 4096 4096 \r\nChannelName = \r\n\r\n[T = SerialEM: X  03-May-23  13:59:32 ]\r\n"
      "[ZValue = 0]\r\nTiltAngle = 33\r\nCameraLength = NaN\r\nUncroppedSize = NaN -1\r\n";
  MdocDocument d = parse_mdoc(text, "crlf.mdoc");
  EXPECT_EQ(d.find_global("ImageSize")->value, "4096 4096");
  EXPECT_EQ(d.find_global("ChannelName")->value, "");
  EXPECT_EQ(d.sections[0].find("CameraLength")->value, "NaN");
  FlatAggregate agg;
  ingest_mdoc(d, {}, agg);
  EXPECT_EQ(agg.find("CameraLength")->numeric, 0u);  // NaN is a value, not a number
  EXPECT_DOUBLE_EQ(agg.find("ImageSize_x")->max, 4096);
}

TEST(MdocReader, WrappedTitleAndUnknownKeys) {
  std::string text =
      "[T = SerialEM: Digitized on EMBL Krios\n   continued here  28-Apr-18  11:36:19 ]\n[ZValue = 0]\n"
      "DE12-Camera (Temp) = -20\nTiltAngle = 1\n";
  MdocDocument d = parse_mdoc(text, "wrapped.mdoc");
  ASSERT_EQ(d.titles.size(), 1u);
  EXPECT_NE(d.titles[0].find("continued here"), std::string::npos);
  EXPECT_EQ(d.sections[0].find("DE12-Camera (Temp)")->value, "-20");
}

TEST(MdocReader, Utf16WithBomIsDecoded) {
  std::string utf8 = "Voltage = 300\n[ZValue = 0]\nTiltAngle = 5\n";
  std::string utf16 = "\xFF\xFE";
  for (char c : utf8) {
    utf16 += c;
    utf16 += '\0';
  }
  MdocDocument d = parse_mdoc(utf16, "utf16.mdoc");
  EXPECT_EQ(d.find_global("Voltage")->value, "300");
  EXPECT_EQ(d.sections[0].find("TiltAngle")->value, "5");
}

TEST(MdocReader, Latin1ValuesBecomeValidUtf8) {
  MdocDocument d = parse_mdoc("NavigatorLabel = Gitter \xC4\n[ZValue = 0]\nTiltAngle = 0\n", "latin1.mdoc");
  EXPECT_EQ(d.find_global("NavigatorLabel")->value, "Gitter \xC3\x84");
}

TEST(MdocReader, BinaryInputFailsWithFileAndLine) {
  std::string bin = "Voltage = 300\nTiltAngle = 1\n\x01\x02\0\x03garbage";
  bin.push_back('\0');
  try {
    parse_mdoc(std::string_view(bin.data(), bin.size()), "movie.mdoc");
    FAIL() << "binary accepted";
  } catch (const ExtractError& e) {
    EXPECT_EQ(e.file(), "movie.mdoc");
    EXPECT_EQ(e.line(), 3u);
    EXPECT_NE(std::string(e.what()).find("movie.mdoc:3: binary data"), std::string::npos);
  }
}

TEST(MdocReader, HugeLineFailsWithLimit) {
  std::string text = "Voltage = 300\nImageFile = ";
  text.append(100u << 20, 'x');  // a 100 MB line
  text += "\n";
  try {
    parse_mdoc(text, "huge.mdoc");
    FAIL() << "100 MB line accepted";
  } catch (const ExtractError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(e.reason().find("exceeds the autodoc limit"), std::string::npos);
  }
}

TEST(MdocReader, GarbageTextIsNotAnAutodoc) {
  EXPECT_THROW(parse_mdoc("", "empty.mdoc"), ExtractError);
  EXPECT_THROW(parse_mdoc("\n\n   \n", "blank.mdoc"), ExtractError);
  std::string prose;
  for (int i = 0; i < 20; ++i) prose += "this is a shopping list, not an autodoc\n";
  try {
    parse_mdoc(prose, "list.mdoc");
    FAIL();
  } catch (const ExtractError& e) {
    EXPECT_EQ(e.line(), 1u);  // the first line that is not autodoc text
    EXPECT_NE(e.reason().find("not a SerialEM .mdoc"), std::string::npos);
  }
}

TEST(MdocReader, SkippedLinesAreWarningsWithLine) {
  MdocDocument d = parse_mdoc("Voltage = 300\nthis line is junk\n[ZValue = 0]\nTiltAngle = 1\n", "j.mdoc");
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_EQ(d.warnings[0].rfind("j.mdoc:2: ", 0), 0u);
}

TEST(GlobalAutodocEntry, ReadsPropertiesLines) {
  auto p = shared_dir() / "oscem" / "osc-em_oscem-extractor-life" / "SerialEM_Scripts" /
           "SerialEMproperties_GlobalAutodocEntry_Example.txt";
  auto entries = parse_global_autodoc_entries(testing::slurp(p));
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].key, "Camera0");
  EXPECT_EQ(entries[0].value, "K3 GAT23390027");
  EXPECT_EQ(entries[2].key, "Source");
  EXPECT_EQ(entries[2].value, "FEG");
}

TEST(TitleCameras, ParsesIndexList) {
  auto cams = title_cameras("SerialEM: UMass_Krios Camera -> 0:Ceta 1:GIF-K3         08-Oct-21  07:38:24");
  ASSERT_EQ(cams.size(), 2u);
  EXPECT_EQ(cams[0], "Ceta");
  EXPECT_EQ(cams[1], "GIF-K3");
}

TEST(TiltStep, MedianOfRealSteps) {
  // Dose-symmetric order and readback jitter do not matter; the step is the real 3°.
  EXPECT_EQ(tilt_step({0.001, 3.0002, -2.9998, 6.0001, -6.0, 9.0, -9.0001}), 3.0);
  EXPECT_FALSE(tilt_step({0.0, 0.001, 0.002}));  // montage pieces at one tilt
  EXPECT_EQ(tilt_step({-60, -58, -56, 0, 2, 4}), 2.0);
}

}  // namespace
}  // namespace openem::extract
