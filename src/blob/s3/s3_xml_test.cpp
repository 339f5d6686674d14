#include "blob/s3/s3_xml.h"

#include <gtest/gtest.h>
namespace openem {
namespace {

TEST(S3XmlTest, ErrorDocuments) {
  S3ErrorInfo e = parse_s3_error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce\nyour "
      "request rate.</Message><RequestId>1</RequestId></Error>");
  EXPECT_EQ(e.code, "SlowDown");
  EXPECT_EQ(e.message, "Please reduce your request rate.");  // one line
  EXPECT_EQ(parse_s3_error("").code, "");
  EXPECT_EQ(parse_s3_error("<html>502 Bad Gateway</html>").code, "");
  EXPECT_EQ(parse_s3_error("<Error><Code>unterminated").code, "");
  EXPECT_EQ(parse_s3_error(std::string(300, 'x')).code, "");
}

TEST(S3XmlTest, ListPagesUnescapeKeys) {
  S3ListPage page;
  std::string error;
  ASSERT_TRUE(parse_list_page(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>b</Name><IsTruncated>true</IsTruncated><NextContinuationToken>1a+/=</NextContinuationToken>"
      "<Contents><Key>p/a&amp;b&lt;c&gt;&#x27;&quot;.txt</Key><LastModified>2024-01-02T03:04:05.678Z</LastModified>"
      "<Size>12</Size></Contents><Contents><Key>p/\xC3\xA9</Key><Size>0</Size></Contents></ListBucketResult>",
      &page, &error))
      << error;
  ASSERT_EQ(page.entries.size(), 2u);
  EXPECT_EQ(page.entries[0].key, "p/a&b<c>'\".txt");
  EXPECT_EQ(page.entries[0].size, 12);
  EXPECT_EQ(page.entries[0].last_modified, "2024-01-02T03:04:05.678Z");
  EXPECT_EQ(page.entries[1].key, "p/\xC3\xA9");
  EXPECT_TRUE(page.truncated);
  EXPECT_EQ(page.next_token, "1a+/=");
}

TEST(S3XmlTest, BadListingsAreErrorsNotCrashes) {
  for (const std::string& body : std::vector<std::string>{
           "", "not xml", "<Error><Code>AccessDenied</Code></Error>",
           "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>k</Key><Size>1x</Size></Contents></ListBucketResult>",
           "<ListBucketResult><Contents><Key>k</Key><Size>99999999999999999999999</Size></Contents></ListBucketResult>",
           "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"}) {
    S3ListPage page;
    std::string error;
    EXPECT_FALSE(parse_list_page(body, &page, &error)) << body;
    EXPECT_FALSE(error.empty()) << body;
  }
  S3ListPage page;
  std::string error;
  EXPECT_TRUE(parse_list_page("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>", &page, &error));
  EXPECT_TRUE(page.entries.empty());
}

TEST(S3XmlTest, MultipartDocuments) {
  EXPECT_EQ(parse_upload_id("<InitiateMultipartUploadResult><Bucket>b</Bucket><Key>k</Key><UploadId>abc-1</UploadId>"
                            "</InitiateMultipartUploadResult>"),
            "abc-1");
  EXPECT_EQ(parse_upload_id("<Error/>"), "");
  EXPECT_EQ(parse_upload_id("garbage"), "");
  EXPECT_EQ(complete_multipart_body({"\"e1\"", "\"e2\""}),
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Part><PartNumber>1</PartNumber>"
            "<ETag>&quot;e1&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

}  // namespace
}  // namespace openem
