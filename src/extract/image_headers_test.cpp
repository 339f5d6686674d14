// Image-header facts from real MRC and TIFF files of ../shared/testdata, TIFFs this test writes
// with libtiff (signed and float samples, which no shared sample has), and the per-folder
// summary the ingestor stores.
#include "extract/image_headers.h"

#include <gtest/gtest.h>
#include <tiffio.h>

#include <boost/json.hpp>

#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "extract/extract_error.h"
#include "extract/test_support.h"
#include "testing/temp_dir.h"

namespace openem::extract {
namespace {

namespace json = boost::json;
using testing::shared_dir;

std::filesystem::path mrc_sample(const char* folder, const char* name) { return shared_dir() / "mrc" / folder / name; }

// A one-page (or `pages`-page) TIFF of `bits` per sample in `format` (1 unsigned, 2 signed, 3 float).
void write_tiff(const std::filesystem::path& path, int bits, int format, int pages = 1) {
  TIFF* tif = TIFFOpen(path.c_str(), "w");
  ASSERT_NE(tif, nullptr);
  std::vector<unsigned char> row(static_cast<std::size_t>(6 * bits / 8), 0);
  for (int page = 0; page < pages; ++page) {
    TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, 6);
    TIFFSetField(tif, TIFFTAG_IMAGELENGTH, 3);
    TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, bits);
    TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, format);
    TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(tif, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    for (int y = 0; y < 3; ++y) TIFFWriteScanline(tif, row.data(), static_cast<uint32_t>(y), 0);
    TIFFWriteDirectory(tif);
  }
  TIFFClose(tif);
}

TEST(ImageHeadersTest, MrcModesAreVoxelTypes) {
  ImageHeaderFacts ints = read_image_header_facts(mrc_sample("cryoet-portal", "signed_ints.mrc"));
  EXPECT_EQ(ints.format, "MRC");
  EXPECT_EQ(ints.voxel_type, "int8");  // mode 0 is signed bytes in MRC2014
  EXPECT_EQ(ints.width, 4);
  EXPECT_EQ(ints.height, 4);
  EXPECT_EQ(ints.frames, 4);
  EXPECT_EQ(read_image_header_facts(mrc_sample("cryoet-portal", "input_mrc.mrc")).voxel_type, "float32");
  ImageHeaderFacts movie = read_image_header_facts(mrc_sample("rosettasciio", "20241021_00405_movie.mrc"));
  EXPECT_EQ(movie.voxel_type, "uint16");  // mode 6
  EXPECT_EQ(movie.width, 8);
  EXPECT_EQ(movie.height, 4);
  EXPECT_EQ(movie.frames, 32);
  ImageHeaderFacts stack = read_image_header_facts(mrc_sample("cryoet-portal", "TS_run1.st"));
  EXPECT_EQ(stack.voxel_type, "int8");
  EXPECT_EQ(stack.width, 20);
  EXPECT_EQ(stack.height, 10);
  EXPECT_EQ(stack.frames, 4);
}

// IMOD writes mode 0 as unsigned bytes unless its "signed" flag is set.
TEST(ImageHeadersTest, ImodsUnsignedBytesAreUint8) {
  std::ifstream in(mrc_sample("cryoet-portal", "signed_ints.mrc"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GE(bytes.size(), 1024u);
  const std::int32_t imod = 1146047817;
  std::memcpy(&bytes[152], &imod, 4);  // imodStamp, little-endian as the file
  std::int32_t flags = 0;
  std::memcpy(&bytes[156], &flags, 4);
  openem::testing::TempDir dir;
  std::ofstream(dir.path() / "imod.mrc", std::ios::binary) << bytes;
  EXPECT_EQ(read_image_header_facts(dir.path() / "imod.mrc").voxel_type, "uint8");
  flags = 1;
  std::memcpy(&bytes[156], &flags, 4);
  std::ofstream(dir.path() / "imod_signed.mrc", std::ios::binary) << bytes;
  EXPECT_EQ(read_image_header_facts(dir.path() / "imod_signed.mrc").voxel_type, "int8");
}

TEST(ImageHeadersTest, TiffSampleFormatAndBitsAreVoxelTypes) {
  ImageHeaderFacts gatan =
      read_image_header_facts(shared_dir() / "mrc" / "rosettasciio" / "test_loading_image_saved_with_DM.tif");
  EXPECT_EQ(gatan.format, "TIFF");
  EXPECT_FALSE(gatan.voxel_type.empty());
  EXPECT_GT(gatan.width, 0);
  EXPECT_EQ(gatan.frames, 1);

  openem::testing::TempDir dir;
  struct Case {
    int bits, format;
    const char* type;
  };
  for (Case c : {Case{8, 1, "uint8"}, Case{16, 1, "uint16"}, Case{16, 2, "int16"}, Case{32, 3, "float32"},
                 Case{32, 2, "int32"}}) {
    auto path = dir.path() / ("t" + std::to_string(c.bits) + "_" + std::to_string(c.format) + ".tif");
    write_tiff(path, c.bits, c.format);
    ImageHeaderFacts f = read_image_header_facts(path);
    EXPECT_EQ(f.voxel_type, c.type) << c.bits << " bits, format " << c.format;
    EXPECT_EQ(f.width, 6);
    EXPECT_EQ(f.height, 3);
  }
  write_tiff(dir.path() / "movie.tif", 16, 1, 5);
  EXPECT_EQ(read_image_header_facts(dir.path() / "movie.tif").frames, 5);  // one page per frame
}

// An EER-like BigTIFF: EER's compression code, raw strips, the acquisition XML in tag 65001
// naming 1000 frames while the file holds 2 pages (the count comes from the XML, so the IFD
// chain of a real EER — one IFD per frame — is not walked).
TEST(ImageHeadersTest, EerFramesComeFromTheAcquisitionXml) {
  openem::testing::TempDir dir;
  auto path = dir.path() / "movie.eer";
  static const TIFFFieldInfo info[] = {{65001, TIFF_VARIABLE2, TIFF_VARIABLE2, TIFF_BYTE, FIELD_CUSTOM, 1, 1,
                                        const_cast<char*>("EerAcquisitionMetadata")}};
  const std::string xml = "<metadata><item name=\"numberOfFrames\">1000</item></metadata>";
  TIFF* t = TIFFOpen(path.c_str(), "w8");
  ASSERT_NE(t, nullptr);
  TIFFMergeFieldInfo(t, info, 1);
  std::vector<unsigned char> strip(16, 0);
  for (int page = 0; page < 2; ++page) {
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 4096u);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, 4096u);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 4096u);
    TIFFSetField(t, TIFFTAG_COMPRESSION, 65001);
    if (page == 0) TIFFSetField(t, 65001, static_cast<uint32_t>(xml.size()), xml.data());
    TIFFWriteRawStrip(t, 0, strip.data(), static_cast<tmsize_t>(strip.size()));
    TIFFWriteDirectory(t);
  }
  TIFFClose(t);
  ImageHeaderFacts f = read_image_header_facts(path);
  EXPECT_EQ(f.format, "EER");
  EXPECT_EQ(f.voxel_type, "eer_events");
  EXPECT_EQ(f.width, 4096);
  EXPECT_EQ(f.frames, 1000);
}

TEST(ImageHeadersTest, AFileThatIsNoImageIsAnExtractError) {
  openem::testing::TempDir dir;
  std::ofstream(dir.path() / "movie.tif") << "random bytes, not a TIFF";
  EXPECT_THROW(read_image_header_facts(dir.path() / "movie.tif"), ExtractError);
  std::ofstream(dir.path() / "short.mrc") << "too short";
  EXPECT_THROW(read_image_header_facts(dir.path() / "short.mrc"), ExtractError);
}

TEST(ImageHeadersTest, SummaryPerFolderAndExtensionWithWhatTheFilesAgreeOn) {
  openem::testing::TempDir dir;
  write_tiff(dir.path() / "a.tif", 16, 1, 3);
  write_tiff(dir.path() / "b.tif", 16, 1, 4);
  std::ofstream(dir.path() / "broken.tif") << "not a tiff";
  std::vector<ImageFile> files = {
      {"frames/a.tif", dir.path() / "a.tif"},
      {"frames/b.tif", dir.path() / "b.tif"},
      {"frames/broken.tif", dir.path() / "broken.tif"},
      {"frames/a.mdoc", dir.path() / "a.tif"},  // not an image file: skipped
      {"maps/input.mrc", mrc_sample("cryoet-portal", "input_mrc.mrc")},
      {"maps/signed.MRC", mrc_sample("cryoet-portal", "signed_ints.mrc")},
  };
  json::array summary = summarize_image_headers(files);
  ASSERT_EQ(summary.size(), 2u) << json::serialize(summary);
  const json::object& frames = summary.at(0).as_object();
  EXPECT_EQ(frames.at("directory"), "frames");
  EXPECT_EQ(frames.at("extension"), "tif");
  EXPECT_EQ(frames.at("files"), 3);
  EXPECT_EQ(frames.at("read"), 2);
  EXPECT_EQ(frames.at("unreadable"), 1);
  EXPECT_EQ(frames.at("format"), "TIFF");
  EXPECT_EQ(frames.at("voxel_type"), "uint16");
  EXPECT_EQ(frames.at("width"), 6);
  EXPECT_FALSE(frames.contains("frames"));  // 3 and 4 pages
  EXPECT_EQ(frames.at("differing"), (json::array{"frames"}));
  const json::object& maps = summary.at(1).as_object();  // .mrc and .MRC are one extension
  EXPECT_EQ(maps.at("directory"), "maps");
  EXPECT_EQ(maps.at("extension"), "mrc");
  EXPECT_EQ(maps.at("files"), 2);
  EXPECT_EQ(maps.at("frames"), 4);
  EXPECT_EQ(maps.at("width"), 4);
  EXPECT_FALSE(maps.contains("voxel_type"));  // float32 and int8
  EXPECT_EQ(maps.at("differing"), (json::array{"voxel_type"}));
}

TEST(ImageHeadersTest, AtMostMaxFilesHeadersAreRead) {
  std::vector<ImageFile> files;
  for (int i = 0; i < 5; ++i) {
    files.push_back({"maps/m" + std::to_string(i) + ".mrc", mrc_sample("cryoet-portal", "input_mrc.mrc")});
  }
  json::array summary = summarize_image_headers(files, 2);
  ASSERT_EQ(summary.size(), 1u);
  EXPECT_EQ(summary.at(0).at("files"), 5);
  EXPECT_EQ(summary.at(0).at("read"), 2);
  EXPECT_EQ(summary.at(0).at("voxel_type"), "float32");
}

}  // namespace
}  // namespace openem::extract
