// Provider JWTs: every accepted algorithm verifies, and every forgery a client can attempt
// (alg none, HS256 keyed with the public key, another key, a changed payload, a key of the
// wrong kind) is refused, as are tokens for another issuer, audience, time or sign-in.
#include "identity/provider_jwt.h"

#include <gtest/gtest.h>

#include "identity/test_keys.h"

namespace openem::identity {
namespace {
namespace json = boost::json;
using testing::TestKey;

constexpr double kNow = 1'800'000'000;

json::object claims(json::object extra = {}) {
  json::object c{{"iss", "https://id.example.org"}, {"sub", "alice-1"}, {"aud", "openem"},
                 {"iat", kNow - 10},               {"exp", kNow + 300}};
  for (auto& [k, v] : extra) c[k] = v;
  return c;
}

JwtExpectations access() { return {"https://id.example.org", {"openem"}, "openem", std::nullopt, kNow, 60}; }
JwtExpectations id_token(std::string nonce) {
  return {"https://id.example.org", {"openem"}, "openem", std::move(nonce), kNow, 60};
}

class ProviderJwtTest : public ::testing::Test {
 protected:
  TestKey rsa = TestKey::rsa("r1");
  TestKey ec = TestKey::ec("e1");
  TestKey ed = TestKey::ed25519("d1");
  JwkSet keys = JwkSet::parse(testing::jwks({&rsa, &ec, &ed}));
};

TEST_F(ProviderJwtTest, EveryAcceptedAlgorithmVerifies) {
  ASSERT_EQ(keys.size(), 3u);
  for (const char* alg : {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}) {
    JwtCheck c = check_provider_jwt(rsa.token(claims(), alg), keys, access());
    EXPECT_TRUE(c.valid()) << alg << ": " << c.error;
    EXPECT_EQ(c.claims.at("sub"), "alice-1");
    EXPECT_EQ(c.expires, kNow + 300);
  }
  EXPECT_TRUE(check_provider_jwt(ec.token(claims(), "ES256"), keys, access()).valid());
  EXPECT_TRUE(check_provider_jwt(ed.token(claims(), "EdDSA"), keys, access()).valid());
  TestKey p384 = TestKey::ec("e384", "P-384"), p521 = TestKey::ec("e521", "P-521");
  JwkSet curves = JwkSet::parse(testing::jwks({&p384, &p521}));
  EXPECT_TRUE(check_provider_jwt(p384.token(claims(), "ES384"), curves, access()).valid());
  EXPECT_TRUE(check_provider_jwt(p521.token(claims(), "ES512"), curves, access()).valid());
  // Without a kid every key that fits the algorithm is tried.
  EXPECT_TRUE(check_provider_jwt(rsa.token(claims(), "RS256", false), keys, access()).valid());
}

TEST_F(ProviderJwtTest, AlgorithmNoneAndHmacWithThePublicKeyAreRefused) {
  std::string payload = base64url_encode(json::serialize(claims()));
  std::string none = base64url_encode(R"({"alg":"none","kid":"r1"})") + "." + payload + ".";
  EXPECT_FALSE(check_provider_jwt(none, keys, access()).valid());
  // The classic confusion: HS256 keyed with the provider's public key (known to everyone).
  std::string n = rsa.jwk().at("n").as_string().c_str();
  std::string hs = jwt_sign(claims(), n, 300);
  JwtCheck c = check_provider_jwt(hs, keys, access());
  EXPECT_FALSE(c.valid());
  EXPECT_NE(c.error.find("HS256"), std::string::npos) << c.error;
  EXPECT_EQ(jws_algorithm(hs), "HS256");
}

TEST_F(ProviderJwtTest, ForgedTokensAreRefused) {
  TestKey stranger = TestKey::rsa("r1");  // same key id, another key
  EXPECT_FALSE(check_provider_jwt(stranger.token(claims(), "RS256"), keys, access()).valid());
  std::string good = rsa.token(claims(), "RS256");
  // The payload swapped for another user's, the signature kept.
  auto dot1 = good.find('.'), dot2 = good.rfind('.');
  std::string swapped = good.substr(0, dot1 + 1) + base64url_encode(json::serialize(claims({{"sub", "admin"}}))) +
                        good.substr(dot2);
  EXPECT_FALSE(check_provider_jwt(swapped, keys, access()).valid());
  // One flipped signature character.
  std::string flipped = good;
  flipped[flipped.size() - 5] = flipped[flipped.size() - 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(check_provider_jwt(flipped, keys, access()).valid());
  // An EC key named for an RSA algorithm, an RSA key for ES256.
  TestKey ec_as_r1 = TestKey::ec("r1");
  EXPECT_FALSE(check_provider_jwt(ec_as_r1.token(claims(), "ES256"), keys, access()).valid());
  // Garbage of every shape.
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "a.b.c", "a.b.c.d", good + ".", "x" + good})
    EXPECT_FALSE(check_provider_jwt(bad, keys, access()).valid()) << bad;
  // Critical header parameters are not understood, so refused.
  std::string crit_input = base64url_encode(R"({"alg":"RS256","kid":"r1","crit":["exp"]})") + "." +
                           base64url_encode(json::serialize(claims()));
  EXPECT_FALSE(check_provider_jwt(crit_input + "." + base64url_encode(rsa.sign("RS256", crit_input)), keys, access()).valid());
}

TEST_F(ProviderJwtTest, AnUnknownKeyIdAsksForTheKeysAgain) {
  TestKey rotated = TestKey::rsa("r2");
  JwtCheck c = check_provider_jwt(rotated.token(claims(), "RS256"), keys, access());
  EXPECT_EQ(c.outcome, JwtCheck::Outcome::UnknownKey);
  JwkSet after = JwkSet::parse(testing::jwks({&rsa, &rotated}));
  EXPECT_TRUE(check_provider_jwt(rotated.token(claims(), "RS256"), after, access()).valid());
}

TEST_F(ProviderJwtTest, ClaimsMustBeForThisServiceNowAndThisSignIn) {
  auto refused = [&](const json::object& c, const JwtExpectations& e) {
    return check_provider_jwt(rsa.token(c, "RS256"), keys, e).error;
  };
  EXPECT_NE(refused(claims({{"iss", "https://evil.example.org"}}), access()), "");
  EXPECT_NE(refused(claims({{"aud", "another-service"}}), access()), "");
  EXPECT_NE(refused(claims({{"aud", json::array{"x", "y"}}}), access()), "");
  EXPECT_EQ(refused(claims({{"aud", json::array{"x", "openem"}}}), access()), "");
  EXPECT_NE(refused(claims({{"exp", kNow - 61}}), access()), "");
  EXPECT_EQ(refused(claims({{"exp", kNow - 30}}), access()), "");  // within the clock leeway
  EXPECT_NE(refused(claims({{"exp", "tomorrow"}}), access()), "");
  json::object no_exp = claims();
  no_exp.erase("exp");
  EXPECT_NE(refused(no_exp, access()), "");
  EXPECT_NE(refused(claims({{"nbf", kNow + 120}}), access()), "");
  EXPECT_NE(refused(claims({{"iat", kNow + 120}}), access()), "");
  EXPECT_NE(refused(claims({{"sub", ""}}), access()), "");
  // ID tokens: the sign-in's nonce, and the authorized party when there are several audiences.
  EXPECT_EQ(refused(claims({{"nonce", "n-1"}}), id_token("n-1")), "");
  EXPECT_NE(refused(claims({{"nonce", "n-2"}}), id_token("n-1")), "");
  EXPECT_NE(refused(claims(), id_token("n-1")), "");
  EXPECT_NE(refused(claims({{"nonce", "n-1"}, {"aud", json::array{"openem", "other"}}}), id_token("n-1")), "");
  EXPECT_EQ(refused(claims({{"nonce", "n-1"}, {"aud", json::array{"openem", "other"}}, {"azp", "openem"}}), id_token("n-1")),
            "");
  EXPECT_NE(refused(claims({{"nonce", "n-1"}, {"azp", "other"}}), id_token("n-1")), "");
}

TEST(JwkSetTest, KeysThatCannotSignAreLeftOutWithAReason) {
  TestKey weak = TestKey::rsa("weak", 1024), good = TestKey::rsa("good");
  json::object enc = good.jwk();
  enc["use"] = "enc";
  enc["kid"] = "enc";
  json::object off_curve = TestKey::ec("off").jwk();
  off_curve["y"] = base64url_encode(std::string(32, '\x01'));
  json::object symmetric{{"kty", "oct"}, {"kid", "hmac"}, {"k", "c2VjcmV0"}};
  json::object hs_alg = good.jwk();
  hs_alg["alg"] = "HS256";
  hs_alg["kid"] = "hs";
  std::vector<std::string> skipped;
  JwkSet set = JwkSet::parse(json::object{{"keys", json::array{weak.jwk(), good.jwk(), enc, off_curve, symmetric, hs_alg, 42}}},
                             &skipped);
  EXPECT_EQ(set.size(), 1u);
  EXPECT_TRUE(set.has_key("good"));
  ASSERT_EQ(skipped.size(), 5u);
  EXPECT_NE(skipped[0].find("2048"), std::string::npos) << skipped[0];
  EXPECT_NE(skipped[1].find("use enc"), std::string::npos) << skipped[1];
  EXPECT_NE(skipped[2].find("P-256"), std::string::npos) << skipped[2];
  EXPECT_NE(skipped[3].find("oct"), std::string::npos) << skipped[3];
  EXPECT_NE(skipped[4].find("HS256"), std::string::npos) << skipped[4];
  EXPECT_EQ(JwkSet::parse(json::value("no keys")).size(), 0u);
  EXPECT_EQ(JwkSet::parse(json::object{{"keys", "x"}}).size(), 0u);
}

}  // namespace
}  // namespace openem::identity
