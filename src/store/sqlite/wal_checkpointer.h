#pragma once
// WalCheckpointer: copies the writer's WAL into the database file on a thread of its own.
//
// A checkpoint copies every page changed since the last one and syncs the database file:
// while datasets are loaded into a catalog of a million, 7-13 % of the writer thread's time
// (profiled). Done by the writer connection itself (SQLite's automatic checkpoint), every
// write waiting behind it waits that long.
// Here a background connection copies the log in passes of ~16 MiB while the writer goes
// on (a PASSIVE checkpoint needs no write lock). The log can only start over from its
// beginning once all of it is copied, so when it has grown to `restart_frames`, the writer
// copies the few frames the last pass left behind, between two batches, and its next write
// restarts the log. While a reader keeps the log from starting over, passes go on. When the
// writer is idle it copies everything, so that readers can ignore the log altogether (a
// read then looks a page up in the database only).
#include <sqlite3.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <thread>

#include "store/sqlite/sqlite_db.h"

namespace openem {

class WalCheckpointer {
 public:
  // Installs itself as the WAL hook of `writer`, which it must not outlive.
  WalCheckpointer(const std::filesystem::path& file, SqliteDb& writer, int restart_frames = 32768,
                  int pass_frames = 4096);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // On the writer's thread, between batches: copies the rest of a long log so that the
  // next write starts it over.
  void after_batch();
  // On the writer's thread when no write waits: copies the whole log.
  void when_idle();

  std::uint64_t passes() const { return passes_.load(std::memory_order_relaxed); }  // that copied frames
  std::uint64_t restarts() const { return restarts_.load(std::memory_order_relaxed); }  // of the log

 private:
  enum class Copy { all, partly, locked };  // locked: a pass holds the checkpoint lock

  static int on_commit(void* self, sqlite3* db, const char* schema, int frames) noexcept;
  void run();
  Copy copy_log();  // on the writer's connection

  SqliteDb& writer_;
  std::unique_ptr<SqliteDb> db_;
  const int restart_frames_, pass_frames_;
  // Used on the writer's thread only (the WAL hook runs there too).
  int frames_ = 0;        // frames in the log after the writer's last commit
  bool copied_ = true;    // no frame committed since the writer last copied all of them
  int signalled_at_ = 0;  // frames_ when the last pass was asked for
  int retry_at_ = 0;      // frames_ from which after_batch tries again
  bool pinned_ = false;   // the writer copied what it could, but a reader uses the rest
  std::atomic<std::uint64_t> passes_{0}, restarts_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false, stopping_ = false;
  std::thread thread_;
};

}  // namespace openem
