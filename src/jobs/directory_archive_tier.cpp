// DirectoryArchiveTier: the archive tier as a plain directory (a stand-in for tape).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "blob/blob_path.h"
#include "jobs/archive_tier.h"

namespace openem {
namespace fs = std::filesystem;
namespace {

std::string errno_text(int e) { return std::strerror(e); }

BlobStatus fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return BlobStatus::io_error("cannot open " + dir.string() + ": " + errno_text(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? BlobStatus::ok() : BlobStatus::io_error("fsync of " + dir.string() + " failed");
}

class DirWriter : public ArchiveWriter {
 public:
  DirWriter(int fd, fs::path partial, fs::path target) : fd_(fd), partial_(std::move(partial)), target_(std::move(target)) {}
  ~DirWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(partial_.c_str());
  }
  BlobStatus append(std::string_view bytes) override {
    std::size_t done = 0;
    while (done < bytes.size()) {
      ssize_t n = ::write(fd_, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return BlobStatus::io_error("write of " + partial_.string() + " failed: " + errno_text(errno));
      }
      done += static_cast<std::size_t>(n);
    }
    written_ += static_cast<std::int64_t>(bytes.size());
    return BlobStatus::ok();
  }
  BlobStatus commit() override {
    if (::fsync(fd_) != 0) return BlobStatus::io_error("fsync of " + partial_.string() + " failed: " + errno_text(errno));
    ::close(fd_);
    fd_ = -1;
    if (::rename(partial_.c_str(), target_.c_str()) != 0)
      return BlobStatus::io_error("cannot rename " + partial_.string() + ": " + errno_text(errno));
    committed_ = true;
    return fsync_dir(target_.parent_path());
  }
  std::int64_t written() const override { return written_; }

 private:
  int fd_;
  fs::path partial_, target_;
  std::int64_t written_ = 0;
  bool committed_ = false;
};

class DirReader : public BlobReader {
 public:
  DirReader(int fd, BlobInfo info) : fd_(fd), info_(std::move(info)) {}
  ~DirReader() override { ::close(fd_); }
  const BlobInfo& info() const override { return info_; }
  BlobStatus read(std::int64_t offset, std::size_t n, std::string* out) override {
    out->resize(n);
    std::size_t got = 0;
    while (got < n) {
      ssize_t r = ::pread(fd_, out->data() + got, n - got, offset + static_cast<std::int64_t>(got));
      if (r < 0) {
        if (errno == EINTR) continue;
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

class DirectoryArchiveTier : public ArchiveTier {
 public:
  explicit DirectoryArchiveTier(fs::path root) : root_(std::move(root)) {}
  std::string location() const override { return "dir:" + root_.string(); }

  BlobStatus create(std::string_view key, std::unique_ptr<ArchiveWriter>* out) override {
    if (auto s = check_blob_path(key); !s.is_ok()) return s;
    fs::path target = root_ / std::string(key);
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return BlobStatus::io_error("cannot create " + target.parent_path().string() + ": " + ec.message());
    fs::path partial = target;
    partial += ".partial";
    int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return BlobStatus::io_error("cannot create " + partial.string() + ": " + errno_text(errno));
    *out = std::make_unique<DirWriter>(fd, partial, target);
    return BlobStatus::ok();
  }

  BlobStatus open(std::string_view key, std::unique_ptr<BlobReader>* out) override {
    if (auto s = check_blob_path(key); !s.is_ok()) return s;
    fs::path target = root_ / std::string(key);
    int fd = ::open(target.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      if (errno == ENOENT) return BlobStatus::not_found("no archived object " + std::string(key) + " in " + location());
      return BlobStatus::io_error("cannot open " + target.string() + ": " + errno_text(errno));
    }
    struct stat st {};
    ::fstat(fd, &st);
    *out = std::make_unique<DirReader>(fd, BlobInfo{std::string(key), st.st_size, 0});
    return BlobStatus::ok();
  }

  BlobStatus remove(std::string_view key) override {
    if (auto s = check_blob_path(key); !s.is_ok()) return s;
    fs::path target = root_ / std::string(key);
    if (::unlink(target.c_str()) != 0 && errno != ENOENT)
      return BlobStatus::io_error("cannot remove " + target.string() + ": " + errno_text(errno));
    return BlobStatus::ok();
  }

 private:
  fs::path root_;
};

}  // namespace

BlobStatus open_directory_archive_tier(const fs::path& root, std::unique_ptr<ArchiveTier>* out) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return BlobStatus::io_error("cannot create archive directory " + root.string() + ": " + ec.message());
  *out = std::make_unique<DirectoryArchiveTier>(root);
  return BlobStatus::ok();
}

}  // namespace openem
