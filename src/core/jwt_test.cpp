#include "core/jwt.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <ctime>
#include <thread>

namespace openem {
namespace {

namespace json = boost::json;

constexpr std::string_view kSecret = "test-secret-please-change";

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Builds a token from raw header/payload JSON text, signed with HMAC-SHA-256 computed here
// independently of jwt.cpp (to forge tokens the server would have to reject).
std::string make_token(std::string_view header, std::string_view payload,
                       std::string_view secret) {
  std::string input = base64url_encode(header) + "." + base64url_encode(payload);
  unsigned char mac[32];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + base64url_encode(std::string_view(reinterpret_cast<char*>(mac), len));
}

constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

TEST(JwtTest, JwtIoExampleVerifies) {
  // The HS256 example token of jwt.io (no exp).
  const std::string token =
      "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
      "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
      "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
  auto payload = jwt_verify(token, "your-256-bit-secret");
  ASSERT_TRUE(payload);
  EXPECT_EQ(*payload, json::parse(R"({"sub":"1234567890","name":"John Doe","iat":1516239022})"));
  EXPECT_FALSE(jwt_verify(token, "your-256-bit-secreT"));
  EXPECT_EQ(make_token(R"({"alg":"HS256","typ":"JWT"})",
                       R"({"sub":"1234567890","name":"John Doe","iat":1516239022})",
                       "your-256-bit-secret"),
            token);
}

TEST(JwtTest, RoundTrip) {
  json::object user{{"_id", "u1"},
                    {"username", "ingestor"},
                    {"email", "ingestor@example.org"},
                    {"authStrategy", "local"}};
  const auto before = now();
  std::string token = jwt_sign(user, kSecret, 3600);
  const auto after = now();
  // Same header segment as jwt.io's: {"alg":"HS256","typ":"JWT"}.
  EXPECT_EQ(token.substr(0, token.find('.')), "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9");
  EXPECT_EQ(token.find('='), std::string::npos);
  auto payload = jwt_verify(token, kSecret);
  ASSERT_TRUE(payload);
  EXPECT_EQ(payload->at("username"), "ingestor");
  EXPECT_EQ(payload->at("_id"), "u1");
  const auto iat = payload->at("iat").as_int64();
  EXPECT_GE(iat, before);
  EXPECT_LE(iat, after);
  EXPECT_EQ(payload->at("exp").as_int64(), iat + 3600);
  EXPECT_EQ(payload->size(), 6u);
  EXPECT_FALSE(jwt_verify(token, "another-secret"));
}

TEST(JwtTest, TtlZeroMeansNoExp) {
  auto payload = jwt_verify(jwt_sign({{"sub", "x"}}, kSecret, 0), kSecret);
  ASSERT_TRUE(payload);
  EXPECT_FALSE(payload->contains("exp"));
  EXPECT_TRUE(payload->contains("iat"));
}

// An ended session is told apart from a forged or broken token: only a token this secret
// signed, whose exp has passed, counts as expired.
TEST(JwtTest, ExpiredTellsAnEndedSessionFromAForgedToken) {
  const auto t = now();
  const std::string ended = make_token(kHs256Header, R"({"sub":"x","exp":)" + std::to_string(t - 10) + "}", kSecret);
  EXPECT_TRUE(jwt_expired(ended, kSecret));
  EXPECT_FALSE(jwt_expired(ended, "another secret"));
  EXPECT_FALSE(jwt_expired(ended + "A", kSecret));
  EXPECT_FALSE(jwt_expired(make_token(kHs256Header, R"({"sub":"x","exp":)" + std::to_string(t + 60) + "}", kSecret), kSecret));
  EXPECT_FALSE(jwt_expired(make_token(kHs256Header, R"({"sub":"x"})", kSecret), kSecret));
  EXPECT_FALSE(jwt_expired("not a token", kSecret));
  EXPECT_TRUE(JwtVerifyCache(std::string(kSecret), "sub").expired(ended));
}

TEST(JwtTest, Expired) {
  EXPECT_FALSE(jwt_verify(jwt_sign({{"sub", "x"}}, kSecret, -1), kSecret));
  const auto t = now();
  auto exp_token = [&](std::string exp) {
    return make_token(kHs256Header, R"({"sub":"x","exp":)" + exp + "}", kSecret);
  };
  EXPECT_FALSE(jwt_verify(exp_token(std::to_string(t - 10)), kSecret));
  EXPECT_FALSE(jwt_verify(exp_token(std::to_string(t)), kSecret));  // exp is exclusive
  EXPECT_TRUE(jwt_verify(exp_token(std::to_string(t + 60)), kSecret));
  EXPECT_TRUE(jwt_verify(exp_token(std::to_string(t + 60) + ".5"), kSecret));
  EXPECT_FALSE(jwt_verify(exp_token("\"2999999999\""), kSecret));  // must be a number
  EXPECT_FALSE(jwt_verify(exp_token("null"), kSecret));
  // nbf
  EXPECT_FALSE(jwt_verify(
      make_token(kHs256Header, R"({"nbf":)" + std::to_string(t + 60) + "}", kSecret), kSecret));
  EXPECT_TRUE(jwt_verify(
      make_token(kHs256Header, R"({"nbf":)" + std::to_string(t - 60) + "}", kSecret), kSecret));
}

TEST(JwtTest, TamperedPayloadOrSignature) {
  std::string token = jwt_sign({{"username", "alice"}, {"admin", false}}, kSecret, 3600);
  const size_t dot1 = token.find('.'), dot2 = token.rfind('.');
  // Payload swapped for one claiming admin, original signature kept.
  auto claims = *jwt_verify(token, kSecret);
  claims["admin"] = true;
  std::string forged = token.substr(0, dot1 + 1) + base64url_encode(json::serialize(claims)) +
                       token.substr(dot2);
  EXPECT_FALSE(jwt_verify(forged, kSecret));
  // Every single-character change of the signature.
  for (size_t i = dot2 + 1; i < token.size(); ++i) {
    std::string t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(jwt_verify(t, kSecret)) << i;
  }
  EXPECT_FALSE(jwt_verify(token.substr(0, dot2 + 1), kSecret));    // no signature
  EXPECT_FALSE(jwt_verify(token.substr(0, token.size() - 1), kSecret));
  EXPECT_FALSE(jwt_verify(token + "A", kSecret));
  EXPECT_TRUE(jwt_verify(token, kSecret));
}

TEST(JwtTest, HeaderMustSayHs256) {
  const std::string payload = R"({"sub":"x"})";
  // alg none, unsigned: the classic downgrade.
  EXPECT_FALSE(jwt_verify(base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                              base64url_encode(payload) + ".",
                          kSecret));
  // Even correctly HMAC-signed, another alg (or none, or a missing one) is refused.
  for (std::string_view header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS512","typ":"JWT"})",
        R"({"alg":"hs256","typ":"JWT"})", R"({"alg":"RS256"})", R"({"typ":"JWT"})",
        R"({"alg":["HS256"]})", R"({"alg":"HS256","crit":["exp"]})", R"(["HS256"])", "HS256"}) {
    EXPECT_FALSE(jwt_verify(make_token(header, payload, kSecret), kSecret)) << header;
  }
  EXPECT_TRUE(jwt_verify(make_token(R"({"alg":"HS256"})", payload, kSecret), kSecret));
}

TEST(JwtTest, GarbageIsRejected) {
  for (std::string_view token :
       {"", ".", "..", "...", "a", "a.b", "a.b.c", "a.b.c.d", "eyJ.eyJ.eyJ", "\xff.\xfe.\xfd",
        "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.xx"}) {
    EXPECT_FALSE(jwt_verify(token, kSecret)) << token;
  }
  // Correctly signed but the payload is not a JSON object.
  for (std::string_view payload : {"[1,2]", "42", "\"x\"", "{", "", "null"}) {
    EXPECT_FALSE(jwt_verify(make_token(kHs256Header, payload, kSecret), kSecret)) << payload;
  }
  // Correctly signed but the segments are not base64url.
  std::string padded = base64url_encode(kHs256Header) + "=." + base64url_encode("{}");
  EXPECT_FALSE(jwt_verify(padded, kSecret));
  // Oversized.
  std::string big = make_token(kHs256Header, R"({"x":")" + std::string(kMaxJwtLength, 'a') + "\"}",
                               kSecret);
  EXPECT_FALSE(jwt_verify(big, kSecret));
  // No secret, no tokens.
  EXPECT_FALSE(jwt_verify(make_token(kHs256Header, "{}", ""), ""));
  EXPECT_THROW(jwt_sign({}, "", 60), std::invalid_argument);
}

TEST(JwtTest, Base64Url) {
  EXPECT_EQ(base64url_encode(""), "");
  EXPECT_EQ(base64url_encode("f"), "Zg");
  EXPECT_EQ(base64url_encode("fo"), "Zm8");
  EXPECT_EQ(base64url_encode("foo"), "Zm9v");
  EXPECT_EQ(base64url_encode("foob"), "Zm9vYg");
  EXPECT_EQ(base64url_encode("\xfb\xff\xbf"), "-_-_");
  EXPECT_EQ(base64url_decode("Zm9vYg"), "foob");
  EXPECT_EQ(base64url_decode("-_-_"), "\xfb\xff\xbf");
  EXPECT_EQ(base64url_decode(""), "");
  EXPECT_FALSE(base64url_decode("Zm9vYg=="));  // padding
  EXPECT_FALSE(base64url_decode("Zm9v+/"));    // standard alphabet
  EXPECT_FALSE(base64url_decode("Zm9vY"));     // impossible length
  EXPECT_FALSE(base64url_decode("Zh"));        // non-zero unused bits ("Zg" is canonical)
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(base64url_decode(base64url_encode(all)), all);
}

TEST(JwtVerifyCache, AnswersAsJwtVerifyDoesAndRemembersTheWindow) {
  const std::string secret = "cache-secret";
  JwtVerifyCache cache(secret, "_id", 2);
  std::string alice = jwt_sign({{"_id", "u-alice"}}, secret, 3600);
  EXPECT_EQ(cache.verify(alice), "u-alice");
  EXPECT_EQ(cache.verify(alice), "u-alice");  // from the cache
  EXPECT_FALSE(cache.verify(jwt_sign({{"_id", "u-alice"}}, "other-secret", 3600)));
  EXPECT_FALSE(cache.verify(alice + "x"));
  EXPECT_FALSE(cache.verify(jwt_sign({{"_id", 42}}, secret, 3600)));   // not a string
  EXPECT_FALSE(cache.verify(jwt_sign({{"sub", "x"}}, secret, 3600)));  // no such claim
  std::string expired = jwt_sign({{"_id", "u-bob"}}, secret, -1);
  EXPECT_FALSE(cache.verify(expired));
  // A token that is valid now but not later: its exp is remembered, and checked on each hit.
  std::string soon = jwt_sign({{"_id", "u-carol"}, {"exp", static_cast<std::int64_t>(std::time(nullptr)) + 1}}, secret, 0);
  EXPECT_EQ(cache.verify(soon), "u-carol");
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_FALSE(cache.verify(soon));
  std::string later = jwt_sign({{"_id", "u-dan"}, {"nbf", static_cast<std::int64_t>(std::time(nullptr)) + 100}}, secret, 0);
  EXPECT_FALSE(cache.verify(later));
  // Past its capacity the cache starts over and still answers.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(cache.verify(jwt_sign({{"_id", "u" + std::to_string(i)}}, secret, 60)), "u" + std::to_string(i));
  EXPECT_EQ(cache.verify(alice), "u-alice");
  // A long token is verified every time instead of being kept.
  std::string long_token = jwt_sign({{"_id", "u-long"}, {"pad", std::string(JwtVerifyCache::kMaxCachedLength, 'x')}}, secret, 60);
  EXPECT_EQ(cache.verify(long_token), "u-long");
  EXPECT_EQ(cache.verify(long_token), "u-long");
  EXPECT_FALSE(cache.verify(long_token.substr(0, long_token.size() - 2) + "AA"));
}

TEST(JwtVerifyCache, ReportsTheClaimsRevocationNeeds) {
  const std::string secret = "s3cret";
  JwtVerifyCache cache(secret, "_id");
  std::string token = jwt_sign({{"_id", "u1"}, {"jti", "abc"}, {"gen", 3}}, secret, 60);
  for (int pass = 0; pass < 2; ++pass) {  // verified, then from the cache
    auto v = cache.verify_token(token);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->subject, "u1");
    EXPECT_EQ(v->jti, "abc");
    EXPECT_EQ(v->generation, 3);
    EXPECT_GT(v->expires, static_cast<double>(std::time(nullptr)));
  }
  auto plain = cache.verify_token(jwt_sign({{"_id", "u2"}}, secret, 0));
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->jti, "");
  EXPECT_EQ(plain->generation, 0);
  EXPECT_EQ(plain->expires, std::numeric_limits<double>::infinity());
}

}  // namespace
}  // namespace openem
