#include "ingest/sha256.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "ingest/parallel_hasher.h"
#include "ingest/session_scan.h"

namespace openem::ingest {
namespace {
namespace fs = std::filesystem;

// FIPS 180-2 / NIST CSHA test vectors.
TEST(Sha256, KnownVectors) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256_hex(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, IncrementalEqualsOneShotAndResets) {
  Sha256 h;
  h.update("ab", 2);
  h.update("c", 1);
  EXPECT_EQ(h.finish_hex(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(h.finish_hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256, Base64AsTusChecksumHeaders) {
  Sha256 h;
  h.update("abc", 3);
  std::string raw = h.finish_raw();
  EXPECT_EQ(base64_encode(raw), "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=");
  EXPECT_EQ(base64_decode("ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="), raw);
  EXPECT_EQ(base64_encode("PID.prefix/abc"), "UElELnByZWZpeC9hYmM=");
  EXPECT_EQ(base64_decode("UElELnByZWZpeC9hYmM="), "PID.prefix/abc");
  EXPECT_EQ(base64_decode("abc"), "");  // not a multiple of 4
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("openem-ingest-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write(const std::string& rel, const std::string& content) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel, std::ios::binary) << content;
  }
  fs::path dir_;
};

using FileHash = TempDir;

TEST_F(FileHash, StreamsFilesLargerThanTheBuffer) {
  std::string big(10'000'000, 'a');
  write("big.bin", big);
  std::vector<char> buffer(1 << 20);  // ten reads
  std::uint64_t n = 0;
  EXPECT_EQ(sha256_file(dir_ / "big.bin", buffer, &n), sha256_hex(big));
  EXPECT_EQ(n, 10'000'000u);
}

TEST_F(FileHash, MissingFileNamesIt) {
  std::vector<char> buffer;
  try {
    sha256_file(dir_ / "nope.bin", buffer);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nope.bin: cannot open"), std::string::npos) << e.what();
  }
}

TEST_F(FileHash, ParallelHashesMatchSerialOnes) {
  for (int i = 0; i < 40; ++i) write("d/f" + std::to_string(i), std::string(i * 7919, char('a' + i % 26)));
  ScanResult scan = scan_session(dir_);
  ASSERT_EQ(scan.files.size(), 40u);
  std::atomic<std::uint64_t> bytes{0};
  std::atomic<int> done{0};
  HashProgress p;
  p.on_bytes = [&](std::uint64_t n) { bytes += n; };
  p.on_file_done = [&](std::size_t) { ++done; };
  auto out = hash_files(scan.files, {}, 4, p);
  EXPECT_EQ(done.load(), 40);
  EXPECT_EQ(bytes.load(), scan.total_bytes);
  for (std::size_t i = 0; i < scan.files.size(); ++i) {
    EXPECT_TRUE(out[i].error.empty()) << out[i].error;
    std::string name = scan.files[i].path;
    int k = std::stoi(name.substr(3));
    EXPECT_EQ(out[i].sha256, sha256_hex(std::string(k * 7919, char('a' + k % 26)))) << name;
  }
}

TEST_F(FileHash, FileChangedAfterScanIsReported) {
  write("a.bin", "first");
  ScanResult scan = scan_session(dir_);
  write("a.bin", "second, longer");
  auto out = hash_files(scan.files, {}, 1);
  EXPECT_EQ(out[0].sha256, "");
  EXPECT_EQ(out[0].error, "a.bin: changed while being ingested (size or modification time differs)");
}

}  // namespace
}  // namespace openem::ingest
