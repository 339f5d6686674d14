#pragma once
// S3Location: where an S3 blob store keeps its objects (endpoint, bucket, key prefix, region,
// credentials) and how hard it tries (retries, multipart sizes). parse_s3_url reads the
// location from "s3://bucket/prefix?endpoint=http://127.0.0.1:4569&region=us-east-1";
// credentials come from the environment as for the AWS tools. Plain values; thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace openem {

// Knobs with production defaults; tests make them small (part sizes, delays).
struct S3Tuning {
  // Files larger than this go as a multipart upload, in parts of part_size bytes (S3 wants
  // at least 5 MiB per part but the last, and at most 10000 parts: larger files get larger
  // parts).
  std::int64_t multipart_threshold = 64 << 20;
  std::int64_t part_size = 64 << 20;
  // Attempts per request (the first one included) for 5xx, 429/SlowDown, a body that arrived
  // corrupted and connection errors; the delay doubles from retry_delay after each, with
  // jitter, up to max_retry_delay.
  int max_attempts = 5;
  std::chrono::milliseconds retry_delay{200};
  std::chrono::milliseconds max_retry_delay{5000};
  // Keys per ListObjectsV2 page (S3 answers at most 1000).
  int list_page_size = 1000;
  std::chrono::seconds connect_timeout{10};
  // A transfer that moves no byte for this long is abandoned (and retried).
  std::chrono::seconds stall_timeout{60};
};

struct S3Location {
  std::string endpoint;  // "http://host:port" or "https://host", no trailing '/'
  std::string bucket;
  std::string prefix;    // key prefix without leading or trailing '/'; may be empty
  std::string region = "us-east-1";
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // temporary credentials only; sent as x-amz-security-token
  // Downloads answered with a redirect to a presigned URL valid this long (0: downloads go
  // through the API process). "presign=<seconds>" in the URL, 1 to 604800.
  std::int64_t presign_seconds = 0;
  // The endpoint as clients reach it, for presigned URLs ("public_endpoint=", scheme and
  // authority only); empty: the endpoint itself.
  std::string public_endpoint;
  S3Tuning tuning;

  // "s3://bucket/prefix" for messages (never the credentials).
  std::string display() const;
};

// Parses "s3://<bucket>[/<prefix>][?endpoint=<url>&region=<name>&part_size=<bytes>&presign=<seconds>
// &public_endpoint=<url>]" (query values
// percent-decoded). Without an endpoint: https://s3.<region>.amazonaws.com. The region is the
// URL's, else AWS_REGION, else AWS_DEFAULT_REGION, else us-east-1. Credentials from `env`
// (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN). nullopt with *error
// explaining why when the URL is malformed or the credentials are missing.
std::optional<S3Location> parse_s3_url(std::string_view url, const std::map<std::string, std::string>& env,
                                       std::string* error);
// The same with the process environment.
std::optional<S3Location> parse_s3_url(std::string_view url, std::string* error);

}  // namespace openem
