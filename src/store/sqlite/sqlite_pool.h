#pragma once
// Reader connections, kept for reuse. A connection loads the planner's statistics when it
// opens and never again (ANALYZE does not change the schema cookie), so after the writer
// refreshes them, expire() retires every connection opened before: each is closed when it
// comes back, and the next reader opens with the new statistics. Thread-safe.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "store/sqlite/sqlite_db.h"

namespace openem {

class SqlitePool {
 public:
  static constexpr std::size_t kMaxIdle = 16;  // beyond this, a returned connection is closed (memory)

  explicit SqlitePool(std::filesystem::path file) : file_(std::move(file)) {}
  struct Lease {
    std::unique_ptr<SqliteDb> db;
    std::uint64_t generation = 0;
  };
  Lease acquire() {
    {
      std::lock_guard lock(mu_);
      if (!idle_.empty()) {
        Lease lease = std::move(idle_.back());
        idle_.pop_back();
        return lease;
      }
    }
    // Read before opening: a connection opened while expire() runs counts as the older
    // generation and is retired, never kept with statistics from before the refresh.
    const std::uint64_t generation = generation_.load();
    return {std::make_unique<SqliteDb>(file_), generation};
  }
  void release(Lease lease) {
    std::lock_guard lock(mu_);
    if (idle_.size() < kMaxIdle && lease.generation == generation_.load()) idle_.push_back(std::move(lease));
  }
  void expire() {
    std::lock_guard lock(mu_);
    ++generation_;
    idle_.clear();
  }
  std::size_t idle() const {
    std::lock_guard lock(mu_);
    return idle_.size();
  }

 private:
  std::filesystem::path file_;
  mutable std::mutex mu_;
  std::atomic<std::uint64_t> generation_{0};
  std::vector<Lease> idle_;
};

}  // namespace openem
