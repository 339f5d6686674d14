#include "api/login_throttle.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "core/time.h"
#include "store/catalog_store.h"

namespace openem {

LoginThrottle::LoginThrottle(LoginLimits limits, CatalogStore* shared, std::function<double()> clock)
    : limits_(limits), shared_(shared), clock_(std::move(clock)) {
  if (!clock_ && shared_) clock_ = wall_clock_seconds;
  if (!clock_)
    clock_ = [] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    };
}

namespace {
std::string shared_account(const std::string& account) { return "account:" + account; }
std::string shared_address(std::string_view address) { return "address:" + std::string(address.substr(0, 256)); }
}  // namespace

// As wait_for, over the catalog's failures of the key: the limit-th newest in the window
// decides when the next attempt is possible.
double LoginThrottle::shared_wait_for(const std::string& key, int limit, double now) {
  if (limit <= 0) return 0;
  std::vector<double> newest = shared_->login_failures(key, now - limits_.window_seconds, limit);
  if (static_cast<int>(newest.size()) < limit) return 0;
  return newest.back() + limits_.window_seconds - now;
}

void LoginThrottle::shared_record_failure(std::string_view username, std::string_view address, double now) {
  if (limits_.max_failures_per_account > 0) shared_->add_login_failure(shared_account(account_key(username)), now);
  if (limits_.max_failures_per_address > 0) shared_->add_login_failure(shared_address(address), now);
  // Each process drops what has left the window about once a minute: the table holds about
  // one window of failures whatever the flood.
  bool forget = false;
  {
    std::lock_guard lock(mu_);
    if (now - forgotten_at_ >= 60) {
      forgotten_at_ = now;
      forget = true;
    }
  }
  if (forget) shared_->forget_login_failures(now - limits_.window_seconds);
}

// Case does not make another account to count against ("User1" and "user1"), and a long
// name is one key however it continues.
std::string LoginThrottle::account_key(std::string_view username) {
  std::string key(username.substr(0, 256));
  std::transform(key.begin(), key.end(), key.begin(), [](unsigned char c) { return std::tolower(c); });
  return key;
}

double LoginThrottle::wait_for(Failures& map, const std::string& key, int limit, double now) {
  if (limit <= 0) return 0;
  auto it = map.find(key);
  if (it == map.end()) return 0;
  auto& times = it->second;
  auto expired = std::find_if(times.begin(), times.end(), [&](double t) { return t > now - limits_.window_seconds; });
  times.erase(times.begin(), expired);
  if (times.empty()) {
    map.erase(it);
    return 0;
  }
  if (static_cast<int>(times.size()) < limit) return 0;
  // The attempt becomes possible when enough failures have aged out to go below the limit.
  return times[times.size() - static_cast<std::size_t>(limit)] + limits_.window_seconds - now;
}

int LoginThrottle::retry_after(std::string_view username, std::string_view address) {
  if (shared_) {
    double now = clock_();
    double wait = std::max(shared_wait_for(shared_account(account_key(username)), limits_.max_failures_per_account, now),
                           shared_wait_for(shared_address(address), limits_.max_failures_per_address, now));
    return wait > 0 ? std::max(1, static_cast<int>(std::ceil(wait))) : 0;
  }
  std::lock_guard lock(mu_);
  double now = clock_();
  double wait = std::max(wait_for(accounts_, account_key(username), limits_.max_failures_per_account, now),
                         wait_for(addresses_, std::string(address), limits_.max_failures_per_address, now));
  return wait > 0 ? std::max(1, static_cast<int>(std::ceil(wait))) : 0;
}

void LoginThrottle::add(Failures& map, std::string key, int limit, double now) {
  if (limit <= 0) return;
  if (map.size() >= kMaxKeys && !map.count(key)) prune(map, now);
  auto& times = map[std::move(key)];
  times.push_back(now);
  if (static_cast<int>(times.size()) > limit) times.erase(times.begin());  // older ones no longer matter
}

void LoginThrottle::prune(Failures& map, double now) {
  for (auto it = map.begin(); it != map.end();) {
    if (it->second.empty() || it->second.back() <= now - limits_.window_seconds) it = map.erase(it);
    else ++it;
  }
  if (map.size() < kMaxKeys) return;
  // Still full of keys in their window: keep the half with the most recent failures.
  std::vector<double> newest;
  newest.reserve(map.size());
  for (const auto& [k, times] : map) newest.push_back(times.back());
  std::nth_element(newest.begin(), newest.begin() + static_cast<long>(newest.size() / 2), newest.end());
  double cut = newest[newest.size() / 2];
  for (auto it = map.begin(); it != map.end();) {
    if (it->second.back() < cut) it = map.erase(it);
    else ++it;
  }
}

void LoginThrottle::record_failure(std::string_view username, std::string_view address) {
  if (shared_) return shared_record_failure(username, address, clock_());
  std::lock_guard lock(mu_);
  double now = clock_();
  add(accounts_, account_key(username), limits_.max_failures_per_account, now);
  add(addresses_, std::string(address), limits_.max_failures_per_address, now);
}

void LoginThrottle::record_success(std::string_view username) {
  if (shared_) return shared_->clear_login_failures(shared_account(account_key(username)));
  std::lock_guard lock(mu_);
  accounts_.erase(account_key(username));
}

}  // namespace openem
