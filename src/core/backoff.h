#pragma once
// The doubling backoff of every retry loop that waits between attempts (webhook deliveries,
// RabbitMQ job messages, the DataCite outbox, S3 requests): the first wait, doubled after each
// further failure, never more than the cap. Header-only and pure.
#include <algorithm>
#include <cstdint>

namespace openem {

// The wait after the `failures`-th failure in a row (1 for the first): first × 2^(failures-1),
// at most `cap`, in whatever unit `first` and `cap` share. The shift stops at 2^20 so that a
// long outage cannot overflow; with any first wait above a microsecond the cap is reached first.
inline std::int64_t doubling_backoff(std::int64_t failures, std::int64_t first, std::int64_t cap) {
  if (failures < 1) failures = 1;
  return std::min<std::int64_t>(cap, first << std::min<std::int64_t>(failures - 1, 20));
}

}  // namespace openem
