// FsBlobStore: BlobStore on a local filesystem. Paths are checked lexically (check_blob_path)
// and the store never creates symlinks, so a checked path cannot leave the root; files are
// opened with O_NOFOLLOW anyway in case someone placed a link by hand.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>

#include "blob/blob_path.h"
#include "blob/blob_store.h"
#include "blob/posix_file.h"

namespace openem {
namespace fs = std::filesystem;
namespace {

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

class FsBlobStore : public BlobStore {
 public:
  explicit FsBlobStore(fs::path root) : root_(std::move(root)), datasets_(root_ / "datasets"), staging_(root_ / "staging") {}

  BlobStatus init() {
    std::error_code ec;
    for (const auto& d : {datasets_, staging_}) {
      fs::create_directories(d, ec);
      if (ec) return BlobStatus::io_error("cannot create " + d.string() + ": " + ec.message());
    }
    return BlobStatus::ok();
  }

  const fs::path& staging_dir() const override { return staging_; }

  BlobStatus put(std::string_view pid, std::string_view path, const fs::path& staged) override {
    fs::path target;
    if (auto s = locate(pid, path, &target); !s.is_ok()) return s;
    if (auto s = fsync_path(staged, false); !s.is_ok()) return s;
    // Directory changes are serialised so that remove() pruning empty directories cannot
    // delete the parent between our create_directories and rename.
    std::lock_guard lock(tree_mu_);
    std::error_code ec;
    fs::create_directories(target.parent_path(), ec);
    if (ec) return BlobStatus::io_error("cannot store '" + std::string(path) + "': cannot create its directory (" + ec.message() + "; a file may have the name of a directory)");
    if (::rename(staged.c_str(), target.c_str()) != 0)
      return BlobStatus::io_error("cannot store '" + std::string(path) + "': " + errno_text(errno));
    return fsync_path(target.parent_path(), true);
  }

  BlobStatus open(std::string_view pid, std::string_view path, std::unique_ptr<BlobReader>* out) override {
    fs::path target;
    if (auto s = locate(pid, path, &target); !s.is_ok()) return s;
    int fd = ::open(target.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return missing_or_error(path, errno);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return BlobStatus::not_found("file '" + std::string(path) + "' has not been uploaded");
    }
    *out = make_fd_reader(fd, BlobInfo{std::string(path), st.st_size, mtime_ns(st)});
    return BlobStatus::ok();
  }

  BlobStatus stat(std::string_view pid, std::string_view path, BlobInfo* out) override {
    fs::path target;
    if (auto s = locate(pid, path, &target); !s.is_ok()) return s;
    struct stat st {};
    if (::lstat(target.c_str(), &st) != 0) return missing_or_error(path, errno);
    if (!S_ISREG(st.st_mode)) return BlobStatus::not_found("file '" + std::string(path) + "' has not been uploaded");
    *out = BlobInfo{std::string(path), st.st_size, mtime_ns(st)};
    return BlobStatus::ok();
  }

  BlobStatus remove(std::string_view pid, std::string_view path) override {
    fs::path target;
    if (auto s = locate(pid, path, &target); !s.is_ok()) return s;
    std::lock_guard lock(tree_mu_);
    struct stat st {};
    if (::lstat(target.c_str(), &st) != 0) return missing_or_error(path, errno);
    if (S_ISDIR(st.st_mode)) return missing_or_error(path, ENOENT);
    if (::unlink(target.c_str()) != 0) return BlobStatus::io_error("cannot remove '" + std::string(path) + "': " + errno_text(errno));
    // Prune directories left empty, up to (and including) the dataset's own directory.
    fs::path top = datasets_ / pid_directory_name(pid);
    for (fs::path dir = target.parent_path(); dir.string().size() >= top.string().size(); dir = dir.parent_path()) {
      if (::rmdir(dir.c_str()) != 0) break;  // not empty (or gone): stop
      if (dir == top) break;
    }
    return fsync_path(datasets_, true);
  }

  BlobStatus list(std::string_view pid, std::vector<BlobInfo>* out) override {
    out->clear();
    fs::path top = datasets_ / pid_directory_name(pid);
    std::error_code ec;
    if (!fs::is_directory(fs::symlink_status(top, ec))) return BlobStatus::ok();
    for (fs::recursive_directory_iterator it(top, ec), end; !ec && it != end; it.increment(ec)) {
      if (!it->is_regular_file(ec) || it->is_symlink(ec)) continue;
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0) continue;  // removed meanwhile
      out->push_back(BlobInfo{it->path().lexically_relative(top).generic_string(), st.st_size, mtime_ns(st)});
    }
    if (ec) return BlobStatus::io_error("cannot list the files of dataset " + std::string(pid) + ": " + ec.message());
    std::sort(out->begin(), out->end(), [](const BlobInfo& a, const BlobInfo& b) { return a.path < b.path; });
    return BlobStatus::ok();
  }

 private:
  BlobStatus locate(std::string_view pid, std::string_view path, fs::path* out) const {
    if (pid.empty()) return BlobStatus::invalid_path("empty dataset pid");
    if (auto s = check_blob_path(path); !s.is_ok()) return s;
    *out = datasets_ / pid_directory_name(pid) / fs::path(std::string(path));
    return BlobStatus::ok();
  }

  static BlobStatus missing_or_error(std::string_view path, int e) {
    if (e == ENOENT || e == ENOTDIR || e == ELOOP)
      return BlobStatus::not_found("file '" + std::string(path) + "' has not been uploaded");
    return BlobStatus::io_error("cannot open '" + std::string(path) + "': " + errno_text(e));
  }

  fs::path root_, datasets_, staging_;
  std::mutex tree_mu_;
};

}  // namespace

BlobStatus open_fs_blob_store(const fs::path& root, std::unique_ptr<BlobStore>* out) {
  auto store = std::make_unique<FsBlobStore>(root);
  if (auto s = store->init(); !s.is_ok()) return s;
  *out = std::move(store);
  return BlobStatus::ok();
}

}  // namespace openem
