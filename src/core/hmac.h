#pragma once
// HMAC-SHA-256 (OpenSSL): token signatures (JWT HS256), derived keys (OAI-PMH resumption
// tokens, sealed sign-ins) and AWS SigV4. Thread-safe.
#include <string>
#include <string_view>

namespace openem {

// The 32 raw bytes of HMAC-SHA-256(key, data); throws std::runtime_error if OpenSSL fails.
std::string hmac_sha256(std::string_view key, std::string_view data);

}  // namespace openem
