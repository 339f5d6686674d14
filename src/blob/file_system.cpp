#include "blob/file_system.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace openem {
namespace {

class PosixFileSystem : public FileSystem {
 public:
  BlobStatus write_at(int fd, std::string_view bytes, std::int64_t offset, const std::string& name) override {
    while (!bytes.empty()) {
      ssize_t n = ::pwrite(fd, bytes.data(), bytes.size(), offset);
      if (n < 0) {
        if (errno == EINTR) continue;
        return BlobStatus::from_errno(errno, "write of " + name + " failed");
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
      offset += n;
    }
    return BlobStatus::ok();
  }

  BlobStatus write(int fd, std::string_view bytes, const std::string& name) override {
    while (!bytes.empty()) {
      ssize_t n = ::write(fd, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return BlobStatus::from_errno(errno, "write of " + name + " failed");
      }
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return BlobStatus::ok();
  }

  BlobStatus sync(int fd, const std::string& name) override {
    if (::fsync(fd) != 0) return BlobStatus::from_errno(errno, "fsync of " + name + " failed");
    return BlobStatus::ok();
  }

  BlobStatus truncate(int fd, std::int64_t length, const std::string& name) override {
    while (::ftruncate(fd, length) != 0) {
      if (errno == EINTR) continue;
      return BlobStatus::from_errno(errno, "cannot truncate " + name);
    }
    return BlobStatus::ok();
  }
};

}  // namespace

FileSystem& posix_file_system() {
  static PosixFileSystem fs;
  return fs;
}

}  // namespace openem

namespace openem {

BlobStatus BlobStatus::from_errno(int e, const std::string& what) {
  std::string m = what + ": " + std::strerror(e);
  return e == ENOSPC || e == EDQUOT ? no_space(std::move(m)) : io_error(std::move(m));
}

}  // namespace openem
