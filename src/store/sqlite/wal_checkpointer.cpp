// WalCheckpointer (wal_checkpointer.h): checkpoints beside the writer instead of inside it.
#include "store/sqlite/wal_checkpointer.h"

#include <spdlog/spdlog.h>

namespace openem {

WalCheckpointer::WalCheckpointer(const std::filesystem::path& file, SqliteDb& writer, int restart_frames,
                                 int pass_frames)
    : writer_(writer), db_(std::make_unique<SqliteDb>(file)), restart_frames_(restart_frames), pass_frames_(pass_frames) {
  thread_ = std::thread([this] { run(); });
  // Replaces SQLite's automatic checkpoint on the writer (which is itself a WAL hook).
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::on_commit, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_.handle(), 32768);  // the writer's own again, as before
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

// Runs on the writer's thread after each commit it makes; SQLite calls it, so nothing may
// be thrown out of it.
int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int frames) noexcept {
  auto* c = static_cast<WalCheckpointer*>(self);
  // A restart is seen as the count dropping: always so after a restart of a long log.
  if (frames < c->frames_) {
    c->signalled_at_ = c->retry_at_ = 0;
    c->pinned_ = false;
    c->restarts_.fetch_add(1, std::memory_order_relaxed);
  }
  c->frames_ = frames;
  c->copied_ = false;
  // Past restart_frames the writer copies the rest itself (after_batch), and a pass running
  // then would only keep it from finishing; unless a reader keeps the log from starting
  // over: then passes go on copying what they can.
  if ((frames < c->restart_frames_ || c->pinned_) && frames - c->signalled_at_ >= c->pass_frames_) {
    c->signalled_at_ = frames;
    try {
      std::lock_guard lock(c->mu_);
      c->wanted_ = true;
    } catch (...) {
      return SQLITE_OK;  // no pass this time; the next commit asks again
    }
    c->cv_.notify_one();
  }
  return SQLITE_OK;
}

void WalCheckpointer::run() {
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return wanted_ || stopping_; });
      if (stopping_) return;
      wanted_ = false;
    }
    int copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, &copied);
    if (rc == SQLITE_OK && copied > 0) passes_.fetch_add(1, std::memory_order_relaxed);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      spdlog::warn("event=checkpoint_failed error=\"{}\"", sqlite3_errmsg(db_->handle()));
  }
}

WalCheckpointer::Copy WalCheckpointer::copy_log() {
  int log = -1, copied = -1;
  int rc = sqlite3_wal_checkpoint_v2(writer_.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
  if (rc == SQLITE_BUSY) return Copy::locked;
  if (rc != SQLITE_OK) spdlog::warn("event=checkpoint_failed error=\"{}\"", sqlite3_errmsg(writer_.handle()));
  return rc == SQLITE_OK && log == copied ? Copy::all : Copy::partly;
}

void WalCheckpointer::after_batch() {
  if (frames_ < restart_frames_ || frames_ < retry_at_) return;
  // Once all is copied, the next write starts the log over, unless a reader still uses it:
  // then this tries again only after another pass's worth of frames, since each try syncs
  // the file. A pass still running (locked) is waited for by trying after the next batch.
  Copy copy = copy_log();
  if (copy == Copy::locked) return;
  retry_at_ = frames_ + pass_frames_;
  pinned_ = copy == Copy::partly;
}

void WalCheckpointer::when_idle() {
  if (!copied_) copied_ = copy_log() == Copy::all;
}

}  // namespace openem
