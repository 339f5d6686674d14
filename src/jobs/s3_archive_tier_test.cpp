// The S3 archive tier against a real S3 server (npm s3rver behind the signature-checking fault
// proxy, tests/support/s3rver.sh via blob/s3/s3_test_servers.h): bags become visible only at
// commit, large bags go as multipart uploads that an abandoned writer aborts, reads are ranged
// and see a replaced bag as a change, transient faults are retried and lasting ones leave
// nothing visible.
#include <gtest/gtest.h>

#include <random>

#include "blob/hasher.h"
#include "blob/s3/s3_test_servers.h"
#include "jobs/archive_tier.h"

namespace openem {
namespace {
using testing::kS3TestBucket;
using testing::S3Servers;

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t v = rng();
    for (std::size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

class S3ArchiveTierTest : public ::testing::Test {
 protected:
  static constexpr std::int64_t kPart = 5 << 20;  // S3's smallest part: multipart is reached quickly

  static void SetUpTestSuite() {
    servers_ = new S3Servers;
    servers_->start();
  }
  static void TearDownTestSuite() {
    servers_->stop();
    delete servers_;
    servers_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(servers_->error().empty()) << servers_->error();
    servers_->faults("mode=none");
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    prefix_ = std::string("archive/") + info->name();
    BlobStatus s = open_s3_archive_tier(location(servers_->checked()), &tier_);
    ASSERT_TRUE(s.is_ok()) << s.message();
    s = open_s3_archive_tier(location(servers_->proxy()), &proxied_);
    ASSERT_TRUE(s.is_ok()) << s.message();
  }

  S3Location location(const std::string& endpoint) const {
    S3Location where;
    where.endpoint = endpoint;
    where.bucket = kS3TestBucket;
    where.prefix = prefix_;
    where.access_key_id = "S3RVER";
    where.secret_access_key = "S3RVER";
    where.tuning.part_size = kPart;
    where.tuning.max_attempts = 4;
    where.tuning.retry_delay = std::chrono::milliseconds(5);
    where.tuning.max_retry_delay = std::chrono::milliseconds(40);
    return where;
  }

  // Writes `content` in pieces of `piece` bytes; the status of the first failure, else commit's.
  static BlobStatus write(ArchiveTier& tier, const std::string& key, const std::string& content, std::size_t piece,
                          bool commit = true) {
    std::unique_ptr<ArchiveWriter> w;
    if (auto s = tier.create(key, &w); !s.is_ok()) return s;
    for (std::size_t at = 0; at < content.size(); at += piece)
      if (auto s = w->append(std::string_view(content).substr(at, piece)); !s.is_ok()) return s;
    EXPECT_EQ(w->written(), static_cast<std::int64_t>(content.size()));
    return commit ? w->commit() : BlobStatus::ok();
  }

  static std::string read_all(ArchiveTier& tier, const std::string& key, std::size_t block = 1 << 20) {
    std::unique_ptr<BlobReader> r;
    BlobStatus s = tier.open(key, &r);
    EXPECT_TRUE(s.is_ok()) << s.message();
    if (!s.is_ok()) return "<" + s.message() + ">";
    std::string out, chunk;
    for (std::int64_t at = 0; at < r->info().size; at += static_cast<std::int64_t>(chunk.size())) {
      s = r->read(at, block, &chunk);
      EXPECT_TRUE(s.is_ok()) << s.message();
      if (!s.is_ok() || chunk.empty()) break;
      out += chunk;
    }
    return out;
  }

  int forwarded_matching(const std::string& needle) const {
    int n = 0;
    const boost::json::object seen = servers_->seen();  // kept: the loop reads into it
    for (const auto& r : seen.at("requests").as_array())
      if (std::string_view(r.as_string()).find(needle) != std::string_view::npos) ++n;
    return n;
  }

  static S3Servers* servers_;
  std::string prefix_;
  std::unique_ptr<ArchiveTier> tier_, proxied_;
};

S3Servers* S3ArchiveTierTest::servers_ = nullptr;

TEST_F(S3ArchiveTierTest, SmallBagIsOnePutVisibleOnlyAtCommit) {
  std::unique_ptr<ArchiveWriter> w;
  ASSERT_TRUE(proxied_->create("bags/a.tar", &w).is_ok());
  ASSERT_TRUE(w->append("hello ").is_ok());
  ASSERT_TRUE(w->append("archive").is_ok());
  std::unique_ptr<BlobReader> r;
  EXPECT_TRUE(tier_->open("bags/a.tar", &r).is_not_found()) << "visible before commit";
  ASSERT_TRUE(w->commit().is_ok());
  EXPECT_EQ(w->written(), 13);
  EXPECT_EQ(forwarded_matching("PUT /openem-test/" + prefix_ + "/bags/a.tar"), 1);
  EXPECT_EQ(forwarded_matching("uploads"), 0);
  EXPECT_EQ(read_all(*tier_, "bags/a.tar"), "hello archive");
  ASSERT_TRUE(tier_->open("bags/a.tar", &r).is_ok());
  std::string out;
  ASSERT_TRUE(r->read(6, 3, &out).is_ok());  // ranged
  EXPECT_EQ(out, "arc");
  EXPECT_EQ(tier_->location(), "s3://openem-test/" + prefix_);
}

TEST_F(S3ArchiveTierTest, EmptyBagCommits) {
  ASSERT_TRUE(write(*tier_, "empty", "", 1).is_ok());
  std::unique_ptr<BlobReader> r;
  ASSERT_TRUE(tier_->open("empty", &r).is_ok());
  EXPECT_EQ(r->info().size, 0);
}

TEST_F(S3ArchiveTierTest, LargeBagGoesMultipartAndAppearsWholeAtCommit) {
  const std::string content = random_bytes(3 * kPart + 12345, 7);
  std::unique_ptr<ArchiveWriter> w;
  ASSERT_TRUE(proxied_->create("big.tar", &w).is_ok());
  for (std::size_t at = 0; at < content.size(); at += 1000003)
    ASSERT_TRUE(w->append(std::string_view(content).substr(at, 1000003)).is_ok());
  // Three full parts went while the bag grew; nothing is visible yet.
  EXPECT_EQ(forwarded_matching("partNumber="), 3);
  std::unique_ptr<BlobReader> r;
  EXPECT_TRUE(tier_->open("big.tar", &r).is_not_found());
  ASSERT_TRUE(w->commit().is_ok());
  EXPECT_EQ(forwarded_matching("partNumber="), 4);
  EXPECT_EQ(read_all(*tier_, "big.tar", 3 << 20), content);
}

TEST_F(S3ArchiveTierTest, AbandonedWriterLeavesTheEarlierBagAndAbortsItsUpload) {
  ASSERT_TRUE(write(*tier_, "bag", "the first bag", 4).is_ok());
  {
    std::unique_ptr<ArchiveWriter> w;
    ASSERT_TRUE(proxied_->create("bag", &w).is_ok());
    const std::string big = random_bytes(2 * kPart + 1, 3);
    ASSERT_TRUE(w->append(big).is_ok());
    EXPECT_EQ(forwarded_matching("partNumber="), 2);
  }  // destroyed without commit (a worker that failed or was stopped)
  EXPECT_EQ(forwarded_matching("DELETE /openem-test/" + prefix_ + "/bag?uploadId="), 1);
  EXPECT_EQ(read_all(*tier_, "bag"), "the first bag");
  {
    std::unique_ptr<ArchiveWriter> w;  // small and abandoned: nothing was sent at all
    ASSERT_TRUE(proxied_->create("other", &w).is_ok());
    ASSERT_TRUE(w->append("x").is_ok());
  }
  std::unique_ptr<BlobReader> r;
  EXPECT_TRUE(tier_->open("other", &r).is_not_found());
}

TEST_F(S3ArchiveTierTest, ReplacingABagIsSeenByItsOpenReaders) {
  ASSERT_TRUE(write(*tier_, "bag", "version one", 100).is_ok());
  std::unique_ptr<BlobReader> r;
  ASSERT_TRUE(tier_->open("bag", &r).is_ok());
  ASSERT_TRUE(write(*tier_, "bag", "version two!", 100).is_ok());
  std::string out;
  BlobStatus s = r->read(0, 100, &out);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("changed after it was opened"), std::string::npos) << s.message();
}

TEST_F(S3ArchiveTierTest, TransientFaultsAreRetried) {
  const std::string content = random_bytes(2 * kPart + 100, 11);
  servers_->faults("mode=status&status=503&code=SlowDown&count=3");
  ASSERT_TRUE(write(*proxied_, "retried", content, 1 << 20).is_ok());
  servers_->faults("mode=reset&count=2&methods=GET");
  EXPECT_EQ(read_all(*proxied_, "retried"), content);
  // A part damaged on the way (the server keeps it, its ETag tells) is sent again.
  servers_->faults("mode=corrupt&count=1");
  ASSERT_TRUE(write(*proxied_, "corrupted-once", content, 1 << 20).is_ok());
  EXPECT_EQ(read_all(*tier_, "corrupted-once"), content);
  servers_->faults("mode=corrupt&count=1");
  ASSERT_TRUE(write(*proxied_, "small-corrupted-once", "small", 10).is_ok());
  EXPECT_EQ(read_all(*tier_, "small-corrupted-once"), "small");
}

TEST_F(S3ArchiveTierTest, LastingFaultsFailClearlyAndLeaveNothingVisible) {
  const std::string content = random_bytes(2 * kPart + 100, 5);
  // Parts fail (after the upload was created): the append fails, the upload is aborted.
  servers_->faults("mode=status&status=500&code=InternalError&count=-1&methods=PUT");
  BlobStatus s = write(*proxied_, "failed", content, 1 << 20);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("cannot archive s3://openem-test/" + prefix_ + "/failed"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("HTTP 500 InternalError"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  servers_->faults("mode=none");
  std::unique_ptr<BlobReader> r;
  EXPECT_TRUE(tier_->open("failed", &r).is_not_found());

  // Completing fails: the commit fails, nothing is visible.
  servers_->faults("mode=status&status=500&code=InternalError&count=-1&methods=POST&after=1");
  s = write(*proxied_, "not-completed", content, 1 << 20);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("completing the multipart upload"), std::string::npos) << s.message();
  servers_->faults("mode=none");
  EXPECT_TRUE(tier_->open("not-completed", &r).is_not_found());

  // A small bag's single PUT fails at commit.
  servers_->faults("mode=status&status=503&code=SlowDown&count=-1");
  s = write(*proxied_, "small", "small", 10);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("after 4 attempts"), std::string::npos) << s.message();
  servers_->faults("mode=none");
  EXPECT_TRUE(tier_->open("small", &r).is_not_found());

  // Reads and removes that cannot reach the server are errors, never a missing bag.
  ASSERT_TRUE(write(*tier_, "present", "here", 10).is_ok());
  servers_->faults("mode=status&status=500&code=InternalError&count=-1");
  s = proxied_->open("present", &r);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError) << s.message();
  s = proxied_->remove("present");
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError) << s.message();
  servers_->faults("mode=none");
  EXPECT_EQ(read_all(*tier_, "present"), "here");
}

TEST_F(S3ArchiveTierTest, RemoveIsIdempotent) {
  ASSERT_TRUE(write(*tier_, "dir/bag", "x", 1).is_ok());
  ASSERT_TRUE(tier_->remove("dir/bag").is_ok());
  std::unique_ptr<BlobReader> r;
  EXPECT_TRUE(tier_->open("dir/bag", &r).is_not_found());
  EXPECT_TRUE(tier_->remove("dir/bag").is_ok());
}

TEST_F(S3ArchiveTierTest, InvalidKeysAreRefused) {
  std::unique_ptr<ArchiveWriter> w;
  std::unique_ptr<BlobReader> r;
  for (const char* key : {"", "../escape", "/abs", "a//b", "a/./b"}) {
    EXPECT_TRUE(tier_->create(key, &w).is_invalid_path()) << key;
    EXPECT_TRUE(tier_->open(key, &r).is_invalid_path()) << key;
    EXPECT_TRUE(tier_->remove(key).is_invalid_path()) << key;
  }
}

TEST_F(S3ArchiveTierTest, OpenFailsClearlyForAMissingBucketOrBadCredentials) {
  S3Location where = location(servers_->checked());
  where.bucket = "no-such-bucket";
  std::unique_ptr<ArchiveTier> t;
  BlobStatus s = open_s3_archive_tier(where, &t);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("s3://no-such-bucket/" + prefix_), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("does not exist"), std::string::npos) << s.message();
  where = location(servers_->checked());
  where.access_key_id = "unknown";
  s = open_s3_archive_tier(where, &t);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("access denied"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace openem
