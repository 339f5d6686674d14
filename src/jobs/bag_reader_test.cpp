// Bags written by DatasetTarStream read back and verified; every kind of damage is caught.
#include <gtest/gtest.h>

#include "blob/dataset_tar.h"
#include "blob/hasher.h"
#include "blob/test_util.h"
#include "jobs/archive_tier.h"
#include "jobs/bag_reader.h"

namespace openem {
namespace {
using testing::TempDir;
using testing::write_file;

class StringReader : public BlobReader {
 public:
  explicit StringReader(std::string s) : s_(std::move(s)), info_{"bag", static_cast<std::int64_t>(s_.size()), 0} {}
  const BlobInfo& info() const override { return info_; }
  BlobStatus read(std::int64_t offset, std::size_t n, std::string* out) override {
    *out = offset >= static_cast<std::int64_t>(s_.size()) ? "" : s_.substr(static_cast<std::size_t>(offset), n);
    return BlobStatus::ok();
  }

 private:
  std::string s_;
  BlobInfo info_;
};

std::string sha(const std::string& s) { return Hasher::hex(Hasher::digest("sha256", s)); }

class BagTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(open_fs_blob_store(dir_.path() / "blobs", &blobs_).is_ok());
    files_ = {{"a.txt", "hello"}, {"movies/m1.tif", std::string(70000, 'x') + "end"}, {std::string(120, 'n') + "/long", "long name"}};
    for (const auto& [path, content] : files_) {
      auto staged = blobs_->staging_dir() / "s";
      write_file(staged, content);
      ASSERT_TRUE(blobs_->put("PID/1", path, staged).is_ok());
    }
    DatasetTarStream tar(*blobs_, "PID/1", 1700000000, 4096);
    ASSERT_TRUE(tar.start().is_ok());
    std::string piece;
    bool more = true;
    while (more) {
      more = tar.next(piece);
      bag_ += piece;
    }
    for (const auto& [path, content] : files_) expected_[path] = sha(content);
  }
  TempDir dir_;
  std::unique_ptr<BlobStore> blobs_;
  std::map<std::string, std::string> files_, expected_;
  std::string bag_;
};

TEST_F(BagTest, IntactBagVerifiesAndExtracts) {
  StringReader r(bag_);
  std::map<std::string, std::string> got;
  std::string current;
  BagSink sink{[&](const std::string& p, std::int64_t) { current = p; return std::string(); },
               [&](std::string_view b) { got[current] += b; return std::string(); }, [] { return std::string(); }};
  BagCheck c = read_bag(r, expected_, &sink);
  ASSERT_TRUE(c.ok) << c.message;
  ASSERT_EQ(c.files.size(), 3u);
  EXPECT_EQ(got, files_);
  for (const auto& f : c.files) EXPECT_EQ(f.sha256, expected_[f.path]);
}

TEST_F(BagTest, OnlySelectedFilesGoToTheSink) {
  StringReader r(bag_);
  std::vector<std::string> begun;
  BagSink sink{[&](const std::string& p, std::int64_t) { begun.push_back(p); return std::string(); }, nullptr, nullptr};
  BagCheck c = read_bag(r, expected_, &sink, {"a.txt"});
  ASSERT_TRUE(c.ok) << c.message;
  EXPECT_EQ(begun, std::vector<std::string>{"a.txt"});
  EXPECT_EQ(c.files.size(), 3u);  // all verified
}

TEST_F(BagTest, FlippedDataByteIsCaught) {
  std::string damaged = bag_;
  std::size_t at = damaged.find(std::string(100, 'x'));
  ASSERT_NE(at, std::string::npos);
  damaged[at + 50] ^= 0x01;
  StringReader r(damaged);
  BagCheck c = read_bag(r, {});
  EXPECT_FALSE(c.ok);
  EXPECT_TRUE(c.corrupt);
  EXPECT_EQ(c.message, "data/movies/m1.tif does not match its manifest checksum");
}

TEST_F(BagTest, FlippedHeaderOrManifestOrTruncationIsCaught) {
  {
    std::string damaged = bag_;
    damaged[10] ^= 0x01;  // the first header's name
    StringReader r(damaged);
    BagCheck c = read_bag(r, expected_);
    EXPECT_TRUE(c.corrupt);
    EXPECT_EQ(c.message, "a tar header's checksum does not match (damaged header)");
  }
  {
    std::string damaged = bag_;
    std::size_t at = damaged.find(expected_["a.txt"]);
    ASSERT_NE(at, std::string::npos);
    damaged[at] = damaged[at] == '0' ? '1' : '0';
    StringReader r(damaged);
    BagCheck c = read_bag(r, expected_);
    EXPECT_TRUE(c.corrupt);
    EXPECT_EQ(c.message, "data/a.txt does not match its manifest checksum");
  }
  {
    StringReader r(bag_.substr(0, bag_.size() / 2));
    BagCheck c = read_bag(r, expected_);
    EXPECT_TRUE(c.corrupt);
    EXPECT_NE(c.message.find("truncated"), std::string::npos) << c.message;
  }
  {
    std::map<std::string, std::string> wrong = expected_;
    wrong["a.txt"] = sha("other");
    StringReader r(bag_);
    BagCheck c = read_bag(r, wrong);
    EXPECT_EQ(c.message, "data/a.txt does not match the checksum registered in the catalog");
  }
}

TEST(DirectoryArchiveTier, ObjectsAppearOnlyWhenCommitted) {
  TempDir dir;
  std::unique_ptr<ArchiveTier> tier;
  ASSERT_TRUE(open_directory_archive_tier(dir.path() / "copy-1", &tier).is_ok());
  std::unique_ptr<BlobReader> r;
  {
    std::unique_ptr<ArchiveWriter> w;
    ASSERT_TRUE(tier->create("ds/job.tar", &w).is_ok());
    ASSERT_TRUE(w->append("abc").is_ok());
    EXPECT_TRUE(tier->open("ds/job.tar", &r).is_not_found());  // not committed: invisible
  }  // destroyed without commit: discarded
  EXPECT_TRUE(tier->open("ds/job.tar", &r).is_not_found());
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "copy-1/ds/job.tar.partial"));
  std::unique_ptr<ArchiveWriter> w;
  ASSERT_TRUE(tier->create("ds/job.tar", &w).is_ok());
  ASSERT_TRUE(w->append("abc").is_ok());
  ASSERT_TRUE(w->append("def").is_ok());
  EXPECT_EQ(w->written(), 6);
  ASSERT_TRUE(w->commit().is_ok());
  ASSERT_TRUE(tier->open("ds/job.tar", &r).is_ok());
  std::string got;
  ASSERT_TRUE(r->read(0, 100, &got).is_ok());
  EXPECT_EQ(got, "abcdef");
  EXPECT_TRUE(tier->create("../escape", &w).is_invalid_path());
  ASSERT_TRUE(tier->remove("ds/job.tar").is_ok());
  EXPECT_TRUE(tier->open("ds/job.tar", &r).is_not_found());
}

}  // namespace
}  // namespace openem
