#pragma once
// Presigned S3 URLs (SigV4 query-string authentication, "UNSIGNED-PAYLOAD"): a URL that lets
// whoever holds it make one kind of request (a GET of one object) until it expires, without
// credentials. The blob store hands them out so that downloads go from the bucket to the
// client directly instead of through an API process. Plain functions; thread-safe.
#include <cstdint>
#include <ctime>
#include <string>
#include <utility>
#include <vector>

namespace openem {

struct SigV4Presign {
  std::string method = "GET";
  std::string scheme_and_host;  // "https://examplebucket.s3.amazonaws.com" or "http://127.0.0.1:4569"
  std::string path;             // the canonical path, already encoded: "/bucket/key%20name"
  // Further query parameters, signed with the rest (not encoded), e.g.
  // response-content-disposition.
  std::vector<std::pair<std::string, std::string>> query;
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only: X-Amz-Security-Token
  std::time_t now = 0;        // signing time (seconds since the epoch)
  std::int64_t expires_seconds = 0;  // 1 to 604800 (seven days, S3's limit)
};

// The whole URL: scheme_and_host + path + "?" + the canonical query with X-Amz-Signature.
std::string sigv4_presigned_url(const SigV4Presign& p);

}  // namespace openem
