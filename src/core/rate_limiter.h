#pragma once
// RateLimiter: at most `limit` events per key in any `window` (a sliding-window estimate: the
// current fixed window's count plus the previous one's, weighted by how much of it still
// overlaps), for throttling clients and accounts. Memory is bounded: at most `max_keys` keys
// are tracked; when full, keys idle for two windows are dropped first, and failing that the
// new key is refused (an attacker rotating keys must not exhaust memory or reset counts).
// Thread-safe.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace openem {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(int limit, std::chrono::seconds window, std::size_t max_keys = 100000)
      : limit_(limit), window_(window), max_keys_(max_keys) {}

  // Counts one event for `key` if it is allowed now: nullopt. Otherwise the whole seconds until
  // it would be (for a Retry-After header), and nothing is counted.
  std::optional<std::int64_t> acquire(std::string_view key, Clock::time_point now = Clock::now());
  // Forgets the key's events (a successful sign-in clears its failures).
  void reset(std::string_view key);

 private:
  struct Counter {
    Clock::time_point start;  // of the current fixed window
    int current = 0;
    int previous = 0;
  };
  double estimate(Counter& c, Clock::time_point now) const;
  void prune(Clock::time_point now);

  const int limit_;
  const std::chrono::seconds window_;
  const std::size_t max_keys_;
  std::mutex mu_;
  std::unordered_map<std::string, Counter> counters_;
};

}  // namespace openem
