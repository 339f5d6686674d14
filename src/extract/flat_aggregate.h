#pragma once
// FlatAggregate: the dataset-level view of many key/value samples (one per image, tilt or
// file): per key the first value, whether all values agree, numeric min/max/sum and, for
// timestamps, the earliest and latest instant. Merging aggregates built over consecutive
// file ranges in file order gives the same result whatever the thread scheduling. At most
// kMaxKeys distinct keys are kept (real files have a few hundred); samples of further keys
// are counted in dropped_samples(), so a hostile file cannot grow it without bound.
// Not thread-safe: build one per worker chunk, merge afterwards.
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "extract/date_time.h"

namespace openem::extract {

struct KeyStats {
  std::string first;     // first value in file order
  bool all_equal = true;  // every sample's text equals `first`
  std::uint64_t count = 0;    // samples
  std::uint64_t numeric = 0;  // samples that were finite numbers
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double sum = 0;
  std::uint64_t times = 0;  // samples that were timestamps
  AcquisitionTime earliest, latest;

  bool all_numeric() const { return count > 0 && numeric == count; }
  double mean() const { return numeric ? sum / static_cast<double>(numeric) : 0.0; }
};

class FlatAggregate {
 public:
  // Text sample; numbers are recognised (NaN counts as a sample but not as numeric).
  void add(std::string_view key, std::string_view value);
  void add_number(std::string_view key, double value);
  void add_time(std::string_view key, std::string_view text, const AcquisitionTime& t);
  // Appends `later` as if its samples had been added after this aggregate's samples.
  void merge(const FlatAggregate& later);
  // Forgets every sample (a per-file scratch aggregate reused for the next file keeps its
  // keys' memory unless it has grown large).
  void reset();

  const KeyStats* find(std::string_view key) const;
  // Keys ending with `suffix`, sorted (for values whose path prefix varies by EPU version).
  std::vector<std::string> keys_ending_with(std::string_view suffix) const;
  bool empty() const { return stats_.empty(); }
  std::size_t size() const { return stats_.size(); }
  std::uint64_t dropped_samples() const { return dropped_; }

  static constexpr std::size_t kMaxKeys = 4096;

  // Flat dataset-level key/value view in the reference converter's naming: a constant key
  // keeps its name, differing numbers become <key>_min/<key>_max, timestamps
  // <key>_start/<key>_end (RFC 3339), other differing strings keep the first value.
  std::map<std::string, std::string> flat_view() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  KeyStats& slot(std::string_view key);
  std::unordered_map<std::string, KeyStats, Hash, std::equal_to<>> stats_;
  KeyStats overflow_;  // where samples of keys past kMaxKeys go (reset on each use)
  std::uint64_t dropped_ = 0;
};

}  // namespace openem::extract
