// Latency samples -> percentiles as JSON. Not thread-safe; merge per-thread vectors first.
#pragma once

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

namespace openem::bench {

inline double percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) return 0;
  double rank = p / 100.0 * static_cast<double>(sorted.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(rank)), hi = static_cast<size_t>(std::ceil(rank));
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - static_cast<double>(lo));
}

// Seconds in, milliseconds out.
inline boost::json::object latency_summary(std::vector<double> s) {
  std::sort(s.begin(), s.end());
  double sum = 0;
  for (double x : s) sum += x;
  auto ms = [](double x) { return std::round(x * 1e6) / 1e3; };
  return boost::json::object{{"n", s.size()},
                             {"p50_ms", ms(percentile(s, 50))},
                             {"p90_ms", ms(percentile(s, 90))},
                             {"p99_ms", ms(percentile(s, 99))},
                             {"mean_ms", ms(s.empty() ? 0 : sum / static_cast<double>(s.size()))},
                             {"min_ms", ms(s.empty() ? 0 : s.front())},
                             {"max_ms", ms(s.empty() ? 0 : s.back())}};
}

}  // namespace openem::bench
