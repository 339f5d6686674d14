#include "api/token_revocations.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <ctime>
#include <filesystem>

#include "store/testing/store_backends.h"

namespace openem {
namespace {
namespace fs = std::filesystem;

class TokenRevocationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "openem-revocations-XXXXXX").string();
    dir_ = ::mkdtemp(tmpl.data());
    store_ = open_sqlite_store(dir_ / "catalog.db");
    for (const char* id : {"u1", "u2"}) {
      UserRecord u;
      u.id = id;
      u.username = std::string("name-") + id;
      u.password_hash = "old";
      store_->upsert_user(u);
    }
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  fs::path dir_;
  std::unique_ptr<CatalogStore> store_;
};

TEST_F(TokenRevocationsTest, NothingRevokedAtFirst) {
  TokenRevocations r(*store_);
  EXPECT_FALSE(r.revoked("u1", 0, "jti-1"));
  EXPECT_FALSE(r.revoked("u1", 0, ""));
  EXPECT_EQ(r.generation("u1"), 0);
}

TEST_F(TokenRevocationsTest, LogoutEndsOneTokenAndSurvivesAReload) {
  const double later = static_cast<double>(std::time(nullptr) + 3600);
  {
    TokenRevocations r(*store_);
    r.revoke_one("u1", "jti-1", later);
    EXPECT_TRUE(r.revoked("u1", 0, "jti-1"));
    EXPECT_FALSE(r.revoked("u1", 0, "jti-2"));
    EXPECT_FALSE(r.revoked("u2", 0, "jti-3"));
    r.revoke_one("u1", "jti-old", static_cast<double>(std::time(nullptr) - 10));  // already expired: nothing to remember
  }
  TokenRevocations reloaded(*store_);
  EXPECT_TRUE(reloaded.revoked("u1", 0, "jti-1"));
  EXPECT_FALSE(reloaded.revoked("u1", 0, "jti-2"));
  auto u1 = store_->user_by_id("u1");
  ASSERT_TRUE(u1);
  EXPECT_EQ(u1->extra.at("revokedTokens").as_array().size(), 1u);  // nothing for the expired one
  EXPECT_EQ(u1->password_hash, "old");
}

TEST_F(TokenRevocationsTest, PasswordChangeEndsEveryEarlierTokenOfTheUser) {
  {
    TokenRevocations r(*store_);
    EXPECT_TRUE(r.revoke_all("u1", [](UserRecord& u) { u.password_hash = "new"; }));
    EXPECT_TRUE(r.revoked("u1", 0, "any"));
    EXPECT_TRUE(r.revoked("u1", 0, ""));
    EXPECT_FALSE(r.revoked("u1", 1, "any"));  // tokens issued after carry generation 1
    EXPECT_EQ(r.generation("u1"), 1);
    EXPECT_FALSE(r.revoked("u2", 0, "any"));
    EXPECT_FALSE(r.revoke_all("nobody"));
  }
  TokenRevocations reloaded(*store_);
  EXPECT_TRUE(reloaded.revoked("u1", 0, ""));
  EXPECT_EQ(reloaded.generation("u1"), 1);
  EXPECT_EQ(store_->user_by_id("u1")->password_hash, "new");
}

}  // namespace
}  // namespace openem

namespace openem {
namespace {

// Two API processes on one shared catalog: a logout or a password change on one ends the
// token on the other at once (before: each process kept what it loaded at start).
TEST(TokenRevocationsAcrossProcesses, ARevocationOnOneProcessCountsOnAnother) {
  testing::ScratchCatalog catalog(testing::Backend::Postgres);
  auto a = catalog.open(), b = catalog.open();
  UserRecord u;
  u.id = "u1";
  u.username = "ada";
  a->upsert_user(u);
  TokenRevocations on_a(*a), on_b(*b);
  EXPECT_FALSE(on_b.revoked("u1", 0, "jti-1"));
  on_a.revoke_one("u1", "jti-1", static_cast<double>(std::time(nullptr)) + 3600);
  EXPECT_TRUE(on_b.revoked("u1", 0, "jti-1"));
  EXPECT_FALSE(on_b.revoked("u1", 0, "jti-2"));
  EXPECT_TRUE(on_a.revoke_all("u1"));
  EXPECT_TRUE(on_b.revoked("u1", 0, ""));
  EXPECT_EQ(on_b.generation("u1"), 1);
  EXPECT_FALSE(on_b.revoked("u1", 1, ""));
}

}  // namespace
}  // namespace openem
