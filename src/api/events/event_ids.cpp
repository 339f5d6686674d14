#include "api/events/event_ids.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <memory>
#include <stdexcept>

#include "core/hmac.h"
#include "core/jwt.h"

namespace openem {
namespace {

constexpr int kBlock = 16;
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

// One AES-256 block, encrypted or decrypted (ECB of a single block: a keyed permutation).
std::string one_block(const std::string& key, const std::string& in, bool encrypt) {
  std::string out(kBlock + kBlock, '\0');
  CipherCtx ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
  int n = 0;
  const auto* k = reinterpret_cast<const unsigned char*>(key.data());
  if (!ctx || EVP_CipherInit_ex(ctx.get(), EVP_aes_256_ecb(), nullptr, k, nullptr, encrypt ? 1 : 0) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1 ||
      EVP_CipherUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &n,
                       reinterpret_cast<const unsigned char*>(in.data()), kBlock) != 1 ||
      n != kBlock)
    throw std::runtime_error("AES-256 is not available");
  out.resize(kBlock);
  return out;
}

std::string seq_bytes(std::int64_t seq) {
  std::string b(8, '\0');
  for (int i = 7; i >= 0; --i, seq >>= 8) b[i] = static_cast<char>(seq & 0xff);
  return b;
}

}  // namespace

EventIds::EventIds(std::string_view secret)
    : cipher_key_(hmac_sha256(std::string(secret), "openem event id cipher v1")),
      mac_key_(hmac_sha256(std::string(secret), "openem event id mac v1")) {}

std::string EventIds::id_of(std::int64_t seq) const {
  const std::string plain = seq_bytes(seq);
  return base64url_encode(one_block(cipher_key_, plain + hmac_sha256(mac_key_, plain).substr(0, 8), true));
}

std::optional<std::int64_t> EventIds::seq_of(std::string_view id) const {
  if (id.size() != 22) return std::nullopt;
  auto raw = base64url_decode(id);
  if (!raw || raw->size() != kBlock) return std::nullopt;
  const std::string plain = one_block(cipher_key_, *raw, false);
  const std::string number = plain.substr(0, 8);
  const std::string mac = hmac_sha256(mac_key_, number);
  if (CRYPTO_memcmp(plain.data() + 8, mac.data(), 8) != 0) return std::nullopt;
  std::int64_t seq = 0;
  for (unsigned char c : number) seq = static_cast<std::int64_t>((static_cast<std::uint64_t>(seq) << 8) | c);
  if (seq < 0) return std::nullopt;
  return seq;
}

}  // namespace openem
