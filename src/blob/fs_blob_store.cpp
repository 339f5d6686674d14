// FsBlobStore: BlobStore on a local filesystem. Paths are checked lexically (check_blob_path),
// and every file and directory below <root>/datasets is reached through descriptors opened
// beneath it without following symlinks (open_beneath; per-component O_NOFOLLOW where new
// directories are made). The store never creates symlinks, so one found inside was planted
// by hand: whatever it names — a dataset's directory, a directory inside it, a file — looks
// missing, and nothing is read, written or removed through it.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>
#include <vector>

#include "blob/blob_path.h"
#include "blob/blob_store.h"
#include "blob/posix_file.h"

namespace openem {
namespace fs = std::filesystem;
namespace {

std::int64_t mtime_ns(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

// A descriptor closed at the end of its scope.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

std::vector<std::string> split_path(std::string_view rel) {
  std::vector<std::string> parts;
  size_t pos = 0;
  for (;;) {
    size_t slash = rel.find('/', pos);
    parts.emplace_back(rel.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    if (slash == std::string_view::npos) return parts;
    pos = slash + 1;
  }
}

class FsBlobStore : public BlobStore {
 public:
  FsBlobStore(fs::path root, FileSystem& files)
      : root_(std::move(root)), datasets_(root_ / "datasets"), staging_(root_ / "staging"), files_(files) {}

  BlobStatus init() {
    std::error_code ec;
    for (const auto& d : {datasets_, staging_}) {
      fs::create_directories(d, ec);
      if (ec) return BlobStatus::io_error("cannot create " + d.string() + ": " + ec.message());
    }
    datasets_fd_ = Fd(::open(datasets_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (datasets_fd_.get() < 0) return BlobStatus::io_error("cannot open " + datasets_.string() + ": " + errno_text(errno));
    return BlobStatus::ok();
  }

  const fs::path& staging_dir() const override { return staging_; }

  BlobStatus put(std::string_view pid, std::string_view path, const fs::path& staged) override {
    std::string rel;
    if (auto s = locate(pid, path, &rel); !s.is_ok()) return s;
    if (auto s = fsync_path(staged, false, files_); !s.is_ok()) return s;
    // Directory changes are serialised so that remove() pruning empty directories cannot
    // delete the parent between our mkdirat and renameat.
    std::lock_guard lock(tree_mu_);
    int parent_or_error = open_parent_creating(rel);
    if (parent_or_error < 0)
      return BlobStatus::from_errno(-parent_or_error, "cannot store '" + std::string(path) +
                                                          "': cannot create its directory (a file or a link may have the "
                                                          "name of a directory)");
    Fd parent(parent_or_error);
    std::string leaf = rel.substr(rel.rfind('/') + 1);
    if (::renameat(AT_FDCWD, staged.c_str(), parent.get(), leaf.c_str()) != 0)
      return BlobStatus::from_errno(errno, "cannot store '" + std::string(path) + "'");
    if (BlobStatus s = files_.sync(parent.get(), "the directory of '" + std::string(path) + "'"); !s.is_ok()) {
      // Not durable: the file goes back to staging, so that put() stays all or nothing and
      // the caller can simply try again.
      ::renameat(parent.get(), leaf.c_str(), AT_FDCWD, staged.c_str());
      return s;
    }
    return BlobStatus::ok();
  }

  BlobStatus open(std::string_view pid, std::string_view path, std::unique_ptr<BlobReader>* out) override {
    std::string rel;
    if (auto s = locate(pid, path, &rel); !s.is_ok()) return s;
    int fd = open_beneath(datasets_fd_.get(), rel, O_RDONLY);
    if (fd < 0) return missing_or_error(path, -fd);
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
      ::close(fd);
      return not_uploaded(path);
    }
    *out = make_fd_reader(fd, BlobInfo{std::string(path), st.st_size, mtime_ns(st)});
    return BlobStatus::ok();
  }

  BlobStatus stat(std::string_view pid, std::string_view path, BlobInfo* out) override {
    std::string rel;
    if (auto s = locate(pid, path, &rel); !s.is_ok()) return s;
    int fd = open_beneath(datasets_fd_.get(), rel, O_PATH);
    if (fd < 0) return missing_or_error(path, -fd);
    Fd file(fd);
    struct stat st {};
    if (::fstat(file.get(), &st) != 0) return missing_or_error(path, errno);
    if (!S_ISREG(st.st_mode)) return not_uploaded(path);  // a directory, or (fallback) the link itself
    *out = BlobInfo{std::string(path), st.st_size, mtime_ns(st)};
    return BlobStatus::ok();
  }

  BlobStatus remove(std::string_view pid, std::string_view path) override {
    std::string rel;
    if (auto s = locate(pid, path, &rel); !s.is_ok()) return s;
    std::vector<std::string> names = split_path(rel);
    std::lock_guard lock(tree_mu_);
    // dirs[i] is the directory names[i] lives in: dirs[0] = datasets/, dirs.back() = the
    // file's own directory. Each opened from the previous one, never through a link.
    std::vector<Fd> dirs;
    dirs.emplace_back(::dup(datasets_fd_.get()));
    for (size_t i = 0; i + 1 < names.size(); ++i) {
      int fd = ::openat(dirs.back().get(), names[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return missing_or_error(path, errno);
      dirs.emplace_back(fd);
    }
    struct stat st {};
    if (::fstatat(dirs.back().get(), names.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return missing_or_error(path, errno);
    if (!S_ISREG(st.st_mode)) return not_uploaded(path);
    if (::unlinkat(dirs.back().get(), names.back().c_str(), 0) != 0)
      return BlobStatus::io_error("cannot remove '" + std::string(path) + "': " + errno_text(errno));
    // Prune directories left empty, up to (and including) the dataset's own directory; the
    // last directory changed is synced, which makes the removal durable.
    size_t changed = dirs.size() - 1;
    while (changed > 0 && ::unlinkat(dirs[changed - 1].get(), names[changed - 1].c_str(), AT_REMOVEDIR) == 0) --changed;
    return files_.sync(dirs[changed].get(), "the directory of '" + std::string(path) + "'");
  }

  BlobStatus list(std::string_view pid, std::vector<BlobInfo>* out) override {
    out->clear();
    auto error = [&](int e) {
      return BlobStatus::io_error("cannot list the files of dataset " + std::string(pid) + ": " + errno_text(e));
    };
    int top_or_error = open_beneath(datasets_fd_.get(), pid_directory_name(pid), O_RDONLY | O_DIRECTORY);
    if (top_or_error == -ENOENT || top_or_error == -ELOOP || top_or_error == -ENOTDIR) return BlobStatus::ok();
    if (top_or_error < 0) return error(-top_or_error);
    Fd top(top_or_error);
    // Depth first with a list of directories still to read, so at most one is open at a time
    // however deep or wide the tree is.
    std::vector<std::string> pending{""};
    while (!pending.empty()) {
      std::string dir = std::move(pending.back());
      pending.pop_back();
      int fd = dir.empty() ? ::dup(top.get()) : open_beneath(top.get(), dir, O_RDONLY | O_DIRECTORY);
      if (fd == -ENOENT || fd == -ELOOP || fd == -ENOTDIR) continue;  // removed or replaced meanwhile
      if (fd < 0) return error(dir.empty() ? errno : -fd);
      DIR* d = ::fdopendir(fd);
      if (!d) {
        int e = errno;
        ::close(fd);
        return error(e);
      }
      for (;;) {
        errno = 0;
        struct dirent* entry = ::readdir(d);
        if (!entry) break;
        std::string_view name = entry->d_name;
        if (name == "." || name == "..") continue;
        struct stat st {};
        if (::fstatat(::dirfd(d), entry->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // removed meanwhile
        std::string child = dir.empty() ? std::string(name) : dir + "/" + std::string(name);
        if (S_ISDIR(st.st_mode)) pending.push_back(std::move(child));
        else if (S_ISREG(st.st_mode)) out->push_back(BlobInfo{std::move(child), st.st_size, mtime_ns(st)});
      }
      int e = errno;
      ::closedir(d);
      if (e != 0) return error(e);
    }
    std::sort(out->begin(), out->end(), [](const BlobInfo& a, const BlobInfo& b) { return a.path < b.path; });
    return BlobStatus::ok();
  }

 private:
  // "<pid directory>/<path>", relative to datasets/.
  BlobStatus locate(std::string_view pid, std::string_view path, std::string* rel) const {
    if (pid.empty()) return BlobStatus::invalid_path("empty dataset pid");
    if (auto s = check_blob_path(path); !s.is_ok()) return s;
    *rel = pid_directory_name(pid) + "/" + std::string(path);
    return BlobStatus::ok();
  }

  // The directory that holds rel's last component, opened; missing directories on the way
  // are made (each new one synced into its parent before anything goes into it). A link or a
  // file where a directory belongs is an error, never followed. Returns the fd or -errno.
  int open_parent_creating(std::string_view rel) const {
    Fd cur(::dup(datasets_fd_.get()));
    if (cur.get() < 0) return -errno;
    std::vector<std::string> names = split_path(rel);
    for (size_t i = 0; i + 1 < names.size(); ++i) {
      bool created = ::mkdirat(cur.get(), names[i].c_str(), 0755) == 0;
      if (!created && errno != EEXIST) return -errno;
      int fd = ::openat(cur.get(), names[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0) return -errno;
      if (created && !files_.sync(cur.get(), names[i]).is_ok()) {
        ::close(fd);
        return -EIO;
      }
      cur = Fd(fd);
    }
    return cur.release();
  }

  static BlobStatus not_uploaded(std::string_view path) {
    return BlobStatus::not_found("file '" + std::string(path) + "' has not been uploaded");
  }

  static BlobStatus missing_or_error(std::string_view path, int e) {
    if (e == ENOENT || e == ENOTDIR || e == ELOOP || e == EXDEV) return not_uploaded(path);
    return BlobStatus::io_error("cannot open '" + std::string(path) + "': " + errno_text(e));
  }

  fs::path root_, datasets_, staging_;
  FileSystem& files_;
  Fd datasets_fd_;
  std::mutex tree_mu_;
};

}  // namespace

BlobStatus open_fs_blob_store(const fs::path& root, std::unique_ptr<BlobStore>* out, FileSystem& files) {
  auto store = std::make_unique<FsBlobStore>(root, files);
  if (auto s = store->init(); !s.is_ok()) return s;
  *out = std::move(store);
  return BlobStatus::ok();
}

}  // namespace openem
