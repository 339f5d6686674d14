#include "core/password.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

TEST(PasswordTest, HashAndVerify) {
  std::string h = hash_password("correct horse battery staple");
  // "$argon2id$v=19$m=19456,t=2,p=1$" + 22 characters of salt + "$" + 43 of hash.
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0u) << h;
  EXPECT_EQ(h.size(), 31u + 22 + 1 + 43);
  EXPECT_TRUE(verify_password("correct horse battery staple", h));
  EXPECT_FALSE(verify_password("correct horse battery stapl", h));
  EXPECT_FALSE(verify_password("Correct horse battery staple", h));
  EXPECT_FALSE(verify_password("", h));
}

TEST(PasswordTest, SaltMakesHashesDiffer) {
  std::string a = hash_password("same password");
  std::string b = hash_password("same password");
  EXPECT_NE(a, b);
  EXPECT_NE(a.substr(31, 22), b.substr(31, 22));  // the salts
  EXPECT_TRUE(verify_password("same password", a));
  EXPECT_TRUE(verify_password("same password", b));
}

TEST(PasswordTest, EmptyAndBinaryPasswords) {
  std::string empty = hash_password("");
  EXPECT_TRUE(verify_password("", empty));
  EXPECT_FALSE(verify_password(" ", empty));
  const std::string binary("p\0w\xff", 4);
  std::string h = hash_password(binary);
  EXPECT_TRUE(verify_password(binary, h));
  EXPECT_FALSE(verify_password("p", h));  // no truncation at NUL
}

// Vectors of the reference implementation (phc-winner-argon2 src/test.c): hashes produced by
// another program verify here.
TEST(PasswordTest, ReferenceVectors) {
  EXPECT_TRUE(verify_password(
      "password",
      "$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc"));
  EXPECT_TRUE(verify_password(
      "password",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"));
  EXPECT_FALSE(verify_password(
      "sassword",
      "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4"));
}

TEST(PasswordTest, MalformedEncodingsAreFalse) {
  const std::string good = hash_password("pw");
  ASSERT_TRUE(verify_password("pw", good));
  const std::string salt_and_hash = good.substr(good.find('$', 31));  // "$<salt>$<hash>"
  const std::string params = "$argon2id$v=19$m=19456,t=2,p=1";
  for (const std::string& bad : std::initializer_list<std::string>{
           "",
           "pw",
           "$",
           "$$$$$",
           "$argon2id$",
           "$argon2i" + good.substr(9),                          // argon2i, not argon2id
           "$argon2d" + good.substr(9),
           "$argon2id$v=16$m=19456,t=2,p=1" + salt_and_hash,     // old version
           "$argon2id$m=19456,t=2,p=1" + salt_and_hash,          // no version
           "$argon2id$v=19$m=19456,t=2" + salt_and_hash,         // missing p
           "$argon2id$v=19$t=2,m=19456,p=1" + salt_and_hash,     // order
           "$argon2id$v=19$m=0,t=2,p=1" + salt_and_hash,
           "$argon2id$v=19$m=19456,t=0,p=1" + salt_and_hash,
           "$argon2id$v=19$m=-1,t=2,p=1" + salt_and_hash,
           "$argon2id$v=19$m=4194304,t=2,p=1" + salt_and_hash,   // 4 GiB: refused unread
           "$argon2id$v=19$m=19456,t=1000000,p=1" + salt_and_hash,
           "$argon2id$v=19$m=19456,t=2,p=255" + salt_and_hash,
           "$argon2id$v=19$m=19456 ,t=2,p=1" + salt_and_hash,
           params + "$$",
           params + "$c29tZXNhbHQ$",
           params + "$c29tZXNhbHQ$!!!!",
           params + "$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc",  // wrong hash
           good.substr(0, good.size() - 1),
           good + "A",
           good + "$",
           good + std::string(1, '\0'),
           " " + good,
           std::string(100000, '$'),
       }) {
    EXPECT_FALSE(verify_password("pw", bad)) << bad;
  }
}

}  // namespace
}  // namespace openem
