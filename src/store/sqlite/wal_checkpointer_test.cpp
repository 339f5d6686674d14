#include "store/sqlite/wal_checkpointer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace openem {
namespace {

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("openem-wal-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    writer_ = std::make_unique<SqliteDb>(file());
    writer_->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB); PRAGMA wal_checkpoint(TRUNCATE);");
  }
  void TearDown() override {
    writer_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::filesystem::path file() const { return dir_ / "catalog.db"; }

  // One commit of a row of 4 KiB: at least one frame in the log.
  void write(int id) {
    auto st = writer_->prepare("INSERT INTO t (id, data) VALUES (?, zeroblob(4096))");
    st.bind_int(1, id);
    st.run();
  }
  // Rows the database file holds without its log: a copy of the file alone, opened.
  std::int64_t rows_in_file_alone() {
    auto copy = dir_ / "alone.db";
    std::filesystem::remove(copy);
    std::filesystem::copy_file(file(), copy);
    SqliteDb db(copy);
    auto st = db.prepare("SELECT COUNT(*) FROM t");
    st.step();
    return st.int64(0);
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteDb> writer_;
};

TEST_F(WalCheckpointerTest, TheLogStartsOverOnceCopied) {
  constexpr int kWrites = 4000;  // ~1.7 frames each: without restarts a log of ~28 MB
  std::uint64_t restarts = 0;
  {
    WalCheckpointer c(file(), *writer_, /*restart_frames=*/64, /*pass_frames=*/16);
    for (int i = 0; i < kWrites; ++i) {
      write(i);
      c.after_batch();
    }
    EXPECT_GT(c.passes(), 0u);  // passes that copied frames
    restarts = c.restarts();
  }
  // How far the log gets past 64 frames depends on how long a pass (and its sync) takes
  // while this loop writes as fast as it can; it must start over again and again.
  EXPECT_GE(restarts, 3u);
  auto wal = std::filesystem::file_size(dir_ / "catalog.db-wal");
  EXPECT_LT(wal, std::uintmax_t{12} << 20) << "log bytes " << wal;
  auto st = writer_->prepare("SELECT COUNT(*) FROM t");
  st.step();
  EXPECT_EQ(st.int64(0), kWrites);
}

TEST_F(WalCheckpointerTest, AnIdleWriterCopiesTheWholeLog) {
  WalCheckpointer c(file(), *writer_, /*restart_frames=*/1 << 20, /*pass_frames=*/1 << 20);
  for (int i = 0; i < 50; ++i) write(i);
  EXPECT_EQ(rows_in_file_alone(), 0);  // all of it is still in the log
  c.when_idle();
  EXPECT_EQ(rows_in_file_alone(), 50);
  write(50);
  c.when_idle();
  EXPECT_EQ(rows_in_file_alone(), 51);
}

}  // namespace
}  // namespace openem
