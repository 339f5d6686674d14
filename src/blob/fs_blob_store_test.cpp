#include <gtest/gtest.h>

#include "blob/blob_store.h"
#include "blob/posix_file.h"
#include "blob/test_util.h"

namespace openem {
namespace {
namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

class FsBlobStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(open_fs_blob_store(dir_.path() / "blobs", &store_).is_ok()); }

  // Stages `content` and puts it at (pid, path).
  BlobStatus put(const std::string& pid, const std::string& path, const std::string& content) {
    fs::path staged = store_->staging_dir() / ("s" + std::to_string(n_++));
    write_file(staged, content);
    return store_->put(pid, path, staged);
  }

  std::string read_all(const std::string& pid, const std::string& path) {
    std::unique_ptr<BlobReader> r;
    EXPECT_TRUE(store_->open(pid, path, &r).is_ok());
    std::string out;
    EXPECT_TRUE(r->read(0, static_cast<size_t>(r->info().size) + 10, &out).is_ok());
    return out;
  }

  void CheckSymlinksAreNeverFollowed();
  void RemovePrunesAndListsAsUsual() {
    ASSERT_TRUE(put("r", "a/b/c", "1").is_ok());
    ASSERT_TRUE(put("r", "a/d", "2").is_ok());
    std::vector<BlobInfo> files;
    ASSERT_TRUE(store_->list("r", &files).is_ok());
    ASSERT_EQ(files.size(), 2u);
    EXPECT_EQ(read_all("r", "a/b/c"), "1");
    ASSERT_TRUE(store_->remove("r", "a/b/c").is_ok());
    ASSERT_TRUE(store_->remove("r", "a/d").is_ok());
    EXPECT_FALSE(fs::exists(dir_.path() / "blobs/datasets/r"));
  }

  TempDir dir_;
  std::unique_ptr<BlobStore> store_;
  int n_ = 0;
};

TEST_F(FsBlobStoreTest, PutOpenReadRanges) {
  const std::string pid = "PID.prefix/abc";
  ASSERT_TRUE(put(pid, "raw/movie.tif", "0123456789").is_ok());
  EXPECT_TRUE(fs::is_empty(store_->staging_dir()));  // the staged file was moved in
  EXPECT_EQ(read_file(dir_.path() / "blobs/datasets/PID.prefix%2Fabc/raw/movie.tif"), "0123456789");

  std::unique_ptr<BlobReader> r;
  ASSERT_TRUE(store_->open(pid, "raw/movie.tif", &r).is_ok());
  EXPECT_EQ(r->info().size, 10);
  EXPECT_GT(r->info().mtime_ns, 0);
  std::string out;
  ASSERT_TRUE(r->read(3, 4, &out).is_ok());
  EXPECT_EQ(out, "3456");
  ASSERT_TRUE(r->read(8, 100, &out).is_ok());
  EXPECT_EQ(out, "89");
  ASSERT_TRUE(r->read(10, 5, &out).is_ok());
  EXPECT_EQ(out, "");

  BlobInfo info;
  ASSERT_TRUE(store_->stat(pid, "raw/movie.tif", &info).is_ok());
  EXPECT_EQ(info.size, 10);
  EXPECT_TRUE(store_->exists(pid, "raw/movie.tif"));
  EXPECT_FALSE(store_->exists(pid, "raw"));          // a directory is not a file
  EXPECT_FALSE(store_->exists("PID.prefix", "abc/raw/movie.tif"));  // pids do not nest
}

TEST_F(FsBlobStoreTest, ReplaceKeepsOpenReadersOnTheOldVersion) {
  ASSERT_TRUE(put("p", "f", "old").is_ok());
  std::unique_ptr<BlobReader> r;
  ASSERT_TRUE(store_->open("p", "f", &r).is_ok());
  ASSERT_TRUE(put("p", "f", "newer").is_ok());
  std::string out;
  ASSERT_TRUE(r->read(0, 10, &out).is_ok());
  EXPECT_EQ(out, "old");
  EXPECT_EQ(read_all("p", "f"), "newer");
}

TEST_F(FsBlobStoreTest, ListIsSortedAndPerDataset) {
  ASSERT_TRUE(put("p/1", "b.txt", "bb").is_ok());
  ASSERT_TRUE(put("p/1", "a/z.txt", "z").is_ok());
  ASSERT_TRUE(put("p/1", "a/b/c.txt", "ccc").is_ok());
  ASSERT_TRUE(put("p/2", "other", "o").is_ok());
  std::vector<BlobInfo> files;
  ASSERT_TRUE(store_->list("p/1", &files).is_ok());
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0].path, "a/b/c.txt");
  EXPECT_EQ(files[0].size, 3);
  EXPECT_EQ(files[1].path, "a/z.txt");
  EXPECT_EQ(files[2].path, "b.txt");
  ASSERT_TRUE(store_->list("unknown", &files).is_ok());
  EXPECT_TRUE(files.empty());
}

TEST_F(FsBlobStoreTest, RemovePrunesEmptyDirectories) {
  ASSERT_TRUE(put("p", "a/b/c", "1").is_ok());
  ASSERT_TRUE(put("p", "a/d", "2").is_ok());
  ASSERT_TRUE(store_->remove("p", "a/b/c").is_ok());
  EXPECT_FALSE(fs::exists(dir_.path() / "blobs/datasets/p/a/b"));
  EXPECT_TRUE(fs::exists(dir_.path() / "blobs/datasets/p/a/d"));
  ASSERT_TRUE(store_->remove("p", "a/d").is_ok());
  EXPECT_FALSE(fs::exists(dir_.path() / "blobs/datasets/p"));
  EXPECT_TRUE(fs::exists(dir_.path() / "blobs/datasets"));
  EXPECT_TRUE(store_->remove("p", "a/d").is_not_found());
  std::unique_ptr<BlobReader> r;
  EXPECT_TRUE(store_->open("p", "a/d", &r).is_not_found());
}

TEST_F(FsBlobStoreTest, TraversalAttemptsAreRefusedAndNothingLandsOutsideTheRoot) {
  const fs::path root = fs::canonical(dir_.path() / "blobs");
  write_file(dir_.path() / "secret", "top secret");
  for (const std::string& bad : std::vector<std::string>{"../../secret", "/etc/passwd", "a/../../../secret", "..\\..\\secret", std::string("a\0/x", 4),
                          "./secret", "a//b"}) {
    fs::path staged = store_->staging_dir() / "t";
    write_file(staged, "payload");
    BlobStatus s = store_->put("p", bad, staged);
    EXPECT_TRUE(s.is_invalid_path()) << bad;
    EXPECT_NE(s.message().find("invalid file path"), std::string::npos);
    std::unique_ptr<BlobReader> r;
    EXPECT_TRUE(store_->open("p", bad, &r).is_invalid_path()) << bad;
    EXPECT_TRUE(store_->remove("p", bad).is_invalid_path()) << bad;
  }
  EXPECT_EQ(read_file(dir_.path() / "secret"), "top secret");
  // pids that look like traversals stay one directory below datasets/.
  for (const std::string& pid : std::vector<std::string>{"..", "../..", "/", "../../x", "a/../../b"}) {
    ASSERT_TRUE(put(pid, "f", pid).is_ok()) << pid;
    std::vector<BlobInfo> files;
    ASSERT_TRUE(store_->list(pid, &files).is_ok());
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(read_all(pid, "f"), pid);
  }
  // Every file in the tree resolves inside <root>/datasets (one pid directory deep) or is the
  // refused staged file, still in <root>/staging.
  int stored = 0, staged = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir_.path())) {
    if (!e.is_regular_file()) continue;
    fs::path real = fs::canonical(e.path());
    if (real == fs::canonical(dir_.path() / "secret")) continue;
    if (real.parent_path() == root / "staging") {
      ++staged;
      continue;
    }
    ++stored;
    auto rel = real.lexically_relative(root / "datasets");
    ASSERT_FALSE(rel.empty() || *rel.begin() == "..") << real;
    EXPECT_EQ(std::distance(rel.begin(), rel.end()), 2) << real;  // <pid dir>/f
  }
  EXPECT_EQ(stored, 5);
  EXPECT_EQ(staged, 1);
}

TEST_F(FsBlobStoreTest, SymlinkPlantedByHandIsNotFollowed) {
  write_file(dir_.path() / "outside", "outside");
  fs::create_directories(dir_.path() / "blobs/datasets/p");
  fs::create_symlink(dir_.path() / "outside", dir_.path() / "blobs/datasets/p/link");
  std::unique_ptr<BlobReader> r;
  EXPECT_TRUE(store_->open("p", "link", &r).is_not_found());
  EXPECT_FALSE(store_->exists("p", "link"));
  std::vector<BlobInfo> files;
  ASSERT_TRUE(store_->list("p", &files).is_ok());
  EXPECT_TRUE(files.empty());
}

// A symlink planted by hand anywhere inside the store (a directory of a dataset, a file, the
// dataset's own directory) is never followed, by any operation: what it points to stays
// invisible and untouched.
void FsBlobStoreTest::CheckSymlinksAreNeverFollowed() {
  const fs::path outside = dir_.path() / "outside";
  fs::create_directories(outside / "deeper");
  write_file(outside / "secret.txt", "top secret");
  write_file(outside / "deeper/more.txt", "more secret");
  ASSERT_TRUE(put("p", "real/ok.txt", "ok").is_ok());
  const fs::path top = dir_.path() / "blobs/datasets/p";
  fs::create_directory_symlink(outside, top / "raw");                  // a directory of the dataset
  fs::create_symlink(outside / "secret.txt", top / "real/linked.txt");  // a file
  fs::create_directory_symlink(outside, top / "real/sub");             // a directory below a real one
  fs::create_directory_symlink(outside, dir_.path() / "blobs/datasets/q");  // a whole dataset

  for (const auto& [pid, path] : std::vector<std::pair<std::string, std::string>>{
           {"p", "raw/secret.txt"}, {"p", "raw/deeper/more.txt"}, {"p", "real/linked.txt"},
           {"p", "real/sub/secret.txt"}, {"q", "secret.txt"}, {"q", "deeper/more.txt"}}) {
    std::unique_ptr<BlobReader> r;
    EXPECT_TRUE(store_->open(pid, path, &r).is_not_found()) << pid << " " << path;
    BlobInfo info;
    EXPECT_TRUE(store_->stat(pid, path, &info).is_not_found()) << pid << " " << path;
    EXPECT_FALSE(store_->exists(pid, path)) << pid << " " << path;
  }
  std::vector<BlobInfo> files;
  ASSERT_TRUE(store_->list("p", &files).is_ok());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].path, "real/ok.txt");
  ASSERT_TRUE(store_->list("q", &files).is_ok());
  EXPECT_TRUE(files.empty());

  // Nothing is written or removed through a link either.
  EXPECT_FALSE(put("p", "raw/new.txt", "planted").is_ok());
  EXPECT_FALSE(put("q", "new.txt", "planted").is_ok());
  EXPECT_FALSE(store_->remove("p", "raw/secret.txt").is_ok());
  EXPECT_FALSE(store_->remove("q", "secret.txt").is_ok());
  EXPECT_FALSE(fs::exists(outside / "new.txt"));
  EXPECT_EQ(read_file(outside / "secret.txt"), "top secret");
  EXPECT_EQ(read_file(outside / "deeper/more.txt"), "more secret");
  EXPECT_EQ(read_all("p", "real/ok.txt"), "ok");
}

TEST_F(FsBlobStoreTest, SymlinkedDirectoriesAreNeverFollowed) { CheckSymlinksAreNeverFollowed(); }

// The same where the kernel has no openat2 (one openat(O_NOFOLLOW) per component).
TEST_F(FsBlobStoreTest, SymlinkedDirectoriesAreNeverFollowedWithoutOpenat2) {
  set_openat2_allowed(false);
  CheckSymlinksAreNeverFollowed();
  RemovePrunesAndListsAsUsual();
  set_openat2_allowed(true);
}

// A failing fsync (of the file or of its directory) makes put() fail as a whole: the file is
// not stored and the staged file is still there, so the caller can retry once the disk heals.
TEST(FsBlobStoreFaults, FailingSyncsLeaveTheStagedFileForARetry) {
  TempDir dir;
  testing::FaultyFileSystem faulty;
  std::unique_ptr<BlobStore> store;
  ASSERT_TRUE(open_fs_blob_store(dir.path() / "blobs", &store, faulty).is_ok());
  for (const std::string& where : {std::string("staged"), std::string("directory of")}) {
    fs::path staged = store->staging_dir() / "staged-file";
    write_file(staged, "content");
    faulty.fail_syncs(EIO, where);
    BlobStatus s = store->put("p", "raw/a.bin", staged);
    EXPECT_EQ(s.code(), BlobStatus::Code::kIoError) << where;
    EXPECT_NE(s.message().find("fsync of"), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("Input/output error"), std::string::npos) << s.message();
    EXPECT_FALSE(store->exists("p", "raw/a.bin")) << where;
    EXPECT_EQ(read_file(staged), "content") << where;
    faulty.heal();
    ASSERT_TRUE(store->put("p", "raw/a.bin", staged).is_ok()) << where;
    EXPECT_FALSE(fs::exists(staged));
    std::unique_ptr<BlobReader> r;
    ASSERT_TRUE(store->open("p", "raw/a.bin", &r).is_ok());
    std::string out;
    ASSERT_TRUE(r->read(0, 100, &out).is_ok());
    EXPECT_EQ(out, "content");
    ASSERT_TRUE(store->remove("p", "raw/a.bin").is_ok());
  }
  EXPECT_EQ(faulty.faults(), 2);
}

TEST(FsBlobStoreFaults, AFullDiskIsNoSpace) {
  TempDir dir;
  testing::FaultyFileSystem faulty;
  std::unique_ptr<BlobStore> store;
  ASSERT_TRUE(open_fs_blob_store(dir.path() / "blobs", &store, faulty).is_ok());
  fs::path staged = store->staging_dir() / "s";
  write_file(staged, "x");
  faulty.fail_syncs(ENOSPC);  // delayed allocation: the disk fills at fsync
  BlobStatus s = store->put("p", "f", staged);
  EXPECT_TRUE(s.is_no_space()) << s.message();
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.message();
  EXPECT_TRUE(fs::exists(staged));
}

// Writes through the seam: a torn write lands the bytes within the budget, then fails; a
// replaced small file is either the old or the new one, never torn.
TEST(FsBlobStoreFaults, TornWritesNeverTearAnAtomicallyReplacedFile) {
  TempDir dir;
  testing::FaultyFileSystem faulty;
  const fs::path file = dir.path() / "record.json";
  ASSERT_TRUE(replace_file_atomically(file, "{\"offset\":1}", 0644, true, faulty).is_ok());
  faulty.fail_writes_after(5, ENOSPC);
  BlobStatus s = replace_file_atomically(file, "{\"offset\":2, \"more\": true}", 0644, true, faulty);
  EXPECT_TRUE(s.is_no_space()) << s.message();
  EXPECT_EQ(read_file(file), "{\"offset\":1}");
  EXPECT_FALSE(fs::exists(dir.path() / "record.json.tmp"));
  faulty.heal();
  ASSERT_TRUE(replace_file_atomically(file, "{\"offset\":2}", 0644, true, faulty).is_ok());
  EXPECT_EQ(read_file(file), "{\"offset\":2}");
}

TEST_F(FsBlobStoreTest, FileWhereADirectoryIsNeededIsAnIoError) {
  ASSERT_TRUE(put("p", "a", "file").is_ok());
  BlobStatus s = put("p", "a/b", "x");
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("'a/b'"), std::string::npos);
}

}  // namespace
}  // namespace openem
