// S3ArchiveTier: the archive tier on an S3 bucket, so archive, purge and retrieve need no
// local archive disk. Requests go through the blob store's S3Client (signing, retries, body
// checksums) and its object helpers (s3_object.h).
//
// Visibility: a bag is one object. A writer keeps at most one part in memory; a small bag is
// one PUT at commit, a large one a multipart upload whose parts go out as the bag grows and
// which is completed at commit. Both are atomic on S3: before commit nothing is visible under
// the key (an earlier bag there stays whole), and a writer destroyed without commit aborts
// its multipart upload, so a worker that fails mid-bag leaves neither a partial object nor
// parts that cost storage. (A worker killed outright cannot abort: its parts stay invisible
// until the bucket's AbortIncompleteMultipartUpload lifecycle rule removes them; docs/deploy.md.)
#include <algorithm>
#include <utility>

#include "blob/blob_path.h"
#include "blob/s3/s3_client.h"
#include "blob/s3/s3_object.h"
#include "jobs/archive_tier.h"

namespace openem {
namespace {

class S3ArchiveWriter : public ArchiveWriter {
 public:
  S3ArchiveWriter(std::shared_ptr<S3Client> client, std::string key, std::string what, std::int64_t part_size)
      : client_(client), key_(key), what_(what), part_size_(part_size), upload_(std::move(client), std::move(key), std::move(what)) {}

  BlobStatus append(std::string_view bytes) override {
    if (committed_) return BlobStatus::io_error(what_ + ": append after commit");
    buffer_.append(bytes);
    written_ += static_cast<std::int64_t>(bytes.size());
    // Strictly more than a part: the last part (sent at commit) is never empty.
    while (static_cast<std::int64_t>(buffer_.size()) > part_size_) {
      if (!upload_.started())
        if (auto s = upload_.start(); !s.is_ok()) return s;
      if (upload_.parts() + 1 >= kS3MaxParts)
        return BlobStatus::io_error(what_ + ": the bag needs more than " + std::to_string(kS3MaxParts) +
                                    " parts of " + std::to_string(part_size_) + " bytes (raise the part size)");
      S3Body part;
      part.bytes = std::string_view(buffer_).substr(0, static_cast<std::size_t>(part_size_));
      if (auto s = upload_.upload_part(&part); !s.is_ok()) return s;
      buffer_.erase(0, static_cast<std::size_t>(part_size_));
    }
    return BlobStatus::ok();
  }

  BlobStatus commit() override {
    if (committed_) return BlobStatus::ok();
    if (upload_.started()) {
      S3Body last;
      last.bytes = buffer_;
      if (auto s = upload_.upload_part(&last); !s.is_ok()) return s;
      if (auto s = upload_.complete(); !s.is_ok()) return s;
    } else if (auto s = put_whole(); !s.is_ok()) {
      return s;
    }
    committed_ = true;
    buffer_.clear();
    buffer_.shrink_to_fit();
    return BlobStatus::ok();
  }

  std::int64_t written() const override { return written_; }

 private:
  BlobStatus put_whole() {
    S3Body body;
    body.bytes = buffer_;
    S3Client::digest_bytes(&body);
    S3Request req;
    req.method = "PUT";
    req.key = key_;
    req.body = &body;
    req.expect_md5_etag = true;
    S3Response resp;
    if (auto s = client_->send(req, &resp, what_); !s.is_ok()) {
      // A 2xx that failed is a body damaged on the way that a server not checking
      // Content-MD5 kept: no bag is better than a wrong one.
      if (resp.ok()) {
        S3Request del;
        del.method = "DELETE";
        del.key = key_;
        S3Response ignored;
        client_->send(del, &ignored, what_);
      }
      return s;
    }
    if (!resp.ok()) return BlobStatus::io_error(what_ + ": " + S3Client::describe(resp));
    return BlobStatus::ok();
  }

  std::shared_ptr<S3Client> client_;
  const std::string key_, what_;
  const std::int64_t part_size_;
  S3MultipartUpload upload_;  // aborted by its destructor unless completed
  std::string buffer_;        // bytes not sent yet: at most one part and one append
  std::int64_t written_ = 0;
  bool committed_ = false;
};

class S3ArchiveTier : public ArchiveTier {
 public:
  explicit S3ArchiveTier(const S3Location& where)
      : client_(std::make_shared<S3Client>(where)), prefix_(where.prefix.empty() ? "" : where.prefix + "/") {}

  BlobStatus init() {
    S3Request req;
    req.method = "HEAD";
    S3Response resp;
    const std::string what = "cannot open the S3 archive tier " + location() + " at " + client_->location().endpoint;
    if (BlobStatus s = client_->send(req, &resp, what); !s.is_ok()) return s;
    if (resp.status == 404) return BlobStatus::io_error(what + ": the bucket does not exist (HTTP 404)");
    if (resp.status == 403) return BlobStatus::io_error(what + ": access denied (HTTP 403; check the credentials)");
    if (!resp.ok()) return BlobStatus::io_error(what + ": " + S3Client::describe(resp));
    return BlobStatus::ok();
  }

  std::string location() const override { return client_->location().display(); }

  BlobStatus create(std::string_view key, std::unique_ptr<ArchiveWriter>* out) override {
    if (auto s = check_blob_path(key); !s.is_ok()) return s;
    const std::int64_t part_size = std::max(client_->location().tuning.part_size, kS3MinPartSize);
    *out = std::make_unique<S3ArchiveWriter>(client_, object_key(key), "cannot archive " + object_name(key), part_size);
    return BlobStatus::ok();
  }

  BlobStatus open(std::string_view key, std::unique_ptr<BlobReader>* out) override {
    if (auto s = check_blob_path(key); !s.is_ok()) return s;
    S3ObjectHead head;
    const std::string k = object_key(key);
    if (auto s = s3_head_object(*client_, k, key, "cannot open " + object_name(key),
                                "no archived object " + std::string(key) + " in " + location(), &head);
        !s.is_ok())
      return s;
    *out = make_s3_object_reader(client_, k, std::move(head));
    return BlobStatus::ok();
  }

  BlobStatus remove(std::string_view key) override {
    if (auto s = check_blob_path(key); !s.is_ok()) return s;
    S3Request req;
    req.method = "DELETE";
    req.key = object_key(key);
    S3Response resp;
    const std::string what = "cannot remove " + object_name(key);
    if (auto s = client_->send(req, &resp, what); !s.is_ok()) return s;
    // S3 answers 204 for a missing key too; 404 from other servers means the same: gone.
    if (!resp.ok() && resp.status != 404) return BlobStatus::io_error(what + ": " + S3Client::describe(resp));
    return BlobStatus::ok();
  }

 private:
  std::string object_key(std::string_view key) const { return prefix_ + std::string(key); }
  std::string object_name(std::string_view key) const {
    return "s3://" + client_->location().bucket + "/" + object_key(key);
  }

  std::shared_ptr<S3Client> client_;
  const std::string prefix_;  // "<prefix>/" or ""
};

}  // namespace

BlobStatus open_s3_archive_tier(const S3Location& where, std::unique_ptr<ArchiveTier>* out) {
  auto tier = std::make_unique<S3ArchiveTier>(where);
  if (auto s = tier->init(); !s.is_ok()) return s;
  *out = std::move(tier);
  return BlobStatus::ok();
}

}  // namespace openem
