#pragma once
// FacetMarginals: facets over several columns from one GROUP BY over all of them. Each group
// (one value per column, and its count) is added; each column's facet is then the marginal of
// that table, buckets sorted by count, descending (ties in key order). The number of groups
// is the product of the columns' distinct values, small for facet columns. Value type.
#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "store/access_facet_counts.h"

namespace openem {

class FacetMarginals {
 public:
  explicit FacetMarginals(std::size_t columns) : marginals_(columns) {}

  // One group: its value of column i as keys[i], and how many documents it holds.
  void add(std::vector<boost::json::value> keys, std::int64_t count) {
    total_ += count;
    for (std::size_t i = 0; i < keys.size() && i < marginals_.size(); ++i) {
      auto& slot = marginals_[i][boost::json::serialize(keys[i])];
      slot.first = std::move(keys[i]);
      slot.second += count;
    }
  }

  std::int64_t total() const { return total_; }

  std::vector<std::vector<FacetBucket>> facets() && {
    std::vector<std::vector<FacetBucket>> out;
    for (auto& m : marginals_) {
      std::vector<FacetBucket> buckets;
      for (auto& [k, v] : m) buckets.push_back({std::move(v.first), v.second});
      std::stable_sort(buckets.begin(), buckets.end(),
                       [](const FacetBucket& a, const FacetBucket& b) { return a.count > b.count; });
      out.push_back(std::move(buckets));
    }
    return out;
  }

 private:
  std::vector<std::map<std::string, std::pair<boost::json::value, std::int64_t>>> marginals_;
  std::int64_t total_ = 0;
};

}  // namespace openem
