#include "extract/mrc_reader.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

#include "extract/extract_error.h"
#include "extract/test_support.h"

namespace openem::extract {
namespace {

using testing::shared_dir;

// A little-endian MRC2014 header with an FEI1 extended header for `nz` sections, written the
// way the TFS spec lays out the fields (no FEI sample may be redistributed; see formats.md §6).
std::string synth_fei_mrc(int nz, bool fei2 = false) {
  const std::size_t rec = fei2 ? 888 : 768;
  std::string b(1024 + rec * nz, '\0');
  auto i32 = [&](std::size_t off, std::int32_t v) { std::memcpy(&b[off], &v, 4); };
  auto u32 = [&](std::size_t off, std::uint32_t v) { std::memcpy(&b[off], &v, 4); };
  auto f32 = [&](std::size_t off, float v) { std::memcpy(&b[off], &v, 4); };
  auto f64 = [&](std::size_t off, double v) { std::memcpy(&b[off], &v, 8); };
  auto str = [&](std::size_t off, const char* s) { std::memcpy(&b[off], s, std::strlen(s)); };
  i32(0, 4096); i32(4, 4096); i32(8, nz); i32(12, 2);
  i32(28, 4096); i32(32, 4096); i32(36, nz);
  f32(40, 4096 * 0.83f); f32(44, 4096 * 0.83f); f32(48, nz * 0.83f);
  i32(92, static_cast<std::int32_t>(rec * nz));
  str(104, fei2 ? "FEI2" : "FEI1");
  i32(108, 20140);
  str(208, "MAP ");
  b[212] = 0x44; b[213] = 0x44;
  for (int s = 0; s < nz; ++s) {
    std::size_t base = 1024 + rec * s;
    i32(base, static_cast<std::int32_t>(rec));
    i32(base + 4, fei2 ? 2 : 1);
    u32(base + 8, 0xFFFFFFFFu);    // bitmask1: all valid
    u32(base + 297, 0xFFFFFFFFu);  // bitmask2
    str(base + 20, "TITAN52336320");
    str(base + 52, "EPU");
    f64(base + 84, 300000.0);               // HT [V]
    f64(base + 92, 4.5e20);                 // dose [e/m²] = 4.5 e/Å²
    f64(base + 100, -60.0 + 3.0 * s);       // alpha tilt [deg]
    f64(base + 156, 0.83e-10);              // pixel size [m]
    f64(base + 220, -2.0e-6 - 1e-7 * s);    // defocus [m]
    f64(base + 289, 105000.0);              // magnification
    f64(base + 419, 1.5);                   // integration time [s]
    i32(base + 427, 1);
    i32(base + 431, 1);
    str(base + 435, "BM-Falcon");
    b[base + 472] = 1;                      // electron counting
    if (fei2) {
      u32(base + 748, 0xFFFFFFFFu);
      str(base + 804, "Falcon 4i");
    }
  }
  return b;
}

const std::string* find(const FeiRecord& r, const std::string& k) {
  for (const auto& [key, v] : r)
    if (key == k) return &v;
  return nullptr;
}

TEST(MrcReader, RealCcpemMap) {
  MrcInfo m = read_mrc_header(shared_dir() / "mrc" / "ccpem-mrcfile" / "EMD-3197.map");
  EXPECT_EQ(m.header.nx, 20);
  EXPECT_EQ(m.header.ny, 20);
  EXPECT_EQ(m.header.nz, 20);
  EXPECT_EQ(m.header.mode, 2);
  EXPECT_TRUE(m.header.little_endian);
  EXPECT_NEAR(m.header.pixel_spacing_x(), 11.4, 1e-4);  // cella 228 Å over 20 samples
  EXPECT_TRUE(m.fei.empty());
}

TEST(MrcReader, AllRealSamplesReadOrFailCleanly) {
  for (const auto& e : std::filesystem::recursive_directory_iterator(shared_dir() / "mrc")) {
    auto ext = e.path().extension();
    if (ext != ".mrc" && ext != ".map" && ext != ".st") continue;
    SCOPED_TRACE(e.path().string());
    MrcInfo m = read_mrc_header(e.path());
    EXPECT_GT(m.header.nx, 0);
  }
}

TEST(MrcReader, Fei1ExtendedHeaderPerSection) {
  std::string b = synth_fei_mrc(3);
  MrcInfo m = parse_mrc(b, b.size() + 4096ull * 4096 * 4 * 3, "fei1.mrc");
  ASSERT_EQ(m.fei.size(), 3u);
  EXPECT_EQ(*find(m.fei[0], "FEI.HT"), "300000");
  EXPECT_EQ(*find(m.fei[0], "FEI.MicroscopeType"), "TITAN52336320");
  EXPECT_EQ(*find(m.fei[1], "FEI.AlphaTilt"), "-57");
  EXPECT_EQ(*find(m.fei[2], "FEI.CameraName"), "BM-Falcon");
  EXPECT_EQ(*find(m.fei[2], "FEI.ElectronCounting"), "true");
  EXPECT_EQ(*find(m.fei[0], "FEI.Dose"), "450000000000000000000");
  EXPECT_EQ(find(m.fei[0], "FEI.DetectorCommercialName"), nullptr);
}

TEST(MrcReader, Fei2AddsCommercialName) {
  std::string b = synth_fei_mrc(1, true);
  MrcInfo m = parse_mrc(b, b.size() + 4096ull * 4096 * 4, "fei2.mrc");
  ASSERT_EQ(m.fei.size(), 1u);
  EXPECT_EQ(*find(m.fei[0], "FEI.DetectorCommercialName"), "Falcon 4i");
}

TEST(MrcReader, BigEndianHeader) {
  std::string b(1024, '\0');
  auto be32 = [&](std::size_t off, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b[off + i] = static_cast<char>(v >> (24 - 8 * i));
  };
  be32(0, 10); be32(4, 12); be32(8, 1); be32(12, 1);
  std::memcpy(&b[208], "MAP ", 4);
  b[212] = 0x11; b[213] = 0x11;
  MrcInfo m = parse_mrc(b, 1024 + 10 * 12 * 2, "be.mrc");
  EXPECT_FALSE(m.header.little_endian);
  EXPECT_EQ(m.header.nx, 10);
  EXPECT_EQ(m.header.ny, 12);
}

TEST(MrcReader, TruncatedAndGarbageInputFailClearly) {
  std::string b = synth_fei_mrc(2);
  try {
    parse_mrc(std::string_view(b).substr(0, 500), 500, "short.mrc");
    FAIL();
  } catch (const ExtractError& e) {
    EXPECT_NE(e.reason().find("truncated MRC header"), std::string::npos);
  }
  // Extended header promised beyond the end of the file.
  EXPECT_THROW(parse_mrc(std::string_view(b).substr(0, 1500), 1500, "cut.mrc"), ExtractError);
  std::string junk(2048, 'z');
  try {
    parse_mrc(junk, junk.size(), "junk.mrc");
    FAIL();
  } catch (const ExtractError& e) {
    EXPECT_EQ(e.file(), "junk.mrc");
  }
  // Data shorter than the header says: readable, with a warning.
  MrcInfo m = parse_mrc(b, b.size() + 10, "short-data.mrc");
  ASSERT_FALSE(m.warnings.empty());
  EXPECT_NE(m.warnings.back().find("MRC data truncated"), std::string::npos);
}

}  // namespace
}  // namespace openem::extract
