// The tar stream against real tar and sha256sum: a round trip must give back every byte,
// long and non-ASCII names included, and the manifest must verify.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "blob/dataset_tar.h"
#include "blob/tar_format.h"
#include "blob/test_util.h"

namespace openem {
namespace {
namespace fs = std::filesystem;
using testing::read_file;
using testing::TempDir;
using testing::write_file;

int run(const std::string& cmd) { return std::system(cmd.c_str()); }

TEST(TarFormat, UstarHeaderFieldsAndChecksum) {
  std::string h = tar_file_header("dir/file.txt", 1234, 1700000000);
  ASSERT_EQ(h.size(), 512u);
  EXPECT_EQ(h.substr(0, 12), "dir/file.txt");
  EXPECT_EQ(h.substr(124, 11), "00000002322");  // 1234 in octal
  EXPECT_EQ(h[156], '0');
  EXPECT_EQ(h.substr(257, 6), std::string("ustar\0", 6));
  unsigned sum = 0;
  for (size_t i = 0; i < 512; ++i) sum += (i >= 148 && i < 156) ? ' ' : static_cast<unsigned char>(h[i]);
  EXPECT_EQ(std::strtoul(h.substr(148, 6).c_str(), nullptr, 8), sum);
  EXPECT_EQ(tar_padding(0), 0u);
  EXPECT_EQ(tar_padding(1), 511u);
  EXPECT_EQ(tar_padding(512), 0u);
}

TEST(TarFormat, LongNamesAndHugeSizesUsePax) {
  std::string name(150, 'n');
  std::string h = tar_file_header(name, 10, 0);
  ASSERT_EQ(h.size(), 3 * 512u);  // pax header, its records, the ustar header
  EXPECT_EQ(h[156], 'x');
  std::string records = h.substr(512, 512);
  EXPECT_EQ(records.substr(0, 160), "160 path=" + name + "\n");
  std::string big = tar_file_header("f", 10LL << 30, 0);  // 10 GiB does not fit 11 octal digits
  EXPECT_NE(big.find("size=10737418240\n"), std::string::npos);
}

TEST(TarFormat, Top) {
  EXPECT_EQ(tar_top_name("PID.prefix/abc"), "PID.prefix_abc");
  EXPECT_EQ(tar_top_name(".."), "_..");
  EXPECT_EQ(tar_top_name(""), "_");
}

TEST(DatasetTarStream, RoundTripWithTarAndSha256sum) {
  TempDir dir;
  std::unique_ptr<BlobStore> store;
  ASSERT_TRUE(open_fs_blob_store(dir.path() / "blobs", &store).is_ok());
  const std::string pid = "PID.prefix/ds-1";
  std::string long_dir(120, 'd');
  std::map<std::string, std::string> files = {
      {"empty.txt", ""},
      {"a.txt", "hello\n"},
      {"exact512.bin", std::string(512, 'x')},
      {"raw/movie_001.tif", std::string(3 * 1024 * 1024 + 17, '\0')},
      {long_dir + "/" + std::string(90, 'f') + ".mrc", "long name"},
      {"Ångström/µm data.txt", "utf-8 name"},
      {"sub dir/with space's.txt", "quote"},
  };
  int i = 0;
  for (auto& [path, content] : files) {
    if (path == "raw/movie_001.tif")
      for (size_t k = 0; k < content.size(); k += 4099) content[k] = static_cast<char>(k * 7);
    fs::path staged = store->staging_dir() / std::to_string(i++);
    write_file(staged, content);
    ASSERT_TRUE(store->put(pid, path, staged).is_ok()) << path;
  }

  DatasetTarStream tar(*store, pid, 1700000000, 64 * 1024);
  ASSERT_TRUE(tar.start().is_ok());
  EXPECT_EQ(tar.files().size(), files.size());
  std::string archive, chunk;
  size_t biggest = 0, pieces = 0;
  for (bool more = true; more;) {
    more = tar.next(chunk);
    biggest = std::max(biggest, chunk.size());
    archive += chunk;
    ++pieces;
  }
  EXPECT_LE(biggest, 64 * 1024 + 3 * 512u + 64 * 1024);  // bounded pieces: constant memory
  EXPECT_GT(pieces, 40u);
  EXPECT_EQ(archive.size() % 512, 0u);
  std::string chunk_after;
  EXPECT_FALSE(tar.next(chunk_after));
  EXPECT_TRUE(chunk_after.empty());

  fs::path tarfile = dir.path() / "ds.tar", out = dir.path() / "out";
  write_file(tarfile, archive);
  fs::create_directories(out);
  ASSERT_EQ(run("tar -tf " + tarfile.string() + " > " + (dir.path() / "list").string()), 0);
  std::string listing = read_file(dir.path() / "list");
  EXPECT_NE(listing.find("PID.prefix_ds-1/bagit.txt\n"), std::string::npos);
  EXPECT_NE(listing.find("PID.prefix_ds-1/data/" + long_dir + "/"), std::string::npos);
  EXPECT_NE(listing.find("PID.prefix_ds-1/manifest-sha256.txt\n"), std::string::npos);
  ASSERT_EQ(run("tar -xf " + tarfile.string() + " -C " + out.string()), 0);
  for (const auto& [path, content] : files) {
    fs::path p = out / "PID.prefix_ds-1" / "data" / path;
    ASSERT_TRUE(fs::exists(p)) << path;
    EXPECT_EQ(read_file(p), content) << path;
  }
  std::string manifest = read_file(out / "PID.prefix_ds-1/manifest-sha256.txt");
  EXPECT_NE(manifest.find("5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03  data/a.txt\n"),
            std::string::npos);
  EXPECT_EQ(std::count(manifest.begin(), manifest.end(), '\n'), static_cast<long>(files.size()));
  EXPECT_EQ(run("cd " + (out / "PID.prefix_ds-1").string() + " && sha256sum --quiet -c manifest-sha256.txt"), 0);
  // Python's tarfile (pax aware) reads the same archive.
  EXPECT_EQ(run("python3 -c \"import tarfile,sys; t=tarfile.open(sys.argv[1]); "
                "assert len([m for m in t.getmembers() if m.isfile()]) == " + std::to_string(files.size() + 2) +
                "\" " + tarfile.string()),
            0);
}

TEST(DatasetTarStream, EmptyDatasetIsAValidBag) {
  TempDir dir;
  std::unique_ptr<BlobStore> store;
  ASSERT_TRUE(open_fs_blob_store(dir.path() / "blobs", &store).is_ok());
  DatasetTarStream tar(*store, "nothing", 0);
  ASSERT_TRUE(tar.start().is_ok());
  std::string archive, chunk;
  for (bool more = true; more;) {
    more = tar.next(chunk);
    archive += chunk;
  }
  // bagit header + data block, manifest header (no data), end marker.
  EXPECT_EQ(archive.size(), 512u * 2 + 512u + 1024u);
  write_file(dir.path() / "e.tar", archive);
  EXPECT_EQ(run("tar -tf " + (dir.path() / "e.tar").string() + " >/dev/null"), 0);
}

}  // namespace
}  // namespace openem
