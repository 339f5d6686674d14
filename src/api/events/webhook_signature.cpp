#include "api/events/webhook_signature.h"

#include <openssl/evp.h>

#include <stdexcept>

#include "core/hmac.h"
#include "core/sealed_box.h"

namespace openem {
namespace {

constexpr std::string_view kPrefix = "whsec_";

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// The bytes of standard base64 with padding; nullopt for anything else.
std::optional<std::string> unbase64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > 1024) return std::nullopt;
  for (char c : text)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=')) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t size = static_cast<std::size_t>(n);
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;  // DecodeBlock keeps padding's zeros
  out.resize(size);
  return out;
}

}  // namespace

std::string new_webhook_secret() { return std::string(kPrefix) + base64(random_bytes(32)); }

bool is_webhook_secret(std::string_view secret) {
  if (secret.substr(0, kPrefix.size()) != kPrefix) return false;
  auto key = unbase64(secret.substr(kPrefix.size()));
  return key && key->size() >= 24 && key->size() <= 64;
}

std::string webhook_signature(std::string_view secret, std::string_view id, std::int64_t timestamp,
                              std::string_view body) {
  auto key = secret.substr(0, kPrefix.size()) == kPrefix ? unbase64(secret.substr(kPrefix.size())) : std::nullopt;
  if (!key) throw std::invalid_argument("not a webhook secret");
  std::string signed_content = std::string(id) + "." + std::to_string(timestamp) + "." + std::string(body);
  return "v1," + base64(hmac_sha256(*key, signed_content));
}

}  // namespace openem
