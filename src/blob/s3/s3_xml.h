#pragma once
// The few S3 XML documents the S3 blob store reads and writes: error answers,
// ListObjectsV2 pages, InitiateMultipartUpload results and the CompleteMultipartUpload
// request. Parsing never throws and never trusts the input: a document that is not what it
// should be is an error (or an empty result), never a crash. Pure functions; thread-safe.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace openem {

struct S3ErrorInfo {
  std::string code;     // "NoSuchKey", "SlowDown", ...
  std::string message;  // one line, at most 200 bytes
};
// Code and Message of an <Error> document; both empty when `body` is not one.
S3ErrorInfo parse_s3_error(std::string_view body);

struct S3ListEntry {
  std::string key;  // unescaped
  std::int64_t size = 0;
  std::string last_modified;  // ISO 8601 as S3 writes it
};
struct S3ListPage {
  std::vector<S3ListEntry> entries;
  bool truncated = false;
  std::string next_token;  // NextContinuationToken when truncated
};
// A ListBucketResult (ListObjectsV2). False with *error when it is not one, when an entry
// lacks its key or has a bad size, or when a truncated page has no continuation token.
bool parse_list_page(std::string_view body, S3ListPage* out, std::string* error);

// The UploadId of an InitiateMultipartUploadResult; empty when there is none.
std::string parse_upload_id(std::string_view body);

// The CompleteMultipartUpload request body for parts 1..n with these ETags (as the parts'
// answers gave them, quotes included).
std::string complete_multipart_body(const std::vector<std::string>& part_etags);

}  // namespace openem
