#pragma once
// SHA-256 over OpenSSL EVP (which picks SHA-NI / AVX2 code paths on its own), plus the
// streaming file hash the ingestor uses. Sha256 objects are not thread-safe; the free
// functions are.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "blob/hasher.h"


namespace openem::ingest {

class Sha256 {
 public:
  Sha256();
  Sha256(const Sha256& other) : hasher_(other.hasher_.clone()) {}
  Sha256& operator=(const Sha256& other) {
    hasher_ = other.hasher_.clone();
    return *this;
  }

  void update(const void* data, std::size_t size);
  // The 32-byte digest; the object is reset and can hash the next input.
  std::string finish_raw();
  std::string finish_hex();

 private:
  Hasher hasher_;
};

std::string sha256_hex(std::string_view data);
std::string to_hex(std::string_view raw);
std::string base64_encode(std::string_view raw);
std::string base64_decode(std::string_view text);  // empty on malformed input

// Reads `path` start to end through `buffer` (large sequential reads, no page-cache
// pollution hints) and returns the hex digest. `bytes_read` receives the byte count.
// Throws std::runtime_error naming the file on any read error.
std::string sha256_file(const std::filesystem::path& path, std::vector<char>& buffer,
                        std::uint64_t* bytes_read = nullptr,
                        const std::function<void(std::uint64_t)>* on_bytes = nullptr);

}  // namespace openem::ingest
