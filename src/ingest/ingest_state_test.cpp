#include "ingest/ingest_state.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

namespace openem::ingest {
namespace {
namespace fs = std::filesystem;

IngestState sample() {
  IngestState s;
  s.session = "/data/krios/2024-05-01_grid3";
  s.server = "http://127.0.0.1:3000";
  s.pid = "PID.prefix/0b5e";
  s.registered = true;
  s.lifecycle_set = false;
  s.upload_done = false;
  s.files.push_back({"Frames/movie_0001.tif", 123456789012ull, 1714550400123456789LL, std::string(64, 'a'),
                     "http://127.0.0.1:3000/api/v3/uploads/9c1d", true, false});
  s.files.push_back({"grid3.mdoc", 4096, -5, std::string(64, 'b'), "", false, true});
  s.files.push_back({"odd name ü.txt", 0, 0, "", "", false, false});
  return s;
}

TEST(IngestState, JsonRoundTrip) {
  IngestState a = sample();
  IngestState b = state_from_json(state_to_json(a));
  EXPECT_EQ(b.session, a.session);
  EXPECT_EQ(b.server, a.server);
  EXPECT_EQ(b.pid, a.pid);
  EXPECT_TRUE(b.registered);
  EXPECT_FALSE(b.lifecycle_set);
  EXPECT_FALSE(b.upload_done);
  EXPECT_FALSE(b.updated_at.empty());
  ASSERT_EQ(b.files.size(), 3u);
  EXPECT_EQ(b.files[0].path, "Frames/movie_0001.tif");
  EXPECT_EQ(b.files[0].size, 123456789012ull);
  EXPECT_EQ(b.files[0].mtime_ns, 1714550400123456789LL);
  EXPECT_EQ(b.files[0].sha256, std::string(64, 'a'));
  EXPECT_EQ(b.files[0].upload_url, "http://127.0.0.1:3000/api/v3/uploads/9c1d");
  EXPECT_TRUE(b.files[0].sent);
  EXPECT_FALSE(b.files[0].uploaded);
  EXPECT_EQ(b.files[1].mtime_ns, -5);
  EXPECT_FALSE(b.files[1].sent);
  EXPECT_TRUE(b.files[1].uploaded);
  EXPECT_EQ(b.files[2].path, "odd name ü.txt");
  ASSERT_NE(b.find("grid3.mdoc"), nullptr);
  EXPECT_EQ(b.find("grid3.mdoc")->size, 4096u);
  EXPECT_EQ(b.find("missing"), nullptr);
}

TEST(IngestState, FileRoundTripIsPrivateAndAtomic) {
  fs::path dir = fs::temp_directory_path() / ("openem-state-test-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::path file = default_state_path(dir, "/data/krios/2024-05-01_grid3");
  EXPECT_EQ(file.parent_path(), dir);
  EXPECT_EQ(file.filename().string().size(), 32u + 5u);
  EXPECT_FALSE(load_state(file).has_value());
  save_state(file, sample());
  auto back = load_state(file);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->pid, "PID.prefix/0b5e");
  EXPECT_EQ(back->files.size(), 3u);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(fs::exists(fs::path(file.string() + ".tmp")));
  fs::remove_all(dir);
}

TEST(IngestState, DifferentSessionsGetDifferentFiles) {
  EXPECT_NE(default_state_path("/s", "/data/a"), default_state_path("/s", "/data/b"));
}

TEST(IngestState, CorruptFileIsAnErrorNamingIt) {
  fs::path file = fs::temp_directory_path() / ("openem-state-corrupt-" + std::to_string(::getpid()) + ".json");
  std::ofstream(file) << "{\"version\": 1, \"files\": [1]";
  try {
    load_state(file);
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(file.string() + ": not an ingest state file"), std::string::npos) << e.what();
  }
  std::ofstream(file) << "{\"version\": 2}";
  EXPECT_THROW(load_state(file), std::runtime_error);
  fs::remove(file);
}

}  // namespace
}  // namespace openem::ingest
