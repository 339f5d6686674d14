#pragma once
// Random identifiers: RFC 4122 version-4 UUIDs from OpenSSL's CSPRNG. Thread-safe.
#include <string>

namespace openem {

std::string uuid_v4();
// n random bytes as lowercase hex (secrets, salts, short ids).
std::string random_hex(size_t bytes);

}  // namespace openem
