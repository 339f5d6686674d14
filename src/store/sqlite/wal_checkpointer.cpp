// WalCheckpointer (wal_checkpointer.h): checkpoints beside the writer instead of inside it.
#include "store/sqlite/wal_checkpointer.h"

#include <spdlog/spdlog.h>

namespace openem {

WalCheckpointer::WalCheckpointer(const std::filesystem::path& file, SqliteDb& writer, int restart_frames,
                                 int pass_frames)
    : writer_(writer), db_(std::make_unique<SqliteDb>(file)), restart_frames_(restart_frames), pass_frames_(pass_frames) {
  // Replaces SQLite's automatic checkpoint on the writer (which is itself a WAL hook).
  sqlite3_wal_hook(writer_.handle(), &WalCheckpointer::on_commit, this);
  thread_ = std::thread([this] { run(); });
}

WalCheckpointer::~WalCheckpointer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
}

// Runs on the writer's thread after each commit it makes.
int WalCheckpointer::on_commit(void* self, sqlite3*, const char*, int frames) {
  auto* c = static_cast<WalCheckpointer*>(self);
  if (frames < c->frames_) {  // the log started over
    c->signalled_at_ = c->retry_at_ = 0;
    c->restarts_.fetch_add(1, std::memory_order_relaxed);
  }
  c->frames_ = frames;
  c->copied_ = false;
  // Past restart_frames the writer copies the rest itself (after_batch): a pass running then
  // would only keep it from finishing.
  if (frames < c->restart_frames_ && frames - c->signalled_at_ >= c->pass_frames_) {
    c->signalled_at_ = frames;
    {
      std::lock_guard lock(c->mu_);
      c->wanted_ = true;
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
    int rc = sqlite3_wal_checkpoint_v2(db_->handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      spdlog::warn("event=checkpoint_failed error=\"{}\"", sqlite3_errmsg(db_->handle()));
    passes_.fetch_add(1, std::memory_order_relaxed);
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
  if (copy_log() != Copy::locked) retry_at_ = frames_ + pass_frames_;
}

void WalCheckpointer::when_idle() {
  if (!copied_) copied_ = copy_log() == Copy::all;
}

}  // namespace openem
