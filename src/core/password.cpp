#include "core/password.h"

#include <argon2.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

namespace openem {
namespace {

// Upper bounds for parameters read from a stored hash.
constexpr std::uint32_t kMaxMemoryKiB = 256 * 1024;
constexpr std::uint32_t kMaxTimeCost = 16;
constexpr std::uint32_t kMaxParallelism = 16;
constexpr size_t kMaxEncodedLength = 512;

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) return parts;
    start = pos + 1;
  }
}

// "<name>=<decimal>" → the number, within [1, max].
bool parse_param(std::string_view s, std::string_view name, std::uint32_t max, std::uint32_t& out) {
  if (s.size() <= name.size() + 1 || s.substr(0, name.size()) != name || s[name.size()] != '=') {
    return false;
  }
  const char* begin = s.data() + name.size() + 1;
  const char* end = s.data() + s.size();
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end && out >= 1 && out <= max;
}

bool is_b64(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return false;
  }
  return true;
}

// Checks the shape and bounds of "$argon2id$v=19$m=..,t=..,p=..$salt$hash" before libargon2
// allocates anything.
bool well_formed(std::string_view encoded) {
  if (encoded.size() > kMaxEncodedLength) return false;
  auto parts = split(encoded, '$');
  if (parts.size() != 6 || !parts[0].empty() || parts[1] != "argon2id" || parts[2] != "v=19") {
    return false;
  }
  auto params = split(parts[3], ',');
  std::uint32_t m = 0, t = 0, p = 0;
  return params.size() == 3 && parse_param(params[0], "m", kMaxMemoryKiB, m) &&
         parse_param(params[1], "t", kMaxTimeCost, t) &&
         parse_param(params[2], "p", kMaxParallelism, p) && is_b64(parts[4]) && is_b64(parts[5]);
}

}  // namespace

std::string hash_password(std::string_view pw) {
  if (pw.size() > ARGON2_MAX_PWD_LENGTH) throw std::invalid_argument("password too long");
  unsigned char salt[kArgon2SaltBytes];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("RAND_bytes failed");
  char encoded[256];  // 97 characters for these parameters
  int rc = argon2id_hash_encoded(kArgon2TimeCost, kArgon2MemoryKiB, kArgon2Parallelism,
                                 pw.empty() ? "" : pw.data(), pw.size(), salt, sizeof salt,
                                 kArgon2HashBytes, encoded, sizeof encoded);
  if (rc != ARGON2_OK) {
    throw std::runtime_error(std::string("argon2id: ") + argon2_error_message(rc));
  }
  return encoded;
}

bool verify_password(std::string_view pw, std::string_view encoded) {
  try {
    if (pw.size() > ARGON2_MAX_PWD_LENGTH || !well_formed(encoded)) return false;
    const std::string z(encoded);  // libargon2 wants a NUL-terminated string
    return argon2id_verify(z.c_str(), pw.empty() ? "" : pw.data(), pw.size()) == ARGON2_OK;
  } catch (const std::exception&) {  // std::bad_alloc
    return false;
  }
}

}  // namespace openem
