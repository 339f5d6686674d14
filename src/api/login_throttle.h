#pragma once
// LoginThrottle: counts failed sign-ins per account name and per client address over a
// sliding window, and refuses further sign-ins (429 with Retry-After) of an account, or from
// an address, that reached its limit, until its oldest failure in the window has aged out.
// Unknown names are counted exactly like existing ones, so the lockout tells nothing about
// which names exist. A success resets the account's count, never the address's (one known
// password must not buy unlimited guesses at others).
//
// On its own the throttle counts in memory (a restart forgets the counts). Given a catalog
// that several API processes share, it counts there instead (CatalogStore::add_login_failure),
// so that N processes behind a load balancer allow the configured number of failures, not N
// times it; times are then wall-clock seconds, comparable between machines. Thread-safe.
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace openem {

class CatalogStore;

struct LoginLimits {
  int max_failures_per_account = 10;  // 0: no limit
  int max_failures_per_address = 30;  // 0: no limit
  int window_seconds = 900;
};

class LoginThrottle {
 public:
  // shared: the catalog to count in (null: in memory). clock: seconds (steady in memory, wall
  // clock on a catalog), injected by tests.
  explicit LoginThrottle(LoginLimits limits, CatalogStore* shared = nullptr, std::function<double()> clock = {});

  // Whole seconds until a sign-in of `username` from `address` may be tried (>= 1), or 0
  // when it may be tried now.
  int retry_after(std::string_view username, std::string_view address);
  void record_failure(std::string_view username, std::string_view address);
  void record_success(std::string_view username);

  const LoginLimits& limits() const { return limits_; }

  // Keys kept per kind before old ones are pruned (a spray of made-up names cannot grow
  // memory without bound). When every key is still in its window, the oldest half is dropped.
  static constexpr std::size_t kMaxKeys = 50000;

 private:
  using Failures = std::unordered_map<std::string, std::vector<double>>;  // key → failure times, oldest first
  double wait_for(Failures& map, const std::string& key, int limit, double now);
  double shared_wait_for(const std::string& key, int limit, double now);
  void shared_record_failure(std::string_view username, std::string_view address, double now);
  void add(Failures& map, std::string key, int limit, double now);
  void prune(Failures& map, double now);
  static std::string account_key(std::string_view username);

  LoginLimits limits_;
  CatalogStore* shared_;
  std::function<double()> clock_;
  double forgotten_at_ = 0;  // when this process last dropped the catalog's expired failures
  std::mutex mu_;
  Failures accounts_, addresses_;
};

}  // namespace openem
