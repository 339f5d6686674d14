// ProviderClient against a scripted provider (the Fetch seam): discovery checked against the
// configured issuer, keys fetched again when a token names a new key id but not more than
// once per 30 s, code redemption with PKCE and client authentication, userinfo for the same
// subject only, and clear errors when the provider is down or answers nonsense.
#include "identity/provider_client.h"

#include <gtest/gtest.h>

#include <map>

#include "identity/pending_sign_ins.h"
#include "identity/test_keys.h"

namespace openem::identity {
namespace {
namespace json = boost::json;
using testing::TestKey;

const std::string kIssuer = "https://id.example.org/realms/em";

struct FakeProvider {
  std::map<std::string, ProviderClient::Response> answers;  // "METHOD url" → answer
  std::vector<std::string> requests;                        // "METHOD url"
  std::vector<std::string> bodies, headers;
  bool down = false;

  ProviderClient::Fetch fetch() {
    return [this](const std::string& method, const std::string& url, const std::vector<std::string>& hs,
                  const std::string& body) {
      requests.push_back(method + " " + url);
      bodies.push_back(body);
      for (const auto& h : hs) headers.push_back(h);
      if (down) throw std::runtime_error("Connection refused");
      auto it = answers.find(method + " " + url);
      return it == answers.end() ? ProviderClient::Response{404, "{}"} : it->second;
    };
  }
  int count(const std::string& request) const {
    return static_cast<int>(std::count(requests.begin(), requests.end(), request));
  }
};

json::object discovery(const std::string& issuer = kIssuer) {
  return {{"issuer", issuer},
          {"authorization_endpoint", kIssuer + "/auth"},
          {"token_endpoint", kIssuer + "/token"},
          {"userinfo_endpoint", kIssuer + "/me"},
          {"jwks_uri", kIssuer + "/jwks"},
          {"end_session_endpoint", kIssuer + "/logout"}};
}

OidcSettings settings() {
  OidcSettings s;
  s.issuer = kIssuer;
  s.client_id = "openem";
  s.client_secret = "s3cret:+";
  s.callback_url = "https://data.example.org/api/v3/auth/oidc/callback";
  s.audiences = {"openem"};
  return s;
}

class ProviderClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    provider.answers["GET " + kIssuer + "/.well-known/openid-configuration"] = {200, json::serialize(discovery())};
    provider.answers["GET " + kIssuer + "/jwks"] = {200, json::serialize(testing::jwks({&key}))};
  }
  json::object claims(json::object extra = {}) {
    json::object c{{"iss", kIssuer}, {"sub", "u-1"}, {"aud", "openem"}, {"iat", now}, {"exp", now + 600}};
    for (auto& [k, v] : extra) c[k] = v;
    return c;
  }
  double now = 1'800'000'000;
  TestKey key = TestKey::rsa("k1");
  FakeProvider provider;
  ProviderClient client{settings(), provider.fetch(), [this] { return now; }};
};

TEST_F(ProviderClientTest, BearerTokensAreCheckedAgainstTheProvidersKeys) {
  EXPECT_TRUE(client.check_bearer(key.token(claims(), "RS256")).valid());
  EXPECT_FALSE(client.check_bearer(key.token(claims({{"aud", "someone-else"}}), "RS256")).valid());
  EXPECT_FALSE(client.check_bearer(TestKey::rsa("k1").token(claims(), "RS256")).valid());
  // The document and the keys were read once for all of that.
  EXPECT_EQ(provider.count("GET " + kIssuer + "/.well-known/openid-configuration"), 1);
  EXPECT_EQ(provider.count("GET " + kIssuer + "/jwks"), 1);
}

TEST_F(ProviderClientTest, RotatedKeysAreFetchedOnceAndMadeUpKeyIdsDoNotHammerTheProvider) {
  ASSERT_TRUE(client.check_bearer(key.token(claims(), "RS256")).valid());
  TestKey next = TestKey::rsa("k2");
  provider.answers["GET " + kIssuer + "/jwks"] = {200, json::serialize(testing::jwks({&key, &next}))};
  now += 31;
  EXPECT_TRUE(client.check_bearer(next.token(claims(), "RS256")).valid());
  EXPECT_EQ(provider.count("GET " + kIssuer + "/jwks"), 2);
  for (int i = 0; i < 20; ++i) {
    TestKey made_up = TestKey::ec("zz" + std::to_string(i));
    EXPECT_FALSE(client.check_bearer(made_up.token(claims(), "ES256")).valid());
  }
  EXPECT_EQ(provider.count("GET " + kIssuer + "/jwks"), 2);  // within 30 s of the last fetch
  now += 31;
  EXPECT_FALSE(client.check_bearer(TestKey::ec("zz-late").token(claims(), "ES256")).valid());
  EXPECT_EQ(provider.count("GET " + kIssuer + "/jwks"), 3);
}

TEST_F(ProviderClientTest, ADiscoveryDocumentOfAnotherIssuerIsRefused) {
  provider.answers["GET " + kIssuer + "/.well-known/openid-configuration"] = {200,
                                                                              json::serialize(discovery("https://evil.example.org"))};
  std::string error;
  EXPECT_FALSE(client.metadata(error));
  EXPECT_NE(error.find("evil.example.org"), std::string::npos) << error;
  EXPECT_FALSE(client.check_bearer(key.token(claims(), "RS256")).valid());
}

TEST_F(ProviderClientTest, PlainHttpEndpointsAreRefusedExceptOnLoopback) {
  EXPECT_TRUE(acceptable_endpoint("https://id.example.org/auth"));
  EXPECT_TRUE(acceptable_endpoint("http://127.0.0.1:4000/auth"));
  EXPECT_TRUE(acceptable_endpoint("http://localhost/auth"));
  EXPECT_TRUE(acceptable_endpoint("http://[::1]:8080/x"));
  EXPECT_FALSE(acceptable_endpoint("http://id.example.org/auth"));
  EXPECT_FALSE(acceptable_endpoint("http://127.0.0.1@evil.example.org/auth"));
  EXPECT_FALSE(acceptable_endpoint("http://localhost.evil.example.org/auth"));
  EXPECT_FALSE(acceptable_endpoint("ftp://id.example.org/"));
  EXPECT_FALSE(acceptable_endpoint("https://"));
  json::object doc = discovery();
  doc["token_endpoint"] = "http://id.example.org/token";
  provider.answers["GET " + kIssuer + "/.well-known/openid-configuration"] = {200, json::serialize(doc)};
  std::string error;
  EXPECT_FALSE(client.metadata(error));
  EXPECT_NE(error.find("https"), std::string::npos) << error;
}

TEST_F(ProviderClientTest, AProviderThatIsDownIsSaidSoAndNotAskedAgainAtOnce) {
  provider.down = true;
  std::string error;
  EXPECT_FALSE(client.authorization_url("s", "n", "c", error));
  EXPECT_NE(error.find("did not answer"), std::string::npos) << error;
  EXPECT_NE(error.find("Connection refused"), std::string::npos) << error;
  error.clear();
  EXPECT_FALSE(client.authorization_url("s", "n", "c", error));
  EXPECT_NE(error.find("a moment ago"), std::string::npos) << error;
  EXPECT_EQ(provider.requests.size(), 1u);
  provider.down = false;
  now += 31;
  error.clear();
  auto url = client.authorization_url("st", "no", "ch", error);
  ASSERT_TRUE(url) << error;
  EXPECT_EQ(*url, kIssuer +
                      "/auth?response_type=code&client_id=openem&redirect_uri=https%3A%2F%2Fdata.example.org%2Fapi%2Fv3%"
                      "2Fauth%2Foidc%2Fcallback&scope=openid%20profile%20email&state=st&nonce=no&code_challenge=ch&code_"
                      "challenge_method=S256");
}

TEST_F(ProviderClientTest, ACodeIsRedeemedWithTheVerifierAndTheIdTokenChecked) {
  std::string id_token = key.token(claims({{"nonce", "n-1"}, {"email", "u@example.org"}}), "RS256");
  provider.answers["POST " + kIssuer + "/token"] = {
      200, json::serialize(json::object{{"access_token", "at-1"}, {"id_token", id_token}, {"token_type", "Bearer"}})};
  std::string error;
  auto redeemed = client.redeem("code/1", "verifier-1", "n-1", error);
  ASSERT_TRUE(redeemed) << error;
  EXPECT_EQ(redeemed->access_token, "at-1");
  EXPECT_EQ(redeemed->id_claims.at("email"), "u@example.org");
  auto post = std::find(provider.requests.begin(), provider.requests.end(), "POST " + kIssuer + "/token");
  ASSERT_NE(post, provider.requests.end());
  EXPECT_EQ(provider.bodies[post - provider.requests.begin()],
            "grant_type=authorization_code&code=code%2F1&redirect_uri=https%3A%2F%2Fdata.example.org%2Fapi%2Fv3%2Fauth%"
            "2Foidc%2Fcallback&code_verifier=verifier-1");
  // client_secret_basic with both parts form-encoded (RFC 6749 §2.3.1): "openem:s3cret%3A%2B".
  EXPECT_NE(std::find(provider.headers.begin(), provider.headers.end(), "Authorization: Basic b3BlbmVtOnMzY3JldCUzQSUyQg=="),
            provider.headers.end());
  // Another sign-in's nonce: refused.
  EXPECT_FALSE(client.redeem("code/1", "verifier-1", "n-2", error));
  EXPECT_NE(error.find("nonce"), std::string::npos) << error;
  // The provider refusing the code.
  provider.answers["POST " + kIssuer + "/token"] = {400, R"({"error":"invalid_grant"})"};
  error.clear();
  EXPECT_FALSE(client.redeem("code/1", "verifier-1", "n-1", error));
  EXPECT_NE(error.find("invalid_grant"), std::string::npos) << error;
}

TEST_F(ProviderClientTest, UserinfoMustBeAboutTheSignedInSubject) {
  provider.answers["GET " + kIssuer + "/me"] = {200, R"({"sub":"u-1","groups":["g1"]})"};
  std::string error;
  auto info = client.userinfo("at-1", "u-1", error);
  ASSERT_TRUE(info) << error;
  EXPECT_EQ(info->at("groups").as_array().size(), 1u);
  EXPECT_FALSE(client.userinfo("at-1", "u-2", error));
  EXPECT_NE(error.find("another subject"), std::string::npos);
}

TEST(PendingSignInsTest, ASealedSignInIsTakenOnceAndNotAfterItsLifetime) {
  double now = 1000;
  PendingSignIns pending("deployment secret", 3, 600, [&] { return now; });
  auto [a, sealed] = pending.start("/auth-callback", "/datasets");
  EXPECT_EQ(a.state.size(), 43u);
  EXPECT_NE(a.state, a.nonce);
  EXPECT_NE(a.nonce, a.code_verifier);
  // Nothing of it readable in the cookie.
  for (const std::string& secret : {a.state, a.nonce, a.code_verifier, std::string("/auth-callback")})
    EXPECT_EQ(sealed.find(secret), std::string::npos);
  PendingSignIns::Refusal why{};
  auto taken = pending.take(a.state, sealed, &why);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->success_url, "/auth-callback");
  EXPECT_EQ(taken->return_url, "/datasets");
  EXPECT_EQ(taken->nonce, a.nonce);
  EXPECT_EQ(taken->code_verifier, a.code_verifier);
  EXPECT_FALSE(pending.take(a.state, sealed, &why));  // a replayed callback
  EXPECT_EQ(why, PendingSignIns::Refusal::kSpentOrExpired);
  auto b = pending.start("/x", "/y");
  now += 601;
  EXPECT_FALSE(pending.take(b.sign_in.state, b.sealed, &why));
  EXPECT_EQ(why, PendingSignIns::Refusal::kSpentOrExpired);
  EXPECT_EQ(pending.remembered(), 0u);  // forgotten with their lifetime
}

TEST(PendingSignInsTest, AnotherProcessOfTheDeploymentOpensTheSeal) {
  PendingSignIns started_here("deployment secret");
  PendingSignIns called_back_there("deployment secret");
  PendingSignIns other_deployment("another secret");
  auto [a, sealed] = started_here.start("/auth-callback", "/");
  PendingSignIns::Refusal why{};
  EXPECT_FALSE(other_deployment.take(a.state, sealed, &why));
  EXPECT_EQ(why, PendingSignIns::Refusal::kNotThisBrowser);
  auto taken = called_back_there.take(a.state, sealed, &why);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->code_verifier, a.code_verifier);
}

TEST(PendingSignInsTest, ASealOfAnotherStateOrDamagedIsNotThisBrowsers) {
  PendingSignIns pending("deployment secret");
  auto a = pending.start("/", "/");
  auto b = pending.start("/", "/");
  PendingSignIns::Refusal why{};
  EXPECT_FALSE(pending.take(a.sign_in.state, b.sealed, &why));  // login CSRF: the attacker's callback, the victim's cookie
  EXPECT_EQ(why, PendingSignIns::Refusal::kNotThisBrowser);
  std::string damaged = a.sealed;
  damaged[damaged.size() / 2] = damaged[damaged.size() / 2] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(pending.take(a.sign_in.state, damaged, &why));
  EXPECT_EQ(why, PendingSignIns::Refusal::kNotThisBrowser);
  for (const std::string& junk : {std::string(), std::string("x"), a.sign_in.state, std::string(20000, 'A'), std::string("%%%")})
    EXPECT_FALSE(pending.take(a.sign_in.state, junk, &why)) << junk.substr(0, 20);
  EXPECT_TRUE(pending.take(a.sign_in.state, a.sealed, &why));  // the right one still works
}

TEST(PendingSignInsTest, TakenStatesKeptAgainstReplaysAreBounded) {
  double now = 1000;
  PendingSignIns pending("s", 3, 600, [&] { return now; });
  PendingSignIns::Refusal why{};
  for (int i = 0; i < 5; ++i, now += 1) {
    auto s = pending.start("/", "/");
    ASSERT_TRUE(pending.take(s.sign_in.state, s.sealed, &why));
  }
  EXPECT_LE(pending.remembered(), 3u);
}

TEST(PendingSignInsTest, ThePkceChallengeIsRfc7636s) {
  // RFC 7636 Appendix B.
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace openem::identity
