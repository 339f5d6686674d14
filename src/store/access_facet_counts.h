#pragma once
// AccessFacetCounts: the facet counts of one collection, kept per access set
// (model/access_set.h) — who may read a document: its owner group, access groups, the
// published marker and sharedWith e-mails. A catalog of a million datasets has only as many
// access sets as its groups have sharing patterns (hundreds), so the unfiltered facets a reader sees are a sum over the
// access sets the reader may read, instead of a scan of every readable document. The store
// hands it each committed write (FacetCountDelta) and rebuilds it from the tables at start.
// Thread-safe: counts are read under a shared lock and changed under an exclusive one.
#include <boost/json/value.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "query/access.h"

namespace openem {

struct FacetBucket {
  boost::json::value key;
  std::int64_t count = 0;
};

struct FacetCounts {
  std::int64_t total = 0;                         // documents the reader may read
  std::vector<std::vector<FacetBucket>> buckets;  // per requested facet, most frequent first
};

// One document as the counts see it.
struct CountedDocument {
  std::string access_set;                               // its access_set_key
  std::vector<std::vector<boost::json::value>> values;  // per counted field, its distinct keys
};

// Changes to the counts, collected while a write runs and applied once it is committed.
class FacetCountDelta {
 public:
  void add(const CountedDocument& doc, int sign);
  void merge(const FacetCountDelta& other);
  bool empty() const { return sets_.empty(); }
  void clear() { sets_.clear(); }
  // As JSON — {access set key: [total, [{serialized facet key: n}, ... per field]]} — and
  // back, for a store whose processes hand each other their deltas. from_json throws
  // std::invalid_argument on anything to_json does not write.
  boost::json::value to_json() const;
  static FacetCountDelta from_json(const boost::json::value& v);

 private:
  friend class AccessFacetCounts;
  struct Set {
    std::int64_t total = 0;
    std::vector<std::map<std::string, std::int64_t>> per_field;  // serialized key → count
  };
  std::map<std::string, Set> sets_;  // by access set key
};

class AccessFacetCounts {
 public:
  explicit AccessFacetCounts(std::vector<std::string> fields);

  const std::vector<std::string>& fields() const { return fields_; }
  void apply(const FacetCountDelta& delta);

  // The facets over everything `readers` may read, at most max_buckets each, ordered by
  // count, then key as SQLite orders (null, numbers, text). nullopt when a facet is not
  // one of fields().
  std::optional<FacetCounts> count(const AccessValues& readers, const std::vector<std::string>& facets,
                                   std::int64_t max_buckets) const;
  std::size_t access_sets() const;  // with at least one document

 private:
  // A set's counts, one entry per (field, key) it has documents for, sorted by `slot`
  // (field in the top 4 bits, interned key id below): a catalog with many sharing patterns
  // holds ~10^5 sets, so each is one small allocation.
  struct Entry {
    std::uint32_t slot;
    std::int32_t count;
  };
  struct Set {
    std::int64_t total = 0;
    std::vector<Entry> entries;
  };
  static constexpr std::size_t kMaxFields = 16;
  static constexpr std::uint32_t kKeyBits = 28;
  static constexpr std::uint32_t kKeyMask = (1u << kKeyBits) - 1;
  static void add_to(Set& set, std::uint32_t slot, std::int64_t n);
  std::uint32_t key_id(std::size_t field, const std::string& key);

  std::vector<std::string> fields_;
  mutable std::shared_mutex mu_;
  // Access values, facet keys and access sets are interned once and never forgotten: a set
  // whose documents are all gone stays with total 0 (there are few, and they come back).
  std::unordered_map<std::string, std::uint32_t> value_ids_;
  std::vector<std::unordered_map<std::string, std::uint32_t>> key_ids_;  // per field
  std::vector<std::vector<std::string>> keys_;                          // per field, by id
  std::unordered_map<std::string, std::uint32_t> set_ids_;              // by access set key
  std::vector<Set> sets_;
  std::vector<std::vector<std::uint32_t>> sets_with_value_;  // by value id: the sets that carry it
  std::int64_t everything_total_ = 0;                     // the sum of all sets, for readers of everything:
  std::vector<std::vector<std::int64_t>> everything_;     // per field, by key id
};

}  // namespace openem
