#pragma once
// S3Client: one S3 request at a time per call, signed with libcurl's SigV4
// (CURLOPT_AWS_SIGV4 "aws:amz:<region>:s3"), path-style (<endpoint>/<bucket>/<key>), with
// retries and backoff on transient failures: connection errors, HTTP 5xx, 429 and S3's
// SlowDown/RequestTimeout, and a body that reached the server corrupted. Bodies stream from an
// open file (pread; never held in memory) or from a small buffer; every body is sent with its
// SHA-256 (x-amz-content-sha256, part of the signature) and MD5 (Content-MD5), so S3 refuses
// one damaged on the way. Thread-safe: requests run concurrently on easy handles taken from a
// small pool (which keeps connections alive between requests).
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "blob/blob_status.h"
#include "blob/s3/s3_url.h"

namespace openem {

struct S3Body {
  // Either these bytes (a PUT from memory wants length == bytes.size(); digest_bytes sets it)...
  std::string_view bytes;
  // ...or, when fd >= 0, `length` bytes of the file `fd` from `offset`.
  int fd = -1;
  std::int64_t offset = 0;
  std::int64_t length = 0;
  std::string file_name;  // for messages
  // Raw digests of the body; S3Client::digest_file and digest_bytes compute them.
  std::string md5;
  std::string sha256;
};

struct S3Request {
  std::string method = "GET";  // GET, HEAD, PUT, POST or DELETE; PUT bodies from a file or memory
  std::string key;             // the object's key (not encoded); empty for the bucket itself
  std::vector<std::pair<std::string, std::string>> query;  // not encoded, any order
  std::vector<std::string> headers;                        // "Name: value"
  const S3Body* body = nullptr;                            // PUT and POST only
  // The answer's ETag must be the body's MD5 (single PUTs and parts, unencrypted): another
  // one means the body was damaged on the way to a server that does not check Content-MD5,
  // and the request is retried like a 5xx.
  bool expect_md5_etag = false;
  // A 2xx answer with a longer body is an error (ranged reads know their size).
  std::size_t max_body = 1 << 20;
};

struct S3Response {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case; the last value wins
  std::string body;
  std::string header(const std::string& lower_case_name) const;
  bool ok() const { return status >= 200 && status < 300; }
};

class S3Client {
 public:
  explicit S3Client(S3Location where);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  const S3Location& location() const { return where_; }

  // Sends `req` until it gets a final answer or runs out of attempts. Ok with *resp for any
  // final answer, success or not (what a 404 means is the caller's business). kIoError when
  // no final answer came: "<what>: HTTP 503 SlowDown (Please reduce your request rate.) after
  // 5 attempts", "<what>: Couldn't connect to server (...) after 5 attempts", "<what>: cannot
  // read <file>: ..." (not retried). After a failure *resp holds the last attempt's answer,
  // if any (a 2xx there means a body that arrived damaged and was kept).
  BlobStatus send(const S3Request& req, S3Response* resp, const std::string& what);

  // "HTTP 403 AccessDenied (Access Denied)" for a final answer, for messages.
  static std::string describe(const S3Response& resp);

  // Raw MD5 and SHA-256 of `length` bytes of `fd` from `offset`, read in 1 MiB blocks.
  static BlobStatus digest_file(S3Body* body);
  static void digest_bytes(S3Body* body);

 private:
  void* acquire_handle();
  void release_handle(void* handle);
  std::string url_for(const S3Request& req) const;
  BlobStatus attempt(void* handle, const S3Request& req, const std::string& url, S3Response* resp,
                     std::string* transient) const;

  const S3Location where_;
  const std::string sigv4_;  // "aws:amz:<region>:s3"
  std::mutex pool_mu_;
  std::vector<void*> pool_;  // idle CURL easy handles
};

// S3's URI encoding (as SigV4 wants it): every byte but A-Z a-z 0-9 - . _ ~ as %XX, and '/'
// kept when `keep_slash` (object keys in paths).
std::string s3_uri_encode(std::string_view s, bool keep_slash);

}  // namespace openem
