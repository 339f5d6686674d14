#include "core/relative_path.h"

#include <gtest/gtest.h>

#include <vector>

namespace openem {
namespace {

TEST(RelativePath, AcceptsRelativeUtf8Paths) {
  for (const std::string& p : std::vector<std::string>{"a", "raw/movie_001.tif", "a/b/c..d/.hidden/x...", "Ångström µm/ä.mrc", "日本/データ.tif",
                        "emoji/\xF0\x9F\x94\xAC.txt", std::string(255, 'x') + "/" + std::string(255, 'y')})
    EXPECT_EQ(relative_path_problem(p), std::nullopt) << p;
}

TEST(RelativePath, RefusesWithAReason) {
  struct Case {
    std::string path, reason;
  };
  for (const auto& c : std::vector<Case>{{"", "empty"},
                                         {"/etc/passwd", "absolute"},
                                         {"/", "absolute"},
                                         {"..", "'..'"},
                                         {"a/../../x", "'..'"},
                                         {"./a", "'.'"},
                                         {"a/./b", "'.'"},
                                         {"a//b", "empty segment"},
                                         {"a/", "empty segment"},
                                         {"a\\b", "backslash"},
                                         {std::string("a\0b", 3), "NUL"},
                                         {"a\nb", "control"},
                                         {"a\tb", "control"},
                                         {"a\x7f", "control"},
                                         {std::string(256, 'x'), "255"},
                                         {std::string(5000, 'x'), "4096"},
                                         {"bad\xff.bin", "UTF-8"},
                                         {"latin1-\xe9t\xe9.txt", "UTF-8"},
                                         {"overlong-\xc0\xaf", "UTF-8"},
                                         {"surrogate-\xed\xa0\x80", "UTF-8"},
                                         {"past-max-\xf4\x90\x80\x80", "UTF-8"},
                                         {"truncated-\xe2\x82", "UTF-8"}}) {
    auto why = relative_path_problem(c.path);
    ASSERT_TRUE(why.has_value()) << c.path;
    EXPECT_NE(why->find(c.reason), std::string::npos) << *why;
  }
}

TEST(RelativePath, Utf8Validation) {
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_TRUE(is_valid_utf8("\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80"));  // ä € 😀
  EXPECT_TRUE(is_valid_utf8("\xF4\x8F\xBF\xBF"));                       // U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\x80"));
  EXPECT_FALSE(is_valid_utf8("\xC1\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x9F\xBF"));
  EXPECT_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
}

TEST(RelativePath, PrintableExcerptEscapesWhatIsNotText) {
  EXPECT_EQ(printable_excerpt("ok/ä.txt"), "ok/ä.txt");
  EXPECT_EQ(printable_excerpt("bad\xff\n.bin"), "bad\\xFF\\x0A.bin");
  EXPECT_EQ(printable_excerpt("abcdef", 3), "abc...");
  EXPECT_TRUE(is_valid_utf8(printable_excerpt("\xe2\x82 x")));
}

}  // namespace
}  // namespace openem
