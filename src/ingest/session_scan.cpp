#include "ingest/session_scan.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "ingest/path_safety.h"

namespace openem::ingest {
namespace fs = std::filesystem;
namespace {

std::int64_t mtime_of(const struct stat& st) {
  return static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
}

class Walker {
 public:
  Walker(ScanResult& out, const ScanOptions& options) : out_(out), options_(options) {}

  void walk(const fs::path& dir, const std::string& prefix) {
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      out_.errors.push_back(display(prefix.empty() ? "." : prefix) + ": cannot read folder: " + std::strerror(errno));
      return;
    }
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n != "." && n != "..") names.push_back(std::move(n));
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) visit(dir / name, prefix.empty() ? name : prefix + "/" + name, name);
  }

 private:
  static std::string display(const std::string& rel) { return printable(rel); }

  void visit(const fs::path& abs, const std::string& rel, const std::string& name) {
    if (std::find(options_.ignore_names.begin(), options_.ignore_names.end(), name) != options_.ignore_names.end())
      return;
    if (auto why = unsafe_path_reason(rel)) {
      out_.errors.push_back(display(rel) + ": refused: " + *why);
      return;
    }
    struct stat st {};
    if (::lstat(abs.c_str(), &st) != 0) {
      out_.errors.push_back(display(rel) + ": cannot stat: " + std::strerror(errno));
      return;
    }
    fs::path source = abs;
    if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      fs::path target = fs::canonical(abs, ec);
      if (ec) {
        out_.errors.push_back(display(rel) + ": refused: broken symbolic link");
        return;
      }
      if (!is_within(out_.root.string(), target.string())) {
        out_.errors.push_back(display(rel) + ": refused: symbolic link points outside the session (" +
                              printable(target.string()) + ")");
        return;
      }
      if (::stat(target.c_str(), &st) != 0) {
        out_.errors.push_back(display(rel) + ": cannot stat link target: " + std::strerror(errno));
        return;
      }
      if (S_ISDIR(st.st_mode)) {
        // Its files are registered under their real names already; entering it could loop.
        out_.warnings.push_back(display(rel) + ": skipped: symbolic link to a folder inside the session");
        return;
      }
      source = target;
    }
    if (S_ISDIR(st.st_mode)) {
      walk(abs, rel);
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      out_.warnings.push_back(display(rel) + ": skipped: not a regular file");
      return;
    }
    if (::access(source.c_str(), R_OK) != 0) {
      out_.errors.push_back(display(rel) + ": cannot read: " + std::strerror(errno));
      return;
    }
    LocalFile f;
    f.path = rel;
    f.source = source;
    f.size = static_cast<std::uint64_t>(st.st_size);
    f.mtime_ns = mtime_of(st);
    f.mode = st.st_mode;
    f.uid = st.st_uid;
    f.gid = st.st_gid;
    out_.total_bytes += f.size;
    out_.files.push_back(std::move(f));
  }

  ScanResult& out_;
  const ScanOptions& options_;
};

}  // namespace

ScanResult scan_session(const fs::path& root, const ScanOptions& options) {
  std::error_code ec;
  fs::path canonical = fs::canonical(root, ec);
  if (ec) throw std::runtime_error(root.string() + ": " + ec.message());
  if (!fs::is_directory(canonical, ec)) throw std::runtime_error(root.string() + ": not a folder");
  ScanResult out;
  out.root = canonical;
  Walker(out, options).walk(canonical, "");
  std::sort(out.files.begin(), out.files.end(), [](const LocalFile& a, const LocalFile& b) { return a.path < b.path; });
  return out;
}

std::string permission_string(std::uint32_t mode) {
  std::string s = S_ISDIR(mode) ? "d" : S_ISLNK(mode) ? "l" : "-";
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) s.push_back((mode & (0400u >> i)) ? rwx[i] : '-');
  return s;
}

std::pair<std::uint64_t, std::int64_t> stat_size_mtime(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) throw std::runtime_error(p.string() + ": cannot stat: " + std::strerror(errno));
  return {static_cast<std::uint64_t>(st.st_size), mtime_of(st)};
}

}  // namespace openem::ingest
