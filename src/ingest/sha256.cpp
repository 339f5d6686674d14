#include "ingest/sha256.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace openem::ingest {

// The digests and encodings are blob/hasher's; this file keeps the ingestor's names for them
// and adds the streaming file hash.
Sha256::Sha256() : hasher_(Hasher::sha256()) {}

void Sha256::update(const void* data, std::size_t size) {
  hasher_.update(std::string_view(static_cast<const char*>(data), size));
}

std::string Sha256::finish_raw() { return hasher_.finish(); }

std::string Sha256::finish_hex() { return Hasher::hex(hasher_.finish()); }

std::string to_hex(std::string_view raw) { return Hasher::hex(raw); }

std::string sha256_hex(std::string_view data) { return Hasher::hex(Hasher::digest("sha256", data)); }

std::string base64_encode(std::string_view raw) { return Hasher::base64(raw); }

std::string base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return {};  // tus and JWT-derived values arrive padded
  return Hasher::base64_decode(text).value_or(std::string());
}

std::string sha256_file(const std::filesystem::path& path, std::vector<char>& buffer, std::uint64_t* bytes_read,
                        const std::function<void(std::uint64_t)>* on_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw std::runtime_error(path.string() + ": cannot open: " + std::strerror(errno));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  if (buffer.empty()) buffer.resize(4 << 20);
  Sha256 h;
  std::uint64_t total = 0;
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      throw std::runtime_error(path.string() + ": read error: " + std::strerror(e));
    }
    if (n == 0) break;
    h.update(buffer.data(), static_cast<std::size_t>(n));
    total += static_cast<std::uint64_t>(n);
    if (on_bytes) (*on_bytes)(static_cast<std::uint64_t>(n));
  }
  ::close(fd);
  if (bytes_read) *bytes_read = total;
  return h.finish_hex();
}

}  // namespace openem::ingest
