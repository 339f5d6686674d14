#include "extract/tiff_reader.h"

#include <gtest/gtest.h>
#include <tiffio.h>

#include <cstring>

#include "extract/extract.h"
#include "extract/extract_error.h"
#include "extract/test_support.h"

namespace openem::extract {
namespace {

using testing::shared_dir;

const char* kEerXml =
    "<metadata><item name=\"acquisitionID\">42</item><item name=\"cameraName\">BM-Falcon</item>"
    "<item name=\"commercialName\">Falcon 4i</item><item name=\"exposureTime\" unit=\"s\">2.5</item>"
    "<item name=\"numberOfFrames\">1000</item><item name=\"sensorImageWidth\" unit=\"pixel\">4096</item>"
    "<item name=\"sensorImageHeight\" unit=\"pixel\">4096</item><item name=\"timestamp\">2024-03-01T10:20:30.123+01:00</item>"
    "<item name=\"totalDose\" unit=\"e/pixel\">12.5</item></metadata>";

// EER-like BigTIFF: one small uncompressed page carrying the acquisition XML in tag 65001,
// written through libtiff with the private tag registered (as EerReaderLib does).
void write_eer(const std::filesystem::path& p) {
  static const TIFFFieldInfo info[] = {
      {65001, TIFF_VARIABLE2, TIFF_VARIABLE2, TIFF_BYTE, FIELD_CUSTOM, 1, 1, const_cast<char*>("EerAcquisitionMetadata")}};
  TIFF* t = TIFFOpen(p.c_str(), "w8");
  ASSERT_NE(t, nullptr);
  TIFFMergeFieldInfo(t, info, 1);
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 16u);
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, 16u);
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
  TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 16u);
  TIFFSetField(t, 65001, static_cast<uint32_t>(std::strlen(kEerXml)), kEerXml);
  std::vector<unsigned char> row(16, 7);
  for (uint32_t y = 0; y < 16; ++y) TIFFWriteScanline(t, row.data(), y, 0);
  TIFFClose(t);
}

TEST(TiffReader, EerAcquisitionMetadataFromTag65001) {
  auto dir = std::filesystem::temp_directory_path() / "openem_eer_test";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  write_eer(dir / "movie_EER.eer");
  VectorSink s;
  read_tiff_metadata(dir / "movie_EER.eer", s);
  ASSERT_NE(s.find("EER.commercialName"), nullptr);
  EXPECT_EQ(*s.find("EER.commercialName"), "Falcon 4i");
  EXPECT_EQ(*s.find("EER.numberOfFrames"), "1000");
  EXPECT_EQ(*s.find("TIFF.Width"), "16");

  // A folder of EER movies alone still gives a document: header metadata is read.
  ExtractResult r = extract_session(dir);
  EXPECT_EQ(r.counts.image_files, 1);
  const auto& acq = r.oscem.at("acquisition").as_object();
  EXPECT_EQ(acq.at("detectors").as_array()[0].at("name"), "Falcon 4i");
  EXPECT_EQ(acq.at("detectors").as_array()[0].at("mode"), "counting");
  EXPECT_EQ(acq.at("frames_per_movie"), 1000);
  EXPECT_EQ(acq.at("date_time"), "2024-03-01T10:20:30+01:00");
  EXPECT_EQ(acq.at("image_size").at("width"), 4096);
  std::filesystem::remove_all(dir);
}

TEST(TiffReader, GatanDigitalMicrographTiffBaselineTags) {
  VectorSink s;
  read_tiff_metadata(shared_dir() / "mrc" / "rosettasciio" / "test_loading_image_saved_with_DM.tif", s);
  ASSERT_NE(s.find("TIFF.Width"), nullptr);
  EXPECT_GT(std::stoi(*s.find("TIFF.Width")), 0);
  EXPECT_EQ(*s.find("TIFF.Pages"), "1");
}

TEST(TiffReader, NotATiffFailsWithFile) {
  auto p = std::filesystem::temp_directory_path() / "openem_not_a.tif";
  { std::ofstream(p) << "GIF89a definitely not a tiff"; }
  try {
    VectorSink s;
    read_tiff_metadata(p, s);
    FAIL();
  } catch (const ExtractError& e) {
    EXPECT_EQ(e.file(), p.string());
    EXPECT_NE(e.reason().find("not a readable TIFF/EER file"), std::string::npos);
  }
  std::filesystem::remove(p);
}

TEST(TiffReader, EerXmlItemsWithoutNameAreSkipped) {
  VectorSink s;
  parse_eer_metadata_xml("<metadata><item name=\"a\">1</item><item name=\"\">x</item></metadata>", "x.eer", s);
  ASSERT_EQ(s.pairs.size(), 1u);
  EXPECT_EQ(s.pairs[0].first, "EER.a");
  EXPECT_THROW(parse_eer_metadata_xml("<metadata><item", "bad.eer", s), ExtractError);
}

}  // namespace
}  // namespace openem::extract
