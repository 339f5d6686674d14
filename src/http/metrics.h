#pragma once
// Metrics: request counters and latency histograms per route, rendered in the Prometheus
// text format at /metrics. Lock-free on the request path (atomics); thread-safe.
#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

namespace openem {

class Metrics {
 public:
  explicit Metrics(std::vector<std::string> route_names);
  // route: index into route_names, or -1 for unmatched requests.
  void observe(int route, int status, double seconds);
  std::string render() const;

 private:
  static constexpr std::array<double, 12> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  struct Series {
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> micros{0};
    std::array<std::atomic<std::uint64_t>, 6> by_class{};  // 1xx..5xx, index by status/100
  };
  std::vector<std::string> names_;
  std::unique_ptr<Series[]> series_;  // names_.size() + 1 (last: unmatched)
};

}  // namespace openem
