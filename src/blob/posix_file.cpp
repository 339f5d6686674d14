#include "blob/posix_file.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace openem {
namespace fs = std::filesystem;
namespace {

class FdBlobReader : public BlobReader {
 public:
  FdBlobReader(int fd, BlobInfo info) : fd_(fd), info_(std::move(info)) {}
  ~FdBlobReader() override { ::close(fd_); }
  const BlobInfo& info() const override { return info_; }

  BlobStatus read(std::int64_t offset, std::size_t n, std::string* out) override {
    out->resize(n);
    std::size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, out->data() + got, n - got, offset + static_cast<std::int64_t>(got));
      if (r < 0) {
        if (errno == EINTR) continue;
        out->clear();
        return BlobStatus::io_error("read of " + info_.path + " failed: " + errno_text(errno));
      }
      if (r == 0) break;
      got += static_cast<std::size_t>(r);
    }
    out->resize(got);
    return BlobStatus::ok();
  }

 private:
  int fd_;
  BlobInfo info_;
};

// Cleared once openat2 turned out to be missing (ENOSYS; EPERM from a seccomp filter that
// does not know it), so the fallback does not pay a failing syscall every time.
std::atomic<bool> g_openat2{true};

// One openat(O_NOFOLLOW) per component: each directory is opened relative to the previous
// one, so a symlink swapped in between two steps is refused too (ELOOP or ENOTDIR).
int open_beneath_by_components(int dirfd, std::string_view relative, int flags, mode_t mode) {
  int cur = dirfd;
  for (;;) {
    size_t slash = relative.find('/');
    std::string name(relative.substr(0, slash));
    bool last = slash == std::string_view::npos;
    int fd = last ? ::openat(cur, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode)
                  : ::openat(cur, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int e = errno;
    if (cur != dirfd) ::close(cur);
    if (fd < 0) return -e;
    if (last) return fd;
    cur = fd;
    relative.remove_prefix(slash + 1);
  }
}

}  // namespace

void set_openat2_allowed(bool allowed) { g_openat2 = allowed; }

int open_beneath(int dirfd, std::string_view relative, int flags, mode_t mode) {
  if (relative.empty()) return -ENOENT;
  if (g_openat2.load(std::memory_order_relaxed)) {
    struct open_how how {};
    how.flags = static_cast<std::uint64_t>(flags | O_CLOEXEC);
    how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    const std::string path(relative);
    for (int attempt = 0; attempt < 8; ++attempt) {
      long fd = ::syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof how);
      if (fd >= 0) return static_cast<int>(fd);
      if (errno == EINTR || errno == EAGAIN) continue;  // EAGAIN: a rename raced the lookup
      if (errno == ENOSYS || errno == EPERM) {
        g_openat2 = false;
        break;
      }
      return -errno;
    }
  }
  return open_beneath_by_components(dirfd, relative, flags, mode);
}

std::string errno_text(int e) { return std::strerror(e); }

BlobStatus fsync_path(const fs::path& p, bool directory, FileSystem& files) {
  int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return BlobStatus::io_error("cannot open " + p.string() + " to sync it: " + errno_text(errno));
  BlobStatus s = files.sync(fd, p.string());
  ::close(fd);
  return s;
}

BlobStatus write_all(int fd, std::string_view bytes, const std::string& name, FileSystem& files) {
  return files.write(fd, bytes, name);
}

std::unique_ptr<BlobReader> make_fd_reader(int fd, BlobInfo info) {
  return std::make_unique<FdBlobReader>(fd, std::move(info));
}

BlobStatus replace_file_atomically(const fs::path& file, std::string_view text, mode_t mode, bool durable, FileSystem& files) {
  fs::path tmp = file;
  tmp += ".tmp";
  ::unlink(tmp.c_str());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return BlobStatus::from_errno(errno, tmp.string() + ": cannot write");
  BlobStatus s = files.write(fd, text, tmp.string());
  if (s.is_ok() && ::fchmod(fd, mode) != 0) s = BlobStatus::io_error("chmod of " + tmp.string() + " failed");
  if (s.is_ok() && durable) s = files.sync(fd, tmp.string());
  ::close(fd);
  if (s.is_ok() && ::rename(tmp.c_str(), file.c_str()) != 0)
    s = BlobStatus::from_errno(errno, file.string() + ": cannot replace");
  if (s.is_ok() && durable) s = fsync_path(file.parent_path().empty() ? fs::path(".") : file.parent_path(), true, files);
  if (!s.is_ok()) ::unlink(tmp.c_str());
  return s;
}

void write_file_atomically(const fs::path& file, std::string_view text, mode_t mode, bool durable) {
  if (BlobStatus s = replace_file_atomically(file, text, mode, durable); !s.is_ok()) throw std::runtime_error(s.message());
}

}  // namespace openem
