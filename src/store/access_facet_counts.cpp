#include "store/access_facet_counts.h"

#include <boost/json.hpp>

#include <algorithm>
#include <mutex>

namespace openem {
namespace json = boost::json;
namespace {

// SQLite's order of values: NULL, then numbers (booleans are 0/1), then text by bytes.
int kind_rank(const json::value& v) {
  if (v.is_null()) return 0;
  if (v.is_number() || v.is_bool()) return 1;
  if (v.is_string()) return 2;
  return 3;
}
double as_number(const json::value& v) { return v.is_bool() ? (v.get_bool() ? 1.0 : 0.0) : v.to_number<double>(); }

bool sqlite_less(const json::value& a, const json::value& b) {
  int ra = kind_rank(a), rb = kind_rank(b);
  if (ra != rb) return ra < rb;
  if (ra == 1) return as_number(a) < as_number(b);
  if (ra == 2) return a.get_string() < b.get_string();
  return false;
}

}  // namespace

void FacetCountDelta::add(const CountedDocument& doc, int sign) {
  std::vector<std::string> access = doc.access;
  std::sort(access.begin(), access.end());
  access.erase(std::unique(access.begin(), access.end()), access.end());
  std::string key;
  for (const auto& a : access) key += a + '\x1f';  // "" (published) stays distinct: "\x1f"
  Set& s = sets_[key];
  if (s.per_field.size() < doc.values.size()) s.per_field.resize(doc.values.size());
  s.access = std::move(access);
  s.total += sign;
  for (std::size_t f = 0; f < doc.values.size(); ++f)
    for (const auto& v : doc.values[f]) s.per_field[f][json::serialize(v)] += sign;
}

void FacetCountDelta::merge(const FacetCountDelta& other) {
  for (const auto& [key, o] : other.sets_) {
    Set& s = sets_[key];
    s.access = o.access;
    s.total += o.total;
    if (s.per_field.size() < o.per_field.size()) s.per_field.resize(o.per_field.size());
    for (std::size_t f = 0; f < o.per_field.size(); ++f)
      for (const auto& [k, n] : o.per_field[f]) s.per_field[f][k] += n;
  }
}

void AccessFacetCounts::apply(const FacetCountDelta& delta) {
  std::unique_lock lock(mu_);
  for (const auto& [key, d] : delta.sets_) {
    auto& s = sets_[key];
    s.access = d.access;
    s.total += d.total;
    if (s.per_field.size() < fields_.size()) s.per_field.resize(fields_.size());
    for (std::size_t f = 0; f < d.per_field.size() && f < fields_.size(); ++f)
      for (const auto& [k, n] : d.per_field[f]) {
        auto it = s.per_field[f].emplace(k, 0).first;
        if ((it->second += n) == 0) s.per_field[f].erase(it);
      }
    if (s.total == 0) sets_.erase(key);  // no document has this access set any more
  }
}

std::optional<FacetCounts> AccessFacetCounts::count(const AccessValues& readers, const std::vector<std::string>& facets,
                                                    std::int64_t max_buckets) const {
  std::vector<std::size_t> index;
  for (const auto& f : facets) {
    auto it = std::find(fields_.begin(), fields_.end(), f);
    if (it == fields_.end()) return std::nullopt;
    index.push_back(static_cast<std::size_t>(it - fields_.begin()));
  }
  auto visible = [&](const std::vector<std::string>& access) {
    if (readers.everything) return true;
    for (const auto& a : access)
      if (std::find(readers.values.begin(), readers.values.end(), a) != readers.values.end()) return true;
    return false;
  };
  FacetCounts out;
  std::vector<std::unordered_map<std::string, std::int64_t>> sums(facets.size());
  {
    std::shared_lock lock(mu_);
    for (const auto& [key, s] : sets_) {
      if (!visible(s.access)) continue;
      out.total += s.total;
      for (std::size_t i = 0; i < index.size(); ++i)
        for (const auto& [k, n] : s.per_field[index[i]]) sums[i][k] += n;
    }
  }
  for (auto& sum : sums) {
    std::vector<FacetBucket> buckets;
    buckets.reserve(sum.size());
    for (const auto& [k, n] : sum) buckets.push_back({json::parse(k), n});
    std::sort(buckets.begin(), buckets.end(), [](const FacetBucket& a, const FacetBucket& b) {
      if (a.count != b.count) return a.count > b.count;
      return sqlite_less(a.key, b.key);
    });
    if (static_cast<std::int64_t>(buckets.size()) > max_buckets) buckets.resize(static_cast<std::size_t>(max_buckets));
    out.buckets.push_back(std::move(buckets));
  }
  return out;
}

std::size_t AccessFacetCounts::access_sets() const {
  std::shared_lock lock(mu_);
  return sets_.size();
}

}  // namespace openem
