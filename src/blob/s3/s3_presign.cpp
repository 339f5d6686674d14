#include "blob/s3/s3_presign.h"

#include <algorithm>

#include "blob/hasher.h"
#include "blob/s3/s3_client.h"
#include "core/hmac.h"

namespace openem {
namespace {

// "20130524T000000Z" and "20130524".
std::pair<std::string, std::string> amz_date(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return {stamp, std::string(stamp, 8)};
}

}  // namespace

std::string sigv4_presigned_url(const SigV4Presign& p) {
  const auto [stamp, day] = amz_date(p.now);
  const std::string scope = day + "/" + p.region + "/s3/aws4_request";
  std::vector<std::pair<std::string, std::string>> query = p.query;
  query.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  query.emplace_back("X-Amz-Credential", p.access_key_id + "/" + scope);
  query.emplace_back("X-Amz-Date", stamp);
  query.emplace_back("X-Amz-Expires", std::to_string(p.expires_seconds));
  query.emplace_back("X-Amz-SignedHeaders", "host");
  if (!p.session_token.empty()) query.emplace_back("X-Amz-Security-Token", p.session_token);
  // Canonical query: names and values encoded, sorted by the encoded name (then value).
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [name, value] : query) encoded.emplace_back(s3_uri_encode(name, false), s3_uri_encode(value, false));
  std::sort(encoded.begin(), encoded.end());
  std::string canonical_query;
  for (const auto& [name, value] : encoded) canonical_query += (canonical_query.empty() ? "" : "&") + name + "=" + value;

  // The host header as the client will send it: the authority of the URL (with its port).
  std::string host = p.scheme_and_host.substr(p.scheme_and_host.find("://") + 3);
  const std::string canonical_request = p.method + "\n" + p.path + "\n" + canonical_query + "\nhost:" + host +
                                        "\n\nhost\nUNSIGNED-PAYLOAD";
  const std::string string_to_sign = "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" +
                                     Hasher::hex(Hasher::digest("sha256", canonical_request));
  std::string key = hmac_sha256("AWS4" + p.secret_access_key, day);
  key = hmac_sha256(key, p.region);
  key = hmac_sha256(key, "s3");
  key = hmac_sha256(key, "aws4_request");
  const std::string signature = Hasher::hex(hmac_sha256(key, string_to_sign));
  return p.scheme_and_host + p.path + "?" + canonical_query + "&X-Amz-Signature=" + signature;
}

}  // namespace openem
