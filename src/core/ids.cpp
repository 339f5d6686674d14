#include "core/ids.h"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace openem {
namespace {
void fill_random(unsigned char* p, size_t n) {
  if (RAND_bytes(p, static_cast<int>(n)) != 1) throw std::runtime_error("RAND_bytes failed");
}
constexpr char kHex[] = "0123456789abcdef";
}  // namespace

std::string uuid_v4() {
  unsigned char b[16];
  fill_random(b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

std::string random_hex(size_t bytes) {
  std::vector<unsigned char> b(bytes);
  fill_random(b.data(), bytes);
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : b) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

}  // namespace openem
