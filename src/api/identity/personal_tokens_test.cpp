#include "api/identity/personal_tokens.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "core/jwt.h"
#include "testing/temp_dir.h"

namespace openem {
namespace {

std::vector<std::string> path(std::initializer_list<const char*> parts) { return {parts.begin(), parts.end()}; }

TEST(TokenScopeTest, ReadReadsIngestWritesTheIngestAreasAdminDoesAll) {
  auto ds = path({"api", "v3", "Datasets"});
  EXPECT_TRUE(token_scope_allows(TokenScope::Read, "GET", ds));
  EXPECT_TRUE(token_scope_allows(TokenScope::Read, "HEAD", ds));
  EXPECT_FALSE(token_scope_allows(TokenScope::Read, "POST", ds));
  EXPECT_TRUE(token_scope_allows(TokenScope::Ingest, "POST", ds));
  EXPECT_TRUE(token_scope_allows(TokenScope::Ingest, "PATCH", path({"API", "V3", "datasets", "PID/x"})));
  EXPECT_TRUE(token_scope_allows(TokenScope::Ingest, "POST", path({"api", "v4", "datasets"})));
  EXPECT_TRUE(token_scope_allows(TokenScope::Ingest, "POST", path({"api", "v3", "OrigDatablocks"})));
  EXPECT_TRUE(token_scope_allows(TokenScope::Ingest, "PATCH", path({"api", "v3", "uploads", "abc"})));
  EXPECT_TRUE(token_scope_allows(TokenScope::Ingest, "DELETE", path({"api", "v3", "uploads", "abc"})));
  EXPECT_FALSE(token_scope_allows(TokenScope::Ingest, "DELETE", path({"api", "v3", "datasets", "x"})));
  EXPECT_FALSE(token_scope_allows(TokenScope::Ingest, "POST", path({"api", "v3", "users", "password"})));
  EXPECT_FALSE(token_scope_allows(TokenScope::Ingest, "POST", path({"api", "v3", "policies"})));
  EXPECT_FALSE(token_scope_allows(TokenScope::Ingest, "POST", path({"api", "v3", "datasets2"})));
  EXPECT_FALSE(token_scope_allows(TokenScope::Ingest, "POST", path({"api", "v3"})));
  EXPECT_FALSE(token_scope_allows(TokenScope::Ingest, "POST", path({"other", "v3", "datasets"})));
  EXPECT_TRUE(token_scope_allows(TokenScope::Admin, "DELETE", ds));
  EXPECT_EQ(parse_token_scope("ingest"), TokenScope::Ingest);
  EXPECT_FALSE(parse_token_scope("Admin"));
}

class PersonalTokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    UserRecord u;
    u.id = "u/1";
    u.username = "alice";
    u.groups = {"g1"};
    store_->upsert_user(u);
  }
  testing::TempDir dir_{"openem-tokens"};
  std::unique_ptr<CatalogStore> store_ = open_sqlite_store(dir_.path() / "catalog.db");
};

TEST_F(PersonalTokensTest, ATokenVerifiesUntilRevokedOrExpired) {
  auto made = create_personal_token(*store_, "u/1", "pc", TokenScope::Ingest, 0);
  ASSERT_TRUE(made);
  const std::string& credential = made->second;
  EXPECT_TRUE(is_personal_token(credential));
  auto v = verify_personal_token(*store_, credential, 1e9);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->user.username, "alice");
  EXPECT_EQ(v->token.scope, TokenScope::Ingest);
  EXPECT_EQ(v->token.name, "pc");
  // The store keeps a hash, never the secret.
  auto user = store_->user_by_id("u/1");
  std::string secret = credential.substr(credential.rfind('.') + 1);
  EXPECT_EQ(boost::json::serialize(user->extra).find(secret), std::string::npos);
  // Any changed character, another user, a cut token: nothing.
  for (std::size_t i = 4; i < credential.size(); i += 7) {
    std::string bad = credential;
    bad[i] = bad[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(verify_personal_token(*store_, bad, 1e9)) << bad;
  }
  EXPECT_FALSE(verify_personal_token(*store_, "oem." + base64url_encode("u/2") + credential.substr(credential.find('.', 4)), 1e9));
  EXPECT_FALSE(verify_personal_token(*store_, credential.substr(0, credential.size() - 1), 1e9));
  EXPECT_FALSE(verify_personal_token(*store_, "oem....", 1e9));
  EXPECT_FALSE(verify_personal_token(*store_, "", 1e9));
  EXPECT_TRUE(revoke_personal_token(*store_, "u/1", made->first.id));
  EXPECT_FALSE(verify_personal_token(*store_, credential, 1e9));
  EXPECT_FALSE(revoke_personal_token(*store_, "u/1", made->first.id));
  auto expiring = create_personal_token(*store_, "u/1", "short", TokenScope::Read, 2e9);
  EXPECT_TRUE(verify_personal_token(*store_, expiring->second, 2e9 - 1));
  EXPECT_FALSE(verify_personal_token(*store_, expiring->second, 2e9));
  EXPECT_FALSE(create_personal_token(*store_, "nobody", "x", TokenScope::Read, 0));
}

TEST_F(PersonalTokensTest, AUserHoldsAtMostFiftyTokens) {
  for (std::size_t i = 0; i < kMaxPersonalTokens; ++i)
    ASSERT_TRUE(create_personal_token(*store_, "u/1", "t" + std::to_string(i), TokenScope::Read, 0));
  EXPECT_THROW(create_personal_token(*store_, "u/1", "one more", TokenScope::Read, 0), ApiError);
  EXPECT_EQ(personal_tokens_of(*store_->user_by_id("u/1")).size(), kMaxPersonalTokens);
}

}  // namespace
}  // namespace openem
