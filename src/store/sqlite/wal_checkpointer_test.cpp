#include "store/sqlite/wal_checkpointer.h"
#include "testing/temp_dir.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace openem {
namespace {

class WalCheckpointerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    writer_ = std::make_unique<SqliteDb>(file());
    writer_->exec("CREATE TABLE t (id INTEGER PRIMARY KEY, data BLOB); PRAGMA wal_checkpoint(TRUNCATE);");
  }
  void TearDown() override {
    writer_.reset();
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

  testing::TempDir tmp_{"openem-wal-test"};
  const std::filesystem::path dir_ = tmp_.path();
  std::unique_ptr<SqliteDb> writer_;
};

TEST_F(WalCheckpointerTest, TheLogStartsOverOnceCopied) {
  // How far the log grows past restart_frames depends on how long a pass and its sync take,
  // so each round writes, slowly once the log is long, until it has started over: without
  // the writer's copy of the rest it never does (3,000 writes, ~5,000 frames).
  WalCheckpointer c(file(), *writer_, /*restart_frames=*/64, /*pass_frames=*/16);
  int id = 0;
  for (int round = 0; round < 3; ++round) {
    std::uint64_t before = c.restarts();
    for (int n = 0; c.restarts() == before && n < 3000; ++n) {
      write(id++);
      c.after_batch();
      if (n > 100) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_GT(c.restarts(), before) << "round " << round;
  }
  auto st = writer_->prepare("SELECT COUNT(*) FROM t");
  st.step();
  EXPECT_EQ(st.int64(0), id);
}

TEST_F(WalCheckpointerTest, PassesCopyTheLogWhileTheWriterGoesOn) {
  WalCheckpointer c(file(), *writer_, /*restart_frames=*/1 << 20, /*pass_frames=*/16);
  for (int i = 0; i < 10; ++i) write(i);  // ~2 frames each: a pass is asked for at 16
  // passes() counts passes after which frames were in the database file (SetUp emptied
  // the log, so any count comes from this pass). What a pass leaves in the file alone is
  // not asserted: it copies only up to the frames no reader needs, a moving point.
  for (int i = 0; i < 500 && c.passes() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_GT(c.passes(), 0u);
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
