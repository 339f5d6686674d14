#include "core/jwt.h"

#include <openssl/crypto.h>

#include <chrono>
#include <stdexcept>

#include "core/hmac.h"

namespace openem {
namespace {

namespace json = boost::json;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int decode_char(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

// HMAC-SHA-256 of data, base64url-encoded: the third segment of a token.
std::string hs256(std::string_view secret, std::string_view data) { return base64url_encode(hmac_sha256(secret, data)); }

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<double> numeric_date(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  return std::nullopt;
}

}  // namespace

std::optional<json::object> decode_jws_segment(std::string_view segment) {
  auto text = base64url_decode(segment);
  if (!text) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*text, ec);
  if (ec || !v.is_object()) return std::nullopt;
  return std::move(v.get_object());
}

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    unsigned v = b(i) << 16 | b(i + 1) << 8 | b(i + 2);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    unsigned v = b(i) << 16;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
  } else if (bytes.size() - i == 2) {
    unsigned v = b(i) << 16 | b(i + 1) << 8;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() / 4 * 3 + 2);
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int d = decode_char(c);
    if (d < 0) return std::nullopt;
    acc = (acc << 6 | static_cast<unsigned>(d)) & 0xFFFFFF;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>(acc >> bits & 0xFF);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;  // non-canonical tail
  return out;
}

std::string jwt_sign(const json::object& payload, std::string_view secret, long ttl_seconds) {
  if (secret.empty()) throw std::invalid_argument("JWT secret must not be empty");
  json::object claims = payload;
  const std::int64_t now = now_seconds();
  claims["iat"] = now;
  if (ttl_seconds != 0) claims["exp"] = now + ttl_seconds;
  std::string input = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  input += '.';
  input += base64url_encode(json::serialize(claims));
  std::string signature = hs256(secret, input);
  input += '.';
  input += signature;
  return input;
}

namespace {

// The payload of a well-formed HS256 token signed with `secret`; `check_time`: also within
// its exp/nbf window.
std::optional<json::object> verified_payload(std::string_view token, std::string_view secret, bool check_time) {
  try {
    if (secret.empty() || token.size() > kMaxJwtLength) return std::nullopt;
    const size_t dot1 = token.find('.');
    if (dot1 == std::string_view::npos) return std::nullopt;
    const size_t dot2 = token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
      return std::nullopt;
    }
    const std::string_view signing_input = token.substr(0, dot2);
    const std::string_view signature = token.substr(dot2 + 1);
    // Compare the encoded forms: the expected length is fixed (43), so a length mismatch
    // reveals nothing, and equal-length strings are compared in constant time.
    const std::string expected = hs256(secret, signing_input);
    if (signature.size() != expected.size() ||
        CRYPTO_memcmp(signature.data(), expected.data(), expected.size()) != 0) {
      return std::nullopt;
    }
    auto header = decode_jws_segment(token.substr(0, dot1));
    if (!header) return std::nullopt;
    const json::value* alg = header->if_contains("alg");
    if (!alg || !alg->is_string() || alg->get_string() != "HS256") return std::nullopt;
    if (header->contains("crit")) return std::nullopt;  // no extensions are understood
    auto payload = decode_jws_segment(token.substr(dot1 + 1, dot2 - dot1 - 1));
    if (!payload) return std::nullopt;
    if (!check_time) return payload;
    const double now = static_cast<double>(now_seconds());
    if (const json::value* exp = payload->if_contains("exp")) {
      auto t = numeric_date(*exp);
      if (!t || now >= *t) return std::nullopt;
    }
    if (const json::value* nbf = payload->if_contains("nbf")) {
      auto t = numeric_date(*nbf);
      if (!t || now < *t) return std::nullopt;
    }
    return payload;
  } catch (const std::exception&) {  // allocation failure, HMAC failure: not a valid token
    return std::nullopt;
  }
}

}  // namespace

std::optional<json::object> jwt_verify(std::string_view token, std::string_view secret) {
  return verified_payload(token, secret, true);
}

bool jwt_expired(std::string_view token, std::string_view secret) {
  auto payload = verified_payload(token, secret, false);
  if (!payload) return false;
  const json::value* exp = payload->if_contains("exp");
  if (!exp) return false;
  auto t = numeric_date(*exp);
  return t && static_cast<double>(now_seconds()) >= *t;
}

bool JwtVerifyCache::expired(const std::string& token) const { return jwt_expired(token, secret_); }

std::optional<std::string> JwtVerifyCache::verify(const std::string& token) const {
  auto v = verify_token(token);
  if (!v) return std::nullopt;
  return v->subject;
}

std::shared_ptr<const VerifiedToken> JwtVerifyCache::verify_token(const std::string& token) const {
  const double now = static_cast<double>(now_seconds());
  {
    std::shared_lock lock(mu_);
    auto it = tokens_.find(token);
    if (it != tokens_.end()) {
      if (now >= it->second.not_before && now < it->second.token->expires) return it->second.token;
      return nullptr;  // expired or not yet valid: jwt_verify would refuse it too
    }
  }
  auto payload = jwt_verify(token, secret_);
  if (!payload) return nullptr;
  const json::value* claim = payload->if_contains(claim_);
  if (!claim || !claim->is_string()) return nullptr;
  auto verified = std::make_shared<VerifiedToken>();
  verified->subject = claim->get_string();
  double not_before = -std::numeric_limits<double>::infinity();
  // jwt_verify accepted them, so they are numbers where present.
  if (const json::value* nbf = payload->if_contains("nbf")) not_before = numeric_date(*nbf).value_or(not_before);
  if (const json::value* exp = payload->if_contains("exp")) verified->expires = numeric_date(*exp).value_or(verified->expires);
  if (const json::value* jti = payload->if_contains("jti"); jti && jti->is_string()) verified->jti = jti->get_string();
  if (const json::value* gen = payload->if_contains("gen"); gen && gen->is_int64()) verified->generation = gen->get_int64();
  if (token.size() > kMaxCachedLength) return verified;
  std::unique_lock lock(mu_);
  if (tokens_.size() >= capacity_) tokens_.clear();
  tokens_.emplace(token, Verified{verified, not_before});
  return verified;
}

}  // namespace openem
