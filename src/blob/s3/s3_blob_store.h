#pragma once
// The S3 blob store: BlobStore on a bucket of Amazon S3 or of a server speaking its protocol
// (MinIO, Ceph RGW, ...), through S3Client (libcurl, SigV4, path-style). Objects are keyed
// <prefix>/datasets/<pid_directory_name(pid)>/<path>, as the filesystem store lays out its
// files; paths are checked the same way (check_blob_path). Uploads grow in a local staging
// directory and put() sends them, as one PUT or, above S3Tuning::multipart_threshold, as a
// multipart upload, every request with its body's SHA-256 and MD5. Readers read the version
// they opened (If-Match on its ETag, versionId on versioned buckets) or fail saying it changed.
// Thread-safe.
#include <filesystem>
#include <memory>

#include "blob/blob_status.h"
#include "blob/blob_store.h"
#include "blob/s3/s3_url.h"

namespace openem {

// Creates `staging_dir` if needed and checks that the bucket answers (HEAD): kIoError naming
// the bucket and the reason (unreachable endpoint, no such bucket, access denied) otherwise.
BlobStatus open_s3_blob_store(const S3Location& where, const std::filesystem::path& staging_dir,
                              std::unique_ptr<BlobStore>* out);

}  // namespace openem
