#include "http/metrics.h"

#include <fmt/format.h>

namespace openem {

Metrics::Metrics(std::vector<std::string> route_names)
    : names_(std::move(route_names)), series_(new Series[names_.size() + 1]) {}

void Metrics::observe(int route, int status, double seconds) {
  Series& s = series_[route < 0 ? names_.size() : static_cast<size_t>(route)];
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  s.buckets[b].fetch_add(1, std::memory_order_relaxed);
  s.count.fetch_add(1, std::memory_order_relaxed);
  s.micros.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
  int cls = status / 100;
  if (cls >= 1 && cls <= 5) s.by_class[cls].fetch_add(1, std::memory_order_relaxed);
}

std::string Metrics::render() const {
  std::string out =
      "# HELP openem_http_requests_total HTTP requests by route and status class.\n"
      "# TYPE openem_http_requests_total counter\n";
  auto label = [&](size_t i) { return i < names_.size() ? names_[i] : std::string("unmatched"); };
  for (size_t i = 0; i <= names_.size(); ++i)
    for (int c = 1; c <= 5; ++c) {
      auto n = series_[i].by_class[c].load(std::memory_order_relaxed);
      if (n) out += fmt::format("openem_http_requests_total{{route=\"{}\",status=\"{}xx\"}} {}\n", label(i), c, n);
    }
  out += "# HELP openem_http_request_duration_seconds Request latency by route.\n"
         "# TYPE openem_http_request_duration_seconds histogram\n";
  for (size_t i = 0; i <= names_.size(); ++i) {
    const Series& s = series_[i];
    auto count = s.count.load(std::memory_order_relaxed);
    if (!count) continue;
    std::uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += s.buckets[b].load(std::memory_order_relaxed);
      out += fmt::format("openem_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} {}\n", label(i),
                         kBuckets[b], cumulative);
    }
    out += fmt::format("openem_http_request_duration_seconds_bucket{{route=\"{}\",le=\"+Inf\"}} {}\n", label(i), count);
    out += fmt::format("openem_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label(i),
                       s.micros.load(std::memory_order_relaxed) / 1e6);
    out += fmt::format("openem_http_request_duration_seconds_count{{route=\"{}\"}} {}\n", label(i), count);
  }
  return out;
}

}  // namespace openem
