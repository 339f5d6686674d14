#pragma once
// FlatAggregate: the dataset-level view of many key/value samples (one per image, tilt or
// file): per key the first value, whether all values agree, numeric min/max/sum and, for
// timestamps, the earliest and latest instant. Merging aggregates built over consecutive
// file ranges in file order gives the same result whatever the thread scheduling. At most
// kMaxKeys distinct keys that a file brings are kept (real files have a few hundred);
// samples of further keys are counted in dropped_samples() and the first names (in sort
// order) kept in dropped_keys(), so a hostile file cannot grow it without bound. Keys the
// readers know by name (KeyKind::kKnown: the ones the summary reads, and the values a
// reader derives after a file's own keys) are kept beyond that limit, so thousands of junk
// keys cannot push out a file's tilt angles or software; they are a fixed set of names in
// the code, and at most kMaxKnownKeys of them are kept.
// Not thread-safe: build one per worker chunk, merge afterwards.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "extract/date_time.h"

namespace openem::extract {

// kFile: a key the file brought (dropped when kMaxKeys are held); kKnown: a key a reader
// knows by name (always kept, up to kMaxKnownKeys).
enum class KeyKind : std::uint8_t { kFile, kKnown };

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
  KeyKind kind = KeyKind::kFile;

  bool all_numeric() const { return count > 0 && numeric == count; }
  double mean() const { return numeric ? sum / static_cast<double>(numeric) : 0.0; }
};

class FlatAggregate {
 public:
  // Text sample; numbers are recognised (NaN counts as a sample but not as numeric).
  void add(std::string_view key, std::string_view value, KeyKind kind = KeyKind::kFile);
  void add_number(std::string_view key, double value, KeyKind kind = KeyKind::kFile);
  void add_time(std::string_view key, std::string_view text, const AcquisitionTime& t,
                KeyKind kind = KeyKind::kFile);
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
  // The alphabetically first names of dropped keys (at most kDroppedKeyExamples), for the
  // warning that says what was lost; the same whatever order the samples came in.
  const std::vector<std::string>& dropped_keys() const { return dropped_keys_; }

  static constexpr std::size_t kMaxKeys = 4096;       // keys a file brings
  static constexpr std::size_t kMaxKnownKeys = 1024;  // keys the readers know by name
  static constexpr std::size_t kDroppedKeyExamples = 5;

  // Flat dataset-level key/value view in the reference converter's naming: a constant key
  // keeps its name, differing numbers become <key>_min/<key>_max, timestamps
  // <key>_start/<key>_end (RFC 3339), other differing strings keep the first value.
  std::map<std::string, std::string> flat_view() const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  KeyStats& slot(std::string_view key, KeyKind kind);
  // The budget a new key of this kind is counted in (a known key past kMaxKnownKeys is
  // treated as a file's key); nullopt when it does not fit.
  std::optional<KeyKind> admit(KeyKind kind);
  void note_dropped(std::string_view key, std::uint64_t samples);
  std::unordered_map<std::string, KeyStats, Hash, std::equal_to<>> stats_;
  KeyStats overflow_;  // where samples of dropped keys go (reset on each use)
  std::size_t file_keys_ = 0, known_keys_ = 0;
  std::uint64_t dropped_ = 0;
  std::vector<std::string> dropped_keys_;  // sorted
};

}  // namespace openem::extract
