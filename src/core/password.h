#pragma once
// Password hashing for local (functional) accounts: argon2id (libargon2) in the PHC string
// format "$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>". Thread-safe; each call allocates
// kArgon2MemoryKiB of memory and takes tens of milliseconds by design.
#include <cstdint>
#include <string>
#include <string_view>

namespace openem {

// OWASP's minimum argon2id configuration (19 MiB, 2 passes, 1 lane): sized for a 2-core
// server where logins must not starve request handling. Raising them only affects new hashes;
// stored hashes carry their own parameters.
inline constexpr std::uint32_t kArgon2MemoryKiB = 19 * 1024;
inline constexpr std::uint32_t kArgon2TimeCost = 2;
inline constexpr std::uint32_t kArgon2Parallelism = 1;
inline constexpr size_t kArgon2SaltBytes = 16;
inline constexpr size_t kArgon2HashBytes = 32;

// Hashes pw with a fresh random salt (OpenSSL CSPRNG). Throws std::runtime_error only if the
// CSPRNG or libargon2 fails (out of memory).
std::string hash_password(std::string_view pw);

// True iff `encoded` is a well-formed argon2id PHC string (parameters within sane bounds, so a
// corrupt row cannot make one login allocate gigabytes) and pw matches it. Constant-time
// comparison (libargon2). Never throws.
bool verify_password(std::string_view pw, std::string_view encoded);

}  // namespace openem
