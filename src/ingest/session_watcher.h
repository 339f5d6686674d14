#pragma once
// SessionWatcher: finds session folders (the direct subfolders of a root) that are complete
// — a marker file exists in them, or nothing in them changed for a quiet period — and hands
// each to a callback once; a folder that changes again later is handed over again (the
// ingest then adds the new files to the same dataset). Single-threaded: poll() is called from
// one thread.
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace openem::ingest {

struct WatchOptions {
  double quiet_seconds = 300;  // no change for this long → complete (when no marker is set)
  std::string marker;          // file name whose presence marks a session complete
  double poll_seconds = 5;
};

// What the watcher compares between polls: any new, grown or touched file changes it.
struct FolderFingerprint {
  std::uint64_t files = 0, bytes = 0;
  std::int64_t newest_mtime_ns = 0;
  bool marker = false;
  bool operator==(const FolderFingerprint&) const = default;
};

FolderFingerprint fingerprint_folder(const std::filesystem::path& folder, const std::string& marker);

class SessionWatcher {
 public:
  // `ingest` returns true when the session is done (it is then not handed over again until
  // it changes); false retries it at a later poll. `is_done` tells at start-up which
  // folders a previous run finished.
  SessionWatcher(std::filesystem::path root, WatchOptions options,
                 std::function<bool(const std::filesystem::path&)> ingest,
                 std::function<bool(const std::filesystem::path&)> is_done);

  // One pass over the root; returns the number of sessions handed over.
  int poll();
  // poll() every poll_seconds until stop() returns true.
  void run(const std::function<bool()>& stop);

 private:
  struct Seen {
    FolderFingerprint print;
    std::chrono::steady_clock::time_point since;  // when `print` was first seen
    bool done = false;
    std::chrono::steady_clock::time_point retry_after{};
  };

  std::filesystem::path root_;
  WatchOptions options_;
  std::function<bool(const std::filesystem::path&)> ingest_, is_done_;
  std::map<std::string, Seen> seen_;
};

}  // namespace openem::ingest
