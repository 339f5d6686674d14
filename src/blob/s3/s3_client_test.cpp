#include "blob/s3/s3_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace openem {
namespace {

TEST(S3ClientTest, UriEncodingAsSigV4WantsIt) {
  EXPECT_EQ(s3_uri_encode("a/b c+d=%~._-\xC3\xA9", true), "a/b%20c%2Bd%3D%25~._-%C3%A9");
  EXPECT_EQ(s3_uri_encode("a/b", false), "a%2Fb");
}

TEST(S3ClientTest, DescribeNamesStatusCodeAndMessage) {
  S3Response resp;
  resp.status = 403;
  resp.body = "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
  EXPECT_EQ(S3Client::describe(resp), "HTTP 403 AccessDenied (Access Denied)");
  resp.status = 502;
  resp.body = "<html>Bad Gateway</html>";
  EXPECT_EQ(S3Client::describe(resp), "HTTP 502");
}

// A port on 127.0.0.1 that nothing listens on (bound, then closed).
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

TEST(S3ClientTest, ConnectionErrorsAreRetriedThenReported) {
  S3Location where;
  where.endpoint = "http://127.0.0.1:" + std::to_string(closed_port());
  where.bucket = "b";
  where.access_key_id = "id";
  where.secret_access_key = "secret";
  where.tuning.max_attempts = 3;
  where.tuning.retry_delay = std::chrono::milliseconds(1);
  S3Client client(where);
  S3Request req;
  req.key = "some/key";
  S3Response resp;
  BlobStatus s = client.send(req, &resp, "cannot read 'key'");
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("cannot read 'key': Couldn't connect to server"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("after 3 attempts"), std::string::npos) << s.message();
}

TEST(S3ClientTest, DigestsOfAFileRange) {
  char name[] = "/tmp/openem-s3-digest-XXXXXX";
  int fd = ::mkstemp(name);
  ASSERT_GE(fd, 0);
  ::unlink(name);
  ASSERT_EQ(::write(fd, "xxhello worldyy", 15), 15);
  S3Body body;
  body.fd = fd;
  body.offset = 2;
  body.length = 11;
  ASSERT_TRUE(S3Client::digest_file(&body).is_ok());
  S3Body same;
  same.bytes = "hello world";
  S3Client::digest_bytes(&same);
  EXPECT_EQ(body.md5, same.md5);
  EXPECT_EQ(body.sha256, same.sha256);
  body.length = 20;  // beyond the end
  EXPECT_FALSE(S3Client::digest_file(&body).is_ok());
  ::close(fd);
}

}  // namespace
}  // namespace openem
