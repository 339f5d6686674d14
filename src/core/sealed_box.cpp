#include "core/sealed_box.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include "core/hmac.h"
#include "core/jwt.h"

namespace openem {
namespace {

constexpr std::size_t kIvBytes = 12, kTagBytes = 16, kMaxSealBytes = 8192;

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;
const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

}  // namespace

std::string random_bytes(std::size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("no random bytes available");
  return out;
}

SealedBox::SealedBox(std::string_view secret, std::string_view purpose)
    : key_(hmac_sha256(std::string(secret), std::string(purpose))) {}

std::string SealedBox::seal(std::string_view plain) const {
  const std::string iv = random_bytes(kIvBytes);
  std::string out = iv;
  out.resize(kIvBytes + plain.size() + kTagBytes);
  auto* cipher = reinterpret_cast<unsigned char*>(out.data()) + kIvBytes;
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0, m = 0;
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), bytes(iv)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), cipher, &n, bytes(plain), static_cast<int>(plain.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), cipher + n, &m) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, cipher + n + m) != 1)
    throw std::runtime_error("AES-256-GCM is not available");
  return base64url_encode(out);
}

std::optional<std::string> SealedBox::open(std::string_view sealed) const {
  if (sealed.size() > kMaxSealBytes * 4 / 3 + 4) return std::nullopt;
  auto raw = base64url_decode(sealed);
  if (!raw || raw->size() < kIvBytes + kTagBytes || raw->size() > kMaxSealBytes) return std::nullopt;
  const std::size_t length = raw->size() - kIvBytes - kTagBytes;
  std::string plain(length, '\0');
  auto* in = reinterpret_cast<unsigned char*>(raw->data());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0, m = 0;
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key_), in) != 1 ||
      EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()), &n, in + kIvBytes,
                        static_cast<int>(length)) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, in + kIvBytes + length) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(plain.data()) + n, &m) != 1)
    return std::nullopt;
  return plain;
}

}  // namespace openem
