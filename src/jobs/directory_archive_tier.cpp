// DirectoryArchiveTier: the archive tier as a plain directory (a stand-in for tape).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "blob/blob_path.h"
#include "blob/posix_file.h"
#include "jobs/archive_tier.h"

namespace openem {
namespace fs = std::filesystem;
namespace {

class DirWriter : public ArchiveWriter {
 public:
  DirWriter(int fd, fs::path partial, fs::path target) : fd_(fd), partial_(std::move(partial)), target_(std::move(target)) {}
  ~DirWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(partial_.c_str());
  }
  BlobStatus append(std::string_view bytes) override {
    BlobStatus s = write_all(fd_, bytes, partial_.string());
    if (s.is_ok()) written_ += static_cast<std::int64_t>(bytes.size());
    return s;
  }
  BlobStatus commit() override {
    if (::fsync(fd_) != 0) return BlobStatus::io_error("fsync of " + partial_.string() + " failed: " + errno_text(errno));
    ::close(fd_);
    fd_ = -1;
    if (::rename(partial_.c_str(), target_.c_str()) != 0)
      return BlobStatus::io_error("cannot rename " + partial_.string() + ": " + errno_text(errno));
    committed_ = true;
    return fsync_path(target_.parent_path(), /*directory=*/true);
  }
  std::int64_t written() const override { return written_; }

 private:
  int fd_;
  fs::path partial_, target_;
  std::int64_t written_ = 0;
  bool committed_ = false;
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
    *out = make_fd_reader(fd, BlobInfo{std::string(key), st.st_size, 0});
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
