// The S3 blob store against a real S3 server: npm s3rver on 127.0.0.1, started for each test
// suite by tests/support/s3rver.sh (which installs it with npm the first time), behind a proxy
// (tests/support/s3_fault_proxy.js) that checks every request's SigV4 signature with AWS's
// own signer (s3rver does not) and, on its second port, injects faults for the retry and
// integrity tests. No mocks: every request goes over HTTP, signed, to the server.
#include "blob/s3/s3_blob_store.h"

#include <curl/curl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "blob/hasher.h"
#include "blob/s3/s3_test_servers.h"
#include "blob/test_util.h"

namespace openem {
namespace {
namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

using testing::kS3TestBucket;
using testing::S3Servers;
constexpr const char* kBucket = kS3TestBucket;

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (std::size_t i = 0; i < n; i += 8) {
    std::uint64_t v = rng();
    for (std::size_t j = 0; j < 8 && i + j < n; ++j) out[i + j] = static_cast<char>(v >> (8 * j));
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) { return Hasher::hex(Hasher::digest("sha256", bytes)); }

class S3BlobStoreTest : public ::testing::Test {
 protected:
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
    // Not skipped: a missing node or npm is a broken test environment, and says so.
    ASSERT_TRUE(servers_->error().empty()) << servers_->error();
    servers_->faults("mode=none");
    // Every test in its own key prefix of the one bucket.
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    prefix_ = std::string("t/") + info->test_suite_name() + "." + info->name();
    ASSERT_TRUE(open_store(servers_->checked(), &store_).is_ok());
    ASSERT_TRUE(open_store(servers_->proxy(), &proxied_).is_ok());
  }

  S3Location location(const std::string& endpoint) const {
    S3Location where;
    where.endpoint = endpoint;
    where.bucket = kBucket;
    where.prefix = prefix_;
    where.access_key_id = "S3RVER";
    where.secret_access_key = "S3RVER";
    // Small enough that the tests reach multipart uploads, several listing pages and the last
    // retry quickly.
    where.tuning.multipart_threshold = 5 << 20;
    where.tuning.part_size = 5 << 20;
    where.tuning.list_page_size = 2;
    where.tuning.max_attempts = 4;
    where.tuning.retry_delay = std::chrono::milliseconds(5);
    where.tuning.max_retry_delay = std::chrono::milliseconds(40);
    return where;
  }

  BlobStatus open_store(const std::string& endpoint, std::unique_ptr<BlobStore>* out) const {
    return open_s3_blob_store(location(endpoint), staging_.path(), out);
  }

  fs::path stage(const std::string& content) {
    fs::path staged = staging_.path() / ("s" + std::to_string(n_++));
    write_file(staged, content);
    return staged;
  }

  // Stages `content` and puts it at (pid, path).
  BlobStatus put(BlobStore& store, const std::string& pid, const std::string& path, const std::string& content) {
    return store.put(pid, path, stage(content));
  }
  BlobStatus put(const std::string& pid, const std::string& path, const std::string& content) {
    return put(*store_, pid, path, content);
  }

  std::string read_all(BlobStore& store, const std::string& pid, const std::string& path) {
    std::unique_ptr<BlobReader> r;
    BlobStatus s = store.open(pid, path, &r);
    EXPECT_TRUE(s.is_ok()) << s.message();
    if (!s.is_ok()) return "";
    std::string out;
    s = r->read(0, static_cast<size_t>(r->info().size) + 10, &out);
    EXPECT_TRUE(s.is_ok()) << s.message();
    return out;
  }
  std::string read_all(const std::string& pid, const std::string& path) { return read_all(*store_, pid, path); }

  // The file's SHA-256 read back through a reader in 1 MiB ranges.
  std::string sha256_read_back(BlobStore& store, const std::string& pid, const std::string& path) {
    std::unique_ptr<BlobReader> r;
    EXPECT_TRUE(store.open(pid, path, &r).is_ok());
    if (!r) return "";
    Hasher hasher = Hasher::sha256();
    std::string chunk;
    for (std::int64_t offset = 0; offset < r->info().size; offset += static_cast<std::int64_t>(chunk.size())) {
      BlobStatus s = r->read(offset, 1 << 20, &chunk);
      EXPECT_TRUE(s.is_ok()) << s.message();
      if (!s.is_ok() || chunk.empty()) return "";
      hasher.update(chunk);
    }
    return Hasher::hex(hasher.finish());
  }

  // The requests the proxy forwarded that contain `needle`.
  int forwarded_matching(const std::string& needle) const {
    int n = 0;
    const boost::json::object seen = servers_->seen();
    for (const auto& r : seen.at("requests").as_array())
      if (std::string_view(r.as_string()).find(needle) != std::string_view::npos) ++n;
    return n;
  }
  std::int64_t injected() const { return servers_->seen().at("injected").as_int64(); }

  static S3Servers* servers_;
  TempDir staging_{"openem-s3-staging"};
  std::string prefix_;
  std::unique_ptr<BlobStore> store_;    // never a fault
  std::unique_ptr<BlobStore> proxied_;  // with the faults a test sets
  int n_ = 0;
};

S3Servers* S3BlobStoreTest::servers_ = nullptr;

TEST_F(S3BlobStoreTest, PutOpenReadRanges) {
  const std::string pid = "PID.prefix/abc";
  ASSERT_TRUE(put(pid, "raw/movie.tif", "0123456789").is_ok());
  EXPECT_TRUE(fs::is_empty(store_->staging_dir()));  // the staged file was consumed
  EXPECT_EQ(store_->staging_dir(), staging_.path());
  // The key: <prefix>/datasets/<pid_directory_name(pid)>/<path>.
  EXPECT_EQ(read_file(servers_->object_file(prefix_ + "/datasets/PID.prefix%2Fabc/raw/movie.tif")), "0123456789");

  std::unique_ptr<BlobReader> r;
  ASSERT_TRUE(store_->open(pid, "raw/movie.tif", &r).is_ok());
  EXPECT_EQ(r->info().path, "raw/movie.tif");
  EXPECT_EQ(r->info().size, 10);
  EXPECT_GT(r->info().mtime_ns, 0);
  std::string out;
  ASSERT_TRUE(r->read(3, 4, &out).is_ok());
  EXPECT_EQ(out, "3456");
  ASSERT_TRUE(r->read(8, 100, &out).is_ok());
  EXPECT_EQ(out, "89");
  ASSERT_TRUE(r->read(10, 5, &out).is_ok());
  EXPECT_EQ(out, "");
  ASSERT_TRUE(r->read(0, 0, &out).is_ok());
  EXPECT_EQ(out, "");
  EXPECT_EQ(r->read(-1, 5, &out).code(), BlobStatus::Code::kIoError);

  BlobInfo info;
  ASSERT_TRUE(store_->stat(pid, "raw/movie.tif", &info).is_ok());
  EXPECT_EQ(info.size, 10);
  EXPECT_EQ(info.path, "raw/movie.tif");
  EXPECT_EQ(info.mtime_ns, r->info().mtime_ns);
  EXPECT_TRUE(store_->exists(pid, "raw/movie.tif"));
  EXPECT_FALSE(store_->exists(pid, "raw"));                          // a directory is not a file
  EXPECT_FALSE(store_->exists("PID.prefix", "abc/raw/movie.tif"));  // pids do not nest
}

TEST_F(S3BlobStoreTest, BinaryContentRoundTripsByteForByte) {
  const std::string content = random_bytes(300000, 1);
  ASSERT_TRUE(put("p", "data/bin", content).is_ok());
  ASSERT_TRUE(put("p", "empty", "").is_ok());
  EXPECT_EQ(read_all("p", "data/bin"), content);
  EXPECT_EQ(read_all("p", "empty"), "");
  BlobInfo info;
  ASSERT_TRUE(store_->stat("p", "empty", &info).is_ok());
  EXPECT_EQ(info.size, 0);

  std::unique_ptr<BlobReader> r;
  ASSERT_TRUE(store_->open("p", "data/bin", &r).is_ok());
  std::mt19937 rng(2);
  for (int i = 0; i < 20; ++i) {
    std::int64_t offset = rng() % content.size();
    std::size_t n = rng() % 70000;
    std::string out;
    ASSERT_TRUE(r->read(offset, n, &out).is_ok());
    EXPECT_EQ(out, content.substr(static_cast<std::size_t>(offset), n)) << offset << "+" << n;
  }
}

TEST_F(S3BlobStoreTest, NamesThatNeedEscapingRoundTrip) {
  // Bytes that must be percent-encoded in the URL (and in SigV4's canonical request), and
  // escaped in the listing's XML.
  const std::vector<std::string> paths = {"a b/c+d=e.txt", "x&y<z>'\".txt", "\xC3\xA9t\xC3\xA9/\xE6\x96\x87.dat",
                                          "per%cent/100%.txt", "tilde~(paren)!*,;:@$.bin"};
  for (const std::string& path : paths) ASSERT_TRUE(put("10.5281/zenodo 1", path, path).is_ok()) << path;
  for (const std::string& path : paths) EXPECT_EQ(read_all("10.5281/zenodo 1", path), path);
  std::vector<BlobInfo> files;
  ASSERT_TRUE(store_->list("10.5281/zenodo 1", &files).is_ok());
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end());
  ASSERT_EQ(files.size(), sorted.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files[i].path, sorted[i]);
    EXPECT_EQ(files[i].size, static_cast<std::int64_t>(sorted[i].size()));
  }
}

TEST_F(S3BlobStoreTest, ListIsSortedPerDatasetAndFollowsContinuationTokens) {
  // Seven files with two keys per page: four pages. (s3rver lists in the order of a walk of
  // its directories, which is S3's bytewise order only when no name sorts between a directory
  // "a" and "a/": no sibling like "a-b" or "a.b". Its continuation token resumes after the
  // last key bytewise, so keys would be skipped there; S3 itself lists bytewise.)
  const std::vector<std::string> paths = {"b.txt", "a/z.txt", "a/b/c.txt", "B.txt", "a0", "c/x", "\xC3\xA9"};
  for (size_t i = 0; i < paths.size(); ++i)
    ASSERT_TRUE(put(*proxied_, "p/1", paths[i], std::string(i + 1, 'x')).is_ok());
  ASSERT_TRUE(put("p/2", "other", "o").is_ok());
  ASSERT_TRUE(put("p/10", "other", "o").is_ok());  // "p/1" is a prefix of its pid: never listed with it
  servers_->faults("mode=none");
  std::vector<BlobInfo> files;
  ASSERT_TRUE(proxied_->list("p/1", &files).is_ok());
  EXPECT_EQ(forwarded_matching("continuation-token="), 3);
  std::vector<std::string> sorted = paths;
  std::sort(sorted.begin(), sorted.end());  // bytewise
  ASSERT_EQ(files.size(), sorted.size());
  for (size_t i = 0; i < files.size(); ++i) {
    EXPECT_EQ(files[i].path, sorted[i]);
    auto original = std::find(paths.begin(), paths.end(), sorted[i]) - paths.begin();
    EXPECT_EQ(files[i].size, original + 1);
    EXPECT_GT(files[i].mtime_ns, 0);
  }
  ASSERT_TRUE(store_->list("unknown", &files).is_ok());
  EXPECT_TRUE(files.empty());
}

TEST_F(S3BlobStoreTest, RemoveAndNotFound) {
  ASSERT_TRUE(put("p", "a/b/c", "1").is_ok());
  ASSERT_TRUE(put("p", "a/d", "2").is_ok());
  ASSERT_TRUE(store_->remove("p", "a/b/c").is_ok());
  EXPECT_FALSE(store_->exists("p", "a/b/c"));
  EXPECT_TRUE(store_->exists("p", "a/d"));
  ASSERT_TRUE(store_->remove("p", "a/d").is_ok());
  std::vector<BlobInfo> files;
  ASSERT_TRUE(store_->list("p", &files).is_ok());
  EXPECT_TRUE(files.empty());

  BlobStatus s = store_->remove("p", "a/d");
  EXPECT_TRUE(s.is_not_found()) << s.message();
  EXPECT_EQ(s.message(), "file 'a/d' has not been uploaded");
  std::unique_ptr<BlobReader> r;
  EXPECT_TRUE(store_->open("p", "a/d", &r).is_not_found());
  BlobInfo info;
  EXPECT_TRUE(store_->stat("p", "never", &info).is_not_found());
  EXPECT_TRUE(store_->stat("unknown pid", "f", &info).is_not_found());
}

TEST_F(S3BlobStoreTest, InvalidPathsAreRefusedAndNothingIsStored) {
  for (const std::string& bad : std::vector<std::string>{"../../secret", "/etc/passwd", "a/../../../secret", "..\\..\\secret",
                                                         std::string("a\0/x", 4), "./secret", "a//b", "", "dir/"}) {
    fs::path staged = stage("payload");
    BlobStatus s = store_->put("p", bad, staged);
    EXPECT_TRUE(s.is_invalid_path()) << bad;
    EXPECT_NE(s.message().find("invalid file path"), std::string::npos) << s.message();
    EXPECT_EQ(read_file(staged), "payload");  // refused: still staged
    std::unique_ptr<BlobReader> r;
    EXPECT_TRUE(store_->open("p", bad, &r).is_invalid_path()) << bad;
    BlobInfo info;
    EXPECT_TRUE(store_->stat("p", bad, &info).is_invalid_path()) << bad;
    EXPECT_TRUE(store_->remove("p", bad).is_invalid_path()) << bad;
  }
  EXPECT_TRUE(store_->put("", "f", stage("x")).is_invalid_path());
  std::vector<BlobInfo> files;
  ASSERT_TRUE(store_->list("p", &files).is_ok());
  EXPECT_TRUE(files.empty());
  // pids that look like traversals stay one key segment below datasets/.
  for (const std::string& pid : std::vector<std::string>{"..", "../..", "/", "../../x", "a/../../b"}) {
    ASSERT_TRUE(put(pid, "f", pid).is_ok()) << pid;
    ASSERT_TRUE(store_->list(pid, &files).is_ok());
    ASSERT_EQ(files.size(), 1u) << pid;
    EXPECT_EQ(read_all(pid, "f"), pid);
  }
  int stored = 0;
  const fs::path datasets = servers_->data_dir() / prefix_ / "datasets";
  for (const auto& e : fs::recursive_directory_iterator(servers_->data_dir() / prefix_)) {
    if (!e.is_regular_file() || !e.path().string().ends_with("._S3rver_object")) continue;
    ++stored;
    auto rel = e.path().lexically_relative(datasets);
    ASSERT_FALSE(rel.empty() || *rel.begin() == "..") << e.path();
    EXPECT_EQ(std::distance(rel.begin(), rel.end()), 2) << e.path();  // <pid dir>/f
  }
  EXPECT_EQ(stored, 5);
}

TEST_F(S3BlobStoreTest, FileWhereADirectoryIsNeededIsAnIoError) {
  ASSERT_TRUE(put("p", "a", "file").is_ok());
  BlobStatus s = put("p", "a/b", "x");
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("'a/b'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'a' is a file"), std::string::npos) << s.message();
  // And the other way round: a file cannot take the name of a directory.
  ASSERT_TRUE(put("p", "d/e/f", "x").is_ok());
  s = put("p", "d/e", "x");
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("directory"), std::string::npos) << s.message();
  EXPECT_EQ(read_all("p", "d/e/f"), "x");
  EXPECT_FALSE(store_->exists("p", "d/e"));
}

TEST_F(S3BlobStoreTest, ReplacingAFileIsReportedToItsOpenReaders) {
  ASSERT_TRUE(put("p", "f", "old content").is_ok());
  std::unique_ptr<BlobReader> r;
  ASSERT_TRUE(store_->open("p", "f", &r).is_ok());
  std::string out;
  ASSERT_TRUE(r->read(0, 3, &out).is_ok());
  EXPECT_EQ(out, "old");
  ASSERT_TRUE(put("p", "f", "new content").is_ok());
  // S3 keeps no old version to read (unversioned bucket): the reader must not mix the two.
  BlobStatus s = r->read(4, 7, &out);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("changed after it was opened"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'f'"), std::string::npos) << s.message();
  EXPECT_EQ(out, "");
  EXPECT_EQ(read_all("p", "f"), "new content");
  // Put back as it was, the object is the version the reader opened again.
  ASSERT_TRUE(put("p", "f", "old content").is_ok());
  ASSERT_TRUE(r->read(4, 7, &out).is_ok());
  EXPECT_EQ(out, "content");

  ASSERT_TRUE(store_->remove("p", "f").is_ok());
  s = r->read(0, 3, &out);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("removed after it was opened"), std::string::npos) << s.message();
}

TEST_F(S3BlobStoreTest, LargeFilesGoAsMultipartUploads) {
  const std::string content = random_bytes(12 << 20, 3);
  ASSERT_TRUE(put(*proxied_, "p", "movies/big.mrc", content).is_ok());
  EXPECT_TRUE(fs::is_empty(staging_.path()));
  // 12 MiB in 5 MiB parts: 5 + 5 + 2.
  EXPECT_EQ(forwarded_matching("?uploads="), 1);
  EXPECT_EQ(forwarded_matching("partNumber="), 3);
  EXPECT_EQ(forwarded_matching("partNumber=3&uploadId="), 1);
  EXPECT_EQ(forwarded_matching("POST /openem-test/" + prefix_ + "/datasets/p/movies/big.mrc?uploadId="), 1);
  BlobInfo info;
  ASSERT_TRUE(store_->stat("p", "movies/big.mrc", &info).is_ok());
  EXPECT_EQ(info.size, 12 << 20);
  EXPECT_EQ(sha256_read_back(*store_, "p", "movies/big.mrc"), sha256_hex(content));
  // At the threshold exactly: one PUT.
  servers_->faults("mode=none");
  ASSERT_TRUE(put(*proxied_, "p", "movies/five.mrc", content.substr(0, 5 << 20)).is_ok());
  EXPECT_EQ(forwarded_matching("?uploads="), 0);
  EXPECT_EQ(sha256_read_back(*store_, "p", "movies/five.mrc"), sha256_hex(content.substr(0, 5 << 20)));
}

TEST_F(S3BlobStoreTest, ConcurrentPutsAndReads) {
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const std::string path = "t" + std::to_string(t) + "/f" + std::to_string(i);
        const std::string content = random_bytes(1000 + 100 * i, static_cast<unsigned>(t * 10 + i));
        fs::path staged = staging_.path() / ("c" + std::to_string(t) + "-" + std::to_string(i));
        write_file(staged, content);
        if (!store_->put("p", path, staged).is_ok()) ++failures;
        std::unique_ptr<BlobReader> r;
        std::string out;
        if (!store_->open("p", path, &r).is_ok() || !r->read(0, content.size(), &out).is_ok() || out != content)
          ++failures;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  std::vector<BlobInfo> files;
  ASSERT_TRUE(store_->list("p", &files).is_ok());
  EXPECT_EQ(files.size(), 20u);
}

TEST_F(S3BlobStoreTest, StagedFileStaysWhenPutFails) {
  servers_->faults("mode=status&status=500&code=InternalError&count=-1");
  fs::path staged = stage("precious");
  BlobStatus s = proxied_->put("p", "raw/a.bin", staged);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_EQ(read_file(staged), "precious");
  servers_->faults("mode=none");
  ASSERT_TRUE(proxied_->put("p", "raw/a.bin", staged).is_ok()) << "a retry with the same staged file";
  EXPECT_FALSE(fs::exists(staged));
  EXPECT_EQ(read_all("p", "raw/a.bin"), "precious");

  s = store_->put("p", "raw/b.bin", staging_.path() / "missing");
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("staged file"), std::string::npos) << s.message();
}

TEST_F(S3BlobStoreTest, OpensFromAnS3Url) {
  std::string error;
  auto where = parse_s3_url("s3://" + std::string(kBucket) + "/" + prefix_ + "?endpoint=" + servers_->checked() + "&region=us-east-1",
                            {{"AWS_ACCESS_KEY_ID", "S3RVER"}, {"AWS_SECRET_ACCESS_KEY", "S3RVER"}}, &error);
  ASSERT_TRUE(where) << error;
  std::unique_ptr<BlobStore> store;
  BlobStatus s = open_s3_blob_store(*where, staging_.path() / "from-url", &store);
  ASSERT_TRUE(s.is_ok()) << s.message();
  EXPECT_TRUE(fs::is_directory(staging_.path() / "from-url"));
  ASSERT_TRUE(store->put("p", "f", stage("via url")).is_ok());
  EXPECT_EQ(read_all("p", "f"), "via url");  // the same keys as the store opened by hand
}

// GET of a URL without credentials (as a browser following a redirect): status and body.
std::pair<long, std::string> plain_get(const std::string& url, const std::string& range = "") {
  std::string body;
  CURL* h = curl_easy_init();
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, testing::collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  if (!range.empty()) curl_easy_setopt(h, CURLOPT_RANGE, range.c_str());
  long status = 0;
  EXPECT_EQ(curl_easy_perform(h), CURLE_OK) << url;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(h);
  return {status, body};
}

TEST_F(S3BlobStoreTest, DirectDownloadUrlsOnlyWhenPresignIsSet) {
  ASSERT_TRUE(put("p", "f.mrc", "bytes").is_ok());
  EXPECT_FALSE(store_->direct_download_url("p", "f.mrc", {}));
}

TEST_F(S3BlobStoreTest, PresignedUrlsServeTheFileWithoutCredentialsUntilTheyExpire) {
  S3Location where = location(servers_->checked());
  where.presign_seconds = 2;
  std::unique_ptr<BlobStore> store;
  ASSERT_TRUE(open_s3_blob_store(where, staging_.path(), &store).is_ok());
  const std::string content = random_bytes(100000, 7);
  ASSERT_TRUE(put(*store, "PID.prefix/a b", "Frames/movie 1.tif", content).is_ok());

  auto url = store->direct_download_url("PID.prefix/a b", "Frames/movie 1.tif", {"attachment; filename=\"movie 1.tif\""});
  ASSERT_TRUE(url);
  EXPECT_EQ(url->rfind(servers_->checked() + "/" + kBucket + "/", 0), 0u) << *url;
  EXPECT_NE(url->find("X-Amz-Expires=2&"), std::string::npos) << *url;
  auto [status, body] = plain_get(*url);  // the proxy checks the signature with AWS's signer
  EXPECT_EQ(status, 200) << body;
  EXPECT_TRUE(body == content) << "a different body of " << body.size() << " bytes";
  auto [part_status, part] = plain_get(*url, "10-19");
  EXPECT_EQ(part_status, 206);
  EXPECT_EQ(part, content.substr(10, 10));

  // Changed in any part, the URL is refused.
  std::string tampered = *url;
  tampered.replace(tampered.find("movie%201"), 9, "movie%202");
  EXPECT_EQ(plain_get(tampered).first, 403);
  // A path that is not a file's never gets a URL.
  EXPECT_FALSE(store->direct_download_url("p", "../x", {}));

  std::this_thread::sleep_for(std::chrono::milliseconds(3100));
  auto [late_status, late_body] = plain_get(*url);
  EXPECT_EQ(late_status, 403);
  EXPECT_NE(late_body.find("expired"), std::string::npos) << late_body;
}

TEST_F(S3BlobStoreTest, PresignedUrlsUseThePublicEndpoint) {
  S3Location where = location(servers_->checked());
  where.presign_seconds = 300;
  where.public_endpoint = "https://data.example.org";
  std::unique_ptr<BlobStore> store;
  ASSERT_TRUE(open_s3_blob_store(where, staging_.path(), &store).is_ok());
  auto url = store->direct_download_url("p", "f", {});
  ASSERT_TRUE(url);
  EXPECT_EQ(url->rfind("https://data.example.org/" + std::string(kBucket) + "/" + prefix_ + "/datasets/", 0), 0u) << *url;
}

TEST_F(S3BlobStoreTest, OpenFailsClearlyForAMissingBucketOrBadCredentials) {
  S3Location where = location(servers_->checked());
  where.bucket = "no-such-bucket";
  std::unique_ptr<BlobStore> store;
  BlobStatus s = open_s3_blob_store(where, staging_.path(), &store);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("s3://no-such-bucket/" + prefix_), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("does not exist"), std::string::npos) << s.message();

  where = location(servers_->checked());
  where.secret_access_key = "wrong";  // the proxy checks signatures
  s = open_s3_blob_store(where, staging_.path(), &store);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("access denied (HTTP 403"), std::string::npos) << s.message();
  where.access_key_id = "unknown";  // s3rver checks the key
  s = open_s3_blob_store(where, staging_.path(), &store);
  EXPECT_NE(s.message().find("access denied (HTTP 403"), std::string::npos) << s.message();
}

// The peak resident memory of this process (VmHWM), in bytes; reset_peak() starts it over
// from what is resident now (Linux >= 4.0).
std::int64_t peak_rss() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  return -1;
}
bool reset_peak() { return static_cast<bool>(std::ofstream("/proc/self/clear_refs") << "5"); }

TEST_F(S3BlobStoreTest, PutStreamsLargeFilesInConstantMemory) {
  // 48 MiB of zeros that are never in this process's memory (a sparse file), as one PUT and
  // as a multipart upload: memory grows by buffers, not by the file.
  constexpr std::int64_t kSize = 48 << 20;
  S3Location single = location(servers_->checked());
  single.tuning.multipart_threshold = std::int64_t{1} << 40;
  std::unique_ptr<BlobStore> single_put;
  ASSERT_TRUE(open_s3_blob_store(single, staging_.path(), &single_put).is_ok());
  for (BlobStore* store : {single_put.get(), store_.get()}) {
    fs::path staged = staging_.path() / "sparse";
    write_file(staged, "");
    fs::resize_file(staged, kSize);
    ASSERT_TRUE(reset_peak());
    const std::int64_t before = peak_rss();
    BlobStatus s = store->put("p", "zeros", staged);
    ASSERT_TRUE(s.is_ok()) << s.message();
    const std::int64_t growth = peak_rss() - before;
    EXPECT_LT(growth, 16 << 20) << "put() grew the peak resident memory by " << growth << " bytes";
    BlobInfo info;
    ASSERT_TRUE(store_->stat("p", "zeros", &info).is_ok());
    EXPECT_EQ(info.size, kSize);
  }
  EXPECT_EQ(sha256_read_back(*store_, "p", "zeros"), sha256_hex(std::string(kSize, '\0')));
}

// Through the fault proxy: transient failures are retried until they pass, lasting ones come
// back as kIoError naming the key and the server's answer.
TEST_F(S3BlobStoreTest, SlowDownAndServerErrorsAreRetried) {
  servers_->faults("mode=status&status=503&code=SlowDown&count=3");
  ASSERT_TRUE(put(*proxied_, "p", "f", "survived").is_ok());
  EXPECT_EQ(injected(), 3);

  std::unique_ptr<BlobReader> r;
  ASSERT_TRUE(proxied_->open("p", "f", &r).is_ok());
  servers_->faults("mode=status&status=429&code=TooManyRequests&count=2&methods=GET");
  std::string out;
  ASSERT_TRUE(r->read(0, 100, &out).is_ok());
  EXPECT_EQ(out, "survived");
  EXPECT_EQ(injected(), 2);

  servers_->faults("mode=status&status=500&code=InternalError&count=3&methods=GET");
  std::vector<BlobInfo> files;
  ASSERT_TRUE(proxied_->list("p", &files).is_ok());
  EXPECT_EQ(files.size(), 1u);
  EXPECT_EQ(injected(), 3);

  servers_->faults("mode=reset&count=3");  // connections closed without an answer
  ASSERT_TRUE(put(*proxied_, "p", "g", "also survived").is_ok());
  EXPECT_EQ(injected(), 3);
  EXPECT_EQ(read_all(*proxied_, "p", "g"), "also survived");
}

TEST_F(S3BlobStoreTest, LastingServerErrorsAreIoErrorsWithTheKeyAndTheAnswer) {
  ASSERT_TRUE(put("p", "raw/f", "content").is_ok());
  std::unique_ptr<BlobReader> r;
  ASSERT_TRUE(proxied_->open("p", "raw/f", &r).is_ok());
  servers_->faults("mode=status&status=500&code=InternalError&count=-1");
  const std::string key = "s3://openem-test/" + prefix_ + "/datasets/p/raw/";

  fs::path staged = stage("new");
  BlobStatus s = proxied_->put("p", "raw/g", staged);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("cannot store 'raw/g' at " + key + "g"), std::string::npos) << s.message();
  s = proxied_->put("p", "g", staged);  // its first request is a listing: S3's error body names the code
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("HTTP 500 InternalError (Injected by the fault proxy.) after 4 attempts"), std::string::npos)
      << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos) << s.message();
  EXPECT_EQ(read_file(staged), "new");

  std::string out;
  s = r->read(0, 10, &out);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("cannot read 'raw/f' (" + key + "f)"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("HTTP 500 InternalError"), std::string::npos) << s.message();

  BlobInfo info;
  s = proxied_->stat("p", "raw/f", &info);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find(key + "f: HTTP 500 after 4 attempts"), std::string::npos) << s.message();  // HEAD: no body
  EXPECT_EQ(proxied_->remove("p", "raw/f").code(), BlobStatus::Code::kIoError);
  std::vector<BlobInfo> files;
  s = proxied_->list("p", &files);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("cannot list the files of dataset p"), std::string::npos) << s.message();
  EXPECT_EQ(injected(), 4 * 6);  // put twice, read, stat, remove, list  // every request tried max_attempts times

  // A permanent refusal (a 4xx) is not retried.
  servers_->faults("mode=status&status=403&code=AccessDenied&count=-1");
  s = proxied_->put("p", "g", staged);
  EXPECT_NE(s.message().find("HTTP 403 AccessDenied"), std::string::npos) << s.message();
  EXPECT_EQ(injected(), 1);
  EXPECT_EQ(read_file(staged), "new");
}

TEST_F(S3BlobStoreTest, BodiesDamagedOnTheWayAreDetected) {
  // s3rver, like some S3 servers, does not check Content-MD5: the ETag it answers with tells.
  servers_->faults("mode=corrupt&count=1");
  const std::string content = random_bytes(100000, 4);
  ASSERT_TRUE(put(*proxied_, "p", "f", content).is_ok());
  EXPECT_EQ(injected(), 1);
  EXPECT_EQ(read_all("p", "f"), content);  // the retry replaced the damaged copy

  servers_->faults("mode=corrupt&count=-1");
  fs::path staged = stage(content);
  BlobStatus s = proxied_->put("p", "g", staged);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("damaged on the way"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("the damaged copy was removed"), std::string::npos) << s.message();
  EXPECT_TRUE(fs::exists(staged));
  EXPECT_FALSE(store_->exists("p", "g"));  // no wrong object left behind
}

TEST_F(S3BlobStoreTest, MultipartUploadsRetryPartsAndAbortOnFailure) {
  const std::string content = random_bytes(11 << 20, 5);
  // The second part: once refused, once damaged; both retried.
  servers_->faults("mode=status&status=503&code=SlowDown&count=1&methods=PUT&after=1");
  ASSERT_TRUE(put(*proxied_, "p", "a.bin", content).is_ok());
  EXPECT_EQ(injected(), 1);
  servers_->faults("mode=corrupt&count=1&after=1");
  ASSERT_TRUE(put(*proxied_, "p", "b.bin", content).is_ok());
  EXPECT_EQ(injected(), 1);
  EXPECT_EQ(sha256_read_back(*store_, "p", "a.bin"), sha256_hex(content));
  EXPECT_EQ(sha256_read_back(*store_, "p", "b.bin"), sha256_hex(content));

  // The second part fails for good: the upload is aborted, nothing is stored, the staged
  // file stays.
  servers_->faults("mode=status&status=500&code=InternalError&count=-1&methods=PUT&after=1");
  fs::path staged = stage(content);
  BlobStatus s = proxied_->put("p", "c.bin", staged);
  EXPECT_EQ(s.code(), BlobStatus::Code::kIoError);
  EXPECT_NE(s.message().find("(part 2)"), std::string::npos) << s.message();
  EXPECT_EQ(forwarded_matching("DELETE /openem-test/" + prefix_ + "/datasets/p/c.bin?uploadId="), 1);
  EXPECT_EQ(read_file(staged), content);
  EXPECT_FALSE(store_->exists("p", "c.bin"));
}

}  // namespace
}  // namespace openem
