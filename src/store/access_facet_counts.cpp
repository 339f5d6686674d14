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

AccessFacetCounts::AccessFacetCounts(std::vector<std::string> fields)
    : fields_(std::move(fields)), key_ids_(fields_.size()), keys_(fields_.size()) {
  everything_.per_field.resize(fields_.size());
}

void AccessFacetCounts::add_to(Set& set, std::size_t field, std::uint32_t key, std::int64_t n) {
  KeyCounts& counts = set.per_field[field];
  auto it = std::lower_bound(counts.begin(), counts.end(), key,
                             [](const auto& entry, std::uint32_t k) { return entry.first < k; });
  if (it == counts.end() || it->first != key) it = counts.insert(it, {key, 0});
  if ((it->second += n) == 0) counts.erase(it);
}

std::uint32_t AccessFacetCounts::key_id(std::size_t field, const std::string& key) {
  auto [it, added] = key_ids_[field].emplace(key, static_cast<std::uint32_t>(keys_[field].size()));
  if (added) keys_[field].push_back(key);
  return it->second;
}

void AccessFacetCounts::apply(const FacetCountDelta& delta) {
  std::unique_lock lock(mu_);
  for (const auto& [joined, d] : delta.sets_) {
    auto [it, added] = set_ids_.emplace(joined, static_cast<std::uint32_t>(sets_.size()));
    if (added) {
      sets_.emplace_back().per_field.resize(fields_.size());
      for (const auto& value : d.access) {
        auto [v, new_value] = value_ids_.emplace(value, static_cast<std::uint32_t>(sets_with_value_.size()));
        if (new_value) sets_with_value_.emplace_back();
        sets_with_value_[v->second].push_back(it->second);
      }
    }
    Set& set = sets_[it->second];
    set.total += d.total;
    everything_.total += d.total;
    for (std::size_t f = 0; f < d.per_field.size() && f < fields_.size(); ++f)
      for (const auto& [key, n] : d.per_field[f]) {
        if (n == 0) continue;
        std::uint32_t id = key_id(f, key);
        add_to(set, f, id, n);
        add_to(everything_, f, id, n);
      }
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
  FacetCounts out;
  std::vector<std::vector<std::int64_t>> sums(facets.size());  // per facet, by key id
  {
    std::shared_lock lock(mu_);
    for (std::size_t i = 0; i < index.size(); ++i) sums[i].assign(keys_[index[i]].size(), 0);
    auto add = [&](const Set& set) {
      out.total += set.total;
      for (std::size_t i = 0; i < index.size(); ++i)
        for (const auto& [key, n] : set.per_field[index[i]]) sums[i][key] += n;
    };
    if (readers.everything) {
      add(everything_);
    } else {
      std::vector<bool> seen(sets_.size());  // a set carrying two of the reader's values counts once
      for (const auto& value : readers.values) {
        auto v = value_ids_.find(value);
        if (v == value_ids_.end()) continue;
        for (std::uint32_t id : sets_with_value_[v->second])
          if (!seen[id]) {
            seen[id] = true;
            add(sets_[id]);
          }
      }
    }
    for (std::size_t i = 0; i < index.size(); ++i) {
      std::vector<FacetBucket> buckets;
      for (std::size_t key = 0; key < sums[i].size(); ++key)
        if (sums[i][key] != 0) buckets.push_back({json::parse(keys_[index[i]][key]), sums[i][key]});
      std::sort(buckets.begin(), buckets.end(), [](const FacetBucket& a, const FacetBucket& b) {
        if (a.count != b.count) return a.count > b.count;
        return sqlite_less(a.key, b.key);
      });
      if (static_cast<std::int64_t>(buckets.size()) > max_buckets) buckets.resize(static_cast<std::size_t>(max_buckets));
      out.buckets.push_back(std::move(buckets));
    }
  }
  return out;
}

std::size_t AccessFacetCounts::access_sets() const {
  std::shared_lock lock(mu_);
  return static_cast<std::size_t>(std::count_if(sets_.begin(), sets_.end(), [](const Set& s) { return s.total != 0; }));
}

}  // namespace openem
