// Patterns from outside: PCRE2 syntax and MongoDB options, bounded work on pathological
// patterns and long subjects (the result is asserted, never the time taken).
#include "core/pattern.h"

#include <gtest/gtest.h>

#include <string>

namespace openem {
namespace {

TEST(PatternTest, SearchesAnywhereWithOptions) {
  EXPECT_TRUE(Pattern("^beam").search("beam_energy"));
  EXPECT_FALSE(Pattern("^beam").search("Beam_energy"));
  EXPECT_TRUE(Pattern("^beam", *pattern_options("i")).search("Beam_energy"));
  EXPECT_TRUE(Pattern("energy$").search("beam_energy"));
  EXPECT_TRUE(Pattern("^b", *pattern_options("m")).search("a\nb"));
  EXPECT_TRUE(Pattern("a.b", *pattern_options("s")).search("a\nb"));
  EXPECT_TRUE(Pattern("a b # comment", *pattern_options("x")).search("ab"));
  EXPECT_TRUE(Pattern("Å/px").search("1.2 Å/px"));  // UTF-8 on both sides
  EXPECT_FALSE(pattern_options("iq"));
  EXPECT_TRUE(Pattern("b").search(std::string("a\xff" "b", 3)));  // invalid UTF-8 is no error
}

TEST(PatternTest, InvalidAndOverlongPatternsAreErrors) {
  EXPECT_THROW(Pattern("("), PatternError);
  EXPECT_THROW(Pattern("a{2,1}"), PatternError);
  EXPECT_THROW(Pattern(std::string(Pattern::kMaxLength + 1, 'a')), PatternError);
  EXPECT_NO_THROW(Pattern(std::string(Pattern::kMaxLength, 'a')));
  try {
    Pattern("ab(");
  } catch (const PatternError& e) {
    EXPECT_NE(std::string(e.what()).find("offset 3"), std::string::npos) << e.what();
  }
}

// Catastrophic backtracking: the answer is an error, not minutes of work. (std::regex takes
// 2^n steps here.)
TEST(PatternTest, PathologicalPatternsFailInsteadOfRunningLong) {
  const std::string subject = std::string(64, 'a') + "b";
  EXPECT_THROW(Pattern("(a+)+$").search(subject), PatternError);
  EXPECT_THROW(Pattern("^(a|aa)+$").search(subject), PatternError);
  EXPECT_THROW(Pattern("(.*a){12}$").search(subject), PatternError);
  // The same patterns answer normally where they need little work.
  EXPECT_TRUE(Pattern("(a+)+$").search("aaaa"));
  EXPECT_FALSE(Pattern("(a+)+$").search("b"));
}

// Long subjects: std::regex recurses per character and overflows the stack; PCRE2 answers or
// stops at its depth limit.
TEST(PatternTest, LongSubjectsDoNotOverflowTheStack) {
  const std::string subject(1 << 20, 'a');
  EXPECT_TRUE(Pattern("a$").search(subject));
  EXPECT_FALSE(Pattern("(a|b)*c").search(subject));  // no 'c' at all: PCRE2 sees that at once
  bool answered = false;
  try {
    answered = Pattern("^(a|b)*$").search(subject);
  } catch (const PatternError&) {
    answered = true;  // too complex is an answer too
  }
  EXPECT_TRUE(answered);
}

}  // namespace
}  // namespace openem
