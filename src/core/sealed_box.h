#pragma once
// SealedBox: short texts the server hands out and must get back unread and unchanged — an OIDC
// sign-in in its state cookie, an event stream's position. AES-256-GCM under a key derived from
// the deployment's shared secret (JWT_SECRET) and a purpose, so every process of the
// deployment opens what another sealed, and a seal made for one purpose opens for no other.
// Seals are iv || ciphertext || tag in base64url; a fresh random iv each time, so equal texts
// give different seals. Thread-safe (immutable).
#include <optional>
#include <string>
#include <string_view>

namespace openem {

class SealedBox {
 public:
  // `purpose`: a fixed text naming the use and its version ("openem oidc sign-in seal v1").
  SealedBox(std::string_view secret, std::string_view purpose);
  std::string seal(std::string_view plain) const;
  // The sealed text, or nullopt when the seal is malformed, longer than 8 KiB, made under
  // another key or purpose, or changed.
  std::optional<std::string> open(std::string_view sealed) const;

 private:
  std::string key_;  // 32 bytes
};

// n cryptographically random bytes; throws std::runtime_error when none can be had.
std::string random_bytes(std::size_t n);

}  // namespace openem
