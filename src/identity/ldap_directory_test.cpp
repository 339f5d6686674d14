// The parts of LDAP sign-in that need no directory: filter escaping (the injection defence)
// and group names from DNs. The directory itself: tests/identity/ldap_test.mjs with slapd.
#include "identity/ldap_directory.h"

#include <gtest/gtest.h>

namespace openem::identity {
namespace {

TEST(LdapDirectoryTest, FilterValuesAreEscapedPerRfc4515) {
  EXPECT_EQ(escape_filter_value("alice"), "alice");
  EXPECT_EQ(escape_filter_value("*)(uid=*"), "\\2a\\29\\28uid=\\2a");
  EXPECT_EQ(escape_filter_value("a\\b"), "a\\5cb");
  EXPECT_EQ(escape_filter_value(std::string("a\0b", 3)), "a\\00b");
  EXPECT_EQ(escape_filter_value("Müller"), "Müller");  // UTF-8 passes as it is
}

TEST(LdapDirectoryTest, GroupNamesAreTheFirstRdnValue) {
  EXPECT_EQ(first_rdn_value("cn=p20250101,ou=groups,dc=facility,dc=example"), "p20250101");
  EXPECT_EQ(first_rdn_value("CN=Cryo Staff,OU=Groups,DC=psi,DC=ch"), "Cryo Staff");
  EXPECT_EQ(first_rdn_value("cn=a\\,b,ou=groups"), "a,b");
  EXPECT_EQ(first_rdn_value("not a dn"), "");
  EXPECT_EQ(first_rdn_value(""), "");
}

TEST(LdapDirectoryTest, EmptyPasswordsNeverReachTheDirectory) {
  LdapSettings s;
  s.url = "ldap://127.0.0.1:1";  // nothing listens: a request would be Unavailable, not Refused
  s.search_base = "dc=x";
  s.search_filter = "(uid={{username}})";
  s.username_attribute = "uid";
  s.timeout_seconds = 1;
  LdapDirectory directory(s);
  EXPECT_EQ(directory.sign_in("alice", "").outcome, DirectoryAnswer::Outcome::Refused);
  EXPECT_EQ(directory.sign_in("", "pw").outcome, DirectoryAnswer::Outcome::Refused);
  EXPECT_EQ(directory.sign_in("alice", "pw").outcome, DirectoryAnswer::Outcome::Unavailable);
}

}  // namespace
}  // namespace openem::identity
