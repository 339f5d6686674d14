#pragma once
// BlobStore: the bytes of datasets' files, keyed by (dataset pid, relative path), plus a local
// staging directory where partial uploads grow until put() moves them in atomically.
// Implementations are thread-safe: any thread may call any method; put/remove are atomic.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "blob/blob_status.h"
#include "blob/file_system.h"

namespace openem {

struct BlobInfo {
  std::string path;            // relative path inside the dataset
  std::int64_t size = 0;
  std::int64_t mtime_ns = 0;   // last modification, nanoseconds since the epoch
};

// BlobReader: one stored file opened for reading; it keeps reading the version it opened even
// if put() replaces it meanwhile. Thread-safe (positional reads).
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  virtual const BlobInfo& info() const = 0;
  // Replaces *out with up to n bytes from offset; fewer only at the end of the file.
  virtual BlobStatus read(std::int64_t offset, std::size_t n, std::string* out) = 0;
};

// How a client fetching a file directly from where it is stored should be answered.
struct DirectDownload {
  std::string content_disposition;  // "attachment; filename=..."
  std::string content_type = "application/octet-stream";
};

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // A directory on local disk for partial uploads, owned by the caller (tus). Files put()
  // takes from here are moved, not copied, where the implementation allows.
  virtual const std::filesystem::path& staging_dir() const = 0;

  // Makes the complete file `staged` the content of (pid, path), replacing an earlier one.
  // The staged file is consumed. Durable when it returns ok (data and directory fsynced); on
  // an error the staged file is still there, for another try.
  virtual BlobStatus put(std::string_view pid, std::string_view path, const std::filesystem::path& staged) = 0;
  virtual BlobStatus open(std::string_view pid, std::string_view path, std::unique_ptr<BlobReader>* out) = 0;
  virtual BlobStatus stat(std::string_view pid, std::string_view path, BlobInfo* out) = 0;
  bool exists(std::string_view pid, std::string_view path) {
    BlobInfo info;
    return stat(pid, path, &info).is_ok();
  }
  virtual BlobStatus remove(std::string_view pid, std::string_view path) = 0;
  // Every stored file of the dataset, sorted by path (bytewise); empty for an unknown pid.
  virtual BlobStatus list(std::string_view pid, std::vector<BlobInfo>* out) = 0;
  // A URL from which a client may fetch (pid, path) without an API process in the way (an S3
  // presigned URL, when the store is configured to hand them out), or nullopt: downloads go
  // through the API (the default). The URL lets whoever holds it read the file until it
  // expires, so the caller checks access first. Says nothing about whether the file exists.
  virtual std::optional<std::string> direct_download_url(std::string_view /*pid*/, std::string_view /*path*/,
                                                         const DirectDownload& /*how*/) {
    return std::nullopt;
  }
};

// The filesystem store: files under <root>/datasets/<pid_directory_name(pid)>/<path>, staging
// in <root>/staging. Creates the directories; kIoError when they cannot be created. Syncs go
// through `files` (tests inject faults there).
BlobStatus open_fs_blob_store(const std::filesystem::path& root, std::unique_ptr<BlobStore>* out,
                              FileSystem& files = posix_file_system());

}  // namespace openem
