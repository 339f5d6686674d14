#pragma once
// PasswordPool: argon2 work (verify, hash) on a few threads of its own, with a bound on how
// many requests may wait for it. Thread-safe; the destructor finishes queued work and joins.
//
// Why: argon2 is deliberately expensive (~35 ms of one core and 19 MiB per call). HTTP
// handlers run on the server's I/O threads; hashing there let 24 connections of wrong
// passwords occupy every I/O thread and both cores, and every other request waited ~600 ms.
// Now a handler hands the work to this pool and blocks until its own result is back, but
// only `max_pending` requests may be waiting or hashing at any time: the rest are refused at
// once (the caller answers 503 with Retry-After) instead of piling up. With max_pending at
// most half of the I/O threads, a sign-in flood can park at most half of them, the other half
// keep serving, and the hashing itself uses at most `workers` cores.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace openem {

class PasswordPool {
 public:
  // workers >= 1 threads; max_pending >= workers requests waiting or running.
  PasswordPool(unsigned workers, unsigned max_pending);
  ~PasswordPool();
  PasswordPool(const PasswordPool&) = delete;
  PasswordPool& operator=(const PasswordPool&) = delete;

  // verify_password / hash_password on a pool thread, waited for; nullopt when the pool is
  // full. hash() rethrows hash_password's exceptions.
  std::optional<bool> verify(std::string_view password, std::string_view encoded);
  std::optional<std::string> hash(std::string_view password);

  unsigned workers() const { return static_cast<unsigned>(threads_.size()); }
  unsigned max_pending() const { return max_pending_; }
  unsigned pending();  // waiting or running now (for tests and metrics)

 private:
  // A job computes its result and returns how to hand it over; the worker frees the job's
  // slot before handing over, so a caller that has its answer is no longer counted.
  using Job = std::function<std::function<void()>()>;
  // Queues `job` unless max_pending jobs are pending; false then.
  bool submit(Job job);
  void work();

  unsigned max_pending_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> queue_;
  unsigned pending_ = 0;  // queued + running
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace openem
