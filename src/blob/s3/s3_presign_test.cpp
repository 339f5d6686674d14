// Presigned URLs against AWS's published example (sigv4-query-string-auth: GET
// examplebucket/test.txt, 2013-05-24, 86400 s) and the rules around it; the S3 blob store's
// tests fetch real presigned URLs from s3rver through a proxy that checks them with AWS's
// own signer.
#include "blob/s3/s3_presign.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

SigV4Presign aws_example() {
  SigV4Presign p;
  p.scheme_and_host = "https://examplebucket.s3.amazonaws.com";
  p.path = "/test.txt";
  p.region = "us-east-1";
  p.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  p.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  p.now = 1369353600;  // 2013-05-24T00:00:00Z
  p.expires_seconds = 86400;
  return p;
}

TEST(S3PresignTest, AwsPublishedExampleGivesItsSignature) {
  EXPECT_EQ(sigv4_presigned_url(aws_example()),
            "https://examplebucket.s3.amazonaws.com/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(S3PresignTest, EveryPartOfTheRequestIsSigned) {
  const std::string base = sigv4_presigned_url(aws_example());
  auto signature = [](const std::string& url) { return url.substr(url.rfind('=') + 1); };
  SigV4Presign p = aws_example();
  p.path = "/test2.txt";
  EXPECT_NE(signature(sigv4_presigned_url(p)), signature(base));
  p = aws_example();
  p.expires_seconds = 60;
  EXPECT_NE(signature(sigv4_presigned_url(p)), signature(base));
  p = aws_example();
  p.scheme_and_host = "https://examplebucket.s3.amazonaws.com:8443";
  EXPECT_NE(signature(sigv4_presigned_url(p)), signature(base));
  p = aws_example();
  p.now += 1;
  EXPECT_NE(signature(sigv4_presigned_url(p)), signature(base));
}

TEST(S3PresignTest, ExtraParametersAndTheSessionTokenAreEncodedSortedAndSigned) {
  SigV4Presign p = aws_example();
  p.query = {{"response-content-disposition", "attachment; filename=\"a b.mrc\""}};
  p.session_token = "tok/en+=";
  const std::string url = sigv4_presigned_url(p);
  // Sorted by name: X-Amz-* (upper case) before response-*.
  EXPECT_NE(url.find("&X-Amz-Security-Token=tok%2Fen%2B%3D&X-Amz-SignedHeaders=host"
                     "&response-content-disposition=attachment%3B%20filename%3D%22a%20b.mrc%22&X-Amz-Signature="),
            std::string::npos)
      << url;
  EXPECT_EQ(url.find(' '), std::string::npos);
}

}  // namespace
}  // namespace openem
