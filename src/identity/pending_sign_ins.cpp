#include "identity/pending_sign_ins.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <boost/json.hpp>
#include <memory>
#include <stdexcept>

#include "core/hmac.h"
#include "core/json_fields.h"
#include "core/jwt.h"
#include "core/time.h"

namespace openem::identity {
namespace {

namespace json = boost::json;

constexpr std::size_t kIvBytes = 12, kTagBytes = 16;

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("no random bytes for a sign-in");
  return out;
}

// 32 random bytes, base64url: 43 characters, as RFC 7636 §4.1 recommends for verifiers.
std::string random_token() { return base64url_encode(random_bytes(32)); }

std::string derive_key(const std::string& secret) { return hmac_sha256(secret, "openem oidc sign-in seal v1"); }

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
const unsigned char* bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

// iv || AES-256-GCM(plain) || tag, base64url.
std::string seal(const std::string& key, const std::string& plain) {
  const std::string iv = random_bytes(kIvBytes);
  std::string out = iv;
  out.resize(kIvBytes + plain.size() + kTagBytes);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data()) + kIvBytes;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0, m = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(iv)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher, &n, bytes(plain), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + n, &m) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + n + m) != 1)
    throw std::runtime_error("AES-256-GCM is not available");
  return base64url_encode(out);
}

// The plaintext of a seal, or nullopt when it is malformed or fails authentication.
std::optional<std::string> unseal(const std::string& key, const std::string& sealed) {
  auto raw = base64url_decode(sealed);
  if (!raw || raw->size() < kIvBytes + kTagBytes || raw->size() > 8192) return std::nullopt;
  const std::size_t length = raw->size() - kIvBytes - kTagBytes;
  std::string plain(length, '\0');
  auto* in = reinterpret_cast<unsigned char*>(raw->data());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0, m = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), in) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &n, in + kIvBytes,
                        static_cast<int>(length)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, in + kIvBytes + length) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + n, &m) != 1)
    return std::nullopt;
  return plain;
}

}  // namespace

PendingSignIns::PendingSignIns(const std::string& secret, std::size_t capacity, double lifetime_seconds, Clock clock)
    : key_(derive_key(secret)), capacity_(capacity ? capacity : 1), lifetime_(lifetime_seconds),
      clock_(clock ? std::move(clock) : Clock(wall_clock_seconds)) {}

PendingSignIns::Started PendingSignIns::start(std::string success_url, std::string return_url) {
  PendingSignIn p{random_token(), random_token(), random_token(), std::move(success_url), std::move(return_url), clock_()};
  json::object o{{"state", p.state}, {"nonce", p.nonce}, {"verifier", p.code_verifier},
                 {"success", p.success_url}, {"return", p.return_url}, {"started", p.started}};
  return {p, seal(key_, json::serialize(o))};
}

void PendingSignIns::forget_old(double now) {
  while (!taken_by_start_.empty() &&
         (taken_by_start_.begin()->first <= now - lifetime_ || taken_.size() >= capacity_)) {
    taken_.erase(taken_by_start_.begin()->second);
    taken_by_start_.erase(taken_by_start_.begin());
  }
}

std::optional<PendingSignIn> PendingSignIns::take(const std::string& state, const std::string& sealed, Refusal* why) {
  *why = Refusal::kNotThisBrowser;
  auto plain = unseal(key_, sealed);
  if (!plain) return std::nullopt;
  boost::system::error_code ec;
  json::value v = json::parse(*plain, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const json::object& o = v.get_object();
  PendingSignIn p{json_string(o, "state"), json_string(o, "nonce"), json_string(o, "verifier"), json_string(o, "success"), json_string(o, "return"), 0};
  const auto* started = o.if_contains("started");
  if (p.state.empty() || p.state != state || !started || !started->is_number()) return std::nullopt;
  p.started = started->to_number<double>();
  *why = Refusal::kSpentOrExpired;
  const double now = clock_();
  std::lock_guard lock(mu_);
  forget_old(now);
  if (p.started <= now - lifetime_ || p.started > now + 60) return std::nullopt;
  if (!taken_.insert(p.state).second) return std::nullopt;
  taken_by_start_.emplace(p.started, p.state);
  return p;
}

std::size_t PendingSignIns::remembered() const {
  std::lock_guard lock(mu_);
  return taken_.size();
}

std::string pkce_challenge(const std::string& verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(verifier.data()), verifier.size(), digest);
  return base64url_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

}  // namespace openem::identity
