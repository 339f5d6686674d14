#include "extract/epu_xml_reader.h"

#include <gtest/gtest.h>

#include "extract/extract_error.h"
#include "extract/test_support.h"

namespace openem::extract {
namespace {

using testing::reference_tests;
using testing::shared_dir;
using testing::slurp;

const char* kMD = "MicroscopeImage.microscopeData.";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

VectorSink parse(std::string text, const std::string& name = "t.xml") {
  VectorSink sink;
  parse_epu_image_xml(text.data(), text.size(), name, sink);
  return sink;
}

TEST(EpuXmlReader, FlattensReferenceSample) {
  auto p = reference_tests() / "xml" / "FoilHole_31933450_Data_31923928_31923930_20240901_060108.xml";
  VectorSink s;
  read_epu_image_xml(p, s);
  EXPECT_EQ(*s.find(std::string(kMD) + "gun.AccelerationVoltage"), "300000");
  EXPECT_EQ(*s.find(std::string(kMD) + "instrument.InstrumentModel"), "TITAN52339260");
  EXPECT_EQ(*s.find(std::string(kMD) + "optics.TemMagnification.NominalMagnification"), "270000");
  EXPECT_EQ(*s.find("MicroscopeImage.SpatialScale.pixelSize.x.numericValue"), "4.1501527908716085E-11");
  // CustomData pairs become top-level keys, as in the reference converter.
  EXPECT_EQ(*s.find("DoseOnCamera"), "4.9095940165403151");
  EXPECT_EQ(*s.find("Aperture[C2].Name"), "20");
  EXPECT_EQ(*s.find("DetectorCommercialName"), "Falcon 4i");
  EXPECT_EQ(*s.find("AppliedDefocus"), "-4E-07");
  EXPECT_EQ(s.find(std::string(kMD) + "acquisition.acquisitionDateTime")->substr(0, 19), "2024-09-01T06:01:10");
}

TEST(EpuXmlReader, AllRealEpuVersionsParse) {
  int n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(shared_dir() / "epu")) {
    auto name = e.path().filename().string();
    if (e.path().extension() != ".xml" || name.find("_Data_") == std::string::npos) continue;
    SCOPED_TRACE(e.path().string());
    VectorSink s;
    read_epu_image_xml(e.path(), s);
    EXPECT_NE(s.find(std::string(kMD) + "gun.AccelerationVoltage"), nullptr);
    EXPECT_NE(s.find(std::string(kMD) + "acquisition.camera.ExposureTime"), nullptr);
    ++n;
  }
  EXPECT_GE(n, 5);  // EPU 1.x, 2.6 (Falcon, K2) and 3.9 samples
}

TEST(EpuXmlReader, ElementsAreMatchedByNamespaceUriNotPrefix) {
  std::string original = slurp(reference_tests() / "xml" / "FoilHole_31933450_Data_31923928_31923930_20240901_060108.xml");
  // Same document, other prefixes: a:->arr:, b:->xs:, i:->xsi:.
  std::string renamed = replace_all(replace_all(replace_all(original, "a:", "arr:"), "xmlns:a=", "xmlns:arr="), "i:", "xsi:");
  renamed = replace_all(renamed, "xmlns:i=", "xmlns:xsi=");
  VectorSink a = parse(original), b = parse(renamed);
  EXPECT_EQ(*b.find("DoseOnCamera"), *a.find("DoseOnCamera"));
  EXPECT_EQ(a.pairs.size(), b.pairs.size());
}

TEST(EpuXmlReader, KeyValueListsInAnotherNamespaceAreNotCustomData) {
  std::string xml =
      "<MicroscopeImage xmlns=\"http://schemas.datacontract.org/2004/07/Fei.SharedObjects\">"
      "<CustomData xmlns:a=\"urn:not-arrays\"><a:KeyValueOfstringanyType><a:Key>DoseOnCamera</a:Key>"
      "<a:Value>5</a:Value></a:KeyValueOfstringanyType></CustomData></MicroscopeImage>";
  VectorSink s = parse(xml);
  EXPECT_EQ(s.find("DoseOnCamera"), nullptr);
}

TEST(EpuXmlReader, NilValuesAreSkipped) {
  std::string xml =
      "<MicroscopeImage xmlns=\"http://schemas.datacontract.org/2004/07/Fei.SharedObjects\" "
      "xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><microscopeData><optics>"
      "<Defocus i:nil=\"true\"/><SpotIndex>7</SpotIndex></optics></microscopeData></MicroscopeImage>";
  VectorSink s = parse(xml);
  EXPECT_EQ(s.find(std::string(kMD) + "optics.Defocus"), nullptr);
  EXPECT_EQ(*s.find(std::string(kMD) + "optics.SpotIndex"), "7");
}

TEST(EpuXmlReader, WrongRootIsRejected) {
  try {
    parse("<EpuSessionXml xmlns=\"x\"><Name>a</Name></EpuSessionXml>", "session.xml");
    FAIL();
  } catch (const ExtractError& e) {
    EXPECT_EQ(e.file(), "session.xml");
    EXPECT_NE(e.reason().find("not an EPU MicroscopeImage"), std::string::npos);
  }
  // Right local name, wrong namespace.
  EXPECT_THROW(parse("<MicroscopeImage xmlns=\"urn:other\"/>"), ExtractError);
}

TEST(EpuXmlReader, TruncatedAndGarbageFilesFailWithPosition) {
  std::string original = slurp(reference_tests() / "xml" / "FoilHole_31933450_Data_31923928_31923930_20240901_060108.xml");
  try {
    parse(original.substr(0, original.size() / 2), "cut.xml");
    FAIL();
  } catch (const ExtractError& e) {
    EXPECT_EQ(e.file(), "cut.xml");
    EXPECT_EQ(e.line(), 1u);
    EXPECT_NE(e.reason().find("malformed XML at byte"), std::string::npos);
  }
  EXPECT_THROW(parse("", "empty.xml"), ExtractError);
  EXPECT_THROW(parse(std::string("\x89PNG\r\n\x1a\n\0\0\0", 11), "png.xml"), ExtractError);
  EXPECT_THROW(parse("just some text"), ExtractError);
}

TEST(EpuXmlReader, DeepNestingIsRejectedNotRecursedForever) {
  std::string xml = "<MicroscopeImage xmlns=\"http://schemas.datacontract.org/2004/07/Fei.SharedObjects\">";
  for (int i = 0; i < 5000; ++i) xml += "<a>";
  for (int i = 0; i < 5000; ++i) xml += "</a>";
  xml += "</MicroscopeImage>";
  EXPECT_THROW(parse(xml), ExtractError);
}

TEST(EpuSession, ReadsNameAndSoftware) {
  VectorSink s;
  read_epu_session_file(shared_dir() / "epu" / "smartem-2025-epu3.9" / "EpuSession.dm", s);
  EXPECT_EQ(*s.find("Session.Software"), "EPU");
  ASSERT_NE(s.find("Session.Name"), nullptr);
  VectorSink t;
  read_epu_session_file(shared_dir() / "oscem" / "SwissOpenEM_epu_dataset_merger" / "testing" / "Y" / "tomo" / "Session.dm", t);
  EXPECT_EQ(*t.find("Session.Software"), "Tomography");
  EXPECT_EQ(*t.find("Session.Name"), "20250217_choanos_Grid1");
}

}  // namespace
}  // namespace openem::extract
