#include "extract/file_io.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "extract/extract_error.h"

namespace openem::extract {
namespace {

// RAII for a POSIX descriptor; plain read(2) is measurably faster than iostreams for the
// 20,000 small EPU files of a session.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string read_up_to(const std::filesystem::path& path, std::size_t limit, bool fail_if_larger) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) throw ExtractError(path.string(), 0, std::string("cannot open: ") + std::strerror(errno));
  struct stat st{};
  if (::fstat(f.fd, &st) != 0) throw ExtractError(path.string(), 0, std::string("cannot stat: ") + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw ExtractError(path.string(), 0, "is a directory");
  std::size_t size = static_cast<std::size_t>(st.st_size);
  if (fail_if_larger && size > limit)
    throw ExtractError(path.string(), 0,
                       "file of " + std::to_string(size) + " bytes exceeds the metadata limit of " + std::to_string(limit));
  std::string buf;
  buf.resize(std::min(size > 0 ? size : std::size_t{4096}, limit));
  std::size_t got = 0;
  for (;;) {
    if (got == buf.size()) {
      if (buf.size() >= limit) break;
      buf.resize(std::min(buf.size() * 2, limit));  // file grew or st_size was 0 (procfs, pipes)
    }
    ssize_t n = ::read(f.fd, buf.data() + got, buf.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ExtractError(path.string(), 0, std::string("read failed: ") + std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  buf.resize(got);
  return buf;
}

}  // namespace

std::string read_file_capped(const std::filesystem::path& path, std::size_t max_bytes) {
  return read_up_to(path, max_bytes, true);
}

std::string read_file_prefix(const std::filesystem::path& path, std::size_t bytes) {
  return read_up_to(path, bytes, false);
}

}  // namespace openem::extract
