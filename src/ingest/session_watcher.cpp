#include "ingest/session_watcher.h"

#include <sys/stat.h>

#include <thread>

namespace openem::ingest {
namespace fs = std::filesystem;

FolderFingerprint fingerprint_folder(const fs::path& folder, const std::string& marker) {
  FolderFingerprint fp;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(folder, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || S_ISDIR(st.st_mode)) continue;
    if (!marker.empty() && it->path().filename() == marker) fp.marker = true;
    ++fp.files;
    fp.bytes += static_cast<std::uint64_t>(st.st_size);
    std::int64_t m = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
    fp.newest_mtime_ns = std::max(fp.newest_mtime_ns, m);
  }
  return fp;
}

SessionWatcher::SessionWatcher(fs::path root, WatchOptions options, std::function<bool(const fs::path&)> ingest,
                               std::function<bool(const fs::path&)> is_done)
    : root_(std::move(root)), options_(std::move(options)), ingest_(std::move(ingest)), is_done_(std::move(is_done)) {}

int SessionWatcher::poll() {
  int handed = 0;
  auto now = std::chrono::steady_clock::now();
  std::error_code ec;
  for (fs::directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
    std::string name = it->path().filename().string();
    if (!name.empty() && name[0] == '.') continue;
    FolderFingerprint fp = fingerprint_folder(it->path(), options_.marker);
    auto found = seen_.find(name);
    if (found == seen_.end()) {
      Seen s{fp, now, false, {}};
      s.done = is_done_(it->path());
      seen_.emplace(name, s);
      if (s.done || (options_.marker.empty() || !fp.marker)) continue;
      found = seen_.find(name);
    } else if (!(found->second.print == fp)) {
      found->second = Seen{fp, now, false, {}};
    }
    Seen& s = found->second;
    if (s.done || now < s.retry_after || fp.files == 0) continue;
    bool complete;
    if (!options_.marker.empty()) {
      complete = fp.marker;
    } else {
      // Unchanged through a whole quiet period, as seen by this process and by the clock.
      auto wall_age = std::chrono::system_clock::now().time_since_epoch() - std::chrono::nanoseconds(fp.newest_mtime_ns);
      complete = now - s.since >= std::chrono::duration<double>(options_.quiet_seconds) &&
                 wall_age >= std::chrono::duration<double>(options_.quiet_seconds);
    }
    if (!complete) continue;
    ++handed;
    if (ingest_(it->path())) {
      s.done = true;
      s.print = fingerprint_folder(it->path(), options_.marker);  // the ingest may have touched nothing, but be sure
    } else {
      s.retry_after = now + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                std::chrono::duration<double>(options_.poll_seconds * 6));
    }
  }
  return handed;
}

void SessionWatcher::run(const std::function<bool()>& stop) {
  while (!stop()) {
    poll();
    auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(options_.poll_seconds);
    while (!stop() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace openem::ingest
