// Resumption tokens: a round trip keeps every field; any change to a token — a flipped bit
// anywhere, a cut, a token signed with another key, of another verb, or expired — is refused.
#include "publish/oai/resumption_token.h"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <random>

#include "core/jwt.h"

namespace openem::oai {
namespace {

ListPosition sample() {
  ListPosition p;
  p.verb = "ListRecords";
  p.metadata_prefix = "oai_dc";
  p.set = "group:em~20facility";
  p.from = "2026-01-01";
  p.until = "2026-12-31";
  p.before = "2027-01-01T00:00:00.000Z";
  p.after_datestamp = "2026-06-01T10:00:00.123Z";
  p.after_id = "20.500.12613/abc\"def";
  p.cursor = 1500;
  p.complete_list_size = 123456;
  p.expires = 2'000'000'000'000;
  p.after_kind = ItemKind::PublishedData;
  return p;
}

TEST(OaiResumptionToken, RoundTrip) {
  const std::string key = token_key("secret");
  const std::string token = encode_token(sample(), key);
  // Tokens travel in URLs and XML: base64url and one dot only.
  EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."),
            std::string::npos);
  auto r = decode_token(token, key, "ListRecords", 1'000'000'000'000);
  ASSERT_TRUE(r.position) << r.error;
  const ListPosition& p = *r.position;
  const ListPosition s = sample();
  EXPECT_EQ(std::tie(p.verb, p.metadata_prefix, p.set, p.from, p.until, p.before, p.after_datestamp, p.after_id),
            std::tie(s.verb, s.metadata_prefix, s.set, s.from, s.until, s.before, s.after_datestamp, s.after_id));
  EXPECT_EQ(std::tie(p.cursor, p.complete_list_size, p.expires), std::tie(s.cursor, s.complete_list_size, s.expires));
  EXPECT_EQ(p.after_kind, ItemKind::PublishedData);
}

// A token handed out before published-data records joined the lists (format 1, no kind)
// continues its list of datasets.
TEST(OaiResumptionToken, FormatOneTokensContinueAsDatasets) {
  const std::string key = token_key("secret");
  const std::string payload = base64url_encode(
      R"([1,"ListRecords","oai_dc","","","","2027-01-01T00:00:00.000Z","2026-06-01T10:00:00.123Z","pid/1",500,900,2000000000000])");
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(payload.data()),
       payload.size(), mac, &len);
  const std::string token = payload + "." + base64url_encode(std::string(reinterpret_cast<const char*>(mac), len));
  auto r = decode_token(token, key, "ListRecords", 1'000'000'000'000);
  ASSERT_TRUE(r.position) << r.error;
  EXPECT_EQ(r.position->after_id, "pid/1");
  EXPECT_EQ(r.position->after_kind, ItemKind::Dataset);
  EXPECT_EQ(r.position->cursor, 500);
}

TEST(OaiResumptionToken, RefusedWhenExpiredOfAnotherVerbOrKey) {
  const std::string key = token_key("secret");
  const std::string token = encode_token(sample(), key);
  EXPECT_FALSE(decode_token(token, key, "ListRecords", sample().expires).position);
  EXPECT_EQ(decode_token(token, key, "ListRecords", sample().expires).error, "The resumptionToken has expired");
  EXPECT_FALSE(decode_token(token, key, "ListIdentifiers", 0).position);
  EXPECT_FALSE(decode_token(token, token_key("other secret"), "ListRecords", 0).position);
  EXPECT_NE(token_key("secret"), "secret");
}

TEST(OaiResumptionToken, EveryTamperingIsRefused) {
  const std::string key = token_key("secret");
  const std::string token = encode_token(sample(), key);
  std::mt19937 rng(42);
  // Every single-character change at every position.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %\n";
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string t = token;
    char c;
    do c = alphabet[rng() % alphabet.size()];
    while (c == token[i]);
    t[i] = c;
    EXPECT_FALSE(decode_token(t, key, "ListRecords", 0).position) << "position " << i;
  }
  // Cuts, extensions, and random garbage of every length.
  for (std::size_t n = 0; n < token.size(); ++n)
    EXPECT_FALSE(decode_token(token.substr(0, n), key, "ListRecords", 0).position) << n;
  EXPECT_FALSE(decode_token(token + "A", key, "ListRecords", 0).position);
  EXPECT_FALSE(decode_token(token + "." + token, key, "ListRecords", 0).position);
  for (int k = 0; k < 2000; ++k) {
    std::string t(rng() % 300, ' ');
    for (char& c : t) c = static_cast<char>(rng() % 256);
    EXPECT_FALSE(decode_token(t, key, "ListRecords", 0).position);
  }
  // A well-signed payload of the wrong shape (a forged key could make one) is refused too:
  // decoding never trusts the structure.
  EXPECT_FALSE(decode_token(std::string(5000, 'A'), key, "ListRecords", 0).position);
}

}  // namespace
}  // namespace openem::oai
