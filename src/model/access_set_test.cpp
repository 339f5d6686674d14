#include "model/access_set.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

std::vector<std::string> as_strings(const std::vector<std::string_view>& v) { return {v.begin(), v.end()}; }

TEST(AccessSet, KeyIsSortedDistinctAndLengthPrefixed) {
  std::string key = access_set_key({"g:b", "g:a", "g:b", "g:"});
  EXPECT_EQ(key, "2:g:3:g:a3:g:b");
  EXPECT_EQ(as_strings(access_set_members(key)), (std::vector<std::string>{"g:", "g:a", "g:b"}));
  EXPECT_EQ(access_set_key({}), "");
  EXPECT_TRUE(access_set_members("").empty());
}

TEST(AccessSet, NoNameForgesAMemberBoundary) {
  // A group whose name looks like the end of one member and the start of another.
  std::string hostile = access_member_group("x3:g:a");
  std::string key = access_set_key({hostile});
  EXPECT_EQ(as_strings(access_set_members(key)), (std::vector<std::string>{hostile}));
  std::vector<std::string_view> reader_of_a{"g:a"};
  EXPECT_FALSE(access_set_meets(key, reader_of_a));
  // A group named like an e-mail member stays a group.
  std::string posing = access_set_key({access_member_group("s:alice@example.org")});
  std::vector<std::string_view> alice{"s:alice@example.org"};
  EXPECT_FALSE(access_set_meets(posing, alice));
}

TEST(AccessSet, MeetsWhenAnyMemberIsAReader) {
  std::string key = access_set_key({access_member_group("owners"), access_member_group("friends"),
                                    access_member_email("bob@example.org")});
  std::vector<std::string> readers{access_member_group(""), access_member_group("friends")};
  std::vector<std::string_view> sorted(readers.begin(), readers.end());
  std::sort(sorted.begin(), sorted.end());
  EXPECT_TRUE(access_set_meets(key, sorted));
  std::vector<std::string_view> bob{"s:bob@example.org"};
  EXPECT_TRUE(access_set_meets(key, bob));
  std::vector<std::string_view> others{"g:other", "g:owner", "s:bob@example.com"};
  EXPECT_FALSE(access_set_meets(key, others));
  EXPECT_FALSE(access_set_meets("", others));
}

TEST(AccessSet, MalformedKeysYieldTheMembersBeforeTheDamage) {
  EXPECT_EQ(as_strings(access_set_members("3:g:a9:g:b")), (std::vector<std::string>{"g:a"}));
  EXPECT_EQ(as_strings(access_set_members("3:g:ax")), (std::vector<std::string>{"g:a"}));
  EXPECT_TRUE(access_set_members("g:a").empty());
  EXPECT_TRUE(access_set_members("-1:g").empty());
  EXPECT_TRUE(access_set_members("99999999999999999999999:g").empty());
  std::vector<std::string_view> a{"g:a"};
  EXPECT_FALSE(access_set_meets("9:g:a", a));
}

}  // namespace
}  // namespace openem
