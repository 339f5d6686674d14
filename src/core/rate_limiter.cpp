#include "core/rate_limiter.h"

#include <cmath>

namespace openem {

double RateLimiter::estimate(Counter& c, Clock::time_point now) const {
  // Move the counter's fixed windows up to now.
  auto elapsed = now - c.start;
  if (elapsed >= 2 * window_) {
    c.previous = 0;
    c.current = 0;
    c.start = now;
  } else if (elapsed >= window_) {
    c.previous = c.current;
    c.current = 0;
    c.start += window_;
  }
  double into = std::chrono::duration<double>(now - c.start) / std::chrono::duration<double>(window_);
  return c.current + c.previous * (1.0 - into);
}

void RateLimiter::prune(Clock::time_point now) {
  for (auto it = counters_.begin(); it != counters_.end();)
    it = now - it->second.start >= 2 * window_ ? counters_.erase(it) : std::next(it);
}

std::optional<std::int64_t> RateLimiter::acquire(std::string_view key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = counters_.find(std::string(key));
  if (it == counters_.end()) {
    if (counters_.size() >= max_keys_) prune(now);
    if (counters_.size() >= max_keys_) return window_.count();
    it = counters_.emplace(std::string(key), Counter{now, 0, 0}).first;
  }
  Counter& c = it->second;
  if (estimate(c, now) + 1 > limit_) {
    // The estimate falls as the previous window slides out; at the latest the next window
    // starts with an empty count.
    auto left = c.start + window_ - now;
    return std::max<std::int64_t>(1, std::chrono::ceil<std::chrono::seconds>(left).count());
  }
  ++c.current;
  return std::nullopt;
}

void RateLimiter::reset(std::string_view key) {
  std::lock_guard lock(mu_);
  counters_.erase(std::string(key));
}

}  // namespace openem
