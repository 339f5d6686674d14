#pragma once
// Whole-object operations on S3 that more than one store needs (the blob store and the S3
// archive tier): HEAD, a reader that reads the version it opened in ranged GETs, and a
// multipart upload (create, parts, complete, abort). All requests go through one S3Client, so
// signing, retries and body checksums are S3Client's. The functions are thread-safe; an
// S3MultipartUpload is thread-compatible (one writer).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "blob/blob_status.h"
#include "blob/blob_store.h"
#include "blob/s3/s3_client.h"

namespace openem {

// S3's limits for multipart uploads: parts of 5 MiB at least (but the last), 10000 parts.
constexpr std::int64_t kS3MinPartSize = 5 << 20;
constexpr std::int64_t kS3MaxParts = 10000;

// What HEAD says about an object.
struct S3ObjectHead {
  BlobInfo info;           // info.path is the caller's name for the object
  std::string etag;        // as sent, quotes included
  std::string version_id;  // on versioned buckets only
};

// HEAD of `key`; not_found ("<not_found_message>") when there is none, kIoError naming
// `what` otherwise. `name` goes into the BlobInfo.
BlobStatus s3_head_object(S3Client& client, const std::string& key, std::string_view name, const std::string& what,
                          const std::string& not_found_message, S3ObjectHead* out);

// A reader of the version `head` describes: every read is a ranged GET with If-Match (and
// versionId on versioned buckets), so a replaced or removed object is an error, never a mix
// of two versions.
std::unique_ptr<BlobReader> make_s3_object_reader(std::shared_ptr<S3Client> client, std::string key,
                                                  S3ObjectHead head);

// One multipart upload of `key`. start() creates it; upload_part() sends parts 1, 2, ... in
// order; complete() makes the object visible; abort() (also run by the destructor when
// started and not completed) discards the parts, so an abandoned upload costs no storage and
// leaves nothing visible.
class S3MultipartUpload {
 public:
  S3MultipartUpload(std::shared_ptr<S3Client> client, std::string key, std::string what);
  ~S3MultipartUpload();
  S3MultipartUpload(const S3MultipartUpload&) = delete;
  S3MultipartUpload& operator=(const S3MultipartUpload&) = delete;

  BlobStatus start();
  // `part` without digests: they are computed here (from the bytes or the file range).
  BlobStatus upload_part(S3Body* part);
  BlobStatus complete();
  void abort();
  bool started() const { return !upload_id_.empty(); }
  int parts() const { return static_cast<int>(etags_.size()); }

 private:
  std::shared_ptr<S3Client> client_;
  const std::string key_, what_;
  std::string upload_id_;
  std::vector<std::string> etags_;
  bool done_ = false;
};

}  // namespace openem
