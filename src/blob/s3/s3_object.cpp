// Shared S3 object operations: HEAD, the versioned ranged reader, multipart uploads.
#include "blob/s3/s3_object.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <system_error>
#include <utility>

#include "blob/s3/s3_xml.h"
#include "core/time.h"

namespace openem {
namespace {

std::optional<std::int64_t> parse_size(std::string_view text) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v < 0 || text.empty()) return std::nullopt;
  return v;
}

std::int64_t millis_to_ns(std::optional<Millis> ms) { return ms ? *ms * 1000000 : 0; }

class S3ObjectReader : public BlobReader {
 public:
  S3ObjectReader(std::shared_ptr<S3Client> client, std::string key, S3ObjectHead head)
      : client_(std::move(client)), key_(std::move(key)), head_(std::move(head)) {}

  const BlobInfo& info() const override { return head_.info; }

  BlobStatus read(std::int64_t offset, std::size_t n, std::string* out) override {
    out->clear();
    const std::string what = "cannot read '" + head_.info.path + "' (s3://" + client_->location().bucket + "/" + key_ + ")";
    if (offset < 0) return BlobStatus::io_error(what + ": negative offset " + std::to_string(offset));
    if (n == 0 || offset >= head_.info.size) return BlobStatus::ok();
    const std::int64_t length = std::min<std::int64_t>(static_cast<std::int64_t>(std::min<std::size_t>(n, INT64_MAX)),
                                                       head_.info.size - offset);
    S3Request req;
    req.key = key_;
    req.headers.push_back("Range: bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
    // The version opened, and no other: S3 answers 412 when the ETag no longer matches.
    if (!head_.etag.empty()) req.headers.push_back("If-Match: " + head_.etag);
    if (!head_.version_id.empty()) req.query.emplace_back("versionId", head_.version_id);
    req.max_body = static_cast<std::size_t>(length);
    S3Response resp;
    if (BlobStatus s = client_->send(req, &resp, what); !s.is_ok()) return s;
    if (resp.status == 404 && head_.version_id.empty())
      return BlobStatus::io_error(what + ": it was removed after it was opened");
    // Servers that ignore If-Match still name the version they answer with.
    std::string etag = resp.header("etag");
    if (resp.status == 412 || resp.status == 416 || (resp.ok() && !head_.etag.empty() && !etag.empty() && etag != head_.etag))
      return BlobStatus::io_error(what + ": it changed after it was opened (ETag " + head_.etag +
                                  (etag.empty() || etag == head_.etag ? "" : ", now " + etag) + ")");
    if (!resp.ok()) return BlobStatus::io_error(what + ": " + S3Client::describe(resp));
    // A 206 with the range, or a 200 with the whole object when that is what was asked for (a
    // server that ignores Range and sends more fails above, as larger than expected).
    if (static_cast<std::int64_t>(resp.body.size()) != length)
      return BlobStatus::io_error(what + ": the server sent " + std::to_string(resp.body.size()) + " bytes of the " +
                                  std::to_string(length) + " asked for");
    *out = std::move(resp.body);
    return BlobStatus::ok();
  }

 private:
  std::shared_ptr<S3Client> client_;
  const std::string key_;
  const S3ObjectHead head_;
};

}  // namespace

BlobStatus s3_head_object(S3Client& client, const std::string& key, std::string_view name, const std::string& what,
                          const std::string& not_found_message, S3ObjectHead* out) {
  S3Request req;
  req.method = "HEAD";
  req.key = key;
  S3Response resp;
  if (auto s = client.send(req, &resp, what); !s.is_ok()) return s;
  if (resp.status == 404) return BlobStatus::not_found(not_found_message);
  if (!resp.ok()) return BlobStatus::io_error(what + ": " + S3Client::describe(resp));
  auto size = parse_size(resp.header("content-length"));
  if (!size) return BlobStatus::io_error(what + ": the answer to HEAD has no valid Content-Length");
  out->info = BlobInfo{std::string(name), *size, millis_to_ns(parse_http_date(resp.header("last-modified")))};
  out->etag = resp.header("etag");
  out->version_id = resp.header("x-amz-version-id");
  if (out->version_id == "null") out->version_id.clear();  // an unversioned object of a versioned bucket
  return BlobStatus::ok();
}

std::unique_ptr<BlobReader> make_s3_object_reader(std::shared_ptr<S3Client> client, std::string key,
                                                  S3ObjectHead head) {
  return std::make_unique<S3ObjectReader>(std::move(client), std::move(key), std::move(head));
}

S3MultipartUpload::S3MultipartUpload(std::shared_ptr<S3Client> client, std::string key, std::string what)
    : client_(std::move(client)), key_(std::move(key)), what_(std::move(what)) {}

S3MultipartUpload::~S3MultipartUpload() { abort(); }

BlobStatus S3MultipartUpload::start() {
  S3Request create;
  create.method = "POST";
  create.key = key_;
  create.query = {{"uploads", ""}};
  S3Response resp;
  const std::string what = what_ + " (starting a multipart upload)";
  if (auto s = client_->send(create, &resp, what); !s.is_ok()) return s;
  if (!resp.ok()) return BlobStatus::io_error(what + ": " + S3Client::describe(resp));
  upload_id_ = parse_upload_id(resp.body);
  if (upload_id_.empty()) return BlobStatus::io_error(what_ + ": the answer to CreateMultipartUpload has no UploadId");
  return BlobStatus::ok();
}

BlobStatus S3MultipartUpload::upload_part(S3Body* part) {
  const int number = parts() + 1;
  const std::string part_what = what_ + " (part " + std::to_string(number) + ")";
  if (!started() || done_) return BlobStatus::io_error(part_what + ": the multipart upload is not open");
  if (part->fd >= 0) {
    if (auto s = S3Client::digest_file(part); !s.is_ok()) return BlobStatus::io_error(part_what + ": " + s.message());
  } else {
    S3Client::digest_bytes(part);
  }
  S3Request req;
  req.method = "PUT";
  req.key = key_;
  req.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}};
  req.body = part;
  req.expect_md5_etag = true;
  S3Response resp;
  if (auto s = client_->send(req, &resp, part_what); !s.is_ok()) return s;
  if (!resp.ok()) return BlobStatus::io_error(part_what + ": " + S3Client::describe(resp));
  std::string etag = resp.header("etag");
  if (etag.empty()) return BlobStatus::io_error(part_what + ": the answer has no ETag");
  etags_.push_back(std::move(etag));
  return BlobStatus::ok();
}

BlobStatus S3MultipartUpload::complete() {
  const std::string what = what_ + " (completing the multipart upload)";
  if (!started() || done_) return BlobStatus::io_error(what + ": the multipart upload is not open");
  const std::string xml = complete_multipart_body(etags_);
  S3Body body;
  body.bytes = xml;
  S3Client::digest_bytes(&body);
  S3Request req;
  req.method = "POST";
  req.key = key_;
  req.query = {{"uploadId", upload_id_}};
  req.body = &body;
  S3Response resp;
  if (auto s = client_->send(req, &resp, what); !s.is_ok()) return s;
  // S3 may answer 200 with an <Error> body when completing fails late.
  if (!resp.ok() || !parse_s3_error(resp.body).code.empty())
    return BlobStatus::io_error(what + ": " + S3Client::describe(resp));
  done_ = true;
  return BlobStatus::ok();
}

void S3MultipartUpload::abort() {
  if (!started() || done_) return;
  done_ = true;
  // Parts of an upload never completed cost storage until aborted; a failure here leaves
  // them to the bucket's lifecycle rule (AbortIncompleteMultipartUpload), never visible.
  S3Request req;
  req.method = "DELETE";
  req.key = key_;
  req.query = {{"uploadId", upload_id_}};
  S3Response ignored;
  client_->send(req, &ignored, what_ + " (aborting the multipart upload)");
}

}  // namespace openem
