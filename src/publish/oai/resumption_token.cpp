#include "publish/oai/resumption_token.h"

#include <boost/json.hpp>
#include <openssl/crypto.h>

#include <stdexcept>

#include "core/hmac.h"
#include "core/jwt.h"

namespace openem::oai {
namespace json = boost::json;
namespace {

// Format 2 added the last record's kind (published-data records joined the lists); a format-1
// token, from before, continues a list of datasets.
constexpr std::int64_t kFormat = 2;
constexpr std::size_t kMaxTokenBytes = 4096;

}  // namespace

std::string token_key(std::string_view server_secret) {
  return hmac_sha256(server_secret, "openem OAI-PMH resumption tokens v1");
}

std::string encode_token(const ListPosition& p, std::string_view key) {
  json::array a{kFormat,     p.verb,    p.metadata_prefix,   p.set,          p.from,
                p.until,     p.before,  p.after_datestamp,   p.after_id,     p.cursor,
                p.complete_list_size, p.expires, static_cast<std::int64_t>(p.after_kind)};
  const std::string payload = base64url_encode(json::serialize(a));
  return payload + "." + base64url_encode(hmac_sha256(key, payload));
}

TokenResult decode_token(std::string_view token, std::string_view key, std::string_view verb, Millis now) {
  const TokenResult malformed{std::nullopt, "The resumptionToken is not one of this repository's"};
  if (token.size() > kMaxTokenBytes) return malformed;
  const std::size_t dot = token.find('.');
  if (dot == std::string_view::npos) return malformed;
  const std::string_view payload = token.substr(0, dot);
  const auto mac = base64url_decode(token.substr(dot + 1));
  const std::string expected = hmac_sha256(key, payload);
  if (!mac || mac->size() != expected.size() || CRYPTO_memcmp(mac->data(), expected.data(), expected.size()) != 0)
    return malformed;
  // Signed by us: what follows only fails for tokens of another format version.
  auto text = base64url_decode(payload);
  if (!text) return malformed;
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_array() || v.get_array().empty()) return malformed;
  const json::array& a = v.get_array();
  const bool v1 = a[0] == 1 && a.size() == 12;
  if (!v1 && !(a[0] == kFormat && a.size() == 13)) return malformed;
  for (std::size_t i : {0u, 9u, 10u, 11u})
    if (!a[i].is_int64()) return malformed;
  for (std::size_t i = 1; i <= 8; ++i)
    if (!a[i].is_string()) return malformed;
  ListPosition p;
  p.verb = a[1].get_string();
  p.metadata_prefix = a[2].get_string();
  p.set = a[3].get_string();
  p.from = a[4].get_string();
  p.until = a[5].get_string();
  p.before = a[6].get_string();
  p.after_datestamp = a[7].get_string();
  p.after_id = a[8].get_string();
  p.cursor = a[9].get_int64();
  p.complete_list_size = a[10].get_int64();
  p.expires = a[11].get_int64();
  if (!v1) {
    if (!a[12].is_int64() || (a[12].get_int64() != 0 && a[12].get_int64() != 1)) return malformed;
    p.after_kind = static_cast<ItemKind>(a[12].get_int64());
  }
  if (p.verb != verb) return {std::nullopt, "The resumptionToken belongs to " + p.verb + ", not " + std::string(verb)};
  if (p.expires <= now) return {std::nullopt, "The resumptionToken has expired"};
  return {std::move(p), ""};
}

}  // namespace openem::oai
