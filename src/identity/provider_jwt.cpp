#include "identity/provider_jwt.h"

#include "core/json_fields.h"
#include "core/jwt.h"

namespace openem::identity {
namespace json = boost::json;
namespace {

std::optional<double> number(const json::object& o, std::string_view key) {
  auto* v = o.if_contains(key);
  if (!v) return std::nullopt;
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  if (v->is_double()) return v->get_double();
  return std::nullopt;
}

JwtCheck invalid(std::string why) {
  JwtCheck c;
  c.error = std::move(why);
  return c;
}

struct Segments {
  std::string_view header, payload, signature, signing_input;
};

std::optional<Segments> split(std::string_view token) {
  if (token.size() > kMaxJwtLength) return std::nullopt;
  auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  return Segments{token.substr(0, first), token.substr(first + 1, second - first - 1), token.substr(second + 1),
                  token.substr(0, second)};
}

bool audience_matches(const json::object& claims, const std::vector<std::string>& wanted, std::size_t& count) {
  auto* aud = claims.if_contains("aud");
  count = 0;
  auto one = [&](const json::value& v) {
    ++count;
    if (!v.is_string()) return false;
    for (const auto& w : wanted)
      if (v.get_string() == w) return true;
    return false;
  };
  if (!aud) return false;
  if (aud->is_string()) return one(*aud);
  if (!aud->is_array()) return false;
  bool any = false;
  for (const auto& v : aud->get_array()) any = one(v) || any;
  return any;
}

}  // namespace

std::string jws_algorithm(std::string_view token) {
  auto parts = split(token);
  if (!parts) return {};
  auto header = decode_jws_segment(parts->header);
  return header ? json_string(*header, "alg") : std::string();
}

JwtCheck check_provider_jwt(std::string_view token, const JwkSet& keys, const JwtExpectations& expect) {
  auto parts = split(token);
  if (!parts) return invalid("not a compact JWS");
  auto header = decode_jws_segment(parts->header);
  if (!header) return invalid("header is not a JSON object");
  std::string alg = json_string(*header, "alg");
  if (!JwkSet::supported_algorithm(alg)) return invalid("algorithm '" + alg + "' is not accepted");
  if (header->contains("crit")) return invalid("critical header parameters are not understood");
  auto signature = base64url_decode(parts->signature);
  if (!signature) return invalid("signature is not base64url");
  std::string kid = json_string(*header, "kid");
  if (!keys.verify(alg, kid, parts->signing_input, *signature)) {
    JwtCheck c = invalid(kid.empty() || keys.has_key(kid) ? "signature does not verify" : "unknown key id " + kid);
    if (!kid.empty() && !keys.has_key(kid)) c.outcome = JwtCheck::Outcome::UnknownKey;
    return c;
  }
  auto claims = decode_jws_segment(parts->payload);
  if (!claims) return invalid("payload is not a JSON object");
  if (json_string(*claims, "iss") != expect.issuer) return invalid("issuer '" + json_string(*claims, "iss") + "' is not the provider's");
  std::size_t audiences = 0;
  if (!audience_matches(*claims, expect.audiences, audiences)) return invalid("audience does not name this service");
  const double leeway = expect.leeway_seconds;
  auto exp = number(*claims, "exp");
  if (!exp) return invalid("no expiry (exp)");
  if (*exp <= expect.now - leeway) return invalid("expired");
  if (auto nbf = number(*claims, "nbf"); claims->contains("nbf") && (!nbf || *nbf > expect.now + leeway))
    return invalid("not valid yet (nbf)");
  if (auto iat = number(*claims, "iat"); claims->contains("iat") && (!iat || *iat > expect.now + leeway))
    return invalid("issued in the future (iat)");
  if (json_string(*claims, "sub").empty()) return invalid("no subject (sub)");
  if (expect.nonce) {
    if (!number(*claims, "iat")) return invalid("ID token without iat");
    if (json_string(*claims, "nonce") != *expect.nonce) return invalid("nonce does not match the sign-in");
    std::string azp = json_string(*claims, "azp");
    if ((audiences > 1 || !azp.empty()) && azp != expect.client_id) return invalid("authorized party is not this client");
  }
  JwtCheck ok;
  ok.outcome = JwtCheck::Outcome::Valid;
  ok.expires = *exp;
  ok.claims = std::move(*claims);
  return ok;
}

}  // namespace openem::identity
