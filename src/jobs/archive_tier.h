#pragma once
// ArchiveTier: long-term storage for packed datasets (bags), keyed by a relative name. The
// embedded implementation is a directory standing in for tape; S3 buckets and tape systems
// implement the same interface. Implementations are thread-safe; an object becomes visible
// under its name only once it is complete and durable (commit), so a reader never sees a
// partly written bag.
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "blob/blob_store.h"
#include "blob/s3/s3_url.h"

namespace openem {

// One object being written. Destroying it without commit() discards what was written.
// Thread-compatible: one writer per object.
class ArchiveWriter {
 public:
  virtual ~ArchiveWriter() = default;
  virtual BlobStatus append(std::string_view bytes) = 0;
  // Makes the object durable and visible under its name, replacing an earlier one.
  virtual BlobStatus commit() = 0;
  virtual std::int64_t written() const = 0;
};

class ArchiveTier {
 public:
  virtual ~ArchiveTier() = default;
  // For datasetlifecycle.storageLocation and logs, e.g. "dir:/srv/openem/archive/copy-1".
  virtual std::string location() const = 0;
  // `key`: a relative '/'-separated name (check_blob_path rules).
  virtual BlobStatus create(std::string_view key, std::unique_ptr<ArchiveWriter>* out) = 0;
  virtual BlobStatus open(std::string_view key, std::unique_ptr<BlobReader>* out) = 0;
  virtual BlobStatus remove(std::string_view key) = 0;
};

// Files under root/<key>; writes go to root/<key>.partial, are fsynced and renamed on commit.
// A leftover .partial (a worker killed mid-write) is never read and is overwritten by the
// next attempt.
BlobStatus open_directory_archive_tier(const std::filesystem::path& root, std::unique_ptr<ArchiveTier>* out);

// Objects <prefix>/<key> of an S3 bucket (s3_archive_tier.cpp). A writer holds at most one
// part (where.tuning.part_size, at least 5 MiB) in memory; small bags are one PUT at commit,
// large ones a multipart upload completed at commit and aborted when the writer is destroyed
// uncommitted. Checks that the bucket answers: kIoError naming it and the reason otherwise.
BlobStatus open_s3_archive_tier(const S3Location& where, std::unique_ptr<ArchiveTier>* out);

}  // namespace openem
