#pragma once
// JSON Web Tokens (RFC 7519) signed with HS256 (HMAC-SHA-256, OpenSSL), as upstream SciCat
// issues them (§2.2: payload = user record + iat/exp, secret JWT_SECRET). Only HS256 is
// accepted: the algorithm is fixed by the server, never chosen by the token.
// Pure functions, thread-safe.
#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace openem {

// Signs payload with HS256. Sets "iat" = now (seconds since the epoch) and, when ttl_seconds is
// non-zero, "exp" = iat + ttl_seconds (a negative ttl yields an already expired token, for
// tests). ttl 0 adds no "exp" (an "exp" already in payload is kept).
// Throws std::invalid_argument for an empty secret: anyone could forge such tokens.
std::string jwt_sign(const boost::json::object& payload, std::string_view secret, long ttl_seconds);

// Verifies a compact JWS: three base64url segments, HMAC-SHA-256 signature over the first two
// (compared in constant time), header {"alg": "HS256"} without "crit", payload a JSON object,
// "exp" (if present) a number in the future and "nbf" (if present) a number not in the future.
// Returns the payload, or nullopt for anything else (never throws). An empty secret verifies
// nothing.
std::optional<boost::json::object> jwt_verify(std::string_view token, std::string_view secret);

// base64url (RFC 4648 §5) without padding, as JWS uses it. decode rejects padding, characters
// outside the alphabet and non-canonical encodings (unused trailing bits not zero).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// Tokens longer than this are rejected unparsed (a header line, not a document).
inline constexpr size_t kMaxJwtLength = 16 * 1024;

}  // namespace openem
