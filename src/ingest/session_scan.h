#pragma once
// SessionScan: the list of files a session folder holds, as the ingestor registers them.
// Walks the folder (no symlinked directory is entered twice), records size, mtime and
// owner of each regular file, follows symlinks only when they resolve inside the session,
// and reports every name it refuses. Stateless functions, thread-safe.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace openem::ingest {

struct LocalFile {
  std::string path;         // relative to the session, '/'-separated (the registered name)
  std::filesystem::path source;  // what is read: the file itself or a symlink's target
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;  // nanoseconds since the epoch
  std::uint32_t mode = 0;
  std::uint32_t uid = 0, gid = 0;
};

struct ScanResult {
  std::filesystem::path root;        // canonical absolute session folder
  std::vector<LocalFile> files;      // sorted by path
  std::vector<std::string> errors;   // "<path>: <reason>" for refused or unreadable entries
  std::vector<std::string> warnings; // skipped entries that are not errors
  std::uint64_t total_bytes = 0;
};

struct ScanOptions {
  std::vector<std::string> ignore_names;  // file names skipped anywhere (e.g. the marker)
};

// Throws std::runtime_error when `root` is not a readable directory.
ScanResult scan_session(const std::filesystem::path& root, const ScanOptions& options = {});

// "-rw-r--r--" as SciCat's DataFile.perm.
std::string permission_string(std::uint32_t mode);

// (size, mtime_ns) of a file now, following symlinks; throws with the file name on error.
std::pair<std::uint64_t, std::int64_t> stat_size_mtime(const std::filesystem::path& p);

}  // namespace openem::ingest
