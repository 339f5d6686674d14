#include "http/framing.h"

#include <gtest/gtest.h>

namespace openem {
namespace {

int status_of(std::vector<std::string_view> lines, bool content_length = false, unsigned minor = 1) {
  auto p = check_transfer_framing(lines, content_length, minor);
  return p ? p->status : 0;
}

TEST(Framing, OnlyAFinalChunkedIsAccepted) {
  EXPECT_EQ(status_of({}), 0);
  EXPECT_EQ(status_of({"chunked"}), 0);
  EXPECT_EQ(status_of({"Chunked"}), 0);
  EXPECT_EQ(status_of({" chunked "}), 0);
  EXPECT_EQ(status_of({"xchunked"}), 400);
  EXPECT_EQ(status_of({"chunked, identity"}), 400);
  EXPECT_EQ(status_of({"gzip"}), 400);
  EXPECT_EQ(status_of({"identity"}), 400);
  EXPECT_EQ(status_of({""}), 400);
  EXPECT_EQ(status_of({"chunked;q=1"}), 400);
  EXPECT_EQ(status_of({"chunked", "gzip"}), 400);  // two lines are one list
  EXPECT_EQ(status_of({"chunked, chunked"}), 400);
  EXPECT_EQ(status_of({"gzip, chunked"}), 501);
  EXPECT_EQ(status_of({"gzip", "chunked"}), 501);
}

TEST(Framing, ConflictsWithContentLengthAndHttp10) {
  EXPECT_EQ(status_of({"chunked"}, /*content_length=*/true), 400);
  EXPECT_EQ(status_of({"chunked"}, false, /*minor=*/0), 400);
  EXPECT_EQ(status_of({}, true, 0), 0);
  auto p = check_transfer_framing({"xchunked"}, false, 1);
  ASSERT_TRUE(p);
  EXPECT_NE(p->message.find("'xchunked' does not end in chunked"), std::string::npos) << p->message;
}

TEST(Framing, SingletonHeaders) {
  EXPECT_TRUE(is_singleton_header("authorization"));
  EXPECT_TRUE(is_singleton_header("host"));
  EXPECT_TRUE(is_singleton_header("upload-offset"));
  EXPECT_FALSE(is_singleton_header("accept"));
  EXPECT_FALSE(is_singleton_header("cookie"));
}

}  // namespace
}  // namespace openem
