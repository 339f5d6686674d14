#include "blob/s3/s3_url.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

const std::map<std::string, std::string> kCredentials = {{"AWS_ACCESS_KEY_ID", "AKID"},
                                                         {"AWS_SECRET_ACCESS_KEY", "secret"}};

TEST(S3UrlTest, PartSizeIsCheckedAgainstS3sLimits) {
  std::string error;
  auto loc = parse_s3_url("s3://b?part_size=8388608", kCredentials, &error);
  ASSERT_TRUE(loc) << error;
  EXPECT_EQ(loc->tuning.part_size, 8 << 20);
  EXPECT_EQ(loc->tuning.multipart_threshold, 8 << 20);
  for (const char* bad : {"s3://b?part_size=1024", "s3://b?part_size=lots", "s3://b?part_size=", "s3://b?part_size=6GiB",
                          "s3://b?part_size=99999999999"}) {
    EXPECT_FALSE(parse_s3_url(bad, kCredentials, &error)) << bad;
    EXPECT_NE(error.find("part_size"), std::string::npos) << error;
  }
}

TEST(S3UrlTest, BucketPrefixEndpointAndRegion) {
  std::string error;
  auto loc = parse_s3_url("s3://my-bucket/some/prefix/?endpoint=http%3A%2F%2F127.0.0.1%3A4569&region=eu-west-2",
                          kCredentials, &error);
  ASSERT_TRUE(loc) << error;
  EXPECT_EQ(loc->bucket, "my-bucket");
  EXPECT_EQ(loc->prefix, "some/prefix");
  EXPECT_EQ(loc->endpoint, "http://127.0.0.1:4569");
  EXPECT_EQ(loc->region, "eu-west-2");
  EXPECT_EQ(loc->access_key_id, "AKID");
  EXPECT_EQ(loc->secret_access_key, "secret");
  EXPECT_EQ(loc->display(), "s3://my-bucket/some/prefix");

  // Unencoded endpoints work too: ':' and '/' are fine in a query.
  loc = parse_s3_url("s3://b?endpoint=http://127.0.0.1:4569/", kCredentials, &error);
  ASSERT_TRUE(loc) << error;
  EXPECT_EQ(loc->endpoint, "http://127.0.0.1:4569");
  EXPECT_EQ(loc->prefix, "");
  EXPECT_EQ(loc->region, "us-east-1");
  EXPECT_EQ(loc->display(), "s3://b");
}

TEST(S3UrlTest, RegionAndCredentialsFromTheEnvironment) {
  std::string error;
  auto env = kCredentials;
  env["AWS_REGION"] = "ap-south-1";
  env["AWS_SESSION_TOKEN"] = "token";
  auto loc = parse_s3_url("s3://b/p", env, &error);
  ASSERT_TRUE(loc) << error;
  EXPECT_EQ(loc->region, "ap-south-1");
  EXPECT_EQ(loc->endpoint, "https://s3.ap-south-1.amazonaws.com");
  EXPECT_EQ(loc->session_token, "token");
  loc = parse_s3_url("s3://b/p?region=us-west-1", env, &error);  // the URL's region wins
  ASSERT_TRUE(loc) << error;
  EXPECT_EQ(loc->region, "us-west-1");
  env.erase("AWS_REGION");
  env["AWS_DEFAULT_REGION"] = "sa-east-1";
  loc = parse_s3_url("s3://b/p", env, &error);
  ASSERT_TRUE(loc) << error;
  EXPECT_EQ(loc->region, "sa-east-1");
}

TEST(S3UrlTest, MalformedLocationsAreRefusedWithAReason) {
  struct Case {
    std::string url;
    std::string why;
  };
  for (const Case& c : std::vector<Case>{
           {"http://b/p", "must start with s3://"},
           {"s3://", "bucket name"},
           {"s3://bad/bucket?x", "unknown parameter 'x'"},
           {"s3://b%2F/p", "bucket name"},
           {"s3://b/a//c", "empty segment"},
           {"s3://b?endpoint=ftp://host", "http:// or https://"},
           {"s3://b?endpoint=http%3", "broken percent escape"},
           {"s3://b?region=us east", "invalid region"},
           {"s3://b?presign=0", "presign: expected the seconds"},
           {"s3://b?presign=604801", "1 to 604800"},
           {"s3://b?presign=5m", "presign: expected the seconds"},
           {"s3://b?presign=60&public_endpoint=https://h/s3", "with no path"},
           {"s3://b?presign=60&public_endpoint=ftp://h", "public_endpoint must be an http://"},
       }) {
    std::string error;
    EXPECT_FALSE(parse_s3_url(c.url, kCredentials, &error)) << c.url;
    EXPECT_NE(error.find(c.why), std::string::npos) << c.url << ": " << error;
    EXPECT_NE(error.find("invalid S3 location"), std::string::npos) << error;
  }
}

TEST(S3UrlTest, PresignedDownloadsAndTheirPublicEndpoint) {
  std::string error;
  auto loc = parse_s3_url("s3://b/p?endpoint=http://10.0.0.5:9000", kCredentials, &error);
  ASSERT_TRUE(loc) << error;
  EXPECT_EQ(loc->presign_seconds, 0);  // downloads go through the API unless asked
  loc = parse_s3_url("s3://b/p?endpoint=http://10.0.0.5:9000&presign=300&public_endpoint=https%3A%2F%2Fs3.example.org%2F",
                     kCredentials, &error);
  ASSERT_TRUE(loc) << error;
  EXPECT_EQ(loc->presign_seconds, 300);
  EXPECT_EQ(loc->public_endpoint, "https://s3.example.org");
  EXPECT_EQ(loc->endpoint, "http://10.0.0.5:9000");
}

TEST(S3UrlTest, MissingCredentialsAreAnError) {
  std::string error;
  EXPECT_FALSE(parse_s3_url("s3://b/p", {{"AWS_ACCESS_KEY_ID", "AKID"}}, &error));
  EXPECT_NE(error.find("AWS_SECRET_ACCESS_KEY"), std::string::npos) << error;
}

}  // namespace
}  // namespace openem
