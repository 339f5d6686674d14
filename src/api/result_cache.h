#pragma once
// ResultCache: remembers serialised query results (fullfacet) until the next write to the
// catalog. The SciCat frontend asks for the same facets on every page change; recounting
// a million documents each time is work that can be done once. Thread-safe; bounded.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace openem {

class ResultCache {
 public:
  explicit ResultCache(size_t max_entries = 512) : max_entries_(max_entries) {}

  // The cached value for key if it was stored at this write generation.
  std::optional<std::string> get(const std::string& key, std::uint64_t generation) const;
  void put(const std::string& key, std::uint64_t generation, std::string value);

 private:
  struct Entry {
    std::uint64_t generation;
    std::string value;
  };
  size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace openem
