#include "blob/blob_path.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

TEST(BlobPath, AcceptsRelativePaths) {
  EXPECT_TRUE(check_blob_path("a").is_ok());
  EXPECT_TRUE(check_blob_path("raw/movie_001.tif").is_ok());
  EXPECT_TRUE(check_blob_path("a/b/c..d/.hidden/x...").is_ok());
  EXPECT_TRUE(check_blob_path("Ångström µm/ä.mrc").is_ok());
}

TEST(BlobPath, RefusesEscapesWithAReason) {
  struct Case {
    std::string path, reason;
  };
  for (const auto& c : std::vector<Case>{{"", "empty"},
                                         {"/etc/passwd", "absolute"},
                                         {"..", "'..'"},
                                         {"../x", "'..'"},
                                         {"a/../../x", "'..'"},
                                         {"a/..", "'..'"},
                                         {"./a", "'.'"},
                                         {"a//b", "empty segment"},
                                         {"a/", "empty segment"},
                                         {"a\\..\\b", "backslash"},
                                         {std::string("a\0b", 3), "NUL"},
                                         {"a\nb", "control"},
                                         {std::string(256, 'x'), "255"},
                                         {std::string(5000, 'x'), "4096"}}) {
    BlobStatus s = check_blob_path(c.path);
    EXPECT_TRUE(s.is_invalid_path()) << c.path;
    EXPECT_NE(s.message().find(c.reason), std::string::npos) << s.message();
  }
}

TEST(BlobPath, PidDirectoryNamesAreOneSafeSegment) {
  EXPECT_EQ(pid_directory_name("PID.prefix/abc-1_2"), "PID.prefix%2Fabc-1_2");
  EXPECT_EQ(pid_directory_name(".."), "%2E.");
  EXPECT_EQ(pid_directory_name("."), "%2E");
  EXPECT_EQ(pid_directory_name("a%2Fb"), "a%252Fb");  // distinct from "a/b"
  EXPECT_NE(pid_directory_name("a%2Fb"), pid_directory_name("a/b"));
  EXPECT_EQ(pid_directory_name("~x"), "%7Ex");
  std::string long_pid(300, '/');
  std::string name = pid_directory_name(long_pid);
  EXPECT_EQ(name.size(), 65u);
  EXPECT_EQ(name[0], '~');
  EXPECT_EQ(name.find('/'), std::string::npos);
}

}  // namespace
}  // namespace openem
