#include "ingest/path_safety.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ingest/session_scan.h"

namespace openem::ingest {
namespace {
namespace fs = std::filesystem;

TEST(PathSafety, AcceptsOrdinaryNames) {
  for (const char* p : {"movie.tif", "Images-Disc1/GridSquare_1/Data/FoilHole_1_Data_2.xml", "a..b", ".hidden",
                        "Ångström µm.txt", "with space/and-dash_1.mrc"})
    EXPECT_EQ(unsafe_path_reason(p), std::nullopt) << p;
}

TEST(PathSafety, RefusesEscapesAndOddBytes) {
  EXPECT_EQ(unsafe_path_reason(""), "empty name");
  EXPECT_EQ(unsafe_path_reason("/etc/passwd"), "absolute path");
  EXPECT_EQ(unsafe_path_reason("../x"), "'..' path component");
  EXPECT_EQ(unsafe_path_reason("a/../../x"), "'..' path component");
  EXPECT_EQ(unsafe_path_reason("a/./x"), "'.' path component");
  EXPECT_EQ(unsafe_path_reason("a//x"), "empty path component");
  EXPECT_EQ(unsafe_path_reason("a/"), "empty path component");
  EXPECT_EQ(unsafe_path_reason("a\\b"), "backslash in name");
  EXPECT_EQ(unsafe_path_reason("line\nbreak"), "control character in name");
  EXPECT_EQ(unsafe_path_reason(std::string("nul\0x", 5)), "control character in name");
  EXPECT_EQ(unsafe_path_reason("del\x7f"), "control character in name");
  EXPECT_EQ(unsafe_path_reason("c1\xc2\x85"), "control character in name");
  EXPECT_EQ(unsafe_path_reason("latin1-\xe9.txt"), "name is not valid UTF-8");
  EXPECT_EQ(unsafe_path_reason("overlong-\xc0\xaf"), "name is not valid UTF-8");
  EXPECT_EQ(unsafe_path_reason("surrogate-\xed\xa0\x80"), "name is not valid UTF-8");
  EXPECT_EQ(unsafe_path_reason(std::string(256, 'x')), "name longer than 255 bytes");
}

TEST(PathSafety, WithinIsComponentWise) {
  EXPECT_TRUE(is_within("/data/s1", "/data/s1"));
  EXPECT_TRUE(is_within("/data/s1", "/data/s1/a/b"));
  EXPECT_FALSE(is_within("/data/s1", "/data/s10/a"));
  EXPECT_FALSE(is_within("/data/s1", "/data"));
  EXPECT_TRUE(is_within("/", "/x"));
}

TEST(PathSafety, PrintableEscapesOddBytes) { EXPECT_EQ(printable("a\nb\xe9"), "a\\x0Ab\\xE9"); }

class SessionScan : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = fs::temp_directory_path() / ("openem-scan-test-" + std::to_string(::getpid()));
    fs::remove_all(base_);
    root_ = base_ / "session";
    fs::create_directories(root_ / "Frames");
    fs::create_directories(base_ / "outside");
    std::ofstream(root_ / "a.mdoc") << "PixelSpacing = 1";
    std::ofstream(root_ / "Frames" / "m1.tif") << "12345";
    std::ofstream(base_ / "outside" / "secret.txt") << "x";
  }
  void TearDown() override { fs::remove_all(base_); }
  fs::path base_, root_;
};

TEST_F(SessionScan, ListsFilesSortedWithSizes) {
  ScanResult r = scan_session(root_);
  EXPECT_TRUE(r.errors.empty());
  ASSERT_EQ(r.files.size(), 2u);
  EXPECT_EQ(r.files[0].path, "Frames/m1.tif");
  EXPECT_EQ(r.files[0].size, 5u);
  EXPECT_EQ(r.files[1].path, "a.mdoc");
  EXPECT_EQ(r.total_bytes, 5u + 16u);
  EXPECT_EQ(r.root, fs::canonical(root_));
  EXPECT_EQ(permission_string(0100644), "-rw-r--r--");
}

TEST_F(SessionScan, RefusesLinksOutsideFollowsLinksInside) {
  fs::create_symlink(base_ / "outside" / "secret.txt", root_ / "escape.txt");
  fs::create_symlink("../a.mdoc", root_ / "Frames" / "copy.mdoc");
  fs::create_directory_symlink(root_ / "Frames", root_ / "FramesAgain");
  ScanResult r = scan_session(root_);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].rfind("escape.txt: refused: symbolic link points outside the session", 0), 0u) << r.errors[0];
  ASSERT_EQ(r.files.size(), 3u);
  EXPECT_EQ(r.files[0].path, "Frames/copy.mdoc");
  EXPECT_EQ(r.files[0].source, fs::canonical(root_ / "a.mdoc"));
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_EQ(r.warnings[0], "FramesAgain: skipped: symbolic link to a folder inside the session");
}

TEST_F(SessionScan, RefusesOddNamesAndSkipsIgnored) {
  std::ofstream(root_ / "bad\x01name") << "x";
  std::ofstream(root_ / "latin1-\xe9") << "x";
  std::ofstream(root_ / "DONE") << "";
  ScanOptions opt;
  opt.ignore_names = {"DONE"};
  ScanResult r = scan_session(root_, opt);
  ASSERT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors[0], "bad\\x01name: refused: control character in name");
  EXPECT_EQ(r.errors[1], "latin1-\\xE9: refused: name is not valid UTF-8");
  EXPECT_EQ(r.files.size(), 2u);
}

TEST_F(SessionScan, MissingFolderThrows) { EXPECT_THROW(scan_session(base_ / "nope"), std::runtime_error); }

}  // namespace
}  // namespace openem::ingest
