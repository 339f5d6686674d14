#pragma once
// JSON Web Tokens (RFC 7519) signed with HS256 (HMAC-SHA-256, OpenSSL), as upstream SciCat
// issues them (§2.2: payload = user record + iat/exp, secret JWT_SECRET). Only HS256 is
// accepted: the algorithm is fixed by the server, never chosen by the token.
// Thread-safe.
#include <boost/json.hpp>

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

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

// Whether the token is one this secret signed, well-formed, whose "exp" has passed: a session
// that ended (upstream answers such requests 401 "SESSION_EXPIRED"), not a forged token.
bool jwt_expired(std::string_view token, std::string_view secret);

// What JwtVerifyCache tells about an accepted token: the subject claim (the user id), its
// "jti" (token id; "" when absent), openem's "gen" (the user's token generation when it was
// issued; 0 when absent) and "exp" (+inf when absent). Revocation checks need the last three.
struct VerifiedToken {
  std::string subject;
  std::string jti;
  std::int64_t generation = 0;
  double expires = std::numeric_limits<double>::infinity();
};

// Tokens verified once and remembered with their validity window, so a client that sends
// the same token with every request costs a lookup instead of an HMAC and two JSON parses.
// Thread-safe. Holds at most `capacity` tokens of at most kMaxCachedLength bytes (longer
// ones are verified every time), then starts over: at most ~20 MiB.
class JwtVerifyCache {
 public:
  // `claim`: the payload's string claim that verify() returns (the user id).
  JwtVerifyCache(std::string secret, std::string claim, std::size_t capacity = 10000)
      : secret_(std::move(secret)), claim_(std::move(claim)), capacity_(capacity) {}
  // The claim of a token that jwt_verify accepts now; nullopt for any other token, and when
  // the claim is missing or not a string.
  std::optional<std::string> verify(const std::string& token) const;
  // The same, with the claims revocation checks need; shared with the cache (a copy of the
  // pointer, no string copies, on the per-request path).
  std::shared_ptr<const VerifiedToken> verify_token(const std::string& token) const;
  // jwt_expired with this cache's secret (not cached: only refused tokens ask).
  bool expired(const std::string& token) const;
  static constexpr std::size_t kMaxCachedLength = 2048;

 private:
  struct Verified {
    std::shared_ptr<const VerifiedToken> token;
    double not_before;  // validity window [not_before, token->expires), seconds since the epoch
  };
  std::string secret_;
  std::string claim_;
  std::size_t capacity_;
  mutable std::shared_mutex mu_;
  mutable std::unordered_map<std::string, Verified> tokens_;
};

// base64url (RFC 4648 §5) without padding, as JWS uses it. decode rejects padding, characters
// outside the alphabet and non-canonical encodings (unused trailing bits not zero).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

// A JWS header or payload segment: base64url of a JSON object; nullopt for anything else.
std::optional<boost::json::object> decode_jws_segment(std::string_view segment);

// Tokens longer than this are rejected unparsed (a header line, not a document).
inline constexpr size_t kMaxJwtLength = 16 * 1024;

}  // namespace openem
