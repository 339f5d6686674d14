#pragma once
// FileSystem: the writes and syncs that make stored files durable — uploads growing in the
// staging directory, their records, files moved into the blob store, archive bags (through
// posix_file.h) — behind one interface, so that tests can inject the faults a real disk
// produces (LevelDB's Env): a full disk, a write torn in the middle, a failing fsync. Every
// method retries EINTR and short writes and returns a BlobStatus naming the file; ENOSPC and
// EDQUOT are kNoSpace, other errors kIoError. posix_file_system() is the real one.
// Implementations are thread-safe.
#include <cstdint>
#include <string>
#include <string_view>

#include "blob/blob_status.h"

namespace openem {

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // All of `bytes` at `offset` (pwrite); `name` is the file, for the message.
  virtual BlobStatus write_at(int fd, std::string_view bytes, std::int64_t offset, const std::string& name) = 0;
  // All of `bytes` at the descriptor's position (write).
  virtual BlobStatus write(int fd, std::string_view bytes, const std::string& name) = 0;
  // fsync of a file or directory descriptor.
  virtual BlobStatus sync(int fd, const std::string& name) = 0;
  // ftruncate.
  virtual BlobStatus truncate(int fd, std::int64_t length, const std::string& name) = 0;
};

// The real file system (POSIX calls). A process-wide instance.
FileSystem& posix_file_system();

}  // namespace openem
