#pragma once
// The check of a JWT an OpenID Provider signed — an ID token after sign-in (OpenID Connect
// Core §3.1.3.7) or an access token a facility's tool sends as a Bearer token (RFC 9068):
// compact JWS with three segments, an accepted asymmetric algorithm (JwkSet), a signature by
// one of the provider's keys, then the claims: "iss" equal to the provider's issuer, "aud"
// naming this client, "exp" in the future and "nbf"/"iat" not in it (with a leeway for
// clocks), and for ID tokens the "nonce" of the sign-in and "azp" when several audiences.
// Pure: the caller supplies the keys and the time. Never throws.
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "identity/jwk_set.h"

namespace openem::identity {

struct JwtExpectations {
  std::string issuer;
  std::vector<std::string> audiences;  // "aud" must contain at least one of them
  std::string client_id;               // an ID token's "azp", when present, must be this
  std::optional<std::string> nonce;    // ID tokens: must equal the sign-in's nonce
  double now = 0;                      // seconds since the epoch
  int leeway_seconds = 60;
};

struct JwtCheck {
  enum class Outcome {
    Valid,
    UnknownKey,  // well-formed, signed with a key id the set does not have: refetch the keys
    Invalid,
  };
  Outcome outcome = Outcome::Invalid;
  boost::json::object claims;  // Valid: the payload
  std::string error;           // not Valid: why, for logs (never the token itself)
  double expires = 0;          // Valid: "exp"

  bool valid() const { return outcome == Outcome::Valid; }
};

JwtCheck check_provider_jwt(std::string_view token, const JwkSet& keys, const JwtExpectations& expect);

// The "alg" of a compact JWS's header, "" when the header is not readable: lets the server tell
// its own HS256 tokens from a provider's before any work.
std::string jws_algorithm(std::string_view token);

}  // namespace openem::identity
